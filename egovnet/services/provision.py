"""Provisioning (Art. 12-14): an approved application becomes a working link on its edge device.

Three steps, never a write transaction across SSH:
1. plan   - one BEGIN IMMEDIATE transaction: pick device, port, VLAN, subnet; render; journal 'planned';
2. push   - per device, in a bounded pool, one connection each: back up, diff, push, verify, save;
            on any failure undo on the device and check it is back as it was;
3. record - link and application 'active', opened_on, late builds reported.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import select

from egovnet.devices import platforms
from egovnet.devices.driver import DeviceResult
from egovnet.devices.render import render
from egovnet.devices.safety import check_commands
from egovnet.errors import EgovnetError, NotFound, PolicyViolation
from egovnet.services import events, pushes
from egovnet.services.device_check import refuse_unless_ready
from egovnet.state.db import unit_of_work
from egovnet.state.models import Allocation, Application, Link, Push, Unit, utcnow


@dataclass
class Job:
    app_id: int
    link_id: int
    unit: str
    unit_code: str
    device: str
    platform: str
    commands: list[str]
    context: dict
    push_id: int | None = None
    joins: bool = False          # the link is already built: no device work (Art. 14)
    construction_due: dt.date | None = None
    result: DeviceResult | None = None
    action: str = "open"         # open | close | shutdown | no_shutdown | bandwidth (the template's name)
    also: tuple[str, ...] = ()     # further templates rendered after the action's (a rate with a reopening)
    previous: dict | None = None   # the context before the job (the old rate), for platforms that undo by template
    reopen: bool = False           # re-enables a link closed for non-use (Art. 15)

    @property
    def actions(self) -> tuple[str, ...]:
        return (self.action, *self.also)

    @property
    def label(self) -> str:
        return f"application {self.app_id}" if self.app_id else f"link {self.link_id} ({self.action})"


def build_context(device, alloc: dict, app_id: int, link_id: int, unit_code: str, bandwidth_mbps: int,
                  features: dict) -> dict:
    """Everything a template may use. Pure; only ASCII codes and numbers, never a Chinese name."""
    net = ipaddress.ip_network(alloc["subnet"])
    gateway = next(net.hosts())
    approved = {k for k, v in (features or {}).items() if v.get("approved")}  # Art. 13
    return {
        "description": f"egov-L{link_id}-A{app_id}-{unit_code}", "link_id": link_id, "app_id": app_id,
        "port": alloc["port"], "vlan": alloc["vlan"], "subnet": str(net), "gateway": str(gateway),
        "netmask": str(net.netmask), "prefix": net.prefixlen, "vrf": device.vrf, "acl": device.isolation_acl,
        "bandwidth_mbps": bandwidth_mbps, "bandwidth_kbps": bandwidth_mbps * 1000,
        "bandwidth_bps": bandwidth_mbps * 1_000_000, "qos_policy": f"EGOV-RL-L{link_id}",
        "nat": "nat" in approved, "nat_acl": device.nat_acl,
        "encryption": "encryption" in approved, "ipsec_policy": device.ipsec_policy,
        "core_prefix": device.core_prefix, "vtp_mode": device.vtp_mode, "device": device.name,
    }


# Pushes that only take exposure away are never held back by a device missing its VPN instance or isolation ACL
# (Art. 3): the Office's emergency cut (Art. 23) and a remediation that types a removed isolation rule back (Art. 22).
UNREFUSED_ACTIONS = frozenset({"disconnect", "repair"})

FEATURE_CAPABILITY = {"nat": ("nat", "NAT"), "encryption": ("ipsec", "IPsec encryption")}


def check_capabilities(device, app_id: int, features: dict) -> None:
    """Art. 13: an approved NAT or encryption goes only to a device whose inventory says it can carry it."""
    for feature, (capability, label) in FEATURE_CAPABILITY.items():
        if (features or {}).get(feature, {}).get("approved") and capability not in device.capabilities:
            raise PolicyViolation(
                f"application {app_id} is approved for {label} (Art. 13), but device {device.name} has no "
                f"'{capability}' capability in the inventory; add {capability} to its capabilities if it can carry "
                f"it, or choose another device with --device")


def link_job(s, ctx, inventory, link: Link, action: str, *, app_id: int = 0, unit: str = "", unit_code: str = "",
             bandwidth_mbps: int | None = None, also: tuple[str, ...] = (), journal: bool = True,
             intent: dict | None = None) -> Job:
    """One device job on an already-built link, from its allocation: render the action's template (and any
    templates in ``also``) and journal a 'planned' push in the caller's transaction, leasing the device and the
    link for this run. A job that changes the rate keeps the link's current rate as ``previous``, so that it can
    be undone. ``intent`` is what the caller's record step needs to be finished by a later run."""
    alloc = s.exec(select(Allocation).where(Allocation.link_id == link.id)).first()
    if alloc is None:
        raise PolicyViolation(f"link {link.id} has no port, VLAN or subnet on record, so nothing of it is on a "
                              f"device; see 'egovnet log list --type link --id {link.id}'")
    dev = inventory.device(alloc.device)
    place = {"device": alloc.device, "port": alloc.port, "vlan": alloc.vlan, "subnet": alloc.subnet}
    context = build_context(dev, place, app_id, link.id, unit_code or "link",
                            bandwidth_mbps if bandwidth_mbps is not None else link.bandwidth_mbps, {})
    previous = None
    if bandwidth_mbps is not None and bandwidth_mbps != link.bandwidth_mbps:
        previous = build_context(dev, place, app_id, link.id, unit_code or "link", link.bandwidth_mbps, {})
    commands = []
    for name in (action, *also):
        commands += render(dev.platform, name, context, ctx.inventory)
    job = Job(app_id, link.id, unit, unit_code, dev.name, dev.platform, commands, context, action=action,
              also=tuple(also), previous=previous)
    if journal:
        pushes.take(s, ctx, [("application", app_id) if app_id else ("link", link.id), ("device", dev.name)])
        push = Push(link_id=link.id, application_id=app_id or None, device=dev.name, action=action,
                    commands=commands, actor=ctx.user, effective_date=ctx.today, run_id=pushes.current(ctx).id,
                    intent={"service": "provision", **(intent or {}), "unit": unit, "unit_code": unit_code,
                            "context": context, "previous": previous, "also": list(also)})
        s.add(push)
        s.flush()
        job.push_id = push.id
    return job


def default_driver_factory(inventory, session_log: Path | None = None):
    """Sessions through Netmiko; its classes are imported here, in the caller's thread, before any pool."""
    from egovnet.devices.netmiko_driver import NetmikoDriver, preload

    preload()

    def factory(dev):
        log = Path(session_log) / f"{dev.name}.log" if session_log else None
        return NetmikoDriver(dev, inventory.known_hosts, session_log=log)
    return factory


def _pick_device(inventory, unit: Unit, wanted: str | None):
    if wanted:
        return inventory.device(wanted)
    for dev in inventory.devices.values():
        if dev.role == "access" and unit.town in dev.towns:
            return dev
    raise PolicyViolation(f"no access device in the inventory serves town {unit.town or '(none)'!r} of unit "
                          f"{unit.name}; add the town to a device's towns or pass --device")


def _allocate(s, inventory, device, link: Link) -> dict:
    pool = inventory.pools[device.site]
    used_ports = set(s.exec(select(Allocation.port).where(Allocation.device == device.name)).all())
    port = next((p for p in device.ports if p not in used_ports), None)
    if port is None:
        raise PolicyViolation(f"device {device.name} has no free unit-facing port ({len(device.ports)} in use); "
                              "add ports to the inventory or choose another device with --device")
    used_vlans = set(s.exec(select(Allocation.vlan).where(Allocation.site == device.site)).all())
    vlan = next((v for v in pool.vlan_ids() if v not in used_vlans), None)
    if vlan is None:
        raise PolicyViolation(f"the VLAN pool of site {device.site} ({pool.vlans}) is exhausted")
    used_nets = [ipaddress.ip_network(n) for n in s.exec(select(Allocation.subnet)).all()]
    subnet = None
    for prefix in pool.prefixes:
        for candidate in ipaddress.ip_network(prefix).subnets(new_prefix=pool.subnet_prefixlen):
            if not any(candidate.overlaps(n) for n in used_nets):
                subnet = candidate
                break
        if subnet:
            break
    if subnet is None:
        raise PolicyViolation(f"the address pool of site {device.site} ({', '.join(pool.prefixes)}) is exhausted")
    alloc = Allocation(link_id=link.id, device=device.name, site=device.site, port=port, vlan=vlan,
                       subnet=str(subnet))
    s.add(alloc)
    s.flush()
    return {"device": device.name, "port": port, "vlan": vlan, "subnet": str(subnet)}


class _DryRun(Exception):
    def __init__(self, jobs):
        self.jobs = jobs


def plan(ctx, inventory, app_ids: list[int], *, all_approved: bool, device: str | None, dry_run: bool,
         fit: bool = False, skipped: list | None = None) -> list[Job]:
    """The run's jobs. With ``fit``, only the applications whose link fits its device (ports, VLANs, subnets,
    capabilities, MLPS; services.capacity), the others are put in ``skipped`` with their reason."""
    role = ctx.require(("bdc",), "provision links", 7)
    try:
        with unit_of_work(ctx.engine) as s:
            if all_approved:
                # the cron path also picks up applications an interrupted run left in 'provisioning' (their
                # journal rows were finished by pushes.settle); those another live run is pushing stay its own
                app_ids = sorted(set(app_ids) | set(s.exec(select(Application.id).where(
                    Application.status.in_(("approved", "provisioning")))).all()) - busy_apps(s, ctx))
            if not app_ids:
                raise NotFound("no applications to provision; name them, or use --all-approved")
            if fit:
                app_ids = _fitting(s, ctx, inventory, app_ids, device, skipped if skipped is not None else [])
            jobs: list[Job] = []
            planned_links: dict[int, Job] = {}
            for app_id in app_ids:
                app = s.get(Application, app_id)
                if app is None:
                    raise NotFound(f"application {app_id} not found; see 'egovnet review list'")
                if app.status not in ("approved", "provisioning", "active"):
                    raise PolicyViolation(f"application {app_id} is {app.status}; only an approved application "
                                          "is provisioned (Art. 12)")
                unit = s.get(Unit, app.unit_id)
                from egovnet.services.security import live_incidents, refuse_if_cut

                # Art. 23: nothing is built, joined or reopened for a unit (or on a link) the Office has cut off;
                # the cron run (--all-approved) leaves such an application for later and goes on with the others
                if all_approved and live_incidents(s, unit_ids=[unit.id], link_ids=[app.link_id]):
                    continue
                refuse_if_cut(s, f"provisioning application {app_id}", unit_ids=[unit.id], link_ids=[app.link_id])
                until = ctx.policy.mlps_valid_until(unit.mlps_level, unit.mlps_assessed)
                if app.status != "active" and (until is None or until < ctx.today):
                    raise PolicyViolation(f"application {app_id}: unit {unit.name}'s MLPS assessment is missing or "
                                          f"expired (Art. {ctx.policy.mlps.article}); record a current one first")
                link = s.get(Link, app.link_id)
                alloc = s.exec(select(Allocation).where(Allocation.link_id == link.id)).first()
                # a link is built once, by its first application; every other unit at the address joins it
                if link.id in planned_links or (link.status == "active" and (app.status != "active" or app.joined_link)):
                    first = planned_links.get(link.id)
                    dev = inventory.device(alloc.device if alloc else first.device)
                    jobs.append(Job(app.id, link.id, unit.name, unit.code, dev.name, dev.platform, [], {},
                                    joins=True, construction_due=app.construction_due))
                    continue
                if link.status == "closed_idle" and alloc is not None:
                    from egovnet.services.applications import _address_free

                    _address_free(s, link)  # Art. 14: another link may have taken the address since filing
                    job = _reopen_job(s, ctx, inventory, link, app, unit, dry_run)
                    planned_links[link.id] = job
                    jobs.append(job)
                    continue
                if alloc is None:
                    dev = _pick_device(inventory, unit, device)
                    place = _allocate(s, inventory, dev, link)
                    events.record(s, ctx, "link", link.id, "allocate", role=role, article=14, after=place)
                else:
                    dev = inventory.device(alloc.device)
                    place = {"device": alloc.device, "port": alloc.port, "vlan": alloc.vlan, "subnet": alloc.subnet}
                check_capabilities(dev, app.id, app.features)
                context = build_context(dev, place, app.id, link.id, unit.code,
                                        max(app.bandwidth_mbps, link.bandwidth_mbps), app.features)
                commands = render(dev.platform, "open", context, ctx.inventory)
                job = Job(app.id, link.id, unit.name, unit.code, dev.name, dev.platform, commands, context,
                          construction_due=app.construction_due)
                if not dry_run:
                    pushes.take(s, ctx, [("application", app.id), ("device", dev.name)])
                    due = app.construction_due.isoformat() if app.construction_due else None
                    push = Push(link_id=link.id, application_id=app.id, device=dev.name, action="open",
                                commands=commands, actor=ctx.user, effective_date=ctx.today,
                                run_id=pushes.current(ctx).id,
                                intent={"service": "provision", "unit": unit.name, "unit_code": unit.code,
                                        "context": context, "construction_due": due})
                    s.add(push)
                    s.flush()
                    job.push_id = push.id
                    if app.status == "approved":
                        app.status = "provisioning"
                        s.add(app)
                    if link.status != "active":
                        link.status = "provisioning"
                        s.add(link)
                planned_links[link.id] = job
                jobs.append(job)
            if dry_run:
                raise _DryRun(jobs)
            return jobs
    except _DryRun as dry:
        return dry.jobs


def _fitting(s, ctx, inventory, app_ids: list[int], device: str | None, skipped: list) -> list[int]:
    from egovnet.services.capacity import fit

    skipped.clear()  # a retried plan starts again
    known = [a for a in app_ids if s.get(Application, a) is not None]
    rows = fit(s, ctx, inventory, known, device)
    skipped.extend(r for r in rows if not r["fits"])
    keep = {r["application"] for r in rows if r["fits"]} | (set(app_ids) - set(known))  # unknown ids: NotFound below
    if not keep:
        first = skipped[0]
        raise PolicyViolation(f"none of the {len(rows)} applications fits the devices, nothing was built: "
                              f"application {first['application']}: {first['reason']}; see 'egovnet device capacity'")
    return [a for a in app_ids if a in keep]


def _reopen_job(s, ctx, inventory, link: Link, app: Application, unit: Unit, dry_run: bool) -> Job:
    """Art. 15: a reopened link comes back on its own port, VLAN and subnet: the port is enabled again
    (and its rate set, when the new application asks for another bandwidth); nothing is built anew."""
    if app.kind != "reopen":
        raise PolicyViolation(f"application {app.id}: link {link.id} was closed for non-use (Art. 15); it reopens "
                              f"only through an application filed with 'egovnet apply --reopen {link.id}'")
    rate = () if app.bandwidth_mbps == link.bandwidth_mbps else ("bandwidth",)
    due = app.construction_due.isoformat() if app.construction_due else None
    job = link_job(s, ctx, inventory, link, "no_shutdown", app_id=app.id, unit=unit.name, unit_code=unit.code,
                   bandwidth_mbps=app.bandwidth_mbps, also=rate, journal=not dry_run,
                   intent={"reopen": True, "construction_due": due})
    job.construction_due, job.reopen = app.construction_due, True
    if not dry_run and app.status == "approved":
        app.status = "provisioning"
        s.add(app)
    return job


def _set_push(ctx, push_id: int | None, **values) -> None:
    if push_id is None:
        return
    with unit_of_work(ctx.engine) as s:
        push = s.get(Push, push_id)
        for k, v in values.items():
            setattr(push, k, v)
        s.add(push)
    pushes.checkpoint(values.get("status"))


def busy_apps(s, ctx) -> set[int]:
    """Applications another live run holds a lease on."""
    from egovnet.state.models import Lease

    mine = pushes.current(ctx).id
    return {int(lease.object_key) for lease in s.exec(select(Lease).where(Lease.object_type == "application")).all()
            if lease.run_id != mine and pushes.alive(lease)}


def _backup(home: Path, device: str, text: str) -> Path:
    folder = Path(home) / "backups" / device
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{dt.datetime.now():%Y%m%dT%H%M%S%f}.cfg"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    return path


def push_device(ctx, device, jobs: list[Job], driver_factory, dry_run: bool, progress=None) -> None:
    """All of one device's jobs over one connection. Fills job.result; never raises."""
    work = [j for j in jobs if not j.joins]
    p = platforms.get(device.platform)
    driver = None
    try:
        driver = driver_factory(device)
        driver.open()
        running = driver.running_config()
        if not all(j.action in UNREFUSED_ACTIONS for j in work):
            refuse_unless_ready(ctx, driver, device, running, work)  # Art. 3: VPN instance and isolation ACL first
        backup = None if dry_run else _backup(ctx.home, device.name, running)
        for job in work:
            gaps = p.gaps(running, job)
            if dry_run or not gaps:
                job.result = DeviceResult(device.name, job.label, changed=False,
                                          diff=diff_lines(gaps, job.commands) if dry_run else [],
                                          extra={"commands": job.commands if dry_run else []})
                if not dry_run:
                    _save_if_unsaved(driver, p, job)
                    _set_push(ctx, job.push_id, status="applied", backup_path=str(backup), finished_at=utcnow())
                continue
            _set_push(ctx, job.push_id, status="pushing", backup_path=str(backup))
            try:
                if job.action in p.step_by_step:
                    _each(driver, job.commands)
                else:
                    driver.configure(job.commands)
                # the device's last job is verified on the sections it touched when the platform can show them
                # alone (a port's section on a switch with thousands of lines); earlier jobs read the whole
                # config, which the next job diffs against and would roll back to. Only the whole config
                # declares a push failed: a section read that does not confirm it is checked once more in full
                reads = p.verify_commands(job) if job is work[-1] else None
                after = "\n".join(driver.show(c) for c in reads) if reads else driver.running_config()
                still = p.gaps(after, job, verifying=True)
                if still and reads:
                    reads, after = None, driver.running_config()
                    still = p.gaps(after, job, verifying=True)
                if still:
                    raise EgovnetError(f"device {device.name}: verification failed, not on the device: "
                                       + "; ".join(still[:3]))
                _set_push(ctx, job.push_id, status="verified")
                driver.save()
                _set_push(ctx, job.push_id, status="applied", finished_at=utcnow())
                job.result = DeviceResult(device.name, job.label, changed=True,
                                          diff=diff_lines(gaps, job.commands))
                if not reads:
                    running = after
            except EgovnetError as exc:
                if getattr(exc, "session_lost", False):
                    driver.abort()
                    driver = driver_factory(device)
                    driver.open()
                job.result = _roll_back(ctx, driver, device, job, running, str(exc))
                running = driver.running_config()
    except Exception as exc:  # one device's trouble never stops the others
        if not isinstance(exc, EgovnetError):
            exc = EgovnetError(f"device {device.name}: unexpected {exc.__class__.__name__}: {str(exc)[:200]}")
        from egovnet.errors import HostKeyChanged

        if isinstance(exc, HostKeyChanged):  # possible interception: a security event in the Office's list (Art. 20)
            from egovnet.services.security import record_host_key_mismatch

            record_host_key_mismatch(ctx, device.name, str(exc), [j.push_id for j in work])
        for job in work:
            if job.result is None:
                job.result = DeviceResult(device.name, job.label, failed=True, error=str(exc))
                _set_push(ctx, job.push_id, status="failed", error=str(exc)[:2000], finished_at=utcnow())
    finally:
        if driver is not None:
            if _hung(work):
                driver.abort()
            else:
                driver.close()
        for _ in jobs:
            if progress:
                progress()


GONE = " (should be gone)"
EXITS = ("quit", "exit", "end", "return")


def diff_lines(gaps: list[str], commands: list[str]) -> list[str]:
    """The job's difference to the device as a reader expects it: ``+`` what it adds (a new section with the
    lines the commands put inside it), ``-`` what it removes; ``section / line`` for one line of a section."""
    out = []
    for gap in gaps:
        if gap.endswith(GONE):
            out.append(f"- {gap[:-len(GONE)]}")
            continue
        out.append(f"+ {gap}")
        if " / " in gap:
            continue
        for i, command in enumerate(commands):  # a whole new section: its lines, as the commands write them
            if command.strip() == gap and not command[:1].isspace():
                for inner in commands[i + 1:]:
                    if not inner[:1].isspace() or inner.strip() in EXITS:
                        break
                    out.append(f"+ {inner.rstrip()}")
                break
    return out


def _save_if_unsaved(driver, p, job: Job) -> bool:
    """Nothing to push, but the device's saved (startup) config may still lack what the job means to leave (a
    run that died between verify and save): then save, so that the change survives a reboot."""
    stored = driver.saved_config()
    if stored is None or not p.gaps(stored, job, verifying=True):
        return False
    driver.save()
    return True


def _each(driver, commands: list[str]) -> None:
    """Linux steps one by one: a step for a part already gone ('tc qdisc del' with no qdisc) fails alone, and
    the verification that follows decides."""
    for command in commands:
        try:
            driver.configure([command])
        except EgovnetError as exc:
            if getattr(exc, "session_lost", False):
                raise


def _hung(jobs: list[Job]) -> bool:
    return any(j.result and j.result.error and ("timed out" in j.result.error.lower() or "timeout" in j.result.error.lower())
               for j in jobs)


def _roll_back(ctx, driver, device, job: Job, before: str, error: str) -> DeviceResult:
    """Undo on the device what the push may have left, then check it is as it was."""
    result = DeviceResult(device.name, job.label, failed=True, error=error)
    p = platforms.get(device.platform)
    try:
        driver.discard()
        current = driver.running_config()
        undo = check_commands(p.undo(before, current, job,
                                     lambda action, context: render(device.platform, action, context, ctx.inventory)),
                              device.platform)
        if undo:
            _each(driver, undo) if p.step_by_step else driver.configure(undo)
        _set_push(ctx, job.push_id, rollback=undo)
        now = driver.running_config()
        same = p.same(now, before)
        status = "rolled_back" if same else "failed"
        if not same:
            result.error = f"{error}; ROLLBACK INCOMPLETE: compare with the backup"
        _set_push(ctx, job.push_id, status=status, error=result.error[:2000], finished_at=utcnow())
        result.extra["rolled_back"] = same
    except EgovnetError as exc:
        result.error = f"{error}; rollback failed: {exc}"
        result.extra["rolled_back"] = False
        _set_push(ctx, job.push_id, status="failed", error=result.error[:2000], finished_at=utcnow())
    return result


def record(ctx, jobs: list[Job]) -> list[dict]:
    """Links and applications whose push applied become active (Art. 12); late builds are named."""
    by_link = {j.link_id: j for j in jobs if not j.joins}
    rows = []
    with unit_of_work(ctx.engine) as s:
        for job in jobs:
            lead = by_link.get(job.link_id)
            app = s.get(Application, job.app_id)
            link = s.get(Link, job.link_id)
            res = (lead.result if lead else None)
            ok = (res is not None and not res.failed) or (job.joins and link.status == "active" and lead is None)
            if ok:
                if lead is not None and lead.reopen and link.status == "closed_idle":
                    before = {"status": link.status, "opened_on": link.opened_on, "closed_on": link.closed_on,
                              "bandwidth_mbps": link.bandwidth_mbps}
                    # the 3-month clock of Art. 15 and the fee period start again from today
                    link.status, link.opened_on, link.closed_on = "active", ctx.today, None
                    link.bandwidth_mbps = lead.context["bandwidth_mbps"]
                    s.add(link)
                    events.record(s, ctx, "link", link.id, "reopen", role="bdc", article=15, before=before,
                                  after={"status": "active", "opened_on": ctx.today, "closed_on": None,
                                         "bandwidth_mbps": link.bandwidth_mbps, "application": lead.app_id})
                if link.status != "active":
                    link.status, link.opened_on = "active", ctx.today
                    s.add(link)
                    events.record(s, ctx, "link", link.id, "open", role="bdc", article=12,
                                  before={"status": "provisioning"}, after={"status": "active", "opened_on": ctx.today})
                if app.status != "active":
                    app.status = "active"
                    s.add(app)
                    events.record(s, ctx, "application", app.id, "activate", role="bdc", article=12,
                                  after={"status": "active", "link_id": link.id})
            elif app.status == "provisioning":
                app.status = "approved"  # back in the queue; the journal says why
                s.add(app)
                if link.status == "provisioning":
                    link.status = "approved"
                    s.add(link)
            late = bool(ok and job.construction_due and ctx.today > job.construction_due)
            status = ("joined" if job.joins else "applied" if res and res.changed else "unchanged") if ok else \
                ("rolled_back" if res and res.extra.get("rolled_back") else "failed")
            if not job.joins:
                pushes.mark_recorded(s, job.push_id)
            alloc = s.exec(select(Allocation).where(Allocation.link_id == job.link_id)).first()
            rows.append({
                "application": job.app_id, "unit": job.unit, "unit_code": job.unit_code, "link": job.link_id,
                "device": job.device, "port": alloc.port if alloc else None, "vlan": alloc.vlan if alloc else None,
                "subnet": alloc.subnet if alloc else None, "status": status, "changed": bool(res and res.changed and not job.joins),
                "failed": not ok, "diff": res.diff if res and not job.joins else [],
                "error": (res.error if res else "the link's own push did not succeed") if not ok else None,
                "late": late, "construction_due": job.construction_due.isoformat() if job.construction_due else None,
            })
    return rows


def push_all(ctx, inventory, jobs: list[Job], driver_factory, *, dry_run: bool, workers: int, progress=None) -> None:
    """Every device's jobs in a bounded pool, one connection per device; fills each job's result."""
    by_device: dict[str, list[Job]] = {}
    for job in jobs:
        by_device.setdefault(job.device, []).append(job)
    if not dry_run and any(j.push_id for j in jobs):
        pushes.checkpoint("planned")
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(by_device) or 1))) as pool:
        list(pool.map(lambda name: push_device(ctx, inventory.device(name), by_device[name], driver_factory,
                                               dry_run, progress), by_device))


def provision(ctx, app_ids: list[int], *, all_approved: bool = False, device: str | None = None,
              dry_run: bool = False, workers: int = 4, session_log: Path | None = None,
              driver_factory=None, progress=None, on_total=None, fit: bool = False) -> dict:
    """``fit``: build only the applications that fit their device; the result's ``not_built`` lists the others
    with the reason (services.capacity)."""
    from egovnet.inventory import load_inventory

    inventory = load_inventory(ctx.inventory)
    skipped: list[dict] = []
    with pushes.running(ctx, "provision"):
        if dry_run:
            jobs = plan(ctx, inventory, app_ids, all_approved=all_approved, device=device, dry_run=True,
                        fit=fit, skipped=skipped)
        else:
            ctx.require(("bdc",), "provision links", 7)
            driver_factory = driver_factory or default_driver_factory(inventory, session_log)
            # an earlier run that died with these applications half-pushed is finished (or undone) first
            resumed = pushes.settle(ctx, inventory, driver_factory, apps=None if all_approved else set(app_ids),
                                    services={"provision"})
            try:
                jobs = pushes.retrying(lambda: plan(ctx, inventory, app_ids, all_approved=all_approved,
                                                    device=device, dry_run=False, fit=fit, skipped=skipped))
            except NotFound:
                if not (all_approved and resumed):
                    raise
                jobs = []  # the cron run only finished what an interrupted run left
        driver_factory = driver_factory or default_driver_factory(inventory, session_log)
        if on_total:
            on_total(len(jobs))
        push_all(ctx, inventory, jobs, driver_factory, dry_run=dry_run, workers=workers, progress=progress)
        if not dry_run:
            rows = record(ctx, jobs)
            return {"dry_run": False, "results": rows, "resumed": resumed, **({"not_built": skipped} if fit else {})}
    if dry_run:
        rows = [{"application": j.app_id, "unit": j.unit, "link": j.link_id, "device": j.device,
                 "status": "joined" if j.joins else ("failed" if j.result and j.result.failed else "planned"),
                 "commands": [] if j.joins else j.commands, "diff": j.result.diff if j.result and not j.joins else [],
                 "failed": bool(j.result and j.result.failed), "error": j.result.error if j.result else None}
                for j in jobs]
        return {"dry_run": True, "results": rows, **({"not_built": skipped} if fit else {})}

