"""Huawei VRP V5 (S5700/S6730 access switches, AR routers).

Value rules from the S-series command references (S300/S500/S2700/S5700/S6700 V200R0xx, "VLAN" and "ACL" and
"QoS" chapters): a VLAN's description is 1-80 characters; traffic-filter takes an advanced ACL 3000-3999 or an
ACL name; ports are GigabitEthernet0/0/1, XGigabitEthernet0/0/1, 40GE0/0/1 ... (slot/card/port).
"""

from __future__ import annotations

import re

from egovnet.devices.platforms.base import ConfigTreePlatform


class HuaweiVrp(ConfigTreePlatform):
    name = "huawei"
    label = "Huawei VRP"
    netmiko_type = "huawei"
    templates = ("huawei",)
    show_config = "display current-configuration"
    error_pattern = r"(?m)^\s*Error:.*$"
    negate, up = "undo", "quit"
    max_line, max_description = 510, 242
    counters_template = "display interface {port}"
    bytes_in_re = r"Input:\s+\d+ packets, (\d+) bytes"
    bytes_out_re = r"Output:\s+\d+ packets, (\d+) bytes"
    port_re = re.compile(r"(GigabitEthernet|XGigabitEthernet|Ethernet|MultiGE|25GE|40GE|100GE)\d+/\d+/\d+")
    port_example = "GigabitEthernet0/0/1"
    max_vlan_name = 80
    acl_rule = "an advanced ACL number 3000-3999 or an ACL name"

    def check_acl(self, acl: str) -> str | None:
        return self._numbered(acl, [(3000, 3999)], True, self.acl_rule, self.label)

    def undo_key(self, line: str) -> str:
        # 'undo qos lr inbound' / 'undo qos lr outbound' (S-series "qos lr" reference: undo takes the direction only);
        # a filter or a NAT binding is undone by its whole line (undo traffic-filter inbound acl 3999, undo nat
        # outbound 2001), never by a prefix the device finds incomplete
        m = re.match(r"qos lr (inbound|outbound) ", line)
        if m:
            return f"qos lr {m.group(1)}"
        if line.startswith(("traffic-filter ", "nat outbound ")):
            return line
        return super().undo_key(line)
