"""Huawei CloudEngine / VRPv8 (inventory platform `huawei_vrpv8`): two-stage configuration, `commit`.

CE syntax differs from VRP V5 (CE6800 V300R023C00 command reference, "qos lr", "qos car inbound",
"traffic-filter"): `qos lr cir 50 mbps outbound` (outbound only), inbound policing through a QoS CAR profile
(`qos car NAME cir 50 mbps` in the system view, `qos car inbound NAME` on the port), `traffic-filter acl N
inbound`; ports are GE1/0/1, 10GE1/0/1, 25GE1/0/1, 40GE1/0/1, 100GE1/0/1.
"""

from __future__ import annotations

import re

from egovnet.devices.platforms.huawei_vrp import HuaweiVrp


class HuaweiCe(HuaweiVrp):
    name = "huawei_vrpv8"
    label = "Huawei CloudEngine (VRPv8)"
    netmiko_type = "huawei_vrpv8"
    templates = ("huawei_vrpv8",)
    candidate = True
    port_re = re.compile(r"(GE|10GE|25GE|40GE|100GE|400GE|MultiGE)\d+/\d+/\d+")
    port_example = "GE1/0/1, 10GE1/0/1, 40GE1/0/1, 100GE1/0/1"
    max_vlan_name = 80

    def undo_key(self, line: str) -> str:
        if re.match(r"qos lr cir .* outbound$", line):
            return "qos lr outbound"           # 'undo qos lr [ outbound ]'
        if line.startswith("qos car inbound "):
            return "qos car inbound"           # 'undo qos car inbound'
        m = re.match(r"qos car (\S+) cir ", line)
        if m:
            return f"qos car {m.group(1)}"     # the profile, by name
        return super().undo_key(line)

    # ---- preconditions (Art. 3) ----
    # CloudEngine / VRPv8: interfaces bind only to a VPN instance whose IPv4 family is enabled (`ipv4-family`,
    # shown as its own view; Ansible community.network ce_vrf_interface notes), with an RD for it to take effect.
    vpn_needs_family = True
