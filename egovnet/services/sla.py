"""`audit sla`: every running clock (review and construction, Art. 12; change review and execution, Art. 18; fault
response and restoration, Art. 17) and the share of each met on time (services/clocks.py)."""

from __future__ import annotations

import datetime as dt

from sqlmodel import select

from egovnet.services.changes import running_clock
from egovnet.state.db import unit_of_work
from egovnet.state.models import Application, ChangeRequest, Unit


def audit(ctx, as_of: dt.date | None = None, since: dt.date | None = None) -> dict:
    from egovnet.services import clocks as on_time_rules
    from egovnet.services import tickets

    as_of = as_of or ctx.today
    if since and since > as_of:  # as audit health says it: an empty period is a typo, not "0 of 0"
        from egovnet.errors import UsageError

        first, day = since, as_of
        raise UsageError(f"--since {first} is after --as-of {day}; give a window that ends after it starts")
    clocks = []
    now = tickets.now_of(ctx) if as_of == ctx.today else \
        dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time(), tickets.CST)
    with unit_of_work(ctx.engine, write=False) as s:
        # only running clocks are read: the applications under review or construction
        q = select(Application, Unit).join(Unit, Unit.id == Application.unit_id) \
            .where(Application.status.in_(("submitted", "approved", "provisioning")))
        for app, unit in s.exec(q).all():
            if app.status == "submitted":
                clocks.append(_clock(ctx, as_of, app, unit, "review", app.review_due, 12))
            elif app.construction_due:
                clocks.append(_clock(ctx, as_of, app, unit, "construction", app.construction_due, 12))
        for change, unit in s.exec(select(ChangeRequest, Unit).join(Unit, Unit.id == ChangeRequest.unit_id)).all():
            kind, due = running_clock(change)
            if kind:
                clocks.append({**_clock(ctx, as_of, None, unit, kind, due, 18), "change": change.id,
                               "link": change.link_id})
        clocks += tickets.running_clocks(s, ctx, as_of, now)
        if since:
            met = {k: on_time_rules.on_time(s, k, since, as_of, as_of, min_cases=ctx.policy.statistics.min_cases,
                                            now=now) for k in on_time_rules.CLOCKS}
    clocks.sort(key=lambda c: (not c["overdue"], c["due"], c["application"] or 0, c.get("change") or 0,
                               c.get("ticket") or 0))
    out = {"as_of": as_of.isoformat(), "clocks": clocks}
    if since:
        out["since"] = since.isoformat()
        out["on_time"] = met
    return out


def _clock(ctx, as_of, app, unit, kind, due, article) -> dict:
    left = ctx.calendar.days_left(as_of, due)
    return {"application": app.id if app else None, "change": None, "ticket": None, "unit": unit.name,
            "clock": kind, "article": article, "due": due.isoformat(), "working_days_left": left, "left": None,
            "overdue": left < 0}
