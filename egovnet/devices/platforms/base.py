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
            "bandwidth": "bandwidth", "disconnect": "reconnect", "reconnect": "disconnect"}


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
    # Art. 23 on a shared link (Art. 14): whether the device can cut one unit off and leave the others on. A
    # shared link is one port, one VLAN and one subnet, and egovnet records no unit's own addresses or port in
    # it, so no platform has a part of its own per unit: the disconnect cuts the whole link and says so.
    cuts_one_unit_of_shared_link: bool = False
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

    # ---- drift (Art. 22): the running config against the intended state ----
    def drift(self, running: str, links: list[dict], device, baseline: str | None) -> list[dict]:
        """What differs from the intended state on the parts egovnet owns. ``links``: per active link
        ``{"link": id, "commands": [...], "rate_commands": [...], "context": {...}}`` (the templates that built
        it, in order); ``baseline``: an earlier config whose isolation sections were right (or None).
        Each finding: object, link, kind, intended, actual, articles, and ``fix`` (what ``repair`` needs)."""
        return []

    def repair(self, running: str, findings: list[dict], links: list[dict]) -> list[str]:
        """Commands that bring the device back to the intended state for these findings."""
        return []

    def unsaved(self, running: str, saved: str) -> list[str]:
        """The parts where the running config differs from the saved one (empty: saved)."""
        return [] if self.same(running, saved) else ["configuration"]
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

    # lines a device shows under one it accepted, which no command typed (IOS: a policer's default actions)
    shown_defaults: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # sections that hold the isolation (Art. 3): the VPN instance and the isolation ACL, by header prefix
    isolation_prefixes = ("acl ", "ip access-list ", "ip vpn-instance ", "vrf ")

    def desired(self, commands: list[str], context: dict) -> dict[str, list[str]]:
        """The sections and lines a link's templates leave, as the device displays them."""
        want = configtree.apply(commands, self)
        for header, lines in want.items():
            out = []
            for line in lines:
                out.append(line)
                depth = len(line) - len(line.lstrip(" "))
                for regex, extra in self.shown_defaults:
                    if re.fullmatch(regex, line.strip()):
                        out += [" " * (depth + 1) + e for e in extra]
            want[header] = out
        return want

    def unsaved(self, running: str, saved: str) -> list[str]:
        a, b = self.tree(running), self.tree(saved)
        return [h for h in list(a) + [h for h in b if h not in a] if sorted(a.get(h, [])) != sorted(b.get(h, []))
                or (h in a) != (h in b)]

    def drift(self, running: str, links: list[dict], device, baseline: str | None) -> list[dict]:
        have = self.tree(running)
        findings: list[dict] = []
        owned: set[str] = set()
        vlan_keys: dict[str, tuple[int, str]] = {}   # 'port default vlan 101' -> (link, vlan) of the unit VLANs
        for link in links:
            want = self.desired(link["commands"], link["context"])
            rate_keys = {configtree.key(l.strip()) for lines in configtree.intended(link.get("rate_commands", []),
                                                                                   self).values() for l in lines}
            vlan = str(link["context"].get("vlan"))
            for header, lines in want.items():
                owned.add(header)
                for line in lines:
                    if vlan in line.split() and header.startswith("interface "):
                        vlan_keys[line.strip()] = (link["link"], vlan)
                if header not in have:
                    findings.append(_finding(header, link["link"], "missing_section", header, None, [22],
                                             {"section": header, "add": lines, "whole": True, "order": lines}))
                    continue
                findings += _compare(self, header, lines, have[header], link["link"], [22], rate_keys)
        # a port of no link (free, or outside the pool) carrying a unit's VLAN joins that unit's network (Art. 3)
        for header, lines in have.items():
            if not header.startswith("interface ") or header in owned:
                continue
            for line in lines:
                hit = vlan_keys.get(line.strip())
                if hit:
                    findings.append(_finding(header, hit[0], "foreign_port_in_unit_vlan", None, line.strip(), [3, 22],
                                             {"section": header, "remove": line, "order": lines}))
        # the VPN instance and the isolation ACL against the last config in which they were right
        if baseline:
            before = self.tree(baseline)
            names = {device.isolation_acl, device.vrf} - {None, ""}
            for header in list(before) + [h for h in have if h not in before]:
                if not header.startswith(self.isolation_prefixes) or not names & set(header.split()):
                    continue
                acl = header.startswith(("acl ", "ip access-list "))
                kinds = ("acl_rule_removed", "acl_rule_added", "acl_rule_changed") if acl else None
                if header not in have:
                    findings.append(_finding(header, None, "missing_section", header, None, [3, 19, 22],
                                             {"section": header, "add": before[header], "whole": True,
                                              "order": before[header]}))
                    continue
                findings += _compare(self, header, before.get(header, []), have[header], None, [3, 19, 22], set(),
                                     kinds)
        return findings

    def repair(self, running: str, findings: list[dict], links: list[dict]) -> list[str]:
        have = self.tree(running)
        blocks: dict[str, dict] = {}
        for f in findings:
            fix = f.get("fix")
            if not fix:
                continue
            block = blocks.setdefault(fix["section"], {"whole": False, "add": [], "remove": [], "order": [],
                                                       "have": have.get(fix["section"], [])})
            block["whole"] |= bool(fix.get("whole"))
            block["add"] += [l for l in fix.get("add", []) if l not in block["add"]]
            if fix.get("remove") and fix["remove"] not in block["remove"]:
                block["remove"].append(fix["remove"])
            block["order"] = block["order"] or fix.get("order", [])
        out: list[str] = []
        for header, b in blocks.items():
            if not header.startswith(configtree.SECTION_PREFIXES) and not b["add"] and b["whole"]:
                out.append(header)   # a top-level line (VRPv8 `qos car NAME cir ...`)
                continue
            body = []
            for line in b["remove"]:
                depth = len(line) - len(line.lstrip(" "))
                body += [f" {p}" for p in configtree.with_parents([line], b["have"])[:-1]]
                body.append(f" {' ' * depth}{self.negate} {self.undo_key(line.strip())}")
            body += [f" {l}" for l in configtree.with_parents(b["add"], b["order"] or b["add"])]
            out += [header, *body, self.up]
        return out
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


# ---- drift (Art. 22) ----

def _finding(obj: str, link, kind: str, intended, actual, articles, fix) -> dict:
    return {"object": obj, "link": link, "kind": kind, "intended": intended, "actual": actual,
            "articles": sorted(articles), "fix": fix}


def _compare(platform, header: str, want: list[str], have: list[str], link, articles, rate_keys,
             kinds: tuple[str, str, str] | None = None) -> list[dict]:
    """One section: the intended lines it lacks, the lines egovnet did not put there, and the lines of one key
    whose value changed (a hand-set rate, a changed description), each a finding."""
    missing_kind, extra_kind, changed_kind = kinds or ("missing_line", "unexpected_line", None)
    lacking = [l for l in want if l not in have]
    extra = [l for l in have if l not in want]
    out = []
    for line in lacking:
        k = configtree.key(line.strip())
        partner = next((e for e in extra if configtree.key(e.strip()) == k and k != "ip address"
                        and len(e) - len(e.lstrip()) == len(line) - len(line.lstrip())), None)
        if partner is not None:
            extra.remove(partner)
            kind = changed_kind or ("changed_description" if k in ("description", "name") else
                                    "changed_rate" if k in rate_keys else "changed_line")
            out.append(_finding(header, link, kind, line.strip(), partner.strip(), articles,
                                {"section": header, "add": [line], "order": want}))
        else:
            out.append(_finding(header, link, missing_kind, line.strip(), None, articles,
                                {"section": header, "add": [line], "order": want}))
    for line in extra:
        kind = "extra_address" if configtree.key(line.strip()) == "ip address" and not kinds else extra_kind
        out.append(_finding(header, link, kind, None, line.strip(), articles,
                            {"section": header, "remove": line, "order": want}))
    return out
