"""Nothing a person typed reaches a device unchecked.

Every value is checked before rendering, every rendered command again after it: printable ASCII,
one line, no '?' (context help) or Tab (completion), within the platform's length.
"""

from __future__ import annotations

import re

from egovnet.devices import platforms
from egovnet.errors import InvalidInput

NAME_KEYS = {"vrf", "acl", "nat_acl", "ipsec_policy", "qos_policy", "port"}
_PRINTABLE = re.compile(r"[\x20-\x7e]*")


def _describe(ch: str) -> str:
    return f"U+{ord(ch):04X}"


def check_value(name: str, value, platform: str, max_len: int | None = None, command: bool = False) -> str:
    text = str(value)
    for ch in text:
        if ch == "?":
            raise InvalidInput(f"value {name} contains '?', which opens context help on the device; refused")
        if not _PRINTABLE.fullmatch(ch):
            raise InvalidInput(f"value {name} contains {_describe(ch)}: only printable ASCII on one line may "
                               "reach a device; refused before any SSH session opened")
    p = platforms.get(platform)
    limit = max_len or p.max_line
    if len(text) > limit:
        raise InvalidInput(f"value {name} is {len(text)} characters long; {platform} takes at most {limit}")
    problem = p.check_value(name, text, command)
    if problem:
        raise InvalidInput(problem)
    return text


def check_context(values: dict, platform: str, action: str = "open") -> None:
    """Check every leaf of a rendering context, then the platform's own rules for the action."""
    def walk(prefix, value):
        if isinstance(value, dict):
            for k, v in value.items():
                walk(f"{prefix}.{k}" if prefix else str(k), v)
        elif isinstance(value, (list, tuple)):
            for i, v in enumerate(value):
                walk(f"{prefix}[{i}]", v)
        elif value is not None and not isinstance(value, bool):
            p = platforms.get(platform)
            limit = p.max_description if prefix.endswith("description") else \
                p.max_name if prefix in NAME_KEYS else None
            check_value(prefix, value, platform, limit)
    walk("", values)
    _platform_rules(values, platforms.get(platform), action)


def _platform_rules(values: dict, p, action: str) -> None:
    """What the device would refuse, refused before any session opens: its port names, its isolation ACL
    numbers, and (when a link is built) the length of its VLAN's name: the link's description is the VLAN's
    name or description; shutting or removing a link does not name the VLAN."""
    problem = p.check_context(values, action)
    if problem:
        raise InvalidInput(problem)
    port, acl, description = values.get("port"), values.get("acl"), values.get("description")
    if port is not None:
        problem = p.check_port(str(port))
        if problem:
            raise InvalidInput(f"{problem}; fix the device's ports in the inventory")
    if acl is not None:
        problem = p.check_acl(str(acl))
        if problem:
            raise InvalidInput(f"{problem}; fix isolation_acl in the inventory")
    if action == "open" and description is not None and p.max_vlan_name and len(str(description)) > p.max_vlan_name:
        where = f" on device {values['device']}" if values.get("device") else ""
        raise InvalidInput(f"VLAN name {description!r} is {len(str(description))} characters long; a {p.label} "
                           f"VLAN{where} takes at most {p.max_vlan_name}; give the unit a shorter code")


def check_commands(commands: list[str], platform: str) -> list[str]:
    for i, cmd in enumerate(commands, 1):
        check_value(f"rendered command {i}", cmd, platform, command=True)
    return commands
