"""One emulated device: running and saved config as a tree of views, counters, and a CLI state machine.

Pure Python, no I/O: ``CliSession.line(text)`` returns what the device prints. The SSH server in
``server.py`` feeds it keystrokes; tests assert on ``Device.running_text()``, ``saved`` and ``history``.
"""

from __future__ import annotations

import copy
import math
import re
import threading
from dataclasses import dataclass, field

from egovnet.devices.configtree import key as _key
from egovnet.lab.dialects import DIALECTS, Dialect, initial_sections, matches, out_of_range
from egovnet.lab.display import render as render_interface


class Node:
    __slots__ = ("line", "children")

    def __init__(self, line: str, children: list | None = None):
        self.line = line
        self.children: list[Node] = children or []

    def find(self, line: str) -> "Node | None":
        for child in self.children:
            if child.line == line:
                return child
        return None

    def lines(self, depth: int = 0) -> list[str]:
        out = []
        for child in self.children:
            out.append(" " * depth + child.line)
            out.extend(child.lines(depth + 1))
        return out


@dataclass
class Faults:
    latency: float = 0.0          # seconds before each reply
    wrong_password: bool = False  # refuse every login
    error_on: str | None = None   # regex: that command gets the vendor's error text
    error_once: bool = False      # ... the first time only (a transient refusal; the rollback's own lines pass)
    hang_on: str | None = None    # regex: that command never answers
    drop_on: str | None = None    # regex: the session is dropped on that command


@dataclass
class Device:
    name: str
    platform: str
    ports: tuple[str, ...] = ("GigabitEthernet0/0/1", "GigabitEthernet0/0/2", "GigabitEthernet0/0/3",
                              "GigabitEthernet0/0/4")
    username: str = "netops"
    password: str = "lab-password"
    secret: str = "lab-secret"
    faults: Faults = field(default_factory=Faults)
    history: list = field(default_factory=list)
    counters: dict = field(default_factory=dict)
    # the extranet's VPN instance and isolation ACL, as the inventory names them: every device starts with
    # both configured (a test removes them through the device's CLI to see egovnet refuse the device)
    vrf: str | None = "EGOV"
    isolation_acl: str | None = None   # None: the dialect's (3999; a name on IOS, where 3999 is no ACL number)
    core_prefix: str = "10.0.0.0/8"
    vtp_mode: str = "server"        # Catalyst: server (as shipped) keeps VLANs in vlan.dat, out of the running config

    def __post_init__(self):
        self.dialect: Dialect = DIALECTS[self.platform]
        self.lock = threading.RLock()
        self.running = Node("")
        self.running.children.append(Node(("hostname " if self.platform == "cisco_ios" else "sysname ") + self.name))
        if self.isolation_acl is None:
            self.isolation_acl = self.dialect.isolation_acl
        self.running.children.extend(initial_sections(self.dialect, self.vrf, self.isolation_acl, self.core_prefix))
        for port in self.ports:
            self.running.children.append(Node(f"interface {port}"))
            self.counters.setdefault(port, {"in_octets": 0, "out_octets": 0, "in_packets": 0, "out_packets": 0})
        self.saved = self.running_text()
        self._session_ids = 0

    def new_session_id(self) -> int:
        with self.lock:
            self._session_ids += 1
            return self._session_ids

    # ---- views the tests use ----
    def running_lines(self) -> list[str]:
        with self.lock:
            return self.running.lines()

    def running_text(self) -> str:
        return render_config(self.dialect, self.running, self.hides_vlans)

    @property
    def hides_vlans(self) -> bool:
        return self.dialect.vtp and self.vtp_mode in ("server", "client")

    def section(self, header: str) -> list[str] | None:
        with self.lock:
            node = self.running.find(header)
            return None if node is None else node.lines()

    def commands(self) -> list[str]:
        return [entry[2] for entry in self.history]


def render_config(dialect: Dialect, root: Node, hide_vlans: bool = False) -> str:
    sep = dialect.comment
    out = [f"{sep}"]
    if dialect.platform == "cisco_ios":
        out = ["Building configuration...", "", "Current configuration : 1024 bytes", sep]
    for child in root.children:
        if hide_vlans and re.fullmatch(r"vlan \d+", child.line):
            continue  # VTP server/client: the VLAN lives in vlan.dat (Catalyst configuration guide, VTP chapter)
        out.append(child.line)
        out.extend(child.lines(1))
        out.append(sep)
    out.append("end" if dialect.platform == "cisco_ios" else "return")
    return "\n".join(out)


class Closed(Exception):
    """The session ends (quit at user level, or a dropped session)."""


class Hang(Exception):
    """The device stops answering."""


class CliSession:
    def __init__(self, device: Device):
        self.dev = device
        self.d = device.dialect
        self.sid = device.new_session_id()
        self.mode = "user"          # user | enable | config
        self.path: list[str] = []   # headers of the views entered below config mode
        self.candidate: Node | None = None
        self.pending: str | None = None   # a question waiting for its answer

    # ---- prompt ----
    def prompt(self) -> str:
        name = self.dev.name
        if self.mode == "user":
            return self.d.user_prompt.format(name=name)
        if self.mode == "enable":
            return f"{name}#"
        view = ""
        if self.path:
            label_re, label = self._view_label(self.path[-1])
            view = label
        mark = "*" if (self.d.candidate and self.candidate is not None) else "~"
        return self.d.config_prompt.format(name=name, view=view, mark=mark)

    def _view_label(self, header: str) -> tuple[str, str]:
        for regex, label, _kind in self.d.views:
            m = re.fullmatch(regex, header)
            if m:
                return regex, label.format(*m.groups())
        return "", ""

    def _kind(self, header: str) -> str:
        for regex, _label, kind in self.d.views:
            if re.fullmatch(regex, header):
                return kind
        return ""

    def greeting(self) -> str:
        # no '>' or ']' before the first prompt: Netmiko's login reads stop there
        return "\r\nInfo: egovnet device lab, emulated " + self.d.platform + " device " + self.dev.name + "\r\n\r\n" + self.prompt()

    # ---- one line of input ----
    def line(self, raw: str) -> str:
        """Return everything the device prints after the line (ending with the next prompt)."""
        text = " ".join(raw.split())
        with self.dev.lock:
            self.dev.history.append((self.sid, self.prompt(), text if self.echo else "<hidden>"))
        faults = self.dev.faults
        if self.pending:
            return self._answer(raw.strip("\r\n") if self.pending == "enable" else text)
        if text and faults.drop_on and re.search(faults.drop_on, text):
            raise Closed()
        if text and faults.hang_on and re.search(faults.hang_on, text):
            raise Hang()
        if not text:
            return self.prompt()
        if faults.error_on and re.search(faults.error_on, text):
            if faults.error_once:
                faults.error_on = None
            return self._err("param")
        try:
            with self.dev.lock:
                out = self._dispatch(text)
        except _Ask as question:
            return str(question)
        return (out + "\r\n" if out else "") + self.prompt()

    @property
    def echo(self) -> bool:
        """Passwords typed at a device prompt are not echoed."""
        return self.pending != "enable"

    def _err(self, kind: str) -> str:
        return self.d.errors[kind] + "\r\n" + self.prompt()

    def _answer(self, text: str) -> str:
        question, self.pending = self.pending, None

        yes = text.lower() in ("y", "yes")
        if question == "save":
            if yes:
                with self.dev.lock:
                    self.dev.saved = self.dev.running_text()
                return "Info: Save the configuration successfully.\r\n" + self.prompt()
            return self.prompt()
        if question == "enable":
            if text == self.dev.secret:
                self.mode = "enable"
            else:
                return "% Access denied\r\n" + self.prompt()
            return self.prompt()
        if question == "v8-return":
            low = text.lower()
            if low in ("y", "yes"):
                self._commit()
            elif low in ("c", "cancel"):
                return self.prompt()
            self.candidate = None
            self.mode, self.path = "user", []
            return self.prompt()
        return self.prompt()

    def _tree(self) -> Node:
        if self.d.candidate:
            if self.candidate is None:
                self.candidate = copy.deepcopy(self.dev.running)
            return self.candidate
        return self.dev.running

    def _view_node(self, tree: Node) -> Node:
        node = tree
        for header in self.path:
            nxt = node.find(header)
            if nxt is None:  # removed while we were inside it
                nxt = Node(header)
                node.children.append(nxt)
            node = nxt
        return node

    def _commit(self) -> None:
        if self.candidate is not None:
            self.dev.running = self.candidate
            self.candidate = None

    def _show(self, text: str) -> str | None:
        d = self.d
        if text in d.show_config or (d.platform == "cisco_ios" and text.startswith("do ") and text[3:] in d.show_config):
            return self.dev.running_text().replace("\n", "\r\n")
        if text in d.show_saved or (d.platform == "cisco_ios" and text.startswith("do ") and text[3:] in d.show_saved):
            saved = self.dev.saved
            if d.platform == "cisco_ios":  # startup-config has no "Building configuration" header of its own
                body = saved.split("\n", 3)[3] if saved.startswith("Building configuration") else saved
                saved = f"Using {len(body)} out of 262136 bytes\n{body}"
            return saved.replace("\n", "\r\n")
        asked = text[3:] if d.platform == "cisco_ios" and text.startswith("do ") else text
        shown = next((c for c in d.show_config if asked.startswith(c + " interface ")), None)
        if shown:
            # one interface's section alone, framed as the whole display is ('display current-configuration
            # interface GigabitEthernet0/0/1', 'show running-config interface GigabitEthernet0/1'); an interface
            # the device does not have is a wrong parameter
            node = self.dev.running.find("interface " + asked[len(shown) + len(" interface "):])
            if node is None:
                return d.errors["param"]
            return render_config(d, Node("", [node])).replace("\n", "\r\n")
        m = re.fullmatch(d.show_interface, text)
        if m:
            port = m.group(1)
            c = self.dev.counters.get(port)
            if c is None:
                return d.errors["param"]
            node = self.dev.running.find(f"interface {port}")
            return render_interface(d.platform, port, c, node).replace("\n", "\r\n")
        if text in ("display version", "show version"):
            return f"egovnet device lab {d.platform} {self.dev.name}"
        return None

    def _dispatch(self, text: str) -> str | None:
        d = self.d
        shown = self._show(text) if (self.mode != "config" or d.platform != "cisco_ios" or text.startswith("do ")) else None
        if shown is not None:
            return shown
        if text in d.paging:
            return d.paging_reply
        if self.mode in ("user", "enable"):
            return self._exec(text)
        return self._config(text)

    def _exec(self, text: str) -> str | None:
        d = self.d
        if d.enable_secret and self.mode == "user":
            if text == "enable":
                self._ask("enable", "Password: ")
            if text in ("exit", "quit", "logout"):
                raise Closed()
            return d.errors["unknown"]
        if text == d.enter_config:
            self.mode = "config"
            return "Enter system view, return user view with Ctrl+Z." if d.platform != "cisco_ios" else \
                "Enter configuration commands, one per line.  End with CNTL/Z."
        if text == d.save or (d.platform == "cisco_ios" and text in ("write memory", "copy running-config startup-config")):
            return self._save()
        if text in ("quit", "exit", "logout"):
            raise Closed()
        return d.errors["unknown"]

    def _ask(self, question: str, text: str) -> None:
        self.pending = question
        raise _Ask(text)

    def _save(self) -> str | None:
        d = self.d
        if d.platform == "huawei" or d.platform == "huawei_vrpv8":
            self._ask("save", "The current configuration will be written to the device.\r\nAre you sure to continue?[Y/N]:")
        self.dev.saved = self.dev.running_text()
        if d.platform == "hp_comware":
            return "Validating file. Please wait...\r\nSaved the current configuration to mainboard device successfully."
        return "Building configuration...\r\n[OK]"

    def _config(self, text: str) -> str | None:
        d = self.d
        if d.platform != "cisco_ios" and text == d.save:
            return self._save()
        if text == "commit" and d.candidate:
            self._commit()
            return ""
        if text == d.up:
            if self.path:
                self.path.pop()
            else:
                return self._leave_config()
            return ""
        if text in d.top:
            return self._leave_config()
        if text == "clear configuration candidate" and d.candidate:
            self.candidate = None
            return ""
        negate = d.negate + " "
        bare = text[len(negate):] if text.startswith(negate) else text
        nested = self.path and re.fullmatch(r"class \S+", bare) and self.path[-1].startswith("policy-map")
        if self.path and not nested and (self._opener(bare) or (
                not self._valid(bare, at_top=False) and self._valid(bare, at_top=True))):
            self.path = []  # a top-level command typed in a view goes back to the top, as on the devices
        tree = self._tree()
        node = self._view_node(tree)
        if text.startswith(negate):
            rest = text[len(negate):]
            if matches(d.incomplete_negations, rest):
                return d.errors["incomplete"]
            target = node.find(rest)
            if target is not None and self._opener(rest):
                if rest.startswith("interface ") and rest[len("interface "):] in self.dev.ports:
                    return d.errors["param"]
                node.children.remove(target)
                return ""
            node.children = [c for c in node.children if not (c.line == rest or c.line.startswith(rest + " ") or any(
                re.fullmatch(line_re, c.line) and rest == removes for line_re, removes in d.undo_forms))]
            return ""  # undoing what is not there is accepted quietly
        if self._opener(text):
            if out_of_range(d, text):
                return d.errors["param"]
            if d.vtp and self.dev.vtp_mode == "client" and re.fullmatch(r"vlan \d+", text):
                return d.errors["vtp_client"]
            if text.startswith("interface "):
                port = text[len("interface "):]
                if self._kind(text) != "vlanif" and (not re.fullmatch(d.port_re, port) or port not in self.dev.ports):
                    return d.errors["param"]
                self.dev.counters.setdefault(port, {"in_octets": 0, "out_octets": 0, "in_packets": 0, "out_packets": 0})
            if node.find(text) is None:
                node.children.append(Node(text))
            self.path.append(text)
            return ""
        if self.path and self._kind(self.path[-1]) == "class" and re.fullmatch(r"(conform|exceed|violate)-action \S+", text):
            police = next((c for c in reversed(node.children) if c.line.startswith("police ")), None)
            if police is None:
                return d.errors["unknown"]
            word = text.split(" ", 1)[0]   # IOS police sub-mode: one action per kind
            police.children = [c for c in police.children if not c.line.startswith(word + " ")] + [Node(text)]
            police.children.sort(key=lambda c: ("conform", "exceed", "violate").index(c.line.split("-", 1)[0]))
            return ""
        if not self._valid(text, at_top=not self.path):
            if self.path and self._kind(self.path[-1]) == "port" and re.fullmatch(r"ip address \S+ \S+", text):
                return d.errors.get("l3_on_l2", d.errors["unknown"])
            return d.errors["param" if self._known_word(text) else "unknown"]
        refused = self._refusal(text, tree, node)
        if refused:
            return refused
        said = self._effects(text, tree, node)
        text = self._displayed(text)
        key = _key(text)
        shown = Node(text, [Node(line) for line in self._defaults(text)])
        sub = text.endswith(" sub")  # VRP: a secondary address (`... sub`) is added beside the others
        for i, child in enumerate(node.children):
            if child.line == text or (_key(child.line) == key and not self._opener(child.line) and not sub
                                      and not child.line.endswith(" sub")):
                node.children[i] = shown
                break
        else:
            node.children.append(shown)
        if self.path and self._kind(self.path[-1]) == "acl" and re.fullmatch(r"rule \d+ .+", text):
            # ACL match order `config` (the default) sorts rules in ascending order of rule ID, and the device
            # shows them so: a rule typed back after 'undo rule 5' stands before rule 10 again (H3C ACL
            # configuration guide, "Match order"; Huawei S-series ACL configuration, match-order config)
            node.children.sort(key=lambda c: int(c.line.split()[1]) if re.fullmatch(r"rule \d+ .+", c.line) else -1)
        return said

    def _defaults(self, text: str) -> list[str]:
        """Lines the device shows under one it accepted: IOS 15 / IOS-XE show a single-rate policer's default
        actions under `police cir N` (IOS QoS Command Reference, "police (two rates)"/"police": conform-action
        transmit and exceed-action drop are the defaults)."""
        return next((list(lines) for regex, lines in self.d.line_defaults if re.fullmatch(regex, text)), [])

    def _displayed(self, text: str) -> str:
        """How the device shows a line it accepted: Comware adds the default CBS to a rate limit (H3C S6812
        command reference "qos lr": 62.5 x CIR bytes, rounded up to a multiple of 512)."""
        m = re.fullmatch(r"(qos lr (?:inbound|outbound) cir (\d+))", text)
        if m and self.d.default_cbs:
            return f"{m.group(1)} cbs {math.ceil(int(m.group(2)) * 125 / 2 / 512) * 512}"
        return text

    def _opener(self, text: str) -> bool:
        return any(re.fullmatch(regex, text) for regex, _, _ in self.d.views)

    def _valid(self, text: str, at_top: bool) -> bool:
        if at_top:
            return matches(self.d.system_cmds, text)
        return matches(self.d.kind_cmds.get(self._kind(self.path[-1]) if self.path else "", ()), text)

    def _known_word(self, text: str) -> bool:
        """The view knows the command's first word but not the rest (a value too long, a keyword in the wrong
        place): the devices answer with their "wrong parameter" text rather than "unrecognized command"."""
        kind = self._kind(self.path[-1]) if self.path else ""
        word = text.split(" ", 1)[0]
        return any(re.match(re.escape(word) + r"( |$)", p) for p in self.d.kind_cmds.get(kind, ()))

    def _refusal(self, text: str, tree: Node, node: Node) -> str | None:
        """What the device says to a well-formed command it still refuses (or warns about), else None.
        Returns (error text) for a refusal; an Info/warning is printed by _effects."""
        d = self.d
        kind = self._kind(self.path[-1]) if self.path else ""
        if out_of_range(d, text):
            return d.errors["param"]
        if kind == "port" and re.fullmatch(r"ip address \S+ \S+", text):
            return d.errors.get("l3_on_l2", d.errors["unknown"])   # a Layer-2 port has no IP address
        m = re.fullmatch(d.access_vlan, text)
        if m and kind == "port" and tree.find(d.vlan_view.format(m.group(1))) is None and not d.vlan_autocreate:
            return d.errors["no_vlan"]
        m = re.fullmatch(d.binding, text)
        if m and kind == "vlanif":
            vpn = tree.find(d.vpn_view.format(m.group(1)))
            if vpn is None:
                return d.errors["no_vpn"].format(m.group(1))
            if d.needs_ipv4_family and vpn.find("ipv4-family") is None:
                return d.errors["no_af"]
        return None

    def _effects(self, text: str, tree: Node, node: Node) -> str:
        """Side effects the device applies with a command, and the line it prints about them."""
        d = self.d
        m = re.fullmatch(d.binding, text)
        if m and self.path:
            already = node.find(text) is not None
            addresses = [c for c in node.children if c.line.startswith("ip address ")]
            if not already and addresses:  # binding (another) VPN instance removes the interface's address
                node.children = [c for c in node.children if c not in addresses]
                return d.binding_info.format(self.path[-1].split(" ", 1)[1], m.group(1))
            return ""
        m = re.fullmatch(d.access_vlan, text)
        if m and d.vlan_autocreate and tree.find(d.vlan_view.format(m.group(1))) is None:
            tree.children.append(Node(d.vlan_view.format(m.group(1))))
            return d.vlan_missing.format(m.group(1))
        return ""

    def _leave_config(self) -> str | None:
        if self.d.candidate and self.candidate is not None:
            self._ask("v8-return", "Warning: The current configuration will be committed. Continue? [Y(yes)/N(no)/C(cancel)]:")
        self.mode = "enable" if self.d.enable_secret else "user"
        self.path = []
        return ""


class _Ask(Exception):
    """Internal: the device printed a question and waits for the answer (no prompt follows)."""
