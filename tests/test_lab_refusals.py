"""The lab refuses what the devices refuse: each wrong command goes through Netmiko's real driver over SSH and
gets the vendor's error text (sources in egovnet/lab/dialects.py). Side effects the devices have are modelled:
binding an interface to a VPN instance removes its address, so the templates bind first."""

import contextlib

import pytest

from egovnet.devices.netmiko_driver import preload

PASSWORD = "Lab-Secret-7f3a"
LONG = "x" * 120

VRP_PARAM = "Error: Wrong parameter found at '^' position."
VRP_UNKNOWN = "Error: Unrecognized command found at '^' position."
H3C_PARAM = " % Wrong parameter found at '^' position."
H3C_UNKNOWN = " % Unrecognized command found at '^' position."
IOS_INVALID = "% Invalid input detected at '^' marker."

CASES = {
    "huawei": [
        (["vlan 101", "quit", "interface GigabitEthernet0/0/1", "port link-type access", "port default vlan 3000"],
         "Error: The VLAN does not exist."),
        (["interface Vlanif101", "ip binding vpn-instance NOSUCHVRF"], "Error: The VPN instance does not exist."),
        (["interface GigabitEthernet0/0/1", "ip address 10.1.1.1 255.255.255.0"], VRP_UNKNOWN),  # a Layer-2 port
        (["interface GigabitEthernet0/0/1", "qos lr outbound cir 99999999999"], VRP_PARAM),
        (["interface Vlanif101", "traffic-filter inbound acl 5000"], VRP_PARAM),
        (["acl number 5000"], VRP_PARAM),
        (["vlan 101", f"description {LONG}"], VRP_PARAM),                                    # 1-80 characters
        (["vlan 101", "port link-type access"], VRP_UNKNOWN),                                 # port command, VLAN view
    ],
    "huawei_vrpv8": [
        (["interface GigabitEthernet0/0/1"], VRP_PARAM),                                      # a V5 port name
        (["interface GE1/0/1", "qos lr outbound cir 50000"], VRP_PARAM),                     # V5 rate-limit syntax
        (["interface Vlanif101", "traffic-filter inbound acl 3999"], VRP_PARAM),             # V5 filter syntax
        (["interface GE1/0/1", "port default vlan 3000"], "Error: The VLAN does not exist."),
        (["interface Vlanif101", "ip binding vpn-instance NOSUCHVRF"], "Error: The VPN instance does not exist."),
        (["interface GE1/0/1", "ip address 10.1.1.1 255.255.255.0"], VRP_UNKNOWN),
        (["interface GE1/0/1", "qos lr cir 99999999999 kbps outbound"], VRP_PARAM),
        (["interface Vlanif101", "traffic-filter acl 5000 inbound"], VRP_PARAM),
        (["vlan 101", f"description {LONG}"], VRP_PARAM),
        (["vlan 101", "port default vlan 101"], VRP_UNKNOWN),
        (["ip vpn-instance EGOV", "undo ipv4-family", "quit", "interface Vlanif101", "ip binding vpn-instance EGOV"],
         "Error: The address family of the VPN instance is not enabled."),
    ],
    "hp_comware": [
        (["interface GigabitEthernet1/0/1", "port access vlan 3000"], " % VLAN does not exist."),
        (["interface Vlan-interface101", "ip binding vpn-instance NOSUCHVRF"], " % The VPN instance does not exist."),
        (["interface GigabitEthernet1/0/1", "ip address 10.1.1.1 255.255.255.0"], H3C_UNKNOWN),
        (["interface GigabitEthernet1/0/1", "qos lr outbound cir 99999999999"], H3C_PARAM),
        (["interface GigabitEthernet1/0/1", "qos lr outbound cir 50000"], H3C_PARAM),          # not a multiple of 64
        (["interface Vlan-interface101", "packet-filter 6000 inbound"], H3C_PARAM),
        (["acl advanced 2999"], H3C_PARAM),
        (["vlan 101", f"name {LONG}"], H3C_PARAM),                                            # 1-32 characters
        (["vlan 101", "port link-type access"], H3C_UNKNOWN),
    ],
    "cisco_ios": [
        (["interface Vlan101", "vrf forwarding NOSUCHVRF"], "% VRF NOSUCHVRF not configured."),
        (["interface GigabitEthernet0/1", "ip address 10.1.1.1 255.255.255.0"],
         "% IP addresses may not be configured on L2 links."),
        (["policy-map P", "class class-default", "police cir 99999999999"], IOS_INVALID),
        (["interface Vlan101", "ip access-group 3999 in"], IOS_INVALID),                     # not an IOS ACL number
        (["vlan 101", f"name {LONG}"], IOS_INVALID),                                          # 1-32 characters
        (["vlan 101", "switchport mode access"], IOS_INVALID),
        (["interface GigabitEthernet0/1", "no service-policy output"], "% Incomplete command."),
    ],
}
DEVICE = {"huawei": "zjj-sw1", "huawei_vrpv8": "xj-sw1", "hp_comware": "hx-sw1", "cisco_ios": "xy-r1"}


@pytest.fixture
def devices(monkeypatch):
    from egovnet.services.lab import sample_spec, start_lab

    monkeypatch.setenv("EGOVNET_LAB_PASSWORD", PASSWORD)
    lab = start_lab(sample_spec(ports=4))
    yield lab
    lab.stop()


@contextlib.contextmanager
def session(lab, platform):
    """Netmiko's own driver for the platform (egovnet's VRP subclasses only add a config-mode pattern)."""
    extra = {"global_cmd_verify": True} if platform == "hp_comware" else {}
    conn = preload()[platform](host=lab.host, port=lab.ports[DEVICE[platform]], username="netops", password=PASSWORD,
                               secret=PASSWORD, device_type=platform, fast_cli=True, conn_timeout=5, **extra)
    try:
        if platform == "cisco_ios":
            conn.enable()
        yield conn
    finally:
        if platform == "huawei_vrpv8":
            conn.send_command("clear configuration candidate", expect_string=r"\]\s*$")
        conn.disconnect()


@pytest.mark.parametrize("platform", list(CASES))
def test_wrong_commands_get_the_vendors_error(devices, platform):
    dev = devices.devices[DEVICE[platform]]
    before = dev.running_text()
    with session(devices, platform) as conn:
        for commands, error in CASES[platform]:
            out = conn.send_config_set(commands)
            last = [line for line in out.splitlines() if line.strip()]
            assert error in last, (commands, out)
            # the error follows the wrong command itself
            assert last[last.index(error) - 1].rstrip().endswith(commands[-1]), (commands, out)
    if platform != "huawei_vrpv8":
        for line in ("port default vlan 3000", "ip binding vpn-instance NOSUCHVRF", "vrf forwarding NOSUCHVRF",
                     "ip address 10.1.1.1 255.255.255.0", LONG):
            assert line not in dev.running_text(), line
    else:
        assert dev.running_text() == before  # CloudEngine: nothing committed


@pytest.mark.parametrize("platform,commands,vlanif,info", [
    ("huawei", ["vlan 101", "quit", "interface Vlanif101", "ip address 10.9.9.1 255.255.255.0",
                "ip binding vpn-instance EGOV"], "interface Vlanif101",
     "Info: All IPv4 related configurations on this interface are removed!"),
    ("cisco_ios", ["interface Vlan101", "ip address 10.9.9.1 255.255.255.0", "vrf forwarding EGOV"], "interface Vlan101",
     "% Interface Vlan101 IPv4 disabled and address(es) removed due to enabling VRF EGOV"),
    ("hp_comware", ["vlan 101", "quit", "interface Vlan-interface101", "ip address 10.9.9.1 255.255.255.0",
                    "ip binding vpn-instance EGOV"], "interface Vlan-interface101", None),
])
def test_binding_a_vpn_instance_removes_the_address(devices, platform, commands, vlanif, info):
    dev = devices.devices[DEVICE[platform]]
    with session(devices, platform) as conn:
        out = conn.send_config_set(commands)
        if info:
            assert info in out.splitlines(), out
        assert [line for line in dev.section(vlanif) if line.startswith("ip address")] == []
        # the templates' order: bind (or vrf forwarding) first, then the address stays
        conn.send_config_set([commands[-3] if platform != "cisco_ios" else commands[0], commands[-1], commands[-2]])
        assert commands[-2] in dev.section(vlanif)


def test_a_vtp_client_refuses_to_create_a_vlan(devices):
    devices.devices["xy-r1"].vtp_mode = "client"
    with session(devices, "cisco_ios") as conn:
        out = conn.send_config_set(["vlan 101"])
    assert "VTP VLAN configuration not allowed when device is in CLIENT mode." in out.splitlines(), out
    assert devices.devices["xy-r1"].section("vlan 101") is None
