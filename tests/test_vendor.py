"""Vendor-correct configuration per platform, pushed through Netmiko's real drivers to lab devices that display
lines the way the real platforms do: Comware adds a default CBS, a Catalyst in VTP server mode keeps VLANs out
of its running config, CloudEngine has its own syntax and port names. Every step verifies with no false rollback."""


import pytest
import yaml

from conftest import DEPT, fails, file_app, ok, quiet_days, run, sql

TOWN = {"huawei": "朱家角镇", "hp_comware": "华新镇", "huawei_vrpv8": "徐泾镇", "cisco_ios": "夏阳街道"}
DEVICE = {"huawei": "zjj-sw1", "hp_comware": "hx-sw1", "huawei_vrpv8": "xj-sw1", "cisco_ios": "xy-r1"}
D = "egov-L1-A1-aa"

# what `provision --dry-run --json` plans for link 1 (VLAN 101, 50 Mbit/s), line by line, per platform
PLANNED = {
    "huawei": [
        "vlan 101", f" description {D}", "quit",
        "interface Vlanif101", f" description {D}", " ip binding vpn-instance EGOV", " ip address 10.64.0.1 255.255.255.248",
        " traffic-filter inbound acl 3999", "quit",
        "interface GigabitEthernet0/0/1", f" description {D}", " port link-type access", " port default vlan 101",
        " qos lr inbound cir 50000", " qos lr outbound cir 50000", " undo shutdown", "quit"],
    "huawei_vrpv8": [
        "qos car EGOV-RL-L1 cir 50 mbps",
        "vlan 101", f" description {D}", "quit",
        "interface Vlanif101", f" description {D}", " ip binding vpn-instance EGOV", " ip address 10.64.32.1 255.255.255.248",
        " traffic-filter acl 3999 inbound", "quit",
        "interface GE1/0/1", f" description {D}", " port link-type access", " port default vlan 101",
        " qos car inbound EGOV-RL-L1", " qos lr cir 50 mbps outbound", " undo shutdown", "quit"],
    "hp_comware": [
        "vlan 101", f" name {D}", "quit",
        "interface Vlan-interface101", f" description {D}", " ip binding vpn-instance EGOV",
        " ip address 10.64.16.1 255.255.255.248", " packet-filter 3999 inbound", "quit",
        "interface GigabitEthernet1/0/1", f" description {D}", " port link-type access", " port access vlan 101",
        " qos lr inbound cir 50048", " qos lr outbound cir 50048", " undo shutdown", "quit"],  # multiples of 64
    "cisco_ios": [
        "policy-map EGOV-RL-L1", " class class-default", "  police cir 50000000", "exit",
        "vlan 101", f" name {D}", "exit",
        "interface Vlan101", f" description {D}", " vrf forwarding EGOV", " ip address 10.64.48.1 255.255.255.248",
        " ip access-group EGOV-ISOLATION in", "exit",
        "interface GigabitEthernet0/1", f" description {D}", " switchport mode access", " switchport access vlan 101",
        " service-policy input EGOV-RL-L1", " service-policy output EGOV-RL-L1", " no shutdown", "exit"],
}



def _rollback(statement: str) -> str:
    """The journalled rollback commands as JSON text, on SQLite (text) and PostgreSQL (parsed JSON) alike."""
    import json

    value = sql(statement)[0][0]
    return value if isinstance(value, str) else json.dumps(value)

def approved(code: str, town: str, *extra: str) -> int:
    ok("unit", "add", f"{town}{code}村民委员会", "--category", "village", "--dept", DEPT, "--code", code, "--town", town,
       "--address", f"青浦区{town}{code}路1号", "--mlps-level", "2", "--mlps-assessed", "2026-03-01")
    app_id = file_app(code, *extra)["id"]
    ok("review", "approve", str(app_id), user="bdc.reviewer")
    return app_id


def inventory(tmp_path) -> tuple:
    path = tmp_path / "inventory" / "inventory.yaml"
    return path, yaml.safe_load(path.read_text(encoding="utf-8"))


@pytest.fixture
def dept():
    ok("dept", "add", DEPT)


@pytest.mark.parametrize("platform", list(PLANNED))
def test_dry_run_shows_the_vendors_lines(lab, dept, platform):
    approved("aa", TOWN[platform])
    row = ok("provision", "1", "--dry-run", "--json").json()["results"][0]
    assert (row["device"], row["status"], row["failed"]) == (DEVICE[platform], "planned", False)
    assert row["commands"] == PLANNED[platform]


def shown(dev, header):
    return dev.section(header) or []


@pytest.mark.parametrize("platform", list(PLANNED))
def test_push_bandwidth_shutdown_decommission_verify_without_false_rollback(lab, dept, platform, _home):
    dev = lab.devices[DEVICE[platform]]
    port = f"interface {dev.ports[0]}"
    approved("aa", TOWN[platform])
    row = ok("provision", "1", "--yes", "--json").json()["results"][0]
    assert (row["status"], row["changed"], row["failed"], row["error"]) == ("applied", True, False, None)
    text = dev.running_text()
    if platform == "hp_comware":  # the device shows the default CBS it added: 62.5 x CIR rounded up to 512 bytes
        assert {"qos lr inbound cir 50048 cbs 3128320", "qos lr outbound cir 50048 cbs 3128320"} <= set(shown(dev, port))
    if platform == "cisco_ios":   # VTP server: the VLAN is in vlan.dat, not in the running config
        assert "vlan 101" not in text.splitlines() and " name egov-L1-A1-aa" not in text
        assert dev.section("vlan 101") == ["name egov-L1-A1-aa"]
        assert {"service-policy input EGOV-RL-L1", "service-policy output EGOV-RL-L1"} <= set(shown(dev, port))
    if platform == "huawei_vrpv8":
        assert "qos car EGOV-RL-L1 cir 50 mbps" in text.splitlines()
        assert {"qos car inbound EGOV-RL-L1", "qos lr cir 50 mbps outbound"} <= set(shown(dev, port))
    # provisioning again sends nothing: the device's display reads as what was typed
    sent = len(dev.history)
    again = ok("provision", "1", "--yes", "--json").json()["results"][0]
    assert (again["status"], again["diff"]) == ("unchanged", [])
    assert not [c for c in dev.commands()[sent:] if c in ("system-view", "configure terminal")]

    # a bandwidth change (Art. 18) verifies and is saved
    ok("change", "request", "1", "--bandwidth", "100", "--reason", "扩容", user="dept.zhujiajiao")
    ok("change", "approve", "1")
    done = ok("change", "apply", "1", "--yes", "--json").json()
    assert (done["result"], done["status"]) == ("applied", "applied"), done
    rates = {"huawei": {"qos lr inbound cir 100000", "qos lr outbound cir 100000"},
             "hp_comware": {"qos lr inbound cir 100032 cbs 6252032", "qos lr outbound cir 100032 cbs 6252032"},
             "huawei_vrpv8": {"qos car inbound EGOV-RL-L1", "qos lr cir 100 mbps outbound"},
             "cisco_ios": {"service-policy input EGOV-RL-L1", "service-policy output EGOV-RL-L1"}}[platform]
    assert rates <= set(shown(dev, port))
    if platform == "huawei_vrpv8":
        assert "qos car EGOV-RL-L1 cir 100 mbps" in dev.running_text().splitlines()
    if platform == "cisco_ios":
        assert dev.section("policy-map EGOV-RL-L1") == ["class class-default", " police cir 100000000",
                                                        "  conform-action transmit", "  exceed-action drop"]

    # shutdown for non-use (Art. 15), then decommission: each verifies, nothing rolled back
    quiet_days(1, "2026-09-29", "2026-12-27")  # complete data showing no use: only then is a link closed
    closed = ok("--today", "2026-12-28", "audit", "idle", "--close", "--yes", "--json").json()
    assert [c["link"] for c in closed["closed"]] == [1] and closed["failed"] == []
    assert "shutdown" in shown(dev, port)
    r = ok("--today", "2026-12-29", "decommission", "1", "--reason", "停用", "--yes", "--json").json()
    assert (r["status"], r["failed"], r["rolled_back"], r["error"]) == ("decommissioned", False, False, None)
    assert shown(dev, port) == ["shutdown"]
    assert dev.section("vlan 101") is None
    assert not any("EGOV-RL-L1" in line for line in dev.running_text().splitlines())
    # open, the idempotent re-run, the rate, the shutdown, the decommission: all applied, none rolled back
    assert [s for (s,) in sql("SELECT status FROM push ORDER BY id")] == ["applied"] * 5


def test_cisco_close_names_the_policy_map(lab, dept):
    approved("aa", TOWN["cisco_ios"])
    ok("provision", "1", "--yes")
    r = ok("decommission", "1", "--reason", "停用", "--dry-run")
    assert r.out.splitlines()[:8] == [
        "interface GigabitEthernet0/1", " no description", " no switchport access vlan", " no switchport mode",
        " no service-policy input EGOV-RL-L1", " no service-policy output EGOV-RL-L1", " shutdown", "exit"]


def test_vtp_transparent_keeps_vlans_in_the_running_config(lab, dept, tmp_path):
    path, data = inventory(tmp_path)
    data["devices"]["xy-r1"]["vtp_mode"] = "transparent"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    dev = lab.devices["xy-r1"]
    dev.vtp_mode = "transparent"
    approved("aa", TOWN["cisco_ios"])
    assert ok("provision", "1", "--yes", "--json").json()["results"][0]["status"] == "applied"
    assert "vlan 101" in dev.running_text().splitlines()
    # a device in server mode that the inventory calls transparent: the VLAN is missing from the display, and
    # the push is refused rather than reported done
    ok("unit", "add", "夏阳街道bb村民委员会", "--category", "village", "--dept", DEPT, "--code", "bb",
       "--town", "夏阳街道", "--address", "青浦区夏阳街道bb路2号", "--mlps-level", "2", "--mlps-assessed", "2026-03-01")
    ok("review", "approve", str(file_app("bb")["id"]), user="bdc.reviewer")
    dev.vtp_mode = "server"
    r = run("provision", "2", "--yes", "--json")
    assert r.code == 4
    row = r.json()["results"][0]
    assert row["status"] == "rolled_back" and "verification failed, not on the device: vlan 102" in row["error"]


def test_nat_on_a_switch_without_the_capability_is_refused_at_planning(lab, dept, tmp_path, _home):
    approved("aa", "朱家角镇", "--nat-basis", "视频会议需要NAT")
    msg = ("Error: application 1 is approved for NAT (Art. 13), but device zjj-sw1 has no 'nat' capability in the "
           "inventory; add nat to its capabilities if it can carry it, or choose another device with --device\n")
    assert fails(3, "provision", "1", "--dry-run", "--json").err == msg
    assert fails(3, "provision", "1", "--yes").err == msg
    assert sql("SELECT count(*) FROM allocation") == [(0,)]
    assert sql("SELECT count(*) FROM push") == [(0,)]
    assert not any(c == "system-view" for c in lab.devices["zjj-sw1"].commands())
    # encryption needs 'ipsec'; a device with both carries both
    path, data = inventory(tmp_path)
    data["devices"]["zjj-sw1"]["capabilities"] = ["nat", "ipsec"]
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    row = ok("provision", "1", "--dry-run", "--json").json()["results"][0]
    assert " nat outbound 2001" in row["commands"]


@pytest.mark.parametrize("platform,key,value,message", [
    ("cisco_ios", "isolation_acl", "3999", "isolation ACL '3999' is not usable on Cisco IOS: it must be an ACL name or "
     "an extended ACL number 100-199 or 2000-2699"),
    ("hp_comware", "isolation_acl", "EGOV-ISO", "isolation ACL 'EGOV-ISO' is not usable on H3C Comware: it must be an "
     "advanced ACL number 3000-3999"),
    ("huawei", "isolation_acl", "2999", "isolation ACL '2999' is not usable on Huawei VRP: it must be an advanced ACL "
     "number 3000-3999"),
])
def test_isolation_acl_is_checked_per_platform_at_load(lab, tmp_path, platform, key, value, message):
    path, data = inventory(tmp_path)
    name = DEVICE[platform]
    data["devices"][name][key] = value
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    line = next(i for i, text in enumerate(path.read_text().splitlines(), 1) if text.strip().startswith(f"{key}:")
                and i > next(j for j, t in enumerate(path.read_text().splitlines(), 1) if t.strip() == f"{name}:"))
    r = fails(1, "device", "list")
    assert r.err == (f"Error: {path}:{line}: devices.{name}.{key}: {message} (device {name}, {platform}); "
                     "correct it in the inventory: it is written into device commands\n")


def test_cloudengine_port_names_are_checked_at_load(lab, tmp_path):
    path, data = inventory(tmp_path)
    data["devices"]["xj-sw1"]["ports"] = ["GE1/0/1", "GigabitEthernet0/0/2"]
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    r = fails(1, "device", "list")
    assert r.err.endswith(": devices.xj-sw1.ports[1]: port 'GigabitEthernet0/0/2' is not a Huawei CloudEngine (VRPv8) "
                          "port name (e.g. GE1/0/1, 10GE1/0/1, 40GE1/0/1, 100GE1/0/1) (device xj-sw1, huawei_vrpv8); write "
                          "the port as the device names it\n"), r.err


def test_a_vlan_name_over_the_platforms_limit_is_refused_at_planning(lab, dept, _home):
    code = "xy-" + "a" * 28  # egov-L1-A1-<31 characters> = 42 characters: over IOS's 32
    approved(code, TOWN["cisco_ios"])
    r = fails(3, "provision", "1", "--dry-run")
    assert r.err == (f"Error: VLAN name 'egov-L1-A1-{code}' is 42 characters long; a Cisco IOS VLAN on device xy-r1 "
                     "takes at most 32; give the unit a shorter code\n")
    assert sql("SELECT count(*) FROM allocation") == [(0,)]


@pytest.mark.parametrize("platform", list(PLANNED))
def test_a_push_refused_at_its_last_line_rolls_back_to_the_exact_config(lab, dept, platform, _home):
    dev = lab.devices[DEVICE[platform]]
    before = dev.running_text()
    dev.faults.error_on = r"^(undo|no) shutdown$"
    approved("aa", TOWN[platform])
    r = run("provision", "1", "--yes", "--json")
    assert r.code == 4, r.err
    row = r.json()["results"][0]
    assert (row["status"], row["failed"]) == ("rolled_back", True), row["error"]
    assert dev.running_text() == before
    rollback = _rollback("SELECT rollback FROM push")
    if platform == "huawei_vrpv8":   # two-stage: the uncommitted candidate is discarded, nothing to undo
        assert rollback == "[]"
    else:
        assert {"huawei": '"undo vlan 101"]', "hp_comware": '"undo vlan 101"]',
                "cisco_ios": '"no policy-map EGOV-RL-L1"]'}[platform] in rollback


def test_comware_rate_change_refused_half_way_rolls_back_past_the_cbs_display(lab, dept):
    dev = lab.devices["hx-sw1"]
    approved("aa", TOWN["hp_comware"])
    ok("provision", "1", "--yes")
    ok("change", "request", "1", "--bandwidth", "20", "--reason", "降速", user="dept.zhujiajiao")
    ok("change", "approve", "1")
    before = dev.running_text()
    dev.faults.error_on = r"^qos lr outbound cir 20032$"   # the inbound limit has changed when this one fails
    r = run("change", "apply", "1", "--yes", "--json")
    assert r.code == 1 and r.json()["result"] == "rolled_back", r.err
    assert dev.running_text() == before
    assert "qos lr inbound cir 50048 cbs 3128320" in dev.section("interface GigabitEthernet1/0/1")
    # the undo the device got: the typed line back (it adds its CBS again)
    after = dev.commands()[dev.commands().index("qos lr outbound cir 20032"):]
    assert "qos lr inbound cir 50048" in after and not any(c.startswith("undo qos lr") for c in after)


def test_address_before_binding_is_caught_by_verification(lab, dept, tmp_path):
    """Why the templates bind first: a template (an operator's copy) that sets the address before binding the
    VPN instance loses the address on the device, and verification rolls the push back."""
    from egovnet.devices.render import PACKAGED

    text = (PACKAGED / "huawei" / "open.j2").read_text(encoding="utf-8")
    bind, address = " ip binding vpn-instance {{ vrf }}\n", " ip address {{ gateway }} {{ netmask }}\n"
    swapped = text.replace(bind + address, address + bind)
    assert swapped != text
    folder = tmp_path / "inventory" / "templates" / "huawei"
    folder.mkdir(parents=True)
    (folder / "open.j2").write_text(swapped, encoding="utf-8")
    dev = lab.devices["zjj-sw1"]
    before = dev.running_text()
    approved("aa", TOWN["huawei"])
    r = run("provision", "1", "--yes", "--json")
    assert r.code == 4, r.err
    row = r.json()["results"][0]
    assert row["status"] == "rolled_back"
    assert row["error"] == ("device zjj-sw1: verification failed, not on the device: "
                            "interface Vlanif101 / ip address 10.64.0.1 255.255.255.248")
    assert dev.running_text() == before


def test_cisco_decommission_refused_at_its_last_step_restores_the_vlan_kept_in_vlan_dat(lab, dept, _home):
    dev = lab.devices["xy-r1"]
    approved("aa", TOWN["cisco_ios"])
    ok("provision", "1", "--yes")
    before = dev.running_text()
    assert "  police cir 50000000" in before.splitlines() and "   exceed-action drop" in before.splitlines()
    dev.faults.error_on = r"^no policy-map"
    r = run("decommission", "1", "--reason", "停用", "--yes")
    assert r.code == 1, r.err
    assert r.err.endswith("(rolled back; the link stays as it was)\n"), r.err
    assert dev.running_text() == before
    assert dev.section("vlan 101") == ["name egov-L1-A0-link"]   # back in vlan.dat (VTP server)
    rollback = _rollback("SELECT rollback FROM push WHERE action = 'close'")
    # the VLAN first, then the policy-map typed back in its sub-modes (class, then police and its actions)
    assert rollback.startswith('["vlan 101", " name egov-L1-A0-link", "exit", "policy-map EGOV-RL-L1", " class '
                               'class-default", "  police cir 50000000", "   conform-action transmit", '
                               '"   exceed-action drop", "exit"'), rollback


def test_cisco_rate_change_refused_after_the_police_line_is_typed_back_in_its_sub_mode(lab, dept):
    dev = lab.devices["xy-r1"]
    approved("aa", TOWN["cisco_ios"])
    ok("provision", "1", "--yes")
    ok("change", "request", "1", "--bandwidth", "20", "--reason", "降速", user="dept.zhujiajiao")
    ok("change", "approve", "1")
    before = dev.running_text()
    dev.faults.error_on, dev.faults.error_once = r"^exit$", True   # refused once, right after the new rate
    r = run("change", "apply", "1", "--yes", "--json")
    assert r.code == 1 and r.json()["result"] == "rolled_back", r.err
    assert dev.running_text() == before
    assert dev.section("policy-map EGOV-RL-L1") == ["class class-default", " police cir 50000000",
                                                    "  conform-action transmit", "  exceed-action drop"]
    sent = dev.commands()
    undo = sent[len(sent) - sent[::-1].index("police cir 20000000"):]
    assert undo[undo.index("policy-map EGOV-RL-L1"):][:4] == [
        "policy-map EGOV-RL-L1", "class class-default", "police cir 50000000", "exit"]


def test_the_default_isolation_acl_3999_is_refused_for_an_ios_device_at_its_defaults_line(lab, tmp_path):
    path, data = inventory(tmp_path)
    del data["groups"]["cisco_ios"]["isolation_acl"]   # the defaults' '3999' now reaches the Catalyst
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    line = next(i for i, text in enumerate(path.read_text().splitlines(), 1) if text.strip().startswith("isolation_acl:"))
    r = fails(1, "provision", "--all-approved", "--dry-run")
    assert r.err == (f"Error: {path}:{line}: defaults.isolation_acl: isolation ACL '3999' is not usable on Cisco IOS: "
                     "it must be an ACL name or an extended ACL number 100-199 or 2000-2699 (device xy-r1, cisco_ios); "
                     "correct it in the inventory: it is written into device commands\n")


@pytest.mark.parametrize("shown,typed", [
    ("qos lr outbound cir 50000 cbs 3125000", "qos lr outbound cir 50000"),   # 62.5 x CIR (S5130: cir 64 cbs 4000)
    ("qos lr outbound cir 50000 cbs 3125248", "qos lr outbound cir 50000"),   # rounded up to 512 (S6812, S5820X)
    ("qos lr inbound cir 64 cbs 4000", "qos lr inbound cir 64"),
    ("qos lr outbound cir 50000 cbs 100000", "qos lr outbound cir 50000 cbs 100000"),  # set by hand: kept
])
def test_comware_default_cbs_reads_as_typed(shown, typed):
    from egovnet.devices.platforms import get

    assert get("hp_comware").tree(f"#\ninterface GigabitEthernet1/0/1\n {shown}\n#\nreturn") == {
        "interface GigabitEthernet1/0/1": [typed]}


@pytest.mark.parametrize("platform,filter_line,undo", [
    ("huawei", " traffic-filter inbound acl 3999", " undo traffic-filter inbound acl 3999"),
    ("huawei_vrpv8", " traffic-filter acl 3999 inbound", " undo traffic-filter acl 3999 inbound"),
    ("hp_comware", " packet-filter 3999 inbound", " undo packet-filter 3999 inbound"),
    ("cisco_ios", " ip access-group EGOV-ISOLATION in", " no ip access-group EGOV-ISOLATION in"),
])
def test_a_filter_is_undone_by_its_whole_line(platform, filter_line, undo):
    """A VLAN interface that was there before the push keeps it; the rollback removes the filter with the
    complete command (a bare 'undo traffic-filter acl' is an incomplete command on the device)."""
    from egovnet.devices import configtree
    from egovnet.devices.platforms import get

    p = get(platform)
    vlanif = {"huawei": "Vlanif101", "huawei_vrpv8": "Vlanif101", "hp_comware": "Vlan-interface101",
              "cisco_ios": "Vlan101"}[platform]
    commands = [f"interface {vlanif}", filter_line, p.up]
    assert configtree.inverse({f"interface {vlanif}": []}, commands, p) == [f"interface {vlanif}", undo, p.up]


def test_a_vtp_client_is_refused_at_planning(lab, dept, tmp_path, _home):
    path, data = inventory(tmp_path)
    data["devices"]["xy-r1"]["vtp_mode"] = "client"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    approved("aa", TOWN["cisco_ios"])
    r = fails(3, "provision", "1", "--yes")
    assert r.err == ("Error: device xy-r1 is a VTP client, which cannot create VLANs; create the VLAN on the VTP "
                     "server, or set vtp_mode in the inventory to what the device runs\n")
    assert sql("SELECT count(*) FROM allocation") == [(0,)]
    assert "configure terminal" not in lab.devices["xy-r1"].commands()


def test_cloudengine_rate_change_refused_half_way_restores_the_car_profile(lab, dept):
    """CloudEngine commits nothing when a line fails: the candidate is discarded and the device is as it was."""
    dev = lab.devices["xj-sw1"]
    approved("aa", TOWN["huawei_vrpv8"])
    ok("provision", "1", "--yes")
    ok("change", "request", "1", "--bandwidth", "20", "--reason", "降速", user="dept.zhujiajiao")
    ok("change", "approve", "1")
    before = dev.running_text()
    dev.faults.error_on = r"^qos lr cir 20 mbps outbound$"
    r = run("change", "apply", "1", "--yes", "--json")
    assert r.code == 1 and r.json()["result"] == "rolled_back", r.err
    assert dev.running_text() == before and "qos car EGOV-RL-L1 cir 50 mbps" in before.splitlines()


def test_cloudengine_undo_of_a_committed_rate_types_the_old_profile_back():
    """After a commit, the undo re-defines the CAR profile with its old rate (the top-level line of the same
    name) and restores the port's shaping rate."""
    from egovnet.devices.platforms import get

    p = get("huawei_vrpv8")
    backup = "#\nqos car EGOV-RL-L1 cir 50 mbps\n#\ninterface GE1/0/1\n qos car inbound EGOV-RL-L1\n" \
             " qos lr cir 50 mbps outbound\n#\nreturn"
    now = backup.replace("cir 50 mbps", "cir 20 mbps")
    commands = ["qos car EGOV-RL-L1 cir 20 mbps", "interface GE1/0/1", " qos lr cir 20 mbps outbound", "quit"]

    from types import SimpleNamespace

    assert p.undo(backup, now, SimpleNamespace(commands=commands), None) == [
        "qos car EGOV-RL-L1 cir 50 mbps", "interface GE1/0/1", " qos lr cir 50 mbps outbound", "quit"]
