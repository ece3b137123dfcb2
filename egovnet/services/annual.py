"""The annual evaluation (年度评估, Art. 24): reliability, availability, security and service quality of the
district extranet over one year, per town (街镇) and for the district, from recorded data only, with the fixes
the figures call for.

Towns are what units record (``unit.town``: the 街镇 column of the town offices' spreadsheets, ``unit add
--town``). A link belongs to the town of its first unit (the unit of the link's first application); a change
request, a notice, an assessment to the town of its unit. Units without a town (district agencies, as a rule)
form the group ``NO_TOWN``. The district row (``全区``) counts every case once, not the sum of rounded shares.

A figure with too little data is ``None`` (JSON null; "n/a" in the workbook, "数据不足" in the document),
never 100% of nothing. The report reads the record as of the day it runs: a year not yet over is reported up
to today and marked partial.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import select

from egovnet.errors import InvalidInput
from egovnet.state.db import unit_of_work
from egovnet.state.models import Application, ChangeRequest, Event, Link, Notice, Unit, UsageDay

ARTICLE = 24
NO_TOWN = "未填街镇"
DISTRICT = "全区"
CLOCK_LABELS = {"review": ("接入审核", 12), "construction": ("网络接入施工", 12), "change_review": ("资源调整审核", 18),
                "change_execution": ("资源调整实施", 18), "ticket_response": ("故障响应", 17),
                "ticket_restoration": ("故障修复", 17)}


@dataclass(frozen=True)
class Period:
    year: int
    first: dt.date
    last: dt.date          # the year's last day, or today for the current year
    partial: bool

    def __contains__(self, day) -> bool:
        return day is not None and self.first <= day <= self.last


def period_of(ctx, year: int) -> Period:
    if not 2000 <= year <= 2099:
        raise InvalidInput(f"--year {year}: the official working-day calendar covers 2000-2099; give a year in it")
    first, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    if first > ctx.today:
        raise InvalidInput(f"--year {year} has not begun (today is {ctx.today}); the annual evaluation (Art. 24) "
                           "reports a year from its record: give this year or an earlier one")
    return Period(year, first, min(end, ctx.today), ctx.today < end)


def share(met: int, total: int, minimum: int = 1) -> float | None:
    """met / total rounded to 3 places, or None when there are fewer than ``minimum`` cases (never 100% of
    nothing)."""
    return round(met / total, 3) if total and total >= max(minimum, 1) else None


def mean(values: list[float], digits: int = 1) -> float | None:
    return round(sum(values) / len(values), digits) if values else None


class Towns:
    """Which town each unit and link belongs to, read once."""

    def __init__(self, s):
        self.unit = {uid: (town or NO_TOWN) for uid, town in s.exec(select(Unit.id, Unit.town)).all()}
        self.link: dict[int, str] = {}
        rows = s.exec(select(Application.link_id, Application.unit_id).where(Application.link_id.is_not(None))
                      .order_by(Application.id)).all()
        for link_id, unit_id in rows:
            self.link.setdefault(link_id, self.unit.get(unit_id, NO_TOWN))

    def of_link(self, link_id) -> str:
        return self.link.get(link_id, NO_TOWN)

    def of_unit(self, unit_id) -> str:
        return self.unit.get(unit_id, NO_TOWN)

    def names(self, *extra) -> list[str]:
        """Every town with a unit, sorted, the units without a town last."""
        named = sorted({t for t in self.unit.values() if t != NO_TOWN} | {t for t in extra if t and t != NO_TOWN})
        return named + ([NO_TOWN] if NO_TOWN in self.unit.values() or NO_TOWN in extra else [])


def _table(towns: list[str], fields: tuple[str, ...]) -> dict[str, dict]:
    return {t: {"town": t, **{f: 0 for f in fields}} for t in [*towns, DISTRICT]}


def _count(table: dict, town: str, field: str, n: int = 1) -> None:
    table[town][field] += n
    table[DISTRICT][field] += n


def _rows(table: dict) -> dict:
    return {"by_town": [v for k, v in table.items() if k != DISTRICT], "district": table[DISTRICT]}


# ---- the sections ------------------------------------------------------------------------------

def in_service(s) -> dict[int, list[tuple[dt.date, dt.date | None]]]:
    """Every link's fee periods (services/fees.fee_periods: opening day to closing day, reopen periods
    included): when it was in service."""
    from egovnet.services.fees import fee_periods

    return {k: v for k, v in fee_periods(s).items() if v}


def _days_in(spans, period: Period) -> int:
    return sum(max((min(b or period.last, period.last) - max(a, period.first)).days + 1, 0) for a, b in spans)


def _open_at(spans, day: dt.date) -> bool:
    return any(a <= day and (b is None or b > day) for a, b in spans)


def _events(s, period: Period, object_type: str, actions: tuple[str, ...]) -> list[Event]:
    return s.exec(select(Event).where(Event.object_type == object_type, Event.action.in_(actions),
                                      Event.effective_date >= period.first, Event.effective_date <= period.last)
                  .order_by(Event.id)).all()


def links_section(s, period: Period, towns: Towns, names: list[str]) -> dict:
    """Applications received and decided, links opened, closed for non-use, decommissioned (Art. 12, 14, 15)."""
    fields = ("applications", "approved", "rejected", "opened", "reopened", "closed_idle", "decommissioned",
              "active_at_end")
    t = _table(names, fields)
    for app in s.exec(select(Application).where(Application.received_on >= period.first,
                                                Application.received_on <= period.last)).all():
        _count(t, towns.of_unit(app.unit_id), "applications")
    for app in s.exec(select(Application).where(Application.decided_on >= period.first,
                                                Application.decided_on <= period.last)).all():
        if app.decision in ("approved", "rejected"):
            _count(t, towns.of_unit(app.unit_id), app.decision)
    for e in _events(s, period, "link", ("open", "reopen", "close_idle", "decommission")):
        field = {"open": "opened", "reopen": "reopened", "close_idle": "closed_idle"}.get(e.action, "decommissioned")
        _count(t, towns.of_link(e.object_id), field)
    for link_id, spans in in_service(s).items():
        if _open_at(spans, period.last):
            _count(t, towns.of_link(link_id), "active_at_end")
    return _rows(t)


def clock_cases(s, ctx, period: Period) -> list[dict]:
    """Every clock started within the period, judged as of today by the one computation of "met on time"
    (services/clocks.py): met, late (also still running past due), or not judged yet (``met`` None)."""
    from egovnet.services.clocks import on_time_cases

    return [{**c, "town": c["town"] or NO_TOWN} for clock in CLOCK_LABELS
            for c in on_time_cases(s, clock, period.first, period.last, ctx.today)]


def on_time_section(cases: list[dict], names: list[str], minimum: int = 1) -> dict:
    """Per clock and town: cases judged (met or late), met, late, share met (None below ``minimum`` cases:
    policies.yaml statistics.min_cases)."""
    rows = []
    for clock, (label, art) in CLOCK_LABELS.items():
        for town in [*names, DISTRICT]:
            mine = [c for c in cases if c["clock"] == clock and (town == DISTRICT or c["town"] == town)]
            met = sum(c["met"] is True for c in mine)
            late = sum(c["met"] is False for c in mine)
            rows.append({"town": town, "clock": clock, "label": label, "article": art, "cases": met + late,
                         "met": met, "late": late, "share": share(met, met + late, minimum)})
    return {"by_town": [r for r in rows if r["town"] != DISTRICT], "district": [r for r in rows
                                                                                  if r["town"] == DISTRICT]}


def changes_section(s, period: Period, towns: Towns, names: list[str]) -> dict:
    """Resource adjustments (Art. 18): requests filed, decided, carried out; bandwidth raised or lowered."""
    t = _table(names, ("requests", "approved", "rejected", "applied", "raised", "lowered", "released"))
    for ch in s.exec(select(ChangeRequest)).all():
        town = towns.of_unit(ch.unit_id)
        if ch.requested_on in period:
            _count(t, town, "requests")
        if ch.decided_on in period and ch.status in ("approved", "applied", "rejected"):
            _count(t, town, "rejected" if ch.status == "rejected" else "approved")
        if ch.applied_on in period:
            _count(t, town, "applied")
            if ch.kind == "release":
                _count(t, town, "released")
            elif (ch.bandwidth_to or 0) > (ch.bandwidth_from or 0):
                _count(t, town, "raised")
            else:
                _count(t, town, "lowered")
    return _rows(t)


def usage_section(s, ctx, period: Period, towns: Towns, names: list[str]) -> dict:
    """Use of the links (Art. 15, 16): links open in the period, those with networked use, the days measured,
    the traffic carried, idle warnings and closures."""
    threshold = ctx.policy.deadlines.idle_closure.used_bytes_per_day
    t = _table(names, ("links_open", "links_used", "days_measured", "days_open", "bytes_in", "bytes_out",
                       "idle_warnings", "idle_closures"))
    for link_id, spans in in_service(s).items():
        days = _days_in(spans, period)
        if days:
            _count(t, towns.of_link(link_id), "links_open")
            _count(t, towns.of_link(link_id), "days_open", days)
    # one row per link: a day read from the device and imported from the monitoring system counts once (the
    # larger reading), so two sources never double the traffic; summed in the database, not row by row
    from sqlalchemy import case, func

    per_day = select(UsageDay.link_id.label("link_id"), UsageDay.day.label("day"),
                     func.max(UsageDay.bytes_in).label("b_in"), func.max(UsageDay.bytes_out).label("b_out")) \
        .where(UsageDay.day >= period.first, UsageDay.day <= period.last) \
        .group_by(UsageDay.link_id, UsageDay.day).subquery()
    q = select(per_day.c.link_id, func.count(), func.sum(per_day.c.b_in), func.sum(per_day.c.b_out),
               func.sum(case((per_day.c.b_in + per_day.c.b_out > threshold, 1), else_=0))) \
        .group_by(per_day.c.link_id)
    for link_id, days, b_in, b_out, used_days in s.exec(q).all():
        town = towns.of_link(link_id)
        _count(t, town, "days_measured", int(days))
        _count(t, town, "bytes_in", int(b_in or 0))
        _count(t, town, "bytes_out", int(b_out or 0))
        if used_days:
            _count(t, town, "links_used")
    for n in s.exec(select(Notice).where(Notice.kind.in_(("idle_warning", "idle_closure")),
                                         Notice.issued_on >= period.first, Notice.issued_on <= period.last,
                                         Notice.status != "superseded")).all():
        _count(t, towns.of_link(n.link_id), "idle_warnings" if n.kind == "idle_warning" else "idle_closures")
    for row in t.values():
        # the share of open link-days with a usage record: how much of the year the monitoring saw (Art. 16)
        row["coverage"] = share(row["days_measured"], row["days_open"])
    return _rows(t)


def security_section(s, ctx, period: Period, towns: Towns, names: list[str]) -> dict:
    """Security (Art. 13, 21): units on a link open at the period's end; what `audit security` finds as of the
    period's last day (MLPS assessments expired or missing, BDC checks and risk assessments overdue or never made,
    failed checks without a follow-up); checks and assessments recorded in the period."""
    from sqlalchemy import or_

    from egovnet.services.assessments import audit
    from egovnet.state.models import Assessment

    findings = ("mlps_expired", "mlps_missing", "mlps_due", "bdc_check_overdue", "bdc_check_missing",
                "risk_assessment_overdue", "risk_assessment_missing", "fail_without_follow_up")
    kinds = ("bdc_check", "mlps_assessment", "risk_assessment")
    t = _table(names, ("units_connected",) + findings + tuple(f"{k}s" for k in kinds) + ("failed",))
    q = select(Unit.id).join(Application, Application.unit_id == Unit.id).join(Link, Link.id == Application.link_id) \
        .where(Application.status.in_(("active", "closed")), Link.opened_on <= period.last,
               or_(Link.closed_on.is_(None), Link.closed_on > period.last)).distinct()
    for unit_id in s.exec(q).all():
        _count(t, towns.of_unit(unit_id), "units_connected")
    by_code = {code: uid for uid, code in s.exec(select(Unit.id, Unit.code)).all()}
    units = []
    for f in audit(ctx, as_of=period.last)["findings"]:
        town = towns.of_unit(by_code.get(f["code"]))
        _count(t, town, f["finding"])
        if f["finding"] != "mlps_due":
            units.append({"unit": f["unit"], "town": town, "finding": f["finding"], "kind": f["kind"],
                          "last": f["last"], "due": f["due"], "article": f["article"]})
    for a in s.exec(select(Assessment).where(Assessment.date >= period.first, Assessment.date <= period.last,
                                             Assessment.source == "check")).all():
        town = towns.of_unit(a.unit_id)
        _count(t, town, f"{a.kind}s")
        if a.result == "fail":
            _count(t, town, "failed")
    return {**_rows(t), "units": sorted(units, key=lambda r: (r["town"], r["unit"], r["finding"]))}


def availability_section(s, ctx, period: Period, towns: Towns, names: list[str]) -> dict:
    """Availability (Art. 16, 17, 24) of every link in service in the period, two ways: the monitoring system's
    samples (services/monitoring.availability: up samples / samples, n/a below monitoring.min_samples) and the
    tickets (services/tickets.availability: minutes in service from the fee periods, reopen periods included, less
    the unplanned downtime of outage tickets; filed maintenance, Art. 18, taken out). A town's figure pools its
    links' samples and minutes."""
    from egovnet.services.monitoring import availability as sampled
    from egovnet.services.tickets import CST, availability as ticketed

    wanted = {k for k, spans in in_service(s).items() if _days_in(spans, period)}
    links = [link for link in s.exec(select(Link).order_by(Link.id)).all() if link.id in wanted]
    ids = [link.id for link in links]
    minimum = ctx.policy.monitoring.min_samples
    seen = sampled(s, ids, period.first, period.last, min_samples=minimum)
    end = dt.datetime.combine(period.last + dt.timedelta(days=1), dt.time(), CST)
    now = min(end, dt.datetime.combine(ctx.today + dt.timedelta(days=1), dt.time(), CST))
    down: dict[int, dict] = {}
    for i in range(0, len(ids), 500):   # an IN list of 500 at most, as monitoring.availability reads
        down.update(ticketed(s, ids[i:i + 500], period.first, period.last + dt.timedelta(days=1),
                             maintenance_hours=ctx.policy.tickets.maintenance_window_hours, now=now))
    on_link: dict[int, list[str]] = {}
    for link_id, name in s.exec(select(Application.link_id, Unit.name).join(Unit, Unit.id == Application.unit_id)
                                .where(Application.status.in_(("active", "closed", "released")))
                                .order_by(Application.id)).all():
        if name not in on_link.setdefault(link_id, []):
            on_link[link_id].append(name)
    rows = []
    t = _table(names, ("links", "samples", "down_samples", "service_minutes", "outage_tickets", "unplanned_minutes",
                       "planned_minutes"))
    for link in links:
        town = towns.of_link(link.id)
        m, d = seen[link.id], down[link.id]
        rows.append({"link": link.id, "town": town, "units": on_link.get(link.id, []), "address": link.address,
                     "service_minutes": d["service_minutes"], "samples": m["samples"], "down_samples": m["down"],
                     "monitored_pct": m["availability_pct"], "outage_tickets": d["tickets"],
                     "unplanned_minutes": d["unplanned_minutes"], "planned_minutes": d["planned_minutes"],
                     "ticket_pct": round(d["availability"] * 100, 3) if d["availability"] is not None else None})
        for field, n in (("links", 1), ("samples", m["samples"]), ("down_samples", m["down"]),
                         ("service_minutes", d["service_minutes"]), ("outage_tickets", d["tickets"]),
                         ("unplanned_minutes", d["unplanned_minutes"]), ("planned_minutes", d["planned_minutes"])):
            _count(t, town, field, n)
    for row in t.values():
        row["monitored_pct"] = (round(100.0 * (row["samples"] - row["down_samples"]) / row["samples"], 3)
                                if row["samples"] >= minimum else None)
        row["ticket_pct"] = _pct_of(row["service_minutes"] - row["unplanned_minutes"], row["service_minutes"])
    return {**_rows(t), "links": rows, "min_samples": minimum}


def _pct_of(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 3) if whole else None


def faults_section(s, ctx, period: Period, towns: Towns, names: list[str]) -> dict:
    """Fault tickets reported in the period (Art. 17), from services/tickets.tickets_in_period: by severity,
    outages, resolved, and the mean minutes to respond and to restore (None without a case)."""
    from egovnet.services.tickets import tickets_in_period

    t = _table(names, ("tickets", "p1", "p2", "p3", "outages", "resolved"))
    respond: dict[str, list[int]] = {}
    restore: dict[str, list[int]] = {}
    for d in tickets_in_period(s, ctx, period.first, period.last):
        town = d["town"] or NO_TOWN
        _count(t, town, "tickets")
        _count(t, town, d["severity"])
        _count(t, town, "outages", int(bool(d["outage"])))
        _count(t, town, "resolved", int(d["status"] == "resolved"))
        for bucket, key in ((respond, "respond_minutes"), (restore, "restore_minutes")):
            if d[key] is not None:
                bucket.setdefault(town, []).append(d[key])
                bucket.setdefault(DISTRICT, []).append(d[key])
    for town, row in t.items():
        row["mean_respond_minutes"] = mean(respond.get(town, []))
        row["mean_restore_minutes"] = mean(restore.get(town, []))
    return _rows(t)


def saturation(ctx, period: Period, towns: Towns) -> list[dict]:
    """Links near or over their bandwidth in the period, as `audit health` judges them (95th percentile of the
    monitoring samples against the applied bandwidth, Art. 16, 18)."""
    from egovnet.services.monitoring import audit_health

    health = audit_health(ctx, as_of=period.last, since=period.first)
    out = [{"link": r["link"], "town": towns.of_link(r["link"]), "units": r["units"], "utilisation_pct": r["value"],
            "threshold": r["threshold"], "finding": "saturated"}
           for r in health["breaches"] if r["metric"] == "utilisation_pct"]
    out += [{"link": r["link"], "town": towns.of_link(r["link"]), "units": r["units"],
             "utilisation_pct": r["utilisation_pct"], "threshold": r["threshold"], "finding": "near_saturation"}
            for r in health["near_saturation"]]
    return sorted(out, key=lambda r: r["link"])


def drift_section(s, period: Period, towns: Towns, names: list[str]) -> dict:
    """Configuration drift (Art. 22) from `audit drift`'s record: findings found and resolved in the period (by
    the effective day of their events), those still open at its end, the audits run. A finding on a link counts
    in the link's town; one on a device (not on a link) only in the district row."""
    from egovnet.state.models import DriftFinding

    t = _table(names, ("found", "resolved", "open_at_end"))
    rows = {f.id: f for f in s.exec(select(DriftFinding)).all()}
    found_on: dict[int, dt.date] = {}
    resolved_on: dict[int, dt.date] = {}
    for e in s.exec(select(Event).where(Event.object_type == "drift_finding",
                                        Event.action.in_(("drift.found", "drift.resolved"))).order_by(Event.id)).all():
        (found_on if e.action == "drift.found" else resolved_on).setdefault(e.object_id, e.effective_date)

    def count(finding, field):
        if finding.link_id is not None:
            _count(t, towns.of_link(finding.link_id), field)
        else:
            t[DISTRICT][field] += 1

    for fid, finding in rows.items():
        found, resolved = found_on.get(fid), resolved_on.get(fid)
        if found in period:
            count(finding, "found")
        if resolved in period:
            count(finding, "resolved")
        if found is not None and found <= period.last and (resolved is None or resolved > period.last):
            count(finding, "open_at_end")
    audits = len(_events(s, period, "drift_run", ("drift.audit",)))
    return {**_rows(t), "audits": audits}


def incidents_section(s, period: Period, towns: Towns, names: list[str]) -> dict:
    """Security incidents on which the Office cut units off (Art. 23) and criticism circulars (Art. 26): each in
    the town of the units it concerns (a shared link cut whole counts in each unit's town once)."""
    from egovnet.state.models import Criticism, SecurityIncident

    t = _table(names, ("incidents", "units_cut_off", "reconnected", "cut_off_at_end", "criticisms"))
    # the days the cut and the restore were recorded (the events' effective dates, as every other figure here)
    cut: dict[int, dt.date] = {}
    back: dict[int, dt.date] = {}
    for e in s.exec(select(Event).where(Event.object_type == "security_incident",
                                        Event.action.in_(("disconnect", "reconnect"))).order_by(Event.id)).all():
        (cut if e.action == "disconnect" else back).setdefault(e.object_id, e.effective_date)
    for inc in s.exec(select(SecurityIncident)).all():
        unit_ids = list(inc.unit_ids or ([inc.unit_id] if inc.unit_id else []))
        mine = [x for x in dict.fromkeys(towns.of_unit(u) for u in unit_ids) if x in t]
        on, off = cut.get(inc.id), back.get(inc.id)
        still = on is not None and on <= period.last and (off is None or off > period.last)
        for town in [*mine, DISTRICT]:
            t[town]["incidents"] += inc.opened_on in period
            t[town]["reconnected"] += off in period
            t[town]["cut_off_at_end"] += still
        if inc.opened_on in period:
            for u in unit_ids:
                t[DISTRICT]["units_cut_off"] += 1
                if towns.of_unit(u) in t:
                    t[towns.of_unit(u)]["units_cut_off"] += 1
    for cr in s.exec(select(Criticism).where(Criticism.decided_on >= period.first,
                                             Criticism.decided_on <= period.last)).all():
        _count(t, towns.of_unit(cr.unit_id), "criticisms")
    return _rows(t)


def notices_section(s, period: Period, towns: Towns, names: list[str]) -> dict:
    """Written notices issued in the period, by kind (Art. 12, 15, 18): each in the town of its first unit."""
    from egovnet.notices.context import KIND_ARTICLES

    kinds = tuple(k for k in KIND_ARTICLES if k != "annual_report")
    t = _table(names, kinds + ("deliveries_missing",))
    from egovnet.state.models import NoticeDelivery

    delivered = set(s.exec(select(NoticeDelivery.notice_id).distinct()).all())
    for n in s.exec(select(Notice).where(Notice.issued_on >= period.first, Notice.issued_on <= period.last,
                                         Notice.kind.in_(kinds))).all():
        town = towns.of_unit(n.unit_ids[0]) if n.unit_ids else towns.of_link(n.link_id)
        _count(t, town, n.kind)
        if n.id not in delivered and n.status != "superseded":
            _count(t, town, "deliveries_missing")
    return _rows(t)


# ---- the fixes the figures call for -----------------------------------------------------------

def proposals(ctx, report: dict) -> list[dict]:
    """A short list of fixes that follows from the figures: one per problem, naming the towns it concerns (with
    their figure) and the article."""
    rule = ctx.policy.evaluation
    out = []

    def add(topic, article, found, what, proposal):
        if found:
            out.append({"topic": topic, "article": article, "towns": list(dict.fromkeys(t for t, _ in found)),
                        "finding": f"{what}：" + "、".join(f"{t}{n}" for t, n in found), "proposal": proposal})

    on_time = report["sections"]["on_time"]["by_town"]
    for clock, (label, art) in CLOCK_LABELS.items():
        add(f"late_{clock}", art, [(r["town"], f"{r['late']}件（共{r['cases']}件）") for r in on_time
                                   if r["clock"] == clock and r["late"] >= rule.repeated_late],
            f"{label}多次超时", _LATE_FIX[clock])
    usage = report["sections"]["usage"]["by_town"]
    add("idle", 15, [(r["town"], f"{r['idle_closures']}条") for r in usage if r["idle_closures"] >= rule.repeated_idle],
        "因未开展联网应用关闭链路较多", "业务主管部门申请接入前核实接入单位的联网应用需求和上线时间，避免开通后闲置")
    add("monitoring", 16, [(r["town"], pct(r["coverage"])) for r in usage
                           if r["coverage"] is not None and r["coverage"] < rule.min_coverage],
        "链路流量监测覆盖率偏低", "补齐运维监控系统对相关链路的流量采集：缺少数据的链路无法评价使用情况")
    sec = report["sections"]["security"]
    mlps = [(r["town"], f"{r['mlps_expired'] + r['mlps_missing']}家（" + "、".join(
        u["unit"] for u in sec["units"] if u["town"] == r["town"] and u["finding"] in ("mlps_expired", "mlps_missing"))
        + "）") for r in sec["by_town"] if r["mlps_expired"] + r["mlps_missing"]]
    add("mlps", 13, mlps, "在网单位等级保护测评过期或无记录",
        "督促相关单位限期完成等级保护测评并报区大数据中心备案，逾期未整改的报区政务服务办公室处理")
    add("checks", 21, [(r["town"], f"{r['bdc_check_overdue'] + r['bdc_check_missing']}家") for r in sec["by_town"]
                       if r["bdc_check_overdue"] + r["bdc_check_missing"]],
        "在网单位超过周期未做定期安全检查", "将逾期单位列入下一季度安全检查计划（第二十一条）")
    add("follow_up", 21, [(r["town"], f"{r['fail_without_follow_up']}项") for r in sec["by_town"]
                          if r["fail_without_follow_up"]],
        "检查不合格未整改复查", "督促相关单位限期整改并复查，逾期的报区政务服务办公室（第二十一条、第二十六条）")
    add("drift", 22, [(r["town"], f"{r['found']}项") for r in report["sections"]["drift"]["by_town"]
                      if r["found"] >= rule.repeated_late],
        "接入设备配置多次被擅自改动", "约谈相关接入单位，重申不得擅自变更政务外网线路和接入设备（第二十二条），"
        "对其接入设备按月核查配置")
    av = report["sections"]["availability"]
    floor = ctx.policy.monitoring.availability_pct.value
    add("availability", 16, [(r["town"], f"（{'、'.join(r['units'])}）{r['monitored_pct']}%") for r in av["links"]
                             if r["monitored_pct"] is not None and r["monitored_pct"] < floor],
        f"链路可用率低于{floor}%", "逐条分析中断原因（线路、设备、供电），必要时增加备用链路或更换设备")
    add("saturation", 18, [(r["town"], f"（{'、'.join(r['units'])}）{r['utilisation_pct']}%")
                           for r in report["sections"]["usage"]["saturation"]],
        "链路带宽接近或超过饱和", "告知接入单位按第十八条提出资源调整申请，扩容相关链路带宽")
    return out


_LATE_FIX = {
    "ticket_response": "落实故障报修值守，按第十七条及时响应报修",
    "ticket_restoration": "分析超时故障原因，完善备件和抢修安排，按时限恢复（第十七条）",
    "review": "充实审核力量，受理后5个工作日内完成审核（第十二条）",
    "construction": "与该街镇及施工单位逐项排查超期原因，符合条件的及时办理延期，其余限期完成施工（第十二条）",
    "change_review": "资源调整申请受理后5个工作日内完成审核（第十八条）",
    "change_execution": "批准后10个工作日内完成资源调整实施（第十八条）",
}


# ---- the whole report -------------------------------------------------------------------------

def build(ctx, year: int) -> dict:
    """The evaluation of ``year`` as one plain object (what --json prints)."""
    period = period_of(ctx, year)
    with unit_of_work(ctx.engine, write=False) as s:
        towns = Towns(s)
        names = towns.names()
        cases = clock_cases(s, ctx, period)
        report = {
            "year": year, "article": ARTICLE, "partial": period.partial, "towns": names,
            "period": {"from": period.first.isoformat(), "to": period.last.isoformat()},
            "sections": {
                "links": links_section(s, period, towns, names),
                "availability": availability_section(s, ctx, period, towns, names),
                "faults": faults_section(s, ctx, period, towns, names),
                "on_time": on_time_section(cases, names, ctx.policy.statistics.min_cases),
                "changes": changes_section(s, period, towns, names),
                "usage": usage_section(s, ctx, period, towns, names),
                "security": security_section(s, ctx, period, towns, names),
                "drift": drift_section(s, period, towns, names),
                "incidents": incidents_section(s, period, towns, names),
                "notices": notices_section(s, period, towns, names),
            },
        }
    report["sections"]["usage"]["saturation"] = saturation(ctx, period, towns)
    report["proposals"] = proposals(ctx, report)
    return report


# ---- the report document (报告, GB/T 9704) -----------------------------------------------------

CN_ORDINALS = "一二三四五六七八九十"


def pct(value: float | None) -> str:
    return "数据不足" if value is None else f"{value * 100:.1f}%"


def _pct100(value: float | None) -> str:
    return "数据不足" if value is None else f"{value:.2f}%"


def _minutes(value: float | None) -> str:
    return "数据不足" if value is None else f"{value:g}分钟"


def _size(n: int) -> str:
    return f"{n / 1e9:.2f} GB"


def paragraphs(ctx, report: dict) -> list[dict]:
    """The report's parts as headings and paragraphs, from the figures (what the template lays out)."""
    sec = report["sections"]
    ln, ch, us, se, av, fa, inc = (sec[k]["district"] for k in ("links", "changes", "usage", "security",
                                                                  "availability", "faults", "incidents"))
    dr = {**sec["drift"]["district"], "audits": sec["drift"]["audits"]}
    parts = []
    parts.append(("总体情况", [
        f"全年受理接入申请{ln['applications']}件，批准{ln['approved']}件，不予批准{ln['rejected']}件；新开通链路"
        f"{ln['opened']}条，重新开通{ln['reopened']}条，因未开展联网应用关闭{ln['closed_idle']}条，拆除"
        f"{ln['decommissioned']}条；期末在用链路{ln['active_at_end']}条。"]))
    parts.append(("可用性和故障处理", [
        f"期内在网链路{av['links']}条。运维监控系统采样{av['samples']}次，其中中断{av['down_samples']}次，监测可用率"
        f"{_pct100(av['monitored_pct'])}；故障工单记录的非计划中断{av['unplanned_minutes']}分钟（已报备的设备调试或升级"
        f"{av['planned_minutes']}分钟不计），按工单计算的可用率{_pct100(av['ticket_pct'])}。",
        f"受理故障报修{fa['tickets']}件（一级{fa['p1']}件、二级{fa['p2']}件、三级{fa['p3']}件），其中造成中断的"
        f"{fa['outages']}件，已修复{fa['resolved']}件；平均响应时间{_minutes(fa['mean_respond_minutes'])}，平均修复时间"
        f"{_minutes(fa['mean_restore_minutes'])}。"]))
    lines = []
    for r in sec["on_time"]["district"]:
        if r["cases"]:
            lines.append(f"{r['label']}（第{_cn(r['article'])}条）统计{r['cases']}件，按时{r['met']}件，超时"
                         f"{r['late']}件，按时办结率{pct(r['share'])}。")
        else:
            lines.append(f"{r['label']}（第{_cn(r['article'])}条）本期无统计事项，按时办结率数据不足。")
    parts.append(("服务时限", ["；".join(x.rstrip("。") for x in lines) + "。"]))
    parts.append(("资源调整", [
        f"受理资源调整申请{ch['requests']}件，批准{ch['approved']}件，不予批准{ch['rejected']}件；实施{ch['applied']}"
        f"件，其中提高带宽{ch['raised']}件，降低带宽{ch['lowered']}件，单位退出共用链路{ch['released']}件。"]))
    parts.append(("使用情况", [
        f"期内开通过的链路{us['links_open']}条，其中有联网应用（日流量超过闲置判定阈值）的{us['links_used']}条；"
        f"链路流量监测覆盖率{pct(us['coverage'])}（有流量记录的链路日{us['days_measured']}个，开通链路日"
        f"{us['days_open']}个），合计上行{_size(us['bytes_in'])}、下行{_size(us['bytes_out'])}；发出关闭链路提醒"
        f"{us['idle_warnings']}份，关闭链路通知{us['idle_closures']}份。"]))
    parts.append(("安全情况", [
        f"期末在网接入单位{se['units_connected']}家。等级保护测评已过期{se['mlps_expired']}家，无测评记录"
        f"{se['mlps_missing']}家，60日内到期{se['mlps_due']}家；超过周期未做定期安全检查{se['bdc_check_overdue']}家、从未"
        f"检查{se['bdc_check_missing']}家；风险评估逾期{se['risk_assessment_overdue']}家、无记录"
        f"{se['risk_assessment_missing']}家；检查不合格未整改复查{se['fail_without_follow_up']}项。期内开展定期安全检查"
        f"{se['bdc_checks']}次，登记等级保护测评{se['mlps_assessments']}次、风险评估{se['risk_assessments']}次，"
        f"不合格{se['failed']}次。".replace("60日", f"{ctx.policy.security_checks.mlps_due_window.days}日"),
        f"开展接入设备配置核查{dr['audits']}次，发现配置偏离{dr['found']}项，已纠正{dr['resolved']}项，期末未纠正"
        f"{dr['open_at_end']}项（第二十二条）。发生网络安全事件并由区政务服务办公室断开连接{inc['incidents']}起，涉及单位"
        f"{inc['units_cut_off']}家，已恢复连接{inc['reconnected']}起，期末仍断开{inc['cut_off_at_end']}起（第二十三条）；"
        f"通报批评{inc['criticisms']}家次（第二十六条）。"]))
    towns = []
    by = {k: {r["town"]: r for r in sec[k]["by_town"]} for k in ("links", "usage", "security", "availability",
                                                                   "faults")}
    late = {}
    for r in sec["on_time"]["by_town"]:
        late[r["town"]] = late.get(r["town"], 0) + r["late"]
    for town in report["towns"]:
        t_ln, t_us, t_se = by["links"][town], by["usage"][town], by["security"][town]
        t_av, t_fa = by["availability"][town], by["faults"][town]
        towns.append(f"{town}：期末在用链路{t_ln['active_at_end']}条，新开通{t_ln['opened']}条，关闭{t_ln['closed_idle']}条；"
                     f"监测可用率{_pct100(t_av['monitored_pct'])}，故障报修{t_fa['tickets']}件；各类时限超时"
                     f"{late.get(town, 0)}件；流量监测覆盖率{pct(t_us['coverage'])}；等级保护测评过期或无记录"
                     f"{t_se['mlps_expired'] + t_se['mlps_missing']}家。")
    parts.append(("各街镇情况", towns or ["本期无接入单位记录。"]))
    fixes = [f"（{_cn(i)}）{p['finding']}。建议：{p['proposal']}。" for i, p in enumerate(report["proposals"], 1)]
    parts.append(("存在问题和改进建议", fixes or ["本期各项指标未发现需要专项整改的问题。"]))
    return [{"heading": f"{CN_ORDINALS[i]}、{h}", "paragraphs": ps} for i, (h, ps) in enumerate(parts)]


def _cn(n: int) -> str:
    from egovnet.notices.context import cn_number

    return cn_number(n)


def document_context(ctx, report: dict) -> dict:
    return {"regulation": f"《{ctx.policy.regulation.title}》", "issuer": ctx.policy.notices.issuer,
            "today": ctx.today.isoformat(), "reissue": None, "year": report["year"],
            "report_to": ctx.policy.evaluation.report_to, "partial": report["partial"],
            "period_from": report["period"]["from"], "period_to": report["period"]["to"],
            "sections": paragraphs(ctx, report), "units": []}


def report_format(ctx) -> str:
    """A 报告 to the competent authority is a 文件格式 document unless the policy's notices.formats says
    otherwise (the other kinds default to the 函 of notices.format)."""
    return ctx.policy.notices.format_of("annual_report")


def write_document(ctx, report: dict, path: Path) -> Path:
    """The report as an unnumbered .docx (a draft for signing off): the register is not touched."""
    from egovnet.notices.gbt9704 import Head, build as layout, save
    from egovnet.notices.render import render

    text = render("annual_report", document_context(ctx, report), home=ctx.home, inventory=ctx.inventory)
    n = ctx.policy.notices
    head = Head(issuer=n.issuer, masthead=n.masthead or n.issuer, format=report_format(ctx), doc_no="",
                issued_on=ctx.today, contact_person=n.contact.person, contact_phone=n.contact.phone,
                printed_by=n.printed_by or n.issuer)
    return save(layout(text, head), path)


def issue(ctx, report: dict, path: Path) -> dict:
    """Issue the report: a number from the notices register (发文字号, the same gap-free sequence as the notices),
    the document under EGOVNET_HOME/notices/ like every notice, recorded with its event (Art. 24), and a copy at
    ``path``. One issued report per year: a correction is 'egovnet notice reissue'."""
    import shutil

    from egovnet.errors import PolicyViolation
    from egovnet.services import notices

    year = report["year"]
    ctx.require(("bdc",), f"issue the annual evaluation of {year}", ARTICLE)
    if report["partial"]:
        raise PolicyViolation(f"the evaluation of {year} covers the year up to {report['period']['to']} only; issue "
                              f"it once the year is over (Art. {ARTICLE}), or write the draft without --issue")
    with unit_of_work(ctx.engine) as s:
        done = s.exec(select(Notice).where(Notice.kind == "annual_report", Notice.subject_type == "report",
                                           Notice.subject_id == year, Notice.status == "issued")).first()
        if done is not None:
            raise PolicyViolation(f"the evaluation of {year} was issued as {done.doc_no} on {done.issued_on} "
                                  f"(Art. {ARTICLE}); to correct it, 'egovnet notice reissue {done.doc_no} --reason "
                                  "TEXT'")
        row = notices.issue(s, ctx, "annual_report", document_context(ctx, report), subject_type="report",
                            subject_id=year, link_id=None)
    shutil.copyfile(row["docx"], path)
    return row
