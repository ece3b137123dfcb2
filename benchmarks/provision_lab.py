"""Full device sessions (connect, config, read-back, save, close) against the built-in lab.

Prints per-session times by platform beside the plain-SSH floor measured in the same run (the same lines
typed over bare paramiko, each answer read up to its prompt: what no SSH client can beat) and Netmiko's stock
driver for the same session, then the total wall time for the devices with 1 and with 10 workers.
Talks to 127.0.0.1 only.

    python benchmarks/provision_lab.py [--devices 50]
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from egovnet.devices.netmiko_driver import NetmikoDriver
from egovnet.devices.render import render
from egovnet.inventory import load_inventory
from egovnet.services.lab import LAB_PASSWORD_ENV, lab_password, sample_spec, start_lab, write_inventory
from egovnet.services.provision import build_context


def one_session(inventory, name: str, stock: bool = False) -> tuple[str, float]:
    dev = inventory.device(name)
    ctx = build_context(dev, {"port": dev.ports[0], "vlan": 101, "subnet": "10.64.0.0/29"}, 1, 1, "bench", 50, {})
    commands = render(dev.platform, "open", ctx)
    t = time.perf_counter()
    driver = NetmikoDriver(dev, inventory.known_hosts, stock=stock)
    driver.open()
    driver.configure(commands)
    driver.running_config()
    driver.save()
    driver.close()
    return dev.platform, time.perf_counter() - t


def floor_batch(platform: str, commands: list[str], password: str) -> list[str]:
    """What egovnet's session types, as bare lines: paging off, configure, read back, save (close follows)."""
    show = "show running-config" if platform == "cisco_ios" else "display current-configuration"
    return {
        "huawei": ["screen-length 0 temporary", "system-view", *commands, "return", show, "save", "y"],
        "huawei_vrpv8": ["screen-length 0 temporary", "system-view", *commands, "commit", "return", show, "save", "y"],
        "hp_comware": ["screen-length disable", "system-view", *commands, "return", show, "save force"],
        "cisco_ios": ["terminal width 511", "terminal length 0", "enable", password, "configure terminal", *commands,
                      "end", show, "write mem"],
    }[platform]


def _nodelay(sock, **kwargs):
    """The floor's transport: Nagle off (as OpenSSH does for interactive sessions), so no delayed-ACK stalls."""
    import socket

    import paramiko

    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return paramiko.Transport(sock, **kwargs)


def floor_session(inventory, name: str) -> float:
    """The same session over plain paramiko: connect (host key checked), each line's answer read to its prompt."""
    import paramiko

    dev = inventory.device(name)
    ctx = build_context(dev, {"port": dev.ports[0], "vlan": 101, "subnet": "10.64.0.0/29"}, 1, 1, "bench", 50, {})
    password = dev.password()
    batch = floor_batch(dev.platform, render(dev.platform, "open", ctx), password)
    n = re.escape(name)
    answered = re.compile(rf"(?:[<\[][~*]?{n}[^\r\n]*[>\]]|{n}(?:\([^)\r\n]*\))?[#>]|\[Y/N\]:|Password: )\Z")
    # the device's recorded key, looked up before the clock starts (the floor pays for no file parsing)
    name_port = dev.host if dev.port == 22 else f"[{dev.host}]:{dev.port}"
    recorded = paramiko.HostKeys(str(inventory.known_hosts)).lookup(name_port) or {}
    t = time.perf_counter()
    client = paramiko.SSHClient()
    for keytype, key in recorded.items():
        client.get_host_keys().add(name_port, keytype, key)
    client.set_missing_host_key_policy(paramiko.RejectPolicy())
    client.connect(dev.host, dev.port, username=dev.username, password=password, look_for_keys=False,
                   allow_agent=False, timeout=10, transport_factory=_nodelay)
    chan = client.invoke_shell(term="vt100", width=511, height=1000)
    chan.settimeout(10)

    def answer() -> None:
        buf = ""
        while not answered.search(buf):
            data = chan.recv(65535)
            if not data:
                raise EOFError(f"{name} closed the session")
            buf += data.decode("utf-8", "replace")

    answer()
    for line in batch:
        chan.send(line + "\n")
        answer()
    chan.send(("exit" if dev.platform == "cisco_ios" else "quit") + "\n")
    client.close()
    return time.perf_counter() - t


def run(count: int, workers: int, stock_platforms=()) -> dict:
    spec = sample_spec(count, ports=4)
    lab = start_lab(spec)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            inventory = load_inventory(write_inventory(Path(tmp), spec, lab))
            t = time.perf_counter()
            with ThreadPoolExecutor(max_workers=workers) as pool:
                times = list(pool.map(lambda d: one_session(inventory, d["name"]), spec))
            wall = time.perf_counter() - t
            # egovnet beside the floor, interleaved device by device (each session from the device's base config),
            # so that both meet the same machine
            floor, paired = [], []
            if stock_platforms:
                for d in spec:
                    lab.devices[d["name"]].__post_init__()
                    floor.append((d["platform"], floor_session(inventory, d["name"])))
                    lab.devices[d["name"]].__post_init__()
                    paired.append(one_session(inventory, d["name"]))
            stock = {}
            for platform in stock_platforms:
                name = next(d["name"] for d in spec if d["platform"] == platform)
                lab.devices[name].__post_init__()  # fresh config for a like-for-like session
                stock[platform] = one_session(inventory, name, stock=True)[1]
            return {"times": times, "wall": wall, "stock": stock, "floor": floor, "paired": paired}
    finally:
        lab.stop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--devices", type=int, default=50)
    args = parser.parse_args()
    os.environ.setdefault(LAB_PASSWORD_ENV, lab_password())
    serial = run(args.devices, 1, stock_platforms=("huawei", "huawei_vrpv8", "hp_comware"))
    parallel = run(args.devices, 10)
    print(f"full sessions (connect, config, read-back, save, close), {args.devices} lab devices, {os.cpu_count()} CPUs")
    by_platform: dict[str, list[float]] = {}
    floors: dict[str, list[float]] = {}
    for platform, secs in serial["paired"]:
        by_platform.setdefault(platform, []).append(secs)
    for platform, secs in serial["floor"]:
        floors.setdefault(platform, []).append(secs)
    print(f"{'platform':<14}{'egovnet median s':>18}{'max s':>8}{'plain SSH s':>13}{'x floor':>9}{'stock Netmiko s':>18}")
    for platform, values in sorted(by_platform.items()):
        stock = serial["stock"].get(platform)
        floor = statistics.median(floors[platform])
        print(f"{platform:<14}{statistics.median(values):>18.3f}{max(values):>8.3f}{floor:>13.3f}"
              f"{statistics.median(values) / floor:>9.1f}{(f'{stock:.3f}' if stock else '-'):>18}")
    print(f"total, 1 worker:   {serial['wall']:.2f} s")
    print(f"total, 10 workers: {parallel['wall']:.2f} s")
    print(f"speed-up:          {serial['wall'] / parallel['wall']:.1f}x")


if __name__ == "__main__":
    main()
