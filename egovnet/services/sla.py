"""`audit sla`: every running clock (review and construction, Art. 12; change review and execution, Art. 18) and
the share of each met on time."""

from __future__ import annotations

import datetime as dt

from sqlmodel import select

from egovnet.services.changes import running_clock
from egovnet.state.db import unit_of_work
from egovnet.state.models import Application, ChangeRequest, Link, Unit


def audit(ctx, as_of: dt.date | None = None, since: dt.date | None = None) -> dict:
    as_of = as_of or ctx.today
    clocks = []
    met = {"review": [0, 0], "construction": [0, 0], "change_review": [0, 0], "change_execution": [0, 0]}
    with unit_of_work(ctx.engine, write=False) as s:
        q = select(Application, Unit, Link).join(Unit, Unit.id == Application.unit_id) \
            .join(Link, Link.id == Application.link_id)
        if not since:  # only running clocks are read: the applications under review or construction
            q = q.where(Application.status.in_(("submitted", "approved", "provisioning")))
        for app, unit, link in s.exec(q).all():
            if app.status == "submitted":
                clocks.append(_clock(ctx, as_of, app, unit, "review", app.review_due, 12))
            elif app.status in ("approved", "provisioning") and app.construction_due:
                clocks.append(_clock(ctx, as_of, app, unit, "construction", app.construction_due, 12))
            if since and app.decided_on and app.received_on >= since:
                met["review"][1] += 1
                met["review"][0] += app.decided_on <= app.review_due
            if since and app.status == "active" and app.decided_on and app.decided_on >= since and link.opened_on:
                met["construction"][1] += 1
                met["construction"][0] += link.opened_on <= app.construction_due
        for change, unit in s.exec(select(ChangeRequest, Unit).join(Unit, Unit.id == ChangeRequest.unit_id)).all():
            kind, due = running_clock(change)
            if kind:
                clocks.append({**_clock(ctx, as_of, None, unit, kind, due, 18), "change": change.id,
                               "link": change.link_id})
            if since and change.decided_on and change.requested_on >= since:
                met["change_review"][1] += 1
                met["change_review"][0] += change.decided_on <= change.review_due
            if since and change.applied_on and change.decided_on >= since:
                met["change_execution"][1] += 1
                met["change_execution"][0] += change.applied_on <= change.execution_due
    clocks.sort(key=lambda c: (not c["overdue"], c["due"], c["application"] or 0, c.get("change") or 0))
    out = {"as_of": as_of.isoformat(), "clocks": clocks}
    if since:
        out["since"] = since.isoformat()
        out["on_time"] = {k: {"met": m, "total": t, "share": round(m / t, 3) if t else None} for k, (m, t) in met.items()}
    return out


def _clock(ctx, as_of, app, unit, kind, due, article) -> dict:
    left = ctx.calendar.days_left(as_of, due)
    return {"application": app.id if app else None, "change": None, "unit": unit.name, "clock": kind, "article": article, "due": due.isoformat(),
            "working_days_left": left, "overdue": left < 0}
