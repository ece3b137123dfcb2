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


def test_every_platform_has_at_least_three_real_captures():
    per_platform = {}
    for case in CASES:
        per_platform.setdefault(case.split("/")[0], []).append(case)
    assert {p: len(c) >= 3 for p, c in per_platform.items() if p not in ("huawei_vrpv8", "linux")} == {
        "cisco_ios": True, "hp_comware": True, "huawei": True}
    assert sorted(per_platform) == ["cisco_ios", "hp_comware", "huawei", "huawei_vrpv8", "linux"]


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
