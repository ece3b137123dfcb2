"""Written notices (书面通知): formal Chinese, citing the article, saved as .docx (python-docx) and Markdown."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

REGULATION = "《青浦区电子政务外网管理办法》"
ART15 = ("接入单位在政务外网网络开通后 3 个月内未开展联网应用的，区大数据中心有权关闭其接入链路，"
         "并书面通知接入单位及其相关业务主管部门。接入单位申请重新开通的，应重新申请并说明理由。")


def cn_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def idle_closure_text(*, recipient: str, unit: str, code: str, link_id: int, address: str, opened_on: dt.date,
                      limit_on: dt.date, closed_on: dt.date, months: int) -> tuple[str, list[str]]:
    """Title and paragraphs of the notice of an idle link's closure (第十五条)."""
    title = "关于关闭电子政务外网接入链路的书面通知"
    paragraphs = [
        f"{recipient}：",
        f"根据{REGULATION}第十五条“{ART15}”的规定，经区大数据中心核查，{unit}（单位代码：{code}）"
        f"位于{address or '（地址未登记）'}的电子政务外网接入链路（链路编号：L{link_id}）于{cn_date(opened_on)}开通，"
        f"至{cn_date(limit_on)}开通满{months}个月，期间未监测到联网应用流量。",
        f"区大数据中心已于{cn_date(closed_on)}关闭该接入链路。",
        "如需重新开通，请由业务主管部门重新提交接入申请并说明理由，区大数据中心将按第十二条规定的时限审核办理。",
        "特此通知。",
    ]
    return title, paragraphs


ART18 = ("接入单位网络资源需求发生变更的或者部分链路不再使用的，应向区大数据中心提交书面申请。原则上，区大数据中心应在5个"
         "工作日内完成审核，审核通过后，在10个工作日内完成网络资源调配工作。")


def decommission_text(*, recipient: str, unit: str, code: str, link_id: int, address: str, opened_on: dt.date | None,
                      closed_on: dt.date, reason: str) -> tuple[str, list[str]]:
    """Title and paragraphs of the notice that a link was taken down and its resources returned (第十八条, 第二十五条)."""
    title = "关于拆除电子政务外网接入链路的书面通知"
    opened = f"于{cn_date(opened_on)}开通的" if opened_on else ""
    paragraphs = [
        f"{recipient}：",
        f"根据{REGULATION}第十八条“{ART18}”的规定，{unit}（单位代码：{code}）位于{address or '（地址未登记）'}、"
        f"{opened}电子政务外网接入链路（链路编号：L{link_id}）不再使用。拆除事由：{reason}。",
        f"区大数据中心已于{cn_date(closed_on)}拆除该链路在接入设备上的全部配置，收回其端口、VLAN 和 IP 地址资源；"
        f"依照第二十五条，该链路的政务外网服务费用计至{cn_date(closed_on)}。",
        "如今后需要接入政务外网，请由业务主管部门按第十条、第十一条的规定重新提交接入申请。",
        "特此通知。",
    ]
    return title, paragraphs


def issue(s, ctx, kind: str, link, pairs, article: int, text_for) -> list[dict]:
    """Write, save and record one notice to each unit and one to its supervising department, inside the
    caller's transaction. ``text_for(recipient, unit)`` gives (title, paragraphs)."""
    from egovnet.services import events
    from egovnet.state.models import Notice

    out = []
    for unit, dept in pairs:
        for role, recipient in (("unit", unit.name), ("department", dept.name)):
            title, paragraphs = text_for(recipient, unit)
            docx, md = write_notice(ctx.home, f"{kind}-L{link.id}-{unit.code}-{role}-{ctx.today:%Y%m%d}", title,
                                    paragraphs, ctx.today)
            notice = Notice(kind=kind, link_id=link.id, unit_id=unit.id, recipient=recipient, recipient_role=role,
                            article=article, issued_on=ctx.today, docx_path=str(docx), md_path=str(md))
            s.add(notice)
            s.flush()
            events.record(s, ctx, "notice", notice.id, "issue", role="bdc", article=article,
                          after={"kind": kind, "link_id": link.id, "recipient": recipient, "docx": str(docx)})
            out.append({"recipient": recipient, "role": role, "docx": str(docx), "md": str(md)})
    return out


def write_notice(home: Path, name: str, title: str, paragraphs: list[str], issued_on: dt.date) -> tuple[Path, Path]:
    """Save the notice as .docx and .md under EGOVNET_HOME/notices/<year>/; returns both paths."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    folder = Path(home) / "notices" / str(issued_on.year)
    folder.mkdir(parents=True, exist_ok=True)
    signature = ["青浦区大数据中心", cn_date(issued_on)]
    doc = Document()
    head = doc.add_paragraph()
    head.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = head.add_run(title)
    run.bold, run.font.size = True, Pt(16)
    for text in paragraphs:
        doc.add_paragraph(text)
    for text in signature:
        p = doc.add_paragraph(text)
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    docx_path, md_path = folder / f"{name}.docx", folder / f"{name}.md"
    doc.save(docx_path)
    md = "\n\n".join([f"# {title}", *paragraphs, *(f"<p align=\"right\">{t}</p>" for t in signature)]) + "\n"
    md_path.write_text(md, encoding="utf-8")
    for path in (docx_path, md_path):
        os.chmod(path, 0o640)
    return docx_path, md_path
