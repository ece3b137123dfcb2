"""Applications (接入申请): filing (Art. 9-11, 13-14), review (Art. 12-13, 25), construction clock (Art. 12)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlmodel import select

from egovnet.errors import Conflict, InvalidInput, NotFound, PolicyViolation
from egovnet.services import events, notices
from egovnet.services.directory import _dept_user_may_act, find_unit
from egovnet.state.db import retrying, unit_of_work
from egovnet.state.models import Application, Department, Extension, Link, Unit
from egovnet.validation import clean_text

OPEN_LINK_STATUSES = ("requested", "approved", "provisioning", "active")
OPEN_APP_STATUSES = ("submitted", "approved", "provisioning")
FIELD_LABELS = {
    "basis": "申请依据 basis", "scope": "接入范围 scope", "mode": "链路方式 mode", "purpose": "应用用途 purpose",
    "bandwidth_mbps": "带宽 bandwidth_mbps", "technical": "技术要求 technical",
    "time_requirement": "时间要求 time_requirement", "cost_bearer": "费用承担方式 cost_bearer",
}
APP_FIELDS = ("id", "status", "decision", "decided_on", "decided_by", "reason", "construction_due", "link_id")


@dataclass
class ApplicationInput:
    unit: str | None = None
    basis: str | None = None
    scope: str | None = None
    mode: str | None = None
    purpose: str | None = None
    bandwidth_mbps: int | str | None = None
    technical: str | None = None
    time_requirement: str | None = None
    cost_bearer: str | None = None
    encryption: dict | None = None
    nat: dict | None = None
    received_on: dt.date | None = None
    separate_link: str | None = None
    reopen: int | None = None            # a link closed for non-use (Art. 15) that this application reopens
    reopen_reason: str | None = None
    features: dict = field(default_factory=dict)


def check_bandwidth(policy, value, what: str = "bandwidth_mbps", not_a_number=InvalidInput) -> int:
    """A whole number of Mbit/s within the policy's range (applications, change requests)."""
    limits = policy.application.bandwidth_mbps
    try:
        mbps = int(str(value).strip())
    except ValueError:
        raise not_a_number(f"{what} {value!r} is not a whole number of Mbit/s") from None
    if not limits.min <= mbps <= limits.max:
        raise InvalidInput(f"{what} {mbps} is out of range; the policy allows {limits.min} to {limits.max} Mbit/s")
    return mbps


def check_application_values(policy, data: ApplicationInput) -> dict:
    """Validate an application's own values (Art. 11, 13, 14). Pure; raises with every missing field named."""
    rules = policy.application
    missing = []
    for name in rules.required_fields:
        value = getattr(data, name)
        if value is None or (isinstance(value, str) and not value.strip()):
            missing.append(FIELD_LABELS[name])
    if missing:
        raise PolicyViolation(f"application for unit {data.unit!r} lacks {', '.join(missing)} "
                              f"(Art. {rules.article} requires them); add them and file again")
    out = {k: clean_text(getattr(data, k), FIELD_LABELS[k]) for k in
           ("basis", "scope", "purpose", "technical", "time_requirement")}
    mode = str(data.mode).strip()
    if mode not in policy.links.modes:
        raise PolicyViolation(f"link mode {mode!r} is not one Art. {policy.links.article} provides; use "
                              + " or ".join(f"{k} ({v.label})" for k, v in policy.links.modes.items()))
    out["mode"] = mode
    out["bandwidth_mbps"] = check_bandwidth(policy, data.bandwidth_mbps)
    bearer = str(data.cost_bearer).strip()
    if bearer not in ("budget", "unit"):
        raise InvalidInput(f"cost_bearer {bearer!r} must be 'budget' (district budget) or 'unit' "
                           f"(the unit pays) (Art. {policy.fees.article})")
    out["cost_bearer"] = bearer
    features = {}
    for name, given in (("encryption", data.encryption), ("nat", data.nat)):
        if not given:
            continue
        if not isinstance(given, dict):
            raise InvalidInput(f"{name} must give " + " and ".join(policy.gated_features[name].requires))
        unknown = set(given) - {"basis", "design"}
        if unknown:
            raise InvalidInput(f"{name} has unknown key {sorted(unknown)[0]!r}; it takes basis and design")
        features[name] = {k: clean_text(v, f"{name} {k}") for k, v in given.items() if v is not None}
    out["features"] = features
    if data.separate_link is not None:
        out["separate_link_reason"] = clean_text(data.separate_link, "separate-link reason", required=True)
    return out


def file_application(ctx, data: ApplicationInput) -> dict:
    role = ctx.require(("dept", "bdc"), "file an application", 10)
    if data.reopen is not None:
        data = _reopen_input(ctx, data)
    values = check_application_values(ctx.policy, data)
    received = data.received_on or ctx.today
    if received > ctx.today:
        raise InvalidInput(f"received-on {received} is after today ({ctx.today}); an application is received "
                           "on or before the day it is filed")
    separate_reason = values.pop("separate_link_reason", "")
    # a concurrent writer's row (the address's link, a unit's application) makes one attempt fail on a
    # unique index; the next attempt sees the row and joins the link or refuses as any other
    return retrying(lambda: _file(ctx, data, values, received, separate_reason, role))


def _file(ctx, data: ApplicationInput, values: dict, received: dt.date, separate_reason: str, role: str) -> dict:
    values = dict(values)
    with unit_of_work(ctx.engine) as s:
        unit = find_unit(s, data.unit or "")
        dept = s.get(Department, unit.dept_id)
        _dept_user_may_act(ctx, dept.name, f"file for unit {unit.name!r}")
        _check_eligible(ctx.policy, unit)
        open_app = s.exec(select(Application).where(Application.unit_id == unit.id,
                                                    Application.status.in_(OPEN_APP_STATUSES))).first()
        if open_app:
            raise Conflict(f"unit {unit.name!r} already has application {open_app.id} ({open_app.status}); "
                           "decide or finish it before filing another")
        if data.reopen is not None:
            from egovnet.services.security import refuse_if_cut

            refuse_if_cut(s, f"reopening link {data.reopen}", unit_ids=[unit.id], link_ids=[data.reopen])  # Art. 23
            link, joined = _closed_link(s, data.reopen, unit), False
            _address_free(s, link)
            values.update(kind="reopen", reopen_reason=data.reopen_reason)
        else:
            link, joined = _link_for(s, ctx, unit, values["mode"], separate_reason)
        due = ctx.calendar.add_working_days(received, ctx.policy.deadlines.review.working_days)
        app = Application(
            unit_id=unit.id, dept_id=dept.id, link_id=link.id, joined_link=joined,
            separate_link_reason=separate_reason, received_on=received, review_due=due.due,
            review_due_provisional=due.provisional, filed_by=ctx.user, **values,
        )
        s.add(app)
        s.flush()
        events.record(s, ctx, "application", app.id, "file", role=role, article=11,
                      after={"unit": unit.name, "link_id": link.id, "joined_link": joined, "kind": app.kind,
                             "received_on": received, "review_due": due.due,
                             **({"reopen_reason": app.reopen_reason} if app.reopen_reason else {})})
        return application_dict(s, ctx, app)


def _closed_link(s, link_id: int, unit: Unit | None) -> Link:
    """Art. 15: only a link closed for non-use is reopened, and only for a unit that was on it."""
    from egovnet.services.links import get_link, units_on

    link = get_link(s, link_id)
    if link.status != "closed_idle":
        hint = {"active": "it is active: there is nothing to reopen",
                "decommissioned": "it was decommissioned and its port, VLAN and subnet returned: file a new "
                                  "application"}.get(link.status, "file or review an ordinary application instead")
        raise PolicyViolation(f"link {link.id} is {link.status}, not closed for non-use (Art. 15); {hint}")
    if unit is not None and unit.id not in {u.id for u, _, _ in units_on(s, link.id, ("closed",))}:
        raise PolicyViolation(f"unit {unit.name!r} was not on link {link.id} when it was closed; it applies for "
                              "a link of its own with an ordinary application (Art. 10-14)")
    return link


def _address_free(s, link: Link) -> None:
    """Art. 14: a closed link comes back only if no other link has taken its address meanwhile."""
    if link.separate_reason or not link.address_key:
        return
    other = s.exec(select(Link).where(Link.address_key == link.address_key, Link.id != link.id,
                                      Link.separate_reason == "", Link.status.in_(OPEN_LINK_STATUSES))).first()
    if other is not None:
        raise PolicyViolation(f"link {link.id} cannot be reopened: link {other.id} ({other.status}) now serves its "
                              f"address {link.address} and Art. 14 allows one; file an ordinary application to "
                              "join it")


def _reopen_input(ctx, data: ApplicationInput) -> ApplicationInput:
    """A reopen application (Art. 15) states its reason; other fields default to the unit's last application
    on the link, and the review is the same as any other's (Art. 12)."""
    from dataclasses import replace

    from egovnet.errors import UsageError
    from egovnet.services.links import units_on

    reason = clean_text(data.reopen_reason, "reopen reason")
    if not reason:
        raise UsageError(f"reopening link {data.reopen} needs --reason: Art. 15 asks the unit to say why it "
                         "needs the link again")
    if data.separate_link is not None:
        raise UsageError("--reopen brings back the closed link itself; it takes no --separate-link")
    with unit_of_work(ctx.engine, write=False) as s:
        unit = find_unit(s, data.unit) if data.unit else None
        link = _closed_link(s, data.reopen, unit)
        on = units_on(s, link.id, ("closed",))
        if unit is None:
            if len(on) != 1:
                raise UsageError(f"link {link.id} served {', '.join(u.name for u, _, _ in on) or 'no unit'}; "
                                 "name the unit that asks to reopen it with --unit")
            unit = on[0][0]
        last = next(a for u, _, a in reversed(on) if u.id == unit.id)
        filled = {k: getattr(last, k) for k in ("basis", "scope", "mode", "purpose", "bandwidth_mbps", "technical",
                                                 "time_requirement", "cost_bearer") if getattr(data, k) is None}
        for name in ("encryption", "nat"):
            if getattr(data, name) is None and (last.features or {}).get(name):
                filled[name] = {k: v for k, v in last.features[name].items() if k in ("basis", "design")}
    return replace(data, unit=unit.name, reopen_reason=reason, **filled)


def _check_eligible(policy, unit: Unit) -> None:
    cat = policy.unit_categories.get(unit.category)
    if cat is None or not cat.eligible:
        raise PolicyViolation(f"unit {unit.name!r} of category {unit.category!r} may not apply (Art. 9)")
    if cat.justification_required and not unit.justification:
        raise PolicyViolation(f"unit {unit.name!r} ({cat.label}) has no written justification on record "
                              f"(Art. {cat.article}{cat.clause}); record it with "
                              f"'egovnet unit update {unit.code} --justification TEXT'")


def _link_for(s, ctx, unit: Unit, mode: str, separate_reason: str) -> tuple[Link, bool]:
    """Art. 14: units at one office address share one link unless an exception is recorded."""
    sharing = ctx.policy.links.one_link_per_address
    if sharing and unit.address_key and not separate_reason:
        link = s.exec(select(Link).where(Link.address_key == unit.address_key, Link.separate_reason == "",
                                         Link.status.in_(OPEN_LINK_STATUSES)).order_by(Link.id)).first()
        if link is not None:
            return link, True
    exception = separate_reason or ("" if sharing else "the policy's links.one_link_per_address is off")
    link = Link(address=unit.address, address_key=unit.address_key, mode=mode, status="requested",
                separate_reason=exception)
    s.add(link)
    s.flush()
    events.record(s, ctx, "link", link.id, "create", article=14,
                  after={"address": unit.address, "mode": mode, "separate_link_reason": separate_reason or None})
    return link, False


# ---- review ---------------------------------------------------------------------------------

def _get(s, app_id: int) -> Application:
    app = s.get(Application, app_id)
    if app is None:
        raise NotFound(f"application {app_id} not found; see 'egovnet review list'")
    return app


def _decider(ctx, s, app: Application, doing: str) -> str:
    role = ctx.require(("bdc",), f"{doing} application {app.id}", 12)
    ctx.not_own(app.filed_by, f"application {app.id}", doing, "10, 12")
    if app.status != "submitted":
        raise PolicyViolation(f"application {app.id} is {app.status}, not submitted; it was decided on "
                              f"{app.decided_on} by {app.decided_by}")
    if ctx.today < app.received_on:
        raise InvalidInput(f"today ({ctx.today}) is before application {app.id} was received ({app.received_on})")
    return role


def compliance_problems(policy, unit: Unit, app: Application, today: dt.date) -> list[str]:
    """Everything Art. 13 and 25 require that is not on record. Pure."""
    problems = []
    mlps = policy.mlps
    if unit.mlps_level is None or unit.mlps_assessed is None:
        problems.append(f"unit {unit.name} has no MLPS (等级保护) assessment on record (Art. {mlps.article}); "
                        f"record one with 'egovnet unit update {unit.code} --mlps-level N --mlps-assessed DATE'")
    else:
        if unit.mlps_level < mlps.minimum_level:
            problems.append(f"unit {unit.name} is at MLPS level {unit.mlps_level}, below the minimum "
                            f"level {mlps.minimum_level} (Art. {mlps.article})")
        until = policy.mlps_valid_until(unit.mlps_level, unit.mlps_assessed)
        if until and until < today:
            problems.append(f"unit {unit.name}'s MLPS assessment of {unit.mlps_assessed} expired on {until} "
                            f"(Art. {mlps.article}); record a new assessment date")
    for name, given in (app.features or {}).items():
        gate = policy.gated_features[name]
        lacking = [k for k in gate.requires if not (given or {}).get(k)]
        if lacking:
            problems.append(f"{name} ({gate.label}) lacks its {' and '.join(lacking)} on record "
                            f"(Art. {gate.article}); file them with the application")
    expected = policy.cost_bearer_for(unit.budget_unit)
    if app.cost_bearer != expected:
        kind = "a district budget unit" if unit.budget_unit else "not a district budget unit"
        problems.append(f"cost bearer is {app.cost_bearer!r} but unit {unit.name} is {kind}, so it must be "
                        f"{expected!r} (Art. {policy.fees.article})")
    return problems


def approve(ctx, app_id: int) -> dict:
    with unit_of_work(ctx.engine) as s:
        return approve_in_session(s, ctx, _get(s, app_id))


def approve_in_session(s, ctx, app: Application, describe: bool = True) -> dict:
    """Approve one application inside the caller's transaction (a wave approves many in one)."""
    role = _decider(ctx, s, app, "approve")
    unit = s.get(Unit, app.unit_id)
    _check_eligible(ctx.policy, unit)
    problems = compliance_problems(ctx.policy, unit, app, ctx.today)
    if problems:
        raise PolicyViolation(f"application {app.id} cannot be approved: " + "; ".join(problems))
    before = events.snapshot(app, APP_FIELDS)
    due = ctx.calendar.add_working_days(ctx.today, ctx.policy.deadlines.construction.working_days)
    app.status, app.decision, app.decided_on, app.decided_by = "approved", "approved", ctx.today, ctx.user
    app.construction_due, app.construction_due_provisional = due.due, due.provisional
    app.features = {k: {**v, "approved": True} for k, v in (app.features or {}).items()}
    s.add(app)
    link = s.get(Link, app.link_id)
    if link.status == "requested":
        link.status = "approved"
        link.bandwidth_mbps = max(link.bandwidth_mbps, app.bandwidth_mbps)
        s.add(link)
    elif link.bandwidth_mbps < app.bandwidth_mbps and link.status in ("approved", "provisioning"):
        link.bandwidth_mbps = app.bandwidth_mbps
        s.add(link)
    old, new = events.diff(before, events.snapshot(app, APP_FIELDS))
    events.record(s, ctx, "application", app.id, "approve", role=role, article=12, before=old, after=new)
    notice = notices.for_application(s, ctx, app, "approval")  # Art. 12: the unit is told, with the deadline
    if not describe:
        return {"id": app.id, "unit": unit.name, "link": app.link_id, "construction_due": app.construction_due.isoformat(),
                "notice": notice["no"]}
    return {**application_dict(s, ctx, app), "notice": notice}


def reject(ctx, app_id: int, reason: str) -> dict:
    reason = clean_text(reason, "reason", required=True)
    with unit_of_work(ctx.engine) as s:
        app = _get(s, app_id)
        role = _decider(ctx, s, app, "reject")
        before = events.snapshot(app, APP_FIELDS)
        app.status, app.decision, app.decided_on, app.decided_by = "rejected", "rejected", ctx.today, ctx.user
        app.reason = reason
        s.add(app)
        s.flush()
        link = s.get(Link, app.link_id)
        others = s.exec(select(Application).where(Application.link_id == link.id,
                                                  Application.status != "rejected")).first()
        if others is None and link.status == "requested":
            link.status = "cancelled"
            s.add(link)
            events.record(s, ctx, "link", link.id, "cancel", role=role, article=12,
                          before={"status": "requested"}, after={"status": "cancelled"})
        old, new = events.diff(before, events.snapshot(app, APP_FIELDS))
        events.record(s, ctx, "application", app.id, "reject", role=role, article=12, before=old, after=new)
        notice = notices.for_application(s, ctx, app, "rejection")  # Art. 12: the unit is told the reasons
        return {**application_dict(s, ctx, app), "notice": notice}


def extend(ctx, app_id: int, reason: str, days: int, note: str = "") -> dict:
    rules = ctx.policy.construction_extension
    role = ctx.require(("bdc",), f"extend construction of application {app_id}", rules.article)
    if reason not in rules.reasons:
        raise PolicyViolation(f"extension reason {reason!r} is not one Art. {rules.article} allows; use "
                              + ", ".join(f"{k} ({v.label})" for k, v in rules.reasons.items()))
    note = clean_text(note, "note")
    if rules.reasons[reason].note_required and not note:
        raise PolicyViolation(f"extension reason {reason!r} ({rules.reasons[reason].label}) needs --note "
                              f"explaining it (Art. {rules.article})")
    if days < 1:
        raise InvalidInput(f"--days {days} must be at least 1 working day")
    with unit_of_work(ctx.engine) as s:
        app = _get(s, app_id)
        if app.status not in ("approved", "provisioning"):
            raise PolicyViolation(f"application {app.id} is {app.status}; only an approved application's "
                                  f"construction clock can be extended (Art. {rules.article})")
        granted = sum(e.days for e in s.exec(select(Extension).where(Extension.application_id == app.id)))
        if granted + days > rules.max_working_days:
            raise PolicyViolation(f"application {app.id} already has {granted} working days of extension; "
                                  f"{days} more would pass the policy's limit of {rules.max_working_days}")
        before = events.snapshot(app, APP_FIELDS)
        s.add(Extension(application_id=app.id, reason=reason, days=days, note=note,
                        granted_by=ctx.user, granted_on=ctx.today))
        due = ctx.calendar.add_working_days(
            app.decided_on, ctx.policy.deadlines.construction.working_days + granted + days)
        app.construction_due, app.construction_due_provisional = due.due, due.provisional
        s.add(app)
        s.flush()
        old, new = events.diff(before, events.snapshot(app, APP_FIELDS))
        events.record(s, ctx, "application", app.id, "extend", role=role, article=rules.article,
                      before=old, after={**new, "reason": reason, "days": days, "note": note})
        return application_dict(s, ctx, app)


# ---- reading --------------------------------------------------------------------------------

# what a list row never shows: the filing's free text and features (``review show`` has them), its creation time
_LONG_COLUMNS = ("basis", "scope", "purpose", "technical", "time_requirement", "separate_link_reason", "features",
                 "created_at")


def list_applications(ctx, *, status: str | None = None, overdue: bool = False) -> list[dict]:
    """Applications with their running clock: two queries whatever their number (the applications with their
    units and departments, then the links shared by any of them with the units on each), read as plain rows of
    columns: application_dict reads the same attributes from a row as from an Application."""
    from collections import namedtuple

    named = namedtuple("named", "name code")
    with unit_of_work(ctx.engine, write=False) as s:
        q = select(*(c for c in Application.__table__.columns if c.name not in _LONG_COLUMNS),
                   Unit.name.label("of_unit_name"), Unit.code.label("of_unit_code"),
                   Department.name.label("of_dept_name")).join(Unit, Unit.id == Application.unit_id) \
            .join(Department, Department.id == Application.dept_id).order_by(Application.id)
        if status:
            q = q.where(Application.status == status)
        result = s.connection().execute(q)
        record = namedtuple("record", result.keys())   # plain tuples: an attribute is an index, not a key lookup
        found = [record._make(a) for a in result]
        shared = _shared_links(s, {a.link_id for a in found if a.joined_link})
        rows = [application_dict(s, ctx, a, brief=True, shared=shared, unit=named(a.of_unit_name, a.of_unit_code),
                                 dept=named(a.of_dept_name, None)) for a in found]
    if overdue:
        rows = [r for r in rows if r["overdue"]]
    return rows


def _shared_links(s, link_ids: set) -> dict:
    """For each link: (id, address, status) and its applications other than rejected ones as (id, unit name),
    in filing order."""
    if not link_ids:
        return {}
    out = {link_id: (link_id, address, status, []) for link_id, address, status in
           s.connection().execute(select(Link.id, Link.address, Link.status).where(Link.id.in_(
               select(Application.link_id).where(Application.joined_link.is_(True))))).all() if link_id in link_ids}
    for app_id, link_id, unit in s.connection().execute(
            select(Application.id, Application.link_id, Unit.name).join(Unit, Unit.id == Application.unit_id)
            .where(Application.link_id.in_(select(Application.link_id).where(Application.joined_link.is_(True))),
                   Application.status != "rejected").order_by(Application.id)).all():
        if link_id in out:
            out[link_id][3].append((app_id, unit))
    return out


def show_application(ctx, app_id: int) -> dict:
    with unit_of_work(ctx.engine, write=False) as s:
        app = _get(s, app_id)
        out = application_dict(s, ctx, app)
        out["events"] = events.event_rows(s, "application", app.id)
        return out


def application_dict(s, ctx, app: Application, brief: bool = False, shared: dict | None = None,
                     unit: Unit | None = None, dept: Department | None = None) -> dict:
    """One application as lists and ``review show`` print it; a list passes the unit, department and shared
    links it loaded for all its rows at once."""
    unit = unit or s.get(Unit, app.unit_id)
    dept = dept or s.get(Department, app.dept_id)
    cal, today = ctx.calendar, ctx.today
    clock, due = None, None
    if app.status == "submitted":
        clock, due = "review", app.review_due
    elif app.status in ("approved", "provisioning") and app.construction_due:
        clock, due = "construction", app.construction_due
    days_left = cal.days_left(today, due) if due else None
    out = {
        "id": app.id, "unit": unit.name, "unit_code": unit.code, "dept": dept.name, "status": app.status,
        "kind": app.kind, "reopen_reason": app.reopen_reason or None, "mode": app.mode, "bandwidth_mbps": app.bandwidth_mbps,
        "received_on": app.received_on.isoformat(), "review_due": app.review_due.isoformat(),
        "decided_on": app.decided_on.isoformat() if app.decided_on else None,
        "decided_by": app.decided_by, "decision": app.decision, "reason": app.reason or None,
        "construction_due": app.construction_due.isoformat() if app.construction_due else None,
        "clock": clock, "days_left": days_left, "overdue": bool(due and today > due),
        "provisional": bool(app.review_due_provisional or app.construction_due_provisional),
        "link_id": app.link_id, "shared_link": None,
    }
    if app.joined_link or not brief:
        out["shared_link"] = _shared_link(s, app, shared) if app.joined_link else None
    if brief:
        return out
    exts = s.exec(select(Extension).where(Extension.application_id == app.id).order_by(Extension.id)).all()
    out.update({
        "filed_by": app.filed_by, "cost_bearer": app.cost_bearer, "basis": app.basis, "scope": app.scope,
        "purpose": app.purpose, "technical": app.technical, "time_requirement": app.time_requirement,
        "features": app.features or {}, "separate_link_reason": app.separate_link_reason or None,
        "extensions": [{"reason": e.reason, "days": e.days, "note": e.note, "granted_by": e.granted_by,
                        "granted_on": e.granted_on.isoformat()} for e in exts],
    })
    return out


def _shared_link(s, app: Application, shared: dict | None = None) -> dict:
    if shared is not None:  # loaded for a whole list by _shared_links
        link_id, address, status, apps = shared[app.link_id]
        units = [unit for app_id, unit in apps if app_id != app.id]
        return {"link": link_id, "address": address, "status": status, "units": list(dict.fromkeys(units))}
    link = s.get(Link, app.link_id)
    units = s.exec(
        select(Unit.name).join(Application, Application.unit_id == Unit.id)
        .where(Application.link_id == link.id, Application.id != app.id, Application.status != "rejected")
        .order_by(Application.id)
    ).all()
    return {"link": link.id, "address": link.address, "status": link.status, "units": list(dict.fromkeys(units))}


# ---- input from files -------------------------------------------------------------------------

FILE_KEYS = ("unit", "basis", "scope", "mode", "purpose", "bandwidth_mbps", "technical", "time_requirement",
             "cost_bearer", "encryption", "nat", "received_on", "separate_link")


def application_input(given: dict, file: str | None) -> ApplicationInput:
    """Options beat the file's values; the file is checked key by key with its line numbers."""
    values: dict = {}
    if file:
        from pathlib import Path

        from egovnet.yamlfile import read_yaml

        data, lines, source = read_yaml(Path(file))
        if not isinstance(data, dict):
            raise InvalidInput(f"{source}:1: an application file must be a mapping of fields ({', '.join(FILE_KEYS)})")
        for key, value in data.items():
            if key not in FILE_KEYS:
                raise InvalidInput(f"{source}:{lines.get((key,), 1)}: {key}: unknown field; "
                                   f"fields are {', '.join(FILE_KEYS)}")
            if key in ("encryption", "nat") and value is not None and not isinstance(value, dict):
                raise InvalidInput(f"{source}:{lines.get((key,), 1)}: {key}: must be a mapping with basis"
                                   + (" and design" if key == "encryption" else ""))
            if key == "received_on" and value is not None and not isinstance(value, dt.date):
                from egovnet.settings import parse_date

                try:
                    value = parse_date(str(value), "received_on")
                except Exception:
                    raise InvalidInput(f"{source}:{lines.get((key,), 1)}: received_on: {value!r} is not a "
                                       "date; write YYYY-MM-DD") from None
            if key == "received_on" and isinstance(value, dt.date):
                from egovnet.calendar import FIRST_DAY, LAST_DAY

                if not FIRST_DAY <= value <= LAST_DAY:
                    raise InvalidInput(f"{source}:{lines.get((key,), 1)}: received_on: {value} is outside the dates "
                                       f"egovnet works with ({FIRST_DAY} to {LAST_DAY}); check the year")
            if isinstance(value, (list,)):
                raise InvalidInput(f"{source}:{lines.get((key,), 1)}: {key}: must be a single value, not a list")
            values[key] = value
    for key, value in given.items():
        if value is not None:
            values[key] = value
    return ApplicationInput(**values)
