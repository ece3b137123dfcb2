"""Huawei CloudEngine / VRPv8 (inventory platform `huawei_vrpv8`): two-stage configuration, `commit`."""

from __future__ import annotations

from egovnet.devices.platforms.huawei_vrp import HuaweiVrp


class HuaweiCe(HuaweiVrp):
    name = "huawei_vrpv8"
    label = "Huawei CloudEngine (VRPv8)"
    netmiko_type = "huawei_vrpv8"
    templates = ("huawei_vrpv8", "huawei")
    candidate = True
