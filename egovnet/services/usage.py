"""Has a link carried traffic? (Art. 15-16) Counters read from the devices, or daily traffic imported.

A link counts as used from the first day whose traffic (in + out, all sources) exceeds the policy's
``used_bytes_per_day``: a link that only carries routing chatter stays idle.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sqlmodel import select

from egovnet.devices import platforms
from egovnet.devices.safety import check_value
from egovnet.errors import EgovnetError, PartialFailure
from egovnet.services import events
from egovnet.state.db import unit_of_work
from egovnet.state.models import Allocation, Link, UsageDay, UsageSample, utcnow

def parse_counters(platform: str, text: str, port: str = "") -> tuple[int, int]:
    """(bytes in, bytes out) from the platform's interface display."""
    return platforms.get(platform).parse_counters(text, port)


def _add_day(s, ctx, link: Link, day, source: str, bytes_in: int, bytes_out: int, replace: bool) -> None:
    row = s.exec(select(UsageDay).where(UsageDay.link_id == link.id, UsageDay.day == day,
                                        UsageDay.source == source)).first()
    if row is None:
        row = UsageDay(link_id=link.id, day=day, source=source, bytes_in=0, bytes_out=0)
    if replace:
        row.bytes_in, row.bytes_out = bytes_in, bytes_out
    else:
        row.bytes_in += bytes_in
        row.bytes_out += bytes_out
    s.add(row)
    s.flush()
    total = sum(r.bytes_in + r.bytes_out for r in s.exec(select(UsageDay).where(UsageDay.link_id == link.id,
                                                                                UsageDay.day == day)).all())
    threshold = ctx.policy.deadlines.idle_closure.used_bytes_per_day
    if total > threshold and (link.first_used_on is None or day < link.first_used_on):
        events.record(s, ctx, "link", link.id, "first_use", role="bdc", article=15,
                      before={"first_used_on": link.first_used_on}, after={"first_used_on": day, "bytes": total})
        link.first_used_on = day
        s.add(link)


def collect(ctx, *, device: str | None = None, workers: int = 4, driver_factory=None) -> dict:
    """Read each active link's port counters from its device; the growth since the last reading is today's."""
    from egovnet.inventory import load_inventory

    ctx.require(("bdc",), "collect usage", 15)
    inventory = load_inventory(ctx.inventory)
    with unit_of_work(ctx.engine, write=False) as s:
        q = select(Link.id, Allocation.device, Allocation.port).join(Allocation, Allocation.link_id == Link.id) \
            .where(Link.status == "active")
        if device:
            inventory.device(device)
            q = q.where(Allocation.device == device)
        targets = s.exec(q.order_by(Link.id)).all()
    by_device: dict[str, list[tuple[int, str]]] = {}
    for link_id, dev, port in targets:
        by_device.setdefault(dev, []).append((link_id, port))
    if driver_factory is None:
        from egovnet.services.provision import default_driver_factory

        driver_factory = default_driver_factory(inventory)

    readings: list[dict] = []

    def read(name: str) -> None:
        dev = inventory.device(name)
        p = platforms.get(dev.platform)
        driver = None
        try:
            driver = driver_factory(dev)
            driver.open()
            for link_id, port in by_device[name]:
                check_value("port", port, dev.platform)
                text = driver.show(p.counters_command(port))
                rx, tx = p.parse_counters(text, port)
                readings.append({"link": link_id, "device": name, "port": port, "in_octets": rx, "out_octets": tx,
                                 "error": None})
        except EgovnetError as exc:
            from egovnet.errors import HostKeyChanged

            if isinstance(exc, HostKeyChanged):  # the nightly reading meets a changed key first: a security event
                from egovnet.services.security import record_host_key_mismatch

                record_host_key_mismatch(ctx, name, str(exc), [])
            done = {r["link"] for r in readings}
            readings.extend({"link": lid, "device": name, "port": port, "error": str(exc)}
                            for lid, port in by_device[name] if lid not in done)
        finally:
            if driver is not None:
                driver.close()

    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(by_device) or 1))) as pool:
        list(pool.map(read, by_device))
    rows = []
    with unit_of_work(ctx.engine) as s:
        for r in sorted(readings, key=lambda r: r["link"]):
            if r["error"]:
                rows.append({**r, "bytes_in": None, "bytes_out": None, "used": None})
                continue
            link = s.get(Link, r["link"])
            last = s.exec(select(UsageSample).where(UsageSample.link_id == link.id)).first()
            if last is None or last.port != r["port"] or last.device != r["device"]:
                d_in, d_out = r["in_octets"], r["out_octets"]   # counters since the port was configured
                last = last or UsageSample(link_id=link.id, device=r["device"], port=r["port"])
            else:  # a counter that went down was reset (reboot, clear counters): count from zero
                d_in = r["in_octets"] - last.in_octets if r["in_octets"] >= last.in_octets else r["in_octets"]
                d_out = r["out_octets"] - last.out_octets if r["out_octets"] >= last.out_octets else r["out_octets"]
            last.device, last.port = r["device"], r["port"]
            last.in_octets, last.out_octets, last.taken_at = r["in_octets"], r["out_octets"], utcnow()
            s.add(last)
            _add_day(s, ctx, link, ctx.today, "device", d_in, d_out, replace=False)
            rows.append({**r, "bytes_in": d_in, "bytes_out": d_out,
                         "first_used_on": link.first_used_on.isoformat() if link.first_used_on else None})
    failed = [r for r in rows if r["error"]]
    result = {"day": ctx.today.isoformat(), "links": rows}
    if failed:
        err = PartialFailure(f"usage of {len(failed)} of {len(rows)} links could not be read, so they have no data for "
                             f"{ctx.today} (audit idle will not close them, Art. 15): "
                             + "; ".join(f"link {r['link']} on {r['device']}: {r['error']}" for r in failed[:3]))
        err.result = result
        raise err
    return result


IMPORT_COLUMNS = {
    "link": ("链路", "链路编号"), "device": ("设备",), "interface": ("接口", "port"), "date": ("日期", "day"),
    "bytes_in": ("入流量", "in"), "bytes_out": ("出流量", "out"),
}


def import_usage(ctx, path: Path) -> dict:
    """Daily traffic from the monitoring system; every row checked first, all rows or none (re-import replaces)."""
    from egovnet.services.onboarding import Problem, Report, _finish, sheet_date
    from egovnet.tabular import read_table

    ctx.require(("bdc",), "import usage", 15)
    table = read_table(path, IMPORT_COLUMNS, required=("date", "bytes_in", "bytes_out"))
    report = Report("usage", table.source, table.encoding, len(table.rows))
    with unit_of_work(ctx.engine) as s:
        by_port = {(a.device, a.port): a.link_id for a in s.exec(select(Allocation)).all()}
        good = []
        for row in table.rows:
            v = row.values
            if "_error" in v:
                report.problems.append(Problem(row.line, "-", v["_error"]))
                continue
            problems = []
            link = None
            ref = v.get("link", "").strip().upper().removeprefix("L")
            if ref:
                link = s.get(Link, int(ref)) if ref.isdigit() else None
                if link is None:
                    problems.append(Problem(row.line, "link", f"link {v['link'].strip()[:20]!r} not found"))
            elif v.get("device", "").strip() and v.get("interface", "").strip():
                lid = by_port.get((v["device"].strip(), v["interface"].strip()))
                link = s.get(Link, lid) if lid else None
                if link is None:
                    problems.append(Problem(row.line, "interface", f"no link is allocated on {v['device'].strip()[:30]} "
                                                                   f"{v['interface'].strip()[:30]}"))
            else:
                problems.append(Problem(row.line, "link", "give link, or device and interface"))
            day = None
            try:
                day = sheet_date(v.get("date", ""), "date")
                if day > ctx.today:
                    problems.append(Problem(row.line, "date", f"date {day} is in the future"))
            except ValueError as exc:
                problems.append(Problem(row.line, "date", str(exc)))
            counts = []
            for column in ("bytes_in", "bytes_out"):
                text = v.get(column, "").strip().replace(",", "")
                if not text.isdigit():
                    problems.append(Problem(row.line, column, f"{column} {text[:20]!r} is not a whole number of bytes"))
                else:
                    counts.append(int(text))
            if problems:
                report.problems += problems
            else:
                good.append((row, link, day, counts))
        _finish(report, table, False, {}, offer_skip=False)
        for row, link, day, (b_in, b_out) in good:
            _add_day(s, ctx, link, day, "import", b_in, b_out, replace=True)
            report.items.append({"line": row.line, "link": link.id, "day": day.isoformat(), "status": "created",
                                 "first_used_on": link.first_used_on.isoformat() if link.first_used_on else None})
    return report.as_dict()
