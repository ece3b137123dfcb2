"""The push journal as the truth about intent, and leases: pushes that survive a crash (Art. 7, 12, 24).

Every device change is a journal row (``Push``) committed before SSH opens, with what the run meant to do
(``intent``: the service, the template context, what its record step needs). A run that dies (kill -9,
power, a lost terminal) leaves its rows open (``recorded_at`` empty). The next run - ``provision``,
``change apply``, ``decommission``, ``audit idle --close`` touching the same objects, or ``egovnet push
resume`` - finds them and finishes them:

- the device shows what the push meant to leave there: save when the device's saved (startup) config does
  not hold it yet, then record (link active, change applied, link decommissioned, closure and notices);
- it does not: undo what the push may have left (against the backup taken before it), record the failure
  (the application goes back to 'approved', to be provisioned again).

Leases: a run takes one row per device and per application/link it pushes, in its plan transaction, and
drops them when it ends (also on errors). Another run is refused with the holder (run, OS user, pid, host,
age). A lease whose holder is gone (its pid no longer runs on this host; on another host, older than
``EGOVNET_LEASE_STALE_MINUTES``) is stale: another run takes it over and finishes that run's open pushes.
A run that finds a device busy waits for it up to ``EGOVNET_LEASE_WAIT`` seconds (a person's run and cron
on one device take turns); a busy application or link is refused at once.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import sys
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from egovnet.errors import Conflict, EgovnetError, NotFound, PolicyViolation
from egovnet.validation import clean_text

ARTICLE = 7                     # BDC builds and runs the extranet
OPEN_STAGES = ("planned", "pushing", "verified", "applied")
DEFAULT_WAIT = 60.0             # seconds a run waits for a device another run is pushing to
DEFAULT_STALE_MINUTES = 120     # a lease of another host older than this is taken as gone


# ---- the run ------------------------------------------------------------------------------------------

@dataclass
class Run:
    id: str
    pid: int
    host: str
    os_user: str
    process_start: str
    command: str
    depth: int = 0
    leased: bool = False   # took a lease: there is something to release


def _os_user() -> str:
    try:
        import pwd

        return pwd.getpwuid(os.geteuid()).pw_name
    except (ImportError, KeyError):
        import getpass

        return getpass.getuser()


def _process_start(pid: int) -> str:
    """The kernel's start time of a process (clock ticks since boot): a reused pid has another one."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return ""
    fields = text.rsplit(")", 1)[-1].split()
    return fields[19] if len(fields) > 19 else ""


def _pid_alive(pid: int, started: str) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # another account's process: it exists
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[-1].split()
    except OSError:
        return True  # no /proc: the pid answers, take it as the holder
    if fields and fields[0] in ("Z", "X"):
        return False  # killed, not yet reaped
    return not started or len(fields) <= 19 or fields[19] == started


def current(ctx) -> Run:
    run = ctx.extras.get("run")
    if run is None:
        pid = os.getpid()
        run = Run(uuid.uuid4().hex[:12], pid, socket.gethostname(), _os_user(), _process_start(pid), "egovnet")
        ctx.extras["run"] = run
        import atexit

        atexit.register(release, ctx)  # a caller outside running(): its leases still go when the process ends
    return run


@contextmanager
def running(ctx, command: str):
    """One egovnet run: its leases are dropped when it ends, however it ends."""
    run = current(ctx)
    if run.depth == 0:
        run.command = f"egovnet {command}"[:64]
    run.depth += 1
    try:
        yield run
    finally:
        run.depth -= 1
        if run.depth == 0:
            release(ctx)
            ctx.extras.pop("run", None)


def release(ctx) -> None:
    from sqlmodel import delete

    from egovnet.state.db import unit_of_work
    from egovnet.state.models import Lease

    run = ctx.extras.get("run")
    if run is None or not run.leased:
        return
    try:
        with unit_of_work(ctx.engine) as s:
            s.exec(delete(Lease).where(Lease.run_id == run.id))
    except Exception:  # the database went away: the lease goes stale with this process
        pass


# ---- leases -------------------------------------------------------------------------------------------

def _env_float(name: str, default: float) -> float:
    try:
        return max(0.0, float(os.environ.get(name, default)))
    except ValueError:
        return default


def wait_seconds() -> float:
    return _env_float("EGOVNET_LEASE_WAIT", DEFAULT_WAIT)


def stale_after() -> dt.timedelta:
    return dt.timedelta(minutes=_env_float("EGOVNET_LEASE_STALE_MINUTES", DEFAULT_STALE_MINUTES))


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)


def alive(lease) -> bool:
    """Whether the run holding this lease may still be running."""
    if lease.host == socket.gethostname():
        return _pid_alive(lease.pid, lease.process_start)
    return dt.datetime.now(dt.timezone.utc) - _aware(lease.taken_at) < stale_after()


def holder_text(lease) -> str:
    age = int((dt.datetime.now(dt.timezone.utc) - _aware(lease.taken_at)).total_seconds())
    return (f"run {lease.run_id} ({lease.command or 'egovnet'}; OS user {lease.os_user}, pid {lease.pid} on host "
            f"{lease.host}, for {age} s)")


class Busy(Conflict):
    """Another live run holds a lease this run needs."""

    def __init__(self, kind: str, key: str, lease):
        self.kind, self.key, self.holder = kind, key, holder_text(lease)
        what = {"application": "application", "link": "link", "device": "device"}[kind]
        super().__init__(f"{what} {key} is being pushed by another egovnet run: {self.holder}; wait for it to end "
                         f"(if that process is gone, the next run takes its lease over and finishes its pushes, "
                         f"see 'egovnet push list --open')")


def take(s, ctx, keys) -> None:
    """Lease every (kind, key) for this run inside the caller's transaction, or raise Busy. A stale lease is
    taken over (an event names the run that left it)."""
    from sqlmodel import select

    from egovnet.services import events
    from egovnet.state.models import Lease

    run = current(ctx)
    run.leased = True
    for kind, key in dict.fromkeys((k, str(v)) for k, v in keys):
        lease = s.exec(select(Lease).where(Lease.object_type == kind, Lease.object_key == key)).first()
        if lease is not None and lease.run_id == run.id:
            continue
        if lease is not None:
            if alive(lease):
                raise Busy(kind, key, lease)
            events.record(s, ctx, "lease", lease.id, "take_over", role="bdc", article=ARTICLE,
                          before={"object": f"{kind}:{key}", "holder": holder_text(lease)},
                          after={"run": run.id, "pid": run.pid, "host": run.host})
            s.delete(lease)
            s.flush()
        s.add(Lease(object_type=kind, object_key=key, run_id=run.id, actor=ctx.user, os_user=run.os_user,
                    pid=run.pid, process_start=run.process_start, host=run.host, command=run.command))
        s.flush()


def retrying(fn):
    """Call ``fn`` (which opens its own transaction and takes leases); while a device is busy, wait for it.
    On a server database two runs may insert the same lease at once: the loser's unique violation is retried
    (and then sees the winner's lease)."""
    from sqlalchemy.exc import IntegrityError

    deadline = time.monotonic() + wait_seconds()
    races = 0
    while True:
        try:
            return fn()
        except Busy as busy:
            if busy.kind != "device" or time.monotonic() >= deadline:
                raise
            time.sleep(0.5)
        except IntegrityError as exc:
            if "uq_lease_object" not in str(exc) and "lease.object_type" not in str(exc) or races >= 5:
                raise
            races += 1
            time.sleep(0.1)


def live_holder(s, run_id: str):
    """A live lease of that run, or None when the run is gone (or never held one)."""
    from sqlmodel import select

    from egovnet.state.models import Lease

    if not run_id:
        return None
    for lease in s.exec(select(Lease).where(Lease.run_id == run_id)).all():
        if alive(lease):
            return lease
    return None


# ---- test-only pause ----------------------------------------------------------------------------------

def checkpoint(stage: str | None) -> None:
    """TEST ONLY: with EGOVNET_TEST_PAUSE_AT=<stage> the run stops right after the journal reaches that stage
    (planned, pushing, verified, applied) and sleeps, so that a crash test can kill -9 it there; it goes on when
    the file named by EGOVNET_TEST_RESUME_FILE appears, or after 10 minutes. Unset - always, outside tests -
    this does nothing."""
    want = os.environ.get("EGOVNET_TEST_PAUSE_AT")
    if not want or stage != want:
        return
    sys.stderr.write(f"EGOVNET_TEST_PAUSED {stage} {os.getpid()}\n")
    sys.stderr.flush()
    go_on = os.environ.get("EGOVNET_TEST_RESUME_FILE")
    until = time.monotonic() + 600
    while time.monotonic() < until and not (go_on and Path(go_on).exists()):
        time.sleep(0.1)


# ---- journal rows -------------------------------------------------------------------------------------

def mark_recorded(s, push_id: int | None) -> None:
    """The push's record step ran (in the caller's transaction): its journal row is closed."""
    from egovnet.state.models import Push, utcnow

    if push_id is None:
        return
    push = s.get(Push, push_id)
    if push is not None and push.recorded_at is None:
        push.recorded_at = utcnow()
        s.add(push)


def service_of(push) -> str:
    intent = push.intent or {}
    if intent.get("service"):
        return intent["service"]
    # a row journalled before intents were kept
    return {"close": "decommission", "shutdown": "idle", "bandwidth": "change"}.get(
        push.action, "provision" if push.application_id else "device")


def _iso(value):
    return value.isoformat(timespec="seconds") if value else None


def row(s, push, detail: bool = False) -> dict:
    holder = live_holder(s, push.run_id) if push.recorded_at is None else None
    intent = push.intent or {}
    out = {"id": push.id, "device": push.device, "action": push.action, "service": service_of(push),
           "status": push.status, "link": push.link_id, "application": push.application_id,
           "change": intent.get("change_id"), "actor": push.actor, "run": push.run_id or None,
           "started_at": _iso(push.started_at), "finished_at": _iso(push.finished_at),
           "recorded_at": _iso(push.recorded_at), "open": push.recorded_at is None,
           "state": ("closed" if push.recorded_at is not None else "running" if holder else "interrupted"),
           "held_by": holder_text(holder) if holder else None, "error": push.error or None}
    if detail:
        from egovnet.services import events

        out.update({"commands": list(push.commands), "rollback": list(push.rollback), "backup": push.backup_path or None,
                    "effective_date": push.effective_date.isoformat(),
                    "events": events.event_rows(s, "push", push.id)})
    return out


def list_pushes(ctx, *, open_only: bool = False, limit: int = 200) -> list[dict]:
    from sqlmodel import select

    from egovnet.state.db import unit_of_work
    from egovnet.state.models import Push

    ctx.require(("bdc",), "read the push journal", ARTICLE)  # device commands and backups are BDC's business
    with unit_of_work(ctx.engine, write=False) as s:
        q = select(Push).order_by(Push.id.desc()).limit(limit)
        if open_only:
            q = select(Push).where(Push.recorded_at.is_(None)).order_by(Push.id)
        return [row(s, p) for p in s.exec(q).all()]


def show_push(ctx, push_id: int) -> dict:
    from egovnet.state.db import unit_of_work
    from egovnet.state.models import Push

    ctx.require(("bdc",), "read the push journal", ARTICLE)
    with unit_of_work(ctx.engine, write=False) as s:
        push = s.get(Push, push_id)
        if push is None:
            raise NotFound(f"push {push_id} not found; see 'egovnet push list'")
        return row(s, push, detail=True)


# ---- finishing an interrupted push --------------------------------------------------------------------

def job_of(push, inventory):
    """The provisioning job a journal row stands for, rebuilt from its intent."""
    from egovnet.services.provision import Job

    intent = push.intent or {}
    due = intent.get("construction_due")
    return Job(push.application_id or 0, push.link_id, intent.get("unit", ""), intent.get("unit_code", ""),
               push.device, inventory.device(push.device).platform, list(push.commands), intent.get("context") or {},
               push_id=push.id, construction_due=dt.date.fromisoformat(due) if due else None, action=push.action,
               also=tuple(intent.get("also") or ()), previous=intent.get("previous"),
               reopen=bool(intent.get("reopen")))


def _claim(ctx, push_ids: list[int] | None, *, apps=None, links=None, services=None, strict: bool) -> list[int]:
    """Lease the devices and objects of open pushes whose run is gone; the ids this run may finish.
    ``strict``: a push of a live run is an error (named pushes); otherwise it is left to its run."""
    from sqlmodel import select

    from egovnet.state.db import unit_of_work
    from egovnet.state.models import Push

    def attempt():
        with unit_of_work(ctx.engine) as s:
            q = select(Push).where(Push.recorded_at.is_(None)).order_by(Push.id)
            rows = s.exec(q).all()
            if push_ids is not None:
                found = {p.id for p in rows}
                for pid in push_ids:
                    if pid not in found:
                        push = s.get(Push, pid)
                        if push is None:
                            raise NotFound(f"push {pid} not found; see 'egovnet push list'")
                        raise PolicyViolation(f"push {pid} is not open: it ended {push.status} and was recorded on "
                                              f"{_iso(push.recorded_at)}; see 'egovnet push show {pid}'")
                rows = [p for p in rows if p.id in push_ids]
            else:
                rows = [p for p in rows if (apps is None or p.application_id in apps) and
                        (links is None or p.link_id in links) and (services is None or service_of(p) in services)]
            mine = []
            run = current(ctx)
            for push in rows:
                holder = live_holder(s, push.run_id) if push.run_id != run.id else None
                if holder is not None:
                    if strict:
                        raise Conflict(f"push {push.id} on {push.device} is not interrupted: its run is still going: "
                                       f"{holder_text(holder)}; let it finish (see 'egovnet push show {push.id}')")
                    continue
                if push.run_id == run.id:
                    continue  # this run's own push is finished by this run's own steps
                keys = [("application", push.application_id) if push.application_id else ("link", push.link_id),
                        ("device", push.device)]
                try:
                    take(s, ctx, keys)
                except Busy as busy:
                    if strict or busy.kind == "device":
                        raise  # a device another run is pushing to: wait for it (retrying), then finish
                    continue
                mine.append(push.id)
            return mine
    return retrying(attempt)


def settle(ctx, inventory, driver_factory, *, apps=None, links=None, services=None) -> list[dict]:
    """Finish the interrupted pushes of these applications / links / services (whose runs are gone) before
    this run does anything new with them. Pushes of live runs are left alone."""
    ids = _claim(ctx, None, apps=apps, links=links, services=services, strict=False)
    return _finish_all(ctx, inventory, driver_factory, ids) if ids else []


def resume(ctx, push_ids: list[int] | None, *, driver_factory=None) -> list[dict]:
    """`egovnet push resume ID|--all`: finish interrupted pushes: verify + save + record, or roll back."""
    from egovnet.inventory import load_inventory
    from egovnet.services.provision import default_driver_factory

    ctx.require(("bdc",), "resume pushes", ARTICLE)
    with running(ctx, "push resume"):
        inventory = load_inventory(ctx.inventory)
        ids = _claim(ctx, push_ids, strict=push_ids is not None)
        if not ids:
            return []
        return _finish_all(ctx, inventory, driver_factory or default_driver_factory(inventory), ids)


def _finish_all(ctx, inventory, driver_factory, ids: list[int]) -> list[dict]:
    from sqlmodel import select

    from egovnet.state.db import unit_of_work
    from egovnet.state.models import Push

    with unit_of_work(ctx.engine, write=False) as s:
        pushes = s.exec(select(Push).where(Push.id.in_(ids)).order_by(Push.id)).all()
    by_device: dict[str, list] = {}
    for push in pushes:
        by_device.setdefault(push.device, []).append(push)
    out = []
    for device, rows in by_device.items():
        out += _finish_device(ctx, inventory, driver_factory, inventory.device(device), rows)
    return sorted(out, key=lambda r: r["push"])


def _finish_device(ctx, inventory, driver_factory, device, rows) -> list[dict]:
    """One connection for a device's interrupted pushes, oldest first."""
    from egovnet.devices import platforms

    p = platforms.get(device.platform)
    results = []
    driver = None
    try:
        driver = driver_factory(device)
        driver.open()
        for push in rows:
            job = job_of(push, inventory)
            results.append(_finish_one(ctx, driver, device, p, push, job))
    except Exception as exc:  # one device's trouble leaves its pushes open for a later run, never a traceback
        if not isinstance(exc, EgovnetError):
            exc = EgovnetError(f"device {device.name}: unexpected {exc.__class__.__name__}: {str(exc)[:200]}")
        from egovnet.errors import HostKeyChanged

        if isinstance(exc, HostKeyChanged):  # a security event in the Office's list (Art. 20)
            from egovnet.services.security import record_host_key_mismatch

            record_host_key_mismatch(ctx, device.name, str(exc), [p.id for p in rows])
        done = {r["push"] for r in results}
        for push in rows:
            if push.id not in done:  # the device cannot be reached: the push stays open for a later run
                results.append({"push": push.id, "device": device.name, "action": push.action,
                                "service": service_of(push), "from": push.status, "status": push.status,
                                "saved": False, "result": "still open", "error": str(exc), "record": None})
    finally:
        if driver is not None:
            driver.close()
    return results


def _finish_one(ctx, driver, device, p, push, job) -> dict:
    from egovnet.devices.driver import DeviceResult
    from egovnet.services.provision import _roll_back, _save_if_unsaved, _set_push
    from egovnet.state.models import utcnow

    was = push.status
    saved = False
    if was in OPEN_STAGES:
        running_text = driver.running_config()
        gaps = p.gaps(running_text, job, verifying=was in ("verified", "applied"))
        if not gaps:
            # what the push meant to leave is on the device: make it survive a reboot, then record
            saved = _save_if_unsaved(driver, p, job)
            _set_push(ctx, push.id, status="applied", finished_at=push.finished_at or utcnow())
            job.result = DeviceResult(device.name, job.label, changed=was != "planned")
        elif was == "planned":
            # the run died before its first command: nothing to undo
            error = "interrupted before any command was sent; nothing to undo"
            _set_push(ctx, push.id, status="rolled_back", error=error, finished_at=utcnow())
            job.result = DeviceResult(device.name, job.label, failed=True, error=error, extra={"rolled_back": True})
        else:
            before = _read_backup(push.backup_path)
            error = f"interrupted at '{was}'; not on the device: " + "; ".join(gaps[:3])
            if before is None:
                error += "; no backup to roll back to: compare by hand"
                _set_push(ctx, push.id, status="failed", error=error[:2000], finished_at=utcnow())
                job.result = DeviceResult(device.name, job.label, failed=True, error=error)
            else:
                job.result = _roll_back(ctx, driver, device, job, before, error)
    else:  # rolled_back / failed / abandoned: the device outcome is known, only the record step is missing
        job.result = DeviceResult(device.name, job.label, failed=True, error=push.error or was,
                                  extra={"rolled_back": was == "rolled_back"})
    record = _record(ctx, push, job)
    status = _status(ctx, push.id)
    _event(ctx, push.id, "resume", {"status": was}, {"status": status, "saved": saved})
    return {"push": push.id, "device": device.name, "action": push.action, "service": service_of(push), "from": was,
            "status": status, "saved": saved, "result": "finished" if not job.result.failed else "undone",
            "error": job.result.error if job.result.failed else None, "record": record}


def _read_backup(path: str) -> str | None:
    if not path:
        return None
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError:
        return None


def _status(ctx, push_id: int) -> str:
    from egovnet.state.db import unit_of_work
    from egovnet.state.models import Push

    with unit_of_work(ctx.engine, write=False) as s:
        return s.get(Push, push_id).status


def _event(ctx, push_id: int, action: str, before: dict, after: dict) -> None:
    from egovnet.services import events
    from egovnet.state.db import unit_of_work

    with unit_of_work(ctx.engine) as s:
        events.record(s, ctx, "push", push_id, action, role="bdc", article=ARTICLE, before=before, after=after)


def _record(ctx, push, job):
    """The record step the interrupted run never reached, by the service that journalled the push."""
    service = service_of(push)
    intent = push.intent or {}
    ok = not job.result.failed
    if service == "provision" and push.application_id:
        from egovnet.services.provision import record

        return record(ctx, [job])[0]
    if service == "change" and intent.get("change_id"):
        from egovnet.services.changes import record_rate

        return record_rate(ctx, intent["change_id"], job, "bdc")
    if service == "decommission" and ok:
        from egovnet.services.decommission import _record as record_decommission

        return record_decommission(ctx, push.link_id, intent.get("reason") or "(resumed)", "bdc", push.id)
    if service == "idle" and ok:
        from egovnet.services.idle import _record_closure

        as_of = dt.date.fromisoformat(intent["as_of"]) if intent.get("as_of") else ctx.today
        return {"notices": _record_closure(ctx, push.link_id, as_of, push.id)}
    from egovnet.state.db import unit_of_work

    with unit_of_work(ctx.engine) as s:
        mark_recorded(s, push.id)
    return None


# ---- abandoning ---------------------------------------------------------------------------------------

def abandon(ctx, push_id: int, reason: str, *, driver_factory=None) -> dict:
    """`egovnet push abandon ID --reason`: give an open push up. What it left on the device is undone (and the
    saved config brought back in line); its application goes back to 'approved'."""
    from egovnet.devices import platforms
    from egovnet.devices.driver import DeviceResult
    from egovnet.inventory import load_inventory
    from egovnet.services.provision import _roll_back, _set_push, default_driver_factory
    from egovnet.state.db import unit_of_work
    from egovnet.state.models import Push, utcnow

    ctx.require(("bdc",), f"abandon push {push_id}", ARTICLE)
    reason = clean_text(reason, "reason", required=True)
    with running(ctx, "push abandon"):
        inventory = load_inventory(ctx.inventory)
        _claim(ctx, [push_id], strict=True)
        with unit_of_work(ctx.engine, write=False) as s:
            push = s.get(Push, push_id)
        was = push.status
        device = inventory.device(push.device)
        p = platforms.get(device.platform)
        job = job_of(push, inventory)
        undo: list[str] = []
        if was in ("planned", "rolled_back"):
            job.result = DeviceResult(device.name, job.label, failed=True, error=reason, extra={"rolled_back": True})
        else:
            before = _read_backup(push.backup_path)
            if before is None:
                raise PolicyViolation(f"push {push_id} reached '{was}' but its backup {push.backup_path or '(none)'} "
                                      f"is gone: egovnet cannot tell what to undo on {device.name}; compare the "
                                      "device by hand, then abandon it again")
            driver = (driver_factory or default_driver_factory(inventory))(device)
            driver.open()
            try:
                job.result = _roll_back(ctx, driver, device, job, before, f"abandoned: {reason}")
                now = driver.running_config()
                stored = driver.saved_config()
                if job.result.extra.get("rolled_back") and stored is not None and not p.same(now, stored):
                    driver.save()  # an applied push had been saved: the saved config follows the undo
            finally:
                driver.close()
            with unit_of_work(ctx.engine, write=False) as s:
                undo = list(s.get(Push, push_id).rollback)
        outcome = _status(ctx, push_id)
        if outcome != "failed":
            _set_push(ctx, push_id, status="abandoned", error=f"abandoned: {reason}"[:2000],
                      finished_at=push.finished_at or utcnow())
        job.result.failed = True
        record = _record(ctx, push, job)
        _event(ctx, push_id, "abandon", {"status": was}, {"status": _status(ctx, push_id), "reason": reason,
                                                          "rollback": undo})
        with unit_of_work(ctx.engine, write=False) as s:
            data = row(s, s.get(Push, push_id), detail=True)
        return {**data, "from": was, "undone": undo, "record": record}
