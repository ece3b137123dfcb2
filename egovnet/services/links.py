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


def link_dict(s, link: Link, alloc=_ONE, names: list[tuple[str, str]] | None = None) -> dict:
    """One link as lists and ``link show`` print it. ``alloc`` (anything with device, port, vlan, subnet) and
    ``names`` (unit and department of each unit shown, in filing order) when the caller has them already:
    ``list_links`` reads them for every link at once."""
    if alloc is _ONE:
        alloc = s.exec(select(Allocation).where(Allocation.link_id == link.id)).first()
    if names is None:
        names = [(u.name, d.name) for u, d, _ in units_on(s, link.id, _units_shown(link))]
    return {
        "id": link.id, "status": link.status, "address": link.address, "mode": link.mode,
        "bandwidth_mbps": link.bandwidth_mbps, "device": alloc.device if alloc else None,
        "port": alloc.port if alloc else None, "vlan": alloc.vlan if alloc else None,
        "subnet": alloc.subnet if alloc else None,
        "units": [u for u, _ in names], "departments": sorted({d for _, d in names}),
        "opened_on": link.opened_on.isoformat() if link.opened_on else None,
        "first_used_on": link.first_used_on.isoformat() if link.first_used_on else None,
        "closed_on": link.closed_on.isoformat() if link.closed_on else None,
        # Art. 25: service fees run while the link is open
        "fee_period": {"from": link.opened_on.isoformat() if link.opened_on else None,
                       "to": link.closed_on.isoformat() if link.closed_on else None},
    }


def list_links(ctx, status: str | None = None) -> list[dict]:
    """Every link (or those of one status): two queries, the links with their allocations and the units on them,
    read as plain rows of columns (no ORM objects to build for thousands of links)."""
    with unit_of_work(ctx.engine, write=False) as s:
        conn = s.connection()
        q = select(Link.id, Link.status, Link.address, Link.mode, Link.bandwidth_mbps, Link.opened_on,
                   Link.first_used_on, Link.closed_on, Allocation.device, Allocation.port, Allocation.vlan,
                   Allocation.subnet).join(Allocation, Allocation.link_id == Link.id, isouter=True).order_by(Link.id)
        apps = select(Application.link_id, Application.status, Unit.id, Unit.name, Department.name) \
            .join(Unit, Unit.id == Application.unit_id).join(Department, Department.id == Unit.dept_id) \
            .where(Application.status.in_(("active", "closed")))
        if status:
            q = q.where(Link.status == status)
            apps = apps.join(Link, Link.id == Application.link_id).where(Link.status == status)
        names: dict[tuple[int, str], list[tuple[str, str]]] = {}
        seen = set()
        for link_id, app_status, unit_id, unit, dept in conn.execute(apps.order_by(Application.id)).all():
            key = (link_id, app_status)
            if (key, unit_id) not in seen:  # each unit once per link, in filing order (units_on)
                seen.add((key, unit_id))
                names.setdefault(key, []).append((unit, dept))
        return [link_dict(s, row, row if row.device is not None else None,
                          names.get((row.id, _units_shown(row)[0]), []))
                for row in conn.execute(q).all()]


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
