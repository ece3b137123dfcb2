"""inventory/: devices, groups and defaults (nornir-style), address and VLAN pools, known_hosts.

    inventory/inventory.yaml   defaults, groups, devices, pools
    inventory/known_hosts      host keys, checked strictly ([host]:port entries)
    inventory/templates/<platform>/<action>.j2   optional operator overrides
"""

from __future__ import annotations

import ipaddress
import os
import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from egovnet.errors import InvalidConfig
from egovnet.validation import CODE_RE
from egovnet.yamlfile import describe, dotted, read_yaml, validate

# the built-in lab's password variable and its default (loopback-only lab devices; a real device's password
# always comes from its variable): 'egovnet lab serve' starts its devices with it, and a device on 127.0.0.0/8
# whose inventory names this variable gets it when the variable is not set
LAB_PASSWORD_ENV = "EGOVNET_LAB_PASSWORD"
LAB_DEFAULT_PASSWORD = "egovnet-lab"


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"

Platform = Literal["huawei", "huawei_vrpv8", "hp_comware", "cisco_ios", "linux"]
FIELDS = ("platform", "host", "port", "site", "role", "towns", "ports", "vrf", "isolation_acl", "username",
          "password_env", "key_file", "timeouts", "nat_acl", "ipsec_policy", "cmd_verify", "core_prefix",
          "capabilities", "vtp_mode")
Capability = Literal["nat", "ipsec"]   # router features gated by Art. 13 (an access switch has neither)


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Timeouts(_Frozen):
    connect: float = Field(5, gt=0, le=300)
    auth: float = Field(5, gt=0, le=300)
    banner: float = Field(5, gt=0, le=300)
    read: float = Field(15, gt=0, le=600)


class Device(_Frozen):
    name: str
    platform: Platform
    host: str
    port: int = Field(22, ge=1, le=65535)
    site: str
    role: Literal["access", "vpn"] = "access"
    towns: tuple[str, ...] = ()
    ports: tuple[str, ...]
    vrf: str = "EGOV"
    isolation_acl: str = "3999"
    nat_acl: str = "2001"
    ipsec_policy: str = "EGOV-IPSEC"
    core_prefix: str = "10.0.0.0/8"
    username: str
    password_env: str | None = None
    key_file: str | None = None
    timeouts: Timeouts = Timeouts()
    cmd_verify: bool = True
    capabilities: tuple[Capability, ...] = ()   # what the device can carry beyond a VLAN and a gateway (Art. 13)
    vtp_mode: Literal["server", "client", "transparent", "off"] = "server"  # Catalyst; ignored elsewhere

    @model_validator(mode="before")
    @classmethod
    def _platform_defaults(cls, data):
        # the isolation ACL's default number is the top of the platform's extended/advanced IPv4 range
        if isinstance(data, dict) and data.get("isolation_acl") is None:
            data = {**data, "isolation_acl": "199" if data.get("platform") == "cisco_ios" else "3999"}
        return data

    @field_validator("host")
    @classmethod
    def _host(cls, v: str) -> str:
        try:
            ipaddress.ip_address(v)
        except ValueError:
            if not CODE_RE.fullmatch(v.replace(".", "-")):
                raise ValueError(f"{v!r} is neither an IP address nor a host name") from None
        return v

    @field_validator("core_prefix")
    @classmethod
    def _core_prefix(cls, v: str) -> str:
        return str(ipaddress.ip_network(v, strict=True))

    @model_validator(mode="after")
    def _credentials(self):
        if not (self.password_env or self.key_file):
            raise ValueError("give password_env (the name of an environment variable) or key_file; "
                             "never a password in the file")
        return self

    def password(self) -> str | None:
        if not self.password_env:
            return None
        value = os.environ.get(self.password_env)
        if value is None and self.password_env == LAB_PASSWORD_ENV and _loopback(self.host):
            value = LAB_DEFAULT_PASSWORD  # the built-in lab's own default, as 'egovnet lab serve' uses it
        if value is None:
            raise InvalidConfig(f"device {self.name}: environment variable {self.password_env} is not set "
                                "(inventory password_env); export it before talking to the device")
        return value


class Pool(_Frozen):
    prefixes: tuple[str, ...]
    subnet_prefixlen: int = Field(29, ge=16, le=30)
    vlans: str = "100-999"

    @field_validator("prefixes")
    @classmethod
    def _prefixes(cls, v):
        for p in v:
            ipaddress.ip_network(p, strict=True)
        return v

    @field_validator("vlans")
    @classmethod
    def _vlans(cls, v: str) -> str:
        for part in v.split(","):
            lo, _, hi = part.strip().partition("-")
            lo_i, hi_i = int(lo), int(hi or lo)
            if not 2 <= lo_i <= hi_i <= 4094:
                raise ValueError(f"VLAN range {part.strip()!r} must lie within 2-4094")
        return v

    def vlan_ids(self) -> list[int]:
        out: dict[int, None] = {}  # overlapping ranges within a site are fine; each VLAN counts once
        for part in self.vlans.split(","):
            lo, _, hi = part.strip().partition("-")
            out.update(dict.fromkeys(range(int(lo), int(hi or lo) + 1)))
        return list(out)


# Values that reach a device command: one word, only what the platform takes there. The port pattern is
# deliberately loose (GigabitEthernet0/0/1, GE1/0/1, Eth-Trunk1, Gi0/1.100 ...): the device itself knows
# its interfaces; what matters here is that no space, quote, ';', '|', '$()' or backquote ever gets through.
# Sources: Huawei VRP and H3C Comware command references (ip vpn-instance: 1-31 characters without spaces;
# traffic-filter / packet-filter and nat outbound take an IPv4 basic or advanced ACL number, 2000-3999;
# Huawei ipsec policy names 1-15 characters, Comware 1-63); Cisco IOS (numbered IP ACLs 1-199 and
# 1300-2699, named ACLs start with a letter and have no spaces or punctuation); Linux interface names are at
# most 15 bytes (IFNAMSIZ) without '/' or spaces.
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_.-]*")
_NET_PORT = re.compile(r"[A-Za-z0-9][A-Za-z0-9/.:-]*")  # CloudEngine ports start with a digit: 10GE1/0/1
_LINUX_PORT = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
_NAME_TEXT = "one word of ASCII letters, digits, '_', '.' or '-' starting with a letter"


class _Rule:
    def __init__(self, what: str, max_len: int, pattern=_NAME, numbers: tuple = (), names: bool = True,
                 text: str = _NAME_TEXT):
        self.what, self.max_len, self.pattern, self.numbers, self.names, self.text = \
            what, max_len, pattern, numbers, names, text

    def problem(self, value) -> str | None:
        text = str(value)
        if self.numbers and text.isdigit() and text.isascii():
            if any(lo <= int(text) <= hi for lo, hi in self.numbers):
                return None
            return f"ACL number {text} is out of range; {self._expected()}"
        if self.names and self.pattern.fullmatch(text) and len(text) <= self.max_len:
            return None
        return f"{_shown(text)} is not {self._expected()}"

    def _expected(self) -> str:
        ranges = " or ".join(f"{lo}-{hi}" for lo, hi in self.numbers)
        if self.numbers and not self.names:
            return f"an ACL number the platform takes here ({ranges})"
        name = f"{self.what}: {self.text}, at most {self.max_len} characters"
        article = "an" if self.what[0] in "AEIOUaeiou" else "a"
        return f"an ACL number ({ranges}) or {article} {name}" if self.numbers else f"{article} {name}"


def _shown(text: str) -> str:
    return repr(text if len(text) <= 40 else text[:40] + "…")


_VRP_ACL = ((2000, 3999),)
_VRP_ADV_ACL = ((3000, 3999),)  # isolation filters on the destination: an advanced ACL
_IOS_ACL = ((1, 199), (1300, 2699))
_IOS_EXT_ACL = ((100, 199), (2000, 2699))  # isolation filters on the destination: an extended ACL
_NET = {"vrf": _Rule("VPN instance name", 31), "port": _Rule("port name", 63, _NET_PORT,
                                                                  text="ASCII letters, digits, '/', '.', ':' or '-' "
                                                                       "starting with a letter or digit, no spaces")}
VALUE_RULES: dict[str, dict[str, _Rule]] = {
    "huawei": {**_NET, "isolation_acl": _Rule("ACL", 31, numbers=_VRP_ADV_ACL, names=False),
               "nat_acl": _Rule("ACL", 31, numbers=_VRP_ACL, names=False),
               "ipsec_policy": _Rule("IPsec policy name", 15)},
    "hp_comware": {**_NET, "isolation_acl": _Rule("ACL", 63, numbers=_VRP_ADV_ACL, names=False),
                   "nat_acl": _Rule("ACL", 63, numbers=_VRP_ACL, names=False),
                   "ipsec_policy": _Rule("IPsec policy name", 63)},
    "cisco_ios": {**_NET, "vrf": _Rule("VRF name", 32), "isolation_acl": _Rule("named ACL", 64, numbers=_IOS_EXT_ACL),
                  "nat_acl": _Rule("named ACL", 64, numbers=_IOS_ACL), "ipsec_policy": _Rule("crypto map name", 63)},
    "linux": {"vrf": _Rule("VRF name", 15), "isolation_acl": _Rule("name", 31, numbers=((1, 65535),)),
              "nat_acl": _Rule("name", 31, numbers=((1, 65535),)), "ipsec_policy": _Rule("name", 31),
              "port": _Rule("interface name", 15, _LINUX_PORT,
                            text="ASCII letters, digits, '_', '.' or '-', no '/' or spaces")},
}
VALUE_RULES["huawei_vrpv8"] = VALUE_RULES["huawei"]


class InventoryFile(_Frozen):
    defaults: dict = {}
    groups: dict[str, dict] = {}
    devices: dict[str, dict]
    pools: dict[str, Pool] = {}


class Inventory(_Frozen):
    folder: str
    devices: dict[str, Device]
    pools: dict[str, Pool]

    @property
    def known_hosts(self) -> Path:
        return Path(self.folder) / "known_hosts"

    def device(self, name: str) -> Device:
        from egovnet.errors import NotFound

        if name not in self.devices:
            raise NotFound(f"device {name!r} is not in the inventory {self.folder}; see 'egovnet device list'")
        return self.devices[name]


def load_inventory(folder: Path) -> Inventory:
    folder = Path(folder)
    path = folder / "inventory.yaml"
    if not path.exists():
        raise InvalidConfig(f"{path}: file not found; set EGOVNET_INVENTORY or --inventory to the inventory folder")
    data, lines, source = read_yaml(path)
    raw = validate(InventoryFile, data, lines, source)
    devices = {}
    for name, given in raw.devices.items():
        given = given or {}
        group = given.get("group")
        if group is not None and group not in raw.groups:
            raise InvalidConfig(f"{source}:{lines.get(('devices', name, 'group'), 1)}: devices.{name}.group: "
                                f"unknown group {group!r}")
        merged = {**raw.defaults, **(raw.groups.get(group) or {}), **{k: v for k, v in given.items() if k != "group"}}
        merged["name"] = name
        for key in merged:
            if key not in FIELDS and key != "name":
                where = ("devices", name, key) if key in given else ("defaults", key) if key in raw.defaults \
                    else ("groups", group, key)
                raise InvalidConfig(f"{source}:{lines.get(where, 1)}: {'.'.join(map(str, where))}: unknown key")
        if not CODE_RE.fullmatch(name):
            raise InvalidConfig(f"{source}:{lines.get(('devices', name), 1)}: devices.{name}: device names must "
                                "match ^[A-Za-z][A-Za-z0-9_-]{0,30}$")
        try:
            dev = Device.model_validate(merged)
        except ValidationError as exc:
            errors = exc.errors(include_url=False)
            for err in errors:
                err["loc"] = ("devices", name) + tuple(err["loc"])
            raise InvalidConfig(describe(errors, lines, source)) from None
        if dev.site not in raw.pools:
            raise InvalidConfig(f"{source}:{lines.get(('devices', name), 1)}: devices.{name}.site: no pool "
                                f"for site {dev.site!r} under pools")
        _check_device_values(dev, given, group, raw, lines, source)
        devices[name] = dev
    _check_pools(raw.pools, lines, source)
    return Inventory(folder=str(folder), devices=devices, pools=raw.pools)


def _origin(name: str, key: str, given: dict, group, raw: InventoryFile) -> tuple:
    """Where a merged device value was written: the device, its group, the defaults (or nowhere: the device)."""
    if key in given:
        return ("devices", name, key)
    if group is not None and key in (raw.groups.get(group) or {}):
        return ("groups", group, key)
    if key in raw.defaults:
        return ("defaults", key)
    return ("devices", name)


def _check_device_values(dev: Device, given: dict, group, raw: InventoryFile, lines: dict, source: str) -> None:
    """Per platform: every value that reaches a device command is one word the platform takes; a port once."""
    from egovnet.yamlfile import dotted, line_of

    rules = VALUE_RULES[dev.platform]

    def refuse(loc: tuple, problem: str, what: str) -> None:
        raise InvalidConfig(f"{source}:{line_of(loc, lines)}: {dotted(loc)}: {problem} (device {dev.name}, "
                            f"{dev.platform}); {what}")

    from egovnet.devices import platforms

    platform = platforms.get(dev.platform)
    for key in ("vrf", "isolation_acl", "nat_acl", "ipsec_policy"):
        value = getattr(dev, key)
        # the isolation ACL's numbers are the platform module's (devices/platforms), as its templates use it
        problem = (platform.check_acl(str(value)) if key == "isolation_acl" else None) or rules[key].problem(value)
        if problem:
            refuse(_origin(dev.name, key, given, group, raw), problem,
                   "correct it in the inventory: it is written into device commands")
    seen: dict[str, int] = {}
    base = _origin(dev.name, "ports", given, group, raw)
    for i, port in enumerate(dev.ports):
        problem = rules["port"].problem(port)
        if problem:
            refuse(base + (i,), problem, "write the port as the device names it")
        key = port.casefold()  # VRP, Comware and IOS read interface names without regard to case
        if key in seen:
            refuse(base + (i,), f"port {port} is listed twice (first as {dotted(base + (seen[key],))})",
                   "list each port of a device once")
        seen[key] = i
        problem = platform.check_port(port)
        if problem:
            refuse(base + (i,), problem, "write the port as the device names it")


def _check_pools(pools: dict[str, Pool], lines: dict, source: str) -> None:
    """Address pools of all sites are disjoint: an overlap would give one subnet to two links."""
    from egovnet.yamlfile import dotted, line_of

    taken: list[tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, tuple]] = []
    for site, pool in pools.items():
        for i, text in enumerate(pool.prefixes):
            net = ipaddress.ip_network(text, strict=True)
            loc = ("pools", site, "prefixes", i)
            for other, other_loc in taken:
                if net.version == other.version and net.overlaps(other):
                    where = f"pool {other_loc[1]}" if other_loc[1] != site else "the same pool"
                    raise InvalidConfig(
                        f"{source}:{line_of(loc, lines)}: {dotted(loc)}: {net} overlaps {other} "
                        f"({dotted(other_loc)}, line {line_of(other_loc, lines)}) of {where}; one subnet would be "
                        "given to two links: make the pools' prefixes disjoint")
            taken.append((net, loc))
