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
    # value rules: what the device itself would refuse, refused at planning instead (one error line)
    port_re: re.Pattern | None = None      # unit-facing port names this platform has
    port_example: str = ""
    max_vlan_name: int = 0                 # the VLAN's name/description as the template writes it (0: unchecked)
    acl_rule: str = ""                     # what isolation_acl may be, for people: "an advanced ACL 3000-3999 or a name"
    # one port's configuration alone, in the same format as show_config ("" when the platform has no such read);
    # format with port=
    port_config_command: str = ""

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

    def check_acl(self, acl: str) -> str | None:
        """Why ``acl`` cannot be this platform's isolation ACL, or None."""
        return None

    def check_context(self, values: dict, action: str) -> str | None:
        """Why this platform cannot carry out ``action`` with these values, or None (checked before rendering)."""
        return None

    def check_port(self, port: str) -> str | None:
        if self.port_re is not None and not self.port_re.fullmatch(port):
            return f"port {port!r} is not a {self.label} port name (e.g. {self.port_example})"
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

    def verify_commands(self, job) -> list[str] | None:
        """Read-only commands whose answers, joined, show everything ``gaps(..., verifying=True)`` looks at for
        this job, when that is less than the whole running config (a port's own section on a switch with
        thousands of lines); None: verify against ``show_config``."""
        return None

    # ---- counters (devices/counters.py: TextFSM templates checked against real captures) ----
    counter_family: str = ""

    def counters_command(self, port: str) -> str:
        from egovnet.devices import counters

        return counters.command(self.counter_family, port)

    def parse_counters(self, text: str, port: str) -> tuple[int, int]:
        """(bytes in, bytes out) of one port from the device's answer; DeviceError if the answer has none."""
        from egovnet.devices import counters

        return counters.read(self.counter_family, text, port or None)

    # ---- preconditions (Art. 3) ----
    def precheck_commands(self, device) -> list[str]:
        """Read-only commands whose answers ``preconditions`` needs beside the running config."""
        return []

    def preconditions(self, running: str, device, shown: dict[str, str] | None = None) -> list[str]:
        """What the device lacks for a unit's link to be isolated (its VPN instance, its isolation ACL with
        rules...), one phrase each; empty when it is ready. ``shown``: answers to ``precheck_commands``."""
        raise NotImplementedError

    def privilege(self, driver) -> list[str]:
        """Whether the session may change the configuration, checked without changing anything."""
        try:
            driver.enter_config_and_leave()
        except Exception as exc:  # the driver's error names the device and the step
            return [f"{exc}; give egovnet's login the right to configure this device"]
        return []


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

    def undo_key(self, line: str) -> str:
        """What follows the negation word to remove ``line`` ('qos lr outbound cir 50000' -> 'qos lr outbound')."""
        return configtree.key(line)

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

    def verify_commands(self, job) -> list[str] | None:
        """A job that touches only physical ports' sections (shut, reopen, a port's rate) is verified on those
        sections alone: ``missing`` and ``leftover`` look at no other section, and a physical port always
        exists, so its section is shown even when empty. Anything else (a VLAN, a VLAN interface that may be
        gone, a top-level line) is verified on the whole config."""
        if not self.port_config_command or self.port_re is None:
            return None
        ports: list[str] = []
        for section, line, negated in configtree.sections_touched(job.commands, self):
            header = section or line
            if section is None and negated:
                return None
            port = header[len("interface "):] if header.startswith("interface ") else ""
            if not port or not self.port_re.fullmatch(port):
                return None
            if port not in ports:
                ports.append(port)
        return [self.port_config_command.format(port=p) for p in ports] or None

    _NAME = re.compile(r"[A-Za-z][A-Za-z0-9_.-]{0,62}")

    @staticmethod
    def _numbered(acl: str, ranges, names: bool, rule: str, label: str) -> str | None:
        if acl.isdigit():
            if any(lo <= int(acl) <= hi for lo, hi in ranges):
                return None
        elif names and ConfigTreePlatform._NAME.fullmatch(acl):
            return None
        return f"isolation ACL {acl!r} is not usable on {label}: it must be {rule}"


# ---- preconditions (Art. 3): what must be on a device before egovnet builds a unit's link on it ----

def find_section(tree: dict[str, list[str]], *headers: str) -> tuple[str, list[str]] | None:
    """The first of ``headers`` the config shows, with its lines (nested lines flattened), or None."""
    for header in headers:
        if header in tree:
            return header, [line.strip() for line in tree[header]]
    return None


def acl_problems(found: tuple[str, list[str]] | None, acl: str, create: str, rule_words: tuple[str, ...],
                 default_permit: bool = False) -> list[str]:
    """The isolation ACL must exist and hold at least one rule: an interface filter that references an ACL
    with no rules lets every packet through (see the vendor notes beside each platform's check). Where a packet
    that matches no rule passes (``default_permit``: Huawei traffic-filter, H3C packet-filter), an ACL of
    permit rules only isolates nothing either, so it needs a deny rule."""
    if found is None:
        return [f"isolation ACL {acl} is not configured (no '{create}' in the running config)"]
    header, lines = found
    # a rule may carry its sequence number first (IOS XE: '10 permit ip any ...'); remarks are not rules
    rules = [line.split() for line in lines if line.split()]
    rules = [tokens for tokens in rules
             if tokens[1 if tokens[0].isdigit() and len(tokens) > 1 else 0] in rule_words]
    if not rules:
        return [f"isolation ACL {acl} has no rules ('{header}' is empty, and an ACL without rules lets every "
                "packet pass)"]
    if default_permit and not any("deny" in tokens for tokens in rules):
        return [f"isolation ACL {acl} has no deny rule ('{header}' only permits, and packets that match no rule "
                "pass, so it isolates nothing)"]
    return []
