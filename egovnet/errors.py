"""The exception hierarchy and the exit codes it maps to.

Services raise these; the root command group turns them into one ``Error: ...`` line on stderr
and the exit status below. Messages name the object, the rule (Art. N) and what to do. They never
carry a secret.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_REFUSED = 3
EXIT_PARTIAL = 4


class EgovnetError(Exception):
    """Base of every expected error. ``exit_code`` is the process exit status."""

    exit_code = EXIT_ERROR


class NotFound(EgovnetError):
    """An object named on the command line does not exist."""


class Conflict(EgovnetError):
    """The object already exists or is in the way."""


class InvalidConfig(EgovnetError):
    """A configuration file (policy, inventory) is malformed: names file, line and key path."""


class InvalidPolicy(InvalidConfig):
    pass


class DatabaseError(EgovnetError):
    pass


class UsageError(EgovnetError):
    """A value given on the command line cannot be parsed (a date, a number)."""

    exit_code = EXIT_USAGE


class Refused(EgovnetError):
    """Refused by a rule; nothing was changed."""

    exit_code = EXIT_REFUSED


class PolicyViolation(Refused):
    """The regulation (as encoded in policies.yaml) forbids this."""


class PermissionDenied(Refused):
    """The acting user does not hold the role the regulation gives this decision to."""


class InvalidInput(Refused):
    """A value fails validation (a name with a newline, a malformed code or address)."""


class DeviceError(EgovnetError):
    """A device refused or failed a change."""


class PartialFailure(EgovnetError):
    """Some items of a batch failed; the others went through."""

    exit_code = EXIT_PARTIAL


class HostKeyChanged(Refused):
    """A device presents another host key than the one on record: a security event."""
