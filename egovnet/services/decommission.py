"""Decommission: a link no longer used (Art. 18) comes off its device; its port, VLAN and subnet go back to
the pools and its fee period ends (Art. 25). Every other link on the device stays as it is.

Same three steps as provisioning: journal the 'close' push and commit; push it (backup, verify that the
link's lines are gone, roll back on failure); record the outcome in a second transaction.
"""

from __future__ import annotations

from sqlmodel import select

from egovnet.errors import Conflict, PolicyViolation
from egovnet.services import events
from egovnet.services.links import get_link, link_dict, units_on
from egovnet.state.db import unit_of_work
from egovnet.state.models import Allocation, ChangeRequest
from egovnet.validation import clean_text

ARTICLE = 18


def decommission(ctx, link_id: int, reason: str, *, dry_run: bool = False, driver_factory=None,
                 progress=None) -> dict:
    from egovnet.inventory import load_inventory
    from egovnet.services import pushes

    role = ctx.require(("bdc",), f"decommission link {link_id}", 7)
    reason = clean_text(reason, "reason", required=True)
    inventory = load_inventory(ctx.inventory)
    with pushes.running(ctx, f"decommission {link_id}"):
        if not dry_run:
            from egovnet.services.provision import default_driver_factory

            driver_factory = driver_factory or default_driver_factory(inventory)
            with unit_of_work(ctx.engine, write=False) as s:
                units = link_dict(s, get_link(s, link_id))["units"]
            # a run that died with this link half-pushed (built, or taken down) is finished or undone first:
            # a link left 'provisioning' becomes active (then goes on below) or approved (refused below)
            for res in pushes.settle(ctx, inventory, driver_factory, links={link_id}):
                if res["service"] == "decommission" and isinstance(res["record"], dict):
                    return {"link": link_id, "dry_run": False, "device": res["device"], "changed": True, "diff": [],
                            "failed": False, "error": None, "rolled_back": False, "resumed": res["push"],
                            **{k: res["record"]["freed"][k] for k in ("port", "vlan", "subnet")},
                            "units": units, **res["record"]}
        return _decommission(ctx, inventory, link_id, reason, role, dry_run, driver_factory, progress)


def _decommission(ctx, inventory, link_id, reason, role, dry_run, driver_factory, progress) -> dict:
    from egovnet.services import pushes
    from egovnet.services.provision import default_driver_factory, push_all

    from egovnet.services.notices import preflight

    with unit_of_work(ctx.engine, write=False) as s:
        _closable(get_link(s, link_id))  # before its notice is tried: a link not built has no one to tell
    preflight(ctx, "decommission", link_id, ("active", "closed"),  # a broken template stops before the push
              decommission={"reason": reason, "on": ctx.today.isoformat(), "fee_end": ctx.today.isoformat()})

    def plan():
        with unit_of_work(ctx.engine, write=not dry_run) as s:
            return _plan(s, ctx, inventory, link_id, reason, dry_run)
    before, job = plan() if dry_run else pushes.retrying(plan)
    push_all(ctx, inventory, [job], driver_factory or default_driver_factory(inventory), dry_run=dry_run,
             workers=1, progress=progress)
    res = job.result
    out = {"link": link_id, "dry_run": dry_run, "device": job.device, "port": before["port"],
           "vlan": before["vlan"], "subnet": before["subnet"], "units": before["units"],
           "changed": bool(res and res.changed), "diff": res.diff if res else [], "failed": bool(res and res.failed),
           "error": res.error if res and res.failed else None, "rolled_back": bool(res and res.extra.get("rolled_back"))}
    if dry_run:
        return {**out, "status": "failed" if out["failed"] else "planned", "commands": job.commands}
    if out["failed"]:
        with unit_of_work(ctx.engine) as s:
            pushes.mark_recorded(s, job.push_id)
        return {**out, "status": "rolled_back" if out["rolled_back"] else "failed"}
    return {**out, **_record(ctx, link_id, reason, role, job.push_id)}


def _closable(link):
    """The link, if it is one a decommission may take down (active, or closed for non-use)."""
    if link.status not in ("active", "closed_idle"):
        hint = {"decommissioned": f"it was decommissioned on {link.closed_on}",
                "cancelled": "it was never built",
                "provisioning": "another egovnet run is building it now (see 'egovnet push list --open'); "
                                "decommission it once it is active"}.get(
            link.status, "it is not built yet: reject its applications with 'egovnet review reject'")
        raise PolicyViolation(f"link {link.id} is {link.status}; only an active link or one closed for "
                              f"non-use is decommissioned; {hint}")
    return link


def _plan(s, ctx, inventory, link_id, reason, dry_run):
    from egovnet.services.provision import link_job

    link = _closable(get_link(s, link_id))
    before = link_dict(s, link)
    job = link_job(s, ctx, inventory, link, "close", unit=", ".join(before["units"]), journal=not dry_run,
                   intent={"service": "decommission", "reason": reason})
    return before, job


def _record(ctx, link_id: int, reason: str, role: str, push_id: int | None = None) -> dict:
    from egovnet.services.idle import close_applications
    from egovnet.services.notices import for_link

    with unit_of_work(ctx.engine) as s:
        link = get_link(s, link_id)
        was = link.status
        alloc = s.exec(select(Allocation).where(Allocation.link_id == link.id)).first()
        if was not in ("active", "closed_idle") or alloc is None:
            # another run took it down while this one talked to the device (which then had nothing to remove)
            raise Conflict(f"link {link.id} is {was} now: another egovnet run decommissioned it on {link.closed_on}; "
                           f"see 'egovnet link show {link.id}'")
        on = units_on(s, link.id, ("active",) if was == "active" else ("closed",))
        freed = {"device": alloc.device, "port": alloc.port, "vlan": alloc.vlan, "subnet": alloc.subnet}
        from egovnet.services import pushes

        pushes.mark_recorded(s, push_id)
        s.delete(alloc)  # the pools are what no allocation holds: the port, VLAN and subnet are free again
        # a link closed for non-use stopped costing on the day it was closed (Art. 25)
        closed_on = link.closed_on if was == "closed_idle" and link.closed_on else ctx.today
        link.status, link.closed_on = "decommissioned", closed_on
        s.add(link)
        events.record(s, ctx, "link", link.id, "decommission", role=role, article=ARTICLE,
                      before={"status": was, **freed}, after={"status": "decommissioned", "closed_on": closed_on,
                                                             "reason": reason, "fee_period_end": closed_on})
        withdrawn = []
        for change in s.exec(select(ChangeRequest).where(ChangeRequest.link_id == link.id,
                                                         ChangeRequest.status.in_(("submitted", "approved")))).all():
            change.status = "withdrawn"
            s.add(change)
            events.record(s, ctx, "change", change.id, "withdraw", role=role, article=ARTICLE,
                          after={"status": "withdrawn", "because": f"link {link.id} decommissioned"})
            withdrawn.append(change.id)
        closed_apps = close_applications(s, ctx, link.id, "decommission", ARTICLE)
        notices = [for_link(s, ctx, "decommission", link, [(u, d) for u, d, _ in on],
                            decommission={"reason": reason, "on": ctx.today.isoformat(), "fee_end": closed_on.isoformat()})]
        return {"status": "decommissioned", "closed_on": closed_on.isoformat(), "freed": freed,
                "applications_closed": closed_apps, "changes_withdrawn": withdrawn, "notices": notices}
