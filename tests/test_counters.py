"""Byte counters parsed from real device output (tests/data/counters, see its README), NAPALM style: one shared
test over every case folder, comparing the whole parsed result with the expected one read by hand."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from egovnet.devices import counters
from egovnet.errors import DeviceError

DATA = Path(__file__).parent / "data" / "counters"
CASES = sorted(p.relative_to(DATA).as_posix() for p in DATA.glob("*/*") if (p / "input.txt").exists())


def test_cases_per_platform():
    """At least three real captures per vendor platform; VRPv8 has none public (see data/counters/README.md)."""
    per_platform: dict[str, int] = {}
    for case in CASES:
        per_platform[case.split("/")[0]] = per_platform.get(case.split("/")[0], 0) + 1
    assert per_platform == {"cisco_ios": 4, "hp_comware": 6, "huawei": 5, "huawei_vrpv8": 2, "linux": 2}


@pytest.mark.parametrize("case", CASES)
def test_counters_of_every_interface(case):
    platform = case.split("/")[0]
    text = (DATA / case / "input.txt").read_text(encoding="utf-8")
    expected = json.loads((DATA / case / "expected.json").read_text(encoding="utf-8"))
    assert counters.table(counters.FAMILY[platform], text) == expected


@pytest.mark.parametrize("case", CASES)
def test_each_port_reads_its_counters_or_fails_clearly(case):
    """Every port's (in, out) through the family function; a port with no counters is an error, never 0."""
    platform = case.split("/")[0]
    family = counters.FAMILY[platform]
    read = getattr(counters, family)
    text = (DATA / case / "input.txt").read_text(encoding="utf-8")
    expected = json.loads((DATA / case / "expected.json").read_text(encoding="utf-8"))
    seen = {}
    for row in expected:
        seen.setdefault(row["interface"], set()).add((row["bytes_in"], row["bytes_out"]))
    for port, values in seen.items():
        if len(values) == 1 and None not in next(iter(values)):
            assert read(text, port) == next(iter(values))
        else:
            with pytest.raises(DeviceError, match=f"cannot read the byte counters of {port}: "):
                read(text, port)
    with pytest.raises(DeviceError, match="does not show NoSuchPort9/9"):
        read(text, "NoSuchPort9/9")


def test_comware7_totals_not_the_ipv4_block():
    """The issue's case: a busy Comware 7 port whose IPv4 block shows 0 must not read as idle."""
    text = (DATA / "hp_comware" / "comware7_ipv4_block" / "input.txt").read_text(encoding="utf-8")
    assert counters.comware(text, "GigabitEthernet1/1/0/48") == (8824002336096, 2083476745314)


def test_a_capture_that_shows_a_port_twice_differently_is_refused():
    text = (DATA / "cisco_ios" / "catalyst_igbe" / "input.txt").read_text(encoding="utf-8")
    with pytest.raises(DeviceError) as exc:
        counters.cisco_ios(text, "GigabitEthernet0/2")
    assert str(exc.value) == ("cannot read the byte counters of GigabitEthernet0/2: the device's answer shows "
                              "GigabitEthernet0/2 2 times with different counters; no data is recorded for today")


@pytest.mark.parametrize("family, answer", [
    ("huawei_vrp", "Error: Wrong parameter found at '^' position."),
    ("comware", "              ^\n % Unrecognized command found at '^' position."),
    ("cisco_ios", "% Invalid input detected at '^' marker."),
    ("linux", 'Device "eth9" does not exist.'),
    ("linux", ""),
])
def test_an_error_answer_is_no_data_not_zero(family, answer):
    with pytest.raises(DeviceError, match="no data is recorded for today"):
        getattr(counters, family)(answer, "eth9" if family == "linux" else "GigabitEthernet0/0/1")


def test_commands():
    assert [counters.command(f, "GigabitEthernet0/0/1") for f in ("huawei_vrp", "comware", "cisco_ios")] == [
        "display interface GigabitEthernet0/0/1", "display interface GigabitEthernet0/0/1",
        "show interfaces GigabitEthernet0/0/1"]
    assert counters.command("linux", "ru0") == "ip -s -j link show dev ru0"


# ---- the lab prints these formats: what it shows parses, and `usage collect` reads it over real SSH ----

LAB_PLATFORMS = ["huawei", "huawei_vrpv8", "hp_comware", "cisco_ios"]


@pytest.mark.parametrize("platform", LAB_PLATFORMS)
def test_lab_display_has_the_shape_of_the_real_capture(platform):
    from egovnet.lab.display import render

    text = render(platform, "GigabitEthernet0/0/7", {"in_octets": 8824002336096, "out_octets": 2083476745314,
                                                     "in_packets": 8921849313, "out_packets": 5144360317}, None)
    assert counters.read(counters.FAMILY[platform], text, "GigabitEthernet0/0/7") == (8824002336096, 2083476745314)
    # the lines a parser keys on, in the real wording (see each renderer's capture)
    marker = {"huawei": "Input:  8921849313 packets, 8824002336096 bytes",
              "huawei_vrpv8": "    Input :      8824002336096 bytes,         8921849313 packets",
              "hp_comware": " Input (total):  8921849313 packets, 8824002336096 bytes",
              "cisco_ios": "     8921849313 packets input, 8824002336096 bytes, 0 no buffer"}[platform]
    assert marker in text.splitlines()
    if platform == "hp_comware":  # the IPv4 block that made a busy port look idle is there, with its zeros
        assert text.splitlines()[-10:-5] == ["IPv4 traffic statistics:",
                                             " Last 300 seconds input rate: 0 packets/sec, 0 bytes/sec",
                                             " Last 300 seconds output rate: 0 packets/sec, 0 bytes/sec",
                                             " Input: 0 packets, 0 bytes", " Output: 0 packets, 0 bytes"]


def test_lab_vlanif_on_s_series_shows_no_counters():
    from egovnet.lab.display import render

    text = render("huawei", "Vlanif101", {"in_octets": 5, "out_octets": 5, "in_packets": 1, "out_packets": 1}, None)
    with pytest.raises(DeviceError, match="shows no input and output byte counter for it"):
        counters.huawei_vrp(text, "Vlanif101")


def test_usage_collect_reads_each_platform_over_ssh(lab):
    """Counters set on a lab device of each platform -> `egovnet usage collect` over real SSH -> the right bytes."""
    from conftest import DEPT, file_app, ok

    town = {"huawei": "朱家角镇", "hp_comware": "华新镇", "huawei_vrpv8": "徐泾镇", "cisco_ios": "夏阳街道"}
    device = {"huawei": "zjj-sw1", "hp_comware": "hx-sw1", "huawei_vrpv8": "xj-sw1", "cisco_ios": "xy-r1"}
    ok("dept", "add", DEPT)
    for i, platform in enumerate(LAB_PLATFORMS, start=1):
        ok("unit", "add", f"{town[platform]}{i}号村民委员会", "--category", "village", "--dept", DEPT, "--code",
           f"u{i}", "--town", town[platform], "--address", f"青浦区{town[platform]}{i}号", "--mlps-level", "2",
           "--mlps-assessed", "2026-03-01")
        ok("review", "approve", str(file_app(f"u{i}")["id"]), user="bdc.reviewer")
    ok("provision", "--all-approved", "--yes")
    big = {p: (8824002336096 + i, 2083476745314 + i) for i, p in enumerate(LAB_PLATFORMS)}
    for platform in LAB_PLATFORMS:
        dev = lab.devices[device[platform]]
        dev.counters[dev.ports[0]].update(in_octets=big[platform][0], out_octets=big[platform][1],
                                          in_packets=8921849313, out_packets=5144360317)
    r = ok("usage", "collect", "--json").json()
    assert r == {"day": "2026-09-28", "links": [
        {"link": i, "device": device[p], "port": lab.devices[device[p]].ports[0], "in_octets": big[p][0],
         "out_octets": big[p][1], "error": None, "bytes_in": big[p][0], "bytes_out": big[p][1],
         "first_used_on": "2026-09-28"} for i, p in enumerate(LAB_PLATFORMS, start=1)]}


def test_linux_reads_this_machines_ip_output_like_sysfs():
    """The real `ip -s -j link show dev lo` of this machine, bracketed by two sysfs readings (lo keeps moving)."""
    import subprocess

    def sysfs():
        base = Path("/sys/class/net/lo/statistics")
        return int((base / "rx_bytes").read_text()), int((base / "tx_bytes").read_text())

    before = sysfs()
    text = subprocess.run(counters.command("linux", "lo").split(), capture_output=True, text=True, check=True).stdout
    after = sysfs()
    got = counters.linux(text, "lo")
    assert before[0] <= got[0] <= after[0] and before[1] <= got[1] <= after[1], (before, got, after)
