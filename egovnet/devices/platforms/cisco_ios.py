"""Cisco IOS (Catalyst access switches, ISR routers)."""

from __future__ import annotations

from egovnet.devices.platforms.base import ConfigTreePlatform


class CiscoIos(ConfigTreePlatform):
    name = "cisco_ios"
    label = "Cisco IOS"
    netmiko_type = "cisco_ios"
    templates = ("cisco_ios",)
    show_config = "show running-config"
    saved_config_command = "show startup-config"  # NVRAM; opens with "Using N out of M bytes"
    error_pattern = r"(?m)^\s*(% Invalid input|% Incomplete command|% Ambiguous command|Command authorization failed).*$"
    negate, up = "no", "exit"
    needs_enable = True
    max_line, max_description = 254, 200
    counters_template = "show interfaces {port}"
    bytes_in_re = r"\d+ packets input, (\d+) bytes"
    bytes_out_re = r"\d+ packets output, (\d+) bytes"
