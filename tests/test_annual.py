"""The annual evaluation (Art. 24): a year scripted through egovnet on the device lab, then `report annual`;
the workbook compared cell by cell, the report document's layout, the JSON as a whole object."""

from __future__ import annotations

from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook

from conftest import APPLY_ARGS, DEPT, fails, ok, quiet_days, run, sql

LT = "练塘镇人民政府"
AGRI = "区农业农村委"
A, B, C, D = "朱家角镇张马村村民委员会", "练塘镇东庄村村民委员会", "练塘镇徐练村村民委员会", "区农业农村委员会机关"


def traffic(link: int, first: int, last: int, month: str, b_in: int, b_out: int, today: str) -> None:
    """Daily traffic of a link as the monitoring system exports it (usage import)."""
    path = Path.cwd() / f"traffic-L{link}-{month}.csv"
    path.write_text("link,date,bytes_in,bytes_out\n" + "".join(
        f"L{link},2026-{month}-{d:02d},{b_in},{b_out}\n" for d in range(first, last + 1)), encoding="utf-8")
    ok("--today", today, "usage", "import", str(path))


def unit(name, code, town, dept, address, category="village", assessed="2026-03-01"):
    args = ["unit", "add", name, "--category", category, "--dept", dept, "--code", code, "--address", address,
            "--mlps-level", "2", "--mlps-assessed", assessed]
    ok(*args, *(["--town", town] if town else []))


def file_app(code: str) -> int:
    return ok("--today", "2026-03-02", "apply", "--unit", code, *APPLY_ARGS, "--json").json()["id"]


@pytest.fixture
def year(lab):
    """2026 in Qingpu: four applications received on Monday 2026-03-02 (review due 03-09), one rejected, one
    reviewed late; the Zhujiajiao link built on time, the two Liantang links late (construction due 03-25 and
    03-31, built 04-20); a bandwidth change carried out on time; one Liantang link closed for non-use on 07-20
    (Art. 15); the other Liantang unit's MLPS assessment found to be from 2024 (expired 2026-01-01); three fault
    tickets, an import from the monitoring system, two security checks, two drift findings (one remediated), a
    disconnect, a reconnect and a criticism by the Office. Each step through egovnet's own commands."""
    for dept in (DEPT, LT, AGRI):
        ok("dept", "add", dept)
    unit(A, "zjj-a", "朱家角镇", DEPT, "青浦区朱家角镇张马村1号")
    unit(B, "lt-b", "练塘镇", LT, "青浦区练塘镇东庄村1号")
    unit(C, "lt-c", "练塘镇", LT, "青浦区练塘镇徐练村8号")
    unit(D, "agri", None, AGRI, "青浦区公园路100号", category="agency")
    ids = [file_app(code) for code in ("zjj-a", "lt-b", "lt-c", "agri")]
    assert ids == [1, 2, 3, 4]
    ok("--today", "2026-03-03", "review", "approve", "1", user="bdc.reviewer")
    ok("--today", "2026-03-03", "review", "reject", "4", "--reason", "不属于本区电子政务外网接入范围",
       user="bdc.reviewer")
    ok("--today", "2026-03-04", "review", "approve", "2", user="bdc.reviewer")
    ok("--today", "2026-03-10", "review", "approve", "3", user="bdc.reviewer")      # review due 03-09: late
    ok("--today", "2026-03-20", "provision", "1", "--yes")                          # due 03-24: on time
    ok("--today", "2026-04-20", "provision", "2", "3", "--yes")                     # due 03-25 and 03-31: late
    traffic(1, 21, 31, "03", 3_000_000, 1_000_000, "2026-04-01")
    traffic(3, 21, 30, "04", 2_000_000, 500_000, "2026-05-01")
    ok("--today", "2026-05-06", "change", "request", "1", "--bandwidth", "100", "--reason", "视频会议扩容",
       user="dept.zhujiajiao")
    ok("--today", "2026-05-07", "change", "approve", "1", user="bdc.reviewer")
    ok("--today", "2026-05-08", "change", "apply", "1", "--yes")
    quiet_days(2, "2026-04-21", "2026-07-19")
    closed = ok("--today", "2026-07-20", "audit", "idle", "--close", "--yes", "--json").json()["closed"]
    assert [c["link"] for c in closed] == [2]
    ok("--today", "2026-08-03", "unit", "update", "lt-c", "--mlps-assessed", "2024-01-01")
    # faults (Art. 17): an outage of link 1 handled in time; an outage of link 3 answered and repaired late; a
    # performance complaint at lt-c on 12-30 still unanswered on 12-31 (late: running past its due hour)
    ok("ticket", "open", "--link", "1", "--summary", "链路中断", "--severity", "p2", "--reported-at", "2026-06-10 10:00",
       today="2026-06-10")
    ok("ticket", "ack", "1", "--at", "2026-06-10 10:30", today="2026-06-10")
    ok("ticket", "resolve", "1", "--cause", "光缆中断", "--action", "熔接", "--at", "2026-06-10 14:00", today="2026-06-10")
    ok("ticket", "open", "--link", "3", "--summary", "链路中断", "--severity", "p2", "--reported-at", "2026-11-02 09:00",
       today="2026-11-02")
    ok("ticket", "ack", "2", "--at", "2026-11-02 12:00", today="2026-11-02")
    ok("ticket", "resolve", "2", "--cause", "设备故障", "--action", "更换设备", "--at", "2026-11-04 10:00",
       today="2026-11-04")
    ok("ticket", "open", "--unit", "lt-c", "--summary", "访问缓慢", "--severity", "p3", "--reported-at",
       "2026-12-30 10:00", today="2026-12-30")
    # the monitoring system (Art. 16): link 1 down 4 of 24 hourly samples on 06-10; link 3 at 48 of 50 Mbit/s
    monitor(1, "2026-06-10", down=range(10, 14), rate=10)
    monitor(3, "2026-11-10", rate=48)
    # security checks (Art. 21): link 1's unit passed, lt-c failed and has no follow-up
    ok("security", "check", "record", "zjj-a", "--kind", "bdc_check", "--date", "2026-09-01", "--result", "pass",
       today="2026-09-01")
    ok("security", "check", "record", "lt-c", "--kind", "bdc_check", "--date", "2026-09-02", "--result", "fail",
       "--findings", "弱口令", today="2026-09-02")
    # drift (Art. 22): a rate set by hand on link 1's port, found and put back; later a description changed by
    # hand, found and still open at the year's end
    by_hand(lab, "zjj-sw1", ["interface GigabitEthernet0/0/1", "qos lr inbound cir 10000"])
    assert run("--today", "2026-10-15", "audit", "drift", "--json").code == 4
    ok("--today", "2026-10-16", "remediate", "zjj-sw1", "--yes")
    # the Office cuts lt-c off for an incident and another Office user reconnects it (Art. 23); a criticism (Art. 26)
    ok("--today", "2026-10-20", "security", "disconnect", "--unit", "lt-c", "--incident", "终端感染蠕虫病毒", "--yes",
       user="office.duty")
    ok("--today", "2026-10-22", "security", "reconnect", "1", "--remediation", "已清除病毒并加固终端", "--yes",
       user="office.head")
    ok("--today", "2026-11-05", "security", "criticize", "lt-c", "--ground", "2", "--facts", "安全检查发现的问题逾期未整改",
       user="office.duty")
    by_hand(lab, "zjj-sw1", ["interface GigabitEthernet0/0/1", "description hand-edit"])
    assert run("--today", "2026-12-01", "audit", "drift", "--json").code == 4
    return lab


def by_hand(lab, name, commands):
    """An engineer's own SSH session to the device, outside egovnet, saving what they did."""
    import os

    from netmiko import ConnectHandler

    conn = ConnectHandler(device_type=lab.devices[name].platform, host=lab.host, port=lab.ports[name],
                          username="netops", password=os.environ["EGOVNET_LAB_PASSWORD"], fast_cli=False)
    try:
        conn.send_config_set(commands, exit_config_mode=True)
        conn.save_config()
    finally:
        conn.disconnect()


def monitor(link: int, day: str, *, down=(), rate: float = 10) -> None:
    path = Path.cwd() / f"monitor-L{link}.csv"
    path.write_text("link,at,status,loss_pct,latency_ms,in_mbps,out_mbps\n" + "".join(
        f"L{link},{day} {h:02d}:00,{'down' if h in down else 'up'},0,5,{rate},{rate / 2}\n" for h in range(24)),
        encoding="utf-8")
    ok("--today", "2026-12-01", "monitor", "import", str(path))


TOWNS = ["朱家角镇", "练塘镇", "未填街镇"]


def expected_json() -> dict:
    def row(town, **v):
        return {"town": town, **v}

    links = dict(applications=0, approved=0, rejected=0, opened=0, reopened=0, closed_idle=0, decommissioned=0,
                 active_at_end=0)
    clocks = [("review", "接入审核", 12), ("construction", "网络接入施工", 12), ("change_review", "资源调整审核", 18),
              ("change_execution", "资源调整实施", 18), ("ticket_response", "故障响应", 17),
              ("ticket_restoration", "故障修复", 17)]
    # (met, late); ticket 3 is late for its response (still unanswered past its due hour) and not yet due for
    # its restoration, so not judged
    figures = {("朱家角镇", "review"): (1, 0), ("朱家角镇", "construction"): (1, 0),
               ("朱家角镇", "change_review"): (1, 0), ("朱家角镇", "change_execution"): (1, 0),
               ("练塘镇", "review"): (1, 1), ("练塘镇", "construction"): (0, 2), ("未填街镇", "review"): (1, 0),
               ("朱家角镇", "ticket_response"): (1, 0), ("朱家角镇", "ticket_restoration"): (1, 0),
               ("练塘镇", "ticket_response"): (0, 2), ("练塘镇", "ticket_restoration"): (0, 1)}

    def clock_row(town, clock, label, art):
        if town == "全区":
            met = sum(m for (t, c), (m, _) in figures.items() if c == clock)
            late = sum(n for (t, c), (_, n) in figures.items() if c == clock)
        else:
            met, late = figures.get((town, clock), (0, 0))
        # a share of fewer than statistics.min_cases (3) cases is n/a
        return {"town": town, "clock": clock, "label": label, "article": art, "cases": met + late, "met": met,
                "late": late, "share": round(met / (met + late), 3) if met + late >= 3 else None}

    changes = dict(requests=0, approved=0, rejected=0, applied=0, raised=0, lowered=0, released=0)
    usage = dict(links_open=0, links_used=0, days_measured=0, days_open=0, bytes_in=0, bytes_out=0, idle_warnings=0,
                 idle_closures=0)
    security = dict(units_connected=0, mlps_expired=0, mlps_missing=0, mlps_due=0, bdc_check_overdue=0,
                    bdc_check_missing=0, risk_assessment_overdue=0, risk_assessment_missing=0,
                    fail_without_follow_up=0, bdc_checks=0, mlps_assessments=0, risk_assessments=0, failed=0)
    notices = dict(approval=0, rejection=0, change_approval=0, change_rejection=0, idle_warning=0, idle_closure=0,
                   decommission=0, disconnect=0, reconnect=0, criticism=0, deliveries_missing=0)
    drift = dict(found=0, resolved=0, open_at_end=0)
    incidents = dict(incidents=0, units_cut_off=0, reconnected=0, cut_off_at_end=0, criticisms=0)
    return {
        "year": 2026, "article": 24, "period": {"from": "2026-01-01", "to": "2026-12-31"}, "partial": False,
        "towns": TOWNS,
        "sections": {
            "links": {"by_town": [
                row("朱家角镇", **{**links, "applications": 1, "approved": 1, "opened": 1, "active_at_end": 1}),
                row("练塘镇", **{**links, "applications": 2, "approved": 2, "opened": 2, "closed_idle": 1,
                              "active_at_end": 1}),
                row("未填街镇", **{**links, "applications": 1, "rejected": 1})],
                "district": row("全区", **{**links, "applications": 4, "approved": 3, "rejected": 1, "opened": 3,
                                         "closed_idle": 1, "active_at_end": 2})},
            # link 1: 287 days open, 240 minutes down (ticket 1), 4 of 24 samples down; link 2: 92 days, no samples;
            # link 3: 256 days, 2,940 minutes down (ticket 2), 24 samples up
            "availability": {"by_town": [
                row("朱家角镇", links=1, samples=24, down_samples=4, service_minutes=413_280, outage_tickets=1,
                    unplanned_minutes=240, planned_minutes=0, monitored_pct=83.333, ticket_pct=99.942),
                row("练塘镇", links=2, samples=24, down_samples=0, service_minutes=501_120, outage_tickets=1,
                    unplanned_minutes=2940, planned_minutes=0, monitored_pct=100.0, ticket_pct=99.413),
                row("未填街镇", links=0, samples=0, down_samples=0, service_minutes=0, outage_tickets=0,
                    unplanned_minutes=0, planned_minutes=0, monitored_pct=None, ticket_pct=None)],
                "district": row("全区", links=3, samples=48, down_samples=4, service_minutes=914_400, outage_tickets=2,
                                unplanned_minutes=3180, planned_minutes=0, monitored_pct=91.667, ticket_pct=99.652),
                "links": [
                    {"link": 1, "town": "朱家角镇", "units": [A], "address": "青浦区朱家角镇张马村1号",
                     "service_minutes": 413_280, "samples": 24, "down_samples": 4, "monitored_pct": 83.333,
                     "outage_tickets": 1, "unplanned_minutes": 240, "planned_minutes": 0, "ticket_pct": 99.942},
                    {"link": 2, "town": "练塘镇", "units": [B], "address": "青浦区练塘镇东庄村1号",
                     "service_minutes": 132_480, "samples": 0, "down_samples": 0, "monitored_pct": None,
                     "outage_tickets": 0, "unplanned_minutes": 0, "planned_minutes": 0, "ticket_pct": 100.0},
                    {"link": 3, "town": "练塘镇", "units": [C], "address": "青浦区练塘镇徐练村8号",
                     "service_minutes": 368_640, "samples": 24, "down_samples": 0, "monitored_pct": 100.0,
                     "outage_tickets": 1, "unplanned_minutes": 2940, "planned_minutes": 0, "ticket_pct": 99.202}],
                "min_samples": 12},
            "faults": {"by_town": [
                row("朱家角镇", tickets=1, p1=0, p2=1, p3=0, outages=1, resolved=1, mean_respond_minutes=30.0,
                    mean_restore_minutes=240.0),
                row("练塘镇", tickets=2, p1=0, p2=1, p3=1, outages=1, resolved=1, mean_respond_minutes=180.0,
                    mean_restore_minutes=2940.0),
                row("未填街镇", tickets=0, p1=0, p2=0, p3=0, outages=0, resolved=0, mean_respond_minutes=None,
                    mean_restore_minutes=None)],
                "district": row("全区", tickets=3, p1=0, p2=2, p3=1, outages=2, resolved=2,
                                mean_respond_minutes=105.0, mean_restore_minutes=1590.0)},
            "on_time": {"by_town": [clock_row(t, *c) for c in clocks for t in TOWNS],
                        "district": [clock_row("全区", *c) for c in clocks]},
            "changes": {"by_town": [row("朱家角镇", **{**changes, "requests": 1, "approved": 1, "applied": 1,
                                                     "raised": 1}),
                                    row("练塘镇", **changes), row("未填街镇", **changes)],
                        "district": row("全区", **{**changes, "requests": 1, "approved": 1, "applied": 1,
                                                 "raised": 1})},
            "usage": {"by_town": [
                # Zhujiajiao: open 03-20..12-31 (287 days), 11 days measured; Liantang: 04-20..07-20 (92) and
                # 04-20..12-31 (256), 90 + 10 days measured
                row("朱家角镇", **{**usage, "links_open": 1, "links_used": 1, "days_measured": 11, "days_open": 287,
                                "bytes_in": 33_000_000, "bytes_out": 11_000_000}, coverage=0.038),
                row("练塘镇", **{**usage, "links_open": 2, "links_used": 1, "days_measured": 100, "days_open": 348,
                              "bytes_in": 20_000_000, "bytes_out": 5_000_000, "idle_closures": 1}, coverage=0.287),
                row("未填街镇", **usage, coverage=None)],
                "saturation": [{"link": 3, "town": "练塘镇", "units": [C], "utilisation_pct": 96.0, "threshold": 90.0,
                                "finding": "saturated"}],
                "district": row("全区", **{**usage, "links_open": 3, "links_used": 2, "days_measured": 111,
                                         "days_open": 635, "bytes_in": 53_000_000, "bytes_out": 16_000_000,
                                         "idle_closures": 1}, coverage=0.175)},
            "security": {"by_town": [
                row("朱家角镇", **{**security, "units_connected": 1, "risk_assessment_missing": 1, "bdc_checks": 1}),
                row("练塘镇", **{**security, "units_connected": 1, "mlps_expired": 1, "risk_assessment_missing": 1,
                              "fail_without_follow_up": 1, "bdc_checks": 1, "failed": 1}),
                row("未填街镇", **security)],
                "district": row("全区", **{**security, "units_connected": 2, "mlps_expired": 1,
                                         "risk_assessment_missing": 2, "fail_without_follow_up": 1, "bdc_checks": 2,
                                         "failed": 1}),
                "units": [
                    {"unit": A, "town": "朱家角镇", "finding": "risk_assessment_missing", "kind": "risk_assessment",
                     "last": None, "due": None, "article": 21},
                    {"unit": C, "town": "练塘镇", "finding": "fail_without_follow_up", "kind": "bdc_check",
                     "last": "2026-09-02", "due": None, "article": 21},
                    {"unit": C, "town": "练塘镇", "finding": "mlps_expired", "kind": "mlps_assessment",
                     "last": "2024-01-01", "due": "2026-01-01", "article": 13},
                    {"unit": C, "town": "练塘镇", "finding": "risk_assessment_missing", "kind": "risk_assessment",
                     "last": None, "due": None, "article": 21}]},
            "notices": {"by_town": [
                row("朱家角镇", **{**notices, "approval": 1, "change_approval": 1, "deliveries_missing": 2}),
                row("练塘镇", **{**notices, "approval": 2, "idle_closure": 1, "disconnect": 1, "reconnect": 1,
                              "criticism": 1, "deliveries_missing": 6}),
                row("未填街镇", **{**notices, "rejection": 1, "deliveries_missing": 1})],
                "district": row("全区", **{**notices, "approval": 3, "rejection": 1, "change_approval": 1,
                                         "idle_closure": 1, "disconnect": 1, "reconnect": 1, "criticism": 1,
                                         "deliveries_missing": 9})},
            "drift": {"by_town": [row("朱家角镇", found=2, resolved=1, open_at_end=1), row("练塘镇", **drift),
                                  row("未填街镇", **drift)],
                      "district": row("全区", found=2, resolved=1, open_at_end=1), "audits": 2},
            "incidents": {"by_town": [row("朱家角镇", **incidents),
                                      row("练塘镇", incidents=1, units_cut_off=1, reconnected=1, cut_off_at_end=0,
                                          criticisms=1),
                                      row("未填街镇", **incidents)],
                          "district": row("全区", incidents=1, units_cut_off=1, reconnected=1, cut_off_at_end=0,
                                          criticisms=1)},
        },
        "proposals": [
            {"topic": "late_construction", "article": 12, "towns": ["练塘镇"],
             "finding": "网络接入施工多次超时：练塘镇2件（共2件）",
             "proposal": "与该街镇及施工单位逐项排查超期原因，符合条件的及时办理延期，其余限期完成施工（第十二条）"},
            {"topic": "late_ticket_response", "article": 17, "towns": ["练塘镇"],
             "finding": "故障响应多次超时：练塘镇2件（共2件）", "proposal": "落实故障报修值守，按第十七条及时响应报修"},
            {"topic": "monitoring", "article": 16, "towns": ["朱家角镇", "练塘镇"],
             "finding": "链路流量监测覆盖率偏低：朱家角镇3.8%、练塘镇28.7%",
             "proposal": "补齐运维监控系统对相关链路的流量采集：缺少数据的链路无法评价使用情况"},
            {"topic": "mlps", "article": 13, "towns": ["练塘镇"],
             "finding": f"在网单位等级保护测评过期或无记录：练塘镇1家（{C}）",
             "proposal": "督促相关单位限期完成等级保护测评并报区大数据中心备案，逾期未整改的报区政务服务办公室处理"},
            {"topic": "follow_up", "article": 21, "towns": ["练塘镇"], "finding": "检查不合格未整改复查：练塘镇1项",
             "proposal": "督促相关单位限期整改并复查，逾期的报区政务服务办公室（第二十一条、第二十六条）"},
            {"topic": "drift", "article": 22, "towns": ["朱家角镇"], "finding": "接入设备配置多次被擅自改动：朱家角镇2项",
             "proposal": "约谈相关接入单位，重申不得擅自变更政务外网线路和接入设备（第二十二条），对其接入设备按月核查配置"},
            {"topic": "availability", "article": 16, "towns": ["朱家角镇"],
             "finding": f"链路可用率低于99.5%：朱家角镇（{A}）83.333%",
             "proposal": "逐条分析中断原因（线路、设备、供电），必要时增加备用链路或更换设备"},
            {"topic": "saturation", "article": 18, "towns": ["练塘镇"],
             "finding": f"链路带宽接近或超过饱和：练塘镇（{C}）96.0%",
             "proposal": "告知接入单位按第十八条提出资源调整申请，扩容相关链路带宽"},
        ],
    }


def test_a_scripted_year(year, tmp_path):
    """One scripted year (the fixture takes most of a minute on the lab), three outputs compared."""
    r = ok("--today", "2026-12-31", "report", "annual", "--year", "2026", "--json")
    assert r.json() == expected_json()
    assert r.err == ""   # nothing else said, no file written without --out
    check_workbook(tmp_path)
    check_document(tmp_path / "reports")


def rows_of(ws) -> list[list]:
    return [list(r) for r in ws.iter_rows(values_only=True)]


def check_workbook(tmp_path):
    out = tmp_path / "reports"
    out.mkdir()
    r = ok("--today", "2026-12-31", "report", "annual", "--year", "2026", "--out", str(out))
    assert r.err.splitlines() == [f"wrote 81 rows to {out / 'annual-2026.xlsx'}", f"wrote {out / 'annual-2026.docx'}"]
    wb = load_workbook(out / "annual-2026.xlsx")
    assert wb.sheetnames == ["概况（第二十四条）", "链路（第十二、十四、十五条）", "可用性（第十六、十七条）", "链路可用性（第十六、十七条）",
                             "故障处理（第十七条）", "按时办结（第十二、十七、十八条）", "资源调整（第十八条）", "使用（第十五、十六条）",
                             "带宽饱和（第十六、十八条）", "安全（第十三、二十一条）", "安全问题单位（第十三、二十一条）",
                             "配置偏离（第二十二条）", "安全事件（第二十三、二十六条）", "公文（第十二、十五、十八、二十三、二十六条）",
                             "改进建议（第二十四条）"]
    assert rows_of(wb["概况（第二十四条）"]) == [
        ["项目", "内容"], ["评估年度", 2026], ["统计期间", "2026-01-01 至 2026-12-31"], ["全年数据", "是"],
        ["街镇", "朱家角镇、练塘镇、未填街镇"], ["依据", "《青浦区电子政务外网管理办法》第二十四条"]]
    assert rows_of(wb["链路（第十二、十四、十五条）"]) == [
        ["街镇", "受理接入申请", "批准", "不予批准", "新开通链路", "重新开通", "闲置关闭", "拆除", "期末在用链路"],
        ["朱家角镇", 1, 1, 0, 1, 0, 0, 0, 1], ["练塘镇", 2, 2, 0, 2, 0, 1, 0, 1], ["未填街镇", 1, 0, 1, 0, 0, 0, 0, 0],
        ["全区", 4, 3, 1, 3, 0, 1, 0, 2]]
    assert rows_of(wb["可用性（第十六、十七条）"]) == [
        ["街镇", "在网链路", "监测采样", "中断采样", "监测可用率（%）", "中断工单", "非计划中断（分钟）", "报备维护（分钟）",
         "按工单可用率（%）"],
        ["朱家角镇", 1, 24, 4, 83.333, 1, 240, 0, 99.942], ["练塘镇", 2, 24, 0, 100, 1, 2940, 0, 99.413],
        ["未填街镇", 0, 0, 0, "n/a", 0, 0, 0, "n/a"], ["全区", 3, 48, 4, 91.667, 2, 3180, 0, 99.652]]
    assert rows_of(wb["链路可用性（第十六、十七条）"]) == [
        ["链路", "街镇", "接入单位", "地址", "监测采样", "中断采样", "监测可用率（%）", "中断工单", "非计划中断（分钟）",
         "报备维护（分钟）", "按工单可用率（%）"],
        [1, "朱家角镇", A, "青浦区朱家角镇张马村1号", 24, 4, 83.333, 1, 240, 0, 99.942],
        [2, "练塘镇", B, "青浦区练塘镇东庄村1号", 0, 0, "n/a", 0, 0, 0, 100],
        [3, "练塘镇", C, "青浦区练塘镇徐练村8号", 24, 0, 100, 1, 2940, 0, 99.202]]
    assert rows_of(wb["故障处理（第十七条）"]) == [
        ["街镇", "故障报修", "一级", "二级", "三级", "造成中断", "已修复", "平均响应（分钟）", "平均修复（分钟）"],
        ["朱家角镇", 1, 0, 1, 0, 1, 1, 30, 240], ["练塘镇", 2, 0, 1, 1, 1, 1, 180, 2940],
        ["未填街镇", 0, 0, 0, 0, 0, 0, "n/a", "n/a"], ["全区", 3, 0, 2, 1, 2, 2, 105, 1590]]
    # a share of fewer than 3 cases (statistics.min_cases) is n/a
    assert rows_of(wb["按时办结（第十二、十七、十八条）"]) == [
        ["街镇", "时限", "条款", "统计件数", "按时", "超时", "按时办结率（%）"],
        ["朱家角镇", "接入审核", "第十二条", 1, 1, 0, "n/a"],
        ["练塘镇", "接入审核", "第十二条", 2, 1, 1, "n/a"],
        ["未填街镇", "接入审核", "第十二条", 1, 1, 0, "n/a"],
        ["朱家角镇", "网络接入施工", "第十二条", 1, 1, 0, "n/a"],
        ["练塘镇", "网络接入施工", "第十二条", 2, 0, 2, "n/a"],
        ["未填街镇", "网络接入施工", "第十二条", 0, 0, 0, "n/a"],
        ["朱家角镇", "资源调整审核", "第十八条", 1, 1, 0, "n/a"],
        ["练塘镇", "资源调整审核", "第十八条", 0, 0, 0, "n/a"],
        ["未填街镇", "资源调整审核", "第十八条", 0, 0, 0, "n/a"],
        ["朱家角镇", "资源调整实施", "第十八条", 1, 1, 0, "n/a"],
        ["练塘镇", "资源调整实施", "第十八条", 0, 0, 0, "n/a"],
        ["未填街镇", "资源调整实施", "第十八条", 0, 0, 0, "n/a"],
        ["朱家角镇", "故障响应", "第十七条", 1, 1, 0, "n/a"],
        ["练塘镇", "故障响应", "第十七条", 2, 0, 2, "n/a"],
        ["未填街镇", "故障响应", "第十七条", 0, 0, 0, "n/a"],
        ["朱家角镇", "故障修复", "第十七条", 1, 1, 0, "n/a"],
        ["练塘镇", "故障修复", "第十七条", 1, 0, 1, "n/a"],
        ["未填街镇", "故障修复", "第十七条", 0, 0, 0, "n/a"],
        ["全区", "接入审核", "第十二条", 4, 3, 1, 75],
        ["全区", "网络接入施工", "第十二条", 3, 1, 2, 33.3],
        ["全区", "资源调整审核", "第十八条", 1, 1, 0, "n/a"],
        ["全区", "资源调整实施", "第十八条", 1, 1, 0, "n/a"],
        ["全区", "故障响应", "第十七条", 3, 1, 2, 33.3],
        ["全区", "故障修复", "第十七条", 2, 1, 1, "n/a"]]
    assert rows_of(wb["资源调整（第十八条）"]) == [
        ["街镇", "受理调整申请", "批准", "不予批准", "已实施", "提高带宽", "降低带宽", "退出共用链路"],
        ["朱家角镇", 1, 1, 0, 1, 1, 0, 0], ["练塘镇", 0, 0, 0, 0, 0, 0, 0], ["未填街镇", 0, 0, 0, 0, 0, 0, 0],
        ["全区", 1, 1, 0, 1, 1, 0, 0]]
    assert rows_of(wb["使用（第十五、十六条）"]) == [
        ["街镇", "期内开通链路", "有联网应用链路", "有流量记录链路日", "开通链路日", "监测覆盖率（%）", "上行（GB）", "下行（GB）",
         "关闭提醒", "关闭通知"],
        ["朱家角镇", 1, 1, 11, 287, 3.8, 0.033, 0.011, 0, 0],
        ["练塘镇", 2, 1, 100, 348, 28.7, 0.02, 0.005, 0, 1],
        ["未填街镇", 0, 0, 0, 0, "n/a", 0, 0, 0, 0],
        ["全区", 3, 2, 111, 635, 17.5, 0.053, 0.016, 0, 1]]
    assert rows_of(wb["带宽饱和（第十六、十八条）"]) == [
        ["链路", "街镇", "接入单位", "带宽利用率（95百分位，%）", "上限（%）", "判断"], [3, "练塘镇", C, 96, 90, "超过上限"]]
    assert rows_of(wb["安全（第十三、二十一条）"]) == [
        ["街镇", "在网单位", "等保测评过期", "无等保测评记录", "等保测评即将到期", "安全检查逾期", "未做安全检查", "风险评估逾期",
         "无风险评估记录", "不合格未复查", "期内安全检查", "期内等保测评", "期内风险评估", "期内不合格"],
        ["朱家角镇", 1, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0], ["练塘镇", 1, 1, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 1],
        ["未填街镇", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], ["全区", 2, 1, 0, 0, 0, 0, 0, 2, 1, 2, 0, 0, 1]]
    ws = wb["安全问题单位（第十三、二十一条）"]
    assert [[c.date().isoformat() if hasattr(c, "date") else c for c in r] for r in rows_of(ws)] == [
        ["单位", "街镇", "问题", "上次", "到期", "条款"], [A, "朱家角镇", "无风险评估记录", None, None, "第二十一条"],
        [C, "练塘镇", "检查不合格未复查", "2026-09-02", None, "第二十一条"],
        [C, "练塘镇", "等保测评过期", "2024-01-01", "2026-01-01", "第十三条"],
        [C, "练塘镇", "无风险评估记录", None, None, "第二十一条"]]
    assert rows_of(wb["配置偏离（第二十二条）"]) == [
        ["街镇", "发现配置偏离", "已纠正", "期末未纠正"], ["朱家角镇", 2, 1, 1], ["练塘镇", 0, 0, 0], ["未填街镇", 0, 0, 0],
        ["全区", 2, 1, 1]]
    assert rows_of(wb["安全事件（第二十三、二十六条）"]) == [
        ["街镇", "安全事件（断开连接）", "涉及单位", "已恢复连接", "期末仍断开", "通报批评"], ["朱家角镇", 0, 0, 0, 0, 0],
        ["练塘镇", 1, 1, 1, 0, 1], ["未填街镇", 0, 0, 0, 0, 0], ["全区", 1, 1, 1, 0, 1]]
    assert rows_of(wb["公文（第十二、十五、十八、二十三、二十六条）"]) == [
        ["街镇", "接入批准（第十二条）", "接入不予批准（第十二条）", "资源调整批准（第十八条）", "资源调整不予批准（第十八条）",
         "关闭链路提醒（第十五条）", "关闭链路（第十五条）", "拆除链路（第十八条）", "中断连接（第二十三条）", "恢复连接（第二十三条）",
         "通报批评（第二十六条）", "未登记送达"],
        ["朱家角镇", 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2], ["练塘镇", 2, 0, 0, 0, 0, 1, 0, 1, 1, 1, 6],
        ["未填街镇", 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1], ["全区", 3, 1, 1, 0, 0, 1, 0, 1, 1, 1, 9]]
    fixes = expected_json()["proposals"]
    assert rows_of(wb["改进建议（第二十四条）"]) == [["序号", "街镇", "问题", "建议", "条款"]] + [
        [i, "、".join(p["towns"]), p["finding"], p["proposal"], art]
        for i, (p, art) in enumerate(zip(fixes, ("第十二条", "第十七条", "第十六条", "第十三条", "第二十一条", "第二十二条",
                                                  "第十六条", "第十八条")), 1)]


def check_document(folder):
    from test_notices import east_asia

    doc = Document(folder / "annual-2026.docx")
    sec = doc.sections[0]
    assert (round(sec.page_width.mm), round(sec.page_height.mm)) == (210, 297)
    assert tuple(round(m.mm) for m in (sec.top_margin, sec.left_margin, sec.right_margin, sec.bottom_margin)) == (
        37, 28, 26, 35)
    paras = [p for p in doc.paragraphs if p.text]
    texts = [p.text for p in paras]
    # 文件格式 (a 报告 to the competent authority), unnumbered: a draft to sign off
    assert texts[:4] == ["青浦区大数据中心文件", "关于2026年度电子政务外网", "运行评估情况的报告", "区政务服务办公室："]
    assert [(east_asia(r), str(r.font.color.rgb)) for r in paras[0].runs] == [("方正小标宋简体", "FF0000")]
    assert {(east_asia(r), r.font.size.pt) for p in paras[1:3] for r in p.runs} == {("方正小标宋简体", 22.0)}
    headings = [p for p in paras if p.text[:2] in ("一、", "二、", "三、", "四、", "五、", "六、", "七、", "八、")]
    assert [p.text for p in headings] == ["一、总体情况", "二、可用性和故障处理", "三、服务时限", "四、资源调整", "五、使用情况",
                                          "六、安全情况", "七、各街镇情况", "八、存在问题和改进建议"]
    assert {(east_asia(r), r.font.size.pt) for p in headings for r in p.runs} == {("黑体", 16.0)}
    body = paras[4:texts.index("特此报告。") + 1]
    assert {(east_asia(r), r.font.size.pt) for p in body if p not in headings for r in p.runs} == {
        ("仿宋_GB2312", 16.0)}
    text = "\n".join(texts)
    for part in ("根据《青浦区电子政务外网管理办法》第二十四条规定，区大数据中心对2026年度全区电子政务外网的可靠性",
                 "全年受理接入申请4件，批准3件，不予批准1件；新开通链路3条，重新开通0条，因未开展联网应用关闭1条，拆除0条；期末在用链路2条。",
                 "运维监控系统采样48次，其中中断4次，监测可用率91.67%；故障工单记录的非计划中断3180分钟",
                 "按工单计算的可用率99.65%。",
                 "受理故障报修3件（一级0件、二级2件、三级1件），其中造成中断的2件，已修复2件；平均响应时间105分钟，平均修复时间1590分钟。",
                 "接入审核（第十二条）统计4件，按时3件，超时1件，按时办结率75.0%；网络接入施工（第十二条）统计3件，按时1件，超时2件，"
                 "按时办结率33.3%；资源调整审核（第十八条）统计1件，按时1件，超时0件，按时办结率数据不足；",
                 "故障响应（第十七条）统计3件，按时1件，超时2件，按时办结率33.3%",
                 "链路流量监测覆盖率17.5%",
                 "等级保护测评已过期1家，无测评记录0家，60日内到期0家；",
                 "检查不合格未整改复查1项。期内开展定期安全检查2次",
                 "开展接入设备配置核查2次，发现配置偏离2项，已纠正1项，期末未纠正1项（第二十二条）。发生网络安全事件并由区政务服务办公室"
                 "断开连接1起，涉及单位1家，已恢复连接1起，期末仍断开0起（第二十三条）；通报批评1家次（第二十六条）。",
                 "练塘镇：期末在用链路1条，新开通2条，关闭1条；监测可用率100.00%，故障报修2件；各类时限超时6件；流量监测覆盖率28.7%；"
                 "等级保护测评过期或无记录1家。",
                 "未填街镇：期末在用链路0条，新开通0条，关闭0条；监测可用率数据不足，故障报修0件；各类时限超时0件；流量监测覆盖率数据不足；",
                 "（一）网络接入施工多次超时：练塘镇2件（共2件）。建议：与该街镇及施工单位逐项排查超期原因",
                 f"（四）在网单位等级保护测评过期或无记录：练塘镇1家（{C}）。建议：",
                 f"（八）链路带宽接近或超过饱和：练塘镇（{C}）96.0%。建议：告知接入单位按第十八条提出资源调整申请",
                 "附件：2026年度电子政务外网运行评估数据表", "青浦区大数据中心\n2026年12月31日\n（联系人："):
        assert part in text, part
    for code in ("zjj-a", "lt-b", "lt-c", "agri"):
        assert code not in text


def test_too_little_data_is_null_never_100_percent(tmp_path, _home):
    """A year without a single case: every share null, n/a in the workbook, 数据不足 in the report."""
    ok("dept", "add", DEPT)
    unit(A, "zjj-a", "朱家角镇", DEPT, "青浦区朱家角镇张马村1号")
    r = ok("--today", "2026-06-30", "report", "annual", "--year", "2026", "--json").json()
    assert r["partial"] is True and r["period"] == {"from": "2026-01-01", "to": "2026-06-30"}
    assert [(x["clock"], x["cases"], x["share"]) for x in r["sections"]["on_time"]["district"]] == [
        ("review", 0, None), ("construction", 0, None), ("change_review", 0, None), ("change_execution", 0, None),
        ("ticket_response", 0, None), ("ticket_restoration", 0, None)]
    assert (r["sections"]["availability"]["district"]["monitored_pct"],
            r["sections"]["availability"]["district"]["ticket_pct"]) == (None, None)
    assert r["sections"]["faults"]["district"]["mean_restore_minutes"] is None
    assert r["sections"]["usage"]["district"]["coverage"] is None
    assert r["proposals"] == []
    res = ok("--today", "2026-06-30", "report", "annual", "--year", "2026", "--out", str(tmp_path))
    assert res.err.splitlines() == [f"wrote 35 rows to {tmp_path / 'annual-2026.xlsx'}",
                                    f"wrote {tmp_path / 'annual-2026.docx'}",
                                    "Warning: 2026 is not over: figures up to 2026-06-30", "no figure calls for a fix"]
    wb = load_workbook(tmp_path / "annual-2026.xlsx")
    assert [row[-1] for row in rows_of(wb["按时办结（第十二、十七、十八条）"])[1:]] == ["n/a"] * 12
    text = "\n".join(p.text for p in Document(tmp_path / "annual-2026.docx").paragraphs)
    assert "接入审核（第十二条）本期无统计事项，按时办结率数据不足" in text
    assert "（2026年1月1日至2026年6月30日，年度尚未结束）" in text
    assert "本期各项指标未发现需要专项整改的问题。" in text
    # without --out the files go to EGOVNET_HOME/reports/YEAR, the screen shows the district's clocks
    res = ok("--today", "2026-06-30", "report", "annual", "--year", "2026")
    assert sorted(p.name for p in (_home / "reports" / "2026").iterdir()) == ["annual-2026.docx", "annual-2026.xlsx"]
    assert "deadlines met on time, 2026-01-01 .. 2026-06-30 (全区)" in res.out and "接入审核" in res.out


def test_a_year_not_begun_and_a_missing_folder_are_refused(tmp_path):
    r = fails(3, "report", "annual", "--year", "2027")
    assert r.err == ("Error: --year 2027 has not begun (today is 2026-09-28); the annual evaluation (Art. 24) "
                     "reports a year from its record: give this year or an earlier one\n")
    r = fails(1, "report", "annual", "--year", "2026", "--out", str(tmp_path / "nowhere"))
    assert r.err == (f"Error: --out {tmp_path / 'nowhere'} is not a folder; create it or name another (the report "
                     "is two files)\n")
    assert not (tmp_path / "nowhere").exists()
    assert run("report", "annual").code == 2     # --year is required


def test_issue_numbers_the_report_from_the_register_once(year, tmp_path, _home):
    from test_notices import border

    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    r = fails(3, "--today", "2026-12-30", "report", "annual", "--year", "2026", "--issue", "--out", str(tmp_path))
    assert r.err == ("Error: the evaluation of 2026 covers the year up to 2026-12-30 only; issue it once the year is "
                     "over (Art. 24), or write the draft without --issue\n")
    r = fails(3, "--today", "2026-12-31", "report", "annual", "--year", "2026", "--issue", "--out", str(tmp_path),
              user="dept.zhujiajiao")
    assert r.err.startswith("Error: user 'dept.zhujiajiao' may not issue the annual evaluation of 2026: that needs "
                            "role 'bdc' (区大数据中心) (Art. 24)")
    assert list(tmp_path.iterdir()) == []
    r = ok("--today", "2026-12-31", "report", "annual", "--year", "2026", "--issue", "--out", str(tmp_path))
    issued = _home / "notices" / "2026" / "2026-0010-annual_report.docx"
    assert r.err.splitlines()[:2] == [f"wrote 81 rows to {tmp_path / 'annual-2026.xlsx'}",
                                      f"issued 青数〔2026〕10号: {issued}, copied to {tmp_path / 'annual-2026.docx'}"]
    assert issued.read_bytes() == (tmp_path / "annual-2026.docx").read_bytes()
    doc = Document(issued)
    paras = [p for p in doc.paragraphs if p.text]
    assert [p.text for p in paras[:5]] == ["青浦区大数据中心文件", "青数〔2026〕10号", "关于2026年度电子政务外网",
                                           "运行评估情况的报告", "区政务服务办公室："]
    assert border(paras[1], "bottom") == ("single", "FF0000")
    rows = [n for n in ok("notice", "list", "--json").json() if n["kind"] == "annual_report"]
    assert [(n["no"], n["label"], n["article"], n["main_to"], n["copy_to"], n["subject"]) for n in rows] == [
        ("青数〔2026〕10号", "年度评估报告", 24, ["区政务服务办公室"], [], "report 2026")]
    assert sql("SELECT action, article FROM event WHERE object_type = 'notice' ORDER BY id DESC LIMIT 1") == [
        ("issue", 24)]
    r = fails(3, "--today", "2027-01-05", "report", "annual", "--year", "2026", "--issue", "--out", str(tmp_path))
    assert r.err == ("Error: the evaluation of 2026 was issued as 青数〔2026〕10号 on 2026-12-31 (Art. 24); to correct "
                     "it, 'egovnet notice reissue 青数〔2026〕10号 --reason TEXT'\n")


def test_a_rewritten_event_log_is_refused(_home, tmp_path):
    """The figures rest on the event log (activations, closures, drift): a log that does not verify stops the
    report before anything is written, as it stops the audits."""
    from test_ledger import tamper

    ok("dept", "add", DEPT)
    unit(A, "zjj-a", "朱家角镇", DEPT, "青浦区朱家角镇张马村1号")
    tamper(_home, "UPDATE event SET actor = 'someone.else' WHERE id = 1")
    r = fails(1, "report", "annual", "--year", "2026", "--out", str(tmp_path))
    assert r.err.startswith("Error: the event log does not verify: ")
    assert not (tmp_path / "annual-2026.xlsx").exists() and not (tmp_path / "annual-2026.docx").exists()
