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
    from egovnet.services.provision import default_driver_factory, link_job, push_all

    role = ctx.require(("bdc",), f"decommission link {link_id}", 7)
    reason = clean_text(reason, "reason", required=True)
    from egovnet.services.notices import preflight

    inventory = load_inventory(ctx.inventory)
    preflight(ctx, "decommission", link_id, ("active", "closed"),  # a broken template stops before the push
              decommission={"reason": reason, "on": ctx.today.isoformat(), "fee_end": ctx.today.isoformat()})
    with unit_of_work(ctx.engine, write=not dry_run) as s:
        link = get_link(s, link_id)
        if link.status not in ("active", "closed_idle"):
            hint = {"decommissioned": f"it was decommissioned on {link.closed_on}",
                    "cancelled": "it was never built"}.get(
                link.status, "it is not built yet: reject its applications with 'egovnet review reject'")
            raise PolicyViolation(f"link {link.id} is {link.status}; only an active link or one closed for "
                                  f"non-use is decommissioned; {hint}")
        before = link_dict(s, link)
        job = link_job(s, ctx, inventory, link, "close", unit=", ".join(before["units"]), journal=not dry_run)
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
        return {**out, "status": "rolled_back" if out["rolled_back"] else "failed"}
    return {**out, **_record(ctx, link_id, reason, role)}


def _record(ctx, link_id: int, reason: str, role: str) -> dict:
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
