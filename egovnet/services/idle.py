"""`audit idle` (Art. 15): links with no networked use 3 calendar months after opening; closure with notices.

Safe for cron: a lock file makes an overlapping run exit at once; a second run on one day finds the links
already closed and does nothing new; closures use the provisioning push machinery (journal, backup,
verify, rollback).
"""

from __future__ import annotations

import datetime as dt
import fcntl
import os
from contextlib import contextmanager
from pathlib import Path

from sqlmodel import select

from egovnet.errors import Conflict, InvalidInput
from egovnet.policy import add_months
from egovnet.services import events
from egovnet.state.db import unit_of_work
from egovnet.state.models import Allocation, Application, Department, Link, Unit, UsageDay


@contextmanager
def run_lock(home: Path, name: str):
    """One run at a time: a second one exits at once with who holds the lock."""
    folder = Path(home) / "locks"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.lock"
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 64, 0).decode(errors="replace").strip() or "?"
            raise Conflict(f"another 'egovnet {name.replace('-', ' ')}' is running (pid {holder}, lock {path}); "
                           "this run exits without doing anything") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _units_on(s, link_id: int) -> list[tuple[Unit, Department]]:
    from egovnet.services.links import units_on

    return [(u, d) for u, d, _ in units_on(s, link_id)]


def missing_days(s, link_id: int, opened_on: dt.date, limit: dt.date) -> list[dt.date]:
    """Days of the three months with no usage record for the link: no data is not no traffic (Art. 15).

    Every day strictly between the opening day and the day the three months are up must have a record, a
    device reading (``usage collect``: the growth since the previous reading, recorded on the day it is read)
    or a day imported from the monitoring system (``usage import``). The opening day and the last day are not
    required: a nightly reading records the opening day's traffic on the next day, and the reading of the day
    the three months are up comes with that day's audit.
    """
    first, last = opened_on + dt.timedelta(days=1), limit - dt.timedelta(days=1)
    if last < first:
        return []
    have = set(s.exec(select(UsageDay.day).where(UsageDay.link_id == link_id, UsageDay.day >= first,
                                                 UsageDay.day <= last).distinct()).all())
    return _gaps(first, last, have)


def _gaps(first: dt.date, last: dt.date, have) -> list[dt.date]:
    return [d for d in (first + dt.timedelta(days=i) for i in range((last - first).days + 1)) if d not in have]


def _unused_links():
    """Active links opened and never used: the links Art. 15 is about."""
    return (Link.status == "active", Link.first_used_on.is_(None), Link.opened_on.is_not(None))


def find(ctx, as_of: dt.date) -> tuple[list[dict], list[dict], list[dict]]:
    """(idle links, links reaching the limit within the warning window, links whose three months have a data gap).

    A fixed number of queries whatever the number of links: the links with their allocation, the units on them,
    and the usage days of the links that are judged or about to be (the same findings as one query per link
    gave; tests/test_scale.py compares the two).
    """
    rule = ctx.policy.deadlines.idle_closure
    idle, soon, no_data = [], [], []
    with unit_of_work(ctx.engine, write=False) as s:
        conn = s.connection()  # plain rows of columns: no ORM objects to build for thousands of links
        links = conn.execute(select(Link.id, Link.address, Link.opened_on, Allocation.device, Allocation.port)
                       .join(Allocation, Allocation.link_id == Link.id, isouter=True)
                       .where(*_unused_links()).order_by(Link.id)).all()
        units: dict[int, list[tuple[int, str, str]]] = {}
        for link_id, unit_id, unit, dept in conn.execute(
                select(Application.link_id, Unit.id, Unit.name, Department.name)
                .join(Unit, Unit.id == Application.unit_id).join(Department, Department.id == Unit.dept_id)
                .join(Link, Link.id == Application.link_id)
                .where(Application.status == "active", *_unused_links()).order_by(Application.id)).all():
            on = units.setdefault(link_id, [])
            if all(u != unit_id for u, _, _ in on):  # each unit once, in filing order (links.units_on)
                on.append((unit_id, unit, dept))
        # which links are judged (three months up) or approaching, and the window of days each must have
        windows, rows = {}, []
        for link_id, address, opened_on, device, port in links:
            limit = add_months(opened_on, rule.calendar_months)
            on = units.get(link_id, [])
            row = {"link": link_id, "address": address, "opened_on": opened_on.isoformat(),
                   "limit_on": limit.isoformat(), "device": device, "port": port, "units": [u for _, u, _ in on],
                   "departments": sorted({d for _, _, d in on}), "article": rule.article}
            if limit <= as_of:
                kind, left, upto = "judged", None, limit
            else:
                left = ctx.calendar.days_left(as_of, limit)
                if left > rule.warn_working_days:
                    continue
                kind, upto = "approaching", as_of  # gaps found so far, so that they can be filled in time
            first, last = opened_on + dt.timedelta(days=1), upto - dt.timedelta(days=1)
            if first <= last:
                windows[link_id] = (first, last)
            rows.append((kind, left, row))
        have = _usage_days(s, windows, as_of)
        for kind, left, row in rows:
            window = windows.get(row["link"])
            gaps = _gaps(*window, have.get(row["link"], ())) if window else []
            if kind == "judged":
                if gaps:
                    no_data.append({**row, "finding": "no data", "missing_days": [d.isoformat() for d in gaps],
                                    "action": f"not closed: no usage record for {len(gaps)} "
                                              f"day{'s' if len(gaps) > 1 else ''} of the {rule.calendar_months} "
                                              "months (Art. 15); import those days from the monitoring system "
                                              "('egovnet usage import FILE') or check the link with the unit"})
                else:
                    idle.append({**row, "finding": "idle", "action": "may be closed (Art. 15)"})
            else:
                soon.append({**row, "finding": "approaching", "working_days_left": left,
                             "missing_days": [d.isoformat() for d in gaps],
                             "action": f"reaches {rule.calendar_months} months without use on {row['limit_on']}"})
    return idle, soon, no_data


def _usage_days(s, windows: dict[int, tuple[dt.date, dt.date]], as_of: dt.date) -> dict[int, set[dt.date]]:
    """The days with a usage record of each link in ``windows``, inside its window.

    One query counts, per link, the days with a record from the day after its opening to the day before
    ``as_of``: a link with all of them has no gap in its window (its window lies inside), and its days are not
    read. The days themselves are read only for the links with a gap (the unique index on link_id, day, source
    serves both)."""
    from sqlalchemy import distinct, func

    if not windows:
        return {}
    latest_opening = max(first for first, _ in windows.values()) - dt.timedelta(days=1)
    conn = s.connection()
    counts = dict(conn.execute(
        select(UsageDay.link_id, func.count(distinct(UsageDay.day))).join(Link, Link.id == UsageDay.link_id)
        .where(*_unused_links(), Link.opened_on <= latest_opening, UsageDay.day > Link.opened_on,
               UsageDay.day < as_of).group_by(UsageDay.link_id)).all())
    have: dict[int, set[dt.date]] = {}
    partial = sorted(link_id for link_id, (first, _) in windows.items() if counts.get(link_id, 0) < (as_of - first).days)
    complete = set(windows) - set(partial)
    for link_id in complete:
        have[link_id] = _Everything()
    for i in range(0, len(partial), 500):  # a bounded number of ids per statement (SQLite, PostgreSQL)
        chunk = partial[i:i + 500]
        lo = min(windows[link_id][0] for link_id in chunk)
        hi = max(windows[link_id][1] for link_id in chunk)
        for link_id, day in conn.execute(select(UsageDay.link_id, UsageDay.day).where(
                UsageDay.link_id.in_(chunk), UsageDay.day >= lo, UsageDay.day <= hi)).all():
            first, last = windows[link_id]
            if first <= day <= last:
                have.setdefault(link_id, set()).add(day)
    return have


class _Everything:
    """The days of a link whose window has a record every day."""

    def __contains__(self, day) -> bool:
        return True


def audit(ctx, *, as_of: dt.date | None = None, close: bool = False, workers: int = 4,
          driver_factory=None, progress=None) -> dict:
    as_of = as_of or ctx.today
    with run_lock(ctx.home, "audit-idle"):
        idle, soon, no_data = find(ctx, as_of)
        result = {"as_of": as_of.isoformat(), "idle": idle, "approaching": soon, "no_data": no_data, "closed": [],
                  "failed": [], "warned": []}
        if soon and as_of == ctx.today and "bdc" in ctx.roles():  # Art. 15: warned N working days ahead, once
            from egovnet.services.notices import idle_warnings

            result["warned"] = idle_warnings(ctx, soon)
        if not close or not idle:
            return result
        ctx.require(("bdc",), "close idle links", 15)
        if as_of > ctx.today:
            raise InvalidInput(f"--as-of {as_of} is after today ({ctx.today}); links are closed on facts, not "
                               "forecasts: audit a future date without --close")
        _close(ctx, as_of, idle, result, workers, driver_factory, progress)
        return result


def _close(ctx, as_of, idle, result, workers, driver_factory, progress) -> None:
    from egovnet.inventory import load_inventory
    from egovnet.services import pushes
    from egovnet.services.notices import preflight
    from egovnet.services.provision import default_driver_factory, link_job, push_all

    inventory = load_inventory(ctx.inventory)
    for row in idle:  # a broken notice template stops the run before any device is touched
        preflight(ctx, "idle_closure", row["link"])
    driver_factory = driver_factory or default_driver_factory(inventory)
    with pushes.running(ctx, "audit idle --close"):
        # closures an interrupted run left half-done are finished (saved, recorded, notices) or undone first
        result["resumed"] = pushes.settle(ctx, inventory, driver_factory, services={"idle"})

        def plan():
            jobs = []
            with unit_of_work(ctx.engine) as s:
                for row in idle:
                    link = s.get(Link, row["link"])
                    if link.status != "active" or \
                            s.exec(select(Allocation).where(Allocation.link_id == link.id)).first() is None:
                        continue
                    jobs.append(link_job(s, ctx, inventory, link, "shutdown", unit=", ".join(row["units"]),
                                         intent={"service": "idle", "as_of": as_of.isoformat()}))
            return jobs
        jobs = pushes.retrying(plan)
        push_all(ctx, inventory, jobs, driver_factory, dry_run=False, workers=workers, progress=progress)
        _close_record(ctx, as_of, idle, jobs, result)


def _close_record(ctx, as_of, idle, jobs, result) -> None:
    from egovnet.services import pushes

    rows = {r["link"]: r for r in idle}
    for job in jobs:
        row = rows[job.link_id]
        if job.result is None or job.result.failed:
            with unit_of_work(ctx.engine) as s:
                pushes.mark_recorded(s, job.push_id)
            result["failed"].append({**row, "error": job.result.error if job.result else "not attempted"})
            continue
        notices = _record_closure(ctx, job.link_id, as_of, job.push_id)
        result["closed"].append({**row, "closed_on": ctx.today.isoformat(), "notices": notices})


def _record_closure(ctx, link_id: int, as_of: dt.date, push_id: int | None = None) -> list[dict]:
    from egovnet.services import pushes
    from egovnet.services.notices import for_link, idle_facts

    rule = ctx.policy.deadlines.idle_closure
    with unit_of_work(ctx.engine) as s:
        pushes.mark_recorded(s, push_id)
        link = s.get(Link, link_id)
        link.status, link.closed_on = "closed_idle", ctx.today
        s.add(link)
        limit = add_months(link.opened_on, rule.calendar_months)
        events.record(s, ctx, "link", link.id, "close_idle", role="bdc", article=rule.article,
                      before={"status": "active"}, after={"status": "closed_idle", "closed_on": ctx.today,
                                                          "opened_on": link.opened_on, "limit_on": limit})
        facts = {**idle_facts(s, ctx, link, limit, limit), "closed_on": ctx.today.isoformat()}
        out = [for_link(s, ctx, "idle_closure", link, _units_on(s, link.id), idle=facts)]
        close_applications(s, ctx, link.id, "close_idle", rule.article)
    return out


def close_applications(s, ctx, link_id: int, why: str, article: int) -> list[int]:
    """The link's active applications end with it; a unit needs a new one to come back (Art. 15)."""
    apps = s.exec(select(Application).where(Application.link_id == link_id, Application.status == "active")).all()
    for app in apps:
        app.status = "closed"
        s.add(app)
        events.record(s, ctx, "application", app.id, "close", role="bdc", article=article,
                      before={"status": "active"}, after={"status": "closed", "because": why})
    return [a.id for a in apps]
