import pytest

from conftest import DEPT, fails, ok, run


def test_dept_add_and_list():
    assert ok("dept", "add", DEPT, "--contact", "信息办").out == "1\n"
    assert ok("dept", "list", "--json").json() == [{"id": 1, "name": DEPT, "contact": "信息办", "units": 0}]
    r = fails(1, "dept", "add", DEPT)
    assert r.err == f"Error: department '{DEPT}' already exists; see 'egovnet dept list'\n"


def test_dept_add_needs_bdc():
    r = fails(3, "dept", "add", "区农业农村委", user="dept.agri")
    assert r.err.startswith("Error: user 'dept.agri' may not maintain the department directory: that needs role "
                            "'bdc' (区大数据中心) (Art. 7)")
    r = fails(3, "dept", "add", "区农业农村委", user="root")
    assert "'root' has no role" in r.err and "roles.users" in r.err


def test_unit_add_show_update_list(directory):
    u = ok("unit", "show", "zjj-zhangma", "--json").json()
    assert {k: u[k] for k in u if k not in ("events", "applications")} == {
        "id": 1, "name": "朱家角镇张马村村民委员会", "code": "zjj-zhangma", "category": "village", "dept": DEPT,
        "town": "朱家角镇", "address": "青浦区朱家角镇张马村沈太路1号", "budget_unit": True, "mlps_level": 2,
        "mlps_assessed": "2026-03-01", "mlps_valid_until": "2028-03-01", "contact": "", "justification": "",
    }
    assert [e["action"] for e in u["events"]] == ["create"]
    r = ok("unit", "update", "朱家角镇张马村村民委员会", "--mlps-level", "3", "--mlps-assessed", "2026-06-30", "--json")
    assert r.json()["changed"] == ["mlps_assessed", "mlps_level", "mlps_valid_until"]
    assert r.json()["mlps_valid_until"] == "2027-06-30"
    again = ok("unit", "update", "zjj-zhangma", "--mlps-level", "3", "--json").json()
    assert again["changed"] == []
    events = ok("unit", "show", "zjj-zhangma", "--json").json()["events"]
    assert events[0]["action"] == "update" and events[0]["article"] == 9
    assert events[0]["before"] == {"mlps_level": 2, "mlps_assessed": "2026-03-01", "mlps_valid_until": "2028-03-01"}
    assert [u["code"] for u in ok("unit", "list", "--json").json()] == ["zjj-zhangma", "zjj-zhangma-ws", "zjj-anzhuang"]
    assert ok("unit", "list", "--category", "soe", "--json").json() == []
    table = ok("unit", "list").out
    assert "朱家角镇安庄村村民委员会" in table and "zjj-anzhuang" in table


def test_code_is_generated_when_not_given():
    ok("dept", "add", DEPT)
    ok("unit", "add", "重固镇章堰村村民委员会", "--category", "village", "--dept", DEPT)
    ok("unit", "add", "青浦区档案馆", "--category", "agency", "--dept", DEPT)
    assert [u["code"] for u in ok("unit", "list", "--json").json()] == ["vil0001", "age0001"]


@pytest.mark.parametrize("name,why", [
    ("张马村\n quit", "U+000A"),
    ("张马村\r", None),  # trailing CR is trimmed as white space ...
    ("张马\r村", "U+000D"),
    ("张马\x00村", "U+0000"),
    ("张马\x1b[31m村", "U+001B"),
    ("张马\u2028村", "U+2028"),
    ("张马\u202e村", "U+202E"),
    ("张马\u200b村", "U+200B"),
    ("张马\t村", "U+0009"),
])
def test_unit_names_are_one_line_of_printable_text(name, why):
    ok("dept", "add", DEPT)
    r = run("unit", "add", name, "--category", "village", "--dept", DEPT)
    if why is None:
        assert r.code == 0, r.err
        assert ok("unit", "list", "--json").json()[0]["name"] == "张马村"
        return
    assert r.code == 3, r.err
    assert r.err.count("\n") == 1 and r.err.startswith("Error: unit name ")
    assert f"contains the control or format character {why}" in r.err
    assert ok("unit", "list", "--json").json() == []


def test_unit_name_limits_and_normalisation():
    ok("dept", "add", DEPT)
    r = fails(3, "unit", "add", "村" * 65, "--category", "village", "--dept", DEPT)
    assert "is 65 characters long; at most 64 are allowed" in r.err
    fails(3, "unit", "add", "   ", "--category", "village", "--dept", DEPT)
    # NFD input is stored NFC, so the same name cannot be added twice under two encodings
    ok("unit", "add", "Cafe\u0301村", "--category", "village", "--dept", DEPT)
    r = fails(1, "unit", "add", "Caf\u00e9村", "--category", "village", "--dept", DEPT)
    assert "already exists" in r.err


@pytest.mark.parametrize("code", ["1abc", "a b", "abc;quit", "a" * 32, "张马", "a\nb", "-x", ""])
def test_bad_codes_are_refused(code):
    ok("dept", "add", DEPT)
    r = fails(3, "unit", "add", "张马村", "--category", "village", "--dept", DEPT, "--code", code)
    assert "is not a valid device-safe code" in r.err and "^[A-Za-z][A-Za-z0-9_-]{0,30}$" in r.err


def test_category_rules():
    ok("dept", "add", DEPT)
    r = fails(3, "unit", "add", "某公司", "--category", "company", "--dept", DEPT)
    assert r.err.startswith("Error: unit category 'company' is not one Art. 9 allows; use one of agency")
    r = fails(3, "unit", "add", "某协会", "--category", "other", "--dept", DEPT)
    assert r.err == ("Error: unit '某协会' of category 'other' (其他确有需要的单位) needs a written justification "
                     "(Art. 9（三）); give --justification TEXT\n")
    ok("unit", "add", "某协会", "--category", "other", "--dept", DEPT, "--justification", "支撑镇级业务主管部门履职")
    r = fails(3, "unit", "update", "某协会", "--justification", "")
    assert "needs a written justification" in r.err
    assert ok("unit", "show", "某协会", "--json").json()["justification"] == "支撑镇级业务主管部门履职"


def test_unknown_dept_and_unit():
    r = fails(1, "unit", "add", "张马村", "--category", "village", "--dept", "区不存在局")
    assert r.err == "Error: department '区不存在局' not found; add it with 'egovnet dept add 区不存在局'\n"
    r = fails(1, "unit", "show", "nobody")
    assert r.err == "Error: unit 'nobody' not found (by name or code); see 'egovnet unit list'\n"


def test_dept_user_acts_for_its_own_department_only():
    ok("dept", "add", DEPT)
    ok("dept", "add", "区农业农村委")
    ok("unit", "add", "张马村", "--category", "village", "--dept", DEPT, user="dept.zhujiajiao")
    r = fails(3, "unit", "add", "某合作社", "--category", "other", "--justification", "x", "--dept", DEPT,
              user="dept.agri")
    assert "belongs to '朱家角镇人民政府', and a department files for its own units (Art. 10)" in r.err


def test_mlps_level_range(directory):
    r = fails(3, "unit", "update", "zjj-zhangma", "--mlps-level", "7")
    assert "MLPS level 7 is out of range; 等级保护 levels are 1 to 5 (Art. 13)" in r.err
    r = fails(2, "unit", "update", "zjj-zhangma", "--mlps-assessed", "2026-02-31")
    assert "--mlps-assessed '2026-02-31' is not a date" in r.err
