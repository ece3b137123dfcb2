"""Where egovnet keeps its state and whom it acts for: EGOVNET_* variables and global options.

Pure standard library so that ``egovnet --help`` stays fast.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path

from egovnet.errors import UsageError

PACKAGED_POLICY = Path(__file__).parent / "data" / "policies.yaml"

ENV_VARS = {
    "EGOVNET_HOME": "state folder (database, backups, notices); default: $XDG_DATA_HOME/egovnet or ~/.local/share/egovnet",
    "EGOVNET_DB": "SQLAlchemy database URL; default: sqlite:///$EGOVNET_HOME/egovnet.db",
    "EGOVNET_POLICY": "policy file; default: ./policies.yaml if present, else the packaged default",
    "EGOVNET_INVENTORY": "inventory folder; default: ./inventory",
    "EGOVNET_USER": "the person acting; honoured only under 'identity: declared' or when it names the OS account; "
                    "default: the OS account running egovnet",
    "EGOVNET_LOG_KEY": "the event log's HMAC key (at least 32 characters); default: the file EGOVNET_HOME/log.key",
    "EGOVNET_TODAY": "ISO date used as 'today' in every date rule; default: the real date",
    "EGOVNET_LANG": "language of help, tables, messages and errors: zh_CN (Chinese) or en; default: the locale "
                    "(LANGUAGE, LC_ALL, LC_MESSAGES, LANG), English for C",
    "EGOVNET_DEBUG": "1 shows the traceback of expected errors (the exit code stays the same)",
    "EGOVNET_LAB_PASSWORD": "password of the built-in device lab's devices",
    "EGOVNET_LEASE_WAIT": "seconds a run waits for a device another run is pushing to; default 60",
    "EGOVNET_LEASE_STALE_MINUTES": "a lease held from another host is taken as gone after this; default 120",
}


def parse_date(text: str, what: str = "date") -> dt.date:
    """Parse an ISO date (YYYY-MM-DD) or raise a usage error naming what it was for."""
    try:
        day = dt.date.fromisoformat(str(text).strip())
    except ValueError:
        raise UsageError(f"{what} {text!r} is not a date; write it as YYYY-MM-DD, e.g. 2026-09-28") from None
    from egovnet.calendar import check_in_range

    return check_in_range(day, what)


def default_home() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "egovnet"


@dataclass
class Settings:
    """Resolved once per invocation; options beat environment variables beat defaults."""

    home: Path
    db_url: str
    policy_path: Path
    inventory: Path
    user: str
    today: dt.date
    today_overridden: bool = False
    os_user: str = ""                # the operating-system account running egovnet (from the uid)
    declared_user: str | None = None  # EGOVNET_USER / --user, if given
    debug: bool = False
    _policy: object = field(default=None, repr=False)

    @classmethod
    def resolve(
        cls,
        home: str | None = None,
        db: str | None = None,
        policy: str | None = None,
        inventory: str | None = None,
        user: str | None = None,
        today: str | None = None,
    ) -> "Settings":
        env = os.environ
        home_path = Path(home or env.get("EGOVNET_HOME") or default_home()).expanduser()
        db_url = db or env.get("EGOVNET_DB") or f"sqlite:///{home_path / 'egovnet.db'}"
        policy_text = policy or env.get("EGOVNET_POLICY")
        if policy_text:
            policy_path = Path(policy_text).expanduser()
        elif Path("policies.yaml").is_file():
            policy_path = Path("policies.yaml")
        else:
            policy_path = PACKAGED_POLICY
        inv = Path(inventory or env.get("EGOVNET_INVENTORY") or "inventory").expanduser()
        os_user = os_account()
        declared = (user or env.get("EGOVNET_USER") or "").strip() or None
        who = declared or os_user
        today_text = today or env.get("EGOVNET_TODAY")
        the_day = parse_date(today_text, "EGOVNET_TODAY / --today") if today_text else dt.date.today()
        return cls(
            home=home_path,
            db_url=db_url,
            policy_path=policy_path,
            inventory=inv,
            user=who,
            today=the_day,
            today_overridden=bool(today_text),
            os_user=os_user,
            declared_user=declared,
            debug=env.get("EGOVNET_DEBUG") == "1",
        )

    def actor(self, policy) -> str:
        """Who acts: the OS account, or the declared user where the policy allows it (``identity: declared``)
        or where the declared name is the OS account itself."""
        declared = self.declared_user
        if declared is None or declared == self.os_user or policy.identity == "declared":
            return declared or self.os_user
        from egovnet.errors import PermissionDenied

        raise PermissionDenied(
            f"user {declared!r} (EGOVNET_USER / --user) is not the operating-system account running egovnet "
            f"({self.os_user!r}): {policy.source} says 'identity: os', so the actor is the account that runs "
            f"egovnet and decisions stay with the people the regulation names (Art. 10, 12); log in as "
            f"{declared!r} and unset EGOVNET_USER (only a demo or training policy may say 'identity: declared')")

    def policy(self):
        """The loaded policy, validated once per invocation."""
        if self._policy is None:
            from egovnet.policy import load_policy

            self._policy = load_policy(self.policy_path)
        return self._policy


def os_account() -> str:
    """The account running egovnet, from the real uid (not from LOGNAME/USER, which anyone can set)."""
    import pwd

    uid = os.getuid()
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:  # a uid without a passwd entry (a bare container)
        return f"uid{uid}"
