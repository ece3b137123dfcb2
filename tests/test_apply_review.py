import pytest

from conftest import APPLY_ARGS, DEPT, fails, file_app, ok, run


def test_apply_and_show_whole_object(directory):
    a = file_app("zjj-zhangma")
    assert a["id"] == 1 and a["review_due"] == "2026-10-10"
    shown = ok("review", "show", "1", "--json").json()
    events = shown.pop("events")
    assert shown == {
        "id": 1, "unit": "朱家角镇张马村村民委员会", "unit_code": "zjj-zhangma", "dept": DEPT, "status": "submitted",
        "kind": "new", "reopen_reason": None, "mode": "dedicated", "bandwidth_mbps": 50, "received_on": "2026-09-28",
        "review_due": "2026-10-10", "decided_on": None, "decided_by": None, "decision": None, "reason": None,
        "construction_due": None, "clock": "review", "days_left": 5, "overdue": False, "provisional": False,
        "link_id": 1, "shared_link": None, "filed_by": "dept.zhujiajiao", "cost_bearer": "budget",
        "basis": "区政府工作要求", "scope": "村委会办公区", "purpose": "一网通办", "technical": "光纤接入",
        "time_requirement": "尽快", "features": {}, "separate_link_reason": None, "extensions": [],
    }
    assert [(e["action"], e["actor"], e["role"], e["article"]) for e in events] == [
        ("file", "dept.zhujiajiao", "dept", 11)]


def test_apply_prints_the_id_and_a_message(directory):
    r = ok("apply", "--unit", "zjj-zhangma", *APPLY_ARGS, user="dept.zhujiajiao")
    assert r.out == "1\n"
    assert r.err == "filed application 1 for 朱家角镇张马村村民委员会; review due 2026-10-10 (Art. 12)\n"


def test_missing_fields_are_all_named_and_nothing_is_written(directory):
    r = fails(3, "apply", "--unit", "zjj-zhangma", "--basis", "x", "--mode", "dedicated", user="dept.zhujiajiao")
    assert r.err == ("Error: application for unit 'zjj-zhangma' lacks 接入范围 scope, 应用用途 purpose, "
                     "带宽 bandwidth_mbps, 技术要求 technical, 时间要求 time_requirement, 费用承担方式 cost_bearer "
                     "(Art. 11 requires them); add them and file again\n")
    assert ok("review", "list", "--json").json() == []


@pytest.mark.parametrize("option,value,expect", [
    ("--mode", "satellite", "link mode 'satellite' is not one Art. 14 provides"),
    ("--bandwidth", "fast", "bandwidth_mbps 'fast' is not a whole number"),
    ("--bandwidth", "0", "bandwidth_mbps 0 is out of range"),
    ("--cost-bearer", "province", "cost_bearer 'province' must be 'budget'"),
    ("--received-on", "2026-09-29", "received-on 2026-09-29 is after today (2026-09-28)"),
])
def test_bad_values(directory, option, value, expect):
    args = list(APPLY_ARGS)
    if option in args:
        args[args.index(option) + 1] = value
    else:
        args += [option, value]
    r = fails(3, "apply", "--unit", "zjj-zhangma", *args, user="dept.zhujiajiao")
    assert expect in r.err
    assert ok("review", "list", "--json").json() == []


def test_only_dept_or_bdc_files(directory):
    r = fails(3, "apply", "--unit", "zjj-zhangma", *APPLY_ARGS, user="office.duty")
    assert "may not file an application: that needs role 'dept' (业务主管部门) or 'bdc' (区大数据中心) (Art. 10)" in r.err


def test_shared_link_per_normalised_address(directory):
    first = file_app("zjj-zhangma")
    second = file_app("zjj-zhangma-ws")  # same address written with 上海市, a space and a full-width digit
    assert first["shared_link"] is None
    assert second["shared_link"] == {"link": first["link_id"], "address": "青浦区朱家角镇张马村沈太路1号",
                                     "status": "requested", "units": ["朱家角镇张马村村民委员会"]}
    ok("unit", "update", "zjj-anzhuang", "--mlps-level", "2", "--mlps-assessed", "2026-01-01")
    third = file_app("zjj-anzhuang")
    assert third["shared_link"] is None and third["link_id"] != first["link_id"]


def test_separate_link_needs_a_reason(directory):
    file_app("zjj-zhangma")
    r = fails(3, "apply", "--unit", "zjj-zhangma-ws", *APPLY_ARGS, "--separate-link", " ", user="dept.zhujiajiao")
    assert "separate-link reason is empty" in r.err
    a = file_app("zjj-zhangma-ws", "--separate-link", "卫生室医疗专网需物理隔离")
    assert a["shared_link"] is None and a["link_id"] == 2


def test_one_open_application_per_unit(directory):
    file_app("zjj-zhangma")
    r = fails(1, "apply", "--unit", "zjj-zhangma", *APPLY_ARGS, user="dept.zhujiajiao")
    assert "already has application 1 (submitted)" in r.err


def test_other_category_needs_justification_at_filing(directory):
    ok("unit", "add", "某协会", "--category", "other", "--dept", DEPT, "--justification", "支撑履职",
       "--mlps-level", "2", "--mlps-assessed", "2026-03-01")
    # the justification cannot be blanked afterwards, so eligibility holds at filing
    fails(3, "unit", "update", "某协会", "--justification", "")
    assert file_app("某协会")["status"] == "submitted"


def test_apply_from_file(directory, tmp_path):
    f = tmp_path / "application.yaml"
    f.write_text("unit: zjj-zhangma\nbasis: 工作要求\nscope: 办公区\nmode: vpn\npurpose: 一网统管\n"
                 "bandwidth_mbps: 20\ntechnical: VPN\ntime_requirement: 11月底前\ncost_bearer: budget\n"
                 "received_on: 2026-09-25\nnat:\n  basis: 视频会议系统需要地址转换\n", encoding="utf-8")
    a = ok("apply", "--file", str(f), "--bandwidth", "30", "--json", user="dept.zhujiajiao").json()
    assert (a["mode"], a["bandwidth_mbps"], a["received_on"], a["review_due"]) == ("vpn", 30, "2026-09-25", "2026-10-09")
    assert ok("review", "show", "1", "--json").json()["features"] == {"nat": {"basis": "视频会议系统需要地址转换"}}


@pytest.mark.parametrize("content,expect", [
    ("unit: zjj-zhangma\nbasis: [x\n", ":3: malformed YAML: while parsing a flow sequence"),
    ("unit: zjj-zhangma\nbandwith_mbps: 5\n", ":2: bandwith_mbps: unknown field"),
    ("unit: zjj-zhangma\nreceived_on: 2026-02-30\n", ":2: day is out of range for month; write dates as YYYY-MM-DD"),
    ("unit: zjj-zhangma\nnat: yes\n", ":2: nat: must be a mapping with basis"),
    ("- unit\n", ":1: an application file must be a mapping"),
])
def test_bad_application_files(directory, tmp_path, content, expect):
    f = tmp_path / "app.yaml"
    f.write_text(content, encoding="utf-8")
    r = run("apply", "--file", str(f), user="dept.zhujiajiao")
    assert r.code in (1, 3) and r.err.startswith(f"Error: {f}") and expect in r.err, r.err
    assert ok("review", "list", "--json").json() == []


def test_approve_sets_construction_clock(directory):
    file_app("zjj-zhangma")
    a = ok("review", "approve", "1", "--json", user="bdc.reviewer", today="2026-09-30").json()
    assert (a["status"], a["decision"], a["decided_on"], a["decided_by"], a["construction_due"]) == (
        "approved", "approved", "2026-09-30", "bdc.reviewer", "2026-10-27")
    assert (a["clock"], a["days_left"]) == ("construction", 15)
    r = fails(3, "review", "approve", "1", user="bdc.reviewer")
    assert "application 1 is approved, not submitted" in r.err


def test_approval_names_everything_missing(directory):
    ok("unit", "update", "zjj-anzhuang", "--no-budget")
    file_app("zjj-anzhuang", "--encryption-basis", "市级规定")
    r = fails(3, "review", "approve", "1", user="bdc.reviewer")
    assert r.err == (
        "Error: application 1 cannot be approved: unit 朱家角镇安庄村村民委员会 has no MLPS (等级保护) assessment on "
        "record (Art. 13); record one with 'egovnet unit update zjj-anzhuang --mlps-level N --mlps-assessed DATE'; "
        "encryption (利用政务外网建设VPN或加装加密设备) lacks its design on record (Art. 13); file them with the "
        "application; cost bearer is 'budget' but unit 朱家角镇安庄村村民委员会 is not a district budget unit, so it "
        "must be 'unit' (Art. 25)\n")
    assert ok("review", "show", "1", "--json").json()["status"] == "submitted"


def test_expired_or_low_mlps(directory):
    ok("unit", "update", "zjj-zhangma", "--mlps-level", "3", "--mlps-assessed", "2025-09-01")
    ok("unit", "update", "zjj-zhangma-ws", "--mlps-level", "1")
    file_app("zjj-zhangma")
    file_app("zjj-zhangma-ws")
    r = fails(3, "review", "approve", "1", user="bdc.reviewer")
    assert "MLPS assessment of 2025-09-01 expired on 2026-09-01 (Art. 13)" in r.err
    r = fails(3, "review", "approve", "2", user="bdc.reviewer")
    assert "is at MLPS level 1, below the minimum level 2 (Art. 13)" in r.err


def test_separation_of_duties_and_roles(directory):
    file_app("zjj-zhangma", user="bdc.engineer")
    r = fails(3, "review", "approve", "1", user="bdc.engineer")
    assert r.err == ("Error: user 'bdc.engineer' filed application 1 and may not approve it (separation of duties, "
                     "Art. 10, 12); another BDC reviewer must decide\n")
    r = fails(3, "review", "reject", "1", "--reason", "x", user="dept.zhujiajiao")
    assert "needs role 'bdc' (区大数据中心) (Art. 12)" in r.err
    assert ok("review", "show", "1", "--json").json()["status"] == "submitted"


def test_reject_needs_a_reason_and_cancels_an_unshared_link(directory):
    file_app("zjj-zhangma")
    r = run("review", "reject", "1", user="bdc.reviewer")
    assert r.code == 2 and "Missing option '--reason'" in r.err
    fails(3, "review", "reject", "1", "--reason", "  ", user="bdc.reviewer")
    a = ok("review", "reject", "1", "--reason", "申请依据不充分", "--json", user="bdc.reviewer").json()
    assert (a["status"], a["reason"], a["clock"], a["days_left"]) == ("rejected", "申请依据不充分", None, None)
    # the cancelled link is not joined by the next unit at that address
    assert file_app("zjj-zhangma-ws")["shared_link"] is None


def test_extend_construction(directory):
    file_app("zjj-zhangma")
    ok("review", "approve", "1", user="bdc.reviewer", today="2026-09-30")
    r = fails(3, "review", "extend", "1", "--reason", "weather", "--days", "5")
    assert "extension reason 'weather' is not one Art. 12 allows" in r.err
    r = fails(3, "review", "extend", "1", "--reason", "other", "--days", "5")
    assert "needs --note" in r.err
    a = ok("review", "extend", "1", "--reason", "municipal_duct", "--days", "5", "--json").json()
    assert a["construction_due"] == "2026-11-03"
    assert a["extensions"] == [{"reason": "municipal_duct", "days": 5, "note": "", "granted_by": "bdc.engineer",
                                "granted_on": "2026-09-28"}]
    r = fails(3, "review", "extend", "1", "--reason", "unit_not_ready", "--days", "56")
    assert "already has 5 working days of extension; 56 more would pass the policy's limit of 60" in r.err


def test_list_and_overdue(directory):
    file_app("zjj-zhangma")
    file_app("zjj-zhangma-ws")
    ok("review", "approve", "2", user="bdc.reviewer")
    rows = ok("review", "list", "--json", today="2026-10-12").json()
    assert [(r["id"], r["clock"], r["days_left"], r["overdue"]) for r in rows] == [
        (1, "review", -1, True), (2, "construction", 9, False)]
    overdue = ok("review", "list", "--overdue", "--json", today="2026-10-12").json()
    assert [r["id"] for r in overdue] == [1]
    assert ok("review", "list", "--status", "approved", "--json").json()[0]["id"] == 2
    table = ok("review", "list", today="2026-10-12").out
    assert "1 overdue" in table


def test_unknown_application():
    r = fails(1, "review", "show", "99")
    assert r.err == "Error: application 99 not found; see 'egovnet review list'\n"
    assert run("review", "show", "x").code == 2


def test_provisional_review_deadline(directory):
    r = ok("apply", "--unit", "zjj-zhangma", *APPLY_ARGS, user="dept.zhujiajiao", today="2026-12-28")
    assert "Warning: the review deadline is provisional" in r.err
    assert ok("review", "show", "1", "--json").json()["provisional"] is True
