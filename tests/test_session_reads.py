"""What a push reads back from the device: a job that touches only a physical port is verified on that port's own
section (`display current-configuration interface X`, `show running-config interface X`), anything else on the
whole configuration; a section read that does not confirm the push never fails it on its own."""

from types import SimpleNamespace

import pytest

from conftest import DEPT, ok, quiet_days
from egovnet.devices import platforms
from egovnet.devices.render import render
from egovnet.services.provision import Job, build_context
from test_lifecycle import PLATFORMS, open_link

FULL = {"huawei": "display current-configuration", "huawei_vrpv8": "display current-configuration",
        "hp_comware": "display current-configuration", "cisco_ios": "show running-config"}


def _job(platform: str, action: str, port: str) -> Job:
    dev = SimpleNamespace(vrf="EGOV", isolation_acl="EGOV-ISOLATION" if platform == "cisco_ios" else "3999", nat_acl="2001", ipsec_policy="P", core_prefix="10.0.0.0/8",
                          vtp_mode="server", name="d")
    context = build_context(dev, {"port": port, "vlan": 101, "subnet": "10.64.0.0/29"}, 1, 1, "aa", 50, {})
    return Job(1, 1, "u", "aa", "d", platform, render(platform, action, context), context, action=action)


@pytest.mark.parametrize("platform, port, expected", [
    ("huawei", "GigabitEthernet0/0/1", {"shutdown": True, "no_shutdown": True, "bandwidth": True}),
    ("hp_comware", "GigabitEthernet1/0/1", {"shutdown": True, "no_shutdown": True, "bandwidth": True}),
    # CE's rate is a QoS CAR profile at the top level too; IOS's a policy-map section
    ("huawei_vrpv8", "GE1/0/1", {"shutdown": True, "no_shutdown": True, "bandwidth": False}),
    ("cisco_ios", "GigabitEthernet0/1", {"shutdown": True, "no_shutdown": True, "bandwidth": False}),
])
def test_only_port_jobs_are_verified_on_the_port_section(platform, port, expected):
    p = platforms.get(platform)
    assert p.verify_commands(_job(platform, "open", port)) is None       # a VLAN and its interface: whole config
    assert p.verify_commands(_job(platform, "close", port)) is None
    for action, by_section in expected.items():
        want = [f"{FULL[platform]} interface {port}"] if by_section else None
        assert p.verify_commands(_job(platform, action, port)) == want, action
    assert platforms.get("linux").verify_commands(_job(platform, "shutdown", port)) is None


def _reads_since(dev, sent: int) -> list[str]:
    return [c for c in dev.commands()[sent:] if c.startswith(("display current-configuration", "show running-config"))]


@pytest.mark.parametrize("platform", list(PLATFORMS))
def test_idle_closure_is_verified_on_the_port_alone(lab, platform):
    name, town, _port_fmt, _vlanif = PLATFORMS[platform]
    dev = lab.devices[name]
    ok("dept", "add", DEPT)
    first = open_link("aa", town=town)
    port = first["port"]
    quiet_days(1, "2026-09-29", "2026-12-27")
    sent = len(dev.history)
    ok("--today", "2026-12-28", "audit", "idle", "--close", "--yes")
    assert "shutdown" in dev.section(f"interface {port}")
    assert dev.saved == dev.running_text()
    # one whole read before the push (backup, preconditions), the port's section after it
    assert _reads_since(dev, sent) == [FULL[platform], f"{FULL[platform]} interface {port}"]


def test_a_section_read_that_does_not_confirm_is_checked_on_the_whole_config(lab):
    dev = lab.devices["zjj-sw1"]
    ok("dept", "add", DEPT)
    first = open_link("aa")
    port = first["port"]
    quiet_days(1, "2026-09-29", "2026-12-27")
    dev.faults.error_on = r"^display current-configuration interface "   # the device refuses the section read
    sent = len(dev.history)
    ok("--today", "2026-12-28", "audit", "idle", "--close", "--yes")
    assert "shutdown" in dev.section(f"interface {port}") and dev.saved == dev.running_text()
    assert _reads_since(dev, sent) == ["display current-configuration", f"display current-configuration interface {port}",
                                       "display current-configuration"]
    assert ok("review", "show", "1", "--json").json()["status"] == "closed"


def _driver(lab, name: str):
    import os
    from pathlib import Path

    from egovnet.devices.netmiko_driver import NetmikoDriver
    from egovnet.inventory import load_inventory

    inventory = load_inventory(Path(os.environ["EGOVNET_INVENTORY"]))
    return NetmikoDriver(inventory.device(name), inventory.known_hosts), inventory.known_hosts


def test_sessions_turn_nagle_off(lab):
    import socket

    driver, _ = _driver(lab, "zjj-sw1")
    driver.open()
    try:
        sock = driver.conn.remote_conn_pre.get_transport().sock
        assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 1
    finally:
        driver.close()


def test_a_host_key_rewritten_in_the_same_process_is_the_one_checked(lab):
    """known_hosts is parsed once per content: a key replaced by another of the same length, at once, is seen."""
    import asyncssh

    from egovnet.errors import HostKeyChanged

    import time

    driver, path = _driver(lab, "zjj-sw1")
    driver.open()
    driver.close()
    deadline = time.monotonic() + 10   # the lab records the session's last line after the client has gone
    while lab.devices["zjj-sw1"].history[-1][2] != "quit" and time.monotonic() < deadline:
        time.sleep(0.02)
    port = lab.ports["zjj-sw1"]
    other = asyncssh.generate_private_key("ssh-ed25519").export_public_key("openssh").decode().strip()
    lines = path.read_text().splitlines()
    swapped = [f"[127.0.0.1]:{port} {other}" if line.startswith(f"[127.0.0.1]:{port} ") else line for line in lines]
    assert swapped != lines and len("\n".join(swapped)) == len("\n".join(lines))
    path.write_text("\n".join(swapped) + "\n")
    sent = len(lab.devices["zjj-sw1"].history)
    with pytest.raises(HostKeyChanged):
        _driver(lab, "zjj-sw1")[0].open()
    assert len(lab.devices["zjj-sw1"].history) == sent  # refused before anything was typed
