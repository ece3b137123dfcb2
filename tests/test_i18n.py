"""The users' language: a Chinese interface from the gettext catalog, English for the C locale, 第N条 for Art. N,
and tables that never break a Chinese name across lines."""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile

import pytest

from conftest import DEPT, REPO, add_unit, ok, run

from egovnet import i18n

SAMPLE = REPO / "examples" / "qingpu-villages.csv"
PO = REPO / "egovnet" / "locale" / "zh_CN" / "LC_MESSAGES" / "egovnet.po"
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def zh(monkeypatch):
    monkeypatch.setenv("EGOVNET_LANG", "zh_CN")


# --- which language -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("env, expected", [
    ({"EGOVNET_LANG": "zh_CN"}, "zh_CN"),
    ({"EGOVNET_LANG": "zh_CN.UTF-8", "LANG": "C"}, "zh_CN"),
    ({"EGOVNET_LANG": "en", "LANG": "zh_CN.UTF-8"}, None),
    ({"EGOVNET_LANG": "C", "LANG": "zh_CN.UTF-8"}, None),
    ({"LANG": "zh_CN.UTF-8"}, "zh_CN"),
    ({"LANG": "zh_CN.GB18030"}, "zh_CN"),
    ({"LANG": "C"}, None),
    ({"LANG": "C.UTF-8"}, None),
    ({"LANG": "POSIX"}, None),
    ({"LANG": "en_US.UTF-8"}, None),
    ({"LC_MESSAGES": "zh_CN.UTF-8", "LANG": "C.UTF-8"}, "zh_CN"),
    ({"LC_ALL": "C", "LC_MESSAGES": "zh_CN.UTF-8", "LANG": "zh_CN.UTF-8"}, None),
    ({"LC_ALL": "zh_CN.UTF-8", "LANG": "C"}, "zh_CN"),
    ({"LANGUAGE": "zh_CN", "LANG": "en_US.UTF-8"}, "zh_CN"),
    ({"LANGUAGE": "zh_CN", "LANG": "C"}, None),  # GNU gettext ignores LANGUAGE in the C locale
    ({"LANGUAGE": "fr:zh_CN", "LANG": "fr_FR.UTF-8"}, "zh_CN"),  # no French catalog: the next one
    ({"LANGUAGE": "en:zh_CN", "LANG": "zh_CN.UTF-8"}, None),
    ({"LANG": "zh_TW.UTF-8"}, None),  # traditional Chinese is not this catalog
    ({"LANG": "fr_FR.UTF-8"}, None),
    ({}, None),
])
def test_the_language_comes_from_egovnet_lang_then_the_locale_as_gettext_reads_it(monkeypatch, env, expected):
    for var in ("EGOVNET_LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(var, raising=False)
    for var, value in env.items():
        monkeypatch.setenv(var, value)
    assert i18n.language() == expected


# --- article references ---------------------------------------------------------------------------------------

NUMERALS = ("一 二 三 四 五 六 七 八 九 十 十一 十二 十三 十四 十五 十六 十七 十八 十九 二十 二十一 二十二 二十三 二十四 "
            "二十五 二十六 二十七 二十八 二十九 三十 三十一 三十二 三十三 三十四 三十五 三十六 三十七 三十八 三十九 四十").split()


def test_chinese_numerals_for_articles_1_to_40():
    assert [i18n.chinese_number(n) for n in range(1, 41)] == NUMERALS
    assert [i18n.chinese_number(n) for n in (100, 101, 110, 115, 120, 999)] == [
        "一百", "一百零一", "一百一十", "一百一十五", "一百二十", "九百九十九"]


@pytest.mark.parametrize("ref, expected", [
    ("Art. 12", "第十二条"),
    ("Art. 12-14", "第十二条至第十四条"),
    ("Art. 9", "第九条"),
    ("Art. 40", "第四十条"),
    ("Art. 12, 18", "第十二条、第十八条"),
    ("Art. 12, 15, 18", "第十二条、第十五条、第十八条"),
    ("Art. 15-16", "第十五条至第十六条"),
])
def test_article_references_read_as_the_regulation_numbers_them(ref, expected):
    assert i18n.article_zh(ref) == expected


def test_articles_in_running_text():
    assert i18n.articles("construction due (Art. 12); links (Art. 14, 25) and Art. 12-14.") == \
        "construction due (第十二条); links (第十四条、第二十五条) and 第十二条至第十四条."
    # a number after the reference that is not an article stays a number
    assert i18n.articles("filed (Art. 18), 3 working days ahead") == "filed (第十八条), 3 working days ahead"


# --- the catalog ----------------------------------------------------------------------------------------------

def _fields(text: str) -> set[str]:
    return {m.split("!")[0].split(":")[0] for m in re.findall(r"(?<!\{)\{([^{}]*)\}", text)}


def test_the_catalog_is_consistent():
    """Every translation uses the fields of its English message and no other; no fuzzy entry is left."""
    from babel.messages.pofile import read_po

    with PO.open("rb") as f:
        catalog = read_po(f)
    assert catalog.locale_identifier in ("zh_Hans_CN", "zh_CN")
    problems = []
    translated = 0
    for m in catalog:
        if not m.id or not m.string:
            continue
        translated += 1
        if m.fuzzy:
            problems.append(f"fuzzy: {m.id!r}")
        if isinstance(m.id, str) and _fields(m.string) - _fields(m.id):
            problems.append(f"fields {_fields(m.string) - _fields(m.id)} not in {m.id!r}")
        if isinstance(m.id, str) and re.search(r"\bArt\. \d", m.string):
            problems.append(f"write 第N条 in the translation: {m.string!r}")
    assert problems == []
    assert translated >= 500


def test_our_mo_compiler_reads_the_po_as_babel_does(tmp_path):
    """The lazy .mo (egovnet.i18n, no Babel at run time) holds what `pybabel compile` would write."""
    import gettext
    import io

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with PO.open("rb") as f:
        catalog = read_po(f)
    buf = io.BytesIO()
    write_mo(buf, catalog)
    theirs = gettext.GNUTranslations(io.BytesIO(buf.getvalue()))._catalog
    ours = gettext.GNUTranslations(io.BytesIO(i18n.compile_mo(i18n.parse_po(PO.read_text("utf-8")))))._catalog
    assert {k: v for k, v in ours.items() if k != ""} == {k: v for k, v in theirs.items() if k != ""}


def test_the_po_parser_skips_fuzzy_and_untranslated_entries():
    text = ('#, fuzzy\nmsgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n\n'
            '#, fuzzy\nmsgid "a"\nmsgstr "甲"\n\n'
            'msgid "one row"\nmsgid_plural "{n} rows"\nmsgstr[0] "{n} 行"\n\n'
            'msgid "b"\nmsgstr ""\n\n'
            '#: x.py:1\nmsgid ""\n"c "\n"d"\nmsgstr "丙"\n"丁"\n\n'
            'msgctxt "value"\nmsgid "unit"\nmsgstr "单位自担"\n')
    assert i18n.parse_po(text) == {"": "Content-Type: text/plain; charset=UTF-8\n", "c d": "丙丁",
                                   "one row\x00{n} rows": "{n} 行", "value\x04unit": "单位自担"}


def test_the_compiled_catalog_is_cached_and_read_from_memory_when_the_cache_is_not_writable(zh, tmp_path,
                                                                                           monkeypatch):
    i18n.translations.cache_clear()
    assert i18n._("yes") == "是"
    cached = list((tmp_path / "cache" / "egovnet" / "locale").rglob("egovnet.mo"))
    assert len(cached) == 1
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    i18n.translations.cache_clear()
    try:
        assert i18n._("yes") == "是"
    finally:
        i18n.translations.cache_clear()


def test_untranslated_text_falls_back_to_english(zh):
    assert i18n._("A help text a new command brought along.") == "A help text a new command brought along."
    assert i18n.help_text("New command.\n\nIts second paragraph (Art. 26).") == \
        "New command.\n\nIts second paragraph (第二十六条)."
    assert i18n.localize("security scan of 12 devices found nothing (Art. 24)") == \
        "security scan of 12 devices found nothing (第二十四条)"


def test_an_error_raised_as_an_english_f_string_is_filled_into_its_chinese_template(zh):
    # services raise English f-strings; the catalog holds them as templates with named fields
    assert i18n.localize("extension reason 'other' (其他特殊原因) needs --note explaining it (Art. 12)") == \
        "延期原因 'other'（其他特殊原因）须用 --note 加以说明（第十二条）"
    assert i18n.localize("unit 朱家角镇张马村村委会 of category 'soe' may not apply (Art. 9)") == \
        "类别为 'soe' 的接入单位 朱家角镇张马村村委会 不得申请（第九条）"


def test_braces_written_in_a_message_stay_single(zh):
    english = ("unit code 'Zhang Ma' is not a valid device-safe code: it must match ^[A-Za-z][A-Za-z0-9_-]{0,30}$ "
               "(an ASCII letter, then up to 30 letters, digits, '_' or '-')")
    # the fields {what} {value} meet at a space: the split is not certain, and a single word is never translated
    assert i18n.localize(english) == ("unit code 'Zhang Ma' 不是有效的设备可用代码：须匹配 ^[A-Za-z][A-Za-z0-9_-]{0,30}$"
                                      "（一个 ASCII 字母，后接最多 30 个字母、数字、'_' 或 '-'）")


def test_the_parts_a_permission_error_quotes_are_translated_inside_it_only(zh):
    assert i18n.localize("user 'dept.x' filed application 3 and may not reject it (separation of duties, Art. 10, 12); "
                         "another BDC reviewer must decide") == \
        "用户 'dept.x' 提交了接入申请 3，不得自行不予批准（职责分离，第十条、第十二条）；须由区大数据中心另一名审核人员决定"
    # "{doing} application {id}" is a part of other messages: a new message that happens to contain its words stays
    # English rather than half translated
    assert i18n.localize("security review of application 7 found nothing") == \
        "security review of application 7 found nothing"


# --- the command line -----------------------------------------------------------------------------------------

def test_root_help_in_chinese(zh):
    r = ok("--help")
    lines = r.out.splitlines()
    assert lines[0] == "用法：egovnet [OPTIONS] COMMAND [ARGS]..."
    assert lines[2] == "  按照《青浦区电子政务外网管理办法》管理区级电子政务外网。"
    assert "选项：" in lines and "命令：" in lines
    assert "  --user <str>          操作人。 [环境变量：EGOVNET_USER]" in lines
    assert "  -h, --help            显示本帮助并退出。" in lines
    assert "  dept          提交接入申请的业务主管部门（第十条）。" in lines
    at = lines.index("  review        审核接入申请：批准、不予批准、延长施工期限（第十二条至")
    assert lines[at + 1] == "                第十三条）。"
    assert all(i18n.width(line) <= 80 for line in lines), [line for line in lines if i18n.width(line) > 80]


def test_root_help_in_english_for_the_c_locale(monkeypatch):
    monkeypatch.setenv("LANG", "C")
    r = ok("--help")
    lines = r.out.splitlines()
    assert lines[0] == "Usage: egovnet [OPTIONS] COMMAND [ARGS]..."
    assert lines[2] == "  Administer a district e-government extranet (政务外网) under 《青浦区电子政务外网管理办法》."
    assert "  --user <str>          The person acting.  [env var: EGOVNET_USER]" in lines
    assert "  dept          Supervising departments (业务主管部门) that file applications (Art." in lines


def test_a_zh_cn_locale_is_enough(monkeypatch):
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert ok("--help").out.splitlines()[0] == "用法：egovnet [OPTIONS] COMMAND [ARGS]..."


def test_command_help_in_chinese(zh):
    lines = ok("review", "list", "--help").out.splitlines()
    assert lines[:3] == ["用法：egovnet review list [OPTIONS]", "", "  列出接入申请及其计时和剩余工作日（超期的以红色显示）。"]
    assert "  --json                          输出 JSON（供脚本使用）。" in lines


def test_every_help_in_chinese_fits_80_columns(zh):
    """Click measures text by characters; a Chinese character takes two columns: the help is wrapped by width."""
    from typer.main import get_command

    from egovnet.cli import app

    root = get_command(app)
    ctx = root.make_context("egovnet", ["--help"], resilient_parsing=True)
    paths = []
    for name in root.list_commands(ctx):
        subcommands = getattr(root.get_command(ctx, name), "commands", None)
        paths += [[name, sub] for sub in subcommands] if subcommands else [[name]]
    too_wide = []
    for path in paths:
        too_wide += [line for line in ok(*path, "--help").out.splitlines() if i18n.width(line) > 80]
    assert len(paths) > 40 and too_wide == []


def test_lazy_root_help_is_the_loaded_one_in_chinese(zh):
    """As tests/test_layers.py checks in English: the root lists each command from egovnet.commands.COMMANDS
    translated, and a loaded command's own help starts with the same translated paragraph."""
    from typer.main import get_command

    from egovnet.cli import app
    from egovnet.commands import COMMANDS

    lazy = get_command(app)
    ctx = lazy.make_context("egovnet", ["--help"], resilient_parsing=True)
    before = lazy.get_help(ctx)
    for name in lazy.list_commands(ctx):
        command = lazy.get_command(ctx, name)
        assert command.help.split("\n\n")[0] == i18n.help_text(COMMANDS[name][2]), name
    assert lazy.get_help(ctx) == before
    # a command added after the catalog was last updated is listed in English; these are not
    assert [name for name in ("review", "unit", "link") if i18n.help_text(COMMANDS[name][2]) == COMMANDS[name][2]] == []


def test_help_in_chinese_imports_no_heavy_module(monkeypatch, tmp_path):
    code = ("import sys\nsys.argv=['egovnet', '--help']\nfrom egovnet.cli import main\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "heavy = ('sqlmodel', 'sqlalchemy', 'netmiko', 'paramiko', 'yaml', 'jinja2', 'babel', 'rich')\n"
            "print('HEAVY', sorted(m for m in heavy if m in sys.modules), file=sys.stderr)")
    for _round in ("compiles the catalog", "reads the cached one"):
        r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                           env={**_env(), "EGOVNET_LANG": "zh_CN", "XDG_CACHE_HOME": str(tmp_path / "c")})
        assert r.returncode == 0, r.stderr
        assert r.stdout.startswith("用法：egovnet"), r.stdout
        assert "HEAVY []" in r.stderr, r.stderr


def _env():
    import os

    return {k: v for k, v in os.environ.items() if k not in ("EGOVNET_LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES")}


def test_errors_in_chinese_and_in_english(monkeypatch, zh):
    ok("init")
    r = run("review", "show", "999")
    assert (r.code, r.out, r.err) == (1, "", "错误：未找到接入申请 999；参见 'egovnet review list'\n")
    r = run("review", "list", "--bogus")
    assert (r.code, r.err) == (2, "错误：没有此选项：--bogus（可能是：--out）（参见 'egovnet review list --help'）\n")
    r = run("review", "show", "abc")  # click's message inside its own, both translated
    assert (r.code, r.err) == (2, "错误：'ID' 的值无效：'abc' 不是有效的整数。（参见 'egovnet review show --help'）\n")
    r = run("--today", "2026-13-01", "review", "list")
    assert (r.code, r.err) == (2, "错误：EGOVNET_TODAY / --today '2026-13-01' 不是日期；请写作 YYYY-MM-DD，例如 "
                                  "2026-09-28\n")
    monkeypatch.delenv("EGOVNET_LANG")
    r = run("review", "show", "999")
    assert (r.code, r.out, r.err) == (1, "", "Error: application 999 not found; see 'egovnet review list'\n")
    r = run("review", "list", "--bogus")
    assert (r.code, r.err) == (2, "Error: No such option: --bogus (Possible options: --out) (see 'egovnet review list --help')\n")


def test_a_prompt_in_chinese(monkeypatch, zh):
    from egovnet import output

    monkeypatch.setattr(output, "is_terminal", lambda: True)
    r = run("decommission", "7", "--reason", "单位撤并", input="n\n")
    assert r.code == 3
    # CliRunner writes the prompt's last space and the echoed answer to stdout
    assert (r.out, r.err) == (" n\n", "从设备上删除链路 7 并退回其资源？ [y/N]:错误：未做任何更改\n")


# --- review list with the 206 committees ----------------------------------------------------------------------

def _committees():
    ok("unit", "import", str(SAMPLE), "--create-depts")
    ok("apply", "--batch", str(SAMPLE))
    return ok("review", "list", "--json").json()


def _rows(out: str) -> tuple[list[str], list[str]]:
    """A table's body lines that start a row (they begin with the application id) and the lines that continue
    one (a wrapped cell)."""
    lines = out.splitlines()
    rule = next(i for i, line in enumerate(lines) if set(line.strip()) <= set("─━┡╇┩ ") and line.strip())
    body = lines[rule + 1:]
    starts = [line for line in body if re.match(r"^[│ ]*\d+ ", line)]
    return starts, [line for line in body if line not in starts]


def test_review_list_in_chinese_and_english(monkeypatch, zh):
    data = _committees()
    r = ok("review", "list")
    lines = r.out.splitlines()
    assert lines[1] == ("┃ 编号 ┃ 接入单位                 ┃ 业务主管部门     ┃ 状态   ┃ 方式 ┃ 收到日期   ┃ 计时 ┃ "
                        "到期日     ┃ 剩余工作日 ┃ 链路 ┃")
    assert lines[3] == ("│    1 │ 朱家角镇后田村村民委员会 │ 朱家角镇人民政府 │ 已提交 │ 专线 │ 2026-09-28 │ 审核 │ "
                        "2026-10-10 │          5 │    1 │")
    assert ok("review", "list", "--json").json() == data  # keys and values as in English
    monkeypatch.setenv("EGOVNET_LANG", "C")
    lines = ok("review", "list").out.splitlines()
    assert lines[1] == ("┃  id ┃ unit                     ┃ department       ┃ status    ┃ mode      ┃ received   ┃ "
                        "clock  ┃ due        ┃ working days left ┃ link ┃")
    assert lines[3] == ("│   1 │ 朱家角镇后田村村民委员会 │ 朱家角镇人民政府 │ submitted │ dedicated │ 2026-09-28 │ "
                        "review │ 2026-10-10 │                 5 │    1 │")


@pytest.mark.parametrize("lang", ["zh_CN", "C"])
@pytest.mark.parametrize("columns", [80, 100, 120])
def test_review_list_never_breaks_a_chinese_name_across_lines(monkeypatch, lang, columns):
    data = _committees()
    assert len(data) == 206
    monkeypatch.setenv("EGOVNET_LANG", lang)
    monkeypatch.setenv("COLUMNS", str(columns))
    out = ok("review", "list").out
    assert all(i18n.width(line) <= columns for line in out.splitlines())
    starts, continued = _rows(out)
    assert len(starts) == 206
    # a wrapped English cell may continue on the next line; a Chinese one never does
    assert [line for line in continued if CJK.search(line)] == []
    whole = 0
    for row, line in zip(data, starts):
        cells = line.replace("│", " ").split()
        assert cells[0] == str(row["id"])
        for value, cell in ((row["unit"], cells[1]), (row["dept"], cells[2])):
            if cell == value:
                whole += 1
            else:  # cut to the column, never split: the start of the name and an ellipsis
                assert cell.endswith("…") and value.startswith(cell[:-1]) and len(cell) > 4, (value, cell)
    assert {r["unit"] for r in data} == {line.split(",")[0] for line in
                                         SAMPLE.read_text("utf-8-sig").splitlines()[1:]}  # --json stays complete
    if columns >= 120:
        assert whole == 2 * 206  # wide enough: every name whole


# --- an installed wheel ---------------------------------------------------------------------------------------

def test_an_installed_wheel_speaks_chinese(tmp_path):
    """The wheel carries the .po; the .mo is compiled at first use into the user's cache (nothing is written
    into the installed package)."""
    out = tmp_path / "dist"
    code = ("import sys; from setuptools import build_meta as b\n"
            "print(b.build_wheel(sys.argv[1]))")
    r = subprocess.run([sys.executable, "-c", code, str(out)], cwd=REPO, capture_output=True, text=True,
                       timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]
    wheel = out / r.stdout.strip().splitlines()[-1]
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as z:
        assert "egovnet/locale/zh_CN/LC_MESSAGES/egovnet.po" in z.namelist()
        z.extractall(site)
    site.chmod(0o555)
    try:
        r = subprocess.run([sys.executable, "-c", "import egovnet, sys; print(egovnet.__file__, file=sys.stderr)\n"
                            "from egovnet.cli import main; sys.argv = ['egovnet', '--help']; main()"],
                           capture_output=True, text=True, timeout=60, cwd=tmp_path,
                           env={**_env(), "PYTHONPATH": str(site), "LANG": "zh_CN.UTF-8",
                                "XDG_CACHE_HOME": str(tmp_path / "cache")})
    finally:
        site.chmod(0o755)
    assert r.returncode == 0, r.stderr
    assert r.stderr.startswith(str(site)), r.stderr  # the unpacked wheel, not this checkout
    assert r.stdout.splitlines()[2] == "  按照《青浦区电子政务外网管理办法》管理区级电子政务外网。"
    assert list((tmp_path / "cache").rglob("egovnet.mo"))


# --- the commands that came with the Office's security half, drift and fault tickets -----------------------------

def _english(monkeypatch):
    monkeypatch.delenv("EGOVNET_LANG")
    monkeypatch.setenv("LANG", "C")


def test_security_help_in_chinese_and_in_english(monkeypatch, zh):
    lines = ok("security", "--help").out.splitlines()
    assert lines[:6] == ["用法：egovnet security [OPTIONS] COMMAND [ARGS]...",
                         "",
                         "  网络安全：区政务服务办公室中断连接与恢复连接（第二十三条）、通报批评",
                         "  （第二十六条）、网络安全事件与安全监测事件、安全检查与测评（第十三条、",
                         "  第二十一条）。",
                         ""]
    at = lines.index("  disconnect  发生网络安全事件后，中断接入单位（或链路）与政务外网的连接（角色")
    assert lines[at + 1:at + 3] == ["              office，第二十三条）。",
                                    "  reconnect   整改情况登记后，恢复被中断的连接（角色 office，第二十三条）。"]
    # closing punctuation stays with the English word before it: "office）。" never starts a line with "）"
    assert "  criticize   接入单位有第二十六条所列情形之一的，给予通报批评（角色 office）。" in lines
    _english(monkeypatch)
    lines = ok("security", "--help").out.splitlines()
    assert lines[:5] == ["Usage: egovnet security [OPTIONS] COMMAND [ARGS]...",
                         "",
                         "  Security: the Office's disconnect and reconnect (Art. 23), criticism notices",
                         "  (Art. 26), incidents and security events, checks and assessments (Art. 13,",
                         "  21)."]
    at = lines.index("  disconnect  Cut a unit (or a link) off the extranet after a security incident")
    assert lines[at + 1] == "              (role office, Art. 23)."


def test_a_disconnect_refused_for_a_bdc_engineer_in_chinese_and_in_english(monkeypatch, zh):
    ok("init")
    args = ("security", "disconnect", "--unit", "zjj-zhangma", "--incident", "终端感染勒索病毒", "--yes")
    r = run(*args, user="bdc.engineer")
    assert (r.code, r.out, r.err) == (3, "", "错误：用户 'bdc.engineer' 无权中断接入单位与政务外网的连接：需要角色 'office' "
                                             "(区政务服务办公室)（第二十三条）；'bdc.engineer' 的角色为 bdc；请在 policies.yaml "
                                             "的 roles.users 中分配该角色，或以其他用户身份操作（EGOVNET_USER）\n")
    _english(monkeypatch)
    r = run(*args, user="bdc.engineer")
    assert (r.code, r.out, r.err) == (3, "", "Error: user 'bdc.engineer' may not disconnect a unit from the extranet: "
                                             "that needs role 'office' (区政务服务办公室) (Art. 23); 'bdc.engineer' has "
                                             "bdc; assign it under roles.users in policies.yaml, or act as another user "
                                             "(EGOVNET_USER)\n")


def test_ticket_list_in_chinese_and_in_english(monkeypatch, zh):
    ok("dept", "add", DEPT)
    add_unit("朱家角镇张马村村民委员会", "zjj-zhangma")
    ok("ticket", "open", "--unit", "zjj-zhangma", "--summary", "办公网无法访问一网通办", "--severity", "p3",
       "--reported-at", "2026-10-09 15:00", today="2026-10-09")
    lines = ok("ticket", "list", today="2026-10-09").out.splitlines()
    assert lines[0].strip() == "故障工单（第十七条）"
    assert lines[2] == ("┃ 工单 ┃ 级别 ┃ 链路 ┃ 接入单位                 ┃ 摘要                   ┃ 报告时间         ┃ "
                        "状态   ┃ 计时 ┃ 到期日           ┃   剩余 ┃")
    assert lines[4].startswith("│    1 │ p3   │    - │ 朱家角镇张马村村民委员会 │ 办公网无法访问一网通办 │ "
                               "2026-10-09 15:00 │ 待处理 │ 响应 │ 2026-10-10 15:00 │")
    _english(monkeypatch)
    lines = ok("ticket", "list", today="2026-10-09").out.splitlines()
    assert lines[2] == ("┃ ticket ┃ sev ┃ link ┃ unit                     ┃ summary                ┃ reported         ┃ "
                        "status ┃ clock    ┃ due              ┃   left ┃")
    assert lines[4].startswith("│      1 │ p3  │    - │ 朱家角镇张马村村民委员会 │ 办公网无法访问一网通办 │ "
                               "2026-10-09 15:00 │ open   │ response │ 2026-10-10 15:00 │")


def test_ticket_list_at_80_columns_keeps_words_and_chinese_names_whole(monkeypatch, zh):
    """Too wide for 80 columns: the widest columns give way first; a date or a status is never folded inside a
    word and a Chinese cell is cut with an ellipsis, never continued on the next line."""
    ok("dept", "add", DEPT)
    add_unit("朱家角镇张马村村民委员会", "zjj-zhangma")
    ok("ticket", "open", "--unit", "zjj-zhangma", "--summary", "办公网无法访问一网通办", "--severity", "p3",
       "--reported-at", "2026-10-09 15:00", today="2026-10-09")
    monkeypatch.setenv("COLUMNS", "80")
    lines = [line.rstrip() for line in ok("ticket", "list", today="2026-10-09").out.splitlines()]
    assert lines[1:] == ["工单 级别 链路 接入单位      摘要      报告时间    状态   计时 到期日       剩余",
                         "─" * 80,
                         "   1 p3      - 朱家角镇张马… 办公网无… 2026-10-09  待处理 响应 2026-10-10 6h 00m",
                         "                                       15:00                   15:00"]
    _english(monkeypatch)
    lines = [line.rstrip() for line in ok("ticket", "list", today="2026-10-09").out.splitlines()]
    assert lines[1:] == ["ticket sev link unit      summary   reported   status clock    due          left",
                         "─" * 80,
                         "     1 p3     - 朱家角镇… 办公网无… 2026-10-09 open   response 2026-10-10 6h 00m",
                         "                                    15:00                      15:00"]


def test_audit_drift_help_in_chinese_and_in_english(monkeypatch, zh):
    lines = ok("audit", "drift", "--help").out.splitlines()
    assert lines[:5] == ["用法：egovnet audit drift [OPTIONS]",
                         "",
                         "  将各设备的运行配置与 egovnet 预期的配置比对（第二十二条；隔离措施依第三条、",
                         "  第十九条）。",
                         ""]
    assert "  --device <str>                  只检查设备清单中的该设备。" in lines
    _english(monkeypatch)
    lines = ok("audit", "drift", "--help").out.splitlines()
    assert lines[:5] == ["Usage: egovnet audit drift [OPTIONS]",
                         "",
                         "  Each device's running config against what egovnet intends there (Art. 22; 3,",
                         "  19 for the isolation).",
                         ""]
    assert "  --device <str>                  Only this device of the inventory." in lines


def test_a_table_of_codes_and_numbers_at_80_columns_breaks_no_word(monkeypatch, zh):
    """device capacity has no Chinese cell, only Chinese headers: too wide for 80 columns, every width is still set
    by egovnet, a device name or a site code stays whole and a header breaks only at a space or between Chinese
    characters."""
    ok("init")
    monkeypatch.setenv("EGOVNET_INVENTORY", str(REPO / "inventory" / "lab"))
    monkeypatch.setenv("COLUMNS", "80")
    lines = [line.rstrip() for line in ok("device", "capacity").out.splitlines()]
    assert lines[1:5] == ["                                站点空闲     站点空闲",
                          "设备    站点       空闲端口 共      VLAN  共     子网  共 新链路 可容纳 无法容纳",
                          "─" * 80,
                          "zjj-sw1 zhujiajiao        8  8       899 899      512 512      0      0        0"]
    _english(monkeypatch)
    lines = [line.rstrip() for line in ok("device", "capacity").out.splitlines()]
    assert lines[1:7] == ["                                   site           site        wave:",
                          "                      ports       VLANs        subnets          new       do not",
                          "device  site           free of     free  of       free  of    links fit      fit",
                          "─" * 80,
                          "zjj-sw1 zhujiajiao        8  8      899 899        512 512        0   0        0",
                          "hx-sw1  huaxin            8  8      899 899        512 512        0   0        0"]
