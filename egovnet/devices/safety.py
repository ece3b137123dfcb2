"""Nothing a person typed reaches a device unchecked.

Every value is checked before rendering, every rendered command again after it: printable ASCII,
one line, no '?' (context help) or Tab (completion), within the platform's length.
"""

from __future__ import annotations

import re

from egovnet.errors import InvalidInput

MAX_LINE = {"huawei": 510, "huawei_vrpv8": 510, "hp_comware": 510, "cisco_ios": 254, "linux": 1000}
MAX_DESCRIPTION = {"huawei": 242, "huawei_vrpv8": 242, "hp_comware": 255, "cisco_ios": 200, "linux": 64}
MAX_NAME = 31  # VPN instance, ACL, policy names on VRP, Comware and IOS
NAME_KEYS = {"vrf", "acl", "nat_acl", "ipsec_policy", "qos_policy", "port"}
_PRINTABLE = re.compile(r"[\x20-\x7e]*")
# Linux commands go through a shell: a value is one word with no quoting or separator characters; the
# quoting, braces and '!=' of the nft syntax may come from a template only.
_LINUX_VALUE = re.compile(r"[A-Za-z0-9._:/,@=+\-]*")
_LINUX_COMMAND = re.compile(r"[A-Za-z0-9 ._:/,@=+\-{}\"';!]*")


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
    limit = max_len or MAX_LINE.get(platform, 254)
    if len(text) > limit:
        raise InvalidInput(f"value {name} is {len(text)} characters long; {platform} takes at most {limit}")
    if platform == "linux" and not (_LINUX_COMMAND if command else _LINUX_VALUE).fullmatch(text):
        raise InvalidInput(f"value {name} has spaces or shell metacharacters; refused for a Linux device")
    return text


def check_context(values: dict, platform: str) -> None:
    """Check every leaf of a rendering context."""
    def walk(prefix, value):
        if isinstance(value, dict):
            for k, v in value.items():
                walk(f"{prefix}.{k}" if prefix else str(k), v)
        elif isinstance(value, (list, tuple)):
            for i, v in enumerate(value):
                walk(f"{prefix}[{i}]", v)
        elif value is not None and not isinstance(value, bool):
            limit = MAX_DESCRIPTION.get(platform) if prefix.endswith("description") else \
                MAX_NAME if prefix in NAME_KEYS else None
            check_value(prefix, value, platform, limit)
    walk("", values)


def check_commands(commands: list[str], platform: str) -> list[str]:
    for i, cmd in enumerate(commands, 1):
        check_value(f"rendered command {i}", cmd, platform, command=True)
    return commands
