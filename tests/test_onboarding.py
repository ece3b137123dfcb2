"""Batch onboarding: unit import and apply --batch from CSV/XLSX, all-or-nothing, idempotent; a wave approved."""

import csv
import datetime as dt

import pytest

from conftest import DEPT, REPO, fails, ok, run, sql

SAMPLE = REPO / "examples" / "qingpu-villages.csv"
UNIT_HEADER = ["name", "code", "category", "dept", "town", "address", "budget", "mlps_level", "mlps_assessed",
               "contact", "justification"]


def write_csv(path, header, rows, encoding="utf-8"):
    with open(path, "w", encoding=encoding, newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


def counts(home):
    """Rows per table of the test's database; {} while it has no schema yet."""
    from sqlalchemy.exc import DBAPIError

    try:
        return {t: sql(f"SELECT count(*) FROM {t}")[0][0]
                for t in ("department", "unit", "application", "link", "event", "import_batch")}
    except DBAPIError:
        return {}


def village(name, code, address="青浦区朱家角镇张马村1号", **over):
    row = {"name": name, "code": code, "category": "village", "dept": DEPT, "town": "朱家角镇", "address": address,
           "budget": "yes", "mlps_level": "2", "mlps_assessed": "2026-03-01", "contact": "张主任", "justification": ""}
    row.update(over)
    return [row[h] for h in UNIT_HEADER]


def test_sample_wave_imports_once_and_reruns_change_nothing(_home):
    r = ok("unit", "import", str(SAMPLE), "--create-depts", "--json").json()
    assert {k: r[k] for k in ("kind", "encoding", "rows", "created", "updated", "unchanged", "rejected", "batch",
                              "previous_batch", "problems")} == {
        "kind": "units", "encoding": "utf-8-sig", "rows": 206, "created": 206, "updated": 0, "unchanged": 0,
        "rejected": 0, "batch": 1, "previous_batch": None, "problems": []}
    assert len(r["created_departments"]) == 11 and "朱家角镇人民政府" in r["created_departments"]
    unit = ok("unit", "show", "zjj-v0001", "--json").json()
    assert {k: unit[k] for k in ("code", "category", "dept", "town", "budget_unit", "mlps_level", "mlps_assessed")} == {
        "code": "zjj-v0001", "category": "village", "dept": "朱家角镇人民政府", "town": "朱家角镇",
        "budget_unit": True, "mlps_level": 2, "mlps_assessed": "2025-01-01"}
    assert unit["name"].startswith("朱家角镇") and unit["name"].endswith("村村民委员会")
    before = counts(_home)
    again = ok("unit", "import", str(SAMPLE), "--json").json()
    assert (again["created"], again["updated"], again["unchanged"], again["previous_batch"]) == (0, 0, 206, 1)
    after = counts(_home)
    assert {k: after[k] - before[k] for k in after} == {"department": 0, "unit": 0, "application": 0, "link": 0,
                                                         "event": 1, "import_batch": 1}  # the attempt is logged

    # the same sheet files the applications; committees at one office share one link (Art. 14)
    a = ok("apply", "--batch", str(SAMPLE), "--json").json()
    assert (a["created"], a["unchanged"], a["rejected"], a["batch"]) == (206, 0, 0, 3)
    joined = [i for i in a["items"] if i["joined_link"]]
    rows = list(csv.reader(open(SAMPLE, encoding="utf-8-sig")))[1:]
    shared_addresses = len(rows) - len({r[5] for r in rows})
    assert len(joined) == shared_addresses > 20
    assert sql("SELECT count(*) FROM link") == [(206 - shared_addresses,)]
    assert sql("SELECT count(DISTINCT review_due) FROM application") == [(1,)]
    rerun = ok("apply", "--batch", str(SAMPLE), "--json").json()
    assert (rerun["created"], rerun["unchanged"]) == (0, 206)
    assert counts(_home)["application"] == 206

    # a whole wave approved at once, by another reviewer (separation of duties)
    w = ok("review", "approve", "--all-from-import", "3", "--json", user="bdc.reviewer").json()
    assert w["approved"] == 206 and {x["construction_due"] for x in w["applications"]} == {"2026-10-23"}
    assert {x["status"] for x in ok("review", "list", "--json").json()} == {"approved"}


def test_gb18030_file_with_chinese_headers(tmp_path):
    ok("dept", "add", DEPT)
    header = ["单位名称", "类别", "主管部门", "街镇", "地址", "预算单位", "等保等级", "等保测评日期"]
    path = write_csv(tmp_path / "gbk.csv", header, [
        ["朱家角镇张马村村民委员会", "居村组织", DEPT, "朱家角镇", "青浦区朱家角镇张马村1号", "是", "二级", "2026年3月1日"],
        ["朱家角镇沈巷村村民委员会", "village", DEPT, "朱家角镇", "青浦区朱家角镇沈巷村8号", "否", "3", "2026/3/2"],
    ], encoding="gb18030")
    assert path.read_bytes()[:3] != b"\xef\xbb\xbf"
    r = ok("unit", "import", str(path), "--json").json()
    assert (r["encoding"], r["created"]) == ("gb18030", 2)
    units = ok("unit", "list", "--json").json()
    assert [(u["name"], u["code"], u["budget_unit"], u["mlps_level"], u["mlps_assessed"]) for u in units] == [
        ("朱家角镇张马村村民委员会", "vil0001", True, 2, "2026-03-01"),
        ("朱家角镇沈巷村村民委员会", "vil0002", False, 3, "2026-03-02")]


def test_xlsx_written_by_openpyxl(tmp_path):
    from openpyxl import Workbook

    ok("dept", "add", DEPT)
    wb = Workbook()
    ws = wb.active
    ws.append(["单位名称", "单位代码", "类别", "主管部门", "地址", "等保等级", "等保测评日期", "联系人"])
    ws.append(["朱家角镇张马村村民委员会", "zjj-zhangma", "居村组织", DEPT, "青浦区朱家角镇张马村1号", 2,
               dt.datetime(2026, 3, 1), "=HYPERLINK(\"http://x\",\"点我\")"])
    ws.append([None] * 8)  # an empty row is skipped
    ws.append(["朱家角镇沈巷村村民委员会", "zjj-shenxiang", "village", DEPT, "青浦区朱家角镇沈巷村8号", 3.0,
               dt.date(2026, 3, 2), "沈主任"])
    wb.save(tmp_path / "wave.xlsx")
    r = ok("unit", "import", str(tmp_path / "wave.xlsx"), "--json").json()
    assert (r["encoding"], r["rows"], r["created"]) == ("xlsx", 2, 2)
    first = ok("unit", "show", "zjj-zhangma", "--json").json()
    assert (first["mlps_level"], first["mlps_assessed"]) == (2, "2026-03-01")
    assert first["contact"] == "=HYPERLINK(\"http://x\",\"点我\")"  # stored as text, never evaluated
    assert ok("unit", "show", "zjj-shenxiang", "--json").json()["mlps_level"] == 3


def test_every_bad_row_is_reported_and_nothing_is_written(tmp_path, _home):
    ok("dept", "add", DEPT)
    before = counts(_home)
    path = write_csv(tmp_path / "bad.csv", UNIT_HEADER, [
        village("朱家角镇张马村村民委员会", "zjj-zhangma"),
        village("朱家角镇沈巷村村民委员会", "1-zjj"),                            # line 3: code
        village("朱家角镇王金村村民委员会", "zjj-wangjin", mlps_level="7"),         # line 4: level
        village("朱家角镇任屯村\u202e村民委员会", "zjj-rentun"),                   # line 5: bidi override
        village("朱家角镇东西村村民委员会", "zjj-dongxi", mlps_assessed="2026-02-30", category="club"),  # line 6
        village("朱家角镇张马村村民委员会", "zjj-zhangma2"),                     # line 7: same unit twice
        village("朱家角镇蔡浜村村民委员会", "zjj-caibang", dept="不存在的部门"),     # line 8: unknown dept
        village("朱家角镇莲湖村村民委员会", "zjj-zhangma"),                      # line 9: code of line 2
    ])
    r = run("unit", "import", str(path))
    assert r.code == 3
    lines = r.err.strip().splitlines()
    assert lines[-1] == ("Error: " + str(path) + ": 7 of 8 rows are invalid (line 3, 4, 5, 6, 7, 8, 9); nothing was "
                         "written. Fix them and import again, or use --skip-invalid to write the good rows and save "
                         "the bad ones to a rejects file")
    problems = lines[:-1]
    assert [p.split(": ")[0:2] for p in problems] == [
        ["bad.csv:3", "code"], ["bad.csv:4", "mlps_level"], ["bad.csv:5", "name"], ["bad.csv:6", "category"],
        ["bad.csv:6", "mlps_assessed"], ["bad.csv:7", "name"], ["bad.csv:8", "dept"], ["bad.csv:9", "code"]]
    assert "U+202E" in problems[2] and "2026-02-30" in problems[4] and "also on line 2" in problems[5]
    assert "already used by line 2" in problems[7]
    assert counts(_home) == before  # nothing at all, not even the batch record
    # --json gives scripts the same problems on stdout
    j = run("unit", "import", str(path), "--json")
    assert j.code == 3 and [(p["line"], p["column"]) for p in j.json()["problems"]][:2] == [(3, "code"), (4, "mlps_level")]


def test_skip_invalid_writes_the_good_rows_and_a_rejects_file(tmp_path, _home):
    ok("dept", "add", DEPT)
    path = write_csv(tmp_path / "wave.csv", UNIT_HEADER, [
        village("朱家角镇张马村村民委员会", "zjj-zhangma"),
        village("=cmd|' /C calc'!A0", "=cmd"),
        village("朱家角镇沈巷村村民委员会", "zjj-shenxiang", mlps_level="x"),
        village("朱家角镇王金村村民委员会", "zjj-wangjin"),
    ])
    dry = run("unit", "import", str(path), "--skip-invalid", "--dry-run", "--json")
    assert dry.code == 0 and (dry.json()["created"], dry.json()["rejected"], dry.json()["batch"]) == (2, 2, None)
    assert counts(_home)["unit"] == 0 and not (tmp_path / "wave.rejects.csv").exists()
    r = run("unit", "import", str(path), "--skip-invalid", "--json")
    assert r.code == 4
    assert (r.json()["created"], r.json()["rejected"]) == (2, 2)
    assert r.err == (f"Error: {path}: 2 of 4 rows rejected and saved with their reasons to "
                     f"{tmp_path / 'wave.rejects.csv'}; the others were written\n")
    assert [u["code"] for u in ok("unit", "list", "--json").json()] == ["zjj-zhangma", "zjj-wangjin"]
    rejects = list(csv.reader(open(tmp_path / "wave.rejects.csv", encoding="utf-8-sig")))
    assert rejects[0] == ["line", "reason", *UNIT_HEADER]
    assert [row[0] for row in rejects[1:]] == ["3", "4"]
    assert rejects[1][1].startswith("code: unit code '=cmd' is not a valid device-safe code")
    assert rejects[1][2:4] == ["'=cmd|' /C calc'!A0", "'=cmd"]  # formula cells made inert for spreadsheet programs
    assert rejects[2][1] == "mlps_level: mlps_level 'x' is not a level number (1-5)"


def test_reimport_updates_changed_fields_and_reports_them(tmp_path, _home):
    ok("dept", "add", DEPT)
    path = write_csv(tmp_path / "w.csv", UNIT_HEADER, [village("朱家角镇张马村村民委员会", "zjj-zhangma"),
                                                        village("朱家角镇沈巷村村民委员会", "zjj-shenxiang")])
    ok("unit", "import", str(path))
    write_csv(path, UNIT_HEADER, [village("朱家角镇张马村村民委员会", "zjj-zhangma", mlps_level="3", contact="李主任"),
                                  village("朱家角镇沈巷村村民委员会", "zjj-shenxiang")])
    r = ok("unit", "import", str(path), "--json").json()
    assert (r["created"], r["updated"], r["unchanged"]) == (0, 1, 1)
    assert r["items"][0] == {"line": 2, "name": "朱家角镇张马村村民委员会", "code": "zjj-zhangma", "status": "updated",
                             "changed": ["contact", "mlps_level"]}
    shown = ok("unit", "show", "zjj-zhangma", "--json").json()
    assert (shown["mlps_level"], shown["contact"]) == (3, "李主任")
    update = [e for e in shown["events"] if e["action"] == "update"][0]
    assert update["before"] == {"contact": "张主任", "mlps_level": 2}
    assert update["after"] == {"contact": "李主任", "mlps_level": 3, "batch": 2}


@pytest.mark.parametrize("content, message", [
    (b"", "the file is empty"),
    (b"name,colour\r\nx,y\r\n", "column 'colour' is unknown"),
    (b"name,\xe5\x90\x8d\xe7\xa7\xb0\r\nx,y\r\n", "column '名称' appears twice (as name)"),
    (b"category\r\nvillage\r\n", "required column name is missing"),
    (b"name,code\r\n\"unterminated,x\r\n", "not valid CSV"),
    (b"name\r\n\xff\xfe\xfa\r\n", "is neither UTF-8 nor GB18030"),
    (b"name,code\r\na,b,c\r\n", None),
])
def test_malformed_files_get_one_error(tmp_path, content, message, _home):
    ok("dept", "add", DEPT)
    path = tmp_path / "f.csv"
    path.write_bytes(content)
    r = fails(3, "unit", "import", str(path)) if message else run("unit", "import", str(path))
    if message:
        assert message in r.err
    else:
        assert r.code == 3 and "f.csv:2: -: more cells than columns (extra 'c')" in r.err
    assert counts(_home)["unit"] == 0


def test_unknown_file_type_and_missing_file(tmp_path):
    (tmp_path / "w.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    assert "unknown file type '.xls'" in fails(3, "unit", "import", str(tmp_path / "w.xls")).err
    assert "file not found" in fails(1, "unit", "import", str(tmp_path / "nope.csv")).err  # not found: exit 1
    (tmp_path / "broken.xlsx").write_bytes(b"not a zip")
    assert "not a readable XLSX workbook" in fails(3, "unit", "import", str(tmp_path / "broken.xlsx")).err


APP_HEADER = ["unit", "basis", "scope", "mode", "purpose", "bandwidth", "technical", "time_requirement", "cost_bearer"]
APP_ROW = ["区政府工作要求", "村委会办公区", "dedicated", "一网通办", "50", "光纤接入", "尽快", "budget"]


def test_apply_batch_is_all_or_nothing(tmp_path, _home):
    ok("dept", "add", DEPT)
    ok("unit", "import", str(write_csv(tmp_path / "u.csv", UNIT_HEADER, [
        village("朱家角镇张马村村民委员会", "zjj-zhangma"), village("朱家角镇沈巷村村民委员会", "zjj-shenxiang"),
        village("朱家角镇王金村村民委员会", "zjj-wangjin", address="青浦区朱家角镇王金村9号")])))
    before = counts(_home)
    bad = write_csv(tmp_path / "a.csv", APP_HEADER, [
        ["zjj-zhangma", *APP_ROW],
        ["zjj-shenxiang", *APP_ROW[:4], "fast", *APP_ROW[5:]],
        ["zjj-nobody", *APP_ROW],
        ["zjj-wangjin", "", *APP_ROW[1:2], "satellite", *APP_ROW[3:]],
    ])
    r = run("apply", "--batch", str(bad))
    assert r.code == 3
    assert [ln.split(": ")[:2] for ln in r.err.splitlines()[:-1]] == [
        ["a.csv:3", "bandwidth"], ["a.csv:5", "basis"], ["a.csv:4", "unit"]]
    assert "a.csv: 3 of 4 rows are invalid (line 3, 4, 5); nothing was written" in r.err.splitlines()[-1]
    assert counts(_home) == before
    good = write_csv(tmp_path / "a.csv", APP_HEADER, [["zjj-zhangma", *APP_ROW], ["朱家角镇沈巷村村民委员会", *APP_ROW],
                                                      ["zjj-wangjin", *APP_ROW]])
    r = ok("apply", "--batch", str(good), "--json").json()
    assert [(i["unit"], i["link"], i["joined_link"]) for i in r["items"]] == [
        ("朱家角镇张马村村民委员会", 1, False), ("朱家角镇沈巷村村民委员会", 1, True), ("朱家角镇王金村村民委员会", 2, False)]
    assert r["items"][0]["review_due"] == "2026-10-10"  # 5 working days across National Day and the 调休 Saturday
    assert ok("apply", "--batch", str(good), "--json").json()["unchanged"] == 3


def test_approve_batch_file_all_or_none(tmp_path, _home):
    ok("dept", "add", DEPT)
    ok("unit", "import", str(write_csv(tmp_path / "u.csv", UNIT_HEADER, [
        village("朱家角镇张马村村民委员会", "zjj-zhangma"),
        village("朱家角镇沈巷村村民委员会", "zjj-shenxiang", address="青浦区朱家角镇沈巷村2号", mlps_level="",
                mlps_assessed="")])))
    ok("apply", "--batch", str(write_csv(tmp_path / "a.csv", APP_HEADER, [
        ["zjj-zhangma", *APP_ROW], ["zjj-shenxiang", *APP_ROW]])))
    ids = write_csv(tmp_path / "ok.csv", ["申请编号"], [["1"], ["2"]])
    r = run("review", "approve", "--batch", str(ids), user="bdc.reviewer")
    assert r.code == 3
    assert r.err.startswith(f"Error: {ids}: 1 of 2 applications cannot be approved; none was: line 3: application 2: "
                            "application 2 cannot be approved: unit 朱家角镇沈巷村村民委员会 has no MLPS")
    assert {a["status"] for a in ok("review", "list", "--json").json()} == {"submitted"}
    by_unit = write_csv(tmp_path / "units.csv", ["单位名称"], [["朱家角镇张马村村民委员会"]])
    w = ok("review", "approve", "--batch", str(by_unit), "--json", user="bdc.reviewer").json()
    assert [(a["id"], a["unit"]) for a in w["applications"]] == [(1, "朱家角镇张马村村民委员会")]
    # the filer may not approve its own wave (separation of duties, Art. 10, 12)
    assert "separation of duties" in fails(3, "review", "approve", "--all-from-import", "2").err
    assert "give one application ID, or --batch FILE" in fails(2, "review", "approve").err


def test_formula_and_control_cells_are_text_and_never_reach_a_device(tmp_path, lab):
    ok("dept", "add", DEPT)
    name = "=cmd|' /C calc'!A0 张马村"
    path = write_csv(tmp_path / "u.csv", UNIT_HEADER, [village(name, "zjj-zhangma", contact="@SUM(1+1)\x07")])
    r = run("unit", "import", str(path))
    assert r.code == 3 and "u.csv:2: contact: contact '@SUM(1+1)\\x07' contains the control or format character U+0007" in r.err
    write_csv(path, UNIT_HEADER, [village(name, "zjj-zhangma", contact="+86-21-5920")])
    ok("unit", "import", str(path))
    assert ok("unit", "show", "zjj-zhangma", "--json").json()["name"] == name  # stored as text
    ok("apply", "--batch", str(write_csv(tmp_path / "a.csv", APP_HEADER, [[name, *APP_ROW]])))
    ok("review", "approve", "--all-from-import", "2", user="bdc.reviewer")
    row = ok("provision", "1", "--dry-run", "--json").json()["results"][0]
    assert row["commands"] and not any("=" in c or "calc" in c or "张" in c for c in row["commands"])
    assert "description egov-L1-A1-zjj-zhangma" in [c.strip() for c in row["commands"]]
