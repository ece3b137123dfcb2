"""A real Linux edge router (OpenSSH in network namespaces) provisioned through egovnet and Netmiko's linux driver.

Proves with ping that the unit reaches the extranet core and nothing else (Art. 3), and that a failed push
leaves the router exactly as it was. Root only; skipped with the reason elsewhere.
"""

import pytest
import yaml

from conftest import DEPT, file_app, ok, quiet_days, run
from linux_router import CORE_HOST, CORE_PREFIX, MGMT, OTHER_HOST, UNIT_POOL, LinuxRouter, unavailable

WHY = unavailable()
pytestmark = pytest.mark.skipif(WHY is not None, reason=f"Linux router test: {WHY}")


@pytest.fixture
def router(tmp_path, monkeypatch):
    r = LinuxRouter(tmp_path / "router")
    try:
        r.start()
        inv = tmp_path / "inventory"
        inv.mkdir()
        (inv / "inventory.yaml").write_text(yaml.safe_dump({
            "devices": {"jz-r1": {
                "platform": "linux", "host": MGMT, "site": "jinze", "towns": ["金泽镇"], "ports": ["ru0"],
                "username": "root", "key_file": str(r.key_file), "core_prefix": CORE_PREFIX,
                "timeouts": {"connect": 5, "auth": 5, "banner": 5, "read": 10}}},
            "pools": {"jinze": {"prefixes": [UNIT_POOL], "subnet_prefixlen": 29, "vlans": "101-199"}},
        }, allow_unicode=True))
        (inv / "known_hosts").write_text(r.known_hosts_line() + "\n")
        monkeypatch.setenv("EGOVNET_INVENTORY", str(inv))
        ok("dept", "add", DEPT)
        ok("unit", "add", "金泽镇东西村村民委员会", "--category", "village", "--dept", DEPT, "--code", "jz-dongxi",
           "--town", "金泽镇", "--address", "青浦区金泽镇东西村1号", "--mlps-level", "2", "--mlps-assessed", "2026-03-01")
        app_id = file_app("jz-dongxi")["id"]
        ok("review", "approve", str(app_id), user="bdc.reviewer")
        r.inventory = inv
        yield r
    finally:
        r.stop()


def test_provisioned_unit_reaches_the_core_and_nothing_else(router):
    assert not router.ping("unit", CORE_HOST)
    result = ok("provision", "1", "--yes", "--json").json()["results"][0]
    assert {k: result[k] for k in ("device", "port", "subnet", "status", "failed")} == {
        "device": "jz-r1", "port": "ru0", "subnet": "198.18.16.0/29", "status": "applied", "failed": False}
    state = router.state()
    assert "inet 198.18.16.1/29" in state
    assert 'iifname "ru0" ip daddr != 198.18.2.0/24 drop comment "egov-L1-A1-jz-dongxi"' in state
    assert "qdisc tbf" in state and "dev ru0 root" in state and "rate 50Mbit" in state
    router.give_unit_address("198.18.16.2", 29, "198.18.16.1")
    assert router.ping("unit", CORE_HOST, tries=3)  # the unit reaches the extranet core
    assert not router.ping("unit", OTHER_HOST)   # and nothing outside it (Art. 3 isolation)
    assert router.ping("core", "198.18.16.2", tries=3)  # the core reaches the unit
    # idempotent: a re-run finds nothing missing and sends nothing
    again = ok("provision", "1", "--yes", "--json").json()["results"][0]
    assert (again["status"], again["changed"], again["diff"]) == ("unchanged", False, [])
    assert router.state() == state


def test_failed_push_leaves_the_router_as_it_was(router):
    # an operator's template (inventory/templates wins over the packaged one) whose last step fails
    override = router.inventory / "templates" / "linux"
    override.mkdir(parents=True)
    from egovnet.devices.render import PACKAGED

    text = (PACKAGED / "linux" / "open.j2").read_text()
    (override / "open.j2").write_text(text + "ip route add 198.18.99.0/24 dev nosuchport\n")
    before = router.state()
    r = run("provision", "1", "--yes", "--json")
    assert r.code == 4, r.err
    row = r.json()["results"][0]
    assert (row["status"], row["failed"]) == ("rolled_back", True), row["error"]
    assert row["error"].startswith("device jz-r1 refused 'ip route add 198.18.99.0/24 dev nosuchport': "
                                   'Cannot find device "nosuchport"'), row["error"]
    assert router.state() == before              # addresses, nftables and qdiscs as they were
    assert ok("review", "show", "1", "--json").json()["status"] == "approved"
    # the packaged template builds it once the override is gone
    (override / "open.j2").unlink()
    assert ok("provision", "1", "--yes", "--json").json()["results"][0]["status"] == "applied"
    router.give_unit_address("198.18.16.2", 29, "198.18.16.1")
    assert router.ping("unit", CORE_HOST, tries=3)


def test_shell_metacharacters_never_reach_the_router(router, tmp_path):
    inv = router.inventory / "inventory.yaml"
    data = yaml.safe_load(inv.read_text())
    data["devices"]["jz-r1"]["ports"] = ["ru0;touch /tmp/egovnet-pwned"]
    inv.write_text(yaml.safe_dump(data, allow_unicode=True))
    before = router.state()
    r = run("provision", "1", "--yes", "--json")
    assert r.code == 1, r.out + r.err  # refused when the inventory is read, before any SSH session
    assert r.err.startswith(f"Error: {inv}:") and r.err.count("\n") == 1, r.err
    assert ": devices.jz-r1.ports[0]: 'ru0;touch /tmp/egovnet-pwned' is not an interface name" in r.err, r.err
    assert router.state() == before


def test_bandwidth_change_then_decommission_stops_the_unit(router):
    before = router.state()
    ok("provision", "1", "--yes")
    router.give_unit_address("198.18.16.2", 29, "198.18.16.1")
    assert router.ping("unit", CORE_HOST, tries=3)
    # Art. 18: the new rate is on the router's port after the change is carried out
    ok("change", "request", "1", "--bandwidth", "20", "--reason", "降速", user="dept.zhujiajiao")
    ok("change", "approve", "1", user="bdc.reviewer")
    done = ok("change", "apply", "1", "--yes", "--json").json()
    assert (done["result"], done["status"]) == ("applied", "applied")
    assert "rate 20Mbit" in router.state() and "rate 50Mbit" not in router.state()

    r = ok("decommission", "1", "--reason", "村委会撤并", "--yes", "--json").json()
    assert (r["status"], r["port"], r["subnet"], r["diff"]) == ("decommissioned", "ru0", "198.18.16.0/29", [
        "+ address 198.18.16.1/29 on ru0 (should be gone)", "+ nftables table inet egov_l1 (should be gone)",
        "+ isolation rule on ru0 (should be gone)", "+ tbf qdisc on ru0 (should be gone)"])
    assert router.state() == before             # address, table and qdisc gone: as before the link was built
    assert not router.ping("unit", CORE_HOST)    # and the unit no longer reaches the extranet


def test_idle_closure_then_reopen_on_the_router(router):
    ok("provision", "1", "--yes")
    router.give_unit_address("198.18.16.2", 29, "198.18.16.1")
    assert router.ping("unit", CORE_HOST, tries=3)
    quiet_days(1, "2026-09-29", "2026-12-27")  # complete data showing no use: only then is a link closed
    closed = ok("--today", "2026-12-28", "audit", "idle", "--close", "--yes", "--json").json()
    assert [c["link"] for c in closed["closed"]] == [1]
    assert not router.ping("unit", CORE_HOST)    # the port is down (Art. 15)
    ok("--today", "2026-12-29", "apply", "--reopen", "1", "--reason", "村务公开系统上线", user="dept.zhujiajiao")
    ok("--today", "2026-12-29", "review", "approve", "2", user="bdc.reviewer")
    row = ok("--today", "2026-12-30", "provision", "2", "--yes", "--json").json()["results"][0]
    assert (row["status"], row["port"], row["subnet"]) == ("applied", "ru0", "198.18.16.0/29")
    assert router.ping("unit", CORE_HOST, tries=5)  # the same port, address and rules, enabled again
    assert not router.ping("unit", OTHER_HOST)


def test_decommission_when_part_of_the_link_is_already_gone(router):
    before = router.state()
    ok("provision", "1", "--yes")
    router.in_ns("router", "tc", "qdisc", "del", "dev", "ru0", "root")  # someone removed the rate limit by hand
    r = ok("decommission", "1", "--reason", "撤并", "--yes", "--json").json()
    assert (r["status"], r["diff"]) == ("decommissioned", [
        "+ address 198.18.16.1/29 on ru0 (should be gone)", "+ nftables table inet egov_l1 (should be gone)",
        "+ isolation rule on ru0 (should be gone)"])
    assert router.state() == before
