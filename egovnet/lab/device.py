"""One emulated device: running and saved config as a tree of views, counters, and a CLI state machine.

Pure Python, no I/O: ``CliSession.line(text)`` returns what the device prints. The SSH server in
``server.py`` feeds it keystrokes; tests assert on ``Device.running_text()``, ``saved`` and ``history``.
"""

from __future__ import annotations

import copy
import re
import threading
from dataclasses import dataclass, field

from egovnet.devices.configtree import key as _key
from egovnet.lab.dialects import DIALECTS, Dialect, matches


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

    def __post_init__(self):
        self.dialect: Dialect = DIALECTS[self.platform]
        self.lock = threading.RLock()
        self.running = Node("")
        self.running.children.append(Node(("hostname " if self.platform == "cisco_ios" else "sysname ") + self.name))
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
        return render_config(self.dialect, self.running)

    def section(self, header: str) -> list[str] | None:
        with self.lock:
            node = self.running.find(header)
            return None if node is None else node.lines()

    def commands(self) -> list[str]:
        return [entry[2] for entry in self.history]


def render_config(dialect: Dialect, root: Node) -> str:
    sep = dialect.comment
    out = [f"{sep}"]
    if dialect.platform == "cisco_ios":
        out = ["Building configuration...", "", "Current configuration : 1024 bytes", sep]
    for child in root.children:
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
        for regex, label in self.d.views:
            m = re.fullmatch(regex, header)
            if m:
                return regex, label.format(*m.groups())
        return "", ""

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
            root = self.dev.running
            return render_config(d, root).replace("\n", "\r\n")
        if text in d.show_saved or (d.platform == "cisco_ios" and text.startswith("do ") and text[3:] in d.show_saved):
            saved = self.dev.saved
            if d.platform == "cisco_ios":  # startup-config has no "Building configuration" header of its own
                body = saved.split("\n", 3)[3] if saved.startswith("Building configuration") else saved
                saved = f"Using {len(body)} out of 262136 bytes\n{body}"
            return saved.replace("\n", "\r\n")
        m = re.fullmatch(d.show_interface, text)
        if m:
            port = m.group(1)
            c = self.dev.counters.get(port)
            if c is None:
                return d.errors["param"]
            return interface_text(d, port, c, self.dev.running.find(f"interface {port}")).replace("\n", "\r\n")
        if text in ("display version", "show version"):
            return f"egovnet device lab {d.platform} {self.dev.name}"
        return None

    def _dispatch(self, text: str) -> str | None:
        d = self.d
        shown = self._show(text) if (self.mode != "config" or d.platform != "cisco_ios" or text.startswith("do ")) else None
        if shown is not None:
            return shown
        if text in d.paging:
            return ""
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
            target = node.find(rest)
            if target is not None and self._opener(rest):
                if rest.startswith("interface ") and rest[len("interface "):] in self.dev.ports:
                    return d.errors["param"]
                node.children.remove(target)
                return ""
            node.children = [c for c in node.children if not (c.line == rest or c.line.startswith(rest + " "))]
            return ""  # undoing what is not there is accepted quietly
        if self._opener(text):
            if text.startswith("interface "):
                port = text[len("interface "):]
                if not re.fullmatch(d.port_re, port) or (port not in self.dev.ports and not re.search(r"[Vv]lan", port)):
                    return d.errors["param"]
                self.dev.counters.setdefault(port, {"in_octets": 0, "out_octets": 0, "in_packets": 0, "out_packets": 0})
            if node.find(text) is None:
                node.children.append(Node(text))
            self.path.append(text)
            return ""
        if not self._valid(text, at_top=not self.path):
            return d.errors["unknown"]
        key = _key(text)
        for i, child in enumerate(node.children):
            if _key(child.line) == key and not child.children:
                node.children[i] = Node(text)
                break
        else:
            node.children.append(Node(text))
        return ""

    def _opener(self, text: str) -> bool:
        return any(re.fullmatch(regex, text) for regex, _ in self.d.views)

    def _valid(self, text: str, at_top: bool) -> bool:
        return matches(self.d.system_cmds if at_top else self.d.view_cmds, text)

    def _leave_config(self) -> str | None:
        if self.d.candidate and self.candidate is not None:
            self._ask("v8-return", "Warning: The current configuration will be committed. Continue? [Y(yes)/N(no)/C(cancel)]:")
        self.mode = "enable" if self.d.enable_secret else "user"
        self.path = []
        return ""


class _Ask(Exception):
    """Internal: the device printed a question and waits for the answer (no prompt follows)."""


def interface_text(d: Dialect, port: str, c: dict, node: Node | None) -> str:
    down = node is not None and any(ch.line == "shutdown" for ch in node.children)
    state = "Administratively DOWN" if down else "UP"
    if d.platform == "cisco_ios":
        return (f"{port} is {'administratively down' if down else 'up'}, line protocol is {'down' if down else 'up'}\n"
                f"     {c['in_packets']} packets input, {c['in_octets']} bytes\n"
                f"     {c['out_packets']} packets output, {c['out_octets']} bytes")
    return (f"{port} current state : {state}\n"
            f"Line protocol current state : {'DOWN' if down else 'UP'}\n"
            f"Input:  {c['in_packets']} packets, {c['in_octets']} bytes\n"
            f"Output: {c['out_packets']} packets, {c['out_octets']} bytes")
