"""What every service depends on, passed in explicitly: engine, policy, calendar, today, actor."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from egovnet.errors import PermissionDenied
from egovnet.i18n import N_


@dataclass
class Ctx:
    engine: object
    policy: object
    calendar: object
    today: dt.date
    user: str
    home: Path
    inventory: Path = Path("inventory")
    extras: dict = field(default_factory=dict)

    @classmethod
    def from_settings(cls, settings) -> "Ctx":
        from egovnet.calendar import WorkCalendar
        from egovnet.state.db import get_engine

        policy = settings.policy()
        return cls(
            engine=get_engine(settings),
            policy=policy,
            calendar=WorkCalendar.from_policy(policy),
            today=settings.today,
            user=settings.actor(policy),
            home=settings.home,
            inventory=settings.inventory,
        )

    def roles(self) -> tuple[str, ...]:
        user = self.policy.user(self.user)
        return user.roles if user else ()

    def require(self, roles: tuple[str, ...], doing: str, article: int | str) -> str:
        """The role under which the actor may do this, or PermissionDenied naming the rule."""
        held = [r for r in roles if r in self.roles()]
        if held:
            return held[0]
        labels = " or ".join(f"'{r}' ({self.policy.roles.definitions[r].label})" for r in roles
                             if r in self.policy.roles.definitions)
        has = ", ".join(self.roles()) or "no role"
        # N_: the hint is its own catalog entry, translated where the error it ends is shown (egovnet.i18n.localize)
        other = (N_("act as another user (EGOVNET_USER)") if self.policy.identity == "declared"
                 else N_("log in as an account that holds it"))
        return_hint = N_(f"assign it under roles.users in {self.policy.source}, or {other}")
        raise PermissionDenied(f"user {self.user!r} may not {doing}: that needs role {labels} "
                               f"(Art. {article}); {self.user!r} has {has}; {return_hint}")

    def not_own(self, filed_by: str, what: str, doing: str, article: str) -> None:
        """Separation of duties: whoever filed something may not decide it; another BDC reviewer must."""
        if self.policy.roles.separation_of_duties and filed_by == self.user:
            raise PermissionDenied(f"user {self.user!r} filed {what} and may not {doing} it (separation of "
                                   f"duties, Art. {article}); another BDC reviewer must decide")
