"""What each vendor's CLI looks like: prompts, paging commands, error texts, accepted commands.

Commands are accepted per view kind (a port, a VLAN interface, a VLAN, an ACL, a VPN instance ...), so a
port command typed in the VLAN view is refused as the device refuses it. Sources, per dialect below:
Huawei S-series V200R0xx Command Reference (VRP V5), CloudEngine CE6800 V300R023C00 Command Reference
(VRPv8), H3C S5130/S6812 Command References (Comware 7), Cisco IOS 15 / Catalyst 2960-3850 references.
Where a reference gives no exact error text, the dialect's generic "wrong parameter" text is used.
"""

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
    paging_reply: str = ""      # what the device prints after the paging command (before its prompt)
    errors: dict = field(default_factory=dict)
    views: tuple[tuple[str, str, str], ...] = ()  # (regex on a line that opens a view, view label, view kind)
    system_cmds: tuple[str, ...] = ()          # regexes accepted at the top of config mode
    kind_cmds: dict = field(default_factory=dict)  # view kind -> regexes accepted inside such a view
    ranges: tuple[tuple[str, tuple[tuple[int, int], ...]], ...] = ()  # (regex with one number group, allowed)
    incomplete_negations: tuple[str, ...] = ()  # negations the device refuses as incomplete
    undo_forms: tuple[tuple[str, str], ...] = ()  # (regex on a shown line, the negation that removes it)
    multiples: tuple[tuple[str, int], ...] = ()   # (regex with one number group, the step the value must be in)
    comment: str = "#"
    candidate: bool = False                    # VRPv8: changes wait for `commit`
    enable_secret: bool = False                # Cisco: `enable` asks for a password
    port_re: str = ""                          # physical port names this device type has
    vlan_view: str = "vlan {0}"                # the VLAN's section header
    vpn_view: str = "ip vpn-instance {0}"      # the VPN instance's section header
    needs_ipv4_family: bool = False            # VRPv8: an interface binds only to an instance with ipv4-family
    binding: str = r"ip binding vpn-instance (\S+)"
    access_vlan: str = r"port default vlan (\d+)"
    binding_info: str = ""                     # printed when binding removes the interface's address
    vlan_missing: str = ""                     # printed when an access VLAN does not exist
    vlan_autocreate: bool = False              # IOS creates a missing access VLAN
    vtp: bool = False                          # Catalyst VTP: server/client keep VLANs out of the running config
    default_cbs: bool = False                  # Comware: a rate limit is shown with the CBS the device chose
    line_defaults: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (regex on a line, lines the device shows under it)
    isolation_acl: str = "3999"                # the lab's isolation ACL (IOS: a name; 3999 is no IOS ACL number)
    initial: tuple[tuple[str, tuple[str, ...]], ...] = ()  # sections a device starts with; format with vrf=, acl=


_DESC = r"description [\x21-\x7e][\x20-\x7e]{0,241}"
_VRP_ERRORS = {"unknown": "Error: Unrecognized command found at '^' position.",
               "param": "Error: Wrong parameter found at '^' position.",
               "incomplete": "Error: Incomplete command found at '^' position.",
               # the three texts below are VRP console wording as recalled from transcripts; the command references
               # searched do not print them: re-check against a capture before relying on the exact words
               "no_vlan": "Error: The VLAN does not exist.",
               "no_vpn": "Error: The VPN instance does not exist.",
               "no_af": "Error: The address family of the VPN instance is not enabled."}

HUAWEI = Dialect(
    platform="huawei",
    user_prompt="<{name}>",
    config_prompt="[{name}{view}]",
    enter_config="system-view",
    up="quit",
    top=("return",),
    negate="undo",
    paging=("screen-length 0 temporary",),
    # VRP V5 and V8 both answer it so (public session transcripts: NE40E V800R011 "<HR1>screen-length 0
    # temporary", CE switch deployment logs "<sas2-92s89>screen-length 0 temporary", each followed by this line)
    paging_reply="Info: The configuration takes effect on the current user terminal interface only.",
    show_config=("display current-configuration",),
    # VRP command reference, "display saved-configuration": the configuration file for the next startup
    show_saved=("display saved-configuration",),
    show_interface=r"display interface (\S+)",
    save="save",
    errors=_VRP_ERRORS,
    views=((r"interface (Vlanif\d+)", "-{0}", "vlanif"), (r"interface (\S+)", "-{0}", "port"),
           (r"vlan (\d+)", "-vlan{0}", "vlan"), (r"acl number (\d+)", "-acl-adv-{0}", "acl"),
           (r"ip vpn-instance (\S+)", "-vpn-instance-{0}", "vpn")),
    system_cmds=(r"sysname \S+", r"vlan batch [\d ]+"),
    kind_cmds={
        # S-series "Ethernet interface" commands: a Layer-2 port has no `ip address`
        "port": (_DESC, r"shutdown", r"port link-type (access|trunk|hybrid)", r"port default vlan \d+",
                 r"qos lr (inbound|outbound) cir \d+( cbs \d+)?", r"traffic-filter (inbound|outbound) acl (\d+|name \S+)"),
        # S-series "ip address (interface view)": ip address ip-address { mask | mask-length } [ sub ] (a secondary
        # address with `sub`; "undo ip address" without arguments deletes every address of the interface)
        "vlanif": (_DESC, r"shutdown", r"ip address \S+ \S+( sub)?", r"ip binding vpn-instance \S+",
                   r"traffic-filter (inbound|outbound) acl (\d+|name \S+)", r"nat outbound \d+", r"ipsec policy \S+"),
        "vlan": (r"description [\x21-\x7e][\x20-\x7e]{0,79}", r"name \S{1,31}"),  # description: 1-80 characters
        "acl": (r"rule \d+ (permit|deny) .+",),
        "vpn": (r"ipv4-family", r"route-distinguisher \S+", r"description .+"),
    },
    # "qos lr": cir 64-10000000 kbit/s on S-series GE ports (range differs per model: unclear);
    # traffic-filter / acl number: 2000-4999 (basic, advanced, layer 2)
    ranges=((r"qos lr (?:inbound|outbound) cir (\d+).*", ((64, 10_000_000),)),
            (r"traffic-filter (?:inbound|outbound) acl (\d+)", ((2000, 4999),)),
            (r"acl number (\d+)", ((2000, 4999),))),
    port_re=r"(GigabitEthernet|XGigabitEthernet|Ethernet|MultiGE|25GE|40GE|100GE)\d+/\d+/\d+",
    # VRP shows the RD and VPN targets inside the `ipv4-family` view (Huawei "Configuring a VPN instance");
    # the ACL permits the extranet core (the inventory's core_prefix) and denies everything else
    initial=(("ip vpn-instance {vrf}", ("ipv4-family", " route-distinguisher 65000:1",
                                        " vpn-target 65000:1 export-extcommunity",
                                        " vpn-target 65000:1 import-extcommunity")),
             ("acl number {acl}", ("rule 5 permit ip destination {net} {wild}", "rule 10 deny ip"))),
    # VRP: "Info: All IPv4 related configurations on this interface are removed!" (VPN-instance configuration
    # guides say binding deletes the interface's IP address; the Info wording is as recalled from transcripts)
    binding_info="Info: All IPv4 related configurations on this interface are removed!",
)

HUAWEI_V8 = Dialect(**{
    **HUAWEI.__dict__, "platform": "huawei_vrpv8", "config_prompt": "[{mark}{name}{view}]", "candidate": True,
    "system_cmds": (r"sysname \S+", r"vlan batch [\d ]+", r"qos car \S+ cir \d+ (kbps|mbps|gbps)( cbs \d+( bytes| kbytes| mbytes)?)?"),
    "kind_cmds": {
        # CE6800 "qos lr": cir-value [kbps|mbps|gbps] [outbound] - outbound only; "qos car inbound" car-name;
        # "traffic-filter acl { acl-number | name acl-name } { inbound | outbound }". V5 forms are refused.
        "port": (_DESC, r"shutdown", r"port link-type (access|trunk|hybrid)", r"port default vlan \d+",
                 r"qos lr cir \d+ (kbps|mbps|gbps)( outbound)?", r"qos car inbound \S+",
                 r"traffic-filter acl (\d+|name \S+) (inbound|outbound)", r"portswitch"),
        "vlanif": (_DESC, r"shutdown", r"ip address \S+ \S+", r"ip binding vpn-instance \S+",
                   r"traffic-filter acl (\d+|name \S+) (inbound|outbound)"),
        "vlan": (r"description [\x21-\x7e][\x20-\x7e]{0,79}", r"name \S{1,31}"),
        "acl": (r"rule \d+ (permit|deny) .+",),
        "vpn": (r"ipv4-family", r"route-distinguisher \S+", r"description .+"),
    },
    "ranges": ((r"qos lr cir (\d+) .*", ((1, 400_000_000),)), (r"qos car \S+ cir (\d+) .*", ((1, 400_000_000),)),
               (r"traffic-filter acl (\d+) .*", ((2000, 4999),)), (r"acl number (\d+)", ((2000, 4999),))),
    "port_re": r"(GE|10GE|25GE|40GE|100GE|400GE|MultiGE)\d+/\d+/\d+",
    "needs_ipv4_family": True,
    # CE ports are taken to be Layer 2 (the CE6800 default; `portswitch` elsewhere is a precondition egovnet
    # does not send: the device would not display it, and its undo would turn the port to Layer 3)
    # CE6800 "qos lr": undo qos lr [ outbound ]; "qos car inbound": undo qos car inbound; "qos car": undo qos car NAME
    "undo_forms": ((r"qos lr cir .* outbound", "qos lr outbound"), (r"qos lr cir .*", "qos lr"),
                   (r"qos car inbound \S+", "qos car inbound")),
})

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
            "incomplete": " % Incomplete command found at '^' position.",
            "no_vlan": " % VLAN does not exist.",           # exact text unclear in the references
            "no_vpn": " % The VPN instance does not exist."},  # exact text unclear in the references
    views=((r"interface (Vlan-interface\d+)", "-{0}", "vlanif"), (r"interface (\S+)", "-{0}", "port"),
           (r"vlan (\d+)", "-vlan{0}", "vlan"), (r"acl advanced (\d+)", "-acl-ipv4-adv-{0}", "acl"),
           (r"ip vpn-instance (\S+)", "-vpn-instance-{0}", "vpn")),
    system_cmds=(r"sysname \S+",),
    kind_cmds={
        "port": (_DESC, r"shutdown", r"port link-type (access|trunk|hybrid)", r"port access vlan \d+",
                 r"qos lr (inbound|outbound) cir \d+( cbs \d+)?", r"packet-filter (\d+|name \S+) (inbound|outbound)"),
        "vlanif": (_DESC, r"shutdown", r"ip address \S+ \S+", r"ip binding vpn-instance \S+",
                   r"packet-filter (\d+|name \S+) (inbound|outbound)", r"nat outbound \d+", r"ipsec apply policy \S+"),
        "vlan": (r"name [\x21-\x7e][\x20-\x7e]{0,31}", r"description [\x21-\x7e][\x20-\x7e]{0,254}"),  # name 1-32
        "acl": (r"rule \d+ (permit|deny) .+",),
        "vpn": (r"route-distinguisher \S+", r"description .+", r"address-family ipv4"),
    },
    # S6812 "qos lr": cir 64-10485760 kbit/s; packet-filter ACLs 2000-5999; `acl advanced` 3000-3999
    ranges=((r"qos lr (?:inbound|outbound) cir (\d+).*", ((64, 10_485_760),)),
            (r"packet-filter (\d+) .*", ((2000, 5999),)), (r"acl advanced (\d+)", ((3000, 3999),))),
    # S6812 "qos lr": "The specified value must be an integral multiple of 64" (the error text is not given)
    multiples=((r"qos lr (?:inbound|outbound) cir (\d+).*", 64),),
    port_re=r"(GigabitEthernet|Ten-GigabitEthernet|TwentyFiveGigE|FortyGigE|HundredGigE)\d+/\d+/\d+",
    access_vlan=r"port access vlan (\d+)",
    default_cbs=True,
    # Comware 7: the RD directly under the instance (H3C MPLS L3VPN command reference); `acl advanced N`
    initial=(("ip vpn-instance {vrf}", ("route-distinguisher 65000:1", "vpn-target 65000:1 export-extcommunity",
                                        "vpn-target 65000:1 import-extcommunity")),
             ("acl advanced {acl}", ("rule 5 permit ip destination {net} {wild}", "rule 10 deny ip"))),
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
            "incomplete": "% Incomplete command.",
            "l3_on_l2": "% IP addresses may not be configured on L2 links.",
            "no_vpn": "% VRF {0} not configured.",
            "vtp_client": "VTP VLAN configuration not allowed when device is in CLIENT mode."},
    views=((r"interface (Vlan\d+)", "-if", "vlanif"), (r"interface (\S+)", "-if", "port"), (r"vlan (\d+)", "-vlan", "vlan"),
           (r"ip access-list extended (\S+)", "-ext-nacl", "acl"), (r"vrf definition (\S+)", "-vrf", "vpn"),
           (r"policy-map (\S+)", "-pmap", "pmap"), (r"class (\S+)", "-pmap-c", "class")),
    system_cmds=(r"hostname \S+",),
    kind_cmds={
        "port": (_DESC, r"shutdown", r"switchport mode (access|trunk)", r"switchport access vlan \d+",
                 r"service-policy (input|output) \S+"),
        "vlanif": (_DESC, r"shutdown", r"vrf forwarding \S+", r"ip address \S+ \S+", r"ip access-group \S+ (in|out)",
                   r"ip nat inside", r"crypto map \S+"),
        "vlan": (r"name [\x21-\x7e]{1,32}",),   # VLAN name: 1-32 characters
        "acl": (r"(permit|deny) .+",),
        "vpn": (r"rd \S+", r"address-family ipv4", r"description .+"),
        "pmap": (),
        "class": (r"police cir \d+( .*)?",),
    },
    # police cir 8000-10000000000 bit/s (IOS QoS reference; differs per platform); IP ACL numbers 1-199, 1300-2699
    ranges=((r"police cir (\d+).*", ((8000, 10_000_000_000),)),
            (r"ip access-group (\d+) .*", ((1, 199), (1300, 2699)))),
    incomplete_negations=(r"service-policy( (input|output))?",),
    comment="!",
    enable_secret=True,
    port_re=r"(FastEthernet|GigabitEthernet|TenGigabitEthernet)\d+(/\d+){1,2}",
    vpn_view="vrf definition {0}",
    binding=r"vrf forwarding (\S+)",
    access_vlan=r"switchport access vlan (\d+)",
    binding_info="% Interface {0} IPv4 disabled and address(es) removed due to enabling VRF {1}",
    vlan_missing="% Access VLAN does not exist. Creating vlan {0}",
    vlan_autocreate=True,
    vtp=True,
    # IOS 15 / IOS-XE show a single-rate policer's default actions under it (IOS QoS Command Reference, "police")
    line_defaults=((r"police cir \d+", ("conform-action transmit", "exceed-action drop")),),
    isolation_acl="EGOV-ISOLATION",
    # IOS: `vrf definition` with `address-family ipv4`; a named extended ACL, entries as classic IOS shows them
    initial=(("vrf definition {vrf}", ("rd 65000:1", "address-family ipv4", "exit-address-family")),
             ("ip access-list extended {acl}", ("permit ip any {net} {wild}", "deny ip any any"))),
)

DIALECTS = {d.platform: d for d in (HUAWEI, HUAWEI_V8, COMWARE, CISCO)}
PLATFORMS = tuple(DIALECTS)


def matches(patterns, line: str) -> bool:
    return any(re.fullmatch(p, line) for p in patterns)


def out_of_range(d: Dialect, line: str) -> bool:
    for regex, allowed in d.ranges:
        m = re.fullmatch(regex, line)
        if m and not any(lo <= int(m.group(1)) <= hi for lo, hi in allowed):
            return True
    for regex, step in d.multiples:
        m = re.fullmatch(regex, line)
        if m and int(m.group(1)) % step:
            return True
    return False


def initial_sections(d: Dialect, vrf: str | None, acl: str | None, core_prefix: str) -> list:
    """The extranet's VPN instance and isolation ACL as a device of this kind shows them (with rules), as config
    nodes; a line indented by one more space belongs to the line above it. A None name leaves its section out."""
    import ipaddress

    from egovnet.lab.device import Node

    core = ipaddress.ip_network(core_prefix)
    values = {"vrf": vrf, "acl": acl, "net": core.network_address, "wild": core.hostmask}
    out = []
    for header, lines in d.initial:
        if ("{vrf}" in header and not vrf) or ("{acl}" in header and not acl):
            continue
        node = Node(header.format(**values))
        for line in lines:
            parent = node
            depth = len(line) - len(line.lstrip(" "))
            for _ in range(depth):
                parent = parent.children[-1]
            parent.children.append(Node(line.strip().format(**values)))
        out.append(node)
    return out
