"""Usage and the idle audit (Art. 15) end to end on the device lab: counters, thresholds, closure, notices, cron."""

import fcntl
import os
from pathlib import Path

import pytest

from conftest import DEPT, fails, file_app, ok, quiet_days, run

PORT = "GigabitEthernet0/0/1"


@pytest.fixture
def opened(lab):
    """One link opened on the lab's Huawei device on 2026-09-28 (the tests' today)."""
    ok("dept", "add", DEPT)
    ok("unit", "add", "朱家角镇张马村村民委员会", "--category", "village", "--dept", DEPT, "--code", "zjj-zhangma",
       "--town", "朱家角镇", "--address", "青浦区朱家角镇张马村1号", "--mlps-level", "2", "--mlps-assessed", "2026-03-01")
    ok("review", "approve", str(file_app("zjj-zhangma")["id"]), user="bdc.reviewer")
    assert ok("provision", "1", "--yes", "--json").json()["results"][0]["status"] == "applied"
    return lab.devices["zjj-sw1"]


def test_routing_chatter_stays_idle_real_traffic_counts(opened):
    opened.counters[PORT].update(in_octets=400_000, out_octets=300_000)  # below 1 MiB a day
    r = ok("usage", "collect", "--json").json()
    assert r["links"] == [{"link": 1, "device": "zjj-sw1", "port": PORT, "in_octets": 400_000, "out_octets": 300_000,
                           "error": None, "bytes_in": 400_000, "bytes_out": 300_000, "first_used_on": None}]
    # the next day's reading: only the growth counts
    opened.counters[PORT].update(in_octets=1_400_000, out_octets=700_000)
    r = ok("--today", "2026-09-29", "usage", "collect", "--json").json()["links"][0]
    assert (r["bytes_in"], r["bytes_out"], r["first_used_on"]) == (1_000_000, 400_000, "2026-09-29")
    assert ok("--today", "2026-12-28", "audit", "idle", "--json").json()["idle"] == []


def test_three_month_boundary_warning_and_closure_with_notices(opened, _home):
    before = ok("audit", "idle", "--as-of", "2026-12-27", "--json").json()
    assert before["idle"] == []
    assert [(a["link"], a["limit_on"], a["working_days_left"]) for a in before["approaching"]] == [(1, "2026-12-28", 1)]
    quiet_days(1, "2026-09-29", "2026-12-27")  # complete data, and it shows no use
    at = ok("audit", "idle", "--as-of", "2026-12-28", "--json").json()
    assert [(i["link"], i["opened_on"], i["limit_on"], i["units"], i["departments"]) for i in at["idle"]] == [
        (1, "2026-09-28", "2026-12-28", ["朱家角镇张马村村民委员会"], [DEPT])]
    assert "shutdown" not in opened.section(f"interface {PORT}")  # a plain audit changes nothing

    r = ok("--today", "2026-12-28", "audit", "idle", "--close", "--yes", "--json").json()
    assert [(c["link"], c["closed_on"]) for c in r["closed"]] == [(1, "2026-12-28")] and r["failed"] == []
    assert "shutdown" in opened.section(f"interface {PORT}") and opened.saved == opened.running_text()
    notices = r["closed"][0]["notices"]
    # one document: the unit as 主送, its department as 抄送, numbered after the approval (Art. 12, 15)
    assert [(n["no"], n["kind"], n["main_to"], n["copy_to"]) for n in notices] == [
        ("青数〔2026〕2号", "idle_closure", ["朱家角镇张马村村民委员会"], [DEPT])]
    from docx import Document

    text = "\n".join(p.text for p in Document(notices[0]["docx"]).paragraphs)
    assert text.startswith("青数〔2026〕2号\n\n\n关于关闭未开展联网应用的\n电子政务外网接入链路的函\n\n朱家角镇张马村村民委员会：\n"
                           "位于青浦区朱家角镇张马村1号的电子政务外网接入链路（专线接入）于2026年9月28日开通"), text
    for part in ("接入单位为朱家角镇张马村村民委员会", "至2026年12月28日开通满3个月",
                 "自2026年9月29日至2026年12月27日共90天，每日流量（上行与下行合计）均未超过1 MiB",
                 "监测数据来源：运维监控系统导出数据（90天）；无监测数据的天数：0天",
                 "《青浦区电子政务外网管理办法》第十五条", "已于2026年12月28日关闭该接入链路", "重新提交接入申请并说明理由",
                 "青浦区大数据中心\n2026年12月28日\n（联系人：", "抄送：朱家角镇人民政府。"):
        assert part in text, part
    for code in ("zjj-zhangma", "L1", "链路编号"):
        assert code not in text, code
    link = ok("log", "list", "--json").json()
    assert any(e["action"] == "close_idle" and e["article"] == 15 for e in link)

    # cron's second run on the same day: nothing new
    sent = len(opened.history)
    again = ok("--today", "2026-12-28", "audit", "idle", "--close", "--yes", "--json").json()
    assert (again["idle"], again["closed"]) == ([], [])
    assert len(opened.history) == sent and len(list((_home / "notices" / "2026").glob("*-idle_closure.docx"))) == 1


def test_month_end_opening(lab):
    ok("dept", "add", DEPT)
    ok("unit", "add", "朱家角镇沈巷村村民委员会", "--category", "village", "--dept", DEPT, "--code", "zjj-sx",
       "--town", "朱家角镇", "--address", "青浦区沈巷村1号", "--mlps-level", "2", "--mlps-assessed", "2026-03-01")
    ok("review", "approve", str(file_app("zjj-sx")["id"]), user="bdc.reviewer")
    ok("--today", "2026-11-30", "provision", "1", "--yes")
    quiet_days(1, "2026-12-01", "2027-02-27")
    assert ok("audit", "idle", "--as-of", "2027-02-27", "--json").json()["idle"] == []
    assert ok("audit", "idle", "--as-of", "2027-02-28", "--json").json()["idle"][0]["limit_on"] == "2027-02-28"


def test_cron_safety_no_prompt_lock_and_failed_closure(opened, _home):
    quiet_days(1, "2026-09-29", "2026-12-27")
    r = fails(3, "--today", "2026-12-28", "audit", "idle", "--close")
    assert "confirm with --yes when running off a terminal (cron)" in r.err
    assert fails(3, "audit", "idle", "--as-of", "2026-12-28", "--close", "--yes").err.startswith(
        "Error: --as-of 2026-12-28 is after today (2026-09-28)")
    (_home / "locks").mkdir(parents=True, exist_ok=True)
    fd = os.open(_home / "locks" / "audit-idle.lock", os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX)
    os.write(fd, b"4242")
    try:
        r = fails(1, "--today", "2026-12-28", "audit", "idle", "--close", "--yes")
        assert "another 'egovnet audit idle' is running (pid 4242" in r.err
    finally:
        os.close(fd)
    opened.faults.error_on = r"^shutdown$"
    before = opened.running_text()
    r = run("--today", "2026-12-28", "audit", "idle", "--close", "--yes", "--json")
    assert r.code == 4 and r.err.startswith("Error: 1 of 1 closures failed: link 1 on zjj-sw1: device zjj-sw1 refused")
    assert opened.running_text() == before
    assert ok("review", "show", "1", "--json").json()["status"] == "active"
    assert [n["kind"] for n in ok("notice", "list", "--json").json()] == ["approval"]  # no closure notice
    assert [p.name for p in (_home / "notices" / "2026").iterdir()] == ["2026-0001-approval.docx"]


def test_usage_import_checks_every_row(opened, tmp_path):
    path = tmp_path / "traffic.csv"
    path.write_text("link,date,bytes_in,bytes_out\nL1,2026-09-28,10,20\nL9,2026-09-28,1,1\n"
                    "1,2026-02-30,1,1\n1,2026-09-28,lots,1\n", encoding="utf-8")
    r = run("usage", "import", str(path))
    assert r.code == 3
    assert r.err.splitlines() == [
        "traffic.csv:3: link: link 'L9' not found", "traffic.csv:4: date: date '2026-02-30' is not a date; write "
        "YYYY-MM-DD (2026/3/1 and 2026年3月1日 are read too)",
        "traffic.csv:5: bytes_in: bytes_in 'lots' is not a whole number of bytes",
        f"Error: {path}: 3 of 4 rows are invalid (line 3, 4, 5); nothing was written. Fix them and import again"]
    path.write_text("device,interface,date,bytes_in,bytes_out\n"
                    f"zjj-sw1,{PORT},2026-09-27,1,1\nzjj-sw1,{PORT},2026-09-28,3000000,20\n", encoding="utf-8")
    r = ok("usage", "import", str(path), "--json").json()
    assert [i["first_used_on"] for i in r["items"]] == [None, "2026-09-28"]
    ok("usage", "import", str(path))  # a re-import replaces, it does not add
    assert ok("--today", "2026-12-28", "audit", "idle", "--json").json()["idle"] == []


def test_maintenance_is_filed_three_working_days_ahead(lab):
    ok("dept", "add", DEPT)
    ok("unit", "add", "朱家角镇张马村村民委员会", "--category", "village", "--dept", DEPT, "--code", "zjj-zhangma")
    args = ["maintenance", "file", "--unit", "zjj-zhangma", "--device-desc", "村委会核心交换机升级", "--reason", "固件升级"]
    # filed Monday 2026-09-28: the National Day holidays are not working days
    r = fails(3, *args, "--start", "2026-10-02 22:00", user="dept.zhujiajiao")
    assert r.err == ("Error: maintenance of 朱家角镇张马村村民委员会 starting 2026-10-02 22:00 is filed 2 working days "
                     "ahead; Art. 18 (第十八条) requires 3: filed today (2026-09-28), the work may start on 2026-10-08 "
                     "at the earliest\n")
    earliest = "2026-10-08"
    ok(*args, "--start", f"{earliest} 22:00", user="dept.zhujiajiao")
    assert fails(2, *args, "--start", "next monday").err.startswith("Error: --start 'next monday' is not a date")
    rows = ok("maintenance", "list", "--upcoming", "--json").json()
    assert [(m["unit"], m["start"], m["working_days_ahead"], m["filed_by"]) for m in rows] == [
        ("朱家角镇张马村村民委员会", f"{earliest} 22:00", 3, "dept.zhujiajiao")]
    assert ok("--today", "2026-12-01", "maintenance", "list", "--upcoming", "--json").json() == []


def test_audit_sla_lists_running_clocks_overdue_first(lab):
    ok("dept", "add", DEPT)
    for code, addr in (("zjj-a", "青浦区A路1号"), ("zjj-b", "青浦区B路2号")):
        ok("unit", "add", f"朱家角镇{code}村民委员会", "--category", "village", "--dept", DEPT, "--code", code,
           "--town", "朱家角镇", "--address", addr, "--mlps-level", "2", "--mlps-assessed", "2026-03-01")
    file_app("zjj-a")
    ok("--today", "2026-09-21", "apply", "--unit", "zjj-b", "--basis", "要求", "--scope", "办公区", "--mode", "dedicated",
       "--purpose", "一网通办", "--bandwidth", "50", "--technical", "光纤", "--time-requirement", "尽快",
       "--cost-bearer", "budget")
    r = ok("audit", "sla", "--as-of", "2026-09-30", "--json").json()  # 09-21 + 5 = 09-29 (Mid-Autumn 09-25)
    assert [(c["application"], c["clock"], c["overdue"]) for c in r["clocks"]] == [
        (2, "review", True), (1, "review", False)]
    ok("review", "approve", "1", user="bdc.reviewer")
    ok("provision", "1", "--yes")
    r = ok("audit", "sla", "--since", "2026-09-01", "--json").json()
    # application 2 is still under review and not due yet (09-29): not judged; one case is below min_cases (3)
    none = {"met": 0, "total": 0, "running_late": 0, "share": None, "min_cases": 3}
    assert r["on_time"] == {"review": {"met": 1, "total": 1, "running_late": 0, "share": None, "min_cases": 3},
                            "construction": {"met": 1, "total": 1, "running_late": 0, "share": None, "min_cases": 3},
                            "change_review": none, "change_execution": none, "ticket_response": none,
                            "ticket_restoration": none}



def test_audit_sla_on_time_counts_a_late_open_review_and_links_closed_later(lab):
    """The issue's example: 4 applications, 3 decided and built on time, one left unanswered 73 working days;
    one link is later decommissioned. Review on time is 3 of 4, construction 3 of 3."""
    ok("dept", "add", DEPT)
    for n in range(1, 5):
        ok("unit", "add", f"朱家角镇{n}号村民委员会", "--category", "village", "--dept", DEPT, "--code", f"zjj-{n}",
           "--town", "朱家角镇", "--address", f"青浦区朱家角镇{n}号路", "--mlps-level", "2", "--mlps-assessed",
           "2026-03-01")
        ok("--today", "2026-09-01", "apply", "--unit", f"zjj-{n}", "--basis", "要求", "--scope", "办公区", "--mode",
           "dedicated", "--purpose", "一网通办", "--bandwidth", "50", "--technical", "光纤", "--time-requirement",
           "尽快", "--cost-bearer", "budget", user="dept.zhujiajiao")
    for n in (1, 2, 3):  # decided within 5 working days (due 09-08), built within 15 (due 09-29 from 09-07)
        ok("--today", "2026-09-07", "review", "approve", str(n), user="bdc.reviewer")
        ok("--today", "2026-09-15", "provision", str(n), "--yes")
    ok("--today", "2026-10-20", "decommission", "1", "--reason", "村委会搬迁", "--yes")
    as_of = "2026-12-24"  # application 4 was due 09-08: 73 working days later, still under review
    r = ok("audit", "sla", "--as-of", as_of, "--since", "2026-09-01", "--json", today=as_of).json()
    none = {"met": 0, "total": 0, "running_late": 0, "share": None, "min_cases": 3}
    assert r == {
        "as_of": as_of, "since": "2026-09-01",
        "clocks": [{"application": 4, "change": None, "ticket": None, "unit": "朱家角镇4号村民委员会",
                    "clock": "review", "article": 12, "due": "2026-09-08", "working_days_left": -73, "left": None,
                    "overdue": True}],
        "on_time": {"review": {"met": 3, "total": 4, "running_late": 1, "share": 0.75, "min_cases": 3},
                    "construction": {"met": 3, "total": 3, "running_late": 0, "share": 1.0, "min_cases": 3},
                    "change_review": none, "change_execution": none, "ticket_response": none,
                    "ticket_restoration": none}}
    text = ok("audit", "sla", "--as-of", as_of, "--since", "2026-09-01", today=as_of)
    assert "review on time since 2026-09-01: 3 of 4 (75%); 1 still running past due\n" in text.err
    assert "construction on time since 2026-09-01: 3 of 3 (100%)\n" in text.err
    assert "change_review on time since 2026-09-01: 0 of 0 (n/a: no cases)\n" in text.err
    # a share from fewer cases than statistics.min_cases is no figure
    policy = Path("policies.yaml")
    policy.write_text(policy.read_text(encoding="utf-8").replace("min_cases: 3", "min_cases: 5"), encoding="utf-8")
    r = ok("audit", "sla", "--as-of", as_of, "--since", "2026-09-01", "--json", today=as_of).json()
    assert r["on_time"]["review"] == {"met": 3, "total": 4, "running_late": 1, "share": None, "min_cases": 5}
    assert fails(2, "audit", "sla", "--since", "2026-13-01").err == (
        "Error: --since '2026-13-01' is not a date; write it as YYYY-MM-DD, e.g. 2026-09-28\n")

# ---- no data is not no traffic (Art. 15) ----

def _row(**extra):
    return {"link": 1, "address": "青浦区朱家角镇张马村1号", "opened_on": "2026-09-28", "limit_on": "2026-12-28",
            "device": "zjj-sw1", "port": PORT, "units": ["朱家角镇张马村村民委员会"], "departments": [DEPT],
            "article": 15, **extra}


NO_DATA_ACTION = ("not closed: no usage record for 1 day of the 3 months (Art. 15); import those days from the "
                  "monitoring system ('egovnet usage import FILE') or check the link with the unit")


def test_a_failed_collection_day_is_a_gap_and_the_link_is_never_closed(opened, tmp_path):
    quiet_days(1, "2026-09-29", "2026-12-27", skip=("2026-11-11",))
    opened.faults.error_on = r"^display interface"          # that night the switch refuses the display
    r = run("--today", "2026-11-11", "usage", "collect", "--json")
    assert r.code == 4, r.err
    assert r.err == ("Error: usage of 1 of 1 links could not be read, so they have no data for 2026-11-11 (audit "
                     "idle will not close them, Art. 15): link 1 on zjj-sw1: cannot read the byte counters of "
                     f"{PORT}: the device's answer does not show {PORT} (\"Error: Wrong parameter found at '^' "
                     "position.\"); no data is recorded for today\n")
    opened.faults.error_on = None

    data = ok("audit", "idle", "--as-of", "2026-12-28", "--json").json()
    assert data == {"as_of": "2026-12-28", "idle": [], "approaching": [], "closed": [], "failed": [], "warned": [],
                    "no_data": [_row(finding="no data", missing_days=["2026-11-11"], action=NO_DATA_ACTION)]}
    sent = len(opened.history)
    r = ok("--today", "2026-12-28", "audit", "idle", "--close", "--yes", "--json")
    assert (r.json()["closed"], r.json()["idle"]) == ([], [])
    assert r.err == ("Warning: link 1 (朱家角镇张马村村民委员会) was not judged idle: no usage data on 2026-11-11; "
                     "import those days ('egovnet usage import FILE') or check the link\n")
    assert len(opened.history) == sent and "shutdown" not in opened.section(f"interface {PORT}")
    assert ok("link", "show", "1", "--json").json()["status"] == "active"

    # the monitoring system's figure for that day fills the gap: now the link is judged, and closed
    quiet_days(1, "2026-11-11", "2026-11-11")
    r = ok("--today", "2026-12-28", "audit", "idle", "--close", "--yes", "--json").json()
    assert ([c["link"] for c in r["closed"]], r["no_data"]) == ([1], [])
    assert "shutdown" in opened.section(f"interface {PORT}")


def test_no_reading_at_all_is_no_data_not_idle_in_the_table(opened):
    r = ok("audit", "idle", "--as-of", "2026-12-28")
    assert "no idle links as of 2026-12-28" in r.err
    assert "2026-09-29..2026-12-27 (90 days)" in r.out
    assert "not judged, never closed: days without usage data (Art. 15)" in r.out
    assert r.err.splitlines()[-1] == ("Warning: link 1 (朱家角镇张马村村民委员会) was not judged idle: no usage data "
                                      "on 2026-09-29..2026-12-27 (90 days); import those days ('egovnet usage "
                                      "import FILE') or check the link")
    data = ok("audit", "idle", "--as-of", "2026-12-28", "--json").json()
    assert data["idle"] == [] and len(data["no_data"][0]["missing_days"]) == 90


def test_daily_readings_over_ssh_with_no_traffic_make_complete_data(opened):
    """Real readings count as data: the gap days are exactly those without a reading."""
    quiet_days(1, "2026-09-29", "2026-12-27", skip=("2026-12-01", "2026-12-02", "2026-12-05"))
    for day in ("2026-12-01", "2026-12-02"):
        ok("--today", day, "usage", "collect")     # the counters do not move: zero traffic, but a reading
    data = ok("audit", "idle", "--as-of", "2026-12-28", "--json").json()
    assert [(n["link"], n["missing_days"]) for n in data["no_data"]] == [(1, ["2026-12-05"])]
    ok("--today", "2026-12-05", "usage", "collect")
    data = ok("audit", "idle", "--as-of", "2026-12-28", "--json").json()
    assert (data["no_data"], [i["link"] for i in data["idle"]]) == ([], [1])


def test_approaching_links_show_the_gaps_so_far(opened):
    quiet_days(1, "2026-09-29", "2026-12-26", skip=("2026-10-01",))
    r = ok("audit", "idle", "--as-of", "2026-12-27", "--json")
    assert [(a["link"], a["missing_days"]) for a in r.json()["approaching"]] == [(1, ["2026-10-01"])]
    assert r.err == ("link 1 (朱家角镇张马村村民委员会) reaches 3 months without use on 2026-12-28: 1 working days "
                     "left; no usage data yet on 2026-10-01\n")
