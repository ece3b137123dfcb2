"""The operations monitoring system's samples (运维监控系统, Art. 16, 20) and the health audit of active links.

``import_samples`` takes the system's export: CSV, XLSX or JSON lines, one sample a row: the link (``L12`` or
12, or device + interface), a time, up/down, loss %, latency ms, in/out Mbit/s. Every row is checked first and
every problem named by its line; one bad row and nothing is written. A sample already stored with the same
values is counted unchanged (exports overlap); the same link and time with other values is a problem.

Times without a zone are China Standard Time (UTC+8, the monitoring system's clock); one with a zone (``Z``,
``+00:00``) is taken as written. Stored in UTC like every time egovnet keeps; days (``--as-of``, ``--since``) and
messages are China Standard Time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import re
from pathlib import Path

from sqlalchemy import case, func, insert
from sqlmodel import select

from egovnet.errors import InvalidInput, UsageError
from egovnet.state.db import unit_of_work
from egovnet.state.models import Allocation, Link, MonitorSample

CST = dt.timezone(dt.timedelta(hours=8))
DEFAULT_MIN_SAMPLES = 12   # as policies.yaml monitoring.min_samples ships
COLUMNS = {
    "link": ("链路", "链路编号", "link_id"), "device": ("设备",), "interface": ("接口", "port"),
    "at": ("时间", "time", "timestamp", "采集时间"), "status": ("状态",),
    "loss_pct": ("丢包率", "loss", "丢包率(%)"), "latency_ms": ("时延", "latency", "rtt_ms", "时延(ms)"),
    "in_mbps": ("入流量", "in", "入流量(mbps)", "入流量(mbit/s)"),
    "out_mbps": ("出流量", "out", "出流量(mbps)", "出流量(mbit/s)"),
}  # a header may carry its unit as monitoring systems write it, full-width brackets too; only the units meant
STATUS = {"up": "up", "down": "down", "正常": "up", "中断": "down"}
_TIME = re.compile(r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?"
                   r"\s*(Z|[+-]\d{2}:?\d{2})?$")
_RANGE = {"loss_pct": (0.0, 100.0), "latency_ms": (0.0, 600_000.0), "in_mbps": (0.0, 1_000_000.0),
          "out_mbps": (0.0, 1_000_000.0)}


def parse_time(text: str) -> dt.datetime:
    """A sample time, aware (China Standard Time unless written with a zone); ValueError naming the value."""
    m = _TIME.match(text.strip())
    try:
        if not m:
            raise ValueError
        y, mo, d, h, mi, sec, zone = m.groups()
        tz = CST
        if zone:
            tz = dt.timezone.utc if zone == "Z" else dt.timezone(
                (1 if zone[0] == "+" else -1) * dt.timedelta(hours=int(zone[1:3]), minutes=int(zone[-2:])))
        at = dt.datetime(int(y), int(mo), int(d), int(h or 0), int(mi or 0), int(sec or 0), tzinfo=tz)
    except ValueError:
        raise ValueError(f"time {text.strip()[:30]!r} is not a time; write YYYY-MM-DD HH:MM[:SS] (China Standard "
                         "Time) or ISO 8601 with a zone") from None
    if not 2000 <= at.year <= 2099:
        raise ValueError(f"time {text.strip()[:30]!r} lies outside 2000..2099")
    return at.astimezone(dt.timezone.utc)


def shown(at: dt.datetime) -> str:
    """A stored time as people read it: China Standard Time."""
    return f"{at.astimezone(CST):%Y-%m-%d %H:%M:%S}"


def _number(text: str, column: str) -> float | None:
    t = text.strip()
    if t.endswith("%") and column != "loss_pct":
        # a utilisation in % read as Mbit/s would be judged against the bandwidth a second time
        raise ValueError(f"{column} {t[:20]!r} is a percentage; write Mbit/s (audit health divides by the link's "
                         "applied bandwidth)")
    t = t.rstrip("%").strip()
    if not t:
        return None
    try:
        value = float(t)
    except ValueError:
        raise ValueError(f"{column} {text.strip()[:20]!r} is not a number") from None
    low, high = _RANGE[column]
    if math.isnan(value) or not low <= value <= high:
        raise ValueError(f"{column} {text.strip()[:20]!r} is out of range ({low:g} to {high:g})")
    return value


def _read_jsonl(path: Path):
    """JSON lines as a Table: one object a line, keys as the CSV's columns; a bad line is a row problem."""
    from egovnet.tabular import MAX_ROWS, Row, Table, _decode, _norm

    data = path.read_bytes()
    text, encoding = _decode(data, str(path))
    lookup = {_norm(a): c for c, aliases in COLUMNS.items() for a in (c, *aliases)}
    rows = []
    for line, raw in enumerate(text.split("\n"), 1):
        if not raw.strip():
            continue
        try:
            obj = json.loads(raw)
        except json.JSONDecodeError as exc:
            rows.append(Row(line, {"_error": f"not valid JSON ({exc.msg} at column {exc.colno})"}, [raw]))
            continue
        if not isinstance(obj, dict):
            rows.append(Row(line, {"_error": "not a JSON object; write one object per line"}, [raw]))
            continue
        values, error = {}, None
        for key, value in obj.items():
            name = lookup.get(_norm(str(key)))
            if name is None:
                error = f"key {str(key)[:30]!r} is unknown; keys are {', '.join(COLUMNS)}"
            elif isinstance(value, (dict, list, bool)):
                error = f"{name} must be a string or a number"
            else:
                values[name] = "" if value is None else (repr(value) if isinstance(value, float) else str(value))
        rows.append(Row(line, {"_error": error} if error else values, [raw]))
    if not rows:
        raise InvalidInput(f"{path}: the file is empty; write one JSON object per line")
    if len(rows) > MAX_ROWS:
        raise InvalidInput(f"{path}: {len(rows)} rows; split the file into parts of at most {MAX_ROWS}")
    return Table(str(path), list(COLUMNS), [], rows, encoding, hashlib.sha256(data).hexdigest())


def import_samples(ctx, path: Path, progress=None) -> dict:
    """Check every row of the export; store all samples in one bulk insert, or none (Art. 16)."""
    from egovnet.services.onboarding import Problem, Report, _batch, _close_batch, _finish
    from egovnet.tabular import read_table

    role = ctx.require(("bdc",), "import monitoring data", 16)
    path = Path(path)
    if path.suffix.lower() in (".jsonl", ".ndjson"):
        if not path.is_file():
            raise InvalidInput(f"{path}: file not found")
        table = _read_jsonl(path)
    else:
        table = read_table(path, COLUMNS, required=("at", "status"))
    report = Report("monitor", table.source, table.encoding, len(table.rows))
    with unit_of_work(ctx.engine) as s:
        links = set(s.exec(select(Link.id)).all())
        by_port = {(a.device, a.port): a.link_id for a in s.exec(select(Allocation)).all()}
        seen: dict[tuple[int, dt.datetime], int] = {}
        good = []
        for row in table.rows:
            if progress:
                progress()
            v = row.values
            if "_error" in v:
                report.problems.append(Problem(row.line, "-", v["_error"]))
                continue
            problems = [Problem(row.line, c, f"{c} contains a line break or control character; one sample a row")
                        for c, text in v.items() if any(ord(ch) < 32 for ch in text)]
            if problems:
                report.problems += problems
                continue
            link_id = None
            ref = v.get("link", "").strip()
            if ref:
                digits = ref.upper().removeprefix("L")
                link_id = int(digits) if digits.isdigit() and int(digits) in links else None
                if link_id is None:
                    problems.append(Problem(row.line, "link", f"link {ref[:20]!r} not found"))
            elif v.get("device", "").strip() and v.get("interface", "").strip():
                link_id = by_port.get((v["device"].strip(), v["interface"].strip()))
                if link_id is None:
                    problems.append(Problem(row.line, "interface", f"no link is allocated on "
                                                                   f"{v['device'].strip()[:30]} "
                                                                   f"{v['interface'].strip()[:30]}"))
            else:
                problems.append(Problem(row.line, "link", "give link, or device and interface"))
            at = None
            try:
                at = parse_time(v.get("at", ""))
                if at.astimezone(CST).date() > ctx.today:
                    problems.append(Problem(row.line, "at", f"time {shown(at)} is after today ({ctx.today})"))
                    at = None
            except ValueError as exc:
                problems.append(Problem(row.line, "at", str(exc)))
            status = STATUS.get(v.get("status", "").strip().lower())
            if status is None:
                problems.append(Problem(row.line, "status", f"status {v.get('status', '').strip()[:20]!r} must be "
                                                            "up or down (正常/中断)"))
            numbers = {}
            for column in _RANGE:
                try:
                    numbers[column] = _number(v.get(column, ""), column)
                except ValueError as exc:
                    problems.append(Problem(row.line, column, str(exc)))
            if link_id is not None and at is not None:
                first = seen.setdefault((link_id, at), row.line)
                if first != row.line:
                    problems.append(Problem(row.line, "at", f"link L{link_id} at {shown(at)} is also on "
                                                            f"line {first}; one sample per link and time"))
            if problems:
                report.problems += problems
            else:
                good.append((row, {"link_id": link_id, "at": at, "status": status, **numbers}))
        stored = _stored(s, [g for _, g in good])
        fresh = []
        for row, sample in good:
            old = stored.get((sample["link_id"], sample["at"]))
            if old is None:
                fresh.append(sample)
                report.items.append({"line": row.line, "link": sample["link_id"], "status": "created"})
            elif old == sample:
                report.items.append({"line": row.line, "link": sample["link_id"], "status": "unchanged"})
            else:
                report.problems.append(Problem(row.line, "at", f"link L{sample['link_id']} at "
                                               f"{shown(sample['at'])} is stored already with other "
                                               "values; one sample per link and time"))
        _finish(report, table, False, {}, offer_skip=False)
        batch = _batch(s, ctx, "monitor", table, report)
        report.batch = batch.id
        if fresh:
            s.execute(insert(MonitorSample), [{**f, "batch_id": batch.id} for f in fresh])
        _close_batch(s, ctx, batch, report, role, 16)
    return report.as_dict()


def _stored(s, samples: list[dict]) -> dict:
    """The stored samples of the file's links within its time span, as comparable dicts."""
    if not samples:
        return {}
    fields = ("link_id", "at", "status", "loss_pct", "latency_ms", "in_mbps", "out_mbps")
    ids = sorted({x["link_id"] for x in samples})
    lo, hi = min(x["at"] for x in samples), max(x["at"] for x in samples)
    out = {}
    for i in range(0, len(ids), 500):
        q = select(*(getattr(MonitorSample, f) for f in fields)).where(
            MonitorSample.link_id.in_(ids[i:i + 500]), MonitorSample.at >= lo, MonitorSample.at <= hi)
        for r in s.exec(q).all():
            out[(r[0], r[1])] = dict(zip(fields, r))
    return out


# ---- reading the samples ---------------------------------------------------------------------

def _span(start, end) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) as aware datetimes: a date as start is its 00:00 China Standard Time, a date as end includes
    that whole day; a naive datetime is China Standard Time."""
    if not isinstance(start, dt.datetime):
        start = dt.datetime.combine(start, dt.time())
    if not isinstance(end, dt.datetime):
        end = dt.datetime.combine(end + dt.timedelta(days=1), dt.time())
    return tuple(t if t.utcoffset() is not None else t.replace(tzinfo=CST) for t in (start, end))


def availability(session, link_ids, start, end, *, min_samples: int = DEFAULT_MIN_SAMPLES) -> dict[int, dict]:
    """Per link: ``{"samples": n, "down": d, "availability_pct": float | None}`` over [start, end).

    ``start``/``end`` are dates (China Standard Time days; a date as ``end`` includes that day) or datetimes
    (naive ones are China Standard Time).
    Availability is up samples / samples in %, rounded to 3 places; None with fewer than ``min_samples``
    samples (too little data to judge). Every link asked for is in the answer, with 0 samples if none."""
    lo, hi = _span(start, end)
    ids = sorted(set(link_ids))
    out = {i: {"samples": 0, "down": 0, "availability_pct": None} for i in ids}
    down = func.sum(case((MonitorSample.status == "down", 1), else_=0))
    run = getattr(session, "exec", None) or session.execute   # a SQLModel session, or a plain SQLAlchemy one
    for i in range(0, len(ids), 500):
        q = select(MonitorSample.link_id, func.count(), down).where(
            MonitorSample.link_id.in_(ids[i:i + 500]), MonitorSample.at >= lo, MonitorSample.at < hi) \
            .group_by(MonitorSample.link_id)
        for link_id, n, d in run(q).all():
            d = int(d or 0)
            out[link_id] = {"samples": int(n), "down": d,
                            "availability_pct": round(100.0 * (n - d) / n, 3) if n >= min_samples else None}
    return out


def _p95(values: list[float]) -> float:
    """Nearest-rank 95th percentile: spikes shorter than 5 % of the window do not count (the usual traffic rule)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def audit_health(ctx, as_of: dt.date | None = None, since: dt.date | None = None) -> dict:
    """Active links against the monitoring thresholds over [since, as_of] (Art. 16, 20; near saturation Art. 18)."""
    from egovnet.services.links import units_on

    rules = ctx.policy.monitoring
    day = as_of or ctx.today
    first = since or day - dt.timedelta(days=rules.window.days - 1)
    if first > day:
        raise UsageError(f"--since {first} is after --as-of {day}; give a window that ends after it starts")
    lo, hi = _span(first, day)
    with unit_of_work(ctx.engine, write=False) as s:
        active = s.exec(select(Link).where(Link.status == "active").order_by(Link.id)).all()
        names = {link.id: [u.name for u, _, _ in units_on(s, link.id)] for link in active}
        ids = [link.id for link in active]
        counts = availability(s, ids, lo, hi, min_samples=rules.min_samples)
        values: dict[int, dict[str, list[float]]] = {i: {"loss": [], "latency": [], "util": []} for i in ids}
        last_seen: dict[int, dt.datetime] = {}
        for i in range(0, len(ids), 500):
            chunk = ids[i:i + 500]
            q = select(MonitorSample.link_id, MonitorSample.loss_pct, MonitorSample.latency_ms,
                       MonitorSample.in_mbps, MonitorSample.out_mbps).where(
                MonitorSample.link_id.in_(chunk), MonitorSample.at >= lo, MonitorSample.at < hi)
            for link_id, loss, latency, rx, tx in s.exec(q).all():
                v = values[link_id]
                if loss is not None:
                    v["loss"].append(loss)
                if latency is not None:
                    v["latency"].append(latency)
                if rx is not None or tx is not None:
                    v["util"].append(max(rx or 0.0, tx or 0.0))
            last_seen.update(s.exec(select(MonitorSample.link_id, func.max(MonitorSample.at))
                                    .where(MonitorSample.link_id.in_(chunk), MonitorSample.at < hi)
                                    .group_by(MonitorSample.link_id)).all())
    breaches, no_data, near = [], [], []
    for link in active:
        c = counts[link.id]
        if c["availability_pct"] is None:
            seen = last_seen.get(link.id)
            no_data.append({"link": link.id, "units": names[link.id], "samples": c["samples"],
                            "last_sample": shown(seen) if seen else None})
            continue
        v = values[link.id]

        def breach(metric: str, value: float, above: bool) -> None:
            limit = getattr(rules, metric)
            if (value > limit.value) if above else (value < limit.value):
                breaches.append({"link": link.id, "units": names[link.id], "metric": metric, "value": value,
                                 "threshold": limit.value, "article": limit.article})

        breach("availability_pct", c["availability_pct"], above=False)
        if v["loss"]:
            breach("loss_pct", round(sum(v["loss"]) / len(v["loss"]), 2), above=True)
        if v["latency"]:
            breach("latency_ms", round(sum(v["latency"]) / len(v["latency"]), 2), above=True)
        if v["util"] and link.bandwidth_mbps > 0:
            share = round(100.0 * _p95(v["util"]) / link.bandwidth_mbps, 1)
            breach("utilisation_pct", share, above=True)
            if rules.near_saturation_pct.value <= share <= rules.utilisation_pct.value:
                near.append({"link": link.id, "units": names[link.id], "bandwidth_mbps": link.bandwidth_mbps,
                             "utilisation_pct": share, "threshold": rules.near_saturation_pct.value,
                             "article": rules.near_saturation_pct.article})
    thresholds = {name: {"value": getattr(rules, name).value, "article": getattr(rules, name).article}
                  for name in ("availability_pct", "loss_pct", "latency_ms", "utilisation_pct", "near_saturation_pct")}
    return {"as_of": day.isoformat(), "since": first.isoformat(), "min_samples": rules.min_samples,
            "thresholds": thresholds, "breaches": breaches, "no_data": no_data, "near_saturation": near}
