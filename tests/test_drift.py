"""Drift (Art. 22): links provisioned on the lab, then changed by hand as an engineer would (a direct SSH session
through Netmiko, not egovnet), found by `audit drift`, fixed by `remediate`."""

import json
import os

import pytest

from conftest import DEPT, fails, file_app, ok, run, sql
from test_linux_router import router  # noqa: F401  (the netns router fixture, with its unit's approved application)

TOWN_OF = {"huawei": "朱家角镇", "hp_comware": "华新镇", "huawei_vrpv8": "徐泾镇", "cisco_ios": "夏阳街道"}
DEVICE_OF = {"huawei": "zjj-sw1", "hp_comware": "hx-sw1", "huawei_vrpv8": "xj-sw1", "cisco_ios": "xy-r1"}


def provisioned(platform="huawei", count=1):
    ok("dept", "add", DEPT)
    for n in range(1, count + 1):
        ok("unit", "add", f"张马村{n}", "--category", "village", "--dept", DEPT, "--code", f"zjj-zm{n}", "--town",
           TOWN_OF[platform], "--address", f"青浦区某路{n}号", "--mlps-level", "2", "--mlps-assessed", "2026-03-01")
        a = file_app(f"zjj-zm{n}")
        ok("review", "approve", str(a["id"]), user="bdc.reviewer")
        ok("provision", str(a["id"]), "--yes")


def by_hand(lab, name, commands, save=False):
    """An engineer's own SSH session to the device (Netmiko, as they would script it), outside egovnet."""
    from netmiko import ConnectHandler

    platform = lab.devices[name].platform
    conn = ConnectHandler(device_type={"huawei_vrpv8": "huawei_vrpv8"}.get(platform, platform), host=lab.host,
                          port=lab.ports[name], username="netops", password=os.environ["EGOVNET_LAB_PASSWORD"],
                          secret=os.environ["EGOVNET_LAB_PASSWORD"], fast_cli=False)
    try:
        if platform == "cisco_ios":
            conn.enable()
        if platform == "huawei_vrpv8":  # two-stage: the change waits for `commit`
            conn.send_config_set(commands, exit_config_mode=False)
            conn.commit()
        else:
            conn.send_config_set(commands, exit_config_mode=True)
        if save:
            conn.save_config()
    finally:
        conn.disconnect()


def drift(*extra):
    r = run("audit", "drift", "--json", *extra)
    return r.code, r.json(), r.err


def finding(id, obj, kind, intended, actual, link=1, articles=(22,), device="zjj-sw1"):
    return {"id": id, "device": device, "object": obj, "link": link, "kind": kind, "intended": intended,
            "actual": actual, "articles": list(articles), "status": "open"}


@pytest.mark.parametrize("platform", ["huawei", "huawei_vrpv8", "hp_comware", "cisco_ios"])
def test_clean_device_has_no_drift(lab, platform, _home):
    provisioned(platform)
    code, found, err = drift("--device", DEVICE_OF[platform])
    assert (code, found, err) == (0, [], "")
    backups = sorted((_home / "backups" / DEVICE_OF[platform]).glob("*.cfg"))
    assert len(backups) == 2  # provision's backup and this audit's
    clean = _home / "backups" / DEVICE_OF[platform] / (_home / "backups" / DEVICE_OF[platform] / "last-clean").read_text().strip()
    assert clean in backups and len(clean.name) == len("20261125T194926.cfg")
    assert "egov-L1" in clean.read_text() and oct(clean.stat().st_mode & 0o777) == "0o600"


def test_hand_set_rate_is_found_and_remediated(lab, _home):
    provisioned()
    dev = lab.devices["zjj-sw1"]
    by_hand(lab, "zjj-sw1", ["interface GigabitEthernet0/0/1", "qos lr inbound cir 10000"], save=True)
    code, found, err = drift()
    assert code == 4, err
    assert found == [finding(1, "interface GigabitEthernet0/0/1", "changed_rate", "qos lr inbound cir 50000",
                             "qos lr inbound cir 10000")]
    assert "1 drift finding(s) on zjj-sw1 (Art. 22)" in err
    # a second audit keeps the same open finding (no duplicate row, no second event)
    assert drift()[1] == found
    assert sql("SELECT count(*) FROM drift_finding") == [(1,)]
    plan = ok("remediate", "zjj-sw1", "--dry-run", "--json").json()
    assert plan["commands"] == ["interface GigabitEthernet0/0/1", " qos lr inbound cir 50000", "quit"]
    assert dev.section("interface GigabitEthernet0/0/1").count("qos lr inbound cir 10000") == 1  # dry run: untouched
    done = ok("remediate", "zjj-sw1", "--yes", "--json").json()
    assert (done["status"], done["resolved"], done["remaining"]) == ("applied", [1], [])
    assert "qos lr inbound cir 50000" in dev.section("interface GigabitEthernet0/0/1")
    assert dev.saved == dev.running_text()
    assert sql("SELECT status, resolved_by, push_id FROM drift_finding") == [("resolved", "bdc.engineer", done["push"])]
    assert drift() == (0, [], "")
    actions = [e["action"] for e in ok("log", "list", "--json").json() if e["action"].startswith("drift.")]
    assert sorted(set(actions)) == ["drift.audit", "drift.found", "drift.remediate", "drift.resolved"]


def test_free_port_in_unit_vlan_removed_acl_rule_and_unsaved_config(lab, _home):
    provisioned()
    dev = lab.devices["zjj-sw1"]
    by_hand(lab, "zjj-sw1", ["interface GigabitEthernet0/0/3", "port link-type access", "port default vlan 101",
                             "quit", "acl number 3999", "undo rule 5"])
    code, found, err = drift()
    assert code == 4, err
    assert found == [
        finding(1, "interface GigabitEthernet0/0/3", "foreign_port_in_unit_vlan", None, "port default vlan 101",
                articles=(3, 22)),
        finding(2, "acl number 3999", "acl_rule_removed", "rule 5 permit ip destination 10.0.0.0 0.255.255.255",
                None, link=None, articles=(3, 19, 22)),
        finding(3, "saved configuration", "unsaved_config", "running configuration saved",
                "not saved: acl number 3999, interface GigabitEthernet0/0/3", link=None)]
    plan = ok("remediate", "zjj-sw1", "--dry-run", "--json").json()
    assert plan["commands"] == ["interface GigabitEthernet0/0/3", " undo port default vlan", "quit",
                                "acl number 3999", " rule 5 permit ip destination 10.0.0.0 0.255.255.255", "quit"]
    assert plan["save"] is True
    done = ok("remediate", "zjj-sw1", "--yes", "--json").json()
    assert (done["resolved"], done["remaining"]) == ([1, 2, 3], [])
    assert "port default vlan 101" not in dev.section("interface GigabitEthernet0/0/3")
    assert dev.section("acl number 3999") == ["rule 5 permit ip destination 10.0.0.0 0.255.255.255", "rule 10 deny ip"]
    assert dev.saved == dev.running_text()
    assert drift() == (0, [], "")


def test_unsaved_only_is_saved_through_the_journal(lab):
    provisioned()
    dev = lab.devices["zjj-sw1"]
    # a port outside every link: only the unsaved running config is drift
    by_hand(lab, "zjj-sw1", ["interface GigabitEthernet0/0/4", "description spare"])
    code, found, _ = drift()
    assert code == 4 and [f["kind"] for f in found] == ["unsaved_config"]
    done = ok("remediate", "zjj-sw1", "--yes", "--json").json()
    assert (done["commands"], done["status"], done["resolved"]) == ([], "applied", [1])
    push = ok("push", "show", str(done["push"]), "--json").json()
    assert (push["action"], push["status"], push["open"]) == ("save", "applied", False)
    assert dev.saved == dev.running_text()


def test_changed_description_extra_address_by_link(lab):
    provisioned(count=2)
    by_hand(lab, "zjj-sw1", ["interface Vlanif101", "ip address 192.0.2.1 255.255.255.0 sub", "quit",
                             "interface GigabitEthernet0/0/2", "description hand-edit"], save=True)
    code, found, _ = drift()
    assert code == 4
    assert [(f["object"], f["link"], f["kind"]) for f in found] == [
        ("interface Vlanif101", 1, "extra_address"), ("interface GigabitEthernet0/0/2", 2, "changed_description")]
    done = ok("remediate", "--link", "2", "--yes", "--json").json()
    assert (done["commands"], done["resolved"]) == (
        ["interface GigabitEthernet0/0/2", " description egov-L2-A2-zjj-zm2", "quit"], [2])
    left = drift()[1]
    assert [(f["id"], f["kind"], f["actual"]) for f in left] == [(1, "extra_address", "ip address 192.0.2.1 255.255.255.0 sub")]
    done = ok("remediate", "--link", "1", "--yes", "--json").json()
    assert (done["commands"], done["resolved"]) == (
        ["interface Vlanif101", " undo ip address 192.0.2.1 255.255.255.0 sub", "quit"], [1])
    assert "ip address 10.64.0.1 255.255.255.248" in lab.devices["zjj-sw1"].section("interface Vlanif101")
    assert drift() == (0, [], "")


def test_refusals(lab, _home):
    provisioned()
    fails(3, "remediate", "zjj-sw1")  # no --yes off a terminal
    fails(2, "remediate")
    fails(1, "remediate", "no-such-device", "--yes")
    fails(1, "remediate", "--link", "9", "--yes")
    fails(1, "audit", "drift", "--device", "sw1;reboot")
    r = fails(3, "audit", "drift", user="dept.zhujiajiao")
    assert "Art. 22" in r.err
    assert sql("SELECT count(*) FROM drift_run") == [(0,)]
    assert sql("SELECT count(*) FROM push WHERE action IN ('repair', 'save')") == [(0,)]


def test_backups_mask_secrets():
    from egovnet.services.drift import masked

    text = "local-user admin password irreversible-cipher $1a$abc$\nsnmp-agent community read cipher %^%#x\n sysname a"
    assert masked(text) == ("local-user admin password ******\nsnmp-agent community ******\n sysname a")


# ---- the Linux edge router (network namespaces; run under `flock /work/wt/netns.lock`) ----

def _router_unavailable():
    from linux_router import unavailable

    return unavailable()


@pytest.mark.netns
@pytest.mark.skipif(_router_unavailable() is not None, reason=f"Linux router test: {_router_unavailable()}")
def test_linux_router_hand_added_nft_rule_and_rate(router):
    from linux_router import CORE_HOST, OTHER_HOST

    ok("provision", "1", "--yes")
    router.give_unit_address("198.18.16.2", 29, "198.18.16.1")
    assert drift() == (0, [], "")
    # an engineer's root shell on the router: an accept before the link's drops opens the isolation (Art. 3)
    router.in_ns("router", "nft", "insert", "rule", "inet", "egov_l1", "from_unit", "iifname", '"ru0"', "accept")
    router.in_ns("router", "nft", "insert", "rule", "inet", "egov_l1", "to_unit", "oifname", '"ru0"', "accept")
    router.in_ns("router", "tc", "qdisc", "replace", "dev", "ru0", "root", "tbf", "rate", "10mbit", "burst", "32kbit",
                 "latency", "400ms")
    assert router.ping("unit", OTHER_HOST, tries=3)  # the hole is real
    code, found, err = drift()
    assert code == 4, err
    assert found == [
        finding(1, "nftables table inet egov_l1 chain from_unit", "nft_rule_added", None, 'iifname "ru0" accept',
                articles=(3, 22), device="jz-r1"),
        finding(2, "nftables table inet egov_l1 chain to_unit", "nft_rule_added", None, 'oifname "ru0" accept',
                articles=(3, 22), device="jz-r1"),
        finding(3, "tbf qdisc on ru0", "changed_rate", "rate 50000000 bit/s", "rate 10000000 bit/s",
                device="jz-r1")]
    done = ok("remediate", "jz-r1", "--yes", "--json").json()
    assert (done["status"], done["resolved"], done["remaining"]) == ("applied", [1, 2, 3], [])
    assert not router.ping("unit", OTHER_HOST)
    assert router.ping("unit", CORE_HOST, tries=3)
    assert "rate 50Mbit" in router.state()
    assert drift() == (0, [], "")


def test_a_second_audit_exits_while_one_runs(lab, _home):
    from egovnet.services.idle import run_lock

    with run_lock(_home, "audit-drift"):
        r = fails(1, "audit", "drift", "--json")
    assert r.out == "" and f"another 'egovnet audit drift' is running (pid {os.getpid()}" in r.err
    assert sql("SELECT count(*) FROM drift_run") == [(0,)]


def test_table_output_and_workers(lab):
    provisioned()
    by_hand(lab, "zjj-sw1", ["interface GigabitEthernet0/0/1", "description hand-edit"], save=True)
    r = run("audit", "drift", "--workers", "2")
    assert r.code == 4, r.err
    assert "changed_description" in r.out and "hand-edit" in r.out
    assert r.err.splitlines() == ["Warning: 1 drift finding(s) on zjj-sw1 (Art. 22); see the plan with 'egovnet remediate "
                                  "zjj-sw1 --dry-run'"]


ACCESS_VLAN = {"huawei": "port default vlan 101", "huawei_vrpv8": "port default vlan 101",
               "hp_comware": "port access vlan 101", "cisco_ios": "switchport access vlan 101"}
REMOVE_VLAN = {"huawei": ("undo port default vlan", "quit"), "huawei_vrpv8": ("undo port default vlan", "quit"),
               "hp_comware": ("undo port access vlan", "quit"), "cisco_ios": ("no switchport access vlan", "exit")}


@pytest.mark.parametrize("platform", ["huawei_vrpv8", "hp_comware", "cisco_ios"])
def test_each_platform_repairs_in_its_own_syntax(lab, platform):
    provisioned(platform)
    name = DEVICE_OF[platform]
    dev = lab.devices[name]
    port, free = dev.ports[0], dev.ports[2]
    by_hand(lab, name, [f"interface {port}", "description hand-edit", f"interface {free}", ACCESS_VLAN[platform]],
            save=True)
    code, found, err = drift()
    assert code == 4, err
    assert [{k: f[k] for k in ("object", "kind", "actual")} for f in found] == [
        {"object": f"interface {port}", "kind": "changed_description", "actual": "description hand-edit"},
        {"object": f"interface {free}", "kind": "foreign_port_in_unit_vlan", "actual": ACCESS_VLAN[platform]}]
    plan = ok("remediate", name, "--dry-run", "--json").json()
    negation, up = REMOVE_VLAN[platform]
    assert plan["commands"] == [f"interface {port}", " description egov-L1-A1-zjj-zm1", up,
                                f"interface {free}", f" {negation}", up]
    done = ok("remediate", name, "--yes", "--json").json()
    assert (done["status"], done["resolved"], done["remaining"]) == ("applied", [1, 2], [])
    assert ACCESS_VLAN[platform] not in dev.section(f"interface {free}")
    assert dev.saved == dev.running_text()
    assert drift() == (0, [], "")


def test_a_link_closed_for_non_use_is_intended_shut(lab):
    from conftest import quiet_days

    provisioned()
    quiet_days(1, "2026-09-29", "2026-12-27")
    ok("--today", "2026-12-28", "audit", "idle", "--close", "--yes", "--json")
    assert "shutdown" in lab.devices["zjj-sw1"].section("interface GigabitEthernet0/0/1")
    assert drift() == (0, [], "")
    # someone enables the closed port again by hand: the link is open without an application (Art. 15, 22)
    by_hand(lab, "zjj-sw1", ["interface GigabitEthernet0/0/1", "undo shutdown"], save=True)
    code, found, _ = drift()
    assert (code, found) == (4, [finding(1, "interface GigabitEthernet0/0/1", "missing_line", "shutdown", None)])
    assert ok("remediate", "--link", "1", "--dry-run", "--json").json()["commands"] == [
        "interface GigabitEthernet0/0/1", " shutdown", "quit"]


def test_a_refused_repair_is_rolled_back_and_the_finding_stays_open(lab):
    provisioned()
    dev = lab.devices["zjj-sw1"]
    by_hand(lab, "zjj-sw1", ["interface GigabitEthernet0/0/1", "qos lr inbound cir 10000",
                             "description hand-edit"], save=True)
    assert drift()[0] == 4
    before = dev.running_text()
    dev.faults.error_on, dev.faults.error_once = r"^qos lr inbound", True  # refused once; the rollback passes
    r = run("remediate", "zjj-sw1", "--yes", "--json")
    assert r.code == 4, r.err
    done = r.json()
    assert (done["status"], done["resolved"], len(done["remaining"])) == ("rolled_back", [], 2), done["error"]
    assert r.err.startswith("Error: 2 finding(s) remain on zjj-sw1 after push 2: ")
    assert dev.running_text() == before   # the description typed before the refusal is undone too
    assert sql("SELECT status FROM drift_finding ORDER BY id") == [("open",), ("open",)]


def test_a_removed_deny_rule_is_typed_back_although_the_acl_then_isolates_nothing(lab):
    # the isolation ACL left with permits only is what remediation exists for; the push's readiness check
    # (Art. 3: no deny rule, nothing isolated) must not refuse the push that restores the deny
    provisioned()
    dev = lab.devices["zjj-sw1"]
    by_hand(lab, "zjj-sw1", ["acl number 3999", "undo rule 10"], save=True)
    code, found, err = drift()
    assert code == 4, err
    assert found == [finding(1, "acl number 3999", "acl_rule_removed", "rule 10 deny ip", None, link=None,
                             articles=(3, 19, 22))]
    r = run("remediate", "zjj-sw1", "--yes", "--json")
    assert r.code == 0, r.err
    done = r.json()
    assert (done["commands"], done["status"], done["resolved"], done["remaining"]) == (
        ["acl number 3999", " rule 10 deny ip", "quit"], "applied", [1], [])
    assert dev.section("acl number 3999") == ["rule 5 permit ip destination 10.0.0.0 0.255.255.255", "rule 10 deny ip"]
    assert dev.saved == dev.running_text()
    assert drift() == (0, [], "")


def test_remediate_without_yes_off_a_terminal_names_an_unknown_device_or_a_missing_role_first(lab):
    provisioned()
    r = fails(1, "remediate", "zjj-sw2")
    assert r.err.startswith("Error: device 'zjj-sw2' is not in the inventory ")
    fails(1, "remediate", "--link", "9")
    r = fails(3, "remediate", "zjj-sw1", user="dept.zhujiajiao")
    assert "needs role 'bdc'" in r.err
    r = fails(3, "remediate", "zjj-sw1")
    assert "confirm with --yes" in r.err
    assert sql("SELECT count(*) FROM push WHERE action IN ('repair', 'save')") == [(0,)]


def test_an_unreachable_device_is_not_reported_as_no_drift(lab):
    provisioned()
    lab.stop()
    r = run("audit", "drift")
    assert r.code == 4, r.err
    assert "every device is as egovnet intends" not in r.err
    assert r.err.startswith("no drift on the devices read\nWarning: device hx-sw1 was not audited: ")
