"""Whether a wave fits the devices (Art. 12, 14): unit-facing ports, VLANs and subnets, before approving or building.

``fit`` walks the approved applications in the order ``provision`` builds them (by id) and allocates on paper
exactly as ``provision._allocate`` does (the town's access device, its first free port, the site's first free
VLAN and subnet), so that what it says fits is what a run builds. Nothing is written.
"""

from __future__ import annotations

import bisect
import ipaddress
from dataclasses import dataclass, field

from sqlmodel import select

from egovnet.errors import EgovnetError
from egovnet.state.models import Allocation, Application, Link, Unit


@dataclass
class _Site:
    vlans: list[int]                     # free, in pool order
    subnets: list                        # free candidates, in pool order
    total_vlans: int = 0
    total_subnets: int = 0


@dataclass
class Paper:
    """Free resources as a run would see them, taken as the walk allocates."""
    ports: dict[str, list[str]] = field(default_factory=dict)      # device -> free ports, in inventory order
    sites: dict[str, _Site] = field(default_factory=dict)
    new_links: dict[str, int] = field(default_factory=dict)         # device -> links the wave would build there
    placed: dict[int, str] = field(default_factory=dict)            # link -> device, for links with an allocation


def _free_subnets(pool, used: list[tuple[int, int]]) -> tuple[list, int]:
    """The pool's candidate subnets (in ``_allocate``'s order) that overlap no allocated subnet, and their count.
    ``used`` is sorted by start; a candidate overlaps when some range starting at or before its end reaches it."""
    starts = [a for a, _ in used]
    reach, top = [], -1
    for _, b in used:
        top = max(top, b)
        reach.append(top)  # the furthest end among the ranges so far
    free, total = [], 0
    for prefix in pool.prefixes:
        for candidate in ipaddress.ip_network(prefix).subnets(new_prefix=pool.subnet_prefixlen):
            total += 1
            lo, hi = int(candidate.network_address), int(candidate.broadcast_address)
            i = bisect.bisect_right(starts, hi)
            if not (i and reach[i - 1] >= lo):
                free.append(candidate)
    return free, total


def paper(s, inventory) -> Paper:
    allocs = s.exec(select(Allocation.link_id, Allocation.device, Allocation.site, Allocation.port, Allocation.vlan,
                           Allocation.subnet)).all()
    used_ports: dict[str, set] = {}
    used_vlans: dict[str, set] = {}
    used_nets = []
    out = Paper()
    for link_id, device, site, port, vlan, subnet in allocs:
        out.placed[link_id] = device
        used_ports.setdefault(device, set()).add(port)
        used_vlans.setdefault(site, set()).add(vlan)
        net = ipaddress.ip_network(subnet)
        used_nets.append((int(net.network_address), int(net.broadcast_address)))
    used_nets.sort()
    for dev in inventory.devices.values():
        out.ports[dev.name] = [p for p in dev.ports if p not in used_ports.get(dev.name, set())]
    for name, pool in inventory.pools.items():
        vlan_ids = pool.vlan_ids()
        subnets, total = _free_subnets(pool, used_nets)
        out.sites[name] = _Site([v for v in vlan_ids if v not in used_vlans.get(name, set())], subnets,
                                len(vlan_ids), total)
    return out


def _device_for(inventory, unit: Unit, wanted: str | None):
    if wanted:
        return inventory.devices.get(wanted)
    return next((d for d in inventory.devices.values() if d.role == "access" and unit.town in d.towns), None)


def fit(s, ctx, inventory, app_ids: list[int], device: str | None = None, board: Paper | None = None) -> list[dict]:
    """One row per application, in build order: fits or not, where, and why not. Takes from ``board``."""
    from egovnet.services.provision import check_capabilities

    board = board or paper(s, inventory)
    leaders: dict[int, dict] = {}  # link -> the row of the application that builds it in this wave
    rows = []
    ids = sorted(app_ids)
    apps, units, links = {}, {}, {}
    for i in range(0, len(ids), 500):  # a few queries for the whole wave, not three per application
        chunk = s.exec(select(Application, Unit, Link).join(Unit, Unit.id == Application.unit_id)
                       .join(Link, Link.id == Application.link_id).where(Application.id.in_(ids[i:i + 500]))).all()
        for app, unit, link in chunk:
            apps[app.id], units[app.id], links[app.id] = app, unit, link
    for app_id in ids:
        app, unit, link = apps[app_id], units[app_id], links[app_id]
        row = {"application": app.id, "unit": unit.name, "town": unit.town, "link": link.id, "device": None,
               "needs": "", "fits": True, "reason": None}
        rows.append(row)
        has_alloc = board.placed.get(link.id)
        if link.id in leaders:
            lead = leaders[link.id]
            row.update(device=lead["device"], needs=f"joins link {link.id} (Art. 14)", fits=lead["fits"],
                       reason=None if lead["fits"] else f"application {lead['application']}, which builds its "
                                                         f"link {link.id}, does not fit")
            continue
        leaders[link.id] = row
        if has_alloc:
            row.update(device=has_alloc, needs="nothing new (its link has its port, VLAN and subnet)")
            continue
        if link.status == "active":
            row.update(needs=f"joins link {link.id} (Art. 14)")
            continue
        until = ctx.policy.mlps_valid_until(unit.mlps_level, unit.mlps_assessed)
        if until is None or until < ctx.today:
            row.update(fits=False, reason=f"unit {unit.name}'s MLPS assessment is missing or expired "
                                          f"(Art. {ctx.policy.mlps.article}); record a current one first")
            continue
        dev = _device_for(inventory, unit, device)
        if dev is None:
            row.update(fits=False, reason=(f"device {device} is not in the inventory" if device else
                                           f"no access device in the inventory serves town {unit.town or '(none)'!r}; "
                                           "add the town to a device's towns or pass --device"))
            continue
        row["device"] = dev.name
        try:
            check_capabilities(dev, app.id, app.features)
        except EgovnetError as exc:
            row.update(fits=False, reason=str(exc))
            continue
        ports, site = board.ports.get(dev.name, []), board.sites.get(dev.site)
        if not ports:
            row.update(fits=False, reason=f"device {dev.name} has no free unit-facing port "
                                          f"({len(dev.ports)} in the inventory, all taken)")
        elif site is None or not site.vlans:
            row.update(fits=False, reason=f"the VLAN pool of site {dev.site} is exhausted")
        elif not site.subnets:
            row.update(fits=False, reason=f"the address pool of site {dev.site} is exhausted")
        else:
            port, vlan, subnet = ports.pop(0), site.vlans.pop(0), site.subnets.pop(0)
            row["needs"] = f"{port}, VLAN {vlan}, {subnet}"
            board.new_links[dev.name] = board.new_links.get(dev.name, 0) + 1
    return rows


def queue(s) -> list[int]:
    """Approved applications not yet being built: what ``provision --all-approved`` would take next."""
    return list(s.exec(select(Application.id).where(Application.status == "approved").order_by(Application.id)).all())


def capacity(ctx, inventory_folder) -> dict:
    """Per device: unit-facing ports, and its site's VLANs and subnets, free and total; then the approved
    applications not yet built, each with whether it fits and, if not, why."""
    from egovnet.inventory import load_inventory
    from egovnet.state.db import unit_of_work

    inventory = load_inventory(inventory_folder)
    with unit_of_work(ctx.engine, write=False) as s:
        board = paper(s, inventory)
        before = {d: len(p) for d, p in board.ports.items()}
        sites_before = {n: (len(x.vlans), len(x.subnets)) for n, x in board.sites.items()}
        rows = fit(s, ctx, inventory, queue(s), board=board)
    devices = []
    for dev in inventory.devices.values():
        mine = [r for r in rows if r["device"] == dev.name]
        vlans, subnets = sites_before.get(dev.site, (0, 0))
        site = board.sites.get(dev.site)
        devices.append({
            "device": dev.name, "site": dev.site, "ports_total": len(dev.ports), "ports_free": before[dev.name],
            "vlans_total": site.total_vlans if site else 0, "vlans_free": vlans,
            "subnets_total": site.total_subnets if site else 0, "subnets_free": subnets,
            "wave_new_links": board.new_links.get(dev.name, 0),
            "wave_fits": sum(1 for r in mine if r["fits"]), "wave_does_not_fit": sum(1 for r in mine if not r["fits"]),
        })
    unfit = [r for r in rows if not r["fits"]]
    return {"devices": devices, "approved": len(rows), "fits": len(rows) - len(unfit), "does_not_fit": len(unfit),
            "applications": rows}


def wave_warning(ctx, inventory_folder, app_ids: list[int]) -> str | None:
    """For ``review approve`` of a wave: one line when some of these applications will not fit (the approved
    queue before them is served first), naming per device what is short; None when all fit or there is no
    inventory to check against."""
    from pathlib import Path

    if not (Path(inventory_folder) / "inventory.yaml").exists():
        return None
    try:
        data = capacity(ctx, inventory_folder)
    except EgovnetError as exc:  # the approval stands; the check is advice
        return f"whether the wave fits the devices was not checked: {exc}"
    wave = set(app_ids)
    unfit = [r for r in data["applications"] if r["application"] in wave and not r["fits"]]
    if not unfit:
        return None
    short = []
    for d in data["devices"]:
        # links of this wave on the device that found no port, beside the ones that did
        links = {r["link"] for r in unfit if r["device"] == d["device"] and "unit-facing port" in (r["reason"] or "")}
        if links:
            short.append(f"{d['device']} needs {d['wave_new_links'] + len(links)} unit-facing ports, "
                         f"{d['ports_free']} free")
        others = [r for r in unfit if r["device"] == d["device"] and "unit-facing port" not in (r["reason"] or "")
                  and "does not fit" not in (r["reason"] or "")]
        if others:
            short.append(f"{d['device']}: {others[0]['reason']}" + (f" (and {len(others) - 1} more)"
                                                                     if len(others) > 1 else ""))
    other = sum(1 for r in unfit if r["device"] is None)
    if other:
        short.append(f"{other} for another reason (first: {next(r['reason'] for r in unfit if r['device'] is None)})")
    return (f"{len(unfit)} of the {len(wave)} applications approved do not fit the devices: " + "; ".join(short) +
            "; see 'egovnet device capacity', and 'egovnet provision --all-approved --fit' builds what fits")
