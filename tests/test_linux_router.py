"""A real Linux edge router (OpenSSH in network namespaces) provisioned through egovnet and Netmiko's linux driver.

Proves with TCP connections and ping, over IPv4 and IPv6, that a unit reaches the extranet core and nothing
else, and that nothing but the core reaches it (Art. 3); with iperf3 that its bandwidth holds both ways; and
that a failed push leaves the router exactly as it was. Root only; skipped with the reason elsewhere.
"""

import re

import pytest
import yaml

from conftest import DEPT, file_app, ok, quiet_days, run
from linux_router import CORE_HOST, MGMT, OTHER_HOST, LinuxRouter, unavailable

from linux_router import CORE_HOST6, OTHER_HOST6, ROUTER_CORE6, UNIT6  # the IPv6 side

WHY = unavailable()
pytestmark = [pytest.mark.netns, pytest.mark.skipif(WHY is not None, reason=f"Linux router test: {WHY}")]

# every part of link 1 (port ru0) that verification checks, in the platform's order
PARTS = ["address 198.18.16.1/29 on ru0", "nftables table inet egov_l1", "isolation rule on ru0",
         "source address rule on ru0", "inbound rule on ru0", "IPv6 rule from ru0", "IPv6 rule to ru0",
         "gateway ping rule on ru0", "reply rule on ru0", "router protection rule on ru0", "tbf qdisc on ru0",
         "ingress qdisc on ru0", "redirect from ru0 to egov_l1", "IFB device egov_l1", "tbf qdisc on egov_l1"]


@pytest.fixture
def router(tmp_path, monkeypatch):
    r = LinuxRouter(tmp_path / "router")
    try:
        r.start()
        inv = r.write_inventory(tmp_path / "inventory")
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
    assert "dev egov_l1 root" in state and "Egress Redirect to device egov_l1" in state
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
    state = router.state()
    assert state.count("rate 20Mbit") == 2 and "rate 50Mbit" not in state   # both ways

    r = ok("decommission", "1", "--reason", "村委会撤并", "--yes", "--json").json()
    assert (r["status"], r["port"], r["subnet"], r["diff"]) == ("decommissioned", "ru0", "198.18.16.0/29",
                                                                [f"- {part}" for part in PARTS])
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
    assert (r["status"], r["diff"]) == ("decommissioned",
                                        [f"- {part}" for part in PARTS if part != "tbf qdisc on ru0"])
    assert router.state() == before


# ---- isolation both ways, IPv4 and IPv6 (Art. 3) ----

UNIT, UNIT2 = "198.18.16.2", "198.18.16.10"
PORT = 8080  # a listener answers on every address of the core, the outside host, both units and the router


def second_unit() -> None:
    """A second village on the same router: application 2, built on ru1 with 198.18.16.8/29."""
    ok("unit", "add", "金泽镇西岑村村民委员会", "--category", "village", "--dept", DEPT, "--code", "jz-xicen",
       "--town", "金泽镇", "--address", "青浦区金泽镇西岑村1号", "--mlps-level", "2", "--mlps-assessed", "2026-03-01")
    ok("review", "approve", str(file_app("jz-xicen")["id"]), user="bdc.reviewer")


@pytest.fixture
def two_units(router):
    """Both links provisioned through egovnet; each unit host takes its address, and IPv6 on its own."""
    second_unit()
    rows = ok("provision", "--all-approved", "--yes", "--json").json()["results"]
    assert [(r["port"], r["subnet"], r["status"]) for r in rows] == [
        ("ru0", "198.18.16.0/29", "applied"), ("ru1", "198.18.16.8/29", "applied")]
    router.give_unit_address(UNIT, 29, "198.18.16.1")
    router.give_unit_address(UNIT2, 29, "198.18.16.9", unit="unit2")
    router.give_unit_ipv6("unit")
    router.give_unit_ipv6("unit2")
    for ns in ("router", "core", "other", "unit", "unit2"):
        router.listen(ns, PORT)
    assert router.ping("unit", CORE_HOST, tries=3) and router.ping("unit2", CORE_HOST, tries=3)
    return router


def probes(r: LinuxRouter, which: dict) -> dict:
    """Run each (source, host, port) TCP probe: open, refused, or timeout (dropped on the way)."""
    return {name: r.connect(src, host, port) for name, (src, host, port) in which.items()}


def test_unit_reaches_the_core_over_ipv4_and_no_ipv6_at_all(two_units):
    r = two_units
    # egovnet allocates IPv4 only: IPv6 a unit gives itself goes nowhere, not even to the core
    assert probes(r, {
        "unit -> core": ("unit", CORE_HOST, PORT), "core -> unit": ("core", UNIT, PORT),
        "unit -> core (IPv6)": ("unit", CORE_HOST6, PORT), "core -> unit (IPv6)": ("core", UNIT6["unit"], PORT),
    }) == {"unit -> core": "open", "core -> unit": "open",
           "unit -> core (IPv6)": "timeout", "core -> unit (IPv6)": "timeout"}
    assert (r.ping("unit", CORE_HOST), r.ping("core", UNIT), r.ping("unit", CORE_HOST6)) == (True, True, False)


def test_a_unit_never_reaches_another_unit(two_units):
    r = two_units
    assert probes(r, {
        "unit -> unit2": ("unit", UNIT2, PORT), "unit2 -> unit": ("unit2", UNIT, PORT),
        "unit -> unit2 (IPv6)": ("unit", UNIT6["unit2"], PORT), "unit2 -> unit (IPv6)": ("unit2", UNIT6["unit"], PORT),
    }) == dict.fromkeys(["unit -> unit2", "unit2 -> unit", "unit -> unit2 (IPv6)", "unit2 -> unit (IPv6)"], "timeout")
    assert (r.ping("unit", UNIT2), r.ping("unit2", UNIT), r.ping("unit", UNIT6["unit2"])) == (False, False, False)


def test_a_unit_never_reaches_the_router_itself(two_units):
    r = two_units
    ll = r.router_link_local("ru0") + "%u0"
    # sshd (on the management address only) and a service on every address of the router, each address the unit
    # could aim at: its gateway, the management address, the router's core-side address (inside core_prefix)
    assert probes(r, {
        "ssh on the management address": ("unit", MGMT, 22),
        "ssh on the gateway": ("unit", "198.18.16.1", 22),
        "service on the gateway": ("unit", "198.18.16.1", PORT),
        "service on the management address": ("unit", MGMT, PORT),
        "service on the core-side address": ("unit", "198.18.2.1", PORT),
        "service on the other unit's gateway": ("unit", "198.18.16.9", PORT),
        "ssh on the port's link-local address (IPv6)": ("unit", ll, 22),
        "service on the port's link-local address (IPv6)": ("unit", ll, PORT),
        "service on the core-side address (IPv6)": ("unit", ROUTER_CORE6, PORT),
    }) == dict.fromkeys([
        "ssh on the management address", "ssh on the gateway", "service on the gateway",
        "service on the management address", "service on the core-side address",
        "service on the other unit's gateway", "ssh on the port's link-local address (IPv6)",
        "service on the port's link-local address (IPv6)", "service on the core-side address (IPv6)"], "timeout")
    # UDP services too (a DNS, NTP or SNMP agent would listen like this)
    assert {name: r.connect("unit", host, PORT, udp=True) for name, host in (
        ("gateway", "198.18.16.1"), ("management address", MGMT), ("link-local address (IPv6)", ll))} == {
        "gateway": "timeout", "management address": "timeout", "link-local address (IPv6)": "timeout"}
    # the management side still reaches sshd and the services, and egovnet still works over SSH
    assert probes(r, {"ssh": (None, MGMT, 22), "service": (None, MGMT, PORT)}) == {"ssh": "open", "service": "open"}
    assert r.connect(None, MGMT, PORT, udp=True) == "answered"
    assert ok("provision", "1", "--yes", "--json").json()["results"][0]["status"] == "unchanged"
    # a ping to the unit's own gateway stays; to any other router address it does not
    assert (r.ping("unit", "198.18.16.1"), r.ping("unit", MGMT), r.ping("unit", "198.18.2.1"),
            r.ping("unit", ll)) == (True, False, False, False)
    # the router itself may still ping the unit: the unit's replies to the router's own connections pass
    assert r.ping("router", UNIT)


def test_outside_hosts_and_the_unit_never_reach_each_other(two_units):
    r = two_units
    # new connections both ways, not only replies
    assert probes(r, {
        "unit -> outside": ("unit", OTHER_HOST, PORT), "outside -> unit": ("other", UNIT, PORT),
        "unit -> outside (IPv6)": ("unit", OTHER_HOST6, PORT), "outside -> unit (IPv6)": ("other", UNIT6["unit"], PORT),
    }) == dict.fromkeys(["unit -> outside", "outside -> unit", "unit -> outside (IPv6)", "outside -> unit (IPv6)"],
                        "timeout")
    assert (r.ping("unit", OTHER_HOST), r.ping("other", UNIT), r.ping("other", UNIT6["unit"])) == (False, False, False)


def test_the_probes_get_through_once_the_rules_are_gone(two_units):
    """The control: with both links' tables removed by hand, every probe above connects (or is refused by a host
    with nothing listening), so the timeouts above are the rules' doing, not the test's."""
    r = two_units
    ll = r.router_link_local("ru0") + "%u0"
    for link in (1, 2):
        r.in_ns("router", "nft", "delete", "table", "inet", f"egov_l{link}")
    assert probes(r, {
        "unit -> core (IPv6)": ("unit", CORE_HOST6, PORT), "unit -> unit2": ("unit", UNIT2, PORT),
        "unit -> unit2 (IPv6)": ("unit", UNIT6["unit2"], PORT), "ssh on the management address": ("unit", MGMT, 22),
        "ssh on the gateway": ("unit", "198.18.16.1", 22), "service on the gateway": ("unit", "198.18.16.1", PORT),
        "service on the link-local address (IPv6)": ("unit", ll, PORT), "unit -> outside": ("unit", OTHER_HOST, PORT),
        "outside -> unit": ("other", UNIT, PORT), "outside -> unit (IPv6)": ("other", UNIT6["unit"], PORT),
    }) == {"unit -> core (IPv6)": "open", "unit -> unit2": "open", "unit -> unit2 (IPv6)": "open",
           "ssh on the management address": "open", "ssh on the gateway": "refused", "service on the gateway": "open",
           "service on the link-local address (IPv6)": "open", "unit -> outside": "open", "outside -> unit": "open",
           "outside -> unit (IPv6)": "open"}
    assert (r.connect("unit", "198.18.16.1", PORT, udp=True), r.connect("unit", ll, PORT, udp=True)) == (
        "answered", "answered")


def test_closing_one_link_leaves_the_other_untouched(two_units):
    r = two_units
    other = r.in_ns("router", "nft", "list", "table", "inet", "egov_l2").stdout

    def link2() -> list[str]:  # its address, IFB device and qdiscs (its filters are under "filters ru1")
        return [ln for ln in r.state().splitlines() if " ru1" in ln or "egov_l2" in ln]

    shaped = link2()
    text = "\n".join(shaped)
    assert all(part in text for part in ("inet 198.18.16.9/29", "dev ru1 root", "qdisc ingress ffff: dev ru1",
                                         "Egress Redirect to device egov_l2", "dev egov_l2 root")), text
    ok("decommission", "1", "--reason", "村委会撤并", "--yes")
    assert r.in_ns("router", "nft", "list", "table", "inet", "egov_l2").stdout == other
    assert link2() == shaped
    state = r.state()
    assert "egov_l1" not in state and " ru0 " not in state and "dev ru0 " not in state
    assert probes(r, {"unit2 -> core": ("unit2", CORE_HOST, PORT), "outside -> unit2": ("other", UNIT2, PORT)}) == {
        "unit2 -> core": "open", "outside -> unit2": "timeout"}


# ---- bandwidth both ways ----

def within(measured: float, rate: float) -> bool:
    return abs(measured - rate) <= 0.15 * rate


def test_rate_limit_holds_both_ways_and_follows_a_change(router):
    ok("provision", "1", "--yes")
    router.give_unit_address(UNIT, 29, "198.18.16.1")
    assert router.ping("unit", CORE_HOST, tries=3)
    # three-second TCP runs between the unit and the core host: upload (from the unit) and download (-R)
    received = router.counters("ru0")
    up, down = router.iperf("unit", "core", CORE_HOST), router.iperf("unit", "core", CORE_HOST, reverse=True)
    print(f"50 Mbit/s link: {up:.1f} Mbit/s from the unit, {down:.1f} Mbit/s toward it")
    assert within(up, 50) and within(down, 50), (up, down)
    # the port still counts what the unit sends, although it is redirected to the IFB device (Art. 15 usage)
    rx, tx = (now - then for now, then in zip(router.counters("ru0"), received))
    assert rx > 0.8 * up * 1e6 / 8 * 3 and tx > 0.8 * down * 1e6 / 8 * 3, (rx, tx)

    ok("change", "request", "1", "--bandwidth", "20", "--reason", "降速", user="dept.zhujiajiao")
    ok("change", "approve", "1", user="bdc.reviewer")
    done = ok("change", "apply", "1", "--yes", "--json").json()
    assert (done["result"], done["status"]) == ("applied", "applied")
    up, down = router.iperf("unit", "core", CORE_HOST), router.iperf("unit", "core", CORE_HOST, reverse=True)
    print(f"20 Mbit/s link: {up:.1f} Mbit/s from the unit, {down:.1f} Mbit/s toward it")
    assert within(up, 20) and within(down, 20), (up, down)


def test_a_link_missing_a_part_is_repaired_not_torn_down(router):
    """Someone removed the upload limit (the port's ingress qdisc and its redirect) by hand: a new provisioning
    run finds exactly that missing, sends the open steps again (the IFB device already there is no failure)
    and the link is whole, with nothing duplicated."""
    ok("provision", "1", "--yes")
    whole = router.state()
    router.in_ns("router", "tc", "qdisc", "del", "dev", "ru0", "ingress")
    row = ok("provision", "1", "--yes", "--json").json()["results"][0]
    assert (row["status"], row["failed"], row["diff"]) == (
        "applied", False, ["+ ingress qdisc on ru0", "+ redirect from ru0 to egov_l1"]), row["error"]
    # the same lines as before, apart from the number tc gives the new redirect action
    assert re.sub(r"index \d+", "index N", router.state()) == re.sub(r"index \d+", "index N", whole)
    router.give_unit_address(UNIT, 29, "198.18.16.1")
    up = router.iperf("unit", "core", CORE_HOST)
    assert within(up, 50), up


def test_failed_rate_change_goes_back_to_the_old_rate_both_ways(router):
    ok("provision", "1", "--yes")
    before = router.state()
    override = router.inventory / "templates" / "linux"
    override.mkdir(parents=True)
    from egovnet.devices.render import PACKAGED

    text = (PACKAGED / "linux" / "bandwidth.j2").read_text()   # both rates set, then a step that fails
    (override / "bandwidth.j2").write_text(text + "ip route add 198.18.99.0/24 dev nosuchport\n")
    ok("change", "request", "1", "--bandwidth", "20", "--reason", "降速", user="dept.zhujiajiao")
    ok("change", "approve", "1", user="bdc.reviewer")
    r = run("change", "apply", "1", "--yes", "--json")
    assert r.code == 1, r.out + r.err
    assert (r.json()["result"], r.json()["status"]) == ("rolled_back", "approved")
    assert r.err == ("Error: change request 1 on jz-r1: device jz-r1 refused 'ip route add 198.18.99.0/24 dev "
                     "nosuchport': Cannot find device \"nosuchport\" (rolled back; the request stays approved)\n")
    assert router.state() == before and before.count("rate 50Mbit") == 2   # 50 Mbit/s both ways, as it was


def test_a_rate_change_restores_a_lost_upload_limit(router):
    """The port's ingress qdisc and the link's IFB device were deleted by hand (as on a link built before the
    upload limit existed): the unit uploads without limit until the next rate change, which sets the whole
    upload path again."""
    ok("provision", "1", "--yes")
    router.give_unit_address(UNIT, 29, "198.18.16.1")
    router.in_ns("router", "tc", "qdisc", "del", "dev", "ru0", "ingress")
    router.in_ns("router", "ip", "link", "del", "egov_l1")
    assert router.iperf("unit", "core", CORE_HOST) > 200          # the upload is not limited
    ok("change", "request", "1", "--bandwidth", "20", "--reason", "降速", user="dept.zhujiajiao")
    ok("change", "approve", "1", user="bdc.reviewer")
    done = ok("change", "apply", "1", "--yes", "--json").json()
    assert (done["result"], done["status"]) == ("applied", "applied")
    state = router.state()
    assert state.count("rate 20Mbit") == 2 and "Egress Redirect to device egov_l1" in state
    assert state.count("Egress Redirect") == 1                     # replaced, not doubled
    up, down = router.iperf("unit", "core", CORE_HOST), router.iperf("unit", "core", CORE_HOST, reverse=True)
    assert within(up, 20) and within(down, 20), (up, down)
