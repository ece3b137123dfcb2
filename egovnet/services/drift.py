"""Drift and compliance (Art. 22; 3 and 19 where the isolation is touched): each device's running config against
the state egovnet intends there, and remediation through the usual push path.

Intended state: every active (or closed-for-non-use) link's templates, rendered with the context its open push
used (the port, VLAN, subnet and description on the device) and the link's current rate; a link closed for
non-use adds its shutdown. Scope, as the issue draws it: the sections those templates own (the unit-facing port,
the unit VLAN, its VLAN interface, the link's QoS policy or nftables table), any other port carrying a unit VLAN,
the VPN instance and the isolation ACL (against the last clean audit's config, else the first backup egovnet
took of the device), and a running config that is not saved. Nothing else on the device is judged.

Backups: each audit keeps the device's running config (password/key lines masked) as
``EGOVNET_HOME/backups/<device>/<YYYYmmddTHHMMSS>.cfg``; ``last-clean`` in that folder names the newest backup
of an audit that found nothing, so ``diff last-clean-file newest-file`` is what changed since.

Findings are rows (``drift_finding``) open until ``remediate`` fixes them (with its push id) or an audit no
longer sees them; each new finding and each run is an event (``drift.found``, ``drift.audit``, ``drift.resolved``),
so that the Office sees them among security events.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from egovnet.errors import EgovnetError, NotFound, PolicyViolation

ARTICLE = 22
LINK_STATES = ("active", "closed_idle")
_SECRET = re.compile(r"(?i)\b(password|secret|cipher|irreversible-cipher|simple|key-string|pre-shared-key|"
                     r"pre-share-key|authentication-key|community|ssh-key|key)\b(\s+)\S.*$")


# ---- intended state ---------------------------------------------------------------------------------------

def _intents(s, ctx, inventory, device_name: str | None, link_id: int | None) -> dict[str, list[dict]]:
    """{device: [{link, commands, rate_commands, context}]} for the links egovnet keeps on devices."""
    from sqlmodel import select

    from egovnet.devices.render import render
    from egovnet.services.provision import build_context
    from egovnet.state.models import Allocation, Application, Link, Push, Unit

    out: dict[str, list[dict]] = {}
    rows = s.exec(select(Link, Allocation).where(Allocation.link_id == Link.id, Link.status.in_(LINK_STATES))
                  .order_by(Link.id)).all()
    for link, alloc in rows:
        if (device_name and alloc.device != device_name) or alloc.device not in inventory.devices:
            continue
        dev = inventory.device(alloc.device)
        # the context the link was built with (its description names the first application and unit)
        opened = s.exec(select(Push).where(Push.link_id == link.id, Push.action == "open", Push.status == "applied")
                        .order_by(Push.id.desc())).first()
        context = dict((opened.intent or {}).get("context") or {}) if opened else {}
        if not context:
            app = s.exec(select(Application).where(Application.link_id == link.id).order_by(Application.id)).first()
            unit = s.get(Unit, app.unit_id) if app else None
            place = {"device": alloc.device, "port": alloc.port, "vlan": alloc.vlan, "subnet": alloc.subnet}
            context = build_context(dev, place, app.id if app else 0, link.id, unit.code if unit else "link",
                                    link.bandwidth_mbps, app.features if app else {})
        context.update({"bandwidth_mbps": link.bandwidth_mbps, "bandwidth_kbps": link.bandwidth_mbps * 1000,
                        "bandwidth_bps": link.bandwidth_mbps * 1_000_000})
        actions = ["open"] + (["shutdown"] if link.status == "closed_idle" else [])
        commands = [c for a in actions for c in render(dev.platform, a, context, ctx.inventory)]
        out.setdefault(alloc.device, []).append({
            "link": link.id, "commands": commands, "context": context,
            "rate_commands": render(dev.platform, "bandwidth", context, ctx.inventory)})
    if link_id is not None:
        out = {d: [i for i in items if i["link"] == link_id] for d, items in out.items()}
        out = {d: items for d, items in out.items() if items}
    return out


# ---- backups ----------------------------------------------------------------------------------------------

def masked(text: str) -> str:
    """The config with what follows a password/key/community word replaced (no secret in a backup)."""
    return "\n".join(_SECRET.sub(lambda m: f"{m.group(1)}{m.group(2)}******", line) for line in text.splitlines())


def _backup(home: Path, device: str, text: str, when: dt.datetime) -> Path:
    folder = Path(home) / "backups" / device
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"{when:%Y%m%dT%H%M%S}"
    for n in range(1, 1000):
        path = folder / (f"{stem}.cfg" if n == 1 else f"{stem}-{n}.cfg")
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            continue
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(masked(text) + "\n")
        return path
    raise EgovnetError(f"device {device}: too many backups in one second under {folder}")


def _mark_clean(path: Path) -> None:
    pointer = path.parent / "last-clean"
    tmp = path.parent / f".last-clean.{os.getpid()}"
    tmp.write_text(path.name + "\n", encoding="utf-8")
    os.replace(tmp, pointer)


def _baseline(home: Path, device: str) -> str | None:
    """The last clean audit's config, else the oldest backup egovnet took of the device (before its first
    push, when the device was checked ready), else None."""
    folder = Path(home) / "backups" / device
    pointer = folder / "last-clean"
    try:
        return (folder / pointer.read_text(encoding="utf-8").strip()).read_text(encoding="utf-8")
    except OSError:
        pass
    files = sorted(folder.glob("*.cfg"), key=lambda f: (f.name[:15], f.name)) if folder.is_dir() else []
    return files[0].read_text(encoding="utf-8") if files else None


# ---- reading one device -----------------------------------------------------------------------------------

def _read(ctx, device, links: list[dict], driver_factory, keep_backup: bool, when: dt.datetime,
          link_id: int | None = None) -> dict:
    """Read one device and compare. Never raises: an unreachable device is an error in the answer."""
    from egovnet.devices import platforms

    p = platforms.get(device.platform)
    driver = None
    try:
        driver = driver_factory(device)
        driver.open()
        running = driver.running_config()
        saved = driver.saved_config() if p.saved_config_command else None
        found = _compare(ctx, device, p, running, saved, links, link_id)
        backup = _backup(ctx.home, device.name, running, when) if keep_backup else None
        return {"device": device.name, "findings": found, "running": running, "backup": backup, "error": None}
    except Exception as exc:  # one device's trouble never hides the others
        text = str(exc) if isinstance(exc, EgovnetError) else f"unexpected {exc.__class__.__name__}: {str(exc)[:200]}"
        return {"device": device.name, "findings": [], "running": None, "backup": None, "error": text}
    finally:
        if driver is not None:
            driver.close()


def _compare(ctx, device, p, running: str, saved: str | None, links: list[dict], link_id: int | None) -> list[dict]:
    found = p.drift(running, links, device, _baseline(ctx.home, device.name))
    if link_id is not None:
        found = [f for f in found if f["link"] == link_id]
    elif saved is not None:
        parts = p.unsaved(running, saved)
        if parts:
            found.append({"object": "saved configuration", "link": None, "kind": "unsaved_config",
                          "intended": "running configuration saved",
                          "actual": ("not saved: " + ", ".join(parts[:5]) + (" ..." if len(parts) > 5 else ""))[:1000],
                          "articles": [ARTICLE], "fix": {"save": True}})
    for f in found:
        f["device"] = device.name
    return found


def _identity(f: dict) -> tuple:
    return (f["device"], f["object"], f["link"], f["kind"], f["intended"], f["actual"])


def _public(row) -> dict:
    return {"id": row.id, "device": row.device, "object": row.object, "link": row.link_id, "kind": row.kind,
            "intended": row.intended, "actual": row.actual, "articles": list(row.articles), "status": row.status}


def _store(ctx, devices: list[str], results: list[dict], link_id: int | None = None) -> tuple[int, list[dict]]:
    """One transaction: the run, its new findings (an open finding seen again keeps its row), and the open
    findings of the devices read that are gone now (resolved by the audit)."""
    from sqlmodel import select

    from egovnet.services import events
    from egovnet.state.db import unit_of_work
    from egovnet.state.models import DriftFinding, DriftRun, utcnow

    read = [r["device"] for r in results if r["error"] is None]
    failed = [{"device": r["device"], "error": r["error"]} for r in results if r["error"] is not None]
    with unit_of_work(ctx.engine) as s:
        run = DriftRun(actor=ctx.user, devices=devices, failed=failed)
        s.add(run)
        s.flush()
        q = select(DriftFinding).where(DriftFinding.status == "open", DriftFinding.device.in_(read or [""]))
        if link_id is not None:
            q = q.where(DriftFinding.link_id == link_id)
        open_rows = {(_identity(_public(r))): r for r in s.exec(q.order_by(DriftFinding.id)).all()}
        rows = []
        for result in results:
            for f in result["findings"]:
                row = open_rows.pop(_identity(f), None)
                if row is None:
                    row = DriftFinding(run_id=run.id, device=f["device"], object=f["object"][:200], link_id=f["link"],
                                       kind=f["kind"], intended=f["intended"], actual=f["actual"],
                                       articles=f["articles"])
                    s.add(row)
                    s.flush()
                    events.record(s, ctx, "drift_finding", row.id, "drift.found", role="bdc", article=ARTICLE,
                                  after={k: v for k, v in _public(row).items() if k != "id"})
                rows.append(_public(row))
        for row in open_rows.values():   # no longer on the device (fixed by hand, or the link is gone)
            row.status, row.resolved_by, row.resolved_at = "resolved", ctx.user, utcnow()
            s.add(row)
            events.record(s, ctx, "drift_finding", row.id, "drift.resolved", role="bdc", article=ARTICLE,
                          before={"status": "open"}, after={"status": "resolved", "by": "audit"})
        run.findings = len(rows)
        s.add(run)
        events.record(s, ctx, "drift_run", run.id, "drift.audit", role="bdc", article=ARTICLE,
                      after={"devices": devices, "findings": len(rows), "failed": [f["device"] for f in failed]})
        return run.id, rows


# ---- egovnet audit drift ----------------------------------------------------------------------------------

def audit(ctx, *, device: str | None = None, workers: int = 4, driver_factory=None, progress=None) -> dict:
    """Read every device (or one), compare with the intended state, keep a backup, record the findings."""
    from egovnet.inventory import load_inventory
    from egovnet.services.idle import run_lock
    from egovnet.services.provision import default_driver_factory
    from egovnet.state.db import unit_of_work

    ctx.require(("bdc",), "audit devices for drift", ARTICLE)
    inventory = load_inventory(ctx.inventory)
    if device is not None:
        inventory.device(device)  # an unknown name is refused before anything is read
    with run_lock(ctx.home, "audit-drift"):
        with unit_of_work(ctx.engine, write=False) as s:
            intents = _intents(s, ctx, inventory, device, None)
        names = [device] if device else sorted(inventory.devices)
        factory = driver_factory or default_driver_factory(inventory)
        when = dt.datetime.now()
        with ThreadPoolExecutor(max_workers=max(1, min(workers, len(names) or 1))) as pool:
            def one(name):
                try:
                    return _read(ctx, inventory.device(name), intents.get(name, []), factory, True, when)
                finally:
                    if progress:
                        progress()
            results = list(pool.map(one, names))
        for r in results:
            if r["error"] is None and not r["findings"] and r["backup"] is not None:
                _mark_clean(r["backup"])
        run_id, rows = _store(ctx, names, results)
    return {"run": run_id, "devices": names, "findings": rows,
            "failed": [{"device": r["device"], "error": r["error"]} for r in results if r["error"]],
            "backups": {r["device"]: str(r["backup"]) for r in results if r["backup"]}}


# ---- egovnet remediate ------------------------------------------------------------------------------------

def _target(ctx, inventory, device: str | None, link_id: int | None):
    from sqlmodel import select

    from egovnet.state.db import unit_of_work
    from egovnet.state.models import Allocation, Link

    if device is not None:
        return inventory.device(device), None
    with unit_of_work(ctx.engine, write=False) as s:
        link = s.get(Link, link_id)
        if link is None:
            raise NotFound(f"link {link_id} not found; see 'egovnet link list'")
        alloc = s.exec(select(Allocation).where(Allocation.link_id == link_id)).first()
        if alloc is None or link.status not in LINK_STATES:
            raise PolicyViolation(f"link {link_id} is {link.status}: egovnet keeps nothing of it on a device to "
                                  f"bring back (Art. {ARTICLE})")
        return inventory.device(alloc.device), link_id


def remediate(ctx, *, device: str | None = None, link_id: int | None = None, dry_run: bool = False,
              driver_factory=None) -> dict:
    """Bring one device (or one link's part of it) back to the intended state: the plan from the live config,
    then one journalled push (backup, verify, save; rolled back on failure), then the findings it fixed are
    resolved with its push id."""
    from egovnet.devices import platforms
    from egovnet.devices.safety import check_commands
    from egovnet.inventory import load_inventory
    from egovnet.services import events, pushes
    from egovnet.services.provision import Job, default_driver_factory, push_device
    from egovnet.state.db import unit_of_work
    from egovnet.state.models import Push

    ctx.require(("bdc",), "remediate drift", ARTICLE)
    inventory = load_inventory(ctx.inventory)
    dev, link_id = _target(ctx, inventory, device, link_id)
    p = platforms.get(dev.platform)
    factory = driver_factory or default_driver_factory(inventory)
    with unit_of_work(ctx.engine, write=False) as s:
        links = _intents(s, ctx, inventory, dev.name, link_id).get(dev.name, [])
    with pushes.running(ctx, "remediate"):
        first = _read(ctx, dev, links, factory, False, dt.datetime.now(), link_id)
        if first["error"]:
            raise EgovnetError(first["error"])
        findings = first["findings"]
        commands = check_commands(p.repair(first["running"], [f for f in findings if not f["fix"].get("save")], links),
                                  dev.platform)
        save = any(f["fix"].get("save") for f in findings)
        plan = {"device": dev.name, "link": link_id, "findings": [{k: v for k, v in f.items() if k != "fix"}
                                                                  for f in findings],
                "commands": commands, "save": save or bool(commands), "dry_run": dry_run}
        if dry_run or not findings:
            return {**plan, "push": None, "status": "planned" if findings else "clean", "resolved": [],
                    "remaining": plan["findings"] if dry_run else []}
        with unit_of_work(ctx.engine) as s:
            keys = [("device", dev.name)] + ([("link", link_id)] if link_id else [])
            pushes.take(s, ctx, keys)
            push = Push(link_id=link_id, device=dev.name, action="repair" if commands else "save",
                        commands=commands, actor=ctx.user, effective_date=ctx.today,
                        run_id=pushes.current(ctx).id,
                        intent={"service": "drift", "context": {"links": [{"link": l["link"], "context": l["context"]}
                                                                     for l in links]},
                                "kinds": sorted({f["kind"] for f in findings})})
            s.add(push)
            s.flush()
            push_id = push.id
        error = None
        if commands:
            job = Job(0, link_id, "", "", dev.name, dev.platform, commands,
                      {"links": [{"link": l["link"], "context": l["context"]} for l in links]}, push_id=push_id,
                      action="repair")
            push_device(ctx, dev, [job], factory, False)
            error = job.result.error if job.result and job.result.failed else None
        else:
            error = _save_only(ctx, dev, p, factory, push_id)
        after = _read(ctx, dev, links, factory, False, dt.datetime.now(), link_id)
        with unit_of_work(ctx.engine) as s:
            pushes.mark_recorded(s, push_id)
        resolved = _resolve(ctx, dev.name, link_id, after, push_id) if after["error"] is None else []
        with unit_of_work(ctx.engine, write=False) as s:
            status = s.get(Push, push_id).status
        with unit_of_work(ctx.engine) as s:
            events.record(s, ctx, "push", push_id, "drift.remediate", role="bdc", article=ARTICLE,
                          after={"device": dev.name, "link": link_id, "status": status, "resolved": resolved})
    remaining = [{k: v for k, v in f.items() if k != "fix"} for f in after["findings"]]
    out = {**plan, "push": push_id, "status": status, "resolved": resolved, "remaining": remaining,
           "error": error or after["error"]}
    return out


def _save_only(ctx, dev, p, factory, push_id: int) -> str | None:
    """Only the saved config lags: save, and check the device now boots with what it runs."""
    from egovnet.services.provision import _set_push
    from egovnet.state.models import utcnow

    driver = factory(dev)
    try:
        driver.open()
        _set_push(ctx, push_id, status="pushing")
        driver.save()
        running, saved = driver.running_config(), driver.saved_config()
        if saved is not None and p.unsaved(running, saved):
            error = f"device {dev.name}: saved, but the saved configuration still differs from the running one"
            _set_push(ctx, push_id, status="failed", error=error, finished_at=utcnow())
            return error
        _set_push(ctx, push_id, status="applied", finished_at=utcnow())
        return None
    except EgovnetError as exc:
        _set_push(ctx, push_id, status="failed", error=str(exc)[:2000], finished_at=utcnow())
        return str(exc)
    finally:
        driver.close()


def _resolve(ctx, device: str, link_id: int | None, after: dict, push_id: int) -> list[int]:
    """Open findings of the device (or link) the remediation's push made go away: resolved with its id."""
    from sqlmodel import select

    from egovnet.services import events
    from egovnet.state.db import unit_of_work
    from egovnet.state.models import DriftFinding, utcnow

    still = {_identity(f) for f in after["findings"]}
    done = []
    with unit_of_work(ctx.engine) as s:
        q = select(DriftFinding).where(DriftFinding.status == "open", DriftFinding.device == device)
        if link_id is not None:
            q = q.where(DriftFinding.link_id == link_id)
        for row in s.exec(q.order_by(DriftFinding.id)).all():
            if _identity(_public(row)) in still:
                continue
            row.status, row.resolved_by, row.resolved_at, row.push_id = "resolved", ctx.user, utcnow(), push_id
            s.add(row)
            events.record(s, ctx, "drift_finding", row.id, "drift.resolved", role="bdc", article=ARTICLE,
                          before={"status": "open"}, after={"status": "resolved", "push": push_id})
            done.append(row.id)
    return done


__all__ = ["audit", "remediate", "masked"]
