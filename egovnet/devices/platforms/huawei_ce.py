"""Huawei CloudEngine / VRPv8 (inventory platform `huawei_vrpv8`): two-stage configuration, `commit`."""

from __future__ import annotations

from egovnet.devices.platforms.huawei_vrp import HuaweiVrp


class HuaweiCe(HuaweiVrp):
    name = "huawei_vrpv8"
    label = "Huawei CloudEngine (VRPv8)"
    netmiko_type = "huawei_vrpv8"
    templates = ("huawei_vrpv8", "huawei")
    candidate = True

    # ---- preconditions (Art. 3) ----
    # CloudEngine / VRPv8: interfaces bind only to a VPN instance whose IPv4 family is enabled (`ipv4-family`,
    # shown as its own view; Ansible community.network ce_vrf_interface notes), with an RD for it to take effect.
    vpn_needs_family = True
