"""Security checks and assessments (Art. 13, 21): the register, unit MLPS kept in step, and `audit security`."""

import pytest

from conftest import DEPT, fails, file_app, ok, run, sql

A, B, C = "朱家角镇张马村村民委员会", "朱家角镇安庄村村民委员会", "朱家角镇沈巷村村民委员会"


def unit(name: str, code: str, address: str, level: str, assessed: str) -> None:
    ok("unit", "add", name, "--category", "village", "--dept", DEPT, "--code", code, "--town", "朱家角镇",
       "--address", address, "--mlps-level", level, "--mlps-assessed", assessed)


@pytest.fixture
def active(lab):
    """Units A (MLPS 3, assessed 2025-12-31: valid 12 months) and B (MLPS 2, assessed 2025-02-15: 24 months), each
    on its own active link opened on the lab; unit C has no link."""
    ok("dept", "add", DEPT)
    unit(A, "zjj-zhangma", "青浦区朱家角镇张马村1号", "3", "2025-12-31")
    unit(B, "zjj-anzhuang", "青浦区朱家角镇安庄村1号", "2", "2025-02-15")
    unit(C, "zjj-sx", "青浦区朱家角镇沈巷村1号", "2", "2023-01-01")
    for code in ("zjj-zhangma", "zjj-anzhuang"):
        ok("review", "approve", str(file_app(code)["id"]), user="bdc.reviewer")
    ok("provision", "1", "2", "--yes")
    assert [(r[0], r[1]) for r in sql("SELECT id, status FROM link ORDER BY id")] == [(1, "active"), (2, "active")]
    return lab


def check(*args, user=None) -> dict:
    return ok("security", "check", "record", *args, "--json", user=user).json()


def test_record_and_list_whole_objects_and_follow_up():
    ok("dept", "add", DEPT)
    unit(A, "zjj-zhangma", "青浦区朱家角镇张马村1号", "2", "2026-03-01")
    failed = check("zjj-zhangma", "--kind", "bdc_check", "--date", "2026-09-01", "--result", "fail",
                   "--findings", "核心交换机使用弱口令")
    assert failed == {"id": 2, "unit": A, "code": "zjj-zhangma", "kind": "bdc_check", "date": "2026-09-01",
                      "result": "fail", "level": None, "findings": "核心交换机使用弱口令", "follow_up_of": None,
                      "source": "check", "recorded_by": "bdc.engineer", "unit_updated": False}
    # a later check of the same kind follows the open failure up by itself
    again = check("zjj-zhangma", "--kind", "bdc_check", "--date", "2026-09-20", "--result", "pass")
    assert (again["id"], again["follow_up_of"]) == (3, 2)
    rows = ok("security", "check", "list", "--unit", "zjj-zhangma", "--json").json()
    assert rows == [
        {"id": 1, "unit": A, "code": "zjj-zhangma", "kind": "mlps_assessment", "date": "2026-03-01", "result": "pass",
         "level": 2, "findings": "", "follow_up_of": None, "source": "unit_add", "recorded_by": "bdc.engineer",
         "followed_up_by": None},
        {**{k: v for k, v in failed.items() if k != "unit_updated"}, "followed_up_by": 3},
        {"id": 3, "unit": A, "code": "zjj-zhangma", "kind": "bdc_check", "date": "2026-09-20", "result": "pass",
         "level": None, "findings": "", "follow_up_of": 2, "source": "check", "recorded_by": "bdc.engineer",
         "followed_up_by": None}]
    events = [e for e in ok("log", "list", "--json").json() if e["object"].startswith("assessment:")]
    assert [(e["object"], e["action"], e["article"]) for e in events] == [
        ("assessment:3", "record", 21), ("assessment:2", "record", 21), ("assessment:1", "record", 13)]
    # a follow-up of a check that passed, or one already followed up, is refused
    assert fails(3, "security", "check", "record", "zjj-zhangma", "--kind", "bdc_check", "--date", "2026-09-21",
                 "--result", "pass", "--follow-up-of", "3").err == (
        "Error: check 3 has result pass; only a failed check needs a follow-up (Art. 21)\n")
    assert fails(3, "security", "check", "record", "zjj-zhangma", "--kind", "bdc_check", "--date", "2026-09-21",
                 "--result", "pass", "--follow-up-of", "2").err == (
        "Error: check 2 was already followed up; see 'egovnet security check list --unit zjj-zhangma'\n")
    assert sql("SELECT count(*) FROM assessments") == [(3,)]


@pytest.mark.parametrize("args, code, error", [
    (["--kind", "bdc_check", "--date", "2026-09-01", "--result", "fail"], 3,
     "a bdc_check with result fail needs --findings TEXT: what was found, so that the follow-up can be checked "
     "against it (Art. 21)"),
    (["--kind", "bdc_check", "--date", "2026-09-29", "--result", "pass"], 3,
     "bdc_check date 2026-09-29 is after today (2026-09-28); record a check once it has been made"),
    (["--kind", "risk_assessment", "--date", "2026-09-01", "--result", "pass", "--level", "3"], 3,
     "--level is the MLPS level of an mlps_assessment; a risk_assessment has none"),
    (["--kind", "mlps_assessment", "--date", "2026-09-01", "--result", "pass", "--level", "6"], 3,
     "MLPS level 6 is out of range; 等级保护 levels are 1 to 5 (Art. 13)"),
    (["--kind", "bdc_check", "--date", "2026-02-30", "--result", "pass"], 2, None),
    (["--kind", "bdc_check", "--date", "2026-09-01", "--result", "pass", "--findings", "a\x07b"], 3,
     "findings contains the control or format character U+0007; remove it"),
])
def test_bad_records_are_refused_and_nothing_written(args, code, error):
    ok("dept", "add", DEPT)
    unit(A, "zjj-zhangma", "青浦区朱家角镇张马村1号", "2", "2026-03-01")
    r = run("security", "check", "record", "zjj-zhangma", *args)
    assert r.code == code, r.err
    if error:
        assert r.err == f"Error: {error}\n"
    assert sql("SELECT count(*) FROM assessments") == [(1,)]


def test_roles_bdc_checks_departments_report_their_units_assessments():
    ok("dept", "add", DEPT)
    ok("dept", "add", "区农业农村委")
    unit(A, "zjj-zhangma", "青浦区朱家角镇张马村1号", "2", "2026-03-01")
    r = fails(3, "security", "check", "record", "zjj-zhangma", "--kind", "bdc_check", "--date", "2026-09-01",
              "--result", "pass", user="dept.zhujiajiao")
    assert r.err.startswith("Error: user 'dept.zhujiajiao' may not record a bdc_check: that needs role 'bdc' "
                            "(区大数据中心) (Art. 21)")
    assert check("zjj-zhangma", "--kind", "risk_assessment", "--date", "2026-09-01", "--result", "pass",
                 user="dept.zhujiajiao")["recorded_by"] == "dept.zhujiajiao"
    r = fails(3, "security", "check", "record", "zjj-zhangma", "--kind", "risk_assessment", "--date", "2026-09-01",
              "--result", "pass", user="dept.agri")
    assert r.err == ("Error: user 'dept.agri' of department '区农业农村委' may not record an assessment of unit "
                     f"'{A}': it belongs to '{DEPT}', and a department files for its own units (Art. 10)\n")


def test_unit_mlps_and_register_stay_in_step():
    ok("dept", "add", DEPT)
    unit(A, "zjj-zhangma", "青浦区朱家角镇张马村1号", "2", "2025-03-01")
    # unit update with MLPS data records the same assessment
    ok("unit", "update", "zjj-zhangma", "--mlps-level", "3", "--mlps-assessed", "2026-06-01")
    rows = ok("security", "check", "list", "--kind", "mlps_assessment", "--json").json()
    assert [(r["date"], r["level"], r["result"], r["source"]) for r in rows] == [
        ("2025-03-01", 2, "pass", "unit_add"), ("2026-06-01", 3, "pass", "unit_update")]
    ok("unit", "update", "zjj-zhangma", "--contact", "王主任")  # no MLPS change: nothing recorded
    assert sql("SELECT count(*) FROM assessments") == [(2,)]
    # a newer assessment recorded as a check becomes the unit's record; an older one or a failed one does not
    newer = check("zjj-zhangma", "--kind", "mlps_assessment", "--date", "2026-09-10", "--result", "issues",
                  "--findings", "日志留存不足6个月")
    assert (newer["level"], newer["unit_updated"]) == (3, True)
    u = ok("unit", "show", "zjj-zhangma", "--json").json()
    assert (u["mlps_level"], u["mlps_assessed"], u["mlps_valid_until"]) == (3, "2026-09-10", "2027-09-10")
    assert check("zjj-zhangma", "--kind", "mlps_assessment", "--date", "2026-07-01", "--result", "pass",
                 "--level", "2")["unit_updated"] is False
    assert check("zjj-zhangma", "--kind", "mlps_assessment", "--date", "2026-09-20", "--result", "fail",
                 "--findings", "未通过")["unit_updated"] is False
    u = ok("unit", "show", "zjj-zhangma", "--json").json()
    assert (u["mlps_level"], u["mlps_assessed"]) == (3, "2026-09-10")
    unit_events = [e for e in ok("log", "list", "--json").json() if e["object"] == "unit:1" and e["article"] == 13]
    assert [e["after"] for e in unit_events] == [{"mlps_assessed": "2026-09-10", "mlps_valid_until": "2027-09-10",
                                                  "assessment": 3}]


def audit(day: str, code: int = 4) -> dict:
    r = run("audit", "security", "--as-of", day, "--json")
    assert r.code == code, r.err
    return r.json()


def test_audit_security_across_a_year_end(active):
    for code in ("zjj-zhangma", "zjj-anzhuang"):
        check(code, "--kind", "bdc_check", "--date", "2025-12-31", "--result", "pass")
        check(code, "--kind", "risk_assessment", "--date", "2026-01-05", "--result", "pass")
    # 2026-12-15: A's MLPS (until 2026-12-31) is due within the 60-day window, B's (until 2027-02-15) is not yet
    assert audit("2026-12-15") == {"as_of": "2026-12-15", "mlps_due_until": "2027-02-13", "findings": [
        {"unit": A, "code": "zjj-zhangma", "links": [1], "finding": "mlps_due", "kind": "mlps_assessment",
         "last": "2025-12-31", "due": "2026-12-31", "days_left": 16, "article": 13, "level": 3}]}
    r = run("audit", "security", "--as-of", "2026-12-15")
    assert r.code == 4 and r.err == ("1 findings as of 2026-12-15; record checks with 'egovnet security check "
                                     "record UNIT'\n")
    # 2026-12-31: A's assessment expired that day and its BDC check is a year old; B is due
    at = audit("2026-12-31")
    assert [(f["code"], f["finding"], f["due"], f["days_left"]) for f in at["findings"]] == [
        ("zjj-zhangma", "mlps_expired", "2026-12-31", 0), ("zjj-anzhuang", "bdc_check_overdue", "2026-12-31", 0),
        ("zjj-zhangma", "bdc_check_overdue", "2026-12-31", 0), ("zjj-anzhuang", "mlps_due", "2027-02-15", 46)]
    # 2027-01-06, after the year end: both risk assessments (2026-01-05) are overdue too
    after = audit("2027-01-06")
    assert [(f["code"], f["finding"], f["last"], f["due"], f["days_left"]) for f in after["findings"]] == [
        ("zjj-zhangma", "mlps_expired", "2025-12-31", "2026-12-31", -6),
        ("zjj-anzhuang", "bdc_check_overdue", "2025-12-31", "2026-12-31", -6),
        ("zjj-zhangma", "bdc_check_overdue", "2025-12-31", "2026-12-31", -6),
        ("zjj-anzhuang", "risk_assessment_overdue", "2026-01-05", "2027-01-05", -1),
        ("zjj-zhangma", "risk_assessment_overdue", "2026-01-05", "2027-01-05", -1),
        ("zjj-anzhuang", "mlps_due", "2025-02-15", "2027-02-15", 40)]
    # unit C (MLPS expired in 2024, no checks) has no link: not judged
    assert "zjj-sx" not in {f["code"] for f in after["findings"]}
    # before the year end everything is in time: exit 0, nothing listed
    clean = audit("2026-09-28", code=0)
    assert clean["findings"] == []
    r = run("audit", "security")
    assert (r.code, r.out, r.err) == (0, "", "nothing due as of 2026-09-28\n")


def test_audit_security_missing_checks_and_failures_without_follow_up(active):
    r = audit("2026-09-28")
    assert [(f["code"], f["finding"]) for f in r["findings"]] == [
        ("zjj-anzhuang", "bdc_check_missing"), ("zjj-zhangma", "bdc_check_missing"),
        ("zjj-anzhuang", "risk_assessment_missing"), ("zjj-zhangma", "risk_assessment_missing")]
    for code in ("zjj-zhangma", "zjj-anzhuang"):
        check(code, "--kind", "risk_assessment", "--date", "2026-09-01", "--result", "pass")
        check(code, "--kind", "bdc_check", "--date", "2026-09-01", "--result", "pass")
    failed = check("zjj-sx", "--kind", "bdc_check", "--date", "2026-09-10", "--result", "fail",
                   "--findings", "终端未安装防病毒软件")
    # a failed check stays listed for any unit, linked or not, until a later record follows it up
    assert audit("2026-09-28")["findings"] == [
        {"unit": C, "code": "zjj-sx", "links": [], "finding": "fail_without_follow_up", "kind": "bdc_check",
         "last": "2026-09-10", "due": None, "days_left": None, "article": 21, "check": failed["id"],
         "findings": "终端未安装防病毒软件"}]
    # as of a day before the failure, it is not known yet
    assert audit("2026-09-05", code=0)["findings"] == []
    check("zjj-sx", "--kind", "bdc_check", "--date", "2026-09-25", "--result", "pass", "--follow-up-of",
          str(failed["id"]))
    assert audit("2026-09-28", code=0)["findings"] == []


def test_audit_security_bad_date_is_a_usage_error():
    r = run("audit", "security", "--as-of", "2026-13-01")
    assert r.code == 2 and r.err.startswith("Error: ")


def test_upgrade_to_0012_registers_the_mlps_assessments_on_record(tmp_path):
    """A database from before the register: each unit's MLPS fields become its first assessment (Art. 13)."""
    from alembic import command
    from sqlalchemy import text

    from conftest import db_url
    from egovnet.state.db import HEAD_REVISION, alembic_config, make_engine, upgrade

    engine = make_engine(db_url())
    try:
        with engine.begin() as conn:
            command.upgrade(alembic_config(engine, conn), "0011")
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO department (id, name, contact, created_at) VALUES (1, 'd', '', "
                              "'2026-01-01')"))
            for uid, level, day in ((1, 3, "'2025-12-31'"), (2, None, "NULL"), (3, 2, "NULL")):
                conn.execute(text(
                    "INSERT INTO unit (id, name, code, category, dept_id, town, address, address_key, budget_unit, "
                    "mlps_level, mlps_assessed, contact, justification, created_at, updated_at) VALUES "
                    f"({uid}, 'u{uid}', 'u{uid}', 'village', 1, '', '', '', :yes, :level, {day}, '', '', "
                    "'2026-01-01', '2026-01-01')"), {"yes": True, "level": level})
        assert upgrade(engine, tmp_path)["to"] == HEAD_REVISION
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT unit_id, kind, date, result, level, source, follow_up_of FROM "
                                     "assessments")).all()
        assert [(r[0], r[1], str(r[2]), r[3], r[4], r[5], r[6]) for r in rows] == [
            (1, "mlps_assessment", "2025-12-31", "pass", 3, "migration", None)]
    finally:
        engine.dispose()
