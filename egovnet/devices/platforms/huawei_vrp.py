"""Huawei VRP V5 (S5700/S6730 access switches, AR routers)."""

from __future__ import annotations

from egovnet.devices.platforms.base import ConfigTreePlatform


class HuaweiVrp(ConfigTreePlatform):
    name = "huawei"
    label = "Huawei VRP"
    netmiko_type = "huawei"
    templates = ("huawei",)
    show_config = "display current-configuration"
    saved_config_command = "display saved-configuration"  # VRP/VRPv8: the next-startup file
    error_pattern = r"(?m)^\s*Error:.*$"
    negate, up = "undo", "quit"
    max_line, max_description = 510, 242
    counters_template = "display interface {port}"
    bytes_in_re = r"Input:\s+\d+ packets, (\d+) bytes"
    bytes_out_re = r"Output:\s+\d+ packets, (\d+) bytes"
