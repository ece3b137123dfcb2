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
