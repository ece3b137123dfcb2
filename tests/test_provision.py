"""Provisioning end to end: CLI -> services -> Netmiko's real drivers -> SSH -> the device lab."""

import json
import subprocess
import sys
import textwrap

import pytest

from conftest import DEPT, fails, file_app, ok, run

TOWN_OF = {"huawei": "朱家角镇", "hp_comware": "华新镇", "huawei_vrpv8": "徐泾镇", "cisco_ios": "夏阳街道"}
DEVICE_OF = {"huawei": "zjj-sw1", "hp_comware": "hx-sw1", "huawei_vrpv8": "xj-sw1", "cisco_ios": "xy-r1"}


def approved_app(name, code, town, address, *extra):
    ok("unit", "add", name, "--category", "village", "--dept", DEPT, "--code", code, "--town", town,
       "--address", address, "--mlps-level", "2", "--mlps-assessed", "2026-03-01")
    a = file_app(code, *extra)
    ok("review", "approve", str(a["id"]), user="bdc.reviewer")
    return a["id"]


@pytest.fixture
def dept():
    ok("dept", "add", DEPT)


@pytest.mark.parametrize("platform", ["huawei", "huawei_vrpv8", "hp_comware", "cisco_ios"])
def test_provision_each_platform(lab, dept, platform, _home):
    app_id = approved_app("张马村村民委员会", "zjj-zhangma", TOWN_OF[platform], "青浦区某路1号")
    dev = lab.devices[DEVICE_OF[platform]]
    r = ok("provision", str(app_id), "--yes", "--json")
    row = r.json()["results"][0]
    port = dev.ports[0]
    assert {k: row[k] for k in ("application", "unit", "link", "device", "port", "vlan", "subnet", "status",
                                "changed", "failed", "error", "late")} == {
        "application": 1, "unit": "张马村村民委员会", "link": 1, "device": dev.name, "port": port, "vlan": 101,
        "subnet": {"huawei": "10.64.0.0/29", "hp_comware": "10.64.16.0/29", "huawei_vrpv8": "10.64.32.0/29",
                   "cisco_ios": "10.64.48.0/29"}[platform], "status": "applied", "changed": True, "failed": False,
        "error": None, "late": False}
    section = dev.section(f"interface {port}")
    assert "description egov-L1-A1-zjj-zhangma" in section
    vlanif = {"huawei": "Vlanif101", "huawei_vrpv8": "Vlanif101", "hp_comware": "Vlan-interface101",
              "cisco_ios": "Vlan101"}[platform]
    gw = row["subnet"].rsplit(".", 1)[0] + ".1"
    assert f"ip address {gw} 255.255.255.248" in dev.section(f"interface {vlanif}")
    assert dev.saved == dev.running_text()  # saved after verification
    assert not any(line.split()[:1] == ["nat"] or "ip nat" in line for line in dev.running_lines())
    shown = ok("review", "show", "1", "--json").json()
    assert shown["status"] == "active"
    # backup of the running config before the change, 0600
    backups = list((_home / "backups" / dev.name).glob("*.cfg"))
    assert len(backups) == 1 and oct(backups[0].stat().st_mode & 0o777) == "0o600"
    assert "egov-L1" not in backups[0].read_text()
    # idempotent: nothing is sent the second time
    sent = len(dev.history)
    again = ok("provision", "1", "--yes", "--json").json()["results"][0]
    assert (again["status"], again["changed"], again["diff"]) == ("unchanged", False, [])
    config_cmds = [c for c in dev.commands()[sent:] if c.startswith(("system-view", "configure", "interface", "vlan"))]
    assert config_cmds == []


def set_device_keys(tmp_path, device, **keys):
    """Edit the lab inventory as an engineer would: give one device more keys."""
    import yaml

    path = tmp_path / "inventory" / "inventory.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["devices"][device].update(keys)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_gated_features_render_only_when_approved(lab, dept, tmp_path):
    set_device_keys(tmp_path, "zjj-sw1", capabilities=["nat"])  # a VRP router (AR) that can carry NAT (Art. 13)
    app_id = approved_app("张马村村民委员会", "zjj-zhangma", "朱家角镇", "青浦区某路1号", "--nat-basis", "视频会议需要NAT")
    ok("provision", str(app_id), "--yes")
    assert "nat outbound 2001" in lab.devices["zjj-sw1"].section("interface Vlanif101")


def test_dry_run_changes_nothing(lab, dept, _home):
    approved_app("张马村村民委员会", "zjj-zhangma", "朱家角镇", "青浦区某路1号")
    dev = lab.devices["zjj-sw1"]
    before = dev.running_text()
    r = ok("provision", "1", "--dry-run", "--json")
    row = r.json()["results"][0]
    assert row["status"] == "planned" and row["commands"][0] == "vlan 101"
    assert "+ interface GigabitEthernet0/0/1 / description egov-L1-A1-zjj-zhangma" in row["diff"]
    assert dev.running_text() == before
    assert ok("review", "show", "1", "--json").json()["status"] == "approved"
    assert ok("device", "list", "--json").json()[0]["allocated"] == 0
    assert not (_home / "backups").exists()


def test_shared_link_is_built_once(lab, dept):
    approved_app("张马村村民委员会", "zjj-zhangma", "朱家角镇", "青浦区张马村1号")
    approved_app("张马村卫生室", "zjj-zhangma-ws", "朱家角镇", "青浦区张马村1号")
    rows = ok("provision", "--all-approved", "--yes", "--json").json()["results"]
    assert [(r["application"], r["link"], r["status"]) for r in rows] == [(1, 1, "applied"), (2, 1, "joined")]
    assert [r["status"] for r in ok("review", "list", "--json").json()] == ["active", "active"]
    # re-running either application changes nothing on the device (the link keeps its first description)
    dev = lab.devices["zjj-sw1"]
    before, sent = dev.running_text(), len(dev.history)
    alone = ok("provision", "2", "--yes", "--json").json()["results"]
    assert [(r["application"], r["status"], r["changed"]) for r in alone] == [(2, "joined", False)]
    again = ok("provision", "1", "2", "--yes", "--json").json()["results"]
    assert [(r["application"], r["status"], r["changed"]) for r in again] == [
        (1, "unchanged", False), (2, "joined", False)]
    assert dev.running_text() == before
    assert not any(c == "system-view" for c in dev.commands()[sent:])


def test_device_error_mid_push_rolls_back(lab, dept, _home):
    approved_app("张马村村民委员会", "zjj-zhangma", "朱家角镇", "青浦区某路1号")
    dev = lab.devices["zjj-sw1"]
    dev.faults.error_on = r"^qos lr outbound"
    before = dev.running_text()
    r = run("provision", "1", "--yes", "--json")
    assert r.code == 4, r.err
    row = r.json()["results"][0]
    assert (row["status"], row["failed"]) == ("rolled_back", True), row["error"]
    assert row["error"] == "device zjj-sw1 refused 'qos lr outbound cir 50000': Error: Wrong parameter found at '^' position."
    assert dev.running_text() == before  # the device is as it was
    assert r.err.startswith("Error: 1 of 1 failed: application 1 on zjj-sw1: device zjj-sw1 refused 'qos lr")
    assert ok("review", "show", "1", "--json").json()["status"] == "approved"
    from conftest import sql

    [(status, rollback)] = sql("SELECT status, rollback FROM push")
    rollback = json.loads(rollback) if isinstance(rollback, str) else rollback  # JSON is text on SQLite
    assert status == "rolled_back" and rollback[-2:] == ["undo interface Vlanif101", "undo vlan 101"]


def test_one_failure_does_not_stop_the_others(lab, dept):
    approved_app("张马村村民委员会", "zjj-zhangma", "朱家角镇", "青浦区某路1号")
    approved_app("华新村村民委员会", "hx-huaxin", "华新镇", "青浦区某路2号")
    lab.devices["hx-sw1"].faults.wrong_password = True
    r = run("provision", "--all-approved", "--yes", "--json", "--workers", "2")
    assert r.code == 4
    rows = {x["device"]: x for x in r.json()["results"]}
    assert rows["zjj-sw1"]["status"] == "applied"
    assert rows["hx-sw1"]["status"] == "failed" and "authentication failed for user 'netops'" in rows["hx-sw1"]["error"]
    assert "Lab-Secret-7f3a" not in r.out + r.err  # the password never reaches the screen


def test_hanging_device_ends_within_its_budget(lab, dept):
    import time

    approved_app("张马村村民委员会", "zjj-zhangma", "朱家角镇", "青浦区某路1号")
    lab.devices["zjj-sw1"].faults.hang_on = r"^port default vlan"
    t = time.monotonic()
    r = run("provision", "1", "--yes", "--json")
    assert r.code == 4
    assert time.monotonic() - t < 20
    assert r.json()["results"][0]["failed"] is True


def test_host_key_mismatch_is_refused(lab, dept, tmp_path):
    approved_app("张马村村民委员会", "zjj-zhangma", "朱家角镇", "青浦区某路1号")
    import asyncssh

    other = asyncssh.generate_private_key("ssh-ed25519").export_public_key("openssh").decode().strip()
    kh = tmp_path / "inventory" / "known_hosts"
    kh.write_text("\n".join(f"{line.split()[0]} {other}" for line in kh.read_text().splitlines()) + "\n")
    r = run("provision", "1", "--yes", "--json")
    assert r.code == 4
    err = r.json()["results"][0]["error"]
    assert "presented a host key that differs from" in err and "possible interception; nothing was sent" in err
    assert not any(c.startswith("system-view") for c in lab.devices["zjj-sw1"].commands())


def test_device_trust_records_the_key(lab, tmp_path):
    kh = tmp_path / "inventory" / "known_hosts"
    kh.write_text("")
    assert ok("device", "list", "--json").json()[0]["trusted"] is False
    r = run("device", "trust", "zjj-sw1")
    assert r.code == 3 and "presents ssh-ed25519 SHA256:" in r.err
    assert r.err.endswith("Error: compare the fingerprint with the device's console, then run again with --yes\n")
    ok("device", "trust", "zjj-sw1", "--yes")
    assert ok("device", "show", "zjj-sw1", "--json").json()["trusted"] is True


def test_refuses_without_yes_off_a_terminal(lab, dept):
    approved_app("张马村村民委员会", "zjj-zhangma", "朱家角镇", "青浦区某路1号")
    r = fails(3, "provision", "1")
    assert "confirm with --yes" in r.err


def test_only_approved_applications(lab, dept):
    ok("unit", "add", "张马村村民委员会", "--category", "village", "--dept", DEPT, "--code", "zjj-zhangma",
       "--town", "朱家角镇", "--mlps-level", "2", "--mlps-assessed", "2026-03-01")
    file_app("zjj-zhangma")
    r = fails(3, "provision", "1", "--yes")
    assert "application 1 is submitted; only an approved application is provisioned (Art. 12)" in r.err


def test_late_build_is_reported(lab, dept):
    approved_app("张马村村民委员会", "zjj-zhangma", "朱家角镇", "青浦区某路1号")
    r = ok("provision", "1", "--yes", "--json", today="2026-11-02")
    assert r.json()["results"][0]["late"] is True
    assert "built after its construction deadline 2026-10-23 (Art. 12)" in r.err


@pytest.mark.parametrize("value,why", [
    ("a\nquit", "U+000A"), ("a\rb", "U+000D"), ("a\x00b", "U+0000"), ("a\x1bb", "U+001B"), ("a\u2028b", "U+2028"),
    ("a\u202eb", "U+202E"), ("a?b", "'?'"), ("a\tb", "U+0009"), ("x" * 300, "characters long"),
])
def test_unsafe_values_never_reach_a_device(lab, dept, value, why):
    from egovnet.devices.render import render
    from egovnet.errors import InvalidInput

    ctx = {"description": value, "port": "GigabitEthernet0/0/1", "vlan": 101, "gateway": "10.0.0.1",
           "netmask": "255.255.255.248", "vrf": "EGOV", "acl": "3999", "bandwidth_kbps": 1000, "nat": False,
           "encryption": False, "nat_acl": "1", "ipsec_policy": "P"}
    with pytest.raises(InvalidInput) as exc:
        render("huawei", "open", ctx)
    assert why in str(exc.value)
    # and through the CLI: a malicious inventory value is refused when the inventory is read, before any SSH
    import yaml
    from pathlib import Path
    import os

    inv = Path(os.environ["EGOVNET_INVENTORY"]) / "inventory.yaml"
    data = yaml.safe_load(inv.read_text(encoding="utf-8"))
    data["defaults"]["vrf"] = value
    inv.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    approved_app("张马村村民委员会", "zjj-zhangma", "朱家角镇", "青浦区某路1号")
    r = fails(1, "provision", "1", "--yes")
    assert f"{inv}:" in r.err and ": defaults.vrf: " in r.err and "is not a VPN instance name" in r.err
    assert lab.devices["zjj-sw1"].history == []


WORKER = textwrap.dedent("""
    import json, sys
    from typer.testing import CliRunner
    from egovnet.cli import app
    res = CliRunner().invoke(app, ["--user", "bdc.engineer", "provision", *sys.argv[1:], "--yes", "--json"])
    print(res.stdout if res.exit_code in (0, 4) else json.dumps({"error": res.stderr, "code": res.exit_code}))
""")


def test_two_processes_never_share_a_vlan_or_subnet(lab, dept, tmp_path):
    for i in range(4):  # the lab device has 4 unit ports: both runs must fit, and both must succeed
        approved_app(f"村委会{i}", f"v{i}", "朱家角镇", f"青浦区某路{i}号")
    script = tmp_path / "w.py"
    script.write_text(WORKER)
    procs = [subprocess.Popen([sys.executable, str(script), *ids], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, cwd=tmp_path) for ids in (["1", "3"], ["2", "4"])]
    applied = []
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
        rows = json.loads(out)["results"]
        assert [r["status"] for r in rows] == ["applied", "applied"], out
        applied += rows
    assert sorted(r["application"] for r in applied) == [1, 2, 3, 4]
    assert len({r["vlan"] for r in applied}) == 4 and len({r["subnet"] for r in applied}) == 4
    assert len({r["port"] for r in applied}) == 4
    links = ok("device", "show", "zjj-sw1", "--json").json()["links"]
    assert sorted((r["port"], r["vlan"], r["subnet"]) for r in links) == sorted(
        (r["port"], r["vlan"], r["subnet"]) for r in applied)


def test_session_log_is_0600_and_masks_the_password(lab, dept, tmp_path):
    approved_app("张马村村民委员会", "zjj-zhangma", "朱家角镇", "青浦区某路1号")
    logs = tmp_path / "session-logs"
    ok("provision", "1", "--yes", "--session-log", str(logs))
    log = logs / "zjj-sw1.log"
    assert oct(log.stat().st_mode & 0o777) == "0o600"
    text = log.read_text(encoding="utf-8", errors="replace")
    assert "port default vlan 101" in text
    assert "Lab-Secret-7f3a" not in text


def test_dropped_session_mid_push_rolls_back_on_a_fresh_session(lab, dept):
    approved_app("张马村村民委员会", "zjj-zhangma", "朱家角镇", "青浦区某路1号")
    dev = lab.devices["zjj-sw1"]
    dev.faults.drop_on = r"^qos lr outbound"
    before = dev.running_text()
    r = run("provision", "1", "--yes", "--json")
    assert r.code == 4, r.err
    row = r.json()["results"][0]
    assert (row["status"], row["failed"]) == ("rolled_back", True), row["error"]
    assert row["error"].startswith("device zjj-sw1: configuration failed: ")
    assert dev.running_text() == before and dev.saved == before
    assert ok("review", "show", "1", "--json").json()["status"] == "approved"
    dev.faults.drop_on = None  # the device is back: the same application goes through
    assert ok("provision", "1", "--yes", "--json").json()["results"][0]["status"] == "applied"


def test_operator_template_overrides_the_packaged_one(lab, dept, tmp_path):
    import os

    from egovnet.devices.render import PACKAGED

    inv = tmp_path / "inventory"
    (inv / "templates" / "huawei").mkdir(parents=True)
    packaged = (PACKAGED / "huawei" / "open.j2").read_text()
    assert "description {{ description }}" in packaged
    (inv / "templates" / "huawei" / "open.j2").write_text(
        packaged.replace("description {{ description }}", "description BDC-{{ description }}"))
    assert os.environ["EGOVNET_INVENTORY"] == str(inv)
    approved_app("张马村村民委员会", "zjj-zhangma", "朱家角镇", "青浦区某路1号")
    ok("provision", "1", "--yes")
    section = lab.devices["zjj-sw1"].section("interface GigabitEthernet0/0/1")
    assert "description BDC-egov-L1-A1-zjj-zhangma" in section
    # an override is checked like the packaged templates: an unsafe rendered line never leaves
    (inv / "templates" / "huawei" / "close.j2").write_text("undo interface {{ port }}\ttab\n")
    from egovnet.devices.render import render
    from egovnet.errors import InvalidInput

    with pytest.raises(InvalidInput, match="rendered command 1 contains U\\+0009"):
        render("huawei", "close", {"port": "GigabitEthernet0/0/1"}, inv)
