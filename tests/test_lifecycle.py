"""After a link opens, on the device lab: change requests (Art. 18), decommission, reopen after idle closure (Art. 15),
and their deadlines across National Day 2026 and the 10-10 调休 Saturday."""

import pytest

from conftest import DEPT, fails, file_app, ok, quiet_days, run

# (device, town, port of the first link, its VLAN interface, extra section a close removes)
PLATFORMS = {
    "huawei": ("zjj-sw1", "朱家角镇", "GigabitEthernet0/0/{}", "interface Vlanif{}"),
    "huawei_vrpv8": ("xj-sw1", "徐泾镇", "GE1/0/{}", "interface Vlanif{}"),
    "hp_comware": ("hx-sw1", "华新镇", "GigabitEthernet1/0/{}", "interface Vlan-interface{}"),
    "cisco_ios": ("xy-r1", "夏阳街道", "GigabitEthernet0/{}", "interface Vlan{}"),
}


def unit(code: str, town: str = "朱家角镇", address: str | None = None) -> str:
    name = f"{town}{code}村民委员会"
    ok("unit", "add", name, "--category", "village", "--dept", DEPT, "--code", code, "--town", town,
       "--address", address or f"青浦区{town}{code}路1号", "--mlps-level", "2", "--mlps-assessed", "2026-03-01")
    return name


def open_link(code: str, **kw) -> dict:
    """File, approve and provision one unit's application; the provisioning row."""
    name = unit(code, **kw)
    app_id = file_app(code)["id"]
    ok("review", "approve", str(app_id), user="bdc.reviewer")
    row = ok("provision", str(app_id), "--yes", "--json").json()["results"][0]
    assert row["status"] in ("applied", "joined"), row
    return {**row, "name": name}


def sections(dev, port: str, vlan: int, vlanif: str) -> dict:
    return {h: dev.section(h) for h in (f"interface {port}", f"vlan {vlan}", vlanif.format(vlan))}


@pytest.mark.parametrize("platform", list(PLATFORMS))
def test_decommission_removes_one_link_and_frees_its_resources(lab, _home, platform):
    name, town, port_fmt, vlanif = PLATFORMS[platform]
    dev = lab.devices[name]
    ok("dept", "add", DEPT)
    first, second = open_link("aa", town=town), open_link("bb", town=town)
    assert (first["port"], second["port"]) == (port_fmt.format(1), port_fmt.format(2))
    keep = sections(dev, second["port"], second["vlan"], vlanif)
    assert all(keep.values())

    r = ok("--today", "2026-10-20", "decommission", "1", "--reason", "村委会搬迁，原址停用", "--yes", "--json").json()
    diff = r.pop("diff")
    assert diff and all(line.startswith(("+ ", "- ")) for line in diff) and any(line.startswith("- ") for line in diff), diff
    notices = r.pop("notices")
    assert r == {"link": 1, "dry_run": False, "device": name, "port": first["port"], "vlan": first["vlan"],
                 "subnet": first["subnet"], "units": [first["name"]], "changed": True, "failed": False, "error": None,
                 "rolled_back": False, "status": "decommissioned", "closed_on": "2026-10-20",
                 "freed": {"device": name, "port": first["port"], "vlan": first["vlan"], "subnet": first["subnet"]},
                 "applications_closed": [1], "changes_withdrawn": []}
    # the link's configuration is gone; the port stays, shut and bare; the other link is untouched
    assert dev.section(f"vlan {first['vlan']}") is None
    assert dev.section(vlanif.format(first["vlan"])) is None
    assert dev.section(f"interface {first['port']}") == ["shutdown"]
    if platform == "cisco_ios":
        assert dev.section("policy-map EGOV-RL-L1") is None and dev.section("policy-map EGOV-RL-L2")
    assert sections(dev, second["port"], second["vlan"], vlanif) == keep
    if platform != "huawei_vrpv8":
        assert dev.saved == dev.running_text()

    link = ok("link", "show", "1", "--json").json()
    assert {k: link[k] for k in ("status", "device", "port", "vlan", "subnet", "opened_on", "closed_on", "fee_period")} == {
        "status": "decommissioned", "device": None, "port": None, "vlan": None, "subnet": None,
        "opened_on": "2026-09-28", "closed_on": "2026-10-20", "fee_period": {"from": "2026-09-28", "to": "2026-10-20"}}
    assert ok("review", "show", "1", "--json").json()["status"] == "closed"
    # one document per decision: the unit as 主送, its department as 抄送, numbered after the two approvals
    assert [(n["no"], n["kind"], n["main_to"], n["copy_to"]) for n in notices] == [
        ("青数〔2026〕3号", "decommission", [first["name"]], [DEPT])]
    from docx import Document

    text = "\n".join(p.text for p in Document(notices[0]["docx"]).paragraphs)
    assert text.startswith(f"青数〔2026〕3号\n\n\n关于拆除电子政务外网接入链路的函\n\n{first['name']}：\n"), text
    for part in ("于2026年9月28日开通", "根据《青浦区电子政务外网管理办法》第十八条规定", "拆除事由：村委会搬迁，原址停用。",
                 "已于2026年10月20日拆除", "收回其端口、VLAN和IP地址资源", "第二十五条", "计至2026年10月20日",
                 f"抄送：{DEPT}。"):
        assert part in text, part
    assert "单位代码" not in text and "L1" not in text and "链路编号" not in text

    # the freed port, VLAN and subnet go to the next link built on the device
    third = open_link("cc", town=town)
    assert (third["port"], third["vlan"], third["subnet"]) == (first["port"], first["vlan"], first["subnet"])
    assert fails(3, "decommission", "1", "--reason", "again", "--yes").err == (
        "Error: link 1 is decommissioned; only an active link or one closed for non-use is decommissioned; it was "
        "decommissioned on 2026-10-20\n")


def test_decommission_dry_run_and_rollback_leave_everything_as_it_was(lab):
    dev = lab.devices["zjj-sw1"]
    ok("dept", "add", DEPT)
    first = open_link("aa")
    before = dev.running_text()
    r = ok("decommission", "1", "--reason", "停用", "--dry-run")
    assert r.out.splitlines()[:3] == ["interface GigabitEthernet0/0/1", " undo description", " undo port default vlan"]
    assert f"- vlan {first['vlan']}" in r.out
    assert dev.running_text() == before
    assert ok("link", "show", "1", "--json").json()["status"] == "active"

    # the device refuses the last step: what was removed (the Vlanif) comes back, the link stays
    dev.faults.error_on = r"^undo vlan"
    r = run("decommission", "1", "--reason", "停用", "--yes")
    assert r.code == 1, r.err
    assert r.err.startswith("Error: link 1 on zjj-sw1: device zjj-sw1 refused 'undo vlan 101'"), r.err
    assert r.err.endswith("(rolled back; the link stays as it was)\n"), r.err
    assert dev.running_text() == before
    link = ok("link", "show", "1", "--json").json()
    assert (link["status"], link["port"], link["vlan"]) == ("active", first["port"], first["vlan"])
    dev.faults.error_on = None
    assert ok("decommission", "1", "--reason", "停用", "--yes", "--json").json()["status"] == "decommissioned"
    off = run("decommission", "1", "--reason", "停用")  # off a terminal, without --yes: refused, nothing done
    assert (off.code, off.err) == (3, "Error: decommissioning removes configuration from a device; confirm with "
                                      "--yes when running off a terminal\n")


def test_bandwidth_change_deadlines_across_national_day_and_push(lab):
    dev = lab.devices["zjj-sw1"]
    ok("dept", "add", DEPT)
    first = open_link("aa")
    # received Monday 09-28: 09-29, 09-30, (National Day 10-01..07), 10-08, 10-09, 10-10 (调休 Saturday) = 5
    c = ok("change", "request", "1", "--bandwidth", "100", "--reason", "视频会议扩容", "--json",
           user="dept.zhujiajiao").json()
    assert c == {
        "id": 1, "link": 1, "kind": "bandwidth", "unit": first["name"], "unit_code": "aa", "dept": DEPT,
        "bandwidth_from": 50, "bandwidth_to": 100, "reason": "视频会议扩容", "status": "submitted",
        "requested_on": "2026-09-28", "requested_by": "dept.zhujiajiao", "review_due": "2026-10-10",
        "decided_on": None, "decided_by": None, "decision_reason": None, "execution_due": None, "applied_on": None,
        "applied_by": None, "clock": "change_review", "days_left": 5, "overdue": False, "late": False,
        "provisional": False}
    sla = ok("--today", "2026-10-12", "audit", "sla", "--json").json()["clocks"]
    assert [(k["change"], k["clock"], k["due"], k["working_days_left"], k["overdue"]) for k in sla] == [
        (1, "change_review", "2026-10-10", -1, True)]
    assert fails(3, "change", "approve", "1", user="dept.zhujiajiao").err.startswith(
        "Error: user 'dept.zhujiajiao' may not approve change request 1: that needs role 'bdc'")
    # approved Friday 10-09: 10-10 (调休), 10-12 .. 10-16, 10-19 .. 10-22 = 10 working days
    a = ok("--today", "2026-10-09", "change", "approve", "1", "--json").json()
    assert (a["status"], a["decided_on"], a["execution_due"], a["clock"]) == (
        "approved", "2026-10-09", "2026-10-22", "change_execution")
    assert ok("--today", "2026-10-09", "change", "list", "--overdue", "--json").json() == []
    port = f"interface {first['port']}"
    assert "qos lr outbound cir 50000" in dev.section(port)

    dry = ok("change", "apply", "1", "--dry-run", "--json").json()
    assert (dry["result"], dry["commands"], dry["diff"]) == (
        "planned", [port, " qos lr inbound cir 100000", " qos lr outbound cir 100000", "quit"],
        [f"+ {port} / qos lr inbound cir 100000", f"+ {port} / qos lr outbound cir 100000"])
    assert "qos lr outbound cir 50000" in dev.section(port)

    done = ok("--today", "2026-10-23", "change", "apply", "1", "--yes", "--json").json()
    assert (done["result"], done["status"], done["applied_on"], done["late"], done["clock"]) == (
        "applied", "applied", "2026-10-23", True, None)
    assert {"qos lr inbound cir 100000", "qos lr outbound cir 100000"} <= set(dev.section(port))
    assert dev.saved == dev.running_text()
    assert ok("link", "show", "1", "--json").json()["bandwidth_mbps"] == 100
    r = ok("audit", "sla", "--since", "2026-09-01", "--json", today="2026-10-23").json()
    assert (r["clocks"], r["on_time"]["change_review"], r["on_time"]["change_execution"]) == (
        [], {"met": 1, "total": 1, "running_late": 0, "share": None, "min_cases": 3},
        {"met": 0, "total": 1, "running_late": 0, "share": None, "min_cases": 3})
    assert fails(3, "change", "apply", "1", "--yes").err == (
        "Error: change request 1 is applied on 2026-10-23 by bdc.engineer; only an approved change is carried out "
        "(Art. 18)\n")


def test_failed_bandwidth_change_rolls_back_and_stays_approved(lab):
    dev = lab.devices["zjj-sw1"]
    ok("dept", "add", DEPT)
    open_link("aa")
    ok("change", "request", "1", "--bandwidth", "20", "--reason", "降速", user="dept.zhujiajiao")
    ok("change", "approve", "1")
    before = dev.running_text()
    dev.faults.error_on = r"^qos lr outbound cir 20000"  # the inbound limit is already changed when this fails
    r = run("change", "apply", "1", "--yes", "--json")
    assert r.code == 1 and r.json()["result"] == "rolled_back", r.err
    assert dev.running_text() == before
    assert ok("change", "show", "1", "--json").json()["status"] == "approved"
    assert ok("link", "show", "1", "--json").json()["bandwidth_mbps"] == 50


def test_release_from_a_shared_link_keeps_it_for_the_others(lab):
    dev = lab.devices["zjj-sw1"]
    ok("dept", "add", DEPT)
    a = open_link("aa", address="青浦区朱家角镇沈太路1号")
    b = open_link("bb", address="青浦区朱家角镇沈太路1号")
    assert (a["link"], b["link"], b["status"]) == (1, 1, "joined")
    before = dev.running_text()
    c = ok("change", "request", "1", "--release", "bb", "--reason", "卫生室并入镇社区卫生服务中心", "--json").json()
    assert (c["kind"], c["unit"], c["bandwidth_to"], c["review_due"]) == ("release", b["name"], None, "2026-10-10")
    ok("change", "approve", "1", user="bdc.reviewer")
    r = ok("change", "apply", "1", "--yes", "--json").json()
    assert (r["result"], r["device"], r["diff"], r["applications_released"], r["link_stays_for"]) == (
        "applied", None, [], [2], [a["name"]])
    assert dev.running_text() == before  # no device touched: the link stays as it is for the others
    link = ok("link", "show", "1", "--json").json()
    assert (link["status"], link["units"]) == ("active", [a["name"]])
    assert ok("review", "show", "2", "--json").json()["status"] == "released"
    # the last unit cannot be released: that is a decommission
    assert fails(3, "change", "request", "1", "--release", "aa", "--reason", "x").err == (
        f"Error: unit '{a['name']}' is the only unit on link 1: releasing it leaves the link unused; take the link "
        "down with 'egovnet decommission 1 --reason TEXT'\n")


def test_change_request_bad_input_is_one_error_and_writes_nothing(lab):
    ok("dept", "add", DEPT)
    open_link("aa")
    assert fails(2, "change", "request", "1", "--bandwidth", "fast", "--reason", "x").err == (
        "Error: --bandwidth 'fast' is not a whole number of Mbit/s\n")
    assert fails(3, "change", "request", "1", "--bandwidth", "999999", "--reason", "x").err.startswith(
        "Error: --bandwidth 999999 is out of range; the policy allows")
    assert fails(2, "change", "request", "1", "--bandwidth", "100", "--release", "aa", "--reason", "x").err == (
        "Error: a change request takes exactly one of --bandwidth MBPS or --release UNIT\n")
    assert fails(2, "change", "request", "1", "--reason", "x").err == (
        "Error: a change request takes exactly one of --bandwidth MBPS or --release UNIT\n")
    assert fails(3, "change", "request", "1", "--bandwidth", "50", "--reason", "x").err == (
        "Error: link 1 already runs at 50 Mbit/s; nothing to change\n")
    assert fails(3, "change", "request", "1", "--bandwidth", "100", "--reason", "扩容\x1b[2J").err == (
        "Error: reason contains the control or format character U+001B; remove it\n")
    assert fails(1, "change", "request", "9", "--bandwidth", "100", "--reason", "x").err == (
        "Error: link 9 not found; see 'egovnet link list'\n")
    assert fails(2, "change", "request", "1", "--bandwidth", "100", "--reason", "x", "--received-on", "2026-02-30").err \
        .startswith("Error: --received-on '2026-02-30' is not")
    # the command line's own errors are one line too, exit 2
    assert fails(2, "change", "show", "one").err.startswith("Error: Invalid value for 'ID': ")
    assert fails(2, "decommission", "1", "--yes").err == (
        "Error: Missing option '--reason'. (see 'egovnet decommission --help')\n")
    ok("change", "request", "1", "--bandwidth", "100", "--reason", "扩容")
    assert fails(1, "change", "request", "1", "--bandwidth", "200", "--reason", "再扩容").err == (
        "Error: link 1 already has bandwidth change request 1 (submitted); decide or apply it first "
        "('egovnet change show 1')\n")
    assert fails(3, "change", "approve", "1").err == (
        "Error: user 'bdc.engineer' filed change request 1 and may not approve it (separation of duties, Art. 18); "
        "another BDC reviewer must decide\n")
    assert fails(3, "change", "reject", "1", "--reason", " ", user="bdc.reviewer").err == (
        "Error: reason is empty; it is required\n")
    ok("change", "reject", "1", "--reason", "带宽已满足现有应用", user="bdc.reviewer")
    assert [(c["id"], c["status"], c["decision_reason"]) for c in ok("change", "list", "--json").json()] == [
        (1, "rejected", "带宽已满足现有应用")]


def test_reopen_after_idle_closure_re_enables_the_same_port(lab):
    dev = lab.devices["zjj-sw1"]
    ok("dept", "add", DEPT)
    first = open_link("aa")
    port = f"interface {first['port']}"
    quiet_days(1, "2026-09-29", "2026-12-27")  # complete data showing no use: only then is a link closed
    ok("--today", "2026-12-28", "audit", "idle", "--close", "--yes")
    assert "shutdown" in dev.section(port)
    assert ok("review", "show", "1", "--json").json()["status"] == "closed"
    assert fails(3, "--today", "2026-12-29", "change", "request", "1", "--bandwidth", "100", "--reason", "x").err == (
        "Error: cannot request a change of link 1: link 1 is closed_idle (Art. 18); reopen it first with "
        "'egovnet apply --reopen 1 --reason TEXT' (Art. 15)\n")
    assert fails(2, "--today", "2026-12-29", "apply", "--reopen", "1", user="dept.zhujiajiao").err == (
        "Error: reopening link 1 needs --reason: Art. 15 asks the unit to say why it needs the link again\n")
    assert fails(2, "apply", "--unit", "aa", "--reason", "x", *[]).err == "Error: --reason goes with --reopen LINK (Art. 15)\n"

    app = ok("--today", "2026-12-29", "apply", "--reopen", "1", "--reason", "村务公开系统上线", "--json",
             user="dept.zhujiajiao").json()
    assert (app["id"], app["kind"], app["reopen_reason"], app["unit"], app["link_id"], app["bandwidth_mbps"],
            app["basis"], app["review_due"]) == (2, "reopen", "村务公开系统上线", first["name"], 1, 50, "区政府工作要求",
                                                  "2027-01-06")
    assert fails(1, "--today", "2026-12-29", "apply", "--reopen", "1", "--reason", "again", user="dept.zhujiajiao").err \
        .startswith(f"Error: unit '{first['name']}' already has application 2 (submitted)")
    ok("--today", "2026-12-30", "review", "approve", "2", user="bdc.reviewer")
    assert "shutdown" in dev.section(port)
    row = ok("--today", "2026-12-31", "provision", "2", "--yes", "--json").json()["results"][0]
    assert (row["status"], row["port"], row["vlan"], row["subnet"], row["diff"]) == (
        "applied", first["port"], first["vlan"], first["subnet"], [f"- {port} / shutdown"])
    assert "shutdown" not in dev.section(port) and f"port default vlan {first['vlan']}" in dev.section(port)
    link = ok("link", "show", "1", "--json").json()
    assert (link["status"], link["opened_on"], link["closed_on"], link["units"]) == (
        "active", "2026-12-31", None, [first["name"]])
    # the 3-month clock starts again from the reopening
    quiet_days(1, "2027-01-01", "2027-03-30")
    assert ok("--today", "2027-03-30", "audit", "idle", "--json").json()["idle"] == []
    assert [i["link"] for i in ok("--today", "2027-03-31", "audit", "idle", "--json").json()["idle"]] == [1]
    assert fails(3, "--today", "2027-01-04", "apply", "--reopen", "1", "--reason", "x").err == (
        "Error: link 1 is active, not closed for non-use (Art. 15); it is active: there is nothing to reopen\n")


@pytest.mark.parametrize("filed, refused, earliest", [
    ("2026-09-28", "2026-10-07 23:00", "2026-10-08"),   # National Day 10-01..07 is not counted
    ("2026-10-09", "2026-10-12 09:00", "2026-10-13"),   # the 10-10 调休 Saturday is counted
])
def test_maintenance_three_working_days_across_national_day(filed, refused, earliest):
    ok("dept", "add", DEPT)
    unit("aa")
    args = ["maintenance", "file", "--unit", "aa", "--device-desc", "接入交换机升级", "--reason", "固件升级"]
    r = fails(3, "--today", filed, *args, "--start", refused)
    assert r.err.endswith(f"the work may start on {earliest} at the earliest\n"), r.err
    assert ok("maintenance", "list", "--json").json() == []
    ok("--today", filed, *args, "--start", f"{earliest} 00:30")
    assert [m["start"] for m in ok("maintenance", "list", "--json").json()] == [f"{earliest} 00:30"]


def test_decommission_withdraws_open_changes_and_keeps_an_idle_closure_date(lab):
    dev = lab.devices["zjj-sw1"]
    ok("dept", "add", DEPT)
    first = open_link("aa")
    ok("change", "request", "1", "--bandwidth", "100", "--reason", "扩容", user="dept.zhujiajiao")
    r = ok("decommission", "1", "--reason", "撤并", "--yes", "--json").json()
    assert (r["changes_withdrawn"], r["closed_on"]) == ([1], "2026-09-28")
    assert ok("change", "show", "1", "--json").json()["status"] == "withdrawn"
    assert dev.section(f"vlan {first['vlan']}") is None

    second = open_link("bb")
    quiet_days(2, "2026-09-29", "2026-12-27")
    ok("--today", "2026-12-28", "audit", "idle", "--close", "--yes")
    r = ok("--today", "2027-01-05", "decommission", "2", "--reason", "三个月未使用，单位确认不再接入", "--yes",
           "--json").json()
    # the fee period ended when the idle link was closed (Art. 15, 25); the notices still go out
    assert (r["status"], r["closed_on"], r["applications_closed"]) == ("decommissioned", "2026-12-28", [])
    assert [(n["kind"], n["main_to"], n["copy_to"]) for n in r["notices"]] == [
        ("decommission", [second["name"]], [DEPT])]
    assert ok("link", "show", "2", "--json").json()["fee_period"] == {"from": "2026-09-28", "to": "2026-12-28"}
    assert dev.section(f"vlan {second['vlan']}") is None
    assert fails(3, "apply", "--reopen", "2", "--reason", "x").err == (
        "Error: link 2 is decommissioned, not closed for non-use (Art. 15); it was decommissioned and its port, "
        "VLAN and subnet returned: file a new application\n")


def test_people_see_tables_and_fields(lab):
    ok("dept", "add", DEPT)
    first = open_link("aa")
    ok("change", "request", "1", "--bandwidth", "100", "--reason", "视频会议扩容", user="dept.zhujiajiao")
    r = ok("change", "list")
    assert "change requests (Art. 18)" in r.out and first["name"] in r.out and "change_review" in r.out
    r = ok("change", "show", "1")
    assert "review due (5 wd)" in r.out and "2026-10-10" in r.out and "视频会议扩容" in r.out
    r = ok("audit", "sla")
    line = next(ln for ln in r.out.splitlines() if "change_review" in ln)
    assert [c.strip() for c in line.split("│")[1:-1]] == ["-", "1", "-", first["name"], "change_review", "2026-10-10",
                                                        "5", "-"]
    r = ok("link", "list")
    assert first["port"] in r.out and first["subnet"] in r.out and "active" in r.out
    r = ok("link", "show", "1")
    assert "fee period (Art. 25)" in r.out and "2026-09-28 to open" in r.out
    r = ok("--today", "2026-10-09", "change", "approve", "1")
    assert r.err == "change request 1 (link 1, bandwidth) approved; to be carried out by 2026-10-22 (Art. 18)\n"
