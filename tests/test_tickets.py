"""Fault tickets (Art. 17): clocks in clock hours (p1) and working hours on the official calendar (p2, p3) across
National Day 2026 and the 10-10 调休 Saturday, the lifecycle, bad input, and the downtime a maintenance filing
(Art. 18) explains."""

import datetime as dt

import pytest

from conftest import DEPT, fails, file_app, ok, sql

UNIT = "朱家角镇张马村村民委员会"


@pytest.fixture
def village():
    ok("dept", "add", DEPT)
    ok("unit", "add", UNIT, "--category", "village", "--dept", DEPT, "--code", "zjj-zm", "--town", "朱家角镇",
       "--address", "青浦区朱家角镇张马村1号", "--mlps-level", "2", "--mlps-assessed", "2026-03-01")


# working hours 09:00-17:00 (policies.yaml tickets.working_hours); National Day 10-01..10-07, 10-10 (Sat) a workday
@pytest.mark.parametrize("severity,reported,respond,restore", [
    # p1: clock hours, through the holiday night
    ("p1", "2026-10-01 03:00", "2026-10-01 04:00", "2026-10-01 07:00"),
    # p2: 2 and 8 working hours; 1 hour left on Wednesday 09-30, the rest after the holiday on Thursday 10-08
    ("p2", "2026-09-30 16:00", "2026-10-08 10:00", "2026-10-08 16:00"),
    # p2 reported on a holiday: the clock starts at the first opening after it
    ("p2", "2026-10-03 10:00", "2026-10-08 11:00", "2026-10-08 17:00"),
    # p3: 8 and 24 working hours from Friday 10-09 15:00: the 调休 Saturday 10-10 counts, Sunday 10-11 does not
    ("p3", "2026-10-09 15:00", "2026-10-10 15:00", "2026-10-13 15:00"),
    # p2 in the evening before a weekend that is a workday: Saturday 10-10 09:00 onwards
    ("p2", "2026-10-09 18:30", "2026-10-10 11:00", "2026-10-10 17:00"),
])
def test_ticket_clocks_across_national_day_and_a_tiaoxiu_saturday(village, severity, reported, respond, restore):
    t = ok("ticket", "open", "--unit", "zjj-zm", "--summary", "无法访问政务外网", "--severity", severity,
           "--reported-at", reported, "--json", today="2026-10-12").json()
    assert (t["respond_due"], t["restore_due"], t["basis"]) == (
        respond, restore, "clock" if severity == "p1" else "working")


def test_ticket_open_ack_resolve_list_show(village):
    t = ok("ticket", "open", "--unit", UNIT, "--summary", "办公网无法访问一网通办", "--severity", "p3",
           "--reported-at", "2026-10-09 15:00", "--json", today="2026-10-09").json()
    assert t == {
        "id": 1, "link": None, "unit": UNIT, "summary": "办公网无法访问一网通办", "severity": "p3", "basis": "working",
        "status": "open", "reported_at": "2026-10-09 15:00", "reported_by": "bdc.engineer",
        "respond_due": "2026-10-10 15:00", "restore_due": "2026-10-13 15:00", "acked_at": None, "acked_by": None,
        "resolved_at": None, "resolved_by": None, "cause": None, "action": None, "response_late": None,
        "restore_late": None, "outage": False, "downtime_start": None, "downtime_end": None,
        # read at the end of 10-09 (--today): 2 working hours left on Friday, 6 on the 调休 Saturday -> 6h
        "clock": "response", "due": "2026-10-10 15:00", "minutes_left": 360, "left": "6h 00m", "overdue": False,
        "article": 17}
    # on 10-12 the response is overdue: listed by --overdue and by audit sla
    rows = ok("ticket", "list", "--overdue", "--json", today="2026-10-12").json()
    assert [(r["id"], r["clock"], r["minutes_left"], r["left"], r["overdue"]) for r in rows] == [
        (1, "response", -600, "-10h 00m", True)]  # 10-10 15:00-17:00 and all of Monday 10-12
    sla = ok("audit", "sla", "--json", today="2026-10-12").json()["clocks"]
    assert sla == [{"application": None, "change": None, "ticket": 1, "link": None, "unit": UNIT,
                    "clock": "ticket_response", "article": 17, "due": "2026-10-10 15:00", "working_days_left": -1,
                    "left": "-10h 00m", "overdue": True}]
    a = ok("ticket", "ack", "1", "--at", "2026-10-12 09:30", "--json", today="2026-10-12").json()
    assert (a["status"], a["acked_at"], a["response_late"], a["clock"], a["due"]) == (
        "acked", "2026-10-12 09:30", True, "restoration", "2026-10-13 15:00")
    assert fails(1, "ticket", "ack", "1", today="2026-10-12").err == (
        "Error: fault ticket 1 was acknowledged at 2026-10-12 09:30 by bdc.engineer; nothing to do\n")
    assert fails(3, "ticket", "resolve", "1", "--cause", "交换机端口故障", "--action", "更换端口",
                 user="dept.zhujiajiao", today="2026-10-12").err.startswith(
        "Error: user 'dept.zhujiajiao' may not resolve a fault ticket: that needs role 'bdc'")
    r = ok("ticket", "resolve", "1", "--cause", "交换机端口故障", "--action", "更换端口", "--at", "2026-10-13 11:00",
           "--json", today="2026-10-13").json()
    assert (r["status"], r["resolved_at"], r["restore_late"], r["clock"], r["overdue"], r["cause"]) == (
        "resolved", "2026-10-13 11:00", False, None, False, "交换机端口故障")
    assert ok("ticket", "list", "--open", "--json", today="2026-10-13").json() == []
    shown = ok("ticket", "show", "1", "--json", today="2026-10-13").json()
    assert [(e["action"], e["article"]) for e in shown["events"]] == [("resolve", 17), ("ack", 17), ("open", 17)]
    text = ok("ticket", "show", "1", today="2026-10-13").out
    assert "交换机端口故障" in text and "2026-10-13 15:00" in text
    # shares met on time: response late, restoration on time (1 case each: n/a below min_cases 3)
    on = ok("audit", "sla", "--since", "2026-10-01", "--json", today="2026-10-13").json()["on_time"]
    assert (on["ticket_response"], on["ticket_restoration"]) == (
        {"met": 0, "total": 1, "running_late": 0, "share": None, "min_cases": 3},
        {"met": 1, "total": 1, "running_late": 0, "share": None, "min_cases": 3})


@pytest.mark.parametrize("args,code,err", [
    (["--unit", "zjj-zm", "--summary", "断网", "--reported-at", "2026-10-09 25:00"], 2,
     "Error: --reported-at '2026-10-09 25:00' is not a date and time; write YYYY-MM-DD HH:MM, e.g. 2026-10-09 15:30\n"),
    (["--unit", "zjj-zm", "--summary", "断网", "--reported-at", "1999-10-09 10:00"], 2,
     "Error: --reported-at 1999-10-09 is outside the dates egovnet works with (2000-01-01 to 2099-12-31); "
     "check the year\n"),
    (["--unit", "zjj-zm", "--summary", "断网", "--reported-at", "2026-10-10 10:00"], 2,
     "Error: --reported-at 2026-10-10 10:00 is in the future; a fault is recorded once reported\n"),
    (["--link", "7", "--summary", "断网"], 1, "Error: link 7 not found; see 'egovnet link list'\n"),
    (["--unit", "nobody", "--summary", "断网"], 1,
     "Error: unit 'nobody' not found (by name or code); see 'egovnet unit list'\n"),
    (["--unit", "zjj-zm", "--summary", "断网\nshutdown"], 3,
     "Error: summary '断网\\nshutdown' contains the control or format character U+000A; names are one line of "
     "printable text\n"),
    (["--unit", "zjj-zm", "--summary", "断网", "--severity", "p4"], 2,
     "Error: severity 'p4' is not one of p1, p2, p3 (policies.yaml tickets, Art. 17)\n"),
    (["--summary", "断网"], 2,
     "Error: a fault ticket is about one link (--link ID) or one unit (--unit NAME|CODE); give one\n"),
])
def test_bad_ticket_input_is_one_error_and_writes_nothing(village, args, code, err):
    before = sql("SELECT count(*) FROM event")
    assert fails(code, "ticket", "open", *args, today="2026-10-09").err == err
    assert sql("SELECT count(*) FROM fault_tickets") == [(0,)]
    assert sql("SELECT count(*) FROM event") == before


def test_ack_before_the_report_is_refused(village):
    ok("ticket", "open", "--unit", "zjj-zm", "--summary", "断网", "--reported-at", "2026-10-09 10:00", today="2026-10-09")
    assert fails(2, "ticket", "ack", "1", "--at", "2026-10-09 09:00", today="2026-10-09").err == (
        "Error: fault ticket 1: the acknowledgement at 2026-10-09 09:00 is before its report at 2026-10-09 10:00; "
        "check --at\n")
    assert fails(1, "ticket", "show", "9").err == "Error: fault ticket 9 not found; see 'egovnet ticket list'\n"
    assert sql("SELECT acked_at FROM fault_tickets") == [(None,)]


def test_downtime_counts_outages_and_leaves_out_filed_maintenance(lab):
    """A p2 outage 10-12 20:00 to 10-13 09:00 (13 h) on a link whose unit filed maintenance from 22:00 (4 h window):
    9 h unplanned, 4 h planned. The annual report's availability reads ticket_downtime."""
    ok("dept", "add", DEPT)
    ok("unit", "add", UNIT, "--category", "village", "--dept", DEPT, "--code", "zjj-zm", "--town", "朱家角镇",
       "--address", "青浦区朱家角镇张马村1号", "--mlps-level", "2", "--mlps-assessed", "2026-03-01")
    app = file_app("zjj-zm")["id"]
    assert fails(3, "ticket", "open", "--link", "1", "--summary", "断网").err == (
        "Error: link 1 is requested: a fault ticket is for a link in service (Art. 17); open it on the unit with "
        "--unit, see 'egovnet link show 1'\n")
    ok("review", "approve", str(app), user="bdc.reviewer")
    ok("provision", str(app), "--yes")
    ok("maintenance", "file", "--unit", "zjj-zm", "--device-desc", "核心交换机升级", "--start", "2026-10-12 22:00",
       "--reason", "版本升级", today="2026-10-08", user="dept.zhujiajiao")
    t = ok("ticket", "open", "--link", "1", "--summary", "链路中断", "--severity", "p2", "--reported-at",
           "2026-10-12 20:00", "--json", today="2026-10-12").json()
    assert (t["outage"], t["downtime_start"], t["respond_due"]) == (True, "2026-10-12 20:00", "2026-10-13 11:00")
    ok("ticket", "resolve", "1", "--cause", "光缆中断", "--action", "熔接", "--at", "2026-10-13 09:00", today="2026-10-13")
    # a p3 ticket on the same link is no outage
    ok("ticket", "open", "--link", "1", "--summary", "时延偏高", "--severity", "p3", "--reported-at", "2026-10-14 10:00",
       today="2026-10-14")

    from egovnet.services.tickets import CST, availability, ticket_downtime
    from egovnet.settings import Settings
    from egovnet.state.db import get_engine, unit_of_work

    engine = get_engine(Settings.resolve())
    with unit_of_work(engine, write=False) as s:
        year = ticket_downtime(s, [1, 2], dt.date(2026, 1, 1), dt.date(2027, 1, 1), maintenance_hours=4)
        half = ticket_downtime(s, [1], dt.datetime(2026, 10, 13, 0, 0, tzinfo=CST), dt.date(2026, 10, 14))
    assert year == {1: {"unplanned_minutes": 540, "planned_minutes": 240, "tickets": 1},
                    2: {"unplanned_minutes": 0, "planned_minutes": 0, "tickets": 0}}
    # 10-13 00:00-09:00: 00:00-02:00 inside the maintenance window, 02:00-09:00 unplanned
    assert half == {1: {"unplanned_minutes": 420, "planned_minutes": 120, "tickets": 1}}
    # October: in service all 31 days (opened 09-28), 540 minutes unplanned; link 2 does not exist: no figure
    with unit_of_work(engine, write=False) as s:
        october = availability(s, [1, 2], dt.date(2026, 10, 1), dt.date(2026, 11, 1),
                               now=dt.datetime(2026, 11, 2, tzinfo=CST))
        so_far = availability(s, [1], dt.date(2026, 10, 1), dt.date(2026, 11, 1),
                              now=dt.datetime(2026, 10, 15, tzinfo=CST))
    assert october == {1: {"unplanned_minutes": 540, "planned_minutes": 240, "tickets": 1, "service_minutes": 44640,
                           "availability": round(1 - 540 / 44640, 5)},
                       2: {"unplanned_minutes": 0, "planned_minutes": 0, "tickets": 0, "service_minutes": 0,
                           "availability": None}}
    assert so_far[1]["service_minutes"] == 14 * 1440


def test_audit_sla_since_after_as_of_is_a_usage_error(village):
    r = fails(2, "audit", "sla", "--since", "2026-10-09", "--as-of", "2026-10-08")
    assert r.err == "Error: --since 2026-10-09 is after --as-of 2026-10-08; give a window that ends after it starts\n"
