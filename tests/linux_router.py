"""A real Linux edge router for the tests: network namespaces, veth links and a private OpenSSH sshd.

    root ns  egvm0 198.18.0.1/30 ---- mgmt0 198.18.0.2/30   router (sshd, key auth, MaxStartups 200:30:400)
                                       ru0  (unit-facing, addressed by egovnet)  ---- u0  unit host
                                       rc0  198.18.2.1/30   ---- c0 198.18.2.2/30  extranet core host
                                       ro0  198.18.3.1/30   ---- o0 198.18.3.2/30  a host outside the extranet

198.18.0.0/15 is the benchmarking range (RFC 2544): nothing on it leaves the namespaces this file creates.
Root only; the kernel here has no 802.1Q and no VRF, so the Linux template uses an address on the
unit-facing veth, nftables for the isolation rule and tc for the bandwidth. Everything is torn down.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from pathlib import Path

MGMT = "198.18.0.2"
CORE_HOST = "198.18.2.2"
OTHER_HOST = "198.18.3.2"
CORE_PREFIX = "198.18.2.0/24"
UNIT_POOL = "198.18.16.0/24"


def unavailable() -> str | None:
    """Why a router cannot be built here, or None."""
    if os.geteuid() != 0:
        return "needs root (network namespaces and a private sshd)"
    for tool in ("ip", "nft", "tc", "ping", "ssh-keygen"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (.ci/run installs iproute2, nftables, iputils-ping, openssh)"
    if not Path("/usr/sbin/sshd").exists():
        return "/usr/sbin/sshd is not installed (openssh-server)"
    probe = f"egvprobe{os.getpid()}"
    r = subprocess.run(["ip", "netns", "add", probe], capture_output=True, text=True)
    if r.returncode != 0:
        return f"cannot create a network namespace: {r.stderr.strip()}"
    subprocess.run(["ip", "netns", "del", probe], capture_output=True)
    return None


def _sh(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    r = subprocess.run(list(args), capture_output=True, text=True, timeout=30)
    if check and r.returncode != 0:
        raise RuntimeError(f"{' '.join(args)}: {r.stderr.strip()}")
    return r


class LinuxRouter:
    def __init__(self, folder: Path):
        self.folder = Path(folder)
        tag = f"{os.getpid() % 100000}"
        self.ns = {"router": f"egv{tag}r", "unit": f"egv{tag}u", "core": f"egv{tag}c", "other": f"egv{tag}o"}
        self.mgmt_if = f"egvm{tag}"[:15]
        self.key_file = self.folder / "id_ed25519"

    # ---- plumbing ----
    def in_ns(self, name: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return _sh("ip", "netns", "exec", self.ns[name], *args, check=check)

    def _pair(self, a_ns: str | None, a: str, b_ns: str, b: str) -> None:
        _sh("ip", "link", "add", a, "type", "veth", "peer", "name", b)
        if a_ns:
            _sh("ip", "link", "set", a, "netns", self.ns[a_ns])
        _sh("ip", "link", "set", b, "netns", self.ns[b_ns])

    def start(self) -> "LinuxRouter":
        self.folder.mkdir(parents=True, exist_ok=True)
        for ns in self.ns.values():
            _sh("ip", "netns", "add", ns)
        for ns in self.ns:
            self.in_ns(ns, "ip", "link", "set", "lo", "up")
            self.in_ns(ns, "sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1")
            self.in_ns(ns, "sysctl", "-q", "-w", "net.ipv6.conf.default.disable_ipv6=1")
        self.in_ns("router", "sysctl", "-q", "-w", "net.ipv4.ip_forward=1")
        self._pair(None, self.mgmt_if, "router", "mgmt0")
        _sh("ip", "addr", "add", "198.18.0.1/30", "dev", self.mgmt_if)
        _sh("ip", "link", "set", self.mgmt_if, "up")
        self.in_ns("router", "ip", "addr", "add", f"{MGMT}/30", "dev", "mgmt0")
        self.in_ns("router", "ip", "link", "set", "mgmt0", "up")
        for far, here, there, net in (("unit", "ru0", "u0", None), ("core", "rc0", "c0", "198.18.2"),
                                      ("other", "ro0", "o0", "198.18.3")):
            self._pair("router", here, far, there)
            self.in_ns(far, "ip", "link", "set", there, "up")
            if net:  # the unit-facing port stays down and unaddressed until egovnet provisions it
                self.in_ns("router", "ip", "addr", "add", f"{net}.1/30", "dev", here)
                self.in_ns("router", "ip", "link", "set", here, "up")
                self.in_ns(far, "ip", "addr", "add", f"{net}.2/30", "dev", there)
                self.in_ns(far, "ip", "route", "add", UNIT_POOL, "via", f"{net}.1")
        self._start_sshd()
        return self

    def _start_sshd(self) -> None:
        f = self.folder
        _sh("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(f / "host_ed25519"))
        _sh("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(self.key_file))
        (f / "authorized_keys").write_text(Path(f"{self.key_file}.pub").read_text())
        (f / "sshd_config").write_text("\n".join([
            f"ListenAddress {MGMT}", "Port 22", f"HostKey {f / 'host_ed25519'}", f"PidFile {f / 'sshd.pid'}",
            f"AuthorizedKeysFile {f / 'authorized_keys'}", "PermitRootLogin prohibit-password",
            "PasswordAuthentication no", "KbdInteractiveAuthentication no", "PubkeyAuthentication yes",
            "StrictModes no", "UsePAM no", "MaxStartups 200:30:400", "LogLevel ERROR", "PrintMotd no",
            "PrintLastLog no", "Banner none", "",
        ]))
        Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # sshd's privilege-separation directory
        self.in_ns("router", "/usr/sbin/sshd", "-f", str(f / "sshd_config"), "-E", str(f / "sshd.log"))
        deadline = time.monotonic() + 10
        while not (f / "sshd.pid").exists():
            if time.monotonic() > deadline:
                raise RuntimeError(f"sshd did not start: {(f / 'sshd.log').read_text() if (f / 'sshd.log').exists() else ''}")
            time.sleep(0.05)

    def known_hosts_line(self) -> str:
        key = Path(f"{self.folder / 'host_ed25519'}.pub").read_text().split()[:2]
        return f"{MGMT} {' '.join(key)}"

    def stop(self) -> None:
        pid_file = self.folder / "sshd.pid"
        if pid_file.exists():
            try:
                os.kill(int(pid_file.read_text().strip()), 15)
            except (ProcessLookupError, ValueError):
                pass
        for ns in self.ns.values():
            pids = subprocess.run(["ip", "netns", "pids", ns], capture_output=True, text=True).stdout.split()
            for pid in pids:  # sshd's session children, ping: nothing outlives the test
                try:
                    os.kill(int(pid), 9)
                except (ProcessLookupError, ValueError):
                    pass
            subprocess.run(["ip", "netns", "del", ns], capture_output=True)
        subprocess.run(["ip", "link", "del", self.mgmt_if], capture_output=True)

    # ---- what the tests look at ----
    def state(self) -> str:
        """The router's addresses, nftables ruleset and qdiscs: what egovnet's push may change.

        A port's default qdisc (noop while never up, noqueue after) is no configuration and is left out."""
        text = "\n".join(self.in_ns("router", *cmd).stdout for cmd in (
            ("ip", "-o", "addr", "show"), ("nft", "list", "ruleset"), ("tc", "qdisc", "show")))
        return "\n".join(ln for ln in text.splitlines() if not re.match(r"qdisc (noop|noqueue) 0: ", ln))

    def ping(self, src: str, dst: str, tries: int = 1) -> bool:
        """One echo answered within a second, trying up to ``tries`` times (a port just brought up needs a moment)."""
        for _ in range(tries):
            if self.in_ns(src, "ping", "-c", "1", "-W", "1", dst, check=False).returncode == 0:
                return True
        return False

    def give_unit_address(self, address: str, prefix: int, gateway: str) -> None:
        self.in_ns("unit", "ip", "addr", "add", f"{address}/{prefix}", "dev", "u0")
        self.in_ns("unit", "ip", "route", "add", "default", "via", gateway)
