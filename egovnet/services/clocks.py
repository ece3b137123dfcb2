""""Met on time", computed in one place for every clock: review and construction (Art. 12), change review and
execution (Art. 18), fault response and restoration (Art. 17). `audit sla --since` and the annual evaluation
(Art. 24) both read it.

The rules, the same for every clock:
- a case belongs to the period by the day its clock started (received, approved, requested, reported);
- a clock that stopped by its due date is met; one that stopped after it is late;
- a clock still running past its due date is late (an application left unanswered is not "not counted");
- a clock still running and not yet due is not judged (``met`` None) and stays out of the share;
- what became of the object later (a link closed for non-use, decommissioned, a unit released) does not matter;
- a share from fewer cases than policies.yaml `statistics.min_cases` is not a figure: ``share`` is None (n/a).
"""

from __future__ import annotations

import datetime as dt

from sqlmodel import select

from egovnet.state.models import Application, ChangeRequest, Event, FaultTicket, Link, Unit

CLOCKS = ("review", "construction", "change_review", "change_execution", "ticket_response", "ticket_restoration")
ARTICLES = {"review": 12, "construction": 12, "change_review": 18, "change_execution": 18, "ticket_response": 17,
            "ticket_restoration": 17}


def _case(clock, obj, oid, unit, started, due, done, as_of, running: bool) -> dict:
    if done is not None and done <= as_of:
        met = done <= due
    elif running:
        met = False if as_of > due else None
        done = None
    else:
        return {}
    iso = lambda v: v.isoformat() if isinstance(v, dt.date) and not isinstance(v, dt.datetime) else (  # noqa: E731
        v.strftime("%Y-%m-%d %H:%M") if v is not None else None)
    return {"clock": clock, "object": obj, "id": oid, "unit": unit.name if unit else None,
            "town": unit.town if unit else "", "started": iso(started), "due": iso(due), "done": iso(done),
            "met": met, "running": done is None}


def on_time_cases(session, clock: str, since: dt.date, until: dt.date, as_of: dt.date,
                  now: dt.datetime | None = None) -> list[dict]:
    """Every case of ``clock`` whose clock started from ``since`` to ``until`` (days included), judged as of
    ``as_of`` (tickets at ``now``, default the end of ``as_of``, China Standard Time). Each case:
    ``{clock, object, id, unit, town, started, due, done, met (True/False/None = running, not due), running}``."""
    if clock not in CLOCKS:
        raise ValueError(f"unknown clock {clock!r}; clocks are {', '.join(CLOCKS)}")
    until = min(until, as_of)
    out: list[dict] = []
    if clock == "review":
        q = select(Application, Unit).join(Unit, Unit.id == Application.unit_id) \
            .where(Application.received_on >= since, Application.received_on <= until).order_by(Application.id)
        for app, unit in session.exec(q).all():
            out.append(_case(clock, "application", app.id, unit, app.received_on, app.review_due, app.decided_on,
                             as_of, app.status == "submitted" or (app.decided_on or as_of) > as_of))
    elif clock == "construction":
        built = _activations(session)
        q = select(Application, Unit, Link).join(Unit, Unit.id == Application.unit_id) \
            .join(Link, Link.id == Application.link_id, isouter=True) \
            .where(Application.construction_due.is_not(None), Application.decided_on >= since,
                   Application.decided_on <= until).order_by(Application.id)
        for app, unit, link in session.exec(q).all():
            done = built.get(app.id)
            if done is None and app.status in ("active", "closed", "released") and link is not None:
                done = link.opened_on  # activated before the event log recorded activations
            out.append(_case(clock, "application", app.id, unit, app.decided_on, app.construction_due, done, as_of,
                             app.status in ("approved", "provisioning") or (done is not None and done > as_of)))
    elif clock in ("change_review", "change_execution"):
        q = select(ChangeRequest, Unit).join(Unit, Unit.id == ChangeRequest.unit_id).order_by(ChangeRequest.id)
        if clock == "change_review":
            q = q.where(ChangeRequest.requested_on >= since, ChangeRequest.requested_on <= until)
        else:
            q = q.where(ChangeRequest.execution_due.is_not(None), ChangeRequest.decided_on >= since,
                        ChangeRequest.decided_on <= until)
        for c, unit in session.exec(q).all():
            if clock == "change_review":
                out.append(_case(clock, "change", c.id, unit, c.requested_on, c.review_due, c.decided_on, as_of,
                                 c.status == "submitted" or (c.decided_on or as_of) > as_of))
            else:
                out.append(_case(clock, "change", c.id, unit, c.decided_on, c.execution_due, c.applied_on, as_of,
                                 c.status == "approved" or (c.applied_on or as_of) > as_of))
    else:
        from egovnet.services.tickets import CST, _cst

        now = now or dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time(), CST)
        lo = dt.datetime.combine(since, dt.time(), CST)
        hi = dt.datetime.combine(until + dt.timedelta(days=1), dt.time(), CST)
        q = select(FaultTicket, Unit).join(Unit, Unit.id == FaultTicket.unit_id, isouter=True) \
            .where(FaultTicket.reported_at >= lo, FaultTicket.reported_at < hi).order_by(FaultTicket.id)
        rows = session.exec(q).all()
        first_unit = _first_units(session, {t.link_id for t, u in rows if u is None and t.link_id})
        for t, unit in rows:
            due, done = (t.respond_due, t.acked_at) if clock == "ticket_response" else (t.restore_due, t.resolved_at)
            done = _cst(done)
            out.append(_case(clock, "ticket", t.id, unit or first_unit.get(t.link_id), _cst(t.reported_at),
                             _cst(due), done, now, done is None or done > now))
    return [c for c in out if c]


def on_time(session, clock: str, since: dt.date, until: dt.date, as_of: dt.date, *, min_cases: int = 1,
            now: dt.datetime | None = None, town: str | None = None) -> dict:
    """The share of ``clock`` met on time: ``{met, total, running_late, share, min_cases}``; ``total`` counts the
    cases judged (met or late, running ones past due included), ``running_late`` those of them still running,
    ``share`` is met/total rounded to 3 places, or None when total < min_cases (shown "n/a"). ``town``: only
    the cases of that town's units."""
    cases = [c for c in on_time_cases(session, clock, since, until, as_of, now)
             if c["met"] is not None and (town is None or c["town"] == town)]
    met = sum(1 for c in cases if c["met"])
    total = len(cases)
    return {"met": met, "total": total, "running_late": sum(1 for c in cases if c["running"]),
            "share": round(met / total, 3) if total and total >= min_cases else None, "min_cases": min_cases}


def shown(v: dict) -> str:
    """'3 of 4 (75%)', or '1 of 1 (n/a: fewer than 3 cases)'."""
    if v["share"] is None:
        why = "no cases" if not v["total"] else f"fewer than {v['min_cases']} cases"
        return f"{v['met']} of {v['total']} (n/a: {why})"
    return f"{v['met']} of {v['total']} ({v['share']:.0%})"


def _activations(session) -> dict[int, dt.date]:
    q = select(Event.object_id, Event.effective_date).where(Event.object_type == "application",
                                                            Event.action == "activate")
    out: dict[int, dt.date] = {}
    for oid, day in session.exec(q).all():
        out[oid] = min(day, out.get(oid, day))
    return out


def _first_units(session, link_ids: set[int]) -> dict[int, Unit]:
    if not link_ids:
        return {}
    out: dict[int, Unit] = {}
    q = select(Application.link_id, Unit).join(Unit, Unit.id == Application.unit_id) \
        .where(Application.link_id.in_(sorted(link_ids))).order_by(Application.id)
    for link_id, unit in session.exec(q).all():
        out.setdefault(link_id, unit)
    return out
