"""Cisco IOS (Catalyst access switches, ISR routers)."""

from __future__ import annotations

from egovnet.devices.platforms.base import ConfigTreePlatform


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
