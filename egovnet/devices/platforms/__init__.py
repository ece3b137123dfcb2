"""One module per platform: everything egovnet knows about a kind of device lives in that module.

Services ask the platform (``get(device.platform)``) and never branch on its name: how it is reached
(Netmiko device type), how its config is shown and checked after a push, how a failed push is undone,
how its counters are read, what values it accepts, how it saves. Adding a vendor is adding a module
and its templates (NAPALM's per-driver classes, nornir's connection plugins are the model).
"""

from __future__ import annotations

from egovnet.devices.platforms.base import Platform
from egovnet.devices.platforms.cisco_ios import CiscoIos
from egovnet.devices.platforms.hp_comware import HpComware
from egovnet.devices.platforms.huawei_ce import HuaweiCe
from egovnet.devices.platforms.huawei_vrp import HuaweiVrp
from egovnet.devices.platforms.linux import Linux

# the inventory's `platform:` values
PLATFORMS: dict[str, Platform] = {p.name: p for p in (HuaweiVrp(), HuaweiCe(), HpComware(), CiscoIos(), Linux())}


def get(name: str) -> Platform:
    try:
        return PLATFORMS[name]
    except KeyError:
        from egovnet.errors import InvalidConfig

        raise InvalidConfig(f"unknown platform {name!r}; egovnet knows {', '.join(PLATFORMS)}") from None


__all__ = ["PLATFORMS", "Platform", "get"]
