"""Preconditions before the first push (Art. 3): the VPN instance with its IPv4 family and the isolation ACL
with rules. A device without them is refused with one line and gets nothing; `egovnet device check` reports
each problem read-only. The lab devices start with both configured and lose them through their own CLI."""

import json
import os
import subprocess
import sys
from types import SimpleNamespace

import pytest

from conftest import DEPT, REPO, fails, file_app, ok, run, sql

from egovnet.devices import platforms
from egovnet.lab.device import CliSession, Device

TOWN_OF = {"huawei": "朱家角镇", "hp_comware": "华新镇", "huawei_vrpv8": "徐泾镇", "cisco_ios": "夏阳街道"}
DEVICE_OF = {"huawei": "zjj-sw1", "hp_comware": "hx-sw1", "huawei_vrpv8": "xj-sw1", "cisco_ios": "xy-r1"}
ENTER = {"huawei": ["system-view"], "huawei_vrpv8": ["system-view"], "hp_comware": ["system-view"],
         "cisco_ios": ["enable", "{secret}", "configure terminal"]}
LEAVE = {"huawei": ["return"], "huawei_vrpv8": ["commit", "return"], "hp_comware": ["return"], "cisco_ios": ["end"]}
# what an engineer would type to take the extranet's pieces away, per platform ({vrf}/{acl}: the inventory's)
FAULTS = {
    "huawei": {"acl removed": ["undo acl number {acl}"],
               "acl emptied": ["acl number {acl}", "undo rule 5", "undo rule 10", "quit"],
               "vpn instance removed": ["undo ip vpn-instance {vrf}"],
               "ipv4 family removed": ["ip vpn-instance {vrf}", "undo ipv4-family", "quit"],
               "acl permits only": ["acl number {acl}", "undo rule 10", "quit"]},
    "huawei_vrpv8": {"acl removed": ["undo acl number {acl}"],
                     "acl emptied": ["acl number {acl}", "undo rule 5", "undo rule 10", "quit"],
                     "vpn instance removed": ["undo ip vpn-instance {vrf}"],
                     "ipv4 family removed": ["ip vpn-instance {vrf}", "undo ipv4-family", "quit"]},
    "hp_comware": {"acl removed": ["undo acl advanced {acl}"],
                   "acl emptied": ["acl advanced {acl}", "undo rule 5", "undo rule 10", "quit"],
                   "vpn instance removed": ["undo ip vpn-instance {vrf}"],
                   "acl permits only": ["acl advanced {acl}", "undo rule 10", "quit"]},
    "cisco_ios": {"acl removed": ["no ip access-list extended {acl}"],
                  "acl emptied": ["ip access-list extended {acl}", "no permit ip any 10.0.0.0 0.255.255.255",
                                  "no deny ip any any", "exit"],
                  "vpn instance removed": ["no vrf definition {vrf}"],
                  "ipv4 family removed": ["vrf definition {vrf}", "no address-family ipv4", "exit"]},
}
ACL_HEADER = {"huawei": "acl number {acl}", "huawei_vrpv8": "acl number {acl}", "hp_comware": "acl advanced {acl}",
              "cisco_ios": "ip access-list extended {acl}"}


def problem(platform, fault, vrf, acl):
    """The one phrase each platform gives for each fault."""
    vpn = "VRF" if platform == "cisco_ios" else "VPN instance"
    header = ACL_HEADER[platform].format(acl=acl)
    return {
        "acl removed": f"isolation ACL {acl} is not configured (no '{header}' in the running config)",
        "acl emptied": f"isolation ACL {acl} has no rules ('{header}' is empty, and an ACL without rules lets "
                       "every packet pass)",
        "acl permits only": f"isolation ACL {acl} has no deny rule ('{header}' only permits, and packets that "
                            "match no rule pass, so it isolates nothing)",
        "vpn instance removed": f"{vpn} {vrf} is not configured (no "
                                f"'{'vrf definition' if platform == 'cisco_ios' else 'ip vpn-instance'} {vrf}' in "
                                "the running config)",
        "ipv4 family removed": (f"VRF {vrf} has no IPv4 address family (no 'address-family ipv4' under "
                                f"'vrf definition {vrf}')") if platform == "cisco_ios" else
                               (f"VPN instance {vrf} has no IPv4 address family (no 'ipv4-family' under "
                                f"'ip vpn-instance {vrf}')"),
    }[fault]


def type_on(dev, lines, **values):
    """Lines typed at the device's own CLI (the lab's, in-process); every answer must be free of errors."""
    cli = CliSession(dev)
    for line in ENTER[dev.platform] + lines + LEAVE[dev.platform]:
        answer = cli.line(line.format(secret=dev.secret, **values))
        assert "Error" not in answer and "% " not in answer, (line, answer)


def break_device(dev, fault):
    inv = ok("device", "show", dev.name, "--json").json()
    type_on(dev, FAULTS[dev.platform][fault], vrf=inv["vrf"], acl=inv["isolation_acl"])
    return inv


# ---- each platform's answer, on the lab's own display of a device ----

CASES = [(p, f) for p, faults in FAULTS.items() for f in faults]


@pytest.mark.parametrize("platform", list(FAULTS))
def test_a_lab_device_starts_ready(platform):
    dev = Device("d1", platform, ports=("GigabitEthernet0/0/1",))
    # the lab's own isolation ACL for the platform: 3999, or a name on IOS (3999 is no IOS ACL number)
    inv = SimpleNamespace(vrf="EGOV", isolation_acl=dev.isolation_acl, core_prefix="10.0.0.0/8", username="netops")
    assert (dev.isolation_acl == "EGOV-ISOLATION") == (platform == "cisco_ios")
    assert platforms.get(platform).preconditions(dev.running_text(), inv) == []


@pytest.mark.parametrize("platform,fault", CASES)
def test_each_missing_piece_is_named(platform, fault):
    dev = Device("d1", platform, ports=("GigabitEthernet0/0/1",), isolation_acl="EGOV-ISO" if platform == "cisco_ios"
                 else "3999")
    acl = dev.isolation_acl
    type_on(dev, FAULTS[platform][fault], vrf="EGOV", acl=acl)
    inv = SimpleNamespace(vrf="EGOV", isolation_acl=acl, core_prefix="10.0.0.0/8", username="netops")
    assert platforms.get(platform).preconditions(dev.running_text(), inv) == [problem(platform, fault, "EGOV", acl)]


def test_vrp_v5_accepts_the_older_rd_directly_under_the_instance_and_names_an_rd_less_family():
    p = platforms.get("huawei")
    inv = SimpleNamespace(vrf="EGOV", isolation_acl="3999")
    acl = "acl number 3999\n rule 5 deny ip\n#\n"
    assert p.preconditions(f"ip vpn-instance EGOV\n route-distinguisher 65000:1\n#\n{acl}", inv) == []
    assert p.preconditions(f"ip vpn-instance EGOV\n ipv4-family\n#\n{acl}", inv) == [
        "VPN instance EGOV's IPv4 address family has no route distinguisher, so it does not take effect (no "
        "'route-distinguisher' under 'ip vpn-instance EGOV')"]
    # CloudEngine displays the family as its own view and needs it
    assert platforms.get("huawei_vrpv8").preconditions(
        f"ip vpn-instance EGOV\n route-distinguisher 65000:1\n#\n{acl}", inv) == [
        "VPN instance EGOV has no IPv4 address family (no 'ipv4-family' under 'ip vpn-instance EGOV')"]


def test_ios_numbered_and_legacy_forms():
    p = platforms.get("cisco_ios")
    inv = SimpleNamespace(vrf="EGOV", isolation_acl="150")
    assert p.preconditions("ip vrf EGOV\n rd 65000:1\n!\naccess-list 150 permit ip any 10.0.0.0 0.255.255.255\n", inv) == []
    assert p.preconditions("ip vrf EGOV\n!\nip access-list extended 150\n 10 remark only a remark\n", inv) == [
        "isolation ACL 150 has no rules ('ip access-list extended 150' is empty, and an ACL without rules lets every "
        "packet pass)"]
    assert p.preconditions("ip vrf EGOV\n!\nip access-list extended 150\n 10 deny ip any any\n", inv) == []
    # an IOS list with entries ends in an implicit deny: permit entries alone do isolate
    assert p.preconditions("ip vrf EGOV\n!\nip access-list extended 150\n permit ip any 10.0.0.0 0.255.255.255\n",
                           inv) == []


def test_linux_router_needs_its_tools_and_a_route_to_the_core():
    p = platforms.get("linux")
    inv = SimpleNamespace(vrf="EGOV", isolation_acl="3999", core_prefix="198.18.2.0/24", username="netops")
    assert p.precheck_commands(inv) == ["ip -o route get 198.18.2.1"]
    good = {"ip -o route get 198.18.2.1": "198.18.2.1 dev rc0 src 198.18.2.1 uid 0 \\    cache"}
    assert p.preconditions("1: lo    inet 127.0.0.1/8 scope host lo\n", inv, good) == []
    running = "1: lo    inet 127.0.0.1/8\nbash: line 1: nft: command not found\n"
    bad = {"ip -o route get 198.18.2.1": "RTNETLINK answers: Network is unreachable"}
    assert p.preconditions(running, inv, bad) == [
        "'nft' is not installed on the router (the link templates need it)",
        "the extranet core 198.18.2.0/24 is not routable from the router ('ip -o route get 198.18.2.1' answers "
        "'RTNETLINK answers: Network is unreachable')"]
    assert p.preconditions("Error: Could not process rule: Operation not permitted\n", inv, good) == [
        "user 'netops' may not read nftables or tc state (nft needs CAP_NET_ADMIN: log in as root or a user with "
        "that capability)"]


# ---- provision refuses the device, the other device goes on ----

def approved_app(name, code, town, address):
    ok("unit", "add", name, "--category", "village", "--dept", DEPT, "--code", code, "--town", town,
       "--address", address, "--mlps-level", "2", "--mlps-assessed", "2026-03-01")
    a = file_app(code)
    ok("review", "approve", str(a["id"]), user="bdc.reviewer")
    return a["id"]


OTHER = {"huawei": "hp_comware", "huawei_vrpv8": "huawei", "hp_comware": "cisco_ios", "cisco_ios": "huawei_vrpv8"}
PROVISION_CASES = [("huawei", "acl removed"), ("huawei", "acl emptied"), ("hp_comware", "acl permits only"), ("huawei_vrpv8", "ipv4 family removed"),
                   ("hp_comware", "vpn instance removed"), ("cisco_ios", "acl emptied"),
                   ("cisco_ios", "vpn instance removed")]


@pytest.mark.parametrize("platform,fault", PROVISION_CASES)
def test_provision_refuses_a_device_without_isolation_and_builds_the_other(lab, platform, fault, _home):
    ok("dept", "add", DEPT)
    refused_app = approved_app("张马村村民委员会", "zjj-zhangma", TOWN_OF[platform], "青浦区某路1号")
    other_app = approved_app("安庄村村民委员会", "zjj-anzhuang", TOWN_OF[OTHER[platform]], "青浦区某路2号")
    dev, other = lab.devices[DEVICE_OF[platform]], lab.devices[DEVICE_OF[OTHER[platform]]]
    inv = break_device(dev, fault)
    running, saved, sent = dev.running_text(), dev.saved, len(dev.history)
    r = run("provision", "--all-approved", "--yes", "--json")
    assert r.code == 4, r.err
    why = problem(platform, fault, inv["vrf"], inv["isolation_acl"])
    line = (f"device {dev.name} is not ready for units' links, nothing was pushed to it: {why} (isolation, Art. 3); "
            f"configure it on the device, check with 'egovnet device check {dev.name}', then run again")
    assert r.err == f"Error: 1 of 2 failed: application {refused_app} on {dev.name}: {line}\n"
    rows = {row["application"]: row for row in r.json()["results"]}
    assert (rows[refused_app]["status"], rows[refused_app]["failed"], rows[refused_app]["error"]) == ("failed", True, line)
    assert (rows[other_app]["status"], rows[other_app]["failed"]) == ("applied", False)
    # nothing reached the refused device: same running and saved config, only reads in its history
    assert dev.running_text() == running and dev.saved == saved
    typed = dev.commands()[sent:]
    assert not [c for c in typed if c.startswith(("system-view", "configure", "interface", "vlan", "save", "write"))], typed
    assert not (_home / "backups" / dev.name).exists()
    assert any("egov-L" in line for line in other.running_lines())
    journal = dict(sql("SELECT device, status FROM push"))
    assert journal == {dev.name: "refused", other.name: "applied"}
    assert sql("SELECT error FROM push WHERE device = :d", d=dev.name)[0][0] == line
    assert ok("review", "show", str(refused_app), "--json").json()["status"] == "approved"
    # once the engineer restores the ACL/VPN instance (here: a fresh device), the same run goes through
    dev.__post_init__()
    again = ok("provision", str(refused_app), "--yes", "--json").json()["results"][0]
    assert (again["status"], again["failed"]) == ("applied", False)


def test_dry_run_names_the_refusal_too(lab):
    ok("dept", "add", DEPT)
    app_id = approved_app("张马村村民委员会", "zjj-zhangma", "朱家角镇", "青浦区某路1号")
    dev = lab.devices["zjj-sw1"]
    break_device(dev, "acl emptied")
    r = run("provision", str(app_id), "--dry-run", "--json")
    row = r.json()["results"][0]
    assert (row["status"], row["failed"], row["commands"][0]) == ("failed", True, "vlan 101")
    assert row["error"].startswith("device zjj-sw1 is not ready for units' links, nothing was pushed to it: "
                                   "isolation ACL 3999 has no rules")


def test_decommission_is_refused_on_a_device_that_lost_its_acl(lab, _home):
    ok("dept", "add", DEPT)
    app_id = approved_app("张马村村民委员会", "zjj-zhangma", "朱家角镇", "青浦区某路1号")
    ok("provision", str(app_id), "--yes")
    dev = lab.devices["zjj-sw1"]
    break_device(dev, "acl removed")
    running, sent = dev.running_text(), len(dev.history)
    r = run("decommission", "1", "--reason", "单位撤销", "--yes", "--json")
    assert r.code == 1, r.err
    line = ("device zjj-sw1 is not ready for units' links, nothing was pushed to it: isolation ACL 3999 is not "
            "configured (no 'acl number 3999' in the running config) (isolation, Art. 3); configure it on the "
            "device, check with 'egovnet device check zjj-sw1', then run again")
    assert (r.json()["status"], r.json()["error"]) == ("failed", line)
    assert r.err == f"Error: link 1 on zjj-sw1: {line} (failed; the link stays as it was)\n"
    assert dev.running_text() == running
    assert "system-view" not in dev.commands()[sent:]
    assert ok("link", "show", "1", "--json").json()["status"] == "active"


# ---- egovnet device check ----

def expected_row(lab, name, platform, *, free=4, problems=(), reachable=True, host_key="ok", privilege="ok",
                 preconditions="problems"):
    dev = lab.devices[name]
    return {"device": name, "platform": platform, "address": f"127.0.0.1:{lab.ports[name]}", "reachable": reachable,
            "host_key": host_key, "privilege": privilege,
            "preconditions": list(problems) if preconditions == "problems" else preconditions,
            "ports": 4, "free_ports": list(dev.ports[4 - free:]), "problems": list(problems), "ready": not problems}


def test_check_all_ready(lab):
    r = ok("device", "check", "--json")
    assert r.json() == {"devices": [expected_row(lab, n, p) for p, n in
                                    [("huawei", "zjj-sw1"), ("hp_comware", "hx-sw1"), ("huawei_vrpv8", "xj-sw1"),
                                     ("cisco_ios", "xy-r1")]], "ready": 4, "not_ready": 0}
    before = {n: (d.running_text(), d.saved) for n, d in lab.devices.items()}
    table = ok("device", "check", "xy-r1")
    assert "xy-r1" in table.out and "zjj-sw1" not in table.out
    assert {n: (d.running_text(), d.saved) for n, d in lab.devices.items()} == before  # read-only


def test_check_reports_every_problem(lab, _home):
    ok("dept", "add", DEPT)
    approved_app("张马村村民委员会", "zjj-zhangma", "华新镇", "青浦区某路1号")
    ok("provision", "1", "--yes")  # one port of hx-sw1 in use
    break_device(lab.devices["zjj-sw1"], "acl emptied")
    break_device(lab.devices["zjj-sw1"], "ipv4 family removed")
    break_device(lab.devices["xy-r1"], "vpn instance removed")
    lab.devices["xj-sw1"].faults.wrong_password = True
    before = {n: (d.running_text(), d.saved) for n, d in lab.devices.items()}
    r = run("device", "check", "--json", "--workers", "4")
    assert r.code == 4, r.err
    zjj = ["VPN instance EGOV has no IPv4 address family (no 'ipv4-family' under 'ip vpn-instance EGOV')",
           "isolation ACL 3999 has no rules ('acl number 3999' is empty, and an ACL without rules lets every "
           "packet pass)"]
    xy = [problem("cisco_ios", "vpn instance removed", "EGOV", "3999")]
    xj = ["device xj-sw1: authentication failed for user 'netops'; check EGOVNET_LAB_PASSWORD"]
    assert r.json() == {"devices": [
        expected_row(lab, "zjj-sw1", "huawei", problems=zjj),
        expected_row(lab, "hx-sw1", "hp_comware", free=3),
        expected_row(lab, "xj-sw1", "huawei_vrpv8", problems=xj, privilege=None, preconditions=None),
        expected_row(lab, "xy-r1", "cisco_ios", problems=xy)], "ready": 1, "not_ready": 3}
    assert r.err == ("Error: 3 of 4 devices are not ready (Art. 3): zjj-sw1: " + "; ".join(zjj) + "; xj-sw1: "
                     + xj[0].removeprefix("device xj-sw1: ") + "; xy-r1: " + xy[0]
                     + "; fix these before the first push, then run 'egovnet device check' again\n")
    assert {n: (d.running_text(), d.saved) for n, d in lab.devices.items()} == before  # read-only
    one = fails(1, "device", "check", "xy-r1")
    assert one.err == (f"Error: device xy-r1 is not ready (Art. 3): {xy[0]}; fix these before the first push, "
                       "then run 'egovnet device check' again\n")


def test_check_names_an_unknown_or_changed_host_key(lab, tmp_path):
    known = tmp_path / "inventory" / "known_hosts"
    lines = known.read_text().splitlines()
    port = lab.ports["hx-sw1"]
    # hx-sw1's entry gone; zjj-sw1's entry carries another key
    other_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl"
    kept = []
    for line in lines:
        if line.startswith(f"[127.0.0.1]:{port} "):
            continue
        if line.startswith(f"[127.0.0.1]:{lab.ports['zjj-sw1']} "):
            line = f"[127.0.0.1]:{lab.ports['zjj-sw1']} {other_key}"
        kept.append(line)
    known.write_text("\n".join(kept) + "\n")
    rows = {row["device"]: row for row in run("device", "check", "--json").json()["devices"]}
    assert (rows["hx-sw1"]["host_key"], rows["hx-sw1"]["ready"], rows["hx-sw1"]["preconditions"]) == ("unknown", False, None)
    assert rows["hx-sw1"]["problems"][0].startswith(f"device hx-sw1 (127.0.0.1:{port}) is not in ")
    assert (rows["zjj-sw1"]["host_key"], rows["zjj-sw1"]["ready"]) == ("changed", False)
    assert "possible interception" in rows["zjj-sw1"]["problems"][0]
    assert (rows["xj-sw1"]["ready"], rows["xy-r1"]["ready"]) == (True, True)


def test_check_names_a_login_that_may_not_configure(lab):
    lab.devices["xy-r1"].secret = "not-the-enable-secret"
    r = fails(1, "device", "check", "xy-r1", "--json")
    row = json.loads(r.out)["devices"][0]
    assert (row["reachable"], row["host_key"], row["privilege"], row["preconditions"], row["ready"]) == (
        True, "ok", "denied", None, False)
    assert row["problems"][0].startswith("device xy-r1: cannot enter enable mode")


def test_check_names_a_login_refused_configuration_mode(lab):
    lab.devices["zjj-sw1"].faults.error_on = r"^system-view$"
    r = fails(1, "device", "check", "zjj-sw1", "--json")
    row = json.loads(r.out)["devices"][0]
    assert (row["reachable"], row["host_key"], row["privilege"], row["preconditions"], row["ready"]) == (
        True, "ok", "denied", [], False)
    assert row["problems"] == ["device zjj-sw1: cannot enter configuration mode: Failed to enter configuration mode.; "
                               "give egovnet's login the right to configure this device"]


def test_check_names_a_device_that_does_not_answer(lab, tmp_path):
    import yaml

    path = tmp_path / "inventory" / "inventory.yaml"
    data = yaml.safe_load(path.read_text())
    lab.stop()
    data["defaults"]["timeouts"] = {"connect": 1, "auth": 1, "banner": 1, "read": 2}
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    r = fails(1, "device", "check", "zjj-sw1", "--json")
    row = json.loads(r.out)["devices"][0]
    assert (row["reachable"], row["host_key"], row["privilege"], row["ready"]) == (False, None, None, False)
    assert row["problems"][0].startswith("device zjj-sw1: cannot connect")


# ---- Netmiko is imported once, before any worker: no import race at 20 workers ----

def test_twenty_devices_twenty_workers_in_a_fresh_process(tmp_path, monkeypatch):
    from egovnet.services.lab import sample_spec, start_lab, write_inventory

    monkeypatch.setenv("EGOVNET_LAB_PASSWORD", "Lab-Secret-7f3a")
    spec = sample_spec(20, ports=2)
    lab = start_lab(spec)
    try:
        inv = write_inventory(tmp_path / "inv20", spec, lab, timeouts={"connect": 10, "auth": 10, "banner": 10, "read": 20})
        env = {**os.environ, "EGOVNET_INVENTORY": str(inv)}
        r = subprocess.run([sys.executable, "-m", "egovnet", "device", "check", "--workers", "20", "--json"],
                           capture_output=True, text=True, timeout=300, env=env, cwd=REPO)
    finally:
        lab.stop()
    assert "partially initialized module" not in r.stdout + r.stderr
    assert r.returncode == 0, r.stderr
    report = json.loads(r.stdout)
    assert (report["ready"], report["not_ready"]) == (20, 0)
