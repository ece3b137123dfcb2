"""What each vendor's CLI looks like: prompts, paging commands, error texts, accepted commands."""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Dialect:
    platform: str
    user_prompt: str            # format with name=
    config_prompt: str          # format with name=, view= ("" at the top level), mark= (VRPv8 ~ or *)
    enter_config: str
    up: str                     # leave one view
    top: tuple[str, ...]        # leave config mode entirely
    negate: str                 # "undo" or "no"
    paging: tuple[str, ...]
    show_config: tuple[str, ...]
    show_saved: tuple[str, ...]   # the next-startup configuration
    show_interface: str
    save: str
    errors: dict = field(default_factory=dict)
    views: tuple[tuple[str, str], ...] = ()    # (regex on a config line that opens a view, view label)
    system_cmds: tuple[str, ...] = ()          # regexes accepted at the top of config mode
    view_cmds: tuple[str, ...] = ()            # regexes accepted inside a view
    comment: str = "#"
    candidate: bool = False                    # VRPv8: changes wait for `commit`
    enable_secret: bool = False                # Cisco: `enable` asks for a password
    port_re: str = ""


_COMMON_VIEW = (
    r"description [\x21-\x7e][\x20-\x7e]{0,241}", r"shutdown", r"ip address \S+ \S+",
)

HUAWEI = Dialect(
    platform="huawei",
    user_prompt="<{name}>",
    config_prompt="[{name}{view}]",
    enter_config="system-view",
    up="quit",
    top=("return",),
    negate="undo",
    paging=("screen-length 0 temporary",),
    show_config=("display current-configuration",),
    # VRP command reference, "display saved-configuration": the configuration file for the next startup
    show_saved=("display saved-configuration",),
    show_interface=r"display interface (\S+)",
    save="save",
    errors={"unknown": "Error: Unrecognized command found at '^' position.",
            "param": "Error: Wrong parameter found at '^' position.",
            "incomplete": "Error: Incomplete command found at '^' position."},
    views=((r"interface (\S+)", "-{0}"), (r"vlan (\d+)", "-vlan{0}"), (r"acl number (\d+)", "-acl-adv-{0}"),
           (r"ip vpn-instance (\S+)", "-vpn-instance-{0}")),
    system_cmds=(r"sysname \S+", r"vlan batch [\d ]+"),
    view_cmds=_COMMON_VIEW + (r"ip binding vpn-instance \S+", r"port link-type (access|trunk)",
                              r"port default vlan \d+", r"qos lr outbound cir \d+", r"traffic-filter inbound acl \d+",
                              r"nat outbound \d+", r"ipsec policy \S+", r"rule \d+ (permit|deny) .+",
                              r"route-distinguisher \S+", r"ipv4-family"),
    port_re=r"GigabitEthernet\d+/\d+/\d+|Vlanif\d+",
)
HUAWEI_V8 = Dialect(**{**HUAWEI.__dict__, "platform": "huawei_vrpv8", "config_prompt": "[{mark}{name}{view}]",
                       "candidate": True})
COMWARE = Dialect(
    platform="hp_comware",
    user_prompt="<{name}>",
    config_prompt="[{name}{view}]",
    enter_config="system-view",
    up="quit",
    top=("return",),
    negate="undo",
    paging=("screen-length disable",),
    show_config=("display current-configuration",),
    show_saved=("display saved-configuration",),   # Comware 7 fundamentals: the next-startup config file
    show_interface=r"display interface (\S+)",
    save="save force",
    errors={"unknown": " % Unrecognized command found at '^' position.",
            "param": " % Wrong parameter found at '^' position.",
            "incomplete": " % Incomplete command found at '^' position."},
    views=((r"interface (\S+)", "-{0}"), (r"vlan (\d+)", "-vlan{0}"), (r"acl advanced (\d+)", "-acl-ipv4-adv-{0}"),
           (r"ip vpn-instance (\S+)", "-vpn-instance-{0}")),
    system_cmds=(r"sysname \S+",),
    view_cmds=_COMMON_VIEW + (r"ip binding vpn-instance \S+", r"port link-type (access|trunk)", r"port access vlan \d+",
                              r"qos lr outbound cir \d+", r"packet-filter \d+ inbound", r"nat outbound \d+",
                              r"ipsec apply policy \S+", r"rule \d+ (permit|deny) .+", r"route-distinguisher \S+",
                              r"name \S+"),
    port_re=r"GigabitEthernet\d+/\d+/\d+|Vlan-interface\d+",
)
CISCO = Dialect(
    platform="cisco_ios",
    user_prompt="{name}>",
    config_prompt="{name}(config{view})#",
    enter_config="configure terminal",
    up="exit",
    top=("end",),
    negate="no",
    paging=("terminal length 0", "terminal width 511"),
    show_config=("show running-config", "show run"),
    show_saved=("show startup-config", "show start"),   # IOS: NVRAM, after a "Using N out of M bytes" line
    show_interface=r"show interfaces (\S+)",
    save="write mem",
    errors={"unknown": "% Invalid input detected at '^' marker.", "param": "% Invalid input detected at '^' marker.",
            "incomplete": "% Incomplete command."},
    views=((r"interface (\S+)", "-if"), (r"vlan (\d+)", "-vlan"), (r"ip access-list extended (\S+)", "-ext-nacl"),
           (r"vrf definition (\S+)", "-vrf"), (r"policy-map (\S+)", "-pmap"), (r"class (\S+)", "-pmap-c")),
    system_cmds=(r"hostname \S+",),
    view_cmds=_COMMON_VIEW + (r"vrf forwarding \S+", r"switchport mode (access|trunk)", r"switchport access vlan \d+",
                              r"service-policy output \S+", r"ip access-group \S+ in", r"ip nat inside",
                              r"crypto map \S+", r"(permit|deny) .+", r"name \S+", r"rd \S+",
                              r"address-family ipv4", r"bandwidth \d+", r"police cir \d+"),
    comment="!",
    enable_secret=True,
    port_re=r"GigabitEthernet\d+/\d+(/\d+)?|Vlan\d+",
)

DIALECTS = {d.platform: d for d in (HUAWEI, HUAWEI_V8, COMWARE, CISCO)}
PLATFORMS = tuple(DIALECTS)


def matches(patterns, line: str) -> bool:
    return any(re.fullmatch(p, line) for p in patterns)
