"""Lay a notice out as GB/T 9704-2012 asks and save it as .docx (python-docx).

Page: A4, type area 156 x 225 mm (top margin 37 mm, binding margin 28 mm), 22 lines of 28 characters at
3号 (16 pt). Head: 发文机关标志 in red 小标宋; 文件格式: masthead 35 mm below the type area's top, 文号
centred two lines under it, a red line 4 mm under the 文号; 信函格式 (函): masthead in the first page's
header with a red double line (thick over thin, 170 mm) under it and another (thin over thick) at the page's
foot, 文号 flush right on the first line, no page number on the first page, and a 版记 of 抄送 alone. Body: title 2号 小标宋 centred; 主送 flush left with a full-width colon;
paragraphs 3号 仿宋 indented two characters; 署名 and 成文日期 without a seal; 附注 in brackets. End (版记, 文件格式):
抄送 and 印发机关/印发日期 in 4号 仿宋 between black lines (thick, thin, thick). Page numbers 4号 Song
`— 1 —`, odd pages right and even pages left, one character in.

Fonts are named as government PCs have them, on the East Asian attribute (w:eastAsia) of every run, with
the usual fallbacks declared in the font table (w:altName): 方正小标宋简体 -> 小标宋, 仿宋_GB2312 -> 仿宋.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from egovnet.notices.context import cn_date
from egovnet.notices.render import Text

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
SONG_FONT = "宋体"
HEI_FONT = "黑体"
_HEADING = re.compile(r"[一二三四五六七八九十]+、[^。；，：]{1,20}")
LATIN_FONT = "Times New Roman"
FALLBACKS = {TITLE_FONT: "小标宋", BODY_FONT: "仿宋", SONG_FONT: "SimSun"}
RED = "FF0000"

# mm of the standard
PAGE_W, PAGE_H = 210, 297
TOP, LEFT, AREA_W, AREA_H = 37, 28, 156, 225
LINES, CHARS = 22, 28
BODY_PT, TITLE_PT, SMALL_PT = 16, 22, 14          # 3号, 2号, 4号

TWIPS_PER_MM = 1440 / 25.4
LINE_PITCH = int(AREA_H * TWIPS_PER_MM / LINES)   # 579 twips: 22 lines in 225 mm
# 28 characters in 156 mm is 15.79 pt a character: 3号 (16 pt) condensed by 0.25 pt (w:spacing, in 1/20 pt).
# Not a character grid (docGrid linesAndChars with a negative w:charSpace): LibreOffice then gives every
# character wider than a cell two cells, 14 characters a line (measured: rendered to PDF and counted).
CONDENSE_TWENTIETHS = -5


@dataclass(frozen=True)
class Head:
    """What the layout needs beyond the text: issuer, format, number, dates and contact."""

    issuer: str            # 署名
    masthead: str          # 发文机关标志 (without 文件)
    format: str            # letter | file
    doc_no: str            # 发文字号
    issued_on: object      # 成文日期 (date)
    contact_person: str
    contact_phone: str
    printed_by: str        # 印发机关


# A notice's runs and paragraphs take a handful of formats; each format's XML (w:rPr, w:pPr) is made once per
# process with python-docx as below and copied into every run or paragraph that uses it (making it afresh was a
# fifth of a notice's time).
_formats: dict[tuple, object] = {}


def _copy_format(element, key: tuple, make) -> None:
    import copy

    made = _formats.get(key)
    if made is None:
        made = _formats[key] = make()
    element.insert(0, copy.deepcopy(made))


def _fonts(run, east_asia: str, size_pt: float, *, color: str | None = None, bold: bool = False) -> None:
    if run._element.rPr is not None:
        return _set_fonts(run, east_asia, size_pt, color=color, bold=bold)

    def make():
        from docx.oxml import OxmlElement
        from docx.text.run import Run

        scratch = Run(OxmlElement("w:r"), None)
        _set_fonts(scratch, east_asia, size_pt, color=color, bold=bold)
        return scratch._element.rPr

    _copy_format(run._element, ("r", east_asia, size_pt, color, bold), make)


def _set_fonts(run, east_asia: str, size_pt: float, *, color: str | None = None, bold: bool = False) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    run.font.size = Pt(size_pt)
    run.font.name = LATIN_FONT          # ascii/hAnsi: Arabic numerals and Latin letters
    r_fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    r_fonts.set(qn("w:eastAsia"), east_asia)
    r_fonts.set(qn("w:hint"), "eastAsia")
    run.font.bold = bold
    if color:
        run.font.color.rgb = RGBColor.from_string(color)


def _border(paragraph, side: str, *, val: str = "single", size_eighths: int = 8, color: str = "000000",
            space_pt: int = 1) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    p_pr = paragraph._element.get_or_add_pPr()
    bdr = p_pr.find(qn("w:pBdr"))
    if bdr is None:
        bdr = OxmlElement("w:pBdr")
        # pBdr comes before shd, tabs, spacing, ind, jc ... in CT_PPr's sequence
        after = {qn(f"w:{t}") for t in ("shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap",
                                         "overflowPunct", "topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi",
                                         "adjustRightInd", "snapToGrid", "spacing", "ind", "contextualSpacing",
                                         "mirrorIndents", "suppressOverlap", "jc", "textDirection", "textAlignment",
                                         "textboxTightWrap", "outlineLvl", "divId", "cnfStyle", "rPr", "sectPr",
                                         "pPrChange")}
        anchor = next((c for c in p_pr if c.tag in after), None)
        anchor.addprevious(bdr) if anchor is not None else p_pr.append(bdr)
    edge = OxmlElement(f"w:{side}")
    for key, value in (("val", val), ("sz", str(size_eighths)), ("space", str(space_pt)), ("color", color)):
        edge.set(qn(f"w:{key}"), value)
    order = ["top", "left", "bottom", "right"]
    later = [c for c in bdr if c.tag.split("}")[1] in order[order.index(side) + 1:]]
    later[0].addprevious(edge) if later else bdr.append(edge)


def _chars(paragraph, *, first_line: int = 0, left: int = 0, right: int = 0) -> None:
    """Indents in characters (w:firstLineChars etc., hundredths of a character), with the twips Word falls back
    to at 3号."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    p_pr = paragraph._element.get_or_add_pPr()
    ind = p_pr.find(qn("w:ind"))
    if ind is None:
        ind = OxmlElement("w:ind")
        jc = p_pr.find(qn("w:jc"))
        jc.addprevious(ind) if jc is not None else p_pr.append(ind)
    for name, n in (("firstLine", first_line), ("left", left), ("right", right)):
        if n:
            ind.set(qn(f"w:{name}Chars"), str(n * 100))
            ind.set(qn(f"w:{name}"), str(n * BODY_PT * 20))


def _para(doc, text: str = "", *, font: str = BODY_FONT, size: float = BODY_PT, align: str | None = None,
          color: str | None = None, first_line: int = 0, left: int = 0, right: int = 0, before_pt: float = 0,
          exact_pt: float | None = None):
    p = doc.add_paragraph()

    def make():
        from docx.oxml import OxmlElement
        from docx.text.paragraph import Paragraph

        scratch = Paragraph(OxmlElement("w:p"), None)
        _set_para(scratch, align, before_pt, exact_pt, first_line, left, right)
        return scratch._p.pPr

    _copy_format(p._p, ("p", align, before_pt, exact_pt, first_line, left, right), make)
    if text:
        _fonts(p.add_run(text), font, size, color=color)
    return p


def _set_para(p, align, before_pt, exact_pt, first_line, left, right) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.shared import Pt

    if align:
        p.alignment = {"center": WD_ALIGN_PARAGRAPH.CENTER, "right": WD_ALIGN_PARAGRAPH.RIGHT,
                       "left": WD_ALIGN_PARAGRAPH.LEFT, "justify": WD_ALIGN_PARAGRAPH.JUSTIFY}[align]
    fmt = p.paragraph_format
    fmt.space_before, fmt.space_after = Pt(before_pt), Pt(0)
    if exact_pt:
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = Pt(exact_pt)
    _chars(p, first_line=first_line, left=left, right=right)


def _page_number(paragraph) -> None:
    """— PAGE — in 4号 Song (half-width Arabic numerals)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    _fonts(paragraph.add_run("— "), SONG_FONT, SMALL_PT)
    fld = OxmlElement("w:fldSimple")
    fld.set(qn("w:instr"), "PAGE")
    run = paragraph.add_run("1")
    _fonts(run, SONG_FONT, SMALL_PT)
    run._element.addprevious(fld)
    fld.append(run._element)
    _fonts(paragraph.add_run(" —"), SONG_FONT, SMALL_PT)


def _footer(footer, side: str) -> None:
    p = footer.paragraphs[0]
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    p.alignment = WD_ALIGN_PARAGRAPH.RIGHT if side == "right" else WD_ALIGN_PARAGRAPH.LEFT
    _chars(p, **({"right": 1} if side == "right" else {"left": 1}))
    _page_number(p)


def _wide(paragraph) -> None:
    """信函格式's red double lines are 170 mm long, centred: 7 mm beyond the 156 mm type area on each side."""
    from docx.shared import Mm

    paragraph.paragraph_format.left_indent = paragraph.paragraph_format.right_indent = Mm(-7)


def _grid(section) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    sect = section._sectPr
    grid = sect.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        sect.append(grid)
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(LINE_PITCH))


def _default_style(doc) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    style = doc.styles["Normal"]
    style.font.size = Pt(BODY_PT)
    style.font.name = LATIN_FONT
    r_pr = style.element.get_or_add_rPr()
    r_pr.get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)
    from docx.oxml import OxmlElement

    spacing = OxmlElement("w:spacing")       # CT_RPr: after color, before w/kern/position/sz
    spacing.set(qn("w:val"), str(CONDENSE_TWENTIETHS))
    size = r_pr.find(qn("w:sz"))
    size.addprevious(spacing) if size is not None else r_pr.append(spacing)
    fmt = style.paragraph_format
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.line_spacing = Pt(LINE_PITCH / 20)


def _font_table(doc) -> None:
    """Declare the standard's fonts with their fallbacks (w:altName) so that a PC without 方正小标宋简体 or
    仿宋_GB2312 uses 小标宋 / 仿宋 rather than the default font."""
    from lxml import etree

    part = next(rel.target_part for rel in doc.part.rels.values() if rel.reltype.endswith("/fontTable"))
    root = etree.fromstring(part.blob)
    ns = root.nsmap.get("w") or "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    for name, alt in FALLBACKS.items():
        font = etree.SubElement(root, f"{{{ns}}}font")
        font.set(f"{{{ns}}}name", name)
        etree.SubElement(font, f"{{{ns}}}altName").set(f"{{{ns}}}val", alt)
        etree.SubElement(font, f"{{{ns}}}charset").set(f"{{{ns}}}val", "86")   # GB2312
        etree.SubElement(font, f"{{{ns}}}family").set(f"{{{ns}}}val", "modern" if name == BODY_FONT else "roman")
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


_page = None


def _blank_page():
    """A copy of the page every notice starts from: python-docx's default document with the standard's style,
    fonts, page, grid and page numbers set. Made once per process and copied for each notice (a wave of
    thousands of approvals writes one notice each; reading the default document and setting the page up again
    was a third of each notice's time)."""
    import copy

    global _page
    if _page is None:
        _page = _setup_page().part.package
    # the whole package is copied and the document taken from the copy: each part owns its XML, which a copy
    # of the Document object alone would duplicate apart from the part it saves
    return copy.deepcopy(_page).main_document_part.document


def _setup_page():
    from docx import Document
    from docx.shared import Mm

    doc = Document()
    _default_style(doc)
    _font_table(doc)
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(PAGE_W), Mm(PAGE_H)
    section.top_margin, section.left_margin = Mm(TOP), Mm(LEFT)
    section.right_margin = Mm(PAGE_W - LEFT - AREA_W)
    section.bottom_margin = Mm(PAGE_H - TOP - AREA_H)
    section.footer_distance = Mm(23)      # the page number 7 mm below the type area
    section.header_distance = Mm(30)      # 信函格式: the masthead's top 30 mm from the page's top
    _grid(section)
    doc.settings.odd_and_even_pages_header_footer = True
    _footer(section.footer, "right")
    _footer(section.even_page_footer, "left")
    body = doc.paragraphs[0]._element if doc.paragraphs else None
    if body is not None:
        body.getparent().remove(body)
    return doc


def build(text: Text, head: Head):
    """The python-docx Document of one notice."""
    from docx.enum.text import WD_TAB_ALIGNMENT
    from docx.shared import Mm, Pt

    doc = _blank_page()
    props = doc.core_properties   # the file's own properties name the issuer, not the library
    props.title, props.author, props.last_modified_by, props.comments = text.title, head.issuer, head.issuer, ""
    props.subject, props.keywords = head.doc_no, head.doc_no
    section = doc.sections[0]
    line = LINE_PITCH / 20

    if head.format == "letter":
        section.different_first_page_header_footer = True
        mast = section.first_page_header.paragraphs[0]
        from docx.enum.text import WD_ALIGN_PARAGRAPH

        mast.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _fonts(mast.add_run(head.masthead), TITLE_FONT, 26, color=RED)
        _border(mast, "bottom", val="thickThinSmallGap", size_eighths=24, color=RED, space_pt=11)  # 4 mm under
        _wide(mast)
        # the first page shows no page number; a red double line (thin over thick) 20 mm above the page's foot
        foot = section.first_page_footer.paragraphs[0]
        _border(foot, "top", val="thinThickSmallGap", size_eighths=24, color=RED, space_pt=1)
        _wide(foot)
        _para(doc, head.doc_no, align="right", exact_pt=line)      # 顶格居版心右边缘
    else:
        # 文件格式: masthead 35 mm below the type area's top, 文号 two lines under it, red line 4 mm under that
        _para(doc, f"{head.masthead}文件", font=TITLE_FONT, size=36, align="center", color=RED,
              before_pt=35 / 25.4 * 72 - line, exact_pt=48)
        _para(doc, exact_pt=line)
        _para(doc, exact_pt=line)
        no = _para(doc, head.doc_no, align="center", exact_pt=line)
        _border(no, "bottom", val="single", size_eighths=16, color=RED, space_pt=11)
    _para(doc, exact_pt=line)   # the title two lines under the red line (文件格式) or the number (信函格式)
    _para(doc, exact_pt=line)
    for piece in _title_lines(text.title):
        _para(doc, piece, font=TITLE_FONT, size=TITLE_PT, align="center", exact_pt=line + 4)
    _para(doc, exact_pt=line)
    _para(doc, "、".join(text.main_to) + "：", exact_pt=line)
    for paragraph in text.body:
        # 结构层次序数 (GB/T 9704-2012 7.3.3): a first-level heading 一、 on a line of its own in 黑体
        heading = bool(_HEADING.fullmatch(paragraph))
        _para(doc, paragraph, font=HEI_FONT if heading else BODY_FONT, align="justify", first_line=2, exact_pt=line)
    if text.attachments:
        _para(doc, exact_pt=line)
        for i, name in enumerate(text.attachments, 1):
            label = "附件：" if i == 1 else "　　　"
            numbered = f"{i}. {name}" if len(text.attachments) > 1 else name
            _para(doc, label + numbered, first_line=2 if i == 1 else 0, left=0 if i == 1 else 2, exact_pt=line)
    # 署名 two characters from the right; 成文日期 starting two characters right of the 署名's first character.
    # Both set flush right with right indents, so that wider digits in a substitute font move the date's start
    # instead of wrapping it; kept on one page with the 附注.
    _para(doc, exact_pt=line).paragraph_format.keep_with_next = True
    date_text = cn_date(head.issued_on)
    signer = _para(doc, head.issuer, align="right", right=2, exact_pt=line)
    date_indent = max(round(_width(head.issuer) - _width(date_text)), 0)
    date = _para(doc, date_text, align="right", right=date_indent, exact_pt=line)
    for p in (signer, date):
        p.paragraph_format.keep_with_next = True
    _para(doc, f"（联系人：{head.contact_person}，电话：{head.contact_phone}）", first_line=2, exact_pt=line)

    # 版记: thick line, 抄送, thin line, 印发机关 and 印发日期, thick line; 信函格式: 抄送 alone, no lines
    _para(doc, exact_pt=line)
    if head.format == "letter":
        if text.copy_to:
            cc = _para(doc, "抄送：" + "、".join(text.copy_to) + "。", size=SMALL_PT, exact_pt=line)
            cc.paragraph_format.left_indent = cc.paragraph_format.right_indent = Pt(SMALL_PT)
        return doc
    if text.copy_to:
        cc = _para(doc, "抄送：" + "、".join(text.copy_to) + "。", size=SMALL_PT, exact_pt=line)
        cc.paragraph_format.left_indent = cc.paragraph_format.right_indent = Pt(SMALL_PT)
        _border(cc, "top", size_eighths=8)
        _border(cc, "bottom", size_eighths=4)
    printed = _para(doc, size=SMALL_PT, exact_pt=line)
    printed.paragraph_format.left_indent = Pt(SMALL_PT)
    printed.paragraph_format.tab_stops.add_tab_stop(Mm(AREA_W) - Pt(SMALL_PT), WD_TAB_ALIGNMENT.RIGHT)
    _fonts(printed.add_run(f"{head.printed_by}\t{cn_date(head.issued_on)}印发"), BODY_FONT, SMALL_PT)
    if not text.copy_to:
        _border(printed, "top", size_eighths=8)
    _border(printed, "bottom", size_eighths=8)
    return doc


def _width(text: str) -> float:
    """Width in 3号 characters: full-width characters one, ASCII digits and letters half."""
    return sum(0.5 if ord(ch) < 128 else 1 for ch in text)


def _title_lines(title: str) -> list[str]:
    """A long title breaks into a trapezoid or diamond, never inside a word: the template marks the breaks with
    ' / ' (a machine cannot tell where a Chinese name ends); without marks Word wraps the one paragraph."""
    return [p.strip() for p in title.split(" / ") if p.strip()] or [title]


def save(doc, path: Path) -> Path:
    """Write atomically (temp file, rename) with 0640: a notice names people and places."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    doc.save(tmp)
    os.chmod(tmp, 0o640)
    os.replace(tmp, path)
    return path


def plain_text(text: Text, head: Head) -> str:
    """The notice as plain text, for `egovnet notice show`."""
    lines = [head.masthead + ("" if head.format == "letter" else "文件"), head.doc_no, "", *_title_lines(text.title), "",
             "、".join(text.main_to) + "：", *("　　" + p for p in text.body)]
    if text.attachments:
        lines += ["", "　　附件：" + "；".join(text.attachments)]
    lines += ["", head.issuer, cn_date(head.issued_on),
              f"　　（联系人：{head.contact_person}，电话：{head.contact_phone}）", ""]
    if text.copy_to:
        lines.append("抄送：" + "、".join(text.copy_to) + "。")
    if head.format != "letter":
        lines.append(f"{head.printed_by}　{cn_date(head.issued_on)}印发")
    return "\n".join(lines)
