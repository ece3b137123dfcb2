"""Change requests (资源调整, Art. 18): a unit's written request, filed by its supervising department, to change
its link's bandwidth or to stop using a shared link. BDC reviews within 5 working days and carries the change
out within 10 working days of approval.

A bandwidth change is a device push (journal, backup, verify, roll back on failure). Releasing one unit from a
shared link touches no device: the link stays, configured as it is, for the other units (Art. 14).
"""

from __future__ import annotations

import datetime as dt

from sqlmodel import select

from egovnet.errors import Conflict, InvalidInput, NotFound, PermissionDenied, PolicyViolation, UsageError
from egovnet.services import events, notices
from egovnet.services.applications import check_bandwidth
from egovnet.services.directory import _dept_user_may_act, find_unit
from egovnet.services.links import get_link, units_on
from egovnet.state.db import unit_of_work
from egovnet.state.models import Application, ChangeRequest, Department, Link, Unit
from egovnet.validation import clean_text

ARTICLE = 18
OPEN = ("submitted", "approved")
FIELDS = ("status", "decided_on", "decided_by", "decision_reason", "execution_due", "applied_on", "applied_by",
          "push_id")


def _get(s, change_id: int) -> ChangeRequest:
    change = s.get(ChangeRequest, change_id)
    if change is None:
        raise NotFound(f"change request {change_id} not found; see 'egovnet change list'")
    return change


def _active_link(link: Link, doing: str) -> None:
    if link.status != "active":
        hint = (f"reopen it first with 'egovnet apply --reopen {link.id} --reason TEXT' (Art. 15)"
                if link.status == "closed_idle" else "only an active link's resources are adjusted")
        raise PolicyViolation(f"cannot {doing}: link {link.id} is {link.status} (Art. {ARTICLE}); {hint}")


def _check_release(s, link: Link, unit: Unit) -> None:
    on = units_on(s, link.id)
    if unit.id not in {u.id for u, _, _ in on}:
        raise PolicyViolation(f"unit {unit.name!r} has no active application on link {link.id}; the link serves "
                              + (", ".join(u.name for u, _, _ in on) or "no unit"))
    if len(on) == 1:
        raise PolicyViolation(f"unit {unit.name!r} is the only unit on link {link.id}: releasing it leaves the link "
                              f"unused; take the link down with 'egovnet decommission {link.id} --reason TEXT'")


def request(ctx, link_id: int, *, reason: str, bandwidth=None, release: str | None = None, unit: str | None = None,
            received_on: dt.date | None = None) -> dict:
    role = ctx.require(("dept", "bdc"), f"request a change of link {link_id}", ARTICLE)
    if (bandwidth is None) == (release is None):
        raise UsageError("a change request takes exactly one of --bandwidth MBPS or --release UNIT")
    if release is not None and unit is not None:
        raise UsageError("--release names the unit leaving the link; it takes no --unit")
    reason = clean_text(reason, "reason", required=True)
    mbps = check_bandwidth(ctx.policy, bandwidth, "--bandwidth", UsageError) if bandwidth is not None else None
    received = received_on or ctx.today
    if received > ctx.today:
        raise InvalidInput(f"received-on {received} is after today ({ctx.today})")
    with unit_of_work(ctx.engine) as s:
        link = get_link(s, link_id)
        _active_link(link, f"request a change of link {link.id}")
        from egovnet.services.security import refuse_if_cut

        refuse_if_cut(s, f"a change request for link {link.id}", link_ids=[link.id])  # Art. 23
        on = units_on(s, link.id)
        if release is not None:
            who = find_unit(s, release)
            _check_release(s, link, who)
        elif unit is not None:
            who = find_unit(s, unit)
            if who.id not in {u.id for u, _, _ in on}:
                raise PolicyViolation(f"unit {who.name!r} has no active application on link {link.id}; only a unit "
                                      "on the link asks to change it (Art. 18)")
        else:
            mine = _requesting_units(ctx, on)
            if len({d.id for _, d, _ in mine}) != 1:
                raise UsageError(f"link {link.id} is shared by units of "
                                 f"{', '.join(sorted({d.name for _, d, _ in mine}))}; name the requesting unit with --unit")
            who = mine[0][0]
        dept = s.get(Department, who.dept_id)
        _dept_user_may_act(ctx, dept.name, f"request a change for unit {who.name!r}")
        kind = "release" if release is not None else "bandwidth"
        if kind == "bandwidth" and mbps == link.bandwidth_mbps:
            raise InvalidInput(f"link {link.id} already runs at {mbps} Mbit/s; nothing to change")
        q = select(ChangeRequest).where(ChangeRequest.link_id == link.id, ChangeRequest.kind == kind,
                                        ChangeRequest.status.in_(OPEN))
        if kind == "release":
            q = q.where(ChangeRequest.unit_id == who.id)
        pending = s.exec(q).first()
        if pending is not None:
            raise Conflict(f"link {link.id} already has {kind} change request {pending.id} ({pending.status}); "
                           f"decide or apply it first ('egovnet change show {pending.id}')")
        due = ctx.calendar.add_working_days(received, ctx.policy.deadlines.change_review.working_days)
        change = ChangeRequest(link_id=link.id, kind=kind, unit_id=who.id, dept_id=dept.id,
                               bandwidth_from=link.bandwidth_mbps if mbps else None, bandwidth_to=mbps, reason=reason,
                               requested_on=received, requested_by=ctx.user, review_due=due.due,
                               review_due_provisional=due.provisional)
        s.add(change)
        s.flush()
        events.record(s, ctx, "change", change.id, "file", role=role, article=ARTICLE,
                      after={"link_id": link.id, "kind": kind, "unit": who.name, "bandwidth_to": mbps,
                             "reason": reason, "requested_on": received, "review_due": due.due})
        return change_dict(s, ctx, change)


def _requesting_units(ctx, on):
    """The link's units the acting user may speak for: a department user's own, or all for BDC."""
    user = ctx.policy.user(ctx.user)
    if "bdc" not in ctx.roles() and user and user.dept:
        mine = [row for row in on if row[1].name == user.dept]
        if not mine:
            raise PermissionDenied(f"user {ctx.user!r} of department {user.dept!r} has no unit on this link; a "
                                   "department requests changes for its own units (Art. 10, 18)")
        return mine
    return on


def _decider(ctx, change: ChangeRequest, doing: str) -> str:
    role = ctx.require(("bdc",), f"{doing} change request {change.id}", ARTICLE)
    ctx.not_own(change.requested_by, f"change request {change.id}", doing, str(ARTICLE))
    if change.status != "submitted":
        raise PolicyViolation(f"change request {change.id} is {change.status}, not submitted"
                              + (f"; it was decided on {change.decided_on} by {change.decided_by}" if change.decided_on
                                 else ""))
    if ctx.today < change.requested_on:
        raise InvalidInput(f"today ({ctx.today}) is before change request {change.id} was received "
                           f"({change.requested_on})")
    return role


def approve(ctx, change_id: int) -> dict:
    with unit_of_work(ctx.engine) as s:
        change = _get(s, change_id)
        role = _decider(ctx, change, "approve")
        link = s.get(Link, change.link_id)
        _active_link(link, f"approve change request {change.id}")
        if change.kind == "release":
            _check_release(s, link, s.get(Unit, change.unit_id))
        before = events.snapshot(change, FIELDS)
        due = ctx.calendar.add_working_days(ctx.today, ctx.policy.deadlines.change_execution.working_days)
        change.status, change.decided_on, change.decided_by = "approved", ctx.today, ctx.user
        change.execution_due, change.execution_due_provisional = due.due, due.provisional
        s.add(change)
        old, new = events.diff(before, events.snapshot(change, FIELDS))
        events.record(s, ctx, "change", change.id, "approve", role=role, article=ARTICLE, before=old, after=new)
        return {**change_dict(s, ctx, change), "notice": notices.for_change(s, ctx, change, "change_approval")}


def reject(ctx, change_id: int, reason: str) -> dict:
    reason = clean_text(reason, "reason", required=True)
    with unit_of_work(ctx.engine) as s:
        change = _get(s, change_id)
        role = _decider(ctx, change, "reject")
        before = events.snapshot(change, FIELDS)
        change.status, change.decided_on, change.decided_by = "rejected", ctx.today, ctx.user
        change.decision_reason = reason
        s.add(change)
        old, new = events.diff(before, events.snapshot(change, FIELDS))
        events.record(s, ctx, "change", change.id, "reject", role=role, article=ARTICLE, before=old, after=new)
        return {**change_dict(s, ctx, change), "notice": notices.for_change(s, ctx, change, "change_rejection")}


def apply(ctx, change_id: int, *, dry_run: bool = False, driver_factory=None, progress=None) -> dict:
    """Carry out an approved change. Bandwidth: push the new rate to the link's device. Release: the unit's
    application ends; the link and its configuration stay for the others."""
    from egovnet.services import pushes

    role = ctx.require(("bdc",), f"apply change request {change_id}", ARTICLE)
    with pushes.running(ctx, f"change apply {change_id}"):
        if not dry_run:
            done = _settle(ctx, change_id, driver_factory)
            if done is not None:
                return done
        return _apply(ctx, change_id, role, dry_run, driver_factory, progress)


def _settle(ctx, change_id: int, driver_factory) -> dict | None:
    """Finish what an interrupted run left on this change's link; its result when that was this change."""
    from egovnet.inventory import load_inventory
    from egovnet.services import pushes
    from egovnet.services.provision import default_driver_factory

    with unit_of_work(ctx.engine, write=False) as s:
        link_id = _get(s, change_id).link_id
    inventory = load_inventory(ctx.inventory)
    for res in pushes.settle(ctx, inventory, driver_factory or default_driver_factory(inventory), links={link_id}):
        record = res["record"]
        if res["service"] == "change" and isinstance(record, dict) and record.get("id") == change_id \
                and not record["failed"]:
            return {**record, "resumed": res["push"]}
    return None


def _apply(ctx, change_id: int, role: str, dry_run: bool, driver_factory, progress) -> dict:
    with unit_of_work(ctx.engine, write=False) as s:
        change = _get(s, change_id)
        if change.status != "approved":
            done = f" on {change.applied_on} by {change.applied_by}" if change.status == "applied" else ""
            raise PolicyViolation(f"change request {change.id} is {change.status}{done}; only an approved change "
                                  f"is carried out (Art. {ARTICLE})")
        link = s.get(Link, change.link_id)
        _active_link(link, f"apply change request {change.id}")
        from egovnet.services.security import refuse_if_cut

        refuse_if_cut(s, f"change request {change.id}", unit_ids=[change.unit_id], link_ids=[link.id])  # Art. 23
        kind = change.kind
    if kind == "release":
        return _release(ctx, change_id, role, dry_run)
    return _rate(ctx, change_id, role, dry_run, driver_factory, progress)


def _release(ctx, change_id: int, role: str, dry_run: bool) -> dict:
    with unit_of_work(ctx.engine, write=not dry_run) as s:
        change = _get(s, change_id)
        link = s.get(Link, change.link_id)
        unit = s.get(Unit, change.unit_id)
        _check_release(s, link, unit)
        apps = s.exec(select(Application).where(Application.link_id == link.id, Application.unit_id == unit.id,
                                                Application.status == "active")).all()
        out = {"device": None, "commands": [], "diff": [], "failed": False, "error": None,
               "applications_released": [a.id for a in apps],
               "link_stays_for": [u.name for u, _, _ in units_on(s, link.id) if u.id != unit.id]}
        if dry_run:
            return {**change_dict(s, ctx, change), **out, "dry_run": True, "result": "planned"}
        for app in apps:
            app.status = "released"
            s.add(app)
            events.record(s, ctx, "application", app.id, "release", role=role, article=ARTICLE,
                          before={"status": "active"}, after={"status": "released", "change": change.id})
        _applied(s, ctx, change, role, None)
        return {**change_dict(s, ctx, change), **out, "dry_run": False, "result": "applied"}


def _rate(ctx, change_id: int, role: str, dry_run: bool, driver_factory, progress) -> dict:
    from egovnet.inventory import load_inventory
    from egovnet.services import pushes
    from egovnet.services.provision import default_driver_factory, link_job, push_all

    inventory = load_inventory(ctx.inventory)

    def plan():
        with unit_of_work(ctx.engine, write=not dry_run) as s:
            change = _get(s, change_id)
            link = s.get(Link, change.link_id)
            return link_job(s, ctx, inventory, link, "bandwidth", unit=s.get(Unit, change.unit_id).name,
                            bandwidth_mbps=change.bandwidth_to, journal=not dry_run,
                            intent={"service": "change", "change_id": change_id})
    job = plan() if dry_run else pushes.retrying(plan)
    push_all(ctx, inventory, [job], driver_factory or default_driver_factory(inventory), dry_run=dry_run, workers=1,
             progress=progress)
    return record_rate(ctx, change_id, job, role, dry_run=dry_run)


def record_rate(ctx, change_id: int, job, role: str, *, dry_run: bool = False) -> dict:
    """The record step of a bandwidth change: the link's rate and the change 'applied' when the push went
    through, in the transaction that closes the push's journal row."""
    from egovnet.services import pushes

    res = job.result
    out = {"device": job.device, "commands": job.commands if dry_run else [], "diff": res.diff if res else [],
           "failed": bool(res and res.failed), "error": res.error if res and res.failed else None}
    with unit_of_work(ctx.engine, write=not dry_run) as s:
        change = _get(s, change_id)
        if not dry_run:
            pushes.mark_recorded(s, job.push_id)
        if dry_run or out["failed"]:
            result = "planned" if dry_run and not out["failed"] else \
                ("rolled_back" if res and res.extra.get("rolled_back") else "failed")
            return {**change_dict(s, ctx, change), **out, "dry_run": dry_run, "result": result}
        if change.status != "approved":  # another run carried it out meanwhile; the push found nothing to do
            return {**change_dict(s, ctx, change), **out, "dry_run": False, "result": "unchanged"}
        link = s.get(Link, change.link_id)
        before = link.bandwidth_mbps
        link.bandwidth_mbps = change.bandwidth_to
        s.add(link)
        events.record(s, ctx, "link", link.id, "bandwidth", role=role, article=ARTICLE,
                      before={"bandwidth_mbps": before}, after={"bandwidth_mbps": link.bandwidth_mbps,
                                                                "change": change.id})
        _applied(s, ctx, change, role, job.push_id)
        return {**change_dict(s, ctx, change), **out, "dry_run": False,
                "result": "applied" if res and res.changed else "unchanged"}


def _applied(s, ctx, change: ChangeRequest, role: str, push_id: int | None) -> None:
    before = events.snapshot(change, FIELDS)
    change.status, change.applied_on, change.applied_by, change.push_id = "applied", ctx.today, ctx.user, push_id
    s.add(change)
    old, new = events.diff(before, events.snapshot(change, FIELDS))
    events.record(s, ctx, "change", change.id, "apply", role=role, article=ARTICLE, before=old, after=new)


# ---- reading --------------------------------------------------------------------------------

def list_changes(ctx, *, status: str | None = None, link: int | None = None, overdue: bool = False) -> list[dict]:
    with unit_of_work(ctx.engine, write=False) as s:
        q = select(ChangeRequest).order_by(ChangeRequest.id)
        if status:
            q = q.where(ChangeRequest.status == status)
        if link is not None:
            q = q.where(ChangeRequest.link_id == link)
        rows = [change_dict(s, ctx, c) for c in s.exec(q).all()]
    return [r for r in rows if r["overdue"]] if overdue else rows


def show_change(ctx, change_id: int) -> dict:
    with unit_of_work(ctx.engine, write=False) as s:
        change = _get(s, change_id)
        return {**change_dict(s, ctx, change), "events": events.event_rows(s, "change", change.id)}


def running_clock(change: ChangeRequest) -> tuple[str | None, dt.date | None]:
    """The clock a change request is on: review (5 working days) or execution (10), Art. 18."""
    if change.status == "submitted":
        return "change_review", change.review_due
    if change.status == "approved":
        return "change_execution", change.execution_due
    return None, None


def change_dict(s, ctx, c: ChangeRequest) -> dict:
    unit = s.get(Unit, c.unit_id)
    dept = s.get(Department, c.dept_id)
    clock, due = running_clock(c)
    iso = lambda d: d.isoformat() if d else None  # noqa: E731
    return {
        "id": c.id, "link": c.link_id, "kind": c.kind, "unit": unit.name, "unit_code": unit.code, "dept": dept.name,
        "bandwidth_from": c.bandwidth_from, "bandwidth_to": c.bandwidth_to, "reason": c.reason,
        "status": c.status, "requested_on": iso(c.requested_on), "requested_by": c.requested_by,
        "review_due": iso(c.review_due), "decided_on": iso(c.decided_on), "decided_by": c.decided_by,
        "decision_reason": c.decision_reason or None, "execution_due": iso(c.execution_due),
        "applied_on": iso(c.applied_on), "applied_by": c.applied_by,
        "clock": clock, "days_left": ctx.calendar.days_left(ctx.today, due) if due else None,
        "overdue": bool(due and ctx.today > due),
        "late": bool(c.applied_on and c.execution_due and c.applied_on > c.execution_due),
        "provisional": bool(c.review_due_provisional or c.execution_due_provisional),
    }
