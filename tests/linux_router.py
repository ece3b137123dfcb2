"""A real Linux edge router for the tests: network namespaces, veth links and a private OpenSSH sshd.

    root ns  egvm0 198.18.0.1/30 ---- mgmt0 198.18.0.2/30   router (sshd, key auth, MaxStartups 200:30:400)
                                       ru0  (unit-facing, addressed by egovnet)  ---- u0  unit host
                                       ru1  (unit-facing, addressed by egovnet)  ---- u1  a second unit host
                                       rc0  198.18.2.1/30   ---- c0 198.18.2.2/30  extranet core host
                                                2001:db8:e60:2::1/64   2001:db8:e60:2::2/64
                                       ro0  198.18.3.1/30   ---- o0 198.18.3.2/30  a host outside the extranet
                                                2001:db8:e60:3::1/64   2001:db8:e60:3::2/64

198.18.0.0/15 is the benchmarking range (RFC 2544) and 2001:db8::/32 the documentation range (RFC 3849):
nothing on them leaves the namespaces this file creates. IPv6 is on in every namespace and the router
forwards it, so that isolation is proven for both families rather than by a switched-off protocol.
Root only; the kernel here has no 802.1Q and no VRF, so the Linux template uses an address on the
unit-facing veth, nftables for the isolation rules and tc for the bandwidth. Everything is torn down.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

MGMT = "198.18.0.2"
CORE_HOST = "198.18.2.2"
OTHER_HOST = "198.18.3.2"
CORE_PREFIX = "198.18.2.0/24"
UNIT_POOL = "198.18.16.0/24"
CORE_HOST6 = "2001:db8:e60:2::2"
OTHER_HOST6 = "2001:db8:e60:3::2"
ROUTER_CORE6 = "2001:db8:e60:2::1"   # the router's own address on the core side
# the IPv6 a unit host gives itself: egovnet allocates IPv4 only, so these are what a unit might try
UNIT6 = {"unit": "2001:db8:e60:16::2", "unit2": "2001:db8:e60:17::2"}
PORTS = {"unit": ("ru0", "u0"), "unit2": ("ru1", "u1")}

# a listener for probes on all IPv4 and IPv6 addresses of its namespace: accepts every TCP connection and
# echoes every UDP datagram on the same port number
LISTENER = """
import select, socket, sys
port = int(sys.argv[1])
t = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
u = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
for s in (t, u):
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("::", port))
t.listen(16)
print("ready", flush=True)
while True:
    for s in select.select([t, u], [], [])[0]:
        if s is t:
            t.accept()[0].close()
        else:
            data, peer = u.recvfrom(512)
            u.sendto(data, peer)
"""
# one TCP connection attempt (open, refused or timeout), or one UDP datagram (answered, refused or timeout)
PROBE = """
import socket, sys
host, port, timeout, kind = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
udp = kind == "udp"
info = socket.getaddrinfo(host, port, type=socket.SOCK_DGRAM if udp else socket.SOCK_STREAM)[0]
s = socket.socket(info[0], info[1])
s.settimeout(timeout)
try:
    s.connect(info[4])
    if udp:
        s.send(b"egovnet probe")
        s.recv(512)
    print("answered" if udp else "open")
except ConnectionRefusedError:
    print("refused")
except OSError:
    print("timeout")
"""


def unavailable() -> str | None:
    """Why a router cannot be built here, or None."""
    if os.geteuid() != 0:
        return "needs root (network namespaces and a private sshd)"
    for tool in ("ip", "nft", "tc", "ping", "ssh-keygen", "iperf3"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (.ci/run installs iproute2, nftables, iputils-ping, openssh, iperf3)"
    if not Path("/usr/sbin/sshd").exists():
        return "/usr/sbin/sshd is not installed (openssh-server)"
    probe = f"egvprobe{os.getpid()}"
    r = subprocess.run(["ip", "netns", "add", probe], capture_output=True, text=True)
    if r.returncode != 0:
        return f"cannot create a network namespace: {r.stderr.strip()}"
    try:  # the upload limit needs IFB devices and tc's u32 classifier with the mirred action
        for step, why in ((["ip", "link", "add", "egvifb", "type", "ifb"], "IFB devices (CONFIG_IFB)"),
                          (["tc", "qdisc", "add", "dev", "egvifb", "handle", "ffff:", "ingress"], "the ingress qdisc"),
                          (["tc", "filter", "add", "dev", "egvifb", "parent", "ffff:", "protocol", "all", "u32", "match",
                            "u32", "0", "0", "action", "mirred", "egress", "redirect", "dev", "lo"],
                           "tc's u32 classifier with the mirred action")):
            r = subprocess.run(["ip", "netns", "exec", probe, *step], capture_output=True, text=True)
            if r.returncode != 0:
                return f"the kernel has no {why}: {r.stderr.strip()}"
    finally:
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
        self.ns = {"router": f"egv{tag}r", "unit": f"egv{tag}u", "unit2": f"egv{tag}v", "core": f"egv{tag}c",
                   "other": f"egv{tag}o"}
        self.started: list[subprocess.Popen] = []
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
        # a moved interface keeps the settings it was created with: no duplicate address detection, so that a
        # link-local address is never caught "tentative" by a before/after comparison
        for ns, name in ((a_ns, a), (b_ns, b)):
            if ns:
                self.in_ns(ns, "sysctl", "-q", "-w", f"net.ipv6.conf.{name}.accept_dad=0")

    def start(self) -> "LinuxRouter":
        self.folder.mkdir(parents=True, exist_ok=True)
        for ns in self.ns.values():
            _sh("ip", "netns", "add", ns)
        for ns in self.ns:
            self.in_ns(ns, "ip", "link", "set", "lo", "up")
            for key in ("all", "default"):  # IPv6 on, addresses usable at once (no duplicate detection wait)
                self.in_ns(ns, "sysctl", "-q", "-w", f"net.ipv6.conf.{key}.disable_ipv6=0")
                self.in_ns(ns, "sysctl", "-q", "-w", f"net.ipv6.conf.{key}.accept_dad=0")
        self.in_ns("router", "sysctl", "-q", "-w", "net.ipv4.ip_forward=1")
        self.in_ns("router", "sysctl", "-q", "-w", "net.ipv6.conf.all.forwarding=1")
        self._pair(None, self.mgmt_if, "router", "mgmt0")
        _sh("ip", "addr", "add", "198.18.0.1/30", "dev", self.mgmt_if)
        _sh("ip", "link", "set", self.mgmt_if, "up")
        self.in_ns("router", "ip", "addr", "add", f"{MGMT}/30", "dev", "mgmt0")
        self.in_ns("router", "ip", "link", "set", "mgmt0", "up")
        for far, here, there, net in (("unit", "ru0", "u0", None), ("unit2", "ru1", "u1", None),
                                      ("core", "rc0", "c0", "2"), ("other", "ro0", "o0", "3")):
            self._pair("router", here, far, there)
            self.in_ns(far, "ip", "link", "set", there, "up")
            if net:  # the unit-facing ports stay down and unaddressed until egovnet provisions them
                self.in_ns("router", "ip", "addr", "add", f"198.18.{net}.1/30", "dev", here)
                self.in_ns("router", "ip", "addr", "add", f"2001:db8:e60:{net}::1/64", "dev", here)
                self.in_ns("router", "ip", "link", "set", here, "up")
                self.in_ns(far, "ip", "addr", "add", f"198.18.{net}.2/30", "dev", there)
                self.in_ns(far, "ip", "addr", "add", f"2001:db8:e60:{net}::2/64", "dev", there)
                self.in_ns(far, "ip", "route", "add", UNIT_POOL, "via", f"198.18.{net}.1")
                self.in_ns(far, "ip", "-6", "route", "add", "2001:db8:e60::/48", "via", f"2001:db8:e60:{net}::1")
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

    def write_inventory(self, folder: Path) -> Path:
        """An egovnet inventory with this router as device jz-r1 of 金泽镇 (ports ru0, ru1) and its known host key."""
        import yaml

        folder.mkdir()
        (folder / "inventory.yaml").write_text(yaml.safe_dump({
            "devices": {"jz-r1": {
                "platform": "linux", "host": MGMT, "site": "jinze", "towns": ["金泽镇"], "ports": ["ru0", "ru1"],
                "username": "root", "key_file": str(self.key_file), "core_prefix": CORE_PREFIX,
                "timeouts": {"connect": 5, "auth": 5, "banner": 5, "read": 10}}},
            "pools": {"jinze": {"prefixes": [UNIT_POOL], "subnet_prefixlen": 29, "vlans": "101-199"}},
        }, allow_unicode=True))
        (folder / "known_hosts").write_text(self.known_hosts_line() + "\n")
        return folder

    def stop(self) -> None:
        for proc in self.started:  # listeners and iperf3 servers
            if proc.poll() is None:
                proc.kill()
            proc.wait()
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
        """What egovnet's push may change on the router, read the way egovnet reads it (the platform's
        show command, run by a shell in the router's namespace): addresses, IFB devices, the nftables
        ruleset, qdiscs and ingress filters. A port's default qdisc (noop while never up, noqueue after)
        is no configuration and is left out."""
        from egovnet.devices.platforms.linux import Linux

        text = self.in_ns("router", "sh", "-c", Linux.show_config).stdout
        return "\n".join(Linux.state(text))

    def ping(self, src: str, dst: str, tries: int = 1) -> bool:
        """One echo answered within a second, trying up to ``tries`` times (a port just brought up needs a moment)."""
        for _ in range(tries):
            if self.in_ns(src, "ping", "-c", "1", "-W", "1", dst, check=False).returncode == 0:
                return True
        return False

    def give_unit_address(self, address: str, prefix: int, gateway: str, unit: str = "unit") -> None:
        port = PORTS[unit][1]
        self.in_ns(unit, "ip", "addr", "add", f"{address}/{prefix}", "dev", port)
        self.in_ns(unit, "ip", "route", "add", "default", "via", gateway)

    def give_unit_ipv6(self, unit: str = "unit") -> None:
        """What a unit could do with IPv6 although egovnet allocates it none: its own address, a default route
        through the router's link-local address, and, so that nothing rests on neighbour discovery (which the
        router's input rules also drop), static neighbour entries both ways plus a route on the router toward
        it, as a careless or hostile hand on the router might add. Only the nftables rules stand in the way."""
        router_port, unit_port = PORTS[unit]
        router_ll, router_mac = self._link_local("router", router_port)
        unit_ll, unit_mac = self._link_local(unit, unit_port)
        self.in_ns(unit, "ip", "-6", "addr", "add", f"{UNIT6[unit]}/64", "dev", unit_port)
        self.in_ns(unit, "ip", "-6", "neigh", "replace", router_ll, "lladdr", router_mac, "dev", unit_port,
                   "nud", "permanent")
        self.in_ns(unit, "ip", "-6", "route", "add", "default", "via", router_ll, "dev", unit_port)
        prefix = UNIT6[unit].rsplit("::", 1)[0] + "::/64"
        self.in_ns("router", "ip", "-6", "route", "replace", prefix, "via", unit_ll, "dev", router_port)
        self.in_ns("router", "ip", "-6", "neigh", "replace", unit_ll, "lladdr", unit_mac, "dev", router_port,
                   "nud", "permanent")

    def _link_local(self, ns: str, port: str) -> tuple[str, str]:
        out = self.in_ns(ns, "ip", "-o", "-6", "addr", "show", "dev", port, "scope", "link").stdout
        mac = self.in_ns(ns, "cat", f"/sys/class/net/{port}/address").stdout.strip()
        m = re.search(r"inet6 (fe80::[0-9a-f:]+)/64", out)
        if not m:
            raise RuntimeError(f"{port} in {ns} has no link-local address: {out!r}")
        return m.group(1), mac

    def counters(self, port: str) -> tuple[int, int]:
        """Bytes received and sent by a router port, as the kernel counts them."""
        return tuple(int(self.in_ns("router", "cat", f"/sys/class/net/{port}/statistics/{name}").stdout)
                     for name in ("rx_bytes", "tx_bytes"))

    def router_link_local(self, port: str = "ru0") -> str:
        return self._link_local("router", port)[0]

    # ---- traffic ----
    def listen(self, ns: str, port: int) -> None:
        """A TCP and UDP listener on every address of a namespace, stopped with the router."""
        proc = subprocess.Popen(["ip", "netns", "exec", self.ns[ns], sys.executable, "-c", LISTENER, str(port)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.started.append(proc)
        if proc.stdout.readline().strip() != "ready":
            raise RuntimeError(f"listener in {ns} did not start: {proc.stderr.read()}")

    def connect(self, src: str | None, host: str, port: int, timeout: float = 1.5, udp: bool = False) -> str:
        """One TCP connection from namespace ``src`` (None: the management side, the root namespace):
        open, refused (nothing listens, nothing filters) or timeout (dropped on the way); with ``udp``, one
        datagram to an echoing listener: answered, refused or timeout."""
        cmd = [sys.executable, "-c", PROBE, host, str(port), str(timeout), "udp" if udp else "tcp"]
        if src is not None:
            cmd = ["ip", "netns", "exec", self.ns[src], *cmd]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=30).stdout.strip()

    def iperf(self, client: str, server: str, server_address: str, seconds: int = 3,
              reverse: bool = False) -> float:
        """Mbit/s received in one bounded iperf3 TCP run from ``client`` to the server (``reverse``: server to
        client). The server serves this one test and exits; it is killed with the router in any case."""
        server_proc = subprocess.Popen(["ip", "netns", "exec", self.ns[server], "iperf3", "-s", "-1", "-p", "5201"],
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.started.append(server_proc)
        try:
            for _ in range(100):  # the server is up once it listens (a probe connection would use up its one test)
                if self.in_ns(server, "ss", "-Hltn", "sport = :5201", check=False).stdout.strip():
                    break
                time.sleep(0.05)
            args = ["iperf3", "-c", server_address, "-p", "5201", "-t", str(seconds), "-J", "--connect-timeout", "3000"]
            r = self.in_ns(client, *args, *(["-R"] if reverse else []), check=False)
        finally:
            if server_proc.poll() is None:
                server_proc.kill()
            server_proc.wait()
        data = json.loads(r.stdout or "{}")
        if "error" in data or "end" not in data:
            raise RuntimeError(f"iperf3 failed: {data.get('error') or r.stderr.strip()}")
        return data["end"]["sum_received"]["bits_per_second"] / 1e6
