"""Huawei VRP V5 (S5700/S6730 access switches, AR routers)."""

from __future__ import annotations

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
    counter_family = "huawei_vrp"
