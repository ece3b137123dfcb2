"""Security checks and assessments (Art. 8, 13, 21), and the audit of what is due.

Three kinds of record, one register: BDC's periodic security check of a unit (定期安全检查, Art. 21), a unit's
own MLPS assessment (等保测评, Art. 13) and its risk assessment (风险评估, Art. 21). A check that failed stays
open until a later record of the same unit and kind follows it up (整改复查); recording one links it to the
oldest open failure unless ``follow_up_of`` names another.

The unit's MLPS fields (level, date) and the register stay in step: a passed MLPS assessment (pass or issues)
newer than the unit's date updates the unit, and ``unit add``/``unit update`` with MLPS data record the
assessment here (services/directory.py calls :func:`record_from_unit`).
"""

from __future__ import annotations

import datetime as dt

from sqlmodel import select

from egovnet.errors import InvalidInput, NotFound, PolicyViolation
from egovnet.services import events
from egovnet.state.db import unit_of_work
from egovnet.state.models import Application, Assessment, Department, Link, Unit, utcnow
from egovnet.validation import clean_text

KINDS = ("bdc_check", "mlps_assessment", "risk_assessment")
RESULTS = ("pass", "issues", "fail")
ARTICLE = {"bdc_check": 21, "mlps_assessment": 13, "risk_assessment": 21}


def assessment_dict(a: Assessment, unit: Unit) -> dict:
    return {"id": a.id, "unit": unit.name, "code": unit.code, "kind": a.kind, "date": a.date.isoformat(),
            "result": a.result, "level": a.level, "findings": a.findings, "follow_up_of": a.follow_up_of,
            "source": a.source, "recorded_by": a.recorded_by}


def record_check(ctx, unit_ref: str, *, kind: str, date: dt.date, result: str, level: int | None = None,
                 findings: str = "", follow_up_of: int | None = None) -> dict:
    """Record one check or assessment of a unit; returns it (with ``unit_updated`` when MLPS fields moved)."""
    from egovnet.services.directory import _dept_user_may_act, find_unit

    if kind not in KINDS:
        raise InvalidInput(f"kind {kind!r} is unknown; use one of {', '.join(KINDS)} (Art. 13, 21)")
    if result not in RESULTS:
        raise InvalidInput(f"result {result!r} is unknown; use one of {', '.join(RESULTS)}")
    # BDC checks units (Art. 21); a unit's own assessments reach BDC through its department (Art. 8, 10)
    role = ctx.require(("bdc",) if kind == "bdc_check" else ("bdc", "dept"), f"record a {kind}", ARTICLE[kind])
    if date > ctx.today:
        raise InvalidInput(f"{kind} date {date} is after today ({ctx.today}); record a check once it has been made")
    if level is not None and not 1 <= level <= 5:
        raise InvalidInput(f"MLPS level {level} is out of range; 等级保护 levels are 1 to 5 (Art. 13)")
    if level is not None and kind != "mlps_assessment":
        raise InvalidInput(f"--level is the MLPS level of an mlps_assessment; a {kind} has none")
    findings = clean_text(findings, "findings") if findings else ""
    if result != "pass" and not findings:
        raise InvalidInput(f"a {kind} with result {result} needs --findings TEXT: what was found, so that the "
                           "follow-up can be checked against it (Art. 21)")
    with unit_of_work(ctx.engine) as s:
        unit = find_unit(s, unit_ref)
        dept = s.get(Department, unit.dept_id)
        if role == "dept":
            _dept_user_may_act(ctx, dept.name, f"record an assessment of unit {unit.name!r}")
        if kind == "mlps_assessment" and level is None:
            level = unit.mlps_level
            if level is None:
                raise InvalidInput(f"unit {unit.name!r} has no MLPS level on record; give --level N (Art. 13)")
        follows = _follow_up_target(s, unit, kind, date, follow_up_of)
        row = Assessment(unit_id=unit.id, kind=kind, date=date, result=result, level=level, findings=findings,
                         follow_up_of=follows, source="check", recorded_by=ctx.user, recorded_at=utcnow())
        s.add(row)
        s.flush()
        out = assessment_dict(row, unit)
        events.record(s, ctx, "assessment", row.id, "record", role=role, article=ARTICLE[kind],
                      after={k: v for k, v in out.items() if k not in ("id", "code")})
        out["unit_updated"] = _keep_unit_in_step(s, ctx, role, unit, dept, row)
        return out


def _follow_up_target(s, unit: Unit, kind: str, date: dt.date, explicit: int | None) -> int | None:
    followed = set(s.exec(select(Assessment.follow_up_of).where(Assessment.unit_id == unit.id,
                                                                Assessment.follow_up_of.is_not(None))).all())
    if explicit is not None:
        target = s.get(Assessment, explicit)
        if target is None or target.unit_id != unit.id:
            raise NotFound(f"check {explicit} of unit {unit.name!r} not found; see 'egovnet security check list "
                           f"--unit {unit.code}'")
        if target.result != "fail":
            raise PolicyViolation(f"check {explicit} has result {target.result}; only a failed check needs a "
                                  "follow-up (Art. 21)")
        if target.id in followed:
            raise PolicyViolation(f"check {explicit} was already followed up; see 'egovnet security check list "
                                  f"--unit {unit.code}'")
        if date < target.date:
            raise PolicyViolation(f"a follow-up dated {date} cannot precede check {explicit} of {target.date}")
        return target.id
    open_fail = s.exec(select(Assessment).where(Assessment.unit_id == unit.id, Assessment.kind == kind,
                                                Assessment.result == "fail", Assessment.date <= date)
                       .order_by(Assessment.date, Assessment.id)).all()
    return next((a.id for a in open_fail if a.id not in followed), None)


def _keep_unit_in_step(s, ctx, role: str, unit: Unit, dept: Department, row: Assessment) -> bool:
    """A passed MLPS assessment at least as new as the unit's becomes the unit's MLPS record (Art. 13)."""
    from egovnet.services.directory import unit_dict

    if row.kind != "mlps_assessment" or row.result == "fail":
        return False
    if unit.mlps_assessed is not None and row.date < unit.mlps_assessed:
        return False
    if (unit.mlps_level, unit.mlps_assessed) == (row.level, row.date):
        return False
    before = unit_dict(unit, dept.name, ctx)
    unit.mlps_level, unit.mlps_assessed, unit.updated_at = row.level, row.date, utcnow()
    s.add(unit)
    old, new = events.diff(before, unit_dict(unit, dept.name, ctx))
    events.record(s, ctx, "unit", unit.id, "update", role=role, article=13, before=old,
                  after={**new, "assessment": row.id})
    return True


def record_from_unit(s, ctx, role: str, unit: Unit, before: tuple, source: str) -> None:
    """``unit add``/``unit update`` changed the unit's MLPS level or date: the same assessment in the register."""
    now = (unit.mlps_level, unit.mlps_assessed)
    if now == before or unit.mlps_level is None or unit.mlps_assessed is None:
        return
    same = s.exec(select(Assessment).where(Assessment.unit_id == unit.id, Assessment.kind == "mlps_assessment",
                                           Assessment.date == unit.mlps_assessed,
                                           Assessment.level == unit.mlps_level,
                                           Assessment.result != "fail")).first()
    if same is not None:
        return
    row = Assessment(unit_id=unit.id, kind="mlps_assessment", date=unit.mlps_assessed, result="pass",
                     level=unit.mlps_level, findings="", source=source, recorded_by=ctx.user, recorded_at=utcnow())
    s.add(row)
    s.flush()
    events.record(s, ctx, "assessment", row.id, "record", role=role, article=13,
                  after={"unit": unit.name, "kind": row.kind, "date": row.date.isoformat(), "result": row.result,
                         "level": row.level, "source": source})


def list_checks(ctx, unit: str | None = None, kind: str | None = None) -> list[dict]:
    from egovnet.services.directory import find_unit

    if kind is not None and kind not in KINDS:
        raise InvalidInput(f"kind {kind!r} is unknown; use one of {', '.join(KINDS)} (Art. 13, 21)")
    with unit_of_work(ctx.engine, write=False) as s:
        q = select(Assessment, Unit).join(Unit, Unit.id == Assessment.unit_id)
        if unit is not None:
            q = q.where(Assessment.unit_id == find_unit(s, unit).id)
        if kind is not None:
            q = q.where(Assessment.kind == kind)
        rows = s.exec(q.order_by(Assessment.date, Assessment.id)).all()
        followed = dict(s.exec(select(Assessment.follow_up_of, Assessment.id)
                               .where(Assessment.follow_up_of.is_not(None))).all())
        return [{**assessment_dict(a, u), "followed_up_by": followed.get(a.id)} for a, u in rows]


# ---- the audit -------------------------------------------------------------------------------

def audit(ctx, as_of: dt.date | None = None) -> dict:
    """What is due as of a day (Art. 13, 21): MLPS assessments expired or expiring within the window, BDC checks
    and risk assessments older than their interval (or never made) for units with an active link, and failed
    checks of any unit without a follow-up."""
    from egovnet.policy import add_months

    day = as_of or ctx.today
    rules = ctx.policy.security_checks
    window_end = day + dt.timedelta(days=rules.mlps_due_window.days)
    with unit_of_work(ctx.engine, write=False) as s:
        active = s.exec(select(Unit, Application.link_id).join(Application, Application.unit_id == Unit.id)
                        .join(Link, Link.id == Application.link_id)
                        .where(Link.status == "active", Application.status == "active")
                        .order_by(Unit.id, Application.link_id)).all()
        links: dict[int, list[int]] = {}
        units: dict[int, Unit] = {}
        for unit, link_id in active:
            units[unit.id] = unit
            if link_id not in links.setdefault(unit.id, []):
                links[unit.id].append(link_id)
        records = s.exec(select(Assessment).where(Assessment.date <= day)
                         .order_by(Assessment.unit_id, Assessment.date, Assessment.id)).all()
        last: dict[tuple[int, str], Assessment] = {}
        for a in records:
            last[(a.unit_id, a.kind)] = a
        findings = []

        def add(unit: Unit, finding: str, kind: str, last_on, due_on, article: int, **extra) -> None:
            findings.append({"unit": unit.name, "code": unit.code, "links": links.get(unit.id, []),
                             "finding": finding, "kind": kind, "last": last_on.isoformat() if last_on else None,
                             "due": due_on.isoformat() if due_on else None,
                             "days_left": (due_on - day).days if due_on else None, "article": article, **extra})

        for unit in units.values():
            # the unit's own fields are the MLPS record (kept in step with the register, also by imports)
            until = ctx.policy.mlps_valid_until(unit.mlps_level, unit.mlps_assessed)
            art = rules.mlps_due_window.article
            if until is None:
                add(unit, "mlps_missing", "mlps_assessment", None, None, art, level=unit.mlps_level)
            elif until <= day:
                add(unit, "mlps_expired", "mlps_assessment", unit.mlps_assessed, until, art, level=unit.mlps_level)
            elif until <= window_end:
                add(unit, "mlps_due", "mlps_assessment", unit.mlps_assessed, until, art, level=unit.mlps_level)
            for kind in ("bdc_check", "risk_assessment"):
                rule = getattr(rules, kind)
                prev = last.get((unit.id, kind))
                if prev is None:
                    add(unit, f"{kind}_missing", kind, None, None, rule.article)
                    continue
                due = add_months(prev.date, rule.interval_months)
                if due <= day:
                    add(unit, f"{kind}_overdue", kind, prev.date, due, rule.article)
        followed = {a.follow_up_of for a in records if a.follow_up_of is not None}
        all_units = {u.id: u for u in s.exec(select(Unit)).all()} if any(
            a.result == "fail" and a.id not in followed for a in records) else {}
        for a in records:
            if a.result == "fail" and a.id not in followed:
                add(all_units[a.unit_id], "fail_without_follow_up", a.kind, a.date, None, rules.follow_up.article,
                    check=a.id, findings=a.findings)
    order = {"mlps_expired": 0, "mlps_missing": 1, "fail_without_follow_up": 2, "bdc_check_overdue": 3,
             "bdc_check_missing": 4, "risk_assessment_overdue": 5, "risk_assessment_missing": 6, "mlps_due": 7}
    findings.sort(key=lambda f: (order[f["finding"]], f["due"] or "", f["code"]))
    return {"as_of": day.isoformat(), "mlps_due_until": window_end.isoformat(), "findings": findings}
