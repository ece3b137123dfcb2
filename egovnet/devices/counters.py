"""Byte counters of one port, read from what each platform family really prints.

One function per family, ``family(text, port) -> (bytes_in, bytes_out)``, and the command to send for a port
(``COMMANDS[family]``). The device answer is parsed whole into rows ``{"interface", "bytes_in", "bytes_out"}``
(``table(family, text)``), then the port's row is picked. TextFSM does the parsing; the templates beside this
module (``devices/counters/*.textfsm``) are egovnet's own because the ntc-templates that Netmiko installs
(9.x) capture no byte counter for these commands: ``huawei_vrp_display_interface`` and
``hp_comware_display_interface`` capture none, ``cisco_ios_show_interfaces`` only packets. Each template
names the real captures it was written against; tests/data/counters holds them.

A parse that finds no counters for the port raises DeviceError: a link whose counters could not be read
has no data for the day, which is not the same as no traffic (Art. 15).
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from egovnet.errors import DeviceError

TEMPLATES = Path(__file__).with_name("counters")

# family -> command that shows one port's counters ({port} is checked by devices.safety before it is sent)
COMMANDS = {
    "huawei_vrp": "display interface {port}",
    "comware": "display interface {port}",
    "cisco_ios": "show interfaces {port}",
    "linux": "ip -s -j link show dev {port}",
}
_TEMPLATE_FILES = {
    "huawei_vrp": "huawei_vrp_display_interface.textfsm",
    "comware": "hp_comware_display_interface.textfsm",
    "cisco_ios": "cisco_ios_show_interfaces.textfsm",
}
# inventory platform name -> family (VRPv8 CloudEngine prints the same display with bytes before packets,
# which the Huawei template reads too)
FAMILY = {"huawei": "huawei_vrp", "huawei_vrpv8": "huawei_vrp", "hp_comware": "comware", "cisco_ios": "cisco_ios",
          "linux": "linux"}


def command(family: str, port: str) -> str:
    """The command to send to read ``port``'s counters."""
    return COMMANDS[family].format(port=port)


@lru_cache(maxsize=None)
def _template_text(family: str) -> str:
    return (TEMPLATES / _TEMPLATE_FILES[family]).read_text(encoding="utf-8")


def _textfsm_rows(family: str, text: str) -> list[dict]:
    import io

    import textfsm

    fsm = textfsm.TextFSM(io.StringIO(_template_text(family)))
    rows = []
    for r in fsm.ParseTextToDicts(text):
        # Comware 7: the "(total)" lines are the port's counters; the plain ones belong to VLAN interfaces and
        # Comware 5 (the IPv4/IPv6 blocks are skipped by the template)
        b_in = r.get("IN_TOTAL") or r["IN_BYTES"]
        b_out = r.get("OUT_TOTAL") or r["OUT_BYTES"]
        rows.append({"interface": r["INTERFACE"], "bytes_in": int(b_in) if b_in else None,
                     "bytes_out": int(b_out) if b_out else None})
    return rows


def _linux_rows(text: str) -> list[dict]:
    """``ip -s -j link show [dev X]`` (iproute2 JSON): stats64 where the kernel gives it, else stats."""
    try:
        links = json.loads(text)
    except ValueError:
        return []
    rows = []
    for link in links if isinstance(links, list) else []:
        if not isinstance(link, dict) or "ifname" not in link:
            continue
        stats = link.get("stats64") or link.get("stats") or {}
        rx, tx = (stats.get("rx") or {}).get("bytes"), (stats.get("tx") or {}).get("bytes")
        rows.append({"interface": link["ifname"], "bytes_in": rx if isinstance(rx, int) else None,
                     "bytes_out": tx if isinstance(tx, int) else None})
    return rows


def table(family: str, text: str) -> list[dict]:
    """Every interface in a device's answer, in order, with its byte counters (None where it shows none)."""
    if family == "linux":
        return _linux_rows(text)
    return _textfsm_rows(family, text.replace("\r\n", "\n"))


def read(family: str, text: str, port: str | None = None) -> tuple[int, int]:
    """(bytes in, bytes out) of ``port`` in the device's answer; DeviceError when they cannot be read.

    Without ``port`` the answer must show exactly one interface (the answer to a one-port command).
    """
    rows = table(family, text)
    if port is None:
        names = {r["interface"] for r in rows}
        if len(names) != 1:
            shown = text.strip().replace("\r", "").replace("\n", " | ")[:120]
            raise DeviceError(f"cannot read the byte counters: the device's answer shows {len(names)} interfaces, "
                              f"not one ({shown!r}); no data is recorded for today")
        port = names.pop()
    mine = [r for r in rows if r["interface"].lower() == port.lower()]
    shown = text.strip().replace("\r", "").replace("\n", " | ")[:120]
    if not mine:
        raise DeviceError(f"cannot read the byte counters of {port}: the device's answer does not show {port} "
                          f"({shown!r}); no data is recorded for today")
    values = {(r["bytes_in"], r["bytes_out"]) for r in mine}
    if len(values) > 1:
        raise DeviceError(f"cannot read the byte counters of {port}: the device's answer shows {port} {len(mine)} "
                          "times with different counters; no data is recorded for today")
    b_in, b_out = values.pop()
    if b_in is None or b_out is None:
        missing = " and ".join(n for n, v in (("input", b_in), ("output", b_out)) if v is None)
        raise DeviceError(f"cannot read the byte counters of {port}: the device's answer shows no {missing} byte "
                          f"counter for it ({shown!r}); no data is recorded for today")
    return b_in, b_out


def huawei_vrp(text: str, port: str) -> tuple[int, int]:
    """Huawei VRP V5 (S-series switches, AR routers) and VRPv8 (CloudEngine) ``display interface``."""
    return read("huawei_vrp", text, port)


def comware(text: str, port: str) -> tuple[int, int]:
    """H3C/HPE Comware 5 and 7 ``display interface`` (the port's totals, never its IPv4/IPv6 blocks)."""
    return read("comware", text, port)


def cisco_ios(text: str, port: str) -> tuple[int, int]:
    """Cisco IOS / IOS-XE ``show interfaces``."""
    return read("cisco_ios", text, port)


def linux(text: str, port: str) -> tuple[int, int]:
    """Linux ``ip -s -j link show dev PORT``."""
    return read("linux", text, port)
