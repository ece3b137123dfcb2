"""H3C / HPE Comware 7.

The device adds a default CBS to a rate limit: `qos lr outbound cir 50048` is displayed as
`qos lr outbound cir 50048 cbs 3128320` (H3C S6812, S5820X and HPE 6125G ACL and QoS command references,
"qos lr": the default CBS is 62.5 x CIR bytes rounded up to a multiple of 512; older models such as the
S5130 show 62.5 x CIR unrounded, e.g. `cir 64 cbs 4000`). normalise() takes either default back out, so what
egovnet typed is what it verifies, and a rollback restores the typed line. CIR is a multiple of 64 kbit/s on
the S6812 (8 on the S5820X): the templates round the applied rate up to the next multiple of 64.
VLAN names are 1-32 characters (`name` in VLAN view); packet-filter takes an advanced ACL 3000-3999 here.
"""

from __future__ import annotations

import math
import re

from egovnet.devices import configtree
from egovnet.devices.platforms.base import ConfigTreePlatform, acl_problems, find_section

_LR = re.compile(r"(qos lr (?:inbound|outbound) cir (\d+)) cbs (\d+)")


def default_cbs(cir_kbps: int) -> set[int]:
    """The CBS (bytes) a Comware device shows when none was given: 62.5 x CIR, or that rounded up to 512."""
    exact = cir_kbps * 125 / 2
    return {math.ceil(exact), math.ceil(exact / 512) * 512}


class HpComware(ConfigTreePlatform):
    name = "hp_comware"
    label = "H3C Comware"
    netmiko_type = "hp_comware"
    templates = ("hp_comware",)
    show_config = "display current-configuration"
    saved_config_command = "display saved-configuration"  # Comware 7: the main next-startup file
    # one port alone (Comware 7 fundamentals command reference, "display current-configuration": `interface [ interface-type [ interface-number ] ]`), in show_config's format
    port_config_command = "display current-configuration interface {port}"
    # Comware prints every CLI error as ' % text' (unrecognized, incomplete, wrong parameter, a missing VLAN or
    # VPN instance ...); terminal syslog lines are '%Nov 25 ...' with no space after the '%'
    error_pattern = r"(?m)^\s*% \S.*$"
    negate, up = "undo", "quit"
    max_line, max_description = 510, 255
    counter_family = "comware"
    port_re = re.compile(r"(GigabitEthernet|Ten-GigabitEthernet|TwentyFiveGigE|FortyGigE|HundredGigE)\d+/\d+/\d+")
    port_example = "GigabitEthernet1/0/1"
    max_vlan_name = 32
    acl_rule = "an advanced ACL number 3000-3999"

    def netmiko_params(self, device) -> dict:
        # real Comware can wrap long lines in its echo; cmd_verify is configurable per device
        return {"global_cmd_verify": device.cmd_verify}

    def check_acl(self, acl: str) -> str | None:
        return self._numbered(acl, [(3000, 3999)], False, self.acl_rule, self.label)

    def undo_key(self, line: str) -> str:
        m = re.match(r"qos lr (inbound|outbound) ", line)   # 'undo qos lr { inbound | outbound }'
        if m:
            return f"qos lr {m.group(1)}"
        if line.startswith(("packet-filter ", "nat outbound ")):   # 'undo packet-filter 3999 inbound'
            return line
        return super().undo_key(line)

    def normalise(self, tree: dict[str, list[str]]) -> dict[str, list[str]]:
        def typed(line: str) -> str:
            m = _LR.fullmatch(line)
            return m.group(1) if m and int(m.group(3)) in default_cbs(int(m.group(2))) else line
        return {header: [typed(line) for line in lines] for header, lines in tree.items()}

    # ---- preconditions (Art. 3) ----
    # VPN instance: H3C Comware 7 MCE / MPLS L3VPN command references ("ip vpn-instance", "address-family ipv4
    # (VPN instance view)", h3c.com 10-MPLS Command Reference 08-MPLS L3VPN commands): the instance carries IPv4
    # as soon as it exists; an RD and the `address-family ipv4` view are optional on an MCE (VRF-lite) device.
    # ACL: Comware 7 ACL command reference (h3c.com/cn/d_202201/1523543_30005_0.htm: `acl advanced N` and
    # `acl number N` both create advanced ACL 3000-3999, `acl advanced name X` a named one); packet filter
    # command reference (h3c.com/en/d_202406/2194778_294551_0.htm, "packet-filter default deny"): packets that
    # match no rule of the applied ACL are permitted unless the default is changed device-wide.
    def preconditions(self, running: str, device, shown: dict[str, str] | None = None) -> list[str]:
        tree = configtree.parse(running)
        vrf, acl = device.vrf, device.isolation_acl
        problems = []
        if find_section(tree, f"ip vpn-instance {vrf}") is None:
            problems.append(f"VPN instance {vrf} is not configured (no 'ip vpn-instance {vrf}' in the running config)")
        headers = ([f"acl advanced {acl}", f"acl number {acl}"] if acl.isdigit()
                   else [f"acl advanced name {acl}", f"acl name {acl}"])
        problems += acl_problems(find_section(tree, *headers), acl, headers[0], ("rule",),
                                 default_permit=True)
        return problems
