"""Where egovnet keeps its state and whom it acts for: EGOVNET_* variables and global options.

Pure standard library so that ``egovnet --help`` stays fast.
"""

from __future__ import annotations

import datetime as dt
import getpass
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
    "EGOVNET_USER": "the person acting; default: the OS login",
    "EGOVNET_TODAY": "ISO date used as 'today' in every date rule; default: the real date",
    "EGOVNET_DEBUG": "1 re-raises expected errors with their traceback",
    "EGOVNET_LAB_PASSWORD": "password of the built-in device lab's devices",
    "EGOVNET_LEASE_WAIT": "seconds a run waits for a device another run is pushing to; default 60",
    "EGOVNET_LEASE_STALE_MINUTES": "a lease held from another host is taken as gone after this; default 120",
}


def parse_date(text: str, what: str = "date") -> dt.date:
    """Parse an ISO date (YYYY-MM-DD) or raise a usage error naming what it was for."""
    try:
        return dt.date.fromisoformat(str(text).strip())
    except ValueError:
        raise UsageError(f"{what} {text!r} is not a date; write it as YYYY-MM-DD, e.g. 2026-09-28") from None


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
        who = user or env.get("EGOVNET_USER") or _os_login()
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
            debug=env.get("EGOVNET_DEBUG") == "1",
        )

    def policy(self):
        """The loaded policy, validated once per invocation."""
        if self._policy is None:
            from egovnet.policy import load_policy

            self._policy = load_policy(self.policy_path)
        return self._policy


def _os_login() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name in a bare container
        return f"uid{os.getuid()}"
