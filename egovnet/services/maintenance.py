"""Maintenance filings (Art. 18, para. 3): device debugging or upgrades filed 3 working days ahead."""

from __future__ import annotations

import datetime as dt

from sqlmodel import select

from egovnet.errors import PolicyViolation, UsageError
from egovnet.services import events
from egovnet.services.directory import _dept_user_may_act, find_unit
from egovnet.state.db import unit_of_work
from egovnet.state.models import Department, Maintenance, Unit
from egovnet.validation import clean_name, clean_text

CST = dt.timezone(dt.timedelta(hours=8), "CST")  # China Standard Time, no daylight saving: the work's local time


def parse_start(text: str) -> dt.datetime:
    try:
        value = dt.datetime.fromisoformat(str(text).strip().replace("T", " "))
    except ValueError:
        raise UsageError(f"--start {text!r} is not a date and time; write YYYY-MM-DD HH:MM, e.g. 2026-10-12 22:00") from None
    return value.replace(tzinfo=CST) if value.tzinfo is None else value.astimezone(CST)


def file(ctx, unit_ref: str, device_desc: str, start: dt.datetime, reason: str) -> dict:
    rule = ctx.policy.deadlines.maintenance_notice
    role = ctx.require(("dept", "bdc"), "file maintenance work", rule.article)
    device_desc = clean_name(device_desc, "device description", 256)
    reason = clean_text(reason, "reason", required=True)
    earliest = ctx.calendar.add_working_days(ctx.today, rule.working_days)
    with unit_of_work(ctx.engine) as s:
        unit = find_unit(s, unit_ref)
        dept = s.get(Department, unit.dept_id)
        _dept_user_may_act(ctx, dept.name, f"file maintenance for unit {unit.name!r}")
        if start.date() < earliest.due:
            ahead = ctx.calendar.days_left(ctx.today, start.date())
            raise PolicyViolation(
                f"maintenance of {unit.name} starting {start:%Y-%m-%d %H:%M} is filed {max(ahead, 0)} working days "
                f"ahead; Art. {rule.article} (第十八条) requires {rule.working_days}: filed today ({ctx.today}), the "
                f"work may start on {earliest.due} at the earliest")
        row = Maintenance(unit_id=unit.id, device_desc=device_desc, start_at=start, reason=reason,
                          filed_on=ctx.today, filed_by=ctx.user)
        s.add(row)
        s.flush()
        events.record(s, ctx, "maintenance", row.id, "file", role=role, article=rule.article,
                      after={"unit": unit.name, "device": device_desc, "start": start, "reason": reason})
        return _dict(row, unit, ctx)


def list_filings(ctx, upcoming: bool = False) -> list[dict]:
    with unit_of_work(ctx.engine, write=False) as s:
        q = select(Maintenance, Unit).join(Unit, Unit.id == Maintenance.unit_id).order_by(Maintenance.start_at)
        if upcoming:
            q = q.where(Maintenance.start_at >= dt.datetime.combine(ctx.today, dt.time(), tzinfo=CST))
        return [_dict(m, u, ctx) for m, u in s.exec(q).all()]


def _dict(m: Maintenance, unit: Unit, ctx) -> dict:
    start = m.start_at.astimezone(CST)
    return {"id": m.id, "unit": unit.name, "unit_code": unit.code, "device": m.device_desc,
            "start": start.strftime("%Y-%m-%d %H:%M"), "reason": m.reason, "filed_on": m.filed_on.isoformat(),
            "filed_by": m.filed_by, "working_days_ahead": ctx.calendar.days_left(m.filed_on, start.date())}
