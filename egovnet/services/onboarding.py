"""Batch onboarding (Art. 9-14): units and applications from the town offices' spreadsheets, in waves.

Every row is checked before anything is written, and every problem is reported at once with its line and
column. By default one bad row means nothing is written; with ``skip_invalid`` the good rows are written and
the bad ones saved to a rejects file. A rerun of the same file creates nothing new. Writes use the bulk
insert path (one statement per table, not one per row) inside one BEGIN IMMEDIATE transaction.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import insert
from sqlmodel import select

from egovnet.errors import EgovnetError, PartialFailure, PolicyViolation
from egovnet.services.applications import (FIELD_LABELS, OPEN_APP_STATUSES, OPEN_LINK_STATUSES, ApplicationInput,
                                           _check_eligible, check_application_values)
from egovnet.services.directory import UnitInput, _dept_user_may_act, _require_justification, check_unit_values
from egovnet.services.events import append as append_events, jsonable
from egovnet.state.db import unit_of_work
from egovnet.state.models import Application, Department, ImportBatch, Link, Unit, utcnow
from egovnet.tabular import Row, Table, read_table, write_rejects
from egovnet.validation import address_key

UNIT_COLUMNS = {
    "name": ("单位名称", "名称"),
    "code": ("单位代码", "代码", "编码"),
    "category": ("类别", "单位类别"),
    "dept": ("主管部门", "业务主管部门", "department"),
    "town": ("街镇", "所属街镇"),
    "address": ("地址", "办公地址"),
    "budget": ("预算单位", "是否预算单位", "budget_unit"),
    "mlps_level": ("等保等级", "等级保护级别", "等保级别"),
    "mlps_assessed": ("等保测评日期", "测评日期"),
    "contact": ("联系人", "安全联系人"),
    "justification": ("说明", "接入理由"),
}
APP_COLUMNS = {
    "unit": ("name", "单位名称", "名称", "单位"),
    "basis": ("申请依据",),
    "scope": ("接入范围",),
    "mode": ("链路方式", "接入方式"),
    "purpose": ("应用用途", "用途"),
    "bandwidth": ("带宽", "带宽mbps", "bandwidth_mbps"),
    "technical": ("技术要求",),
    "time_requirement": ("时间要求",),
    "cost_bearer": ("费用承担", "费用承担方式"),
    "received_on": ("收件日期", "受理日期"),
    "separate_link": ("单独链路理由",),
    "encryption_basis": ("加密依据",),
    "encryption_design": ("加密方案",),
    "nat_basis": ("地址转换依据", "nat依据"),
}
YES = {"yes", "y", "true", "1", "是", "有", "√"}
NO = {"no", "n", "false", "0", "否", "无", "×"}
_SHEET_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:\s+00:00(?::00)?)?$")


@dataclass
class Problem:
    line: int
    column: str
    reason: str

    def as_dict(self) -> dict:
        return {"line": self.line, "column": self.column, "reason": self.reason}


@dataclass
class Report:
    kind: str
    source: str
    encoding: str = ""
    rows: int = 0
    dry_run: bool = False
    batch: int | None = None
    previous_batch: int | None = None
    items: list[dict] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    rejects_file: str | None = None
    created_departments: list[str] = field(default_factory=list)
    # new units without a budget column value: budget_unit from unit_categories.<c>.budget_default (Art. 25)
    budget_defaults: list[dict] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for i in self.items if i["status"] == status)

    def as_dict(self) -> dict:
        rejected = len({p.line for p in self.problems})
        return {
            "kind": self.kind, "source": self.source, "encoding": self.encoding, "rows": self.rows,
            "dry_run": self.dry_run, "batch": self.batch, "previous_batch": self.previous_batch,
            "created": self.count("created"), "updated": self.count("updated"),
            "unchanged": self.count("unchanged"), "rejected": rejected,
            "created_departments": self.created_departments, "rejects_file": self.rejects_file,
            "problems": [p.as_dict() for p in self.problems], "items": self.items,
            "budget_defaults": self.budget_defaults,
        }


class BatchRejected(PolicyViolation):
    """Some rows are invalid and nothing was written; ``report`` lists every problem."""

    def __init__(self, message: str, report: Report):
        super().__init__(message)
        self.report = report


class _Rollback(Exception):
    pass


def sheet_date(text: str, what: str) -> dt.date:
    m = _SHEET_DATE.match(text.strip())
    try:
        if not m:
            raise ValueError
        day = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        raise ValueError(f"{what} {text.strip()[:30]!r} is not a date; write YYYY-MM-DD (2026/3/1 and "
                         "2026年3月1日 are read too)") from None
    from egovnet.calendar import check_in_range
    from egovnet.errors import UsageError

    try:
        return check_in_range(day, what)
    except UsageError as exc:
        raise ValueError(str(exc)) from None


def _yes_no(text: str, what: str) -> bool:
    t = text.strip().lower()
    if t in YES:
        return True
    if t in NO:
        return False
    raise ValueError(f"{what} {text.strip()[:20]!r} must be yes or no (是/否)")


def _problem(row: Row, column: str, exc: Exception) -> Problem:
    return Problem(row.line, column, str(exc))


def _finish(report: Report, table: Table, skip_invalid: bool, rows_by_line: dict[int, Row],
            offer_skip: bool = True) -> None:
    """Refuse the whole file, or (skip_invalid) save the rejects next to it."""
    if not report.problems:
        return
    lines = sorted({p.line for p in report.problems})
    if not skip_invalid:
        shown = ", ".join(map(str, lines[:10])) + (" …" if len(lines) > 10 else "")
        raise BatchRejected(
            f"{table.source}: {len(lines)} of {report.rows} rows are invalid (line {shown}); nothing was written. "
            "Fix them and import again" + (", or use --skip-invalid to write the good rows and save the bad ones "
                                           "to a rejects file" if offer_skip else ""), report)
    if not report.dry_run:
        reasons: dict[int, list[str]] = {}
        for p in report.problems:
            reasons.setdefault(p.line, []).append(f"{p.column}: {p.reason}")
        report.rejects_file = str(write_rejects(table, [(rows_by_line[ln], "; ".join(reasons[ln])) for ln in lines]))


def _batch(s, ctx, kind: str, table: Table, report: Report) -> ImportBatch:
    previous = s.exec(select(ImportBatch.id).where(ImportBatch.sha256 == table.sha256, ImportBatch.kind == kind)
                      .order_by(ImportBatch.id.desc())).first()
    report.previous_batch = previous
    batch = ImportBatch(kind=kind, source=Path(table.source).name[:255], sha256=table.sha256, rows=report.rows,
                        actor=ctx.user, effective_date=ctx.today)
    s.add(batch)
    s.flush()
    return batch


def _close_batch(s, ctx, batch: ImportBatch, report: Report, role: str, article: int) -> None:
    d = report.as_dict()
    batch.created, batch.updated, batch.unchanged, batch.rejected = d["created"], d["updated"], d["unchanged"], d["rejected"]
    s.add(batch)
    append_events(s, ctx, [_event(ctx, "import_batch", batch.id, "import", role, article, None, {
        "kind": batch.kind, "source": batch.source, "sha256": batch.sha256, "rows": batch.rows,
        "created": batch.created, "updated": batch.updated, "unchanged": batch.unchanged,
        "rejected": batch.rejected})])


def _event(ctx, object_type, object_id, action, role, article, before, after) -> dict:
    return {"at": utcnow(), "effective_date": ctx.today, "actor": ctx.user, "role": role,
            "object_type": object_type, "object_id": object_id, "action": action, "article": article,
            "before": jsonable(before) if before else None, "after": jsonable(after) if after else None}


# ---- units -----------------------------------------------------------------------------------

def _unit_row(policy, row: Row) -> tuple[UnitInput | None, list[Problem]]:
    """Check each cell on its own so that every problem is named with its column."""
    v = row.values
    if "_error" in v:
        return None, [Problem(row.line, "-", v["_error"])]
    problems: list[Problem] = []
    given = UnitInput()
    text_fields = {"name": "name", "code": "code", "category": "category", "dept": "dept", "town": "town",
                   "address": "address", "contact": "contact", "justification": "justification"}
    for column, attr in text_fields.items():
        cell = v.get(column, "")
        if not cell.strip():
            continue
        value = cell.strip()
        if column == "category":
            value = next((k for k, c in policy.unit_categories.items() if value in (k, c.label)), value)
        try:
            cleaned = check_unit_values(policy, UnitInput(**{attr: value}), creating=False)
            setattr(given, attr, cleaned[attr])
        except EgovnetError as exc:
            problems.append(_problem(row, column, exc))
    for column, convert in (("budget", lambda t: _yes_no(t, "budget")),
                            ("mlps_level", lambda t: _level(t)),
                            ("mlps_assessed", lambda t: sheet_date(t, "mlps_assessed"))):
        cell = v.get(column, "").strip()
        if not cell:
            continue
        try:
            value = convert(cell)
            attr = "budget_unit" if column == "budget" else column
            cleaned = check_unit_values(policy, UnitInput(**{attr: value}), creating=False)
            setattr(given, attr, cleaned[attr])
        except (EgovnetError, ValueError) as exc:
            problems.append(_problem(row, column, exc))
    if not v.get("name", "").strip():
        problems.append(Problem(row.line, "name", "unit name is empty; every row names its unit"))
    return given, problems


def _level(text: str) -> int:
    t = text.strip().replace("级", "").replace("三", "3").replace("二", "2").replace("四", "4").replace("一", "1")
    if not t.isdigit():
        raise ValueError(f"mlps_level {text.strip()[:10]!r} is not a level number (1-5)")
    return int(t)


def import_units(ctx, path: Path, *, dry_run: bool = False, skip_invalid: bool = False,
                 create_depts: bool = False, progress=None) -> dict:
    role = ctx.require(("bdc", "dept"), "import units", "8-10")
    table = read_table(path, UNIT_COLUMNS, required=("name",), ignored={k: v for k, v in APP_COLUMNS.items()
                                                                        if k != "unit"})
    report = Report("units", table.source, table.encoding, len(table.rows), dry_run)
    checked: list[tuple[Row, UnitInput]] = []
    for row in table.rows:
        given, problems = _unit_row(ctx.policy, row)
        report.problems += problems
        if not problems:
            checked.append((row, given))
        if progress:
            progress()
    try:
        with unit_of_work(ctx.engine) as s:
            _write_units(s, ctx, role, table, report, checked, create_depts, skip_invalid)
            if dry_run:
                raise _Rollback()
    except _Rollback:
        report.batch = None  # nothing was written
    return report.as_dict()


def _write_units(s, ctx, role, table, report, checked, create_depts, skip_invalid) -> None:
    policy = ctx.policy
    depts = {d.name: d for d in s.exec(select(Department)).all()}
    existing = {u.name: u for u in s.exec(select(Unit)).all()}
    code_owner = {u.code: u.name for u in existing.values()}
    dept_names = {d.id: d.name for d in depts.values()}
    seen: dict[str, int] = {}
    new_depts: set[str] = set()
    plans = []  # (row, given, unit or None)
    for row, given in checked:
        problems = []
        if given.name in seen:
            problems.append(Problem(row.line, "name", f"unit {given.name!r} is also on line {seen[given.name]}; "
                                                      "one row per unit"))
        seen.setdefault(given.name, row.line)
        unit = existing.get(given.name)
        if unit is None:
            for column, value in (("category", given.category), ("dept", given.dept)):
                if not value:
                    problems.append(Problem(row.line, column, f"{column} is empty; a new unit needs it (Art. 9-10)"))
        dept_name = given.dept or (dept_names.get(unit.dept_id) if unit else None)
        if given.dept and given.dept not in depts:
            if create_depts:
                new_depts.add(given.dept)
            else:
                problems.append(Problem(row.line, "dept", f"department {given.dept!r} not found; add it with "
                                        "'egovnet dept add' or import with --create-depts"))
        if dept_name:
            try:
                _dept_user_may_act(ctx, dept_name, f"import unit {given.name!r}")
            except EgovnetError as exc:
                problems.append(_problem(row, "dept", exc))
        if given.code:
            owner = code_owner.get(given.code)
            if owner is not None and owner != given.name:
                where = f"line {seen.get(owner)}" if owner in seen and owner not in existing else f"unit {owner!r}"
                problems.append(Problem(row.line, "code", f"unit code {given.code!r} is already used by {where}"))
            else:
                code_owner[given.code] = given.name
        category = given.category or (unit.category if unit else None)
        if category and not problems:
            try:
                justification = given.justification if given.justification is not None else \
                    (unit.justification if unit else "")
                _require_justification(policy, given.name, category, justification)
            except EgovnetError as exc:
                problems.append(_problem(row, "justification", exc))
        if problems:
            report.problems += problems
        else:
            plans.append((row, given, unit))
    _finish(report, table, skip_invalid, {r.line: r for r in table.rows})
    batch = _batch(s, ctx, "units", table, report)
    report.batch = batch.id
    for name in sorted(new_depts):
        dept = Department(name=name)
        s.add(dept)
        s.flush()
        depts[name] = dept
        dept_names[dept.id] = name
        append_events(s, ctx, [_event(ctx, "department", dept.id, "create", role, 10, None,
                                         {"name": name, "batch": batch.id})])
        report.created_departments.append(name)
    used_codes = set(code_owner)
    counters: dict[str, int] = {}
    now = utcnow()
    new_rows, new_meta = [], []
    for row, given, unit in plans:
        if unit is None:
            code = given.code
            if not code:
                prefix = given.category[:3]
                n = counters.get(prefix, 0) + 1
                while f"{prefix}{n:04d}" in used_codes:
                    n += 1
                counters[prefix] = n
                code = f"{prefix}{n:04d}"
                used_codes.add(code)
            budget = given.budget_unit
            if budget is None:
                budget = ctx.policy.unit_categories[given.category].budget_default
                report.budget_defaults.append({"line": row.line, "name": given.name, "category": given.category,
                                               "budget_unit": budget})
            values = {"name": given.name, "code": code, "category": given.category,
                      "dept_id": depts[given.dept].id, "town": given.town or "", "address": given.address or "",
                      "address_key": address_key(given.address or ""),
                      "budget_unit": budget,
                      "mlps_level": given.mlps_level, "mlps_assessed": given.mlps_assessed,
                      "contact": given.contact or "", "justification": given.justification or "",
                      "batch_id": batch.id, "created_at": now, "updated_at": now}
            new_rows.append(values)
            new_meta.append(row)
            continue
        changes = {}
        for attr in ("code", "category", "town", "address", "budget_unit", "mlps_level", "mlps_assessed",
                     "contact", "justification"):
            value = getattr(given, attr)
            if value is not None and value != getattr(unit, attr):
                changes[attr] = value
        if given.dept and depts[given.dept].id != unit.dept_id:
            changes["dept"] = given.dept
        if not changes:
            report.items.append({"line": row.line, "name": unit.name, "code": unit.code, "status": "unchanged",
                                 "changed": []})
            continue
        before = {k: (dept_names.get(unit.dept_id) if k == "dept" else getattr(unit, k)) for k in changes}
        for attr, value in changes.items():
            if attr == "dept":
                unit.dept_id = depts[value].id
            else:
                setattr(unit, attr, value)
        unit.address_key = address_key(unit.address)
        unit.updated_at = now
        s.add(unit)
        append_events(s, ctx, [_event(ctx, "unit", unit.id, "update", role, 9, before,
                                         {**changes, "batch": batch.id})])
        report.items.append({"line": row.line, "name": unit.name, "code": unit.code, "status": "updated",
                             "changed": sorted(changes)})
    if new_rows:
        ids = s.execute(insert(Unit).returning(Unit.id, sort_by_parameter_order=True), new_rows).scalars().all()
        append_events(s, ctx, [
            _event(ctx, "unit", uid, "create", role, 9, None,
                   {k: v for k, v in values.items() if k not in ("created_at", "updated_at", "dept_id", "address_key")}
                   | {"dept": dept_names[values["dept_id"]]})
            for uid, values in zip(ids, new_rows)])
        for uid, values, row in zip(ids, new_rows, new_meta):
            report.items.append({"line": row.line, "name": values["name"], "code": values["code"],
                                 "status": "created", "changed": [], "id": uid})
    report.items.sort(key=lambda i: i["line"])
    _close_batch(s, ctx, batch, report, role, 9)


def _units_by_ref(s) -> dict[str, Unit]:
    """Every unit by name and by code: find_unit's lookup, once for a whole file."""
    units = s.exec(select(Unit)).all()
    return {u.name: u for u in units} | {u.code: u for u in units}


# ---- applications ----------------------------------------------------------------------------

def _app_row(policy, row: Row, today: dt.date) -> tuple[ApplicationInput | None, dict, list[Problem]]:
    v = row.values
    if "_error" in v:
        return None, {}, [Problem(row.line, "-", v["_error"])]
    problems = []
    cell = {k: v.get(k, "").strip() for k in APP_COLUMNS}
    if not cell["unit"]:
        problems.append(Problem(row.line, "unit", "unit is empty; name the unit (by name or code)"))
    required = {"bandwidth_mbps": "bandwidth"}
    for name in policy.application.required_fields:
        column = required.get(name, name)
        if not cell.get(column):
            problems.append(Problem(row.line, column, f"{FIELD_LABELS[name]} is empty; Art. "
                                    f"{policy.application.article} requires it"))
    received = None
    if cell["received_on"]:
        try:
            received = sheet_date(cell["received_on"], "received_on")
            if received > today:
                problems.append(Problem(row.line, "received_on", f"received_on {received} is after today ({today})"))
        except ValueError as exc:
            problems.append(_problem(row, "received_on", exc))
    if problems:
        return None, {}, problems
    data = ApplicationInput(
        unit=cell["unit"], basis=cell["basis"], scope=cell["scope"], mode=cell["mode"], purpose=cell["purpose"],
        bandwidth_mbps=cell["bandwidth"], technical=cell["technical"], time_requirement=cell["time_requirement"],
        cost_bearer=cell["cost_bearer"], received_on=received, separate_link=cell["separate_link"] or None,
        encryption={k: x for k, x in (("basis", cell["encryption_basis"]), ("design", cell["encryption_design"]))
                    if x} or None,
        nat={"basis": cell["nat_basis"]} if cell["nat_basis"] else None)
    try:
        values = check_application_values(policy, data)
    except EgovnetError as exc:
        text = str(exc)
        column = next((c for c in ("mode", "bandwidth", "cost_bearer", "encryption", "nat", "separate")
                       if text.startswith(("link mode" if c == "mode" else c))), "-")
        column = {"encryption": "encryption_basis", "nat": "nat_basis", "separate": "separate_link"}.get(column, column)
        return None, {}, [Problem(row.line, column, text)]
    return data, values, []


def apply_batch(ctx, path: Path, *, dry_run: bool = False, skip_invalid: bool = False, progress=None) -> dict:
    role = ctx.require(("dept", "bdc"), "file applications", 10)
    table = read_table(path, APP_COLUMNS, required=("unit",), ignored={k: v for k, v in UNIT_COLUMNS.items()
                                                                       if k != "name"})
    report = Report("applications", table.source, table.encoding, len(table.rows), dry_run)
    checked = []
    for row in table.rows:
        data, values, problems = _app_row(ctx.policy, row, ctx.today)
        report.problems += problems
        if not problems:
            checked.append((row, data, values))
        if progress:
            progress()
    try:
        with unit_of_work(ctx.engine) as s:
            _write_applications(s, ctx, role, table, report, checked, skip_invalid)
            if dry_run:
                raise _Rollback()
    except _Rollback:
        report.batch = None  # nothing was written
    return report.as_dict()


def _write_applications(s, ctx, role, table, report, checked, skip_invalid) -> None:
    policy = ctx.policy
    by_ref = _units_by_ref(s)
    dept_names = dict(s.exec(select(Department.id, Department.name)).all())
    open_apps = {a.unit_id: a for a in s.exec(select(Application).where(
        Application.status.in_((*OPEN_APP_STATUSES, "active")))).all()}
    links = {}
    if policy.links.one_link_per_address:
        for link in s.exec(select(Link).where(Link.status.in_(OPEN_LINK_STATUSES), Link.separate_reason == "")
                           .order_by(Link.id.desc())).all():
            links[link.address_key] = link.id
    seen: dict[int, int] = {}
    plans = []
    for row, data, values in checked:
        unit = by_ref.get(data.unit)
        if unit is None:
            report.problems.append(Problem(row.line, "unit", f"unit {data.unit!r} not found (by name or code); "
                                                             "import it first with 'egovnet unit import'"))
            continue
        problems = []
        if unit.id in seen:
            problems.append(Problem(row.line, "unit", f"unit {unit.name!r} is also on line {seen[unit.id]}; "
                                                      "one application per unit"))
        seen.setdefault(unit.id, row.line)
        for check in (lambda: _dept_user_may_act(ctx, dept_names[unit.dept_id], f"file for unit {unit.name!r}"),
                      lambda: _check_eligible(policy, unit)):
            try:
                check()
            except EgovnetError as exc:
                problems.append(_problem(row, "unit", exc))
        if problems:
            report.problems += problems
            continue
        plans.append((row, unit, data, values))
    _finish(report, table, skip_invalid, {r.line: r for r in table.rows})
    batch = _batch(s, ctx, "applications", table, report)
    report.batch = batch.id
    due_cache: dict[dt.date, object] = {}
    new_links, apps, link_of = [], [], {}
    for row, unit, data, values in plans:
        current = open_apps.get(unit.id)
        if current is not None:
            report.items.append({"line": row.line, "unit": unit.name, "status": "unchanged", "application": current.id,
                                 "note": f"already has application {current.id} ({current.status})"})
            continue
        separate = values.pop("separate_link_reason", "")
        key = unit.address_key
        shared = policy.links.one_link_per_address and key and not separate
        if shared and key in links:
            link_ref, joined = links[key], True
        else:
            link_ref, joined = ("new", len(new_links)), False
            new_links.append({"address": unit.address, "address_key": key, "mode": values["mode"],
                              "status": "requested", "bandwidth_mbps": 0, "created_at": utcnow(),
                              "separate_reason": separate or ("" if policy.links.one_link_per_address else
                                                              "the policy's links.one_link_per_address is off"),
                              "_reason": separate})
            if shared:
                links[key] = link_ref
        received = data.received_on or ctx.today
        if received not in due_cache:
            due_cache[received] = ctx.calendar.add_working_days(received, policy.deadlines.review.working_days)
        due = due_cache[received]
        apps.append({"unit_id": unit.id, "dept_id": unit.dept_id, "joined_link": joined, "_link": link_ref,
                     "separate_link_reason": separate, "received_on": received, "review_due": due.due,
                     "review_due_provisional": due.provisional, "filed_by": ctx.user, "batch_id": batch.id,
                     "status": "submitted", "kind": "new", "reason": "", "created_at": utcnow(), **values,
                     "_line": row.line, "_unit": unit.name})
    if new_links:
        ids = s.execute(insert(Link).returning(Link.id, sort_by_parameter_order=True),
                        [{k: v for k, v in nl.items() if not k.startswith("_")} for nl in new_links]).scalars().all()
        append_events(s, ctx, [_event(ctx, "link", lid, "create", "", 14, None,
                                         {"address": nl["address"], "mode": nl["mode"], "batch": batch.id,
                                          "separate_link_reason": nl["_reason"] or None})
                                  for lid, nl in zip(ids, new_links)])
        for i, lid in enumerate(ids):
            link_of[("new", i)] = lid
    for a in apps:
        ref = a["_link"]
        a["link_id"] = link_of[ref] if isinstance(ref, tuple) else ref
    if apps:
        ids = s.execute(insert(Application).returning(Application.id, sort_by_parameter_order=True),
                        [{k: v for k, v in a.items() if not k.startswith("_")} for a in apps]).scalars().all()
        append_events(s, ctx, [_event(ctx, "application", aid, "file", role, 11, None,
                                         {"unit": a["_unit"], "link_id": a["link_id"], "joined_link": a["joined_link"],
                                          "received_on": a["received_on"], "review_due": a["review_due"],
                                          "batch": batch.id})
                                  for aid, a in zip(ids, apps)])
        for aid, a in zip(ids, apps):
            report.items.append({"line": a["_line"], "unit": a["_unit"], "status": "created", "application": aid,
                                 "link": a["link_id"], "joined_link": a["joined_link"],
                                 "review_due": a["review_due"].isoformat()})
    report.items.sort(key=lambda i: i["line"])
    _close_batch(s, ctx, batch, report, role, 11)


# ---- review of a wave ------------------------------------------------------------------------

def approve_wave(ctx, *, path: Path | None = None, batch_id: int | None = None) -> dict:
    """Approve every application of a file (column application or unit) or of an import batch; all or none."""
    from egovnet.services.applications import approve_in_session

    ctx.require(("bdc",), "approve applications", 12)
    with unit_of_work(ctx.engine) as s:
        targets: list[tuple[int | str, Application | None]] = []
        if path is not None:
            table = read_table(path, {"application": ("id", "申请编号", "申请号"), "unit": APP_COLUMNS["unit"]},
                               required=(), ignored={**{k: v for k, v in UNIT_COLUMNS.items() if k != "name"},
                                                     **{k: v for k, v in APP_COLUMNS.items() if k != "unit"}})
            if "application" not in table.columns and "unit" not in table.columns:
                raise PolicyViolation(f"{table.source}: give a column application (申请编号) or unit (单位名称)")
            by_ref = _units_by_ref(s)
            for row in table.rows:
                ref = row.values.get("application", "").strip()
                if ref:
                    app = s.get(Application, int(ref)) if ref.isdigit() else None
                    targets.append((f"line {row.line}: application {ref}", app))
                    continue
                unit = by_ref.get(row.values.get("unit", "").strip())
                app = s.exec(select(Application).where(Application.unit_id == unit.id, Application.status ==
                                                       "submitted")).first() if unit else None
                targets.append((f"line {row.line}: unit {row.values.get('unit', '').strip()!r}", app))
            source = table.source
        else:
            batch = s.get(ImportBatch, batch_id)
            if batch is None:
                from egovnet.errors import NotFound

                raise NotFound(f"import batch {batch_id} not found; the import's summary names its batch")
            if batch.kind == "applications":
                q = select(Application).where(Application.batch_id == batch.id)
            else:
                q = select(Application).join(Unit, Unit.id == Application.unit_id).where(Unit.batch_id == batch.id)
            targets = [(f"application {a.id}", a) for a in s.exec(q.where(Application.status == "submitted")
                                                                  .order_by(Application.id)).all()]
            source = f"import batch {batch.id} ({batch.source})"
        problems, approved = [], []
        for label, app in targets:
            if app is None:
                problems.append(f"{label}: no submitted application found")
                continue
            try:
                approved.append(approve_in_session(s, ctx, app, describe=False))
            except EgovnetError as exc:
                problems.append(f"{label}: {exc}")
        if problems:
            err = PolicyViolation(f"{source}: {len(problems)} of {len(targets)} applications cannot be approved; "
                                  f"none was: {problems[0]}" + (f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""))
            err.problems = problems
            raise err
        return {"source": source, "approved": len(approved), "applications": approved}


def check_partial(report: dict) -> None:
    if report["rejected"] and not report["dry_run"]:
        raise PartialFailure(f"{report['source']}: {report['rejected']} of {report['rows']} rows rejected and "
                             f"saved with their reasons to {report['rejects_file']}; the others were written")
