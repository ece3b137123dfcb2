"""Cisco IOS (Catalyst access switches, ISR routers).

- Catalyst switches ship in VTP server mode: VLANs live in vlan.dat and `show running-config` has no `vlan N`
  section (Catalyst 2960/3560/3750 configuration guides, "Configuring VTP": VTP transparent mode is the one
  that keeps VLANs in the running config). egovnet learns the mode from the inventory key `vtp_mode`
  (server by default, as the devices ship; `transparent` or `off` when the site configures it so).
- ACLs: numbered IP ACLs are 1-199 and 1300-2699 (100-199 and 2000-2699 extended); egovnet takes a name or
  an extended number (IOS Security Configuration Guide, "IP Access List Overview").
- VLAN names are 1-32 characters (`name` in config-vlan mode).
"""

from __future__ import annotations

import re

from egovnet.devices import configtree
from egovnet.devices.platforms.base import ConfigTreePlatform, acl_problems, find_section

VTP_HIDES_VLANS = ("server", "client")


class CiscoIos(ConfigTreePlatform):
    name = "cisco_ios"
    label = "Cisco IOS"
    netmiko_type = "cisco_ios"
    templates = ("cisco_ios",)
    show_config = "show running-config"
    saved_config_command = "show startup-config"  # NVRAM; opens with "Using N out of M bytes"
    # one port alone (IOS configuration fundamentals command reference, "show running-config": `interface type number`), in show_config's format
    port_config_command = "show running-config interface {port}"
    error_pattern = (r"(?m)^\s*(% Invalid input|% Incomplete command|% Ambiguous command|Command authorization failed"
                     r"|% IP addresses may not be configured on L2 links|% VRF \S+ not configured"
                     r"|VTP VLAN configuration not allowed).*$")
    negate, up = "no", "exit"
    needs_enable = True
    max_line, max_description = 254, 200
    port_re = re.compile(r"(FastEthernet|GigabitEthernet|TenGigabitEthernet|TwentyFiveGigE|FortyGigabitEthernet"
                         r"|HundredGigE)\d+(/\d+){1,2}")
    port_example = "GigabitEthernet0/1, GigabitEthernet1/0/1"
    max_vlan_name = 32
    acl_rule = "an ACL name or an extended ACL number 100-199 or 2000-2699"

    def check_acl(self, acl: str) -> str | None:
        return self._numbered(acl, [(100, 199), (2000, 2699)], True, self.acl_rule, self.label)

    def undo_key(self, line: str) -> str:
        # `no service-policy output NAME` needs the name (% Incomplete command without it); police and the ACL
        # are removed by their whole line too
        if line.startswith(("service-policy ", "police ", "ip access-group ")):
            return line
        return super().undo_key(line)

    @staticmethod
    def hides_vlans(job) -> bool:
        return (job.context or {}).get("vtp_mode", "server") in VTP_HIDES_VLANS

    def check_context(self, values: dict, action: str) -> str | None:
        # a VTP client cannot create VLANs ("VTP VLAN configuration not allowed when device is in CLIENT mode.")
        if action == "open" and values.get("vtp_mode") == "client":
            return (f"device {values.get('device', '?')} is a VTP client, which cannot create VLANs; create the VLAN "
                    "on the VTP server, or set vtp_mode in the inventory to what the device runs")
        return None

    def undo(self, before: str, current: str, job, render) -> list[str]:
        """As the other platforms; in VTP server/client mode a VLAN the job deleted is not in the backup (it lived
        in vlan.dat), so it is created again first, under the name egovnet gives it."""
        out = super().undo(before, current, job, render)
        if out and self.hides_vlans(job):
            for command in job.commands:
                m = re.fullmatch(r"no vlan (\d+)", command.strip())
                if m:
                    out = [f"vlan {m.group(1)}", f" name {job.context['description']}", "exit", *out]
        return out

    def gaps(self, running: str, job, verifying: bool = False) -> list[str]:
        gaps = super().gaps(running, job, verifying)
        if self.hides_vlans(job):  # VTP server/client: `vlan N` is in vlan.dat, never in the running config
            gaps = [g for g in gaps if not re.match(r"vlan \d+( /|$| \(should be gone\))", g)]
        return gaps

    counter_family = "cisco_ios"

    # IOS QoS Command Reference, "police": a single-rate policer is shown with its default actions under it
    shown_defaults = ((r"police cir \d+", ("conform-action transmit", "exceed-action drop")),)

    def desired(self, commands: list[str], context: dict) -> dict[str, list[str]]:
        want = super().desired(commands, context)
        if context.get("vtp_mode", "server") in VTP_HIDES_VLANS:  # `vlan N` lives in vlan.dat
            want = {h: lines for h, lines in want.items() if not re.fullmatch(r"vlan \d+", h)}
        return want

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
