"""Cisco IOS (Catalyst access switches, ISR routers)."""

from __future__ import annotations

from egovnet.devices import configtree
from egovnet.devices.platforms.base import ConfigTreePlatform, acl_problems, find_section


class CiscoIos(ConfigTreePlatform):
    name = "cisco_ios"
    label = "Cisco IOS"
    netmiko_type = "cisco_ios"
    templates = ("cisco_ios",)
    show_config = "show running-config"
    error_pattern = r"(?m)^\s*(% Invalid input|% Incomplete command|% Ambiguous command|Command authorization failed).*$"
    negate, up = "no", "exit"
    needs_enable = True
    max_line, max_description = 254, 200
    counter_family = "cisco_ios"

    # ---- preconditions (Art. 3) ----
    # VRF: Cisco IOS "Multiprotocol VRF" / MPLS L3VPN configuration guides: a `vrf definition X` carries IPv4
    # only with `address-family ipv4` under it; the older `ip vrf X` is IPv4-only by itself.
    # ACL: Cisco IOS Security Configuration Guide, "IP Access List Overview" (cisco.com/en/US/docs/ios-xml/ios/
    # sec_data_acl/configuration/15-2mt/sec-access-list-ov.html): an access group that references an access
    # list which is not defined (or has no entries) permits all packets; a list with entries ends in an
    # implicit deny (unverified on a device here). Numbered lists are shown as global `access-list N ...` lines, named (and, on IOS XE,
    # numbered) ones as an `ip access-list extended NAME` section.
    def preconditions(self, running: str, device, shown: dict[str, str] | None = None) -> list[str]:
        tree = configtree.parse(running)
        vrf, acl = device.vrf, device.isolation_acl
        problems = []
        definition = find_section(tree, f"vrf definition {vrf}")
        if definition is not None:
            if "address-family ipv4" not in definition[1]:
                problems.append(f"VRF {vrf} has no IPv4 address family (no 'address-family ipv4' under "
                                f"'vrf definition {vrf}')")
        elif find_section(tree, f"ip vrf {vrf}") is None:
            problems.append(f"VRF {vrf} is not configured (no 'vrf definition {vrf}' in the running config)")
        found = find_section(tree, f"ip access-list extended {acl}", f"ip access-list standard {acl}")
        numbered = [h for h in tree if h.startswith(f"access-list {acl} ")]
        if found is None and numbered:
            found = (f"access-list {acl}", [h.split(None, 2)[2] for h in numbered])
        problems += acl_problems(found, acl, f"ip access-list extended {acl}", ("permit", "deny"))
        return problems
