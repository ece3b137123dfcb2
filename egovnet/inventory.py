"""inventory/: devices, groups and defaults (nornir-style), address and VLAN pools, known_hosts.

    inventory/inventory.yaml   defaults, groups, devices, pools
    inventory/known_hosts      host keys, checked strictly ([host]:port entries)
    inventory/templates/<platform>/<action>.j2   optional operator overrides
"""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from egovnet.errors import InvalidConfig
from egovnet.validation import CODE_RE
from egovnet.yamlfile import describe, dotted, read_yaml, validate

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
        out = []
        for part in self.vlans.split(","):
            lo, _, hi = part.strip().partition("-")
            out.extend(range(int(lo), int(hi or lo) + 1))
        return out


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
        _platform_values(dev, given, raw, group, lines, source)
        if dev.site not in raw.pools:
            raise InvalidConfig(f"{source}:{lines.get(('devices', name), 1)}: devices.{name}.site: no pool "
                                f"for site {dev.site!r} under pools")
        devices[name] = dev
    return Inventory(folder=str(folder), devices=devices, pools=raw.pools)


def _platform_values(dev: Device, given: dict, raw: InventoryFile, group, lines, source) -> None:
    """The device's own platform rules on its isolation ACL and port names, with the file and line."""
    from egovnet.devices import platforms

    p = platforms.get(dev.platform)

    def where(key: str, index: int | None = None):
        loc = ("devices", dev.name, key) if key in given else ("groups", group, key) \
            if key in (raw.groups.get(group) or {}) else ("defaults", key)
        full = loc + ((index,) if index is not None else ())
        line = lines.get(full, lines.get(loc, lines.get(("devices", dev.name), 1)))
        return f"{source}:{line}: {dotted(full)}"

    problem = p.check_acl(dev.isolation_acl)
    if problem:
        raise InvalidConfig(f"{where('isolation_acl')}: {problem} (device {dev.name}, platform {dev.platform})")
    for i, port in enumerate(dev.ports):
        problem = p.check_port(port)
        if problem:
            raise InvalidConfig(f"{where('ports', i)}: {problem} (device {dev.name})")
