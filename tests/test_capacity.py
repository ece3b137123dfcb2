"""Waves that fit: device capacity, the warning at approval, provision --fit, lab serve --ports-per-device."""

from __future__ import annotations

import csv

from conftest import DEPT, fails, ok, run, sql

HEADER = ["单位名称", "单位代码", "类别", "主管部门", "街镇", "地址", "预算单位", "等保等级", "等保测评日期",
          "申请依据", "接入范围", "链路方式", "应用用途", "带宽", "技术要求", "时间要求", "费用承担"]


def wave(path, rows):
    """Committees with their applications in one sheet: (name, code, town, address)."""
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(HEADER)
        for name, code, town, address in rows:
            w.writerow([name, code, "居村组织", DEPT, town, address, "是", "2", "2026-03-01", "区政府工作要求",
                        "村委会办公区", "dedicated", "一网通办", "50", "光纤接入", "尽快", "budget"])
    return path


def _wave_of_seven(tmp_path):
    # six committees of 朱家角镇 (the lab's zjj-sw1, 4 ports) on five addresses, one of 华新镇 (hx-sw1)
    rows = [(f"朱家角镇{c}村村民委员会", f"zjj-{p}", "朱家角镇", f"青浦区朱家角镇{c}村1号")
            for c, p in (("东", "dong"), ("西", "xi"), ("南", "nan"), ("北", "bei"), ("中", "zhong"))]
    rows.insert(2, ("朱家角镇西村卫生室", "zjj-xi-ws", "朱家角镇", "青浦区朱家角镇西村1号"))  # shares 西村's office
    rows.append(("华新镇凤溪村村民委员会", "hx-fengxi", "华新镇", "青浦区华新镇凤溪村1号"))
    path = wave(tmp_path / "wave.csv", rows)
    ok("unit", "import", str(path), "--create-depts")
    ok("apply", "--batch", str(path))


def test_capacity_warning_and_fit_on_the_lab(tmp_path, lab):
    _wave_of_seven(tmp_path)
    r = ok("review", "approve", "--all-from-import", "2", user="bdc.reviewer")
    assert r.err.splitlines()[0] == (
        "Warning: 1 of the 7 applications approved do not fit the devices: zjj-sw1 needs 5 unit-facing ports, "
        "4 free; see 'egovnet device capacity', and 'egovnet provision --all-approved --fit' builds what fits")

    data = ok("device", "capacity", "--json").json()
    assert data["devices"][:2] == [
        {"device": "zjj-sw1", "site": "zhujiajiao", "ports_total": 4, "ports_free": 4, "vlans_total": 899,
         "vlans_free": 899, "subnets_total": 512, "subnets_free": 512, "wave_new_links": 4, "wave_fits": 5,
         "wave_does_not_fit": 1},
        {"device": "hx-sw1", "site": "huaxin", "ports_total": 4, "ports_free": 4, "vlans_total": 899,
         "vlans_free": 899, "subnets_total": 512, "subnets_free": 512, "wave_new_links": 1, "wave_fits": 1,
         "wave_does_not_fit": 0}]
    assert (data["approved"], data["fits"], data["does_not_fit"]) == (7, 6, 1)
    apps = data["applications"]
    assert apps[2] == {"application": 3, "unit": "朱家角镇西村卫生室", "town": "朱家角镇", "link": 2, "device": "zjj-sw1",
                       "needs": "joins link 2 (Art. 14)", "fits": True, "reason": None}
    assert apps[5] == {"application": 6, "unit": "朱家角镇中村村民委员会", "town": "朱家角镇", "link": 5,
                       "device": "zjj-sw1", "needs": "", "fits": False,
                       "reason": "device zjj-sw1 has no free unit-facing port (4 in the inventory, all taken)"}
    assert apps[6]["needs"] == "GigabitEthernet1/0/1, VLAN 101, 10.64.16.0/29"

    # without --fit the run is refused at planning, nothing allocated; with it, what fits is built
    r = fails(3, "provision", "--all-approved", "--yes")
    assert "device zjj-sw1 has no free unit-facing port" in r.err
    assert sql("SELECT count(*) FROM allocation") == [(0,)]
    r = run("provision", "--all-approved", "--fit", "--yes", "--json")
    assert r.code == 0, r.err
    result = r.json()
    assert [(x["application"], x["status"]) for x in result["results"]] == [
        (1, "applied"), (2, "applied"), (3, "joined"), (4, "applied"), (5, "applied"), (7, "applied")]
    assert result["not_built"] == [apps[5]]
    assert r.err == ("Warning: 1 application(s) do not fit the devices and were not built: application 6: device "
                     "zjj-sw1 has no free unit-facing port (4 in the inventory, all taken)\n")
    assert sql("SELECT status FROM application ORDER BY id") == [("active",)] * 5 + [("approved",), ("active",)]
    running = lab.devices["zjj-sw1"].running_text()
    assert all(f"egov-L{n}-" in running for n in (1, 2, 3, 4)) and "egov-L5-" not in running

    # the text view names what is left; nothing fits any more: exit 3, nothing built
    r = ok("device", "capacity")
    assert "approved, not yet built: 1; fit: 0; do not fit: 1" in r.err
    assert "朱家角镇中村村民委员会" in r.out and "ports free" in r.out
    r = fails(3, "provision", "--all-approved", "--fit", "--yes")
    assert r.err == ("Error: none of the 1 applications fits the devices, nothing was built: application 6: device "
                     "zjj-sw1 has no free unit-facing port (4 in the inventory, all taken); see 'egovnet device "
                     "capacity'\n")


def test_capacity_names_an_unserved_town_and_an_expired_assessment(tmp_path, lab):
    path = wave(tmp_path / "w.csv", [("嘉定区外岗村村民委员会", "jd-waigang", "外岗镇", "嘉定区外岗镇外岗村1号"),
                                     ("朱家角镇东村村民委员会", "zjj-dong", "朱家角镇", "青浦区朱家角镇东村1号")])
    ok("unit", "import", str(path), "--create-depts")
    ok("apply", "--batch", str(path))
    ok("review", "approve", "--all-from-import", "2", user="bdc.reviewer")
    rows = ok("device", "capacity", "--json").json()["applications"]
    assert [(r["fits"], r["reason"]) for r in rows] == [
        (False, "no access device in the inventory serves town '外岗镇'; add the town to a device's towns or pass "
                "--device"), (True, None)]
    rows = ok("device", "capacity", "--json", today="2031-01-05").json()["applications"]
    assert rows[1]["reason"] == ("unit 朱家角镇东村村民委员会's MLPS assessment is missing or expired (Art. 13); "
                                 "record a current one first")


def test_approval_without_an_inventory_warns_nothing(tmp_path):
    _wave_of_seven(tmp_path)
    r = ok("review", "approve", "--all-from-import", "2", user="bdc.reviewer")
    assert "Warning" not in r.err


def test_lab_serve_generates_devices_with_the_ports_asked(tmp_path):
    from egovnet.inventory import load_inventory
    from egovnet.services.lab import serve

    lab, rows = serve(tmp_path / "inv", 0, tmp_path / "home", ports_per_device=64)
    try:
        inv = load_inventory(tmp_path / "inv")
        assert [(d.name, len(d.ports), d.ports[-1]) for d in inv.devices.values()] == [
            ("zjj-sw1", 64, "GigabitEthernet0/0/64"), ("hx-sw1", 64, "GigabitEthernet1/0/64"),
            ("xj-sw1", 64, "GE1/0/64"), ("xy-r1", 64, "GigabitEthernet0/64")]
    finally:
        lab.stop()
    lab, rows = serve(tmp_path / "inv", 12, tmp_path / "home", ports_per_device=2)  # its own file: replaced
    lab.stop()
    devices = load_inventory(tmp_path / "inv").devices.values()
    assert [len(d.ports) for d in devices] == [2] * 12
    # each town on one device: the copies of a sample device share its towns
    assert [(d.name, d.towns) for d in devices] == [
        ("zjj-sw1", ("朱家角镇",)), ("hx-sw2", ("华新镇",)), ("xj-sw3", ("徐泾镇",)), ("xy-sw4", ("夏阳街道",)),
        ("zjj-sw5", ("练塘镇",)), ("hx-sw6", ("白鹤镇",)), ("xj-sw7", ("赵巷镇",)), ("xy-sw8", ("盈浦街道",)),
        ("zjj-sw9", ("金泽镇",)), ("hx-sw10", ("重固镇",)), ("xj-sw11", ()), ("xy-sw12", ("香花桥街道",))]


def test_lab_serve_never_replaces_an_inventory_it_did_not_write(tmp_path):
    from conftest import REPO

    inv = tmp_path / "inv"
    inv.mkdir()
    shipped = (REPO / "inventory" / "lab" / "inventory.yaml").read_text(encoding="utf-8")
    (inv / "inventory.yaml").write_text(shipped, encoding="utf-8")
    r = fails(1, "lab", "serve", "--inventory", str(inv), "--ports-per-device", "64")
    assert r.err == (f"Error: {inv}/inventory.yaml was not written by 'egovnet lab serve' and is kept: --devices "
                     "and --ports-per-device write a new inventory; give --inventory an empty folder\n")
    assert (inv / "inventory.yaml").read_text(encoding="utf-8") == shipped


def test_lab_password_default_works_for_the_client(monkeypatch):
    from egovnet.inventory import Device

    monkeypatch.delenv("EGOVNET_LAB_PASSWORD", raising=False)
    lab_dev = Device(name="zjj-sw1", platform="huawei", host="127.0.0.1", site="s", ports=("GigabitEthernet0/0/1",), username="netops",
                     password_env="EGOVNET_LAB_PASSWORD")
    assert lab_dev.password() == "egovnet-lab"
    real = lab_dev.model_copy(update={"host": "10.1.1.1"})
    try:
        real.password()
    except Exception as exc:  # a real device never gets the lab's default
        assert "EGOVNET_LAB_PASSWORD is not set" in str(exc)
    else:
        raise AssertionError("a device off the loopback got the lab password")


def test_dry_run_diff_shows_new_sections_whole_and_removals_as_removals():
    from egovnet.services.provision import diff_lines

    commands = ["vlan 102", " description egov-L2", "quit", "interface Vlanif102", " ip address 10.64.0.9 "
                "255.255.255.248", "quit", "interface GigabitEthernet0/0/2", " port default vlan 102", "quit"]
    assert diff_lines(["vlan 102", "interface Vlanif102", "interface GigabitEthernet0/0/2 / port default vlan 102"],
                      commands) == ["+ vlan 102", "+  description egov-L2", "+ interface Vlanif102",
                                    "+  ip address 10.64.0.9 255.255.255.248",
                                    "+ interface GigabitEthernet0/0/2 / port default vlan 102"]
    assert diff_lines(["interface GigabitEthernet0/0/1 / shutdown", "vlan 101 (should be gone)",
                       "interface GigabitEthernet0/0/1 / port default vlan 101 (should be gone)"], ["undo vlan 101"]) == [
        "+ interface GigabitEthernet0/0/1 / shutdown", "- vlan 101",
        "- interface GigabitEthernet0/0/1 / port default vlan 101"]


def _complete(words: str, env_extra: dict | None = None) -> list[str]:
    import os
    import subprocess
    import sys

    env = {**os.environ, "_EGOVNET_COMPLETE": "complete_bash", "COMP_WORDS": words,
           "COMP_CWORD": str(len(words.split()) - (0 if words.endswith(" ") else 1)), **(env_extra or {})}
    from pathlib import Path

    proc = subprocess.run([str(Path(sys.executable).parent / "egovnet")], env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.split()


def test_shell_completes_categories_devices_and_statuses(tmp_path):
    from conftest import REPO

    inv = str(REPO / "inventory" / "lab")
    assert _complete("egovnet unit add x --category v") == ["village"]
    assert _complete("egovnet review list --status a") == ["approved", "active"]
    assert _complete("egovnet link list --status c") == ["closed_idle", "cancelled"]
    assert _complete("egovnet change list --status w") == ["withdrawn"]
    assert _complete(f"egovnet --inventory {inv} provision --device x") == ["xj-sw1", "xy-r1"]
    assert _complete("egovnet device check ", {"EGOVNET_INVENTORY": inv}) == ["zjj-sw1", "hx-sw1", "xj-sw1", "xy-r1"]
    assert _complete("egovnet usage collect --device z", {"EGOVNET_INVENTORY": str(tmp_path)}) == []  # none there
