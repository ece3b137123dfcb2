"""What a newcomer meets first, as the README tells it: history in `review show`, summaries, help, exits."""

from __future__ import annotations

from conftest import DEPT, TODAY, add_unit, fails, file_app, ok


def test_review_show_prints_the_history_newest_first(directory):
    app = file_app("zjj-zhangma")
    ok("review", "approve", str(app["id"]), user="bdc.reviewer")
    r = ok("review", "show", str(app["id"]))
    lines = r.out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip().startswith("history (newest first"))
    rows = [line for line in lines[start:] if "│" in line]
    assert [[c.strip() for c in row.strip("│ ").split("│")][:6] for row in rows] == [
        [TODAY, rows[0].split("│")[2].strip(), "bdc.reviewer", "bdc", "approve", "12"],
        [TODAY, rows[1].split("│")[2].strip(), "dept.zhujiajiao", "dept", "file", "11"]]
    assert "status approved" in rows[0]


def test_usage_import_summary_names_no_batch(tmp_path, lab):
    ok("dept", "add", DEPT)
    add_unit("朱家角镇张马村村民委员会", "zjj-zhangma")
    app = file_app("zjj-zhangma")
    ok("review", "approve", str(app["id"]), user="bdc.reviewer")
    ok("provision", str(app["id"]), "--yes")
    path = tmp_path / "u.csv"
    path.write_text(f"link,date,bytes_in,bytes_out\nL1,{TODAY},10,20\n", encoding="utf-8")
    r = ok("usage", "import", str(path))
    assert r.err.splitlines()[-1] == f"{path} (utf-8, 1 rows): days: 1 created, 0 updated, 0 unchanged, 0 rejected (written)"


def test_json_flags_read_as_flags_in_help():
    for args in (("review", "list", "--help"), ("device", "capacity", "--help"), ("provision", "--help")):
        out = ok(*args).out
        assert "--json" in out and "<bool>" not in out and "BOOLEAN" not in out


def test_a_missing_file_is_not_found(tmp_path):
    r = fails(1, "unit", "import", str(tmp_path / "nonexistent.csv"))
    assert r.err == f"Error: {tmp_path / 'nonexistent.csv'}: file not found; check the path\n"
    fails(1, "usage", "import", str(tmp_path / "nonexistent.csv"))
