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
    (Art. 15); the other Liantang unit's MLPS assessment found to be from 2024 (expired 2026-01-01)."""
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
    return lab


TOWNS = ["朱家角镇", "练塘镇", "未填街镇"]


def expected_json() -> dict:
    def row(town, **v):
        return {"town": town, **v}

    links = dict(applications=0, approved=0, rejected=0, opened=0, reopened=0, closed_idle=0, decommissioned=0,
                 active_at_end=0)
    clocks = [("review", "接入审核", 12), ("construction", "网络接入施工", 12), ("change_review", "资源调整审核", 18),
              ("change_execution", "资源调整实施", 18)]
    figures = {("朱家角镇", "review"): (1, 0), ("朱家角镇", "construction"): (1, 0),
               ("朱家角镇", "change_review"): (1, 0), ("朱家角镇", "change_execution"): (1, 0),
               ("练塘镇", "review"): (1, 1), ("练塘镇", "construction"): (0, 2), ("未填街镇", "review"): (1, 0)}

    def clock_row(town, clock, label, art):
        if town == "全区":
            met = sum(m for (t, c), (m, _) in figures.items() if c == clock)
            late = sum(n for (t, c), (_, n) in figures.items() if c == clock)
        else:
            met, late = figures.get((town, clock), (0, 0))
        return {"town": town, "clock": clock, "label": label, "article": art, "due": met + late, "met": met,
                "late": late, "share": round(met / (met + late), 3) if met + late else None}

    changes = dict(requests=0, approved=0, rejected=0, applied=0, raised=0, lowered=0, released=0)
    usage = dict(links_open=0, links_used=0, days_measured=0, days_open=0, bytes_in=0, bytes_out=0, idle_warnings=0,
                 idle_closures=0)
    notices = dict(approval=0, rejection=0, change_approval=0, change_rejection=0, idle_warning=0, idle_closure=0,
                   decommission=0, deliveries_missing=0)
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
                "district": row("全区", **{**usage, "links_open": 3, "links_used": 2, "days_measured": 111,
                                         "days_open": 635, "bytes_in": 53_000_000, "bytes_out": 16_000_000,
                                         "idle_closures": 1}, coverage=0.175)},
            "security": {"by_town": [
                row("朱家角镇", units_connected=1, mlps_valid=1, mlps_expired=0, mlps_missing=0),
                row("练塘镇", units_connected=1, mlps_valid=0, mlps_expired=1, mlps_missing=0),
                row("未填街镇", units_connected=0, mlps_valid=0, mlps_expired=0, mlps_missing=0)],
                "district": row("全区", units_connected=2, mlps_valid=1, mlps_expired=1, mlps_missing=0),
                "units": [{"unit": C, "town": "练塘镇", "level": 2, "valid_until": "2026-01-01"}]},
            "notices": {"by_town": [
                row("朱家角镇", **{**notices, "approval": 1, "change_approval": 1, "deliveries_missing": 2}),
                row("练塘镇", **{**notices, "approval": 2, "idle_closure": 1, "deliveries_missing": 3}),
                row("未填街镇", **{**notices, "rejection": 1, "deliveries_missing": 1})],
                "district": row("全区", **{**notices, "approval": 3, "rejection": 1, "change_approval": 1,
                                         "idle_closure": 1, "deliveries_missing": 6})},
        },
        "proposals": [
            {"topic": "late_construction", "article": 12, "towns": ["练塘镇"],
             "finding": "网络接入施工多次超时：练塘镇2件（共2件）",
             "proposal": "与该街镇及施工单位逐项排查超期原因，符合条件的及时办理延期，其余限期完成施工（第十二条）"},
            {"topic": "monitoring", "article": 16, "towns": ["朱家角镇", "练塘镇"],
             "finding": "链路流量监测覆盖率偏低：朱家角镇3.8%、练塘镇28.7%",
             "proposal": "补齐运维监控系统对相关链路的流量采集：缺少数据的链路无法评价使用情况"},
            {"topic": "mlps", "article": 13, "towns": ["练塘镇"],
             "finding": f"在网单位等级保护测评过期或无记录：练塘镇1家（{C}）",
             "proposal": "督促相关单位限期完成等级保护测评并报区大数据中心备案，逾期未整改的报区政务服务办公室处理"},
        ],
    }


def test_a_scripted_year_as_json(year):
    r = ok("--today", "2026-12-31", "report", "annual", "--year", "2026", "--json")
    assert r.json() == expected_json()
    assert r.err == ""   # nothing else said, no file written without --out


def rows_of(ws) -> list[list]:
    return [list(r) for r in ws.iter_rows(values_only=True)]


def test_the_workbook_cell_by_cell(year, tmp_path):
    out = tmp_path / "reports"
    out.mkdir()
    r = ok("--today", "2026-12-31", "report", "annual", "--year", "2026", "--out", str(out))
    assert r.err.splitlines() == [f"wrote 45 rows to {out / 'annual-2026.xlsx'}", f"wrote {out / 'annual-2026.docx'}"]
    wb = load_workbook(out / "annual-2026.xlsx")
    assert wb.sheetnames == ["概况（第二十四条）", "链路（第十二、十四、十五条）", "按时办结（第十二、十八条）", "资源调整（第十八条）",
                             "使用（第十五、十六条）", "安全（第十三条）", "等保过期单位（第十三条）", "公文（第十二、十五、十八条）",
                             "改进建议（第二十四条）"]
    assert rows_of(wb["概况（第二十四条）"]) == [
        ["项目", "内容"], ["评估年度", 2026], ["统计期间", "2026-01-01 至 2026-12-31"], ["全年数据", "是"],
        ["街镇", "朱家角镇、练塘镇、未填街镇"], ["依据", "《青浦区电子政务外网管理办法》第二十四条"]]
    assert rows_of(wb["链路（第十二、十四、十五条）"]) == [
        ["街镇", "受理接入申请", "批准", "不予批准", "新开通链路", "重新开通", "闲置关闭", "拆除", "期末在用链路"],
        ["朱家角镇", 1, 1, 0, 1, 0, 0, 0, 1], ["练塘镇", 2, 2, 0, 2, 0, 1, 0, 1], ["未填街镇", 1, 0, 1, 0, 0, 0, 0, 0],
        ["全区", 4, 3, 1, 3, 0, 1, 0, 2]]
    assert rows_of(wb["按时办结（第十二、十八条）"]) == [
        ["街镇", "时限", "条款", "到期件数", "按时", "超时", "按时办结率（%）"],
        ["朱家角镇", "接入审核", "第十二条", 1, 1, 0, 100],
        ["练塘镇", "接入审核", "第十二条", 2, 1, 1, 50],
        ["未填街镇", "接入审核", "第十二条", 1, 1, 0, 100],
        ["朱家角镇", "网络接入施工", "第十二条", 1, 1, 0, 100],
        ["练塘镇", "网络接入施工", "第十二条", 2, 0, 2, 0],
        ["未填街镇", "网络接入施工", "第十二条", 0, 0, 0, "n/a"],
        ["朱家角镇", "资源调整审核", "第十八条", 1, 1, 0, 100],
        ["练塘镇", "资源调整审核", "第十八条", 0, 0, 0, "n/a"],
        ["未填街镇", "资源调整审核", "第十八条", 0, 0, 0, "n/a"],
        ["朱家角镇", "资源调整实施", "第十八条", 1, 1, 0, 100],
        ["练塘镇", "资源调整实施", "第十八条", 0, 0, 0, "n/a"],
        ["未填街镇", "资源调整实施", "第十八条", 0, 0, 0, "n/a"],
        ["全区", "接入审核", "第十二条", 4, 3, 1, 75],
        ["全区", "网络接入施工", "第十二条", 3, 1, 2, 33.3],
        ["全区", "资源调整审核", "第十八条", 1, 1, 0, 100],
        ["全区", "资源调整实施", "第十八条", 1, 1, 0, 100]]
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
    assert rows_of(wb["安全（第十三条）"]) == [
        ["街镇", "在网单位", "等保测评有效", "等保测评过期", "无等保测评记录"],
        ["朱家角镇", 1, 1, 0, 0], ["练塘镇", 1, 0, 1, 0], ["未填街镇", 0, 0, 0, 0], ["全区", 2, 1, 1, 0]]
    ws = wb["等保过期单位（第十三条）"]
    assert rows_of(ws)[0] == ["单位", "街镇", "等级", "有效期至"]
    assert rows_of(ws)[1][:3] == [C, "练塘镇", 2] and ws["D2"].value.date().isoformat() == "2026-01-01"
    assert rows_of(wb["公文（第十二、十五、十八条）"]) == [
        ["街镇", "接入批准（第十二条）", "接入不予批准（第十二条）", "资源调整批准（第十八条）", "资源调整不予批准（第十八条）",
         "关闭链路提醒（第十五条）", "关闭链路（第十五条）", "拆除链路（第十八条）", "未登记送达"],
        ["朱家角镇", 1, 0, 1, 0, 0, 0, 0, 2], ["练塘镇", 2, 0, 0, 0, 0, 1, 0, 3], ["未填街镇", 0, 1, 0, 0, 0, 0, 0, 1],
        ["全区", 3, 1, 1, 0, 0, 1, 0, 6]]
    fixes = expected_json()["proposals"]
    assert rows_of(wb["改进建议（第二十四条）"]) == [["序号", "街镇", "问题", "建议", "条款"]] + [
        [i, "、".join(p["towns"]), p["finding"], p["proposal"], art]
        for i, (p, art) in enumerate(zip(fixes, ("第十二条", "第十六条", "第十三条")), 1)]


def test_the_report_document(year, tmp_path):
    from test_notices import east_asia

    ok("--today", "2026-12-31", "report", "annual", "--year", "2026", "--out", str(tmp_path))
    doc = Document(tmp_path / "annual-2026.docx")
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
    headings = [p for p in paras if p.text[:2] in ("一、", "二、", "三、", "四、", "五、", "六、", "七、")]
    assert [p.text for p in headings] == ["一、总体情况", "二、服务时限", "三、资源调整", "四、使用情况", "五、安全情况",
                                          "六、各街镇情况", "七、存在问题和改进建议"]
    assert {(east_asia(r), r.font.size.pt) for p in headings for r in p.runs} == {("黑体", 16.0)}
    body = paras[4:texts.index("特此报告。") + 1]
    assert {(east_asia(r), r.font.size.pt) for p in body if p not in headings for r in p.runs} == {
        ("仿宋_GB2312", 16.0)}
    text = "\n".join(texts)
    for part in ("根据《青浦区电子政务外网管理办法》第二十四条规定，区大数据中心对2026年度全区电子政务外网的可靠性",
                 "全年受理接入申请4件，批准3件，不予批准1件；新开通链路3条，重新开通0条，因未开展联网应用关闭1条，拆除0条；期末在用链路2条。",
                 "接入审核（第十二条）到期4件，按时3件，超时1件，按时办结率75.0%；网络接入施工（第十二条）到期3件，按时1件，超时2件，"
                 "按时办结率33.3%",
                 "链路流量监测覆盖率17.5%",
                 "练塘镇：期末在用链路1条，新开通2条，关闭1条；各类时限超时3件；流量监测覆盖率28.7%；等级保护测评过期或无记录1家。",
                 "未填街镇：期末在用链路0条，新开通0条，关闭0条；各类时限超时0件；流量监测覆盖率数据不足；",
                 "（一）网络接入施工多次超时：练塘镇2件（共2件）。建议：与该街镇及施工单位逐项排查超期原因",
                 f"（三）在网单位等级保护测评过期或无记录：练塘镇1家（{C}）。建议：",
                 "附件：2026年度电子政务外网运行评估数据表", "青浦区大数据中心\n2026年12月31日\n（联系人："):
        assert part in text, part
    for code in ("zjj-a", "lt-b", "lt-c", "agri"):
        assert code not in text


def test_too_little_data_is_null_never_100_percent(tmp_path):
    """A year without a single case: every share null, n/a in the workbook, 数据不足 in the report."""
    ok("dept", "add", DEPT)
    unit(A, "zjj-a", "朱家角镇", DEPT, "青浦区朱家角镇张马村1号")
    r = ok("--today", "2026-06-30", "report", "annual", "--year", "2026", "--json").json()
    assert r["partial"] is True and r["period"] == {"from": "2026-01-01", "to": "2026-06-30"}
    assert [(x["clock"], x["due"], x["share"]) for x in r["sections"]["on_time"]["district"]] == [
        ("review", 0, None), ("construction", 0, None), ("change_review", 0, None), ("change_execution", 0, None)]
    assert r["sections"]["usage"]["district"]["coverage"] is None
    assert r["proposals"] == []
    res = ok("--today", "2026-06-30", "report", "annual", "--year", "2026", "--out", str(tmp_path))
    assert res.err.splitlines() == [f"wrote 23 rows to {tmp_path / 'annual-2026.xlsx'}",
                                    f"wrote {tmp_path / 'annual-2026.docx'}",
                                    "Warning: 2026 is not over: figures up to 2026-06-30", "no figure calls for a fix"]
    wb = load_workbook(tmp_path / "annual-2026.xlsx")
    assert [row[-1] for row in rows_of(wb["按时办结（第十二、十八条）"])[1:]] == ["n/a"] * 8
    text = "\n".join(p.text for p in Document(tmp_path / "annual-2026.docx").paragraphs)
    assert "接入审核（第十二条）本期无到期事项，按时办结率数据不足" in text
    assert "（2026年1月1日至2026年6月30日，年度尚未结束）" in text
    assert "本期各项指标未发现需要专项整改的问题。" in text


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
    issued = _home / "notices" / "2026" / "2026-0007-annual_report.docx"
    assert r.err.splitlines()[:2] == [f"wrote 45 rows to {tmp_path / 'annual-2026.xlsx'}",
                                      f"issued 青数〔2026〕7号: {issued}, copied to {tmp_path / 'annual-2026.docx'}"]
    assert issued.read_bytes() == (tmp_path / "annual-2026.docx").read_bytes()
    doc = Document(issued)
    paras = [p for p in doc.paragraphs if p.text]
    assert [p.text for p in paras[:5]] == ["青浦区大数据中心文件", "青数〔2026〕7号", "关于2026年度电子政务外网",
                                           "运行评估情况的报告", "区政务服务办公室："]
    assert border(paras[1], "bottom") == ("single", "FF0000")
    rows = [n for n in ok("notice", "list", "--json").json() if n["kind"] == "annual_report"]
    assert [(n["no"], n["label"], n["article"], n["main_to"], n["copy_to"], n["subject"]) for n in rows] == [
        ("青数〔2026〕7号", "年度评估报告", 24, ["区政务服务办公室"], [], "report 2026")]
    assert sql("SELECT action, article FROM event WHERE object_type = 'notice' ORDER BY id DESC LIMIT 1") == [
        ("issue", 24)]
    r = fails(3, "--today", "2027-01-05", "report", "annual", "--year", "2026", "--issue", "--out", str(tmp_path))
    assert r.err == ("Error: the evaluation of 2026 was issued as 青数〔2026〕7号 on 2026-12-31 (Art. 24); to correct "
                     "it, 'egovnet notice reissue 青数〔2026〕7号 --reason TEXT'\n")
