"""The platform protocol, and the shared base of the platforms whose config is a tree of sections.

A platform is a small stateless object; services receive it from ``platforms.get(name)``. Everything
that differs between vendors is an attribute or a method here, overridden in the vendor's module.
"""

from __future__ import annotations

import re
from typing import Callable

from egovnet.devices import configtree

Render = Callable[[str, dict], list[str]]  # (template action, context) -> commands, already safety-checked

# the template that undoes each action, for platforms that undo by template rather than from the config tree
OPPOSITE = {"open": "close", "close": "open", "shutdown": "no_shutdown", "no_shutdown": "shutdown",
            "bandwidth": "bandwidth"}


class Platform:
    """What every platform answers. Class attributes are data; methods are the platform's behaviour."""

    name: str = ""                 # the inventory's `platform:` value
    label: str = ""                # for people: "Huawei VRP (S-series)"
    netmiko_type: str = ""         # Netmiko's device_type
    templates: tuple[str, ...] = ()  # template folders, first wins (operator copies under inventory/templates/ win)
    show_config: str = ""
    saved_config_command: str = ""   # shows the config the device boots with; "" when it keeps none
    error_pattern: str = ""        # matches the device's whole error line, so the journal can quote it
    config_mode: bool = True       # commands are sent in a configuration mode
    candidate: bool = False        # two-stage config: changes wait for `commit`
    needs_enable: bool = False     # privileged mode before anything else
    saves: bool = True             # running config must be saved to survive a reboot
    step_by_step: frozenset[str] = frozenset()  # actions whose steps are sent one by one (each may fail alone)
    max_line: int = 254
    max_description: int = 200
    max_name: int = 31             # VPN instance, ACL, policy names
    value_re: re.Pattern | None = None    # what a single value may look like (None: printable ASCII)
    command_re: re.Pattern | None = None  # what a rendered command may look like
    counters_template: str = ""    # the command that shows one port's counters, format with port=

    # ---- session ----
    def netmiko_params(self, device) -> dict:
        """Extra Netmiko connection parameters for this platform."""
        return {}

    # ---- values ----
    def check_value(self, name: str, text: str, command: bool = False) -> str | None:
        """Why this value may not reach the device, or None. (Printable ASCII and length are checked by safety.)"""
        pattern = self.command_re if command else self.value_re
        if pattern is not None and not pattern.fullmatch(text):
            return f"value {name} has spaces or shell metacharacters; refused for a {self.label} device"
        return None

    # ---- verification and rollback ----
    def gaps(self, running: str, job, verifying: bool = False) -> list[str]:
        """What the device does not show yet of what the job means to leave there (empty: nothing to do)."""
        raise NotImplementedError

    def undo(self, before: str, current: str, job, render: Render) -> list[str]:
        """Commands that take the device from ``current`` back to ``before`` for what the job touched."""
        raise NotImplementedError

    def same(self, a: str, b: str) -> bool:
        """Whether two config displays show the same configuration (in the device's own order)."""
        raise NotImplementedError

    # ---- counters ----
    def counters_command(self, port: str) -> str:
        return self.counters_template.format(port=port)

    def parse_counters(self, text: str, port: str) -> tuple[int, int]:
        """(bytes in, bytes out) of one port from the device's answer; raises if the answer has none."""
        raise NotImplementedError


class ConfigTreePlatform(Platform):
    """VRP, Comware, IOS: sections are a header line followed by lines indented by one space.

    A push is verified by parsing the running config into sections and checking the commands' lines are
    there (and what they negate is gone); it is undone by the inverse computed against the backup.
    """

    negate: str = "no"
    up: str = "exit"

    def normalise(self, tree: dict[str, list[str]]) -> dict[str, list[str]]:
        """The device's display brought to the form egovnet's commands are written in (defaults it adds)."""
        return tree

    def tree(self, text: str) -> dict[str, list[str]]:
        return self.normalise(configtree.parse(text))

    def gaps(self, running: str, job, verifying: bool = False) -> list[str]:
        tree = self.tree(running)
        return configtree.missing(tree, configtree.intended(job.commands, self)) + \
            configtree.leftover(tree, job.commands, self)

    def undo(self, before: str, current: str, job, render: Render) -> list[str]:
        if self.same(current, before):
            return []
        return configtree.inverse(self.tree(before), job.commands, self)

    def same(self, a: str, b: str) -> bool:
        return configtree.same(self.tree(a), self.tree(b))

    def parse_counters(self, text: str, port: str) -> tuple[int, int]:
        m_in, m_out = re.search(self.bytes_in_re, text), re.search(self.bytes_out_re, text)
        if m_in and m_out:
            return int(m_in.group(1)), int(m_out.group(1))
        from egovnet.errors import EgovnetError

        raise EgovnetError(f"cannot read the byte counters from the device's answer: {text.strip()[:120]!r}")

    bytes_in_re: str = ""
    bytes_out_re: str = ""
