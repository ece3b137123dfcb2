"""Written notices as official documents (GB/T 9704-2012): every decision the regulation says must be told
writes one, numbered from a register without gaps, laid out as the standard asks, from an editable template."""

from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn

from egovnet.state.db import HEAD_REVISION
from conftest import APPLY_ARGS, DEPT, REPO, add_unit, fails, ok, quiet_days, run

NO = re.compile(r"^青数〔2026〕[1-9]\d*号$")
CONTACT = "（联系人：网络管理科 王工，电话：021-59700000）"
CODES = ("zjj-zhangma", "zjj-anzhuang", "zjj-xq")
UNITS = {"zjj-zhangma": "朱家角镇张马村村民委员会", "zjj-anzhuang": "朱家角镇安庄村村民委员会",
         "zjj-xq": "朱家角镇新胜村村民委员会"}


def east_asia(run) -> str | None:
    r_pr = run._element.rPr
    return None if r_pr is None or r_pr.rFonts is None else r_pr.rFonts.get(qn("w:eastAsia"))


def border(paragraph, side: str) -> tuple[str, str] | None:
    edge = paragraph._element.find(f"{qn('w:pPr')}/{qn('w:pBdr')}/{qn(f'w:{side}')}")
    return None if edge is None else (edge.get(qn("w:val")), edge.get(qn("w:color")))


def all_text(doc) -> str:
    parts = [p.text for p in doc.paragraphs]
    for section in doc.sections:
        for part in (section.first_page_header, section.header, section.footer, section.even_page_footer):
            parts += [p.text for p in part.paragraphs]
    return "\n".join(parts)


def check_official(path: str, *, main_to: list[str], copy_to: list[str], fmt: str = "letter", number=NO) -> str:
    """Everything GB/T 9704-2012 asks that python-docx can see; returns the body text."""
    doc = Document(path)
    sec = doc.sections[0]
    # A4, the standard margins (type area 156 x 225 mm), the 22 x 28 grid
    assert (round(sec.page_width.mm), round(sec.page_height.mm)) == (210, 297)
    assert tuple(round(m.mm) for m in (sec.top_margin, sec.left_margin, sec.right_margin, sec.bottom_margin)) == (
        37, 28, 26, 35)
    grid = sec._sectPr.find(qn("w:docGrid"))
    assert (grid.get(qn("w:type")), grid.get(qn("w:linePitch"))) == ("lines", "579")   # 22 lines of 28.95 pt
    normal = doc.styles["Normal"].element.rPr                 # 28 characters of 16 pt - 0.25 pt in 156 mm
    assert (normal.sz_val.pt, normal.find(qn("w:spacing")).get(qn("w:val"))) == (16.0, "-5")
    paras = [p for p in doc.paragraphs if p.text]
    texts = [p.text for p in paras]
    # masthead in red 小标宋 with the red line(s)
    if fmt == "letter":
        assert sec.different_first_page_header_footer
        mast = sec.first_page_header.paragraphs[0]
        assert mast.text == "青浦区大数据中心"
        assert border(mast, "bottom") == ("thickThinSmallGap", "FF0000")
        assert border(sec.first_page_footer.paragraphs[0], "top") == ("thinThickSmallGap", "FF0000")
        assert 'w:instr="PAGE"' not in sec.first_page_footer._element.xml   # 首页不显示页码
        no = paras[0]
    else:
        mast = paras[0]
        assert mast.text == "青浦区大数据中心文件"
        no = paras[1]
        assert border(no, "bottom") == ("single", "FF0000")
    assert [(east_asia(r), str(r.font.color.rgb)) for r in mast.runs] == [("方正小标宋简体", "FF0000")]
    # 文号 from the register, then the title (2号 小标宋) and 主送
    assert number.match(no.text), no.text
    at = texts.index(no.text) + 1
    end = next(i for i in range(at, len(texts)) if texts[i].endswith("："))
    assert 1 <= end - at <= 2   # the title, broken into two lines where the template says
    for title in paras[at:end]:
        assert [(east_asia(r), r.font.size.pt) for r in title.runs] == [("方正小标宋简体", 22.0)]
    assert paras[end].text == "、".join(main_to) + "："
    # body: 3号 仿宋 with the two-character first-line indent
    body = [p for p in paras if p._element.pPr.find(qn("w:ind")) is not None
            and p._element.pPr.find(qn("w:ind")).get(qn("w:firstLineChars")) == "200"]
    assert len(body) >= 3
    assert {(east_asia(r), r.font.size.pt) for p in body for r in p.runs} == {("仿宋_GB2312", 16.0)}
    # 署名, 成文日期 (no leading zeros), 附注, 抄送 in the 版记, page numbers on odd and even pages
    i = texts.index("青浦区大数据中心", texts.index(no.text))
    assert re.fullmatch(r"2026年[1-9]\d?月[1-9]\d?日", texts[i + 1]) and texts[i + 2] == CONTACT
    if copy_to:
        assert "抄送：" + "、".join(copy_to) + "。" in texts
    if fmt == "file":   # 信函格式 has no 印发机关 and 印发日期
        assert texts[-1].startswith("青浦区大数据中心综合办公室\t") and texts[-1].endswith("印发")
    else:
        assert not any(t.endswith("印发") for t in texts)
    assert doc.settings.odd_and_even_pages_header_footer
    for footer in (sec.footer, sec.even_page_footer):
        assert 'w:instr="PAGE"' in footer._element.xml
        assert "".join(t.text for t in footer._element.iter(qn("w:t"))) == "— 1 —"
    # the standard's font names with their fallbacks in the font table
    table = next(r.target_part for r in doc.part.rels.values() if r.reltype.endswith("/fontTable")).blob.decode()
    for name, alt in (("方正小标宋简体", "小标宋"), ("仿宋_GB2312", "仿宋")):
        assert re.search(rf'w:name="{name}"><w:altName w:val="{alt}"/>', table), name
    text = all_text(doc)
    for code in CODES:
        assert code not in text
    assert not re.search(r"\bL\d|链路编号|单位代码|link", text)
    return "\n".join(texts)


@pytest.fixture
def units():
    ok("dept", "add", DEPT)
    add_unit(UNITS["zjj-zhangma"], "zjj-zhangma", address="青浦区朱家角镇张马村沈太路1号")
    add_unit(UNITS["zjj-anzhuang"], "zjj-anzhuang", address="青浦区朱家角镇安庄村1号")
    add_unit(UNITS["zjj-xq"], "zjj-xq", address="青浦区朱家角镇新胜村8号")


def apply(code: str, today: str | None = None) -> int:
    pre = ["--today", today] if today else []
    return ok(*pre, "apply", "--unit", code, *APPLY_ARGS, "--json", user="dept.zhujiajiao").json()["id"]


def notices(*args) -> list[dict]:
    return ok("notice", "list", "--json", *args).json()


def test_every_decision_writes_one_official_document(units, lab, _home):
    for code in ("zjj-zhangma", "zjj-anzhuang", "zjj-xq"):
        apply(code)
    r = ok("review", "reject", "3", "--reason", "申请依据不充分，未说明联网应用", "--json", user="bdc.reviewer").json()
    assert (r["status"], r["notice"]["no"], r["notice"]["kind"]) == ("rejected", "青数〔2026〕1号", "rejection")
    ok("review", "approve", "1", user="bdc.reviewer")
    ok("review", "approve", "2", user="bdc.reviewer")
    ok("provision", "1", "2", "--yes")
    ok("change", "request", "1", "--bandwidth", "100", "--reason", "视频会议扩容", user="dept.zhujiajiao")
    ok("change", "approve", "1", user="bdc.reviewer")
    ok("change", "request", "2", "--bandwidth", "500", "--reason", "监控回传", user="dept.zhujiajiao")
    ok("change", "reject", "2", "--reason", "现有带宽已满足业务需要", user="bdc.reviewer")
    # 10 working days before 2026-12-28: both links are warned, once
    warned = ok("--today", "2026-12-14", "audit", "idle", "--json").json()["warned"]
    assert [(w["link"], w["no"]) for w in warned] == [(1, "青数〔2026〕6号"), (2, "青数〔2026〕7号")]
    assert ok("--today", "2026-12-15", "audit", "idle", "--json").json()["warned"] == []
    quiet_days(2, "2026-09-29", "2026-12-27")
    closed = ok("--today", "2026-12-28", "audit", "idle", "--close", "--yes", "--json").json()["closed"]
    assert [(c["link"], c["notices"][0]["no"]) for c in closed] == [(2, "青数〔2026〕8号")]
    ok("--today", "2026-12-28", "decommission", "1", "--reason", "村委会搬迁", "--yes")

    rows = notices()
    assert [(n["no"], n["kind"], n["main_to"], n["copy_to"], n["article"]) for n in rows] == [
        (f"青数〔2026〕{i}号", kind, [UNITS[code]], [DEPT], art) for i, (kind, code, art) in enumerate([
            ("rejection", "zjj-xq", 12), ("approval", "zjj-zhangma", 12), ("approval", "zjj-anzhuang", 12),
            ("change_approval", "zjj-zhangma", 18), ("change_rejection", "zjj-anzhuang", 18),
            ("idle_warning", "zjj-zhangma", 15), ("idle_warning", "zjj-anzhuang", 15),
            ("idle_closure", "zjj-anzhuang", 15), ("decommission", "zjj-zhangma", 18)], 1)]
    texts = {n["kind"] + str(n["id"]): check_official(n["docx"], main_to=n["main_to"], copy_to=n["copy_to"])
             for n in rows}
    assert "理由如下：申请依据不充分，未说明联网应用。" in texts["rejection1"]
    # construction due 15 working days after 09-28 across National Day and the 10-10 调休 Saturday
    assert "区大数据中心将于2026年10月23日前完成网络接入施工" in texts["approval2"]
    assert "带宽由50Mbit/s调整为100Mbit/s" in texts["change_approval4"] and "2026年10月16日前" in texts["change_approval4"]
    assert "理由如下：现有带宽已满足业务需要。" in texts["change_rejection5"]
    assert "将于2026年12月28日开通满3个月，距今10个工作日" in texts["idle_warning6"]
    assert "监测数据来源：无" in texts["idle_warning6"]
    assert ("自2026年9月29日至2026年12月27日共90天，每日流量（上行与下行合计）均未超过1 MiB" in texts["idle_closure8"])
    assert "拆除事由：村委会搬迁。" in texts["decommission9"]
    assert sorted(p.name for p in (_home / "notices" / "2026").iterdir()) == sorted(
        Path(n["docx"]).name for n in rows)


def test_review_reject_writes_the_rejection_and_a_broken_override_numbers_nothing(units, _home):
    apply("zjj-xq")
    override = _home / "notices" / "rejection.j2"
    override.parent.mkdir(parents=True)
    packaged = (REPO / "egovnet" / "notices" / "templates" / "rejection.j2").read_text(encoding="utf-8")
    for broken, what in ((packaged.replace("{{ unit.name }} / 电子", "{{ unit.name / 电子"), "TemplateSyntaxError"),
                         (packaged.replace("{{ unit.dept }}于", "{{ unit.code_name }}于"), "UndefinedError"),
                         (packaged.replace("{{ unit.name }} / 电子", "{{ ''.__class__.__mro__[1].__subclasses__() }}"),
                          "SecurityError")):
        override.write_text(broken, encoding="utf-8")
        r = fails(1, "review", "reject", "1", "--reason", "材料不全", user="bdc.reviewer")
        assert r.err.startswith(f"Error: {override}:"), r.err
        assert f"notice template rejection.j2: {what}" in r.err, r.err
        assert ok("review", "show", "1", "--json").json()["status"] == "submitted"
        assert notices() == [] and not (_home / "notices" / "2026").exists()
    # the operator's own wording is used
    override.write_text(packaged.replace("特此函复。", "如有疑问，请致电朱家角镇信息办。\n特此函复。"), encoding="utf-8")
    r = ok("review", "reject", "1", "--reason", "材料不全", "--json", user="bdc.reviewer").json()
    assert r["notice"]["no"] == "青数〔2026〕1号"
    text = check_official(r["notice"]["docx"], main_to=[UNITS["zjj-xq"]], copy_to=[DEPT])
    assert "如有疑问，请致电朱家角镇信息办。\n特此函复。" in text
    assert "理由如下：材料不全。" in text


def test_file_format_and_prefix_from_the_policy(units, tmp_path):
    policy = (tmp_path / "policies.yaml").read_text(encoding="utf-8")  # the suite's (identity: declared)
    (tmp_path / "policies.yaml").write_text(policy.replace("  formats: {}", "  formats: {rejection: file}")
                                            .replace("number_prefix: 青数", "number_prefix: 青数网"), encoding="utf-8")
    apply("zjj-xq")
    r = ok("review", "reject", "1", "--reason", "材料不全", "--json", user="bdc.reviewer").json()
    assert r["notice"]["no"] == "青数网〔2026〕1号"
    check_official(r["notice"]["docx"], main_to=[UNITS["zjj-xq"]], copy_to=[DEPT], fmt="file",
                   number=re.compile(r"^青数网〔2026〕1号$"))
    (tmp_path / "policies.yaml").write_text(policy.replace("number_prefix: 青数", "number_prefix: 青数/2"),
                                            encoding="utf-8")
    assert fails(1, "notice", "list").err.startswith("Error: policies.yaml:")


def test_reissue_and_delivery(units):
    apply("zjj-xq")
    ok("review", "reject", "1", "--reason", "材料不全", user="bdc.reviewer")
    assert fails(3, "notice", "reissue", "青数〔2026〕1号", "--reason", "x", user="dept.zhujiajiao").err.startswith(
        "Error: user 'dept.zhujiajiao' may not reissue notice")
    r = ok("--today", "2026-09-29", "notice", "reissue", "青数〔2026〕1号", "--reason", "驳回理由表述更正", "--json").json()
    assert (r["no"], r["reissue_of"], r["status"], r["issued_on"]) == ("青数〔2026〕2号", "青数〔2026〕1号", "issued",
                                                                       "2026-09-29")
    text = check_official(r["docx"], main_to=[UNITS["zjj-xq"]], copy_to=[DEPT])
    assert "本文件更正并替代青数〔2026〕1号（2026年9月28日印发），原文件作废。更正事由：驳回理由表述更正。" in text
    old = ok("notice", "show", "2026-1", "--json").json()
    assert (old["status"], old["superseded_by"]) == ("superseded", "青数〔2026〕2号")
    assert fails(3, "notice", "reissue", "2026-1", "--reason", "again").err == (
        "Error: notice 青数〔2026〕1号 was already replaced by 青数〔2026〕2号; reissue that one\n")

    assert fails(3, "notice", "delivered", "2026-2", "--on", "2026-10-08", "--to", "x").err.startswith(
        "Error: --on 2026-10-08 is after today (2026-09-28)")
    ok("--today", "2026-10-08", "notice", "delivered", "青数〔2026〕2号", "--on", "2026-09-30", "--to", "新胜村村委会 李四签收")
    ok("--today", "2026-10-08", "notice", "delivered", "2026-2", "--on", "2026-10-08", "--to", "朱家角镇人民政府 OA系统")
    shown = ok("notice", "show", "2026-2", "--json").json()
    assert shown["deliveries"] == [
        {"on": "2026-09-30", "to": "新胜村村委会 李四签收", "recorded_by": "bdc.engineer"},
        {"on": "2026-10-08", "to": "朱家角镇人民政府 OA系统", "recorded_by": "bdc.engineer"}]
    assert shown["plain"].splitlines()[:5] == ["青浦区大数据中心", "青数〔2026〕2号", "", f"关于{UNITS['zjj-xq']}",
                                               "电子政务外网接入申请不予批准的函"]
    assert shown["title"] == f"关于{UNITS['zjj-xq']}电子政务外网接入申请不予批准的函"
    assert [n["no"] for n in notices("--unit", "zjj-xq")] == ["青数〔2026〕1号", "青数〔2026〕2号"]
    assert notices("--unit", "zjj-zhangma") == [] and len(notices("--kind", "rejection")) == 2
    assert fails(2, "notice", "list", "--kind", "letter").err.startswith("Error: --kind 'letter' is not a kind")
    assert fails(1, "notice", "show", "2026-9").err == "Error: notice 2026-9 not found; see 'egovnet notice list'\n"
    assert fails(2, "notice", "show", "seven").err.startswith("Error: notice 'seven': give its number as printed")
    r = ok("notice", "list")
    assert "青数〔2026〕2号" in r.out and "superseded" in r.out
    r = ok("notice", "show", "2026-2")
    assert "corrects" in r.out and "本文件更正并替代青数〔2026〕1号" in r.out


@pytest.mark.parametrize("warn_days, quiet, warn, after", [
    # limit 2026-10-12: 10 working days left on Monday 09-21 (Mid-Autumn 09-25 and National Day do not count,
    # the 调休 Saturday 10-10 does); on the 调休 Sunday 09-20, a working day, 11 are left
    (10, "2026-09-20", "2026-09-21", "2026-09-22"),
    # 3 working days: 10-09, 10-10 (the 调休 Saturday) and 10-12 itself; during National Day it is still 4
    (3, "2026-10-07", "2026-10-08", "2026-10-09"),
])
def test_audit_idle_warns_n_working_days_ahead_once(lab, tmp_path, warn_days, quiet, warn, after):
    policy = (tmp_path / "policies.yaml").read_text(encoding="utf-8")  # the suite's (identity: declared)
    (tmp_path / "policies.yaml").write_text(policy.replace("warn_working_days: 10", f"warn_working_days: {warn_days}"),
                                            encoding="utf-8")
    ok("dept", "add", DEPT)
    add_unit(UNITS["zjj-zhangma"], "zjj-zhangma")
    apply("zjj-zhangma", today="2026-07-01")
    ok("--today", "2026-07-02", "review", "approve", "1", user="bdc.reviewer")
    ok("--today", "2026-07-12", "provision", "1", "--yes")
    r = ok("--today", quiet, "audit", "idle", "--json").json()
    assert (r["warned"], r["approaching"]) == ([], [])
    r = ok("--today", warn, "audit", "idle", "--json").json()
    assert [a["working_days_left"] for a in r["approaching"]] == [warn_days]
    assert [(w["link"], w["kind"], w["main_to"], w["copy_to"]) for w in r["warned"]] == [
        (1, "idle_warning", [UNITS["zjj-zhangma"]], [DEPT])]
    text = check_official(r["warned"][0]["docx"], main_to=[UNITS["zjj-zhangma"]], copy_to=[DEPT])
    assert f"该链路将于2026年10月12日开通满3个月，距今{warn_days}个工作日" in text
    assert "第十五条" in text and "于2026年7月12日开通" in text
    for day in (warn, after):  # once
        assert ok("--today", day, "audit", "idle", "--json").json()["warned"] == []
    assert [n["kind"] for n in notices()] == ["approval", "idle_warning"]
    # an audit of another day (a forecast, or one by a user without the BDC role) writes nothing
    assert ok("--today", "2026-07-20", "audit", "idle", "--as-of", warn, "--json").json()["warned"] == []


WORKER = textwrap.dedent("""
    import json, sys, time
    from pathlib import Path
    from typer.testing import CliRunner
    from egovnet.cli import app
    ids, go = json.loads(sys.argv[1]), Path(sys.argv[2])
    while not go.exists():
        time.sleep(0.005)
    runner, out = CliRunner(), []
    for i in ids:
        res = runner.invoke(app, ["--user", "bdc.reviewer", "review", "reject", str(i), "--reason", "材料不全", "--json"])
        out.append([i, json.loads(res.stdout)["notice"]["no"]] if res.exit_code == 0 else [i, res.stderr])
    print(json.dumps(out, ensure_ascii=False))
""")


def test_two_processes_at_once_take_consecutive_numbers(_home, tmp_path):
    from egovnet.services.applications import ApplicationInput, file_application
    from egovnet.services.context import Ctx
    from egovnet.services.directory import UnitInput, add_unit as add
    from egovnet.settings import Settings
    from egovnet.state.db import dispose_all

    ok("dept", "add", DEPT)
    ctx = Ctx.from_settings(Settings.resolve(user="dept.zhujiajiao"))
    fields = dict(zip(("basis", "scope", "mode", "purpose", "bandwidth_mbps", "technical", "time_requirement",
                       "cost_bearer"), APPLY_ARGS[1::2]))
    for i in range(40):
        add(ctx, UnitInput(name=f"朱家角镇第{i}村民委员会", code=f"u{i:02d}", category="village", dept=DEPT,
                           address=f"青浦区朱家角镇{i}号", mlps_level=2))
        file_application(ctx, ApplicationInput(unit=f"u{i:02d}", **fields))
    dispose_all()
    script, go = tmp_path / "worker.py", tmp_path / "go"
    script.write_text(WORKER)
    procs = [subprocess.Popen([sys.executable, str(script), f"[{','.join(str(i) for i in ids)}]", str(go)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path)
             for ids in (range(1, 41, 2), range(2, 41, 2))]
    go.touch()
    outs = [p.communicate(timeout=300) for p in procs]
    import json

    taken = []
    for p, (out, err) in zip(procs, outs):
        assert p.returncode == 0, err
        taken.append(json.loads(out))
    numbers = sorted(int(re.fullmatch(r"青数〔2026〕(\d+)号", no).group(1)) for part in taken for _, no in part)
    assert numbers == list(range(1, 41))  # every number once, no gap
    for part in taken:  # each process's own numbers go up
        mine = [int(re.search(r"〕(\d+)号", no).group(1)) for _, no in part]
        assert mine == sorted(mine)
    rows = notices()
    assert [(n["no"], n["kind"]) for n in rows] == [(f"青数〔2026〕{i}号", "rejection") for i in range(1, 41)]
    assert len(list((_home / "notices" / "2026").glob("*.docx"))) == 40


def test_notices_of_schema_0004_become_one_legacy_notice_each(tmp_path):
    from alembic import command
    from sqlalchemy import text

    from egovnet.state.db import alembic_config, make_engine, upgrade

    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    with engine.begin() as conn:
        command.upgrade(alembic_config(engine, conn), "0005")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO department (id, name, contact, created_at) VALUES (1, :d, '', '2026-01-01')"),
                     {"d": DEPT})
        conn.execute(text(
            "INSERT INTO unit (id, name, code, category, dept_id, town, address, address_key, budget_unit, contact, "
            "justification, created_at, updated_at) VALUES (1, :u, 'zjj-zhangma', 'village', 1, '', '', '', 1, '', "
            "'', '2026-01-01', '2026-01-01')"), {"u": UNITS["zjj-zhangma"]})
        conn.execute(text("INSERT INTO link (id, address, address_key, mode, status, bandwidth_mbps, opened_on, "
                          "closed_on, created_at) VALUES (1, 'a', 'a', 'dedicated', 'closed_idle', 50, '2026-01-05', "
                          "'2026-04-07', '2026-01-01')"))
        for role, who in (("unit", UNITS["zjj-zhangma"]), ("department", DEPT)):
            conn.execute(text(
                "INSERT INTO notice (kind, link_id, unit_id, recipient, recipient_role, article, issued_on, docx_path, "
                "md_path, created_at) VALUES ('idle_closure', 1, 1, :who, :role, 15, '2026-04-07', :docx, :md, "
                "'2026-04-07 01:30:00')"), {"who": who, "role": role, "docx": f"/n/{role}.docx", "md": f"/n/{role}.md"})
    assert upgrade(engine, tmp_path)["to"] == HEAD_REVISION
    engine.dispose()
    import json

    con = sqlite3.connect(tmp_path / "old.db")
    rows = con.execute("SELECT prefix, year, number, doc_no, kind, main_to, copy_to, status, docx_path, other_paths, "
                       "unit_ids, link_id FROM notice").fetchall()
    assert [r[:5] + tuple(json.loads(v) for v in r[5:7]) + r[7:9] + tuple(json.loads(v) for v in r[9:11]) + r[11:]
            for r in rows] == [
        ("", 2026, None, "", "idle_closure", [UNITS["zjj-zhangma"]], [DEPT], "legacy", "/n/unit.docx",
         ["/n/unit.md", "/n/department.docx", "/n/department.md"], [1], 1)]
    con.close()
    db = ["--db", f"sqlite:///{tmp_path / 'old.db'}"]
    shown = ok(*db, "notice", "list", "--json").json()
    assert [(n["id"], n["no"], n["status"], n["main_to"], n["copy_to"]) for n in shown] == [
        (1, None, "legacy", [UNITS["zjj-zhangma"]], [DEPT])]
    # a corrected copy gives it a number, its facts rebuilt from the link's record
    r = ok(*db, "notice", "reissue", "#1", "--reason", "补编文号", "--json").json()
    assert (r["no"], r["reissue_of"], r["kind"]) == ("青数〔2026〕1号", "#1", "idle_closure")
    text = check_official(r["docx"], main_to=[UNITS["zjj-zhangma"]], copy_to=[DEPT])
    assert "本文件更正并替代《关于关闭电子政务外网接入链路的书面通知》（2026年4月7日印发），原文件作废。更正事由：补编文号。" in text
    assert "于2026年1月5日开通" in text and "已于2026年4月7日关闭该接入链路" in text


def test_a_corrected_approval_says_what_the_record_says_now(units):
    """Reissued after an extension (Art. 12): the new copy carries the new construction deadline."""
    apply("zjj-zhangma")
    ok("review", "approve", "1", user="bdc.reviewer")
    ok("review", "extend", "1", "--reason", "municipal_duct", "--days", "5")
    r = ok("notice", "reissue", "2026-1", "--reason", "施工期限延长", "--json").json()
    text = check_official(r["docx"], main_to=[UNITS["zjj-zhangma"]], copy_to=[DEPT])
    assert "区大数据中心将于2026年10月30日前完成网络接入施工" in text
    assert "本文件更正并替代青数〔2026〕1号（2026年9月28日印发），原文件作废。更正事由：施工期限延长。" in text
    old = Document(ok("notice", "show", "2026-1", "--json").json()["docx"])
    assert "区大数据中心将于2026年10月23日前完成网络接入施工" in "\n".join(p.text for p in old.paragraphs)


def test_templates_beside_the_inventory_and_in_the_home(units, _home, tmp_path, monkeypatch):
    """The team's wording beside the inventory; a user's own in EGOVNET_HOME/notices wins over it."""
    packaged = (REPO / "egovnet" / "notices" / "templates" / "rejection.j2").read_text(encoding="utf-8")
    team = tmp_path / "inventory" / "notices" / "rejection.j2"
    team.parent.mkdir(parents=True)
    team.write_text(packaged.replace("特此函复。", "（本函由青浦区大数据中心网络管理科承办）\n特此函复。"), encoding="utf-8")
    monkeypatch.setenv("EGOVNET_INVENTORY", str(tmp_path / "inventory"))
    apply("zjj-xq")
    apply("zjj-anzhuang")
    r = ok("review", "reject", "1", "--reason", "材料不全", "--json", user="bdc.reviewer").json()
    assert "（本函由青浦区大数据中心网络管理科承办）\n特此函复。" in check_official(
        r["notice"]["docx"], main_to=[UNITS["zjj-xq"]], copy_to=[DEPT])
    mine = _home / "notices" / "_reissue.j2"   # only the shared paragraph overridden; the rest stays the team's
    mine.parent.mkdir(parents=True, exist_ok=True)
    mine.write_text("{% if reissue %}\n此前发出的{{ reissue.of }}停止使用。\n{% endif %}\n", encoding="utf-8")
    r = ok("notice", "reissue", "2026-1", "--reason", "表述调整", "--json").json()
    text = check_official(r["docx"], main_to=[UNITS["zjj-xq"]], copy_to=[DEPT])
    assert "此前发出的青数〔2026〕1号停止使用。" in text and "（本函由青浦区大数据中心网络管理科承办）" in text
