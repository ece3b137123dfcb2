"""Links (Art. 14): who is on each, where it sits on its device, and its fee period (Art. 25)."""

from __future__ import annotations

from sqlmodel import select

from egovnet.errors import NotFound
from egovnet.services import events
from egovnet.state.db import unit_of_work
from egovnet.state.models import Allocation, Application, Department, Link, Unit

STATUSES = ("requested", "approved", "provisioning", "active", "closed_idle", "decommissioned", "cancelled")


def get_link(s, link_id: int) -> Link:
    link = s.get(Link, link_id)
    if link is None:
        raise NotFound(f"link {link_id} not found; see 'egovnet link list'")
    return link


def units_on(s, link_id: int, statuses: tuple[str, ...] = ("active",)) -> list[tuple[Unit, Department, Application]]:
    """The units whose application on the link has one of ``statuses``, in filing order, each once."""
    q = select(Unit, Department, Application).join(Application, Application.unit_id == Unit.id) \
        .join(Department, Department.id == Unit.dept_id) \
        .where(Application.link_id == link_id, Application.status.in_(statuses)).order_by(Application.id)
    seen, out = set(), []
    for unit, dept, app in s.exec(q).all():
        if unit.id not in seen:
            seen.add(unit.id)
            out.append((unit, dept, app))
    return out


def _units_shown(link: Link) -> tuple[str, ...]:
    """Whose names a link shows: the units with an active application, or those on it when it was closed idle."""
    return ("active",) if link.status != "closed_idle" else ("closed",)


_ONE = object()


def link_dict(s, link: Link, alloc=_ONE, on: list | None = None) -> dict:
    """One link as lists and ``link show`` print it; ``alloc`` and ``on`` (units_on's rows) when the caller has
    them already (``list_links`` loads them for every link at once)."""
    if alloc is _ONE:
        alloc = s.exec(select(Allocation).where(Allocation.link_id == link.id)).first()
    if on is None:
        on = units_on(s, link.id, _units_shown(link))
    return {
        "id": link.id, "status": link.status, "address": link.address, "mode": link.mode,
        "bandwidth_mbps": link.bandwidth_mbps, "device": alloc.device if alloc else None,
        "port": alloc.port if alloc else None, "vlan": alloc.vlan if alloc else None,
        "subnet": alloc.subnet if alloc else None,
        "units": [u.name for u, _, _ in on], "departments": sorted({d.name for _, d, _ in on}),
        "opened_on": link.opened_on.isoformat() if link.opened_on else None,
        "first_used_on": link.first_used_on.isoformat() if link.first_used_on else None,
        "closed_on": link.closed_on.isoformat() if link.closed_on else None,
        # Art. 25: service fees run while the link is open
        "fee_period": {"from": link.opened_on.isoformat() if link.opened_on else None,
                       "to": link.closed_on.isoformat() if link.closed_on else None},
    }


def list_links(ctx, status: str | None = None) -> list[dict]:
    """Every link (or those of one status): two queries, the links with their allocations and the units on them."""
    with unit_of_work(ctx.engine, write=False) as s:
        q = select(Link, Allocation).join(Allocation, Allocation.link_id == Link.id, isouter=True).order_by(Link.id)
        apps = select(Unit, Department, Application).join(Application, Application.unit_id == Unit.id) \
            .join(Department, Department.id == Unit.dept_id).where(Application.status.in_(("active", "closed")))
        if status:
            q = q.where(Link.status == status)
            apps = apps.join(Link, Link.id == Application.link_id).where(Link.status == status)
        links = s.exec(q).all()
        on: dict[tuple[int, str], list] = {}
        seen = set()
        for unit, dept, app in s.exec(apps.order_by(Application.id)).all():
            key = (app.link_id, app.status)
            if (key, unit.id) not in seen:  # each unit once per link, in filing order (units_on)
                seen.add((key, unit.id))
                on.setdefault(key, []).append((unit, dept, app))
        return [link_dict(s, link, alloc, on.get((link.id, _units_shown(link)[0]), [])) for link, alloc in links]


def show_link(ctx, link_id: int) -> dict:
    with unit_of_work(ctx.engine, write=False) as s:
        link = get_link(s, link_id)
        out = link_dict(s, link)
        out["applications"] = [
            {"id": a.id, "unit": u.name, "status": a.status, "kind": a.kind}
            for a, u in s.exec(select(Application, Unit).join(Unit, Unit.id == Application.unit_id)
                               .where(Application.link_id == link.id).order_by(Application.id)).all()]
        out["events"] = events.event_rows(s, "link", link.id)
        return out
