"""Fees by payer (Art. 25): each link's monthly fee by bandwidth tier (policies.yaml fees.monthly_by_bandwidth),
charged for the days of its fee periods, split between the units sharing it (Art. 14, fees.shared_split), and
paid by the district budget for budget units and by the unit itself otherwise (fees.budget_unit/non_budget_unit).

A link's fee periods: from its opening day to its closing day, both included; a link closed for non-use and
reopened (Art. 15) has one period per opening, the earlier ones read from the event log's reopen records. A
bandwidth change (Art. 18) applies from the day it was carried out.
"""

from __future__ import annotations

import calendar as cal
import datetime as dt

from sqlmodel import select

from egovnet.errors import InvalidPolicy, UsageError
from egovnet.state.db import unit_of_work
from egovnet.state.models import Application, Department, Event, Link, Unit

ONE_DAY = dt.timedelta(days=1)
SHARING = ("active", "closed")  # the units on a link now, or on it when it was closed


def _day(value) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def fee_periods(session, link_ids=None) -> dict[int, list[tuple[dt.date, dt.date | None]]]:
    """Per link, its fee periods as (first day, last day or None while open), oldest first."""
    q = select(Link)
    if link_ids is not None:
        q = q.where(Link.id.in_(sorted(set(link_ids))))
    out: dict[int, list] = {}
    links = session.exec(q).all()
    for link in links:
        out[link.id] = [(link.opened_on, link.closed_on)] if link.opened_on else []
    reopens = select(Event.object_id, Event.before).where(Event.object_type == "link", Event.action == "reopen")
    for link_id, before in session.exec(reopens).all():
        if link_id in out and before and before.get("opened_on"):
            out[link_id].append((_day(before["opened_on"]), _day(before.get("closed_on"))))
    return {k: sorted(set(v)) for k, v in out.items()}


def _bandwidth_steps(session, links) -> dict[int, list[tuple[dt.date, int]]]:
    """Per link, (from day, bandwidth) steps: the bandwidth before the first recorded change, then each change."""
    steps: dict[int, list] = {}
    q = select(Event.object_id, Event.effective_date, Event.before, Event.after, Event.action) \
        .where(Event.object_type == "link", Event.action.in_(("bandwidth", "reopen"))).order_by(Event.id)
    for link_id, day, before, after, action in session.exec(q).all():
        if link_id not in links or not after or after.get("bandwidth_mbps") is None:
            continue
        if link_id not in steps and before and before.get("bandwidth_mbps") is not None:
            steps[link_id] = [(dt.date.min, int(before["bandwidth_mbps"]))]
        steps.setdefault(link_id, []).append((day, int(after["bandwidth_mbps"])))
    for link_id, link in links.items():
        steps.setdefault(link_id, [(dt.date.min, link.bandwidth_mbps)])
    return steps


def _bandwidth_on(steps, day: dt.date) -> int:
    bw = steps[0][1]
    for start, value in steps:
        if start <= day:
            bw = value
    return bw


def fees(ctx, year: int, month: int | None = None) -> dict:
    """The fees of a year or one month: per link, per unit, per department, and totals by payer."""
    if not 2000 <= year <= 2099:
        raise UsageError(f"--year {year} is outside the years egovnet works with (2000-2099)")
    if month is not None and not 1 <= month <= 12:
        raise UsageError(f"--month {month} is not a month; give 1 to 12")
    rules = ctx.policy.fees
    if not rules.monthly_by_bandwidth:
        raise InvalidPolicy(f"{ctx.policy.source}: fees.monthly_by_bandwidth is empty; the fee schedule (Art. "
                            f"{rules.article}) needs at least one tier")
    first = dt.date(year, month or 1, 1)
    last = dt.date(year, month or 12, cal.monthrange(year, month or 12)[1])
    with unit_of_work(ctx.engine, write=False) as s:
        periods = fee_periods(s)
        links = {link.id: link for link in s.exec(select(Link).where(Link.id.in_(list(periods) or [0]))).all()}
        steps = _bandwidth_steps(s, links)
        sharers: dict[int, list[tuple[Unit, Department, Application]]] = {}
        q = select(Application, Unit, Department).join(Unit, Unit.id == Application.unit_id) \
            .join(Department, Department.id == Unit.dept_id) \
            .where(Application.status.in_(SHARING), Application.link_id.is_not(None)).order_by(Application.id)
        for app, unit, dept in s.exec(q).all():
            on = sharers.setdefault(app.link_id, [])
            if all(u.id != unit.id for u, _, _ in on):
                on.append((unit, dept, app))
        link_rows, units, depts = [], {}, {}
        for link_id in sorted(periods):
            days, amount, monthly = 0, 0.0, set()
            for start, end in periods[link_id]:
                day = max(start, first)
                stop = min(end or last, last)
                while day <= stop:
                    bw = _bandwidth_on(steps[link_id], day)
                    fee = rules.monthly_fee(bw)
                    if fee is None:
                        raise InvalidPolicy(
                            f"{ctx.policy.source}: fees.monthly_by_bandwidth: link {link_id} runs at {bw} Mbps, above "
                            f"the highest tier ({rules.monthly_by_bandwidth[-1].up_to_mbps} Mbps); add a tier "
                            f"(Art. {rules.article})")
                    monthly.add(fee)
                    amount += fee / cal.monthrange(day.year, day.month)[1]
                    days += 1
                    day += ONE_DAY
            if not days:
                continue
            on = sharers.get(link_id, [])
            if rules.shared_split == "by_bandwidth" and on and sum(a.bandwidth_mbps for _, _, a in on) > 0:
                total_bw = sum(a.bandwidth_mbps for _, _, a in on)
                shares = [a.bandwidth_mbps / total_bw for _, _, a in on]
            else:
                shares = [1 / len(on)] * len(on) if on else []
            link_rows.append({"link": link_id, "address": links[link_id].address,
                              "bandwidth_mbps": links[link_id].bandwidth_mbps, "monthly": sorted(monthly),
                              "link_days": days, "amount": round(amount, 2),
                              "units": [u.name for u, _, _ in on],
                              "shares": [round(x, 4) for x in shares]})
            for (unit, dept, _), share in zip(on, shares):
                payer = ctx.policy.cost_bearer_for(unit.budget_unit)
                row = units.setdefault(unit.id, {"unit": unit.name, "code": unit.code, "dept": dept.name,
                                                 "town": unit.town, "budget_unit": unit.budget_unit, "payer": payer,
                                                 "links": [], "link_days": 0, "amount": 0.0})
                row["links"].append(link_id)
                row["link_days"] += days
                row["amount"] += amount * share
                d = depts.setdefault(dept.name, {"dept": dept.name, "units": 0, "link_days": 0, "amount": 0.0,
                                                 "budget": 0.0, "unit": 0.0})
                d["link_days"] += days
                d["amount"] += amount * share
                d[payer] += amount * share
        for d in depts.values():
            d["units"] = sum(1 for u in units.values() if u["dept"] == d["dept"])
    # each unit's amount is rounded to the fen (分) once; departments and totals add the rounded amounts, so that
    # what the units are billed adds up to the totals
    unit_rows = sorted(units.values(), key=lambda r: (r["dept"], r["unit"]))
    totals = {"amount": 0.0, "budget": 0.0, "unit": 0.0}
    for d in depts.values():
        d.update(amount=0.0, budget=0.0, unit=0.0)
    for r in unit_rows:
        r["amount"] = round(r["amount"], 2)
        for bucket in (totals, depts[r["dept"]]):
            bucket["amount"] += r["amount"]
            bucket[r["payer"]] += r["amount"]
    dept_rows = sorted(depts.values(), key=lambda r: r["dept"])
    for r in dept_rows:
        for k in ("amount", "budget", "unit"):
            r[k] = round(r[k], 2)
    return {"year": year, "month": month, "from": first.isoformat(), "to": last.isoformat(),
            "currency": rules.currency, "split": rules.shared_split, "article": rules.article,
            "units": unit_rows, "departments": dept_rows, "links": link_rows,
            "totals": {k: round(v, 2) for k, v in totals.items()}}
