"""`egovnet lab serve` with the shipped inventory/lab: its devices on its fixed ports, then a real provision."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time

import yaml

from conftest import DEPT, REPO, ok


def _free_ports(n):
    socks = [socket.socket() for _ in range(n)]
    for s in socks:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in socks]
    for s in socks:
        s.close()
    return ports


def test_shipped_lab_inventory_is_valid():
    r = ok("--inventory", str(REPO / "inventory" / "lab"), "device", "list", "--json")
    assert [(d["name"], d["platform"], d["port"]) for d in r.json()] == [
        ("zjj-sw1", "huawei", 8301), ("hx-sw1", "hp_comware", 8302), ("xj-sw1", "huawei_vrpv8", 8303),
        ("xy-r1", "cisco_ios", 8304)]


def _interruptible() -> None:
    """Ctrl-C reaches the lab as it does at a terminal: a test run started in the background by a
    non-interactive shell (as CI may be) inherits SIGINT ignored, and Python then keeps it ignored."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_lab_serve_uses_the_inventory_ports_and_provisions(tmp_path, monkeypatch, _home):
    inv = tmp_path / "lab"
    shutil.copytree(REPO / "inventory" / "lab", inv, ignore=shutil.ignore_patterns("known_hosts"))
    data = yaml.safe_load((inv / "inventory.yaml").read_text(encoding="utf-8"))
    ports = dict(zip(data["devices"], _free_ports(4)))  # the shipped 8301-8304 may be taken on a shared machine
    for name, port in ports.items():
        data["devices"][name]["port"] = port
    (inv / "inventory.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    written = (inv / "inventory.yaml").read_text(encoding="utf-8")
    env = {**os.environ, "EGOVNET_LAB_PASSWORD": "Lab-Secret-7f3a"}
    proc = subprocess.Popen([sys.executable, "-m", "egovnet", "lab", "serve", "--inventory", str(inv)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=_interruptible)
    try:
        deadline = time.monotonic() + 30
        while not (inv / "known_hosts").exists():
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "the lab did not start"
            time.sleep(0.1)
        hosts = (inv / "known_hosts").read_text().splitlines()
        assert sorted(h.split()[0] for h in hosts) == sorted(f"[127.0.0.1]:{p}" for p in ports.values())
        assert (inv / "inventory.yaml").read_text(encoding="utf-8") == written  # the operator's file is kept
        monkeypatch.setenv("EGOVNET_INVENTORY", str(inv))
        monkeypatch.setenv("EGOVNET_LAB_PASSWORD", "Lab-Secret-7f3a")
        ok("dept", "add", DEPT)
        ok("unit", "add", "张马村村民委员会", "--category", "village", "--dept", DEPT, "--code", "zjj-zhangma",
           "--town", "朱家角镇", "--address", "青浦区朱家角镇张马村1号", "--mlps-level", "2",
           "--mlps-assessed", "2026-03-01")
        from conftest import file_app

        ok("review", "approve", str(file_app("zjj-zhangma")["id"]), user="bdc.reviewer")
        row = ok("provision", "1", "--yes", "--json").json()["results"][0]
        assert (row["device"], row["status"], row["port"]) == ("zjj-sw1", "applied", "GigabitEthernet0/0/1")
    finally:
        proc.send_signal(signal.SIGINT)  # Ctrl-C, as the operator stops it
        try:
            out, err = proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()  # never leave a lab behind, even when it did not stop as it should
            proc.communicate()
            raise
    assert proc.returncode == 0, err
    assert "zjj-sw1" in out and f"127.0.0.1:{ports['zjj-sw1']}" in out
    assert "lab stopped" in err


def test_lab_serve_refuses_a_port_in_use(tmp_path):
    inv = tmp_path / "lab"
    shutil.copytree(REPO / "inventory" / "lab", inv, ignore=shutil.ignore_patterns("known_hosts"))
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen()
    try:
        text = (inv / "inventory.yaml").read_text(encoding="utf-8").replace("port: 8301", f"port: {busy.getsockname()[1]}")
        (inv / "inventory.yaml").write_text(text, encoding="utf-8")
        from conftest import fails

        r = fails(1, "lab", "serve", "--inventory", str(inv))
        assert "cannot serve the lab on the ports of" in r.err and "stop the other lab or change the ports" in r.err
    finally:
        busy.close()
