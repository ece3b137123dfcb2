"""Departments (业务主管部门, Art. 10) and units (接入单位, Art. 8-9)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import select

from egovnet.errors import Conflict, InvalidInput, NotFound, PolicyViolation
from egovnet.services import events
from egovnet.state.db import unit_of_work
from egovnet.state.models import Department, Unit, utcnow
from egovnet.validation import address_key, clean_code, clean_name, clean_text

UNIT_FIELDS = ("name", "code", "category", "dept", "town", "address", "budget_unit", "mlps_level",
               "mlps_assessed", "contact", "justification")


# ---- departments ---------------------------------------------------------------------------

def add_dept(ctx, name: str, contact: str = "") -> dict:
    role = ctx.require(("bdc",), "maintain the department directory", 7)
    name = clean_name(name, "department name")
    contact = clean_name(contact, "contact", 128) if contact else ""
    with unit_of_work(ctx.engine) as s:
        if s.exec(select(Department).where(Department.name == name)).first():
            raise Conflict(f"department {name!r} already exists; see 'egovnet dept list'")
        dept = Department(name=name, contact=contact)
        s.add(dept)
        s.flush()
        events.record(s, ctx, "department", dept.id, "create", role=role, article=10,
                      after={"name": name, "contact": contact})
        return dept_dict(dept, 0)


def list_depts(ctx) -> list[dict]:
    with unit_of_work(ctx.engine, write=False) as s:
        counts = dict(s.exec(select(Unit.dept_id, func.count()).group_by(Unit.dept_id)).all())
        return [dept_dict(d, counts.get(d.id, 0)) for d in s.exec(select(Department).order_by(Department.name))]


def dept_dict(d: Department, units: int) -> dict:
    return {"id": d.id, "name": d.name, "contact": d.contact, "units": units}


def find_dept(s, ref: str) -> Department:
    ref = clean_name(ref, "department")
    dept = s.exec(select(Department).where(Department.name == ref)).first()
    if dept is None and ref.isdigit():
        dept = s.get(Department, int(ref))
    if dept is None:
        raise NotFound(f"department {ref!r} not found; add it with 'egovnet dept add {ref}'")
    return dept


# ---- units ---------------------------------------------------------------------------------

@dataclass
class UnitInput:
    """What a person gives for a unit; None means 'not given' (keep on update)."""

    name: str | None = None
    code: str | None = None
    category: str | None = None
    dept: str | None = None
    town: str | None = None
    address: str | None = None
    budget_unit: bool | None = None
    mlps_level: int | None = None
    mlps_assessed: dt.date | None = None
    contact: str | None = None
    justification: str | None = None


def check_unit_values(policy, data: UnitInput, *, creating: bool) -> dict:
    """Validate every given value; returns the cleaned ones. Pure: no database."""
    out: dict = {}
    if data.name is not None or creating:
        out["name"] = clean_name(data.name, "unit name")
    if data.code is not None:
        out["code"] = clean_code(data.code, "unit code")
    if data.category is not None or creating:
        cat = (data.category or "").strip()
        if cat not in policy.unit_categories:
            raise PolicyViolation(
                f"unit category {cat!r} is not one Art. 9 allows; use one of "
                + ", ".join(f"{k} ({v.label})" for k, v in policy.unit_categories.items()))
        out["category"] = cat
    if data.dept is not None or creating:
        out["dept"] = clean_name(data.dept, "supervising department")
    if data.town is not None:
        out["town"] = clean_name(data.town, "town (街镇)", 32) if data.town.strip() else ""
    if data.address is not None:
        out["address"] = clean_name(data.address, "office address", 128) if data.address.strip() else ""
    if data.budget_unit is not None:
        out["budget_unit"] = bool(data.budget_unit)
    if data.mlps_level is not None:
        if not 1 <= int(data.mlps_level) <= 5:
            raise InvalidInput(f"MLPS level {data.mlps_level} is out of range; 等级保护 levels are 1 to 5 (Art. 13)")
        out["mlps_level"] = int(data.mlps_level)
    if data.mlps_assessed is not None:
        out["mlps_assessed"] = data.mlps_assessed
    if data.contact is not None:
        out["contact"] = clean_name(data.contact, "contact", 128) if data.contact.strip() else ""
    if data.justification is not None:
        out["justification"] = clean_text(data.justification, "justification")
    return out


def _require_justification(policy, name: str, category: str, justification: str) -> None:
    cat = policy.unit_categories[category]
    if cat.justification_required and not justification:
        raise PolicyViolation(
            f"unit {name!r} of category {category!r} ({cat.label}) needs a written justification "
            f"(Art. {cat.article}{cat.clause}); give --justification TEXT")


def next_code(s, category: str) -> str:
    prefix = f"{category[:3]}"
    used = set(s.exec(select(Unit.code).where(Unit.code.like(f"{prefix}%"))).all())
    n = len(used) + 1
    while f"{prefix}{n:04d}" in used:
        n += 1
    return f"{prefix}{n:04d}"


def add_unit(ctx, data: UnitInput) -> dict:
    role = ctx.require(("bdc", "dept"), "add a unit", "8-10")
    values = check_unit_values(ctx.policy, data, creating=True)
    _require_justification(ctx.policy, values["name"], values["category"], values.get("justification", ""))
    with unit_of_work(ctx.engine) as s:
        dept = find_dept(s, values.pop("dept"))
        _dept_user_may_act(ctx, dept.name, f"add unit {values['name']!r}")
        if s.exec(select(Unit).where(Unit.name == values["name"])).first():
            raise Conflict(f"unit {values['name']!r} already exists; change it with 'egovnet unit update'")
        code = values.get("code") or next_code(s, values["category"])
        if s.exec(select(Unit).where(Unit.code == code)).first():
            raise Conflict(f"unit code {code!r} is already used; choose another with --code")
        values["code"] = code
        if "budget_unit" not in values:  # Art. 25: who pays follows the category unless the person said otherwise
            values["budget_unit"] = ctx.policy.unit_categories[values["category"]].budget_default
        unit = Unit(dept_id=dept.id, address_key=address_key(values.get("address", "")), **values)
        s.add(unit)
        s.flush()
        events.record(s, ctx, "unit", unit.id, "create", role=role, article=9,
                      after=unit_dict(unit, dept.name, ctx))
        record_from_unit(s, ctx, role, unit, (None, None), "unit_add")  # the register of assessments (Art. 13)
        return unit_dict(unit, dept.name, ctx)


def update_unit(ctx, ref: str, data: UnitInput) -> dict:
    role = ctx.require(("bdc", "dept"), "change a unit", "8-10")
    values = check_unit_values(ctx.policy, data, creating=False)
    with unit_of_work(ctx.engine) as s:
        unit = find_unit(s, ref)
        dept = s.get(Department, unit.dept_id)
        _dept_user_may_act(ctx, dept.name, f"change unit {unit.name!r}")
        before = unit_dict(unit, dept.name, ctx)
        mlps_before = (unit.mlps_level, unit.mlps_assessed)
        if "dept" in values:
            dept = find_dept(s, values.pop("dept"))
            _dept_user_may_act(ctx, dept.name, f"move unit {unit.name!r}")
            unit.dept_id = dept.id
        if "name" in values and values["name"] != unit.name:
            if s.exec(select(Unit).where(Unit.name == values["name"])).first():
                raise Conflict(f"unit {values['name']!r} already exists; names are unique")
        if "code" in values and values["code"] != unit.code:
            if s.exec(select(Unit).where(Unit.code == values["code"])).first():
                raise Conflict(f"unit code {values['code']!r} is already used; choose another")
        for key, value in values.items():
            setattr(unit, key, value)
        unit.address_key = address_key(unit.address)
        _require_justification(ctx.policy, unit.name, unit.category, unit.justification)
        after = unit_dict(unit, dept.name, ctx)
        old, new = events.diff(before, after)
        if new:
            unit.updated_at = utcnow()
            s.add(unit)
            events.record(s, ctx, "unit", unit.id, "update", role=role, article=9, before=old, after=new)
            record_from_unit(s, ctx, role, unit, mlps_before, "unit_update")  # the same assessment (Art. 13)
        return {**after, "changed": sorted(new)}


def list_units(ctx, dept: str | None = None, town: str | None = None, category: str | None = None) -> list[dict]:
    with unit_of_work(ctx.engine, write=False) as s:
        q = select(Unit, Department.name).join(Department, Department.id == Unit.dept_id).order_by(Unit.id)
        if dept:
            q = q.where(Department.name == dept)
        if town:
            q = q.where(Unit.town == town)
        if category:
            q = q.where(Unit.category == category)
        return [unit_dict(u, dname, ctx) for u, dname in s.exec(q).all()]


def show_unit(ctx, ref: str) -> dict:
    from egovnet.state.models import Application

    with unit_of_work(ctx.engine, write=False) as s:
        unit = find_unit(s, ref)
        dept = s.get(Department, unit.dept_id)
        apps = s.exec(select(Application).where(Application.unit_id == unit.id).order_by(Application.id)).all()
        out = unit_dict(unit, dept.name, ctx)
        out["applications"] = [{"id": a.id, "status": a.status, "received_on": a.received_on.isoformat(),
                                "link": a.link_id} for a in apps]
        out["events"] = events.event_rows(s, "unit", unit.id)
        return out


def find_unit(s, ref: str) -> Unit:
    text = clean_name(ref, "unit")
    unit = s.exec(select(Unit).where(Unit.name == text)).first()
    if unit is None:
        unit = s.exec(select(Unit).where(Unit.code == text)).first()
    if unit is None:
        raise NotFound(f"unit {text!r} not found (by name or code); see 'egovnet unit list'")
    return unit


def unit_dict(u: Unit, dept_name: str, ctx) -> dict:
    valid_until = ctx.policy.mlps_valid_until(u.mlps_level, u.mlps_assessed)
    return {
        "id": u.id, "name": u.name, "code": u.code, "category": u.category, "dept": dept_name,
        "town": u.town, "address": u.address, "budget_unit": u.budget_unit,
        "mlps_level": u.mlps_level,
        "mlps_assessed": u.mlps_assessed.isoformat() if u.mlps_assessed else None,
        "mlps_valid_until": valid_until.isoformat() if valid_until else None,
        "contact": u.contact, "justification": u.justification,
    }


def record_from_unit(s, ctx, role, unit, before, source) -> None:
    from egovnet.services.assessments import record_from_unit as record

    record(s, ctx, role, unit, before, source)


def _dept_user_may_act(ctx, dept_name: str, doing: str) -> None:
    """A `dept` user tied to one department acts for that department's units only (Art. 10)."""
    if "bdc" in ctx.roles():
        return
    user = ctx.policy.user(ctx.user)
    if user and user.dept and user.dept != dept_name:
        from egovnet.errors import PermissionDenied

        raise PermissionDenied(f"user {ctx.user!r} of department {user.dept!r} may not {doing}: "
                               f"it belongs to {dept_name!r}, and a department files for its own units (Art. 10)")
