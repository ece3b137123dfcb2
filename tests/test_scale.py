"""The set-based lists and audits give, JSON for JSON, what one query per row gave.

A home of 90 links built as benchmarks/scale.py builds its 20,000 (egovnet's import, apply and approve, then
the direct writes for provisioning and traffic), with the cases a query per row handled one by one: shared
links, a unit with two applications on one link, a rejected application on a shared link, a link closed idle,
links judged idle, approaching, or with days without data. Each reference below is the code the lists ran
before (one query per row), kept here word for word except for its name.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import sqlite3

import pytest

from conftest import REPO, ok

# the district fixture writes what only devices could (allocations, usage days) straight into the SQLite
# file, as benchmarks/scale.py does; the same queries run on PostgreSQL in the other test files
pytestmark = pytest.mark.sqlite_only(reason="the district is built by direct writes into the SQLite file")

AS_OF = "2026-11-24"


def _bench():
    spec = importlib.util.spec_from_file_location("scale_bench", REPO / "benchmarks" / "scale.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def district(_home, tmp_path):
    bench = _bench()
    sheet = tmp_path / "wave.csv"
    bench.sheet(sheet, 90)
    ok("init")
    ok("unit", "import", str(sheet), "--create-depts", today=AS_OF)
    ok("apply", "--batch", str(sheet), today=AS_OF)
    ok("review", "approve", "--all-from-import", "2", user="bdc.reviewer", today=AS_OF)
    made = bench.provision_directly(_home / "egovnet.db", seed=7)
    assert made["unused"] > 10 and made["under review"] > 5
    con = sqlite3.connect(_home / "egovnet.db")
    with con:
        # a link closed idle: its applications closed with it
        closed = con.execute("SELECT id FROM link WHERE status = 'active' AND first_used_on IS NULL "
                             "ORDER BY id LIMIT 1").fetchone()[0]
        con.execute("UPDATE link SET status = 'closed_idle', closed_on = '2026-11-01' WHERE id = ?", (closed,))
        con.execute("UPDATE application SET status = 'closed' WHERE link_id = ?", (closed,))
        # a unit with a second, closed application on its active link (each unit is listed once)
        shared = con.execute("SELECT link_id, unit_id, dept_id FROM application WHERE status = 'active' AND joined_link "
                             "ORDER BY id LIMIT 1").fetchone()
        con.execute("INSERT INTO application (unit_id, dept_id, link_id, joined_link, separate_link_reason, kind, "
                    "basis, scope, mode, purpose, bandwidth_mbps, technical, time_requirement, cost_bearer, features, "
                    "received_on, review_due, review_due_provisional, status, filed_by, reason, reopen_reason, "
                    "construction_due_provisional, created_at) VALUES (?, ?, ?, 1, '', 'new', 'b', 's', 'dedicated', "
                    "'p', 50, 't', 'q', 'budget', '{}', '2026-01-05', '2026-01-19', 0, 'closed', 'dept', '', '', 0, "
                    "CURRENT_TIMESTAMP)", (shared[1], shared[2], shared[0]))
    con.close()
    # a rejected application on a shared link that is still under review
    under_review = [a for a in ok("review", "list", "--status", "submitted", "--json", today=AS_OF).json()
                    if a["shared_link"]]
    ok("review", "reject", str(under_review[0]["id"]), "--reason", "地址有误", user="bdc.reviewer", today=AS_OF)
    return made


def _ctx(today=AS_OF):
    from egovnet.services.context import Ctx
    from egovnet.settings import Settings

    return Ctx.from_settings(Settings.resolve(today=today))


# ---- the references: one query per row ---------------------------------------------------------------------------

def _reference_find(ctx, as_of):
    from sqlmodel import select

    from egovnet.policy import add_months
    from egovnet.services.idle import _units_on, missing_days
    from egovnet.state.db import unit_of_work
    from egovnet.state.models import Allocation, Link

    rule = ctx.policy.deadlines.idle_closure
    idle, soon, no_data = [], [], []
    with unit_of_work(ctx.engine, write=False) as s:
        links = s.exec(select(Link).where(Link.status == "active", Link.first_used_on.is_(None),
                                          Link.opened_on.is_not(None)).order_by(Link.id)).all()
        for link in links:
            limit = add_months(link.opened_on, rule.calendar_months)
            alloc = s.exec(select(Allocation).where(Allocation.link_id == link.id)).first()
            units = _units_on(s, link.id)
            row = {"link": link.id, "address": link.address, "opened_on": link.opened_on.isoformat(),
                   "limit_on": limit.isoformat(), "device": alloc.device if alloc else None,
                   "port": alloc.port if alloc else None, "units": [u.name for u, _ in units],
                   "departments": sorted({d.name for _, d in units}), "article": rule.article}
            if limit <= as_of:
                gaps = missing_days(s, link.id, link.opened_on, limit)
                if gaps:
                    no_data.append({**row, "finding": "no data", "missing_days": [d.isoformat() for d in gaps],
                                    "action": f"not closed: no usage record for {len(gaps)} "
                                              f"day{'s' if len(gaps) > 1 else ''} of the {rule.calendar_months} "
                                              "months (Art. 15); import those days from the monitoring system "
                                              "('egovnet usage import FILE') or check the link with the unit"})
                else:
                    idle.append({**row, "finding": "idle", "action": "may be closed (Art. 15)"})
            else:
                left = ctx.calendar.days_left(as_of, limit)
                if left <= rule.warn_working_days:
                    gaps = missing_days(s, link.id, link.opened_on, as_of)
                    soon.append({**row, "finding": "approaching", "working_days_left": left,
                                 "missing_days": [d.isoformat() for d in gaps],
                                 "action": f"reaches {rule.calendar_months} months without use on {limit}"})
    return idle, soon, no_data


def _reference_links(ctx, status=None):
    from sqlmodel import select

    from egovnet.services.links import link_dict
    from egovnet.state.db import unit_of_work
    from egovnet.state.models import Link

    with unit_of_work(ctx.engine, write=False) as s:
        q = select(Link).order_by(Link.id)
        if status:
            q = q.where(Link.status == status)
        return [link_dict(s, link) for link in s.exec(q).all()]


def _reference_applications(ctx, status=None, overdue=False):
    from sqlmodel import select

    from egovnet.services.applications import application_dict
    from egovnet.state.db import unit_of_work
    from egovnet.state.models import Application

    with unit_of_work(ctx.engine, write=False) as s:
        q = select(Application).order_by(Application.id)
        if status:
            q = q.where(Application.status == status)
        rows = [application_dict(s, ctx, a, brief=True) for a in s.exec(q).all()]
    if overdue:
        rows = [r for r in rows if r["overdue"]]
    return rows


def _reference_sla(ctx, as_of, since=None):
    from sqlmodel import select

    from egovnet.services.changes import running_clock
    from egovnet.services.sla import _clock
    from egovnet.state.db import unit_of_work
    from egovnet.state.models import Application, ChangeRequest, Link, Unit

    clocks = []
    with unit_of_work(ctx.engine, write=False) as s:
        for app, unit, link in s.exec(select(Application, Unit, Link).join(Unit, Unit.id == Application.unit_id)
                                      .join(Link, Link.id == Application.link_id)).all():
            if app.status == "submitted":
                clocks.append(_clock(ctx, as_of, app, unit, "review", app.review_due, 12))
            elif app.status in ("approved", "provisioning") and app.construction_due:
                clocks.append(_clock(ctx, as_of, app, unit, "construction", app.construction_due, 12))
        for change, unit in s.exec(select(ChangeRequest, Unit).join(Unit, Unit.id == ChangeRequest.unit_id)).all():
            kind, due = running_clock(change)
            if kind:
                clocks.append({**_clock(ctx, as_of, None, unit, kind, due, 18), "change": change.id,
                               "link": change.link_id})
    clocks.sort(key=lambda c: (not c["overdue"], c["due"], c["application"] or 0, c.get("change") or 0))
    out = {"as_of": as_of.isoformat(), "clocks": clocks}
    if since:
        out["since"] = since.isoformat()
        # the shares met on time come from the one place that computes them (tests/test_idle.py checks its rules)
        from egovnet.services.clocks import CLOCKS, on_time

        with unit_of_work(ctx.engine, write=False) as s:
            out["on_time"] = {k: on_time(s, k, since, as_of, as_of, min_cases=ctx.policy.statistics.min_cases)
                              for k in CLOCKS}
    return out


# ---- the comparisons ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("as_of", ["2026-10-20", AS_OF, "2026-12-15", "2027-03-01"])
def test_audit_idle_equals_one_query_per_link(district, as_of):
    day = dt.date.fromisoformat(as_of)
    idle, soon, no_data = _reference_find(_ctx(), day)
    r = ok("audit", "idle", "--as-of", as_of, "--json", today=AS_OF).json()
    warned = r.pop("warned")  # Art. 15 warnings are written only by an audit of today (tests/test_notices.py)
    assert r == {"as_of": as_of, "idle": idle, "approaching": soon, "no_data": no_data, "closed": [], "failed": []}
    assert bool(warned) == (as_of == AS_OF)
    if as_of == AS_OF:  # the home has each kind of finding
        assert idle and soon and no_data


@pytest.mark.parametrize("status", [None, "active", "closed_idle", "requested"])
def test_link_list_equals_one_query_per_link(district, status):
    args = ["--status", status] if status else []
    rows = ok("link", "list", *args, "--json", today=AS_OF).json()
    assert rows == _reference_links(_ctx(), status)
    assert rows


@pytest.mark.parametrize("status,overdue,today", [(None, False, AS_OF), ("submitted", False, AS_OF),
                                                  (None, True, "2027-01-20"), ("rejected", False, AS_OF)])
def test_review_list_equals_one_query_per_application(district, status, overdue, today):
    from egovnet.services.applications import list_applications

    ctx = _ctx(today)
    rows = list_applications(ctx, status=status, overdue=overdue)
    assert rows == _reference_applications(ctx, status, overdue)
    assert rows and any(r["shared_link"] for r in rows)
    args = (["--status", status] if status else []) + (["--overdue"] if overdue else [])
    cli = ok("review", "list", *args, "--json", today=today).json()
    assert [{k: v for k, v in r.items() if k != "due"} for r in cli] == rows


@pytest.mark.parametrize("as_of,since", [(AS_OF, None), ("2027-01-20", None), (AS_OF, "2026-01-01")])
def test_audit_sla_equals_the_unfiltered_query(district, as_of, since):
    args = ["--as-of", as_of] + (["--since", since] if since else [])
    data = ok("audit", "sla", *args, "--json", today=AS_OF).json()
    assert data == _reference_sla(_ctx(), dt.date.fromisoformat(as_of), dt.date.fromisoformat(since) if since else None)
    assert data["clocks"]


def test_a_fixed_number_of_statements_whatever_the_number_of_rows(district):
    """The property the speed comes from: each list or audit reads with a few statements, not one per row."""
    from sqlalchemy import event

    from egovnet.services import applications, idle, links, sla

    ctx = _ctx()
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(ctx.engine, "before_cursor_execute", count)
    try:
        used = {}
        for name, call in (("audit idle", lambda: idle.find(ctx, dt.date.fromisoformat(AS_OF))),
                           ("link list", lambda: links.list_links(ctx)),
                           ("review list", lambda: applications.list_applications(ctx)),
                           ("audit sla", lambda: sla.audit(ctx))):
            statements.clear()
            result = call()
            assert result
            used[name] = len([s for s in statements if s.lstrip().upper().startswith("SELECT")])
    finally:
        event.remove(ctx.engine, "before_cursor_execute", count)
    # audit sla: applications, change requests, fault tickets
    assert used == {"audit idle": 4, "link list": 2, "review list": 3, "audit sla": 3}
