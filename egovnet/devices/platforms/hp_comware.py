"""H3C / HPE Comware 7."""

from __future__ import annotations

from egovnet.devices import configtree
from egovnet.devices.platforms.base import ConfigTreePlatform, acl_problems, find_section


class HpComware(ConfigTreePlatform):
    name = "hp_comware"
    label = "H3C Comware"
    netmiko_type = "hp_comware"
    templates = ("hp_comware",)
    show_config = "display current-configuration"
    error_pattern = r"(?m)^\s*% (Unrecognized command|Incomplete command|Wrong parameter|Too many parameters).*$"
    negate, up = "undo", "quit"
    max_line, max_description = 510, 255
    counter_family = "comware"

    def netmiko_params(self, device) -> dict:
        # real Comware can wrap long lines in its echo; cmd_verify is configurable per device
        return {"global_cmd_verify": device.cmd_verify}

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
