"""Fault tickets (故障工单, Art. 17): a fault reported on a link or at a unit, acknowledged (response) and resolved
(restoration) within the targets of policies.yaml `tickets`, and the downtime it caused (availability, Art. 24).

Times are China Standard Time. A p1 clock runs in clock hours, day and night; p2 and p3 clocks run in working
hours (tickets.working_hours) on the official calendar: a fault reported on Friday evening before National Day
starts its clock at the first opening after the holiday.
"""

from __future__ import annotations

import datetime as dt

from sqlmodel import select

from egovnet.errors import Conflict, NotFound, Refused, UsageError
from egovnet.services import events
from egovnet.services.directory import find_unit
from egovnet.services.links import get_link
from egovnet.services.maintenance import CST
from egovnet.state.db import unit_of_work
from egovnet.state.models import Application, FaultTicket, Maintenance, Unit
from egovnet.validation import clean_name, clean_text

SEVERITIES = ("p1", "p2", "p3")


# ---- time -----------------------------------------------------------------------------------------------------------

def parse_time(text: str, what: str) -> dt.datetime:
    """``YYYY-MM-DD HH:MM`` in China Standard Time, or one usage error naming the option."""
    try:
        value = dt.datetime.fromisoformat(str(text).strip().replace("T", " "))
    except ValueError:
        raise UsageError(f"{what} {text!r} is not a date and time; write YYYY-MM-DD HH:MM, e.g. "
                         "2026-10-09 15:30") from None
    from egovnet.calendar import check_in_range

    check_in_range(value.date(), what)
    return value.replace(tzinfo=CST) if value.tzinfo is None else value.astimezone(CST)


def now_of(ctx) -> dt.datetime:
    """The moment the clocks are read at: now, or, when egovnet runs as of another day (--today), the end of that
    day (an audit as of a day counts everything that happened on it)."""
    real = dt.datetime.now(CST)
    if ctx.today == real.date():
        return real.replace(second=0, microsecond=0)
    return dt.datetime.combine(ctx.today + dt.timedelta(days=1), dt.time(), CST)


def _default_time(ctx) -> dt.datetime:
    real = dt.datetime.now(CST).replace(second=0, microsecond=0)
    return real if ctx.today == real.date() else dt.datetime.combine(ctx.today, real.time(), CST)


def _cst(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=dt.timezone.utc).astimezone(CST) if value.tzinfo is None else value.astimezone(CST)


def _fmt(value: dt.datetime | None) -> str | None:
    return _cst(value).strftime("%Y-%m-%d %H:%M") if value is not None else None


def due_at(policy, calendar, severity: str, reported: dt.datetime, hours: int) -> dt.datetime:
    """When a clock of ``hours`` started at ``reported`` ends: clock hours (p1) or working hours on the calendar."""
    rule = policy.tickets.severities[severity]
    reported = _cst(reported)
    if rule.basis == "clock":
        return reported + dt.timedelta(hours=hours)
    wh = policy.tickets.working_hours
    wall = calendar.add_working_minutes(reported.replace(tzinfo=None), hours * 60, wh.start, wh.end)
    return wall.replace(tzinfo=CST)


def minutes_left(policy, calendar, severity: str, now: dt.datetime, due: dt.datetime) -> int:
    """Minutes from now to the due moment on the clock's own basis; negative once overdue."""
    now, due = _cst(now), _cst(due)
    if policy.tickets.severities[severity].basis == "clock":
        return int((due - now).total_seconds() // 60)
    wh = policy.tickets.working_hours
    return calendar.working_minutes_between(now.replace(tzinfo=None), due.replace(tzinfo=None), wh.start, wh.end)


def hm(minutes: int | None) -> str:
    """180 -> '3h 00m', -65 -> '-1h 05m'."""
    if minutes is None:
        return "-"
    sign, m = ("-" if minutes < 0 else ""), abs(minutes)
    return f"{sign}{m // 60}h {m % 60:02d}m"


# ---- commands' services ---------------------------------------------------------------------------------------------

def open_ticket(ctx, *, link: int | None = None, unit: str | None = None, summary: str,
                severity: str | None = None, reported_at: dt.datetime | None = None) -> dict:
    rules = ctx.policy.tickets
    role = ctx.require(("bdc", "dept"), "open a fault ticket", rules.article)
    if (link is None) == (unit is None):
        raise UsageError("a fault ticket is about one link (--link ID) or one unit (--unit NAME|CODE); give one")
    summary = clean_name(summary, "summary", 256)
    severity = severity or rules.default_severity
    if severity not in SEVERITIES:
        raise UsageError(f"severity {severity!r} is not one of {', '.join(SEVERITIES)} (policies.yaml tickets, "
                         f"Art. {rules.article})")
    reported = _cst(reported_at) if reported_at else _default_time(ctx)
    if reported > now_of(ctx):
        raise UsageError(f"--reported-at {_fmt(reported)} is in the future; a fault is recorded once reported")
    rule = rules.severities[severity]
    with unit_of_work(ctx.engine) as s:
        link_row = get_link(s, link) if link is not None else None
        unit_row = find_unit(s, unit) if unit is not None else None
        if link_row is not None and link_row.status != "active":
            raise Refused(f"link {link_row.id} is {link_row.status}: a fault ticket is for a link in service "
                          f"(Art. {rules.article}); open it on the unit with --unit, see 'egovnet link show "
                          f"{link_row.id}'")
        row = FaultTicket(link_id=link_row.id if link_row else None, unit_id=unit_row.id if unit_row else None,
                          summary=summary, severity=severity, reported_at=reported, reported_by=ctx.user,
                          respond_due=due_at(ctx.policy, ctx.calendar, severity, reported, rule.respond_hours),
                          restore_due=due_at(ctx.policy, ctx.calendar, severity, reported, rule.restore_hours),
                          outage=bool(rule.outage and link_row is not None),
                          downtime_start=reported if rule.outage and link_row is not None else None)
        s.add(row)
        s.flush()
        events.record(s, ctx, "ticket", row.id, "open", role=role, article=rules.article,
                      after={"link": row.link_id, "unit": unit_row.name if unit_row else None, "summary": summary,
                             "severity": severity, "reported_at": reported})
        return ticket_dict(s, ctx, row)


def _get(s, ticket_id: int) -> FaultTicket:
    row = s.get(FaultTicket, ticket_id)
    if row is None:
        raise NotFound(f"fault ticket {ticket_id} not found; see 'egovnet ticket list'")
    return row


def _when(ctx, at: dt.datetime | None, row: FaultTicket, what: str, after: dt.datetime, after_what: str) -> dt.datetime:
    when = _cst(at) if at else _default_time(ctx)
    if when > now_of(ctx):
        raise UsageError(f"--at {_fmt(when)} is in the future; record the {what} once it happened")
    if when < _cst(after):
        raise UsageError(f"fault ticket {row.id}: the {what} at {_fmt(when)} is before its {after_what} at "
                         f"{_fmt(after)}; check --at")
    return when


def ack(ctx, ticket_id: int, at: dt.datetime | None = None) -> dict:
    rules = ctx.policy.tickets
    role = ctx.require(("bdc",), "acknowledge a fault ticket", rules.article)
    with unit_of_work(ctx.engine) as s:
        row = _get(s, ticket_id)
        if row.acked_at is not None:
            raise Conflict(f"fault ticket {row.id} was acknowledged at {_fmt(row.acked_at)} by {row.acked_by}; "
                           "nothing to do")
        row.acked_at = _when(ctx, at, row, "acknowledgement", row.reported_at, "report")
        row.acked_by = ctx.user
        s.add(row)
        events.record(s, ctx, "ticket", row.id, "ack", role=role, article=rules.article,
                      after={"acked_at": row.acked_at, "late": _cst(row.acked_at) > _cst(row.respond_due)})
        return ticket_dict(s, ctx, row)


def resolve(ctx, ticket_id: int, cause: str, action: str, at: dt.datetime | None = None) -> dict:
    rules = ctx.policy.tickets
    role = ctx.require(("bdc",), "resolve a fault ticket", rules.article)
    cause = clean_text(cause, "cause", required=True)
    action = clean_text(action, "action", required=True)
    with unit_of_work(ctx.engine) as s:
        row = _get(s, ticket_id)
        if row.resolved_at is not None:
            raise Conflict(f"fault ticket {row.id} was resolved at {_fmt(row.resolved_at)} by {row.resolved_by}; "
                           "open a new ticket for a new fault")
        start = row.acked_at or row.reported_at
        when = _when(ctx, at, row, "restoration", start, "acknowledgement" if row.acked_at else "report")
        if row.acked_at is None:  # restoring a fault answers it: the response is the restoration
            row.acked_at, row.acked_by = when, ctx.user
        row.resolved_at, row.resolved_by, row.cause, row.action = when, ctx.user, cause, action
        if row.outage:
            row.downtime_end = when
        s.add(row)
        events.record(s, ctx, "ticket", row.id, "resolve", role=role, article=rules.article,
                      after={"resolved_at": when, "cause": cause, "action": action,
                             "late": _cst(when) > _cst(row.restore_due)})
        return ticket_dict(s, ctx, row)


def list_tickets(ctx, open_only: bool = False, overdue: bool = False) -> list[dict]:
    with unit_of_work(ctx.engine, write=False) as s:
        q = select(FaultTicket).order_by(FaultTicket.id)
        if open_only or overdue:
            q = q.where(FaultTicket.resolved_at.is_(None))
        rows = [ticket_dict(s, ctx, t) for t in s.exec(q).all()]
    return [r for r in rows if r["overdue"]] if overdue else rows


def show_ticket(ctx, ticket_id: int) -> dict:
    with unit_of_work(ctx.engine, write=False) as s:
        row = _get(s, ticket_id)
        out = ticket_dict(s, ctx, row)
        out["events"] = events.event_rows(s, "ticket", row.id)
        return out


def ticket_dict(s, ctx, t: FaultTicket, now: dt.datetime | None = None) -> dict:
    now = now or now_of(ctx)
    rule = ctx.policy.tickets.severities[t.severity]
    unit = s.get(Unit, t.unit_id) if t.unit_id else None
    if t.resolved_at is not None:
        clock, due = None, None
    elif t.acked_at is None:
        clock, due = "response", t.respond_due
    else:
        clock, due = "restoration", t.restore_due
    left = minutes_left(ctx.policy, ctx.calendar, t.severity, now, due) if due else None
    acked, resolved = _cst(t.acked_at), _cst(t.resolved_at)
    return {
        "id": t.id, "link": t.link_id, "unit": unit.name if unit else None, "summary": t.summary,
        "severity": t.severity, "basis": rule.basis, "status": "resolved" if resolved else "acked" if acked else "open",
        "reported_at": _fmt(t.reported_at), "reported_by": t.reported_by,
        "respond_due": _fmt(t.respond_due), "restore_due": _fmt(t.restore_due),
        "acked_at": _fmt(acked), "acked_by": t.acked_by, "resolved_at": _fmt(resolved), "resolved_by": t.resolved_by,
        "cause": t.cause or None, "action": t.action or None,
        "response_late": (acked > _cst(t.respond_due)) if acked else (now > _cst(t.respond_due) or None),
        "restore_late": (resolved > _cst(t.restore_due)) if resolved else (now > _cst(t.restore_due) or None),
        "outage": t.outage, "downtime_start": _fmt(t.downtime_start), "downtime_end": _fmt(t.downtime_end),
        "clock": clock, "due": _fmt(due), "minutes_left": left, "left": hm(left) if due else None,
        "overdue": bool(due and now > _cst(due)),
        "article": ctx.policy.tickets.article,
    }


def running_clocks(s, ctx, as_of: dt.date, now: dt.datetime) -> list[dict]:
    """The clock each unresolved ticket runs (for `audit sla`): response until acknowledged, then restoration."""
    out = []
    for t in s.exec(select(FaultTicket).where(FaultTicket.resolved_at.is_(None)).order_by(FaultTicket.id)).all():
        d = ticket_dict(s, ctx, t, now)
        due = _cst(t.respond_due if d["clock"] == "response" else t.restore_due)
        out.append({"application": None, "change": None, "ticket": t.id, "link": t.link_id,
                    "unit": d["unit"] or f"link {t.link_id}", "clock": f"ticket_{d['clock']}",
                    "article": d["article"], "due": d["due"],
                    "working_days_left": ctx.calendar.days_left(as_of, due.date()),
                    "left": d["left"], "overdue": d["overdue"]})
    return out


# ---- for the annual evaluation (Art. 24) ----------------------------------------------------------------------------

def _moment(value) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return _cst(value) if value.tzinfo else value.replace(tzinfo=CST)
    return dt.datetime.combine(value, dt.time(), CST)


def _union(spans: list[tuple[dt.datetime, dt.datetime]]) -> list[tuple[dt.datetime, dt.datetime]]:
    out: list[list[dt.datetime]] = []
    for a, b in sorted(s for s in spans if s[1] > s[0]):
        if out and a <= out[-1][1]:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return [(a, b) for a, b in out]


def _minus(spans, holes) -> int:
    """Minutes of the union ``spans`` not covered by the union ``holes``."""
    total = 0
    for a, b in spans:
        covered = sum(max(0.0, (min(b, hb) - max(a, ha)).total_seconds()) for ha, hb in holes)
        total += (b - a).total_seconds() - covered
    return int(total // 60)


def ticket_downtime(session, link_ids, start, end, *, maintenance_hours: int = 4,
                    now: dt.datetime | None = None) -> dict[int, dict]:
    """Per link: unplanned downtime minutes in [start, end) from outage tickets, with time a maintenance filing
    (Art. 18) of a unit on the link covers taken out as planned.

    ``start``/``end``: datetimes (CST if naive) or dates (midnight CST; pass 2027-01-01 as the end of 2026).
    A ticket still open runs to ``now`` (default: the present). ``maintenance_hours``: how long a filed
    maintenance lasts (policies.yaml tickets.maintenance_window_hours). Returns
    ``{link_id: {"unplanned_minutes": int, "planned_minutes": int, "tickets": int}}`` for every link asked."""
    lo, hi = _moment(start), _moment(end)
    now = _moment(now) if now else dt.datetime.now(CST)
    ids = sorted(set(link_ids))
    out = {i: {"unplanned_minutes": 0, "planned_minutes": 0, "tickets": 0} for i in ids}
    if not ids:
        return out
    spans: dict[int, list] = {}
    for t in session.exec(select(FaultTicket).where(FaultTicket.link_id.in_(ids), FaultTicket.outage.is_(True),
                                                    FaultTicket.downtime_start.is_not(None))).all():
        a = max(_cst(t.downtime_start), lo)
        b = min(_cst(t.downtime_end) if t.downtime_end else now, hi)
        if b > a:
            spans.setdefault(t.link_id, []).append((a, b))
            out[t.link_id]["tickets"] += 1
    holes: dict[int, list] = {}
    window = dt.timedelta(hours=maintenance_hours)
    q = select(Application.link_id, Maintenance.start_at) \
        .join(Maintenance, Maintenance.unit_id == Application.unit_id).where(Application.link_id.in_(ids)).distinct()
    for link_id, begin in session.exec(q).all():
        holes.setdefault(link_id, []).append((_cst(begin), _cst(begin) + window))
    for link_id, s in spans.items():
        down = _union(s)
        planned = _union(holes.get(link_id, []))
        unplanned = _minus(down, planned)
        all_minutes = _minus(down, [])
        out[link_id]["unplanned_minutes"] = unplanned
        out[link_id]["planned_minutes"] = all_minutes - unplanned
    return out


def availability(session, link_ids, start, end, *, maintenance_hours: int = 4,
                 now: dt.datetime | None = None) -> dict[int, dict]:
    """Per link: minutes in service in [start, end) (its fee periods: opening day to closing day, reopen periods
    included), the unplanned and planned downtime of ``ticket_downtime``, and availability = 1 - unplanned /
    in service (5 places), None for a link not in service in the period. Same arguments as ticket_downtime."""
    from egovnet.services.fees import fee_periods

    lo, hi = _moment(start), _moment(end)
    upto = min(hi, _moment(now) if now else dt.datetime.now(CST))  # a period still running counts to now
    down = ticket_downtime(session, link_ids, start, end, maintenance_hours=maintenance_hours, now=now)
    periods = fee_periods(session, list(down))
    out = {}
    for link_id, d in down.items():
        spans = [(max(_moment(a), lo), min(_moment(b + dt.timedelta(days=1)), upto) if b else upto)
                 for a, b in periods.get(link_id, [])]
        service = _minus(_union(spans), [])
        out[link_id] = {**d, "service_minutes": service,
                        "availability": round(1 - d["unplanned_minutes"] / service, 5) if service else None}
    return out


def tickets_in_period(session, ctx, since: dt.date, until: dt.date) -> list[dict]:
    """Every ticket reported from ``since`` to ``until`` (both days included), as `ticket show --json` gives it,
    plus the town (the unit's, or the first unit's on the link) and minutes to respond and to restore."""
    lo, hi = _moment(since), _moment(until + dt.timedelta(days=1))
    rows = []
    q = select(FaultTicket).where(FaultTicket.reported_at >= lo, FaultTicket.reported_at < hi).order_by(FaultTicket.id)
    for t in session.exec(q).all():
        d = ticket_dict(session, ctx, t)
        unit = session.get(Unit, t.unit_id) if t.unit_id else session.exec(
            select(Unit).join(Application, Application.unit_id == Unit.id)
            .where(Application.link_id == t.link_id).order_by(Application.id)).first()
        d["town"] = unit.town if unit else ""
        rep = _cst(t.reported_at)
        d["respond_minutes"] = int((_cst(t.acked_at) - rep).total_seconds() // 60) if t.acked_at else None
        d["restore_minutes"] = int((_cst(t.resolved_at) - rep).total_seconds() // 60) if t.resolved_at else None
        rows.append(d)
    return rows


__all__ = ["open_ticket", "ack", "resolve", "list_tickets", "show_ticket", "ticket_downtime", "availability",
           "tickets_in_period", "running_clocks", "parse_time"]
