"""egovnet report annual: the annual evaluation (年度评估, Art. 24) as a workbook, a report document and JSON."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from egovnet import output
from egovnet.commands._common import JSON_OPT, services
from egovnet.output import Column, Section

NA = "n/a"


def annual(
    ctx: typer.Context,
    year: int = typer.Option(..., "--year", help="The year evaluated (a year not over yet: up to today)."),
    out: Optional[str] = typer.Option(None, "--out", metavar="DIR",
                                      help="Folder for annual-YEAR.xlsx and annual-YEAR.docx; default "
                                           "EGOVNET_HOME/reports/YEAR (with --json: no files unless given)."),
    issue: bool = typer.Option(False, "--issue", help="Number the report from the notices register (发文字号) "
                                                       "and record it (role bdc; once a year, after the year)."),
    as_json: bool = JSON_OPT,
) -> None:
    """The annual evaluation (Art. 24), per town (街镇) and for the district, from the record only.

    Links, deadlines met on time per clock, resource changes, use, security and notices, and the fixes the
    figures call for. Writes a workbook (one sheet per section) and the report to the Office (报告, GB/T 9704):
    unnumbered, a draft to sign off; with --issue numbered from the notices register and recorded. A figure with
    too little data is n/a (JSON null), never 100% of nothing.

    Example: egovnet report annual --year 2026 --out reports/
    """
    from egovnet.errors import EgovnetError
    from egovnet.services.annual import build, issue as issue_report, write_document
    from egovnet.services.history import require_intact_log

    c = services(ctx)
    require_intact_log(c)  # the evaluation reads the event log (activations, closures, drift): never a rewritten one
    report = build(c, year)
    if as_json and out is None and not issue:
        output.emit_json(report)
        return
    folder = Path(out) if out is not None else Path(c.home) / "reports" / str(year)
    if out is None:
        folder.mkdir(parents=True, exist_ok=True)
    elif not folder.is_dir():
        raise EgovnetError(f"--out {out} is not a folder; create it or name another (the report is two files)")
    xlsx, docx = folder / f"annual-{year}.xlsx", folder / f"annual-{year}.docx"
    if issue:
        row = issue_report(c, report, docx)    # refused before anything is written when it may not be issued
        output.write_sections(sheets(report), output.Target(output.Format.xlsx, str(xlsx)))
        output.message(f"issued {row['no']}: {row['docx']}, copied to {docx}")
    else:
        output.write_sections(sheets(report), output.Target(output.Format.xlsx, str(xlsx)))
        write_document(c, report, docx)
        output.message(f"wrote {docx}")
    if report["partial"]:
        output.warn(f"{year} is not over: figures up to {report['period']['to']}")
    if as_json:
        output.emit_json(report)
        return
    output.table([_clock_row(r) for r in report["sections"]["on_time"]["district"]], ON_TIME[1:],
                 title=f"deadlines met on time, {report['period']['from']} .. {report['period']['to']} (全区)")
    output.table(_fixes(report), FIX_COLUMNS,
                 title="proposed fixes (Art. 24)", empty="no figure calls for a fix")


def _pct(value):
    return NA if value is None else round(value * 100, 1)


def _gb(n: int) -> float:
    return round(n / 1e9, 3)


def _with_district(section: dict, fix=lambda r: r) -> list[dict]:
    return [fix(r) for r in section["by_town"]] + [fix(section["district"])]


def _clock_row(r: dict) -> dict:
    return {**r, "article": f"第{_cn(r['article'])}条", "share": _pct(r["share"])}


def _cn(n: int) -> str:
    from egovnet.notices.context import cn_number

    return cn_number(n)


LINKS = [Column("town", "街镇"), Column("applications", "受理接入申请", "right"), Column("approved", "批准", "right"),
         Column("rejected", "不予批准", "right"), Column("opened", "新开通链路", "right"),
         Column("reopened", "重新开通", "right"), Column("closed_idle", "闲置关闭", "right"),
         Column("decommissioned", "拆除", "right"), Column("active_at_end", "期末在用链路", "right")]
ON_TIME = [Column("town", "街镇"), Column("label", "时限"), Column("article", "条款"),
           Column("cases", "统计件数", "right"), Column("met", "按时", "right"), Column("late", "超时", "right"),
           Column("share", "按时办结率（%）", "right")]
CHANGES = [Column("town", "街镇"), Column("requests", "受理调整申请", "right"), Column("approved", "批准", "right"),
           Column("rejected", "不予批准", "right"), Column("applied", "已实施", "right"),
           Column("raised", "提高带宽", "right"), Column("lowered", "降低带宽", "right"),
           Column("released", "退出共用链路", "right")]
USAGE = [Column("town", "街镇"), Column("links_open", "期内开通链路", "right"),
         Column("links_used", "有联网应用链路", "right"), Column("days_measured", "有流量记录链路日", "right"),
         Column("days_open", "开通链路日", "right"), Column("coverage", "监测覆盖率（%）", "right"),
         Column("gb_in", "上行（GB）", "right"), Column("gb_out", "下行（GB）", "right"),
         Column("idle_warnings", "关闭提醒", "right"), Column("idle_closures", "关闭通知", "right")]
SECURITY = [Column("town", "街镇"), Column("units_connected", "在网单位", "right"),
            Column("mlps_expired", "等保测评过期", "right"), Column("mlps_missing", "无等保测评记录", "right"),
            Column("mlps_due", "等保测评即将到期", "right"), Column("bdc_check_overdue", "安全检查逾期", "right"),
            Column("bdc_check_missing", "未做安全检查", "right"),
            Column("risk_assessment_overdue", "风险评估逾期", "right"),
            Column("risk_assessment_missing", "无风险评估记录", "right"),
            Column("fail_without_follow_up", "不合格未复查", "right"), Column("bdc_checks", "期内安全检查", "right"),
            Column("mlps_assessments", "期内等保测评", "right"), Column("risk_assessments", "期内风险评估", "right"),
            Column("failed", "期内不合格", "right")]
FINDINGS = {"mlps_expired": "等保测评过期", "mlps_missing": "无等保测评记录", "bdc_check_overdue": "安全检查逾期",
            "bdc_check_missing": "未做安全检查", "risk_assessment_overdue": "风险评估逾期",
            "risk_assessment_missing": "无风险评估记录", "fail_without_follow_up": "检查不合格未复查"}
SECURITY_UNITS = [Column("unit", "单位"), Column("town", "街镇"), Column("finding", "问题"), Column("last", "上次"),
                  Column("due", "到期"), Column("article", "条款")]
AVAILABILITY = [Column("town", "街镇"), Column("links", "在网链路", "right"), Column("samples", "监测采样", "right"),
                Column("down_samples", "中断采样", "right"), Column("monitored_pct", "监测可用率（%）", "right"),
                Column("outage_tickets", "中断工单", "right"), Column("unplanned_minutes", "非计划中断（分钟）", "right"),
                Column("planned_minutes", "报备维护（分钟）", "right"),
                Column("ticket_pct", "按工单可用率（%）", "right")]
LINK_AVAILABILITY = [Column("link", "链路", "right"), Column("town", "街镇"), Column("units", "接入单位", fmt="、".join),
                     Column("address", "地址"), Column("samples", "监测采样", "right"),
                     Column("down_samples", "中断采样", "right"), Column("monitored_pct", "监测可用率（%）", "right"),
                     Column("outage_tickets", "中断工单", "right"),
                     Column("unplanned_minutes", "非计划中断（分钟）", "right"),
                     Column("planned_minutes", "报备维护（分钟）", "right"),
                     Column("ticket_pct", "按工单可用率（%）", "right")]
FAULTS = [Column("town", "街镇"), Column("tickets", "故障报修", "right"), Column("p1", "一级", "right"),
          Column("p2", "二级", "right"), Column("p3", "三级", "right"), Column("outages", "造成中断", "right"),
          Column("resolved", "已修复", "right"), Column("mean_respond_minutes", "平均响应（分钟）", "right"),
          Column("mean_restore_minutes", "平均修复（分钟）", "right")]
SATURATION = [Column("link", "链路", "right"), Column("town", "街镇"), Column("units", "接入单位", fmt="、".join),
              Column("utilisation_pct", "带宽利用率（95百分位，%）", "right"), Column("threshold", "上限（%）", "right"),
              Column("finding", "判断")]
DRIFT = [Column("town", "街镇"), Column("found", "发现配置偏离", "right"), Column("resolved", "已纠正", "right"),
         Column("open_at_end", "期末未纠正", "right")]
INCIDENTS = [Column("town", "街镇"), Column("incidents", "安全事件（断开连接）", "right"),
             Column("units_cut_off", "涉及单位", "right"), Column("reconnected", "已恢复连接", "right"),
             Column("cut_off_at_end", "期末仍断开", "right"), Column("criticisms", "通报批评", "right")]
FIX_COLUMNS = [Column("no", "序号", "right"), Column("towns", "街镇", fmt="、".join), Column("finding", "问题"),
               Column("proposal", "建议"), Column("article", "条款")]
SUMMARY = [Column("item", "项目"), Column("value", "内容")]


def _notice_columns() -> list[Column]:
    from egovnet.notices.context import KIND_ARTICLES, KIND_LABELS

    return [Column("town", "街镇")] + [Column(k, f"{KIND_LABELS[k]}（第{_cn(a)}条）", "right")
                                      for k, a in KIND_ARTICLES.items() if k != "annual_report"] + \
        [Column("deliveries_missing", "未登记送达", "right")]


def sheets(report: dict) -> list[Section]:
    """One sheet per section, Chinese names with the article; each town a row, the district (全区) last."""
    sec = report["sections"]
    summary = [{"item": "评估年度", "value": report["year"]},
               {"item": "统计期间", "value": f"{report['period']['from']} 至 {report['period']['to']}"},
               {"item": "全年数据", "value": "否（年度尚未结束）" if report["partial"] else "是"},
               {"item": "街镇", "value": "、".join(report["towns"]) or NA},
               {"item": "依据", "value": "《青浦区电子政务外网管理办法》第二十四条"}]
    on_time = [_clock_row(r) for r in sec["on_time"]["by_town"] + sec["on_time"]["district"]]
    usage = _with_district(sec["usage"], lambda r: {**r, "coverage": _pct(r["coverage"]), "gb_in": _gb(r["bytes_in"]),
                                                    "gb_out": _gb(r["bytes_out"])})
    findings = [{**u, "finding": FINDINGS.get(u["finding"], u["finding"]), "article": f"第{_cn(u['article'])}条"}
                for u in sec["security"]["units"]]
    saturated = [{**r, "finding": "超过上限" if r["finding"] == "saturated" else "接近饱和"}
                 for r in sec["usage"]["saturation"]]
    return [Section("概况（第二十四条）", summary, SUMMARY),
            Section("链路（第十二、十四、十五条）", _with_district(sec["links"]), LINKS),
            Section("可用性（第十六、十七条）", _with_district(sec["availability"], _na), AVAILABILITY),
            Section("链路可用性（第十六、十七条）", [_na(r) for r in sec["availability"]["links"]], LINK_AVAILABILITY),
            Section("故障处理（第十七条）", _with_district(sec["faults"], _na), FAULTS),
            Section("按时办结（第十二、十七、十八条）", on_time, ON_TIME),
            Section("资源调整（第十八条）", _with_district(sec["changes"]), CHANGES),
            Section("使用（第十五、十六条）", usage, USAGE),
            Section("带宽饱和（第十六、十八条）", saturated, SATURATION),
            Section("安全（第十三、二十一条）", _with_district(sec["security"]), SECURITY),
            Section("安全问题单位（第十三、二十一条）", findings, SECURITY_UNITS),
            Section("配置偏离（第二十二条）", _with_district(sec["drift"]), DRIFT),
            Section("安全事件（第二十三、二十六条）", _with_district(sec["incidents"]), INCIDENTS),
            Section("公文（第十二、十五、十八、二十三、二十六条）", _with_district(sec["notices"]), _notice_columns()),
            Section("改进建议（第二十四条）", _fixes(report), FIX_COLUMNS)]


def _na(row: dict) -> dict:
    """A figure with too little data (None) as n/a; counts stay numbers."""
    return {k: NA if v is None else v for k, v in row.items()}


def _fixes(report: dict) -> list[dict]:
    return [{**p, "no": i, "article": f"第{_cn(p['article'])}条"} for i, p in enumerate(report["proposals"], 1)]
