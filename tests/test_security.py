"""The Office's security half (Art. 23, 26) end to end: disconnect and reconnect over real SSH (Netmiko's real
drivers against the device lab, and a real Linux router in network namespaces), the block on provisioning and
changes while a unit is cut off, criticism notices, and the one security list."""

import json

import pytest

from conftest import DEPT, add_unit, fails, file_app, ok, run, sql

PORT = "GigabitEthernet0/0/1"
UNIT = "朱家角镇张马村村民委员会"
INCIDENT = "终端感染勒索病毒并向政务外网扫描"


@pytest.fixture
def opened(lab):
    """One link opened on the lab's Huawei switch (port GigabitEthernet0/0/1) for 张马村."""
    ok("dept", "add", DEPT)
    add_unit(UNIT, "zjj-zhangma")
    ok("review", "approve", str(file_app("zjj-zhangma")["id"]), user="bdc.reviewer")
    assert ok("provision", "1", "--yes", "--json").json()["results"][0]["status"] == "applied"
    return lab.devices["zjj-sw1"]


def test_smoke(opened, lab):
    r = run("security", "disconnect", "--unit", "zjj-zhangma", "--incident", INCIDENT, "--yes", "--json",
            user="office.duty")
    print(r.code, r.out, r.err)
    print(opened.section(f"interface {PORT}"))
    r = run("security", "reconnect", "1", "--remediation", "已清除病毒并加固终端", "--yes", "--json", user="office.head")
    print(r.code, r.out, r.err)
    print(opened.section(f"interface {PORT}"))
    print(run("security", "list", user="office.duty").out)
    assert 0
