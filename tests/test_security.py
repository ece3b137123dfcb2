"""The Office's security half (Art. 23, 26) end to end: disconnect and reconnect over real SSH (Netmiko's real
drivers against the device lab; a real Linux router in network namespaces), the block on provisioning and
changes while a unit is cut off, criticism circulars, and the one security list."""

import json
from pathlib import Path

import pytest

from conftest import DEPT, add_unit, fails, file_app, ok, run, sql

UNIT = "朱家角镇张马村村民委员会"
INCIDENT = "终端感染勒索病毒并向政务外网扫描"
REMEDIATION = "已隔离并重装受感染终端，完成漏洞修补和复查"

# one lab device per platform, the town it serves, its first port, and what its interface display says about a
# port that is shut down (the lab's displays follow real captures, tests/data/counters; Huawei: "current state :
# Administratively DOWN" in the Huawei "Troubleshooting Interface Down Problems" guide, EDOC1100086959; IOS:
# "is administratively down, line protocol is down")
PLATFORMS = {
    "huawei": ("zjj-sw1", "朱家角镇", "GigabitEthernet0/0/1", "display interface",
               "current state : Administratively DOWN", "current state : UP"),
    "hp_comware": ("hx-sw1", "华新镇", "GigabitEthernet1/0/1", "display interface",
                   "Current state: Administratively DOWN", "Current state: UP"),
    "huawei_vrpv8": ("xj-sw1", "徐泾镇", "GE1/0/1", "display interface",
                     "current state : Administratively DOWN", "current state : UP"),
    "cisco_ios": ("xy-r1", "夏阳街道", "GigabitEthernet0/1", "show interfaces",
                  "is administratively down, line protocol is down", "is up, line protocol is up"),
}
UNDO = {"cisco_ios": "no shutdown"}


def open_link(town: str = "朱家角镇", name: str = UNIT, code: str = "zjj-zhangma",
              address: str = "青浦区朱家角镇张马村1号") -> dict:
    ok("unit", "add", name, "--category", "village", "--dept", DEPT, "--code", code, "--town", town,
       "--address", address, "--mlps-level", "2", "--mlps-assessed", "2026-03-01")
    app = file_app(code)
    ok("review", "approve", str(app["id"]), user="bdc.reviewer")
    row = ok("provision", str(app["id"]), "--yes", "--json").json()["results"][0]
    assert row["status"] in ("applied", "joined"), row
    return row


def shown(lab, device: str, command: str) -> str:
    """What the device answers over real SSH, through egovnet's Netmiko driver."""
    import os

    from egovnet.inventory import load_inventory
    from egovnet.services.provision import default_driver_factory

    inventory = load_inventory(Path(os.environ["EGOVNET_INVENTORY"]))
    driver = default_driver_factory(inventory)(inventory.device(device))
    driver.open()
    try:
        return driver.show(command)
    finally:
        driver.close()


def counts() -> tuple:
    return (sql("SELECT count(*) FROM security_incident")[0][0], sql("SELECT count(*) FROM push")[0][0],
            sql("SELECT count(*) FROM notice")[0][0], sql("SELECT count(*) FROM event")[0][0])


def paragraphs(path: str) -> list[str]:
    import docx

    return [p.text for p in docx.Document(path).paragraphs if p.text.strip()]


@pytest.fixture
def dept():
    ok("dept", "add", DEPT)


@pytest.mark.parametrize("platform", list(PLATFORMS))
def test_disconnect_cuts_the_port_and_reconnect_restores_it(lab, dept, platform):
    device, town, port, display, down, up = PLATFORMS[platform]
    open_link(town)
    dev = lab.devices[device]
    assert up in shown(lab, device, f"{display} {port}")
    r = ok("security", "disconnect", "--unit", "zjj-zhangma", "--incident", INCIDENT, "--yes", "--json",
           user="office.duty")
    data = r.json()
    cut = data.pop("cut")
    notice = data.pop("notice")
    stamp = data.pop("disconnected_at")
    assert stamp is not None
    assert data == {"kind": "incident", "id": 1, "state": "disconnected", "unit": UNIT, "links": [1],
                    "units_cut_off": [UNIT], "scope": "unit", "incident": INCIDENT, "opened_by": "office.duty",
                    "opened_on": "2026-09-28", "disconnected_by": "office.duty", "reconnected_by": None,
                    "reconnected_at": None, "cut_off_seconds": data["cut_off_seconds"], "cut_off": data["cut_off"],
                    "remediation": None, "pushes": [2], "reconnect_pushes": [], "error": None, "article": 23,
                    "shared_with": {}}
    assert [(c["link"], c["device"], c["port"], c["push"], c["changed"], c["failed"]) for c in cut] == [
        (1, device, port, 2, True, False)]
    # the device's own state, read back over SSH: the port is administratively down, and saved that way
    assert "shutdown" in dev.section(f"interface {port}")
    assert dev.saved == dev.running_text()
    assert down in shown(lab, device, f"{display} {port}")
    assert (notice["kind"], notice["main_to"], notice["copy_to"]) == ("disconnect", [UNIT], [DEPT, "青浦区大数据中心"])
    assert ok("push", "show", "2", "--json").json()["status"] == "applied"

    r = ok("security", "reconnect", "1", "--remediation", REMEDIATION, "--yes", "--json", user="office.head")
    data = r.json()
    assert (data["state"], data["reconnected_by"], data["remediation"], data["reconnect_pushes"]) == (
        "reconnected", "office.head", REMEDIATION, [3])
    assert [(c["link"], c["port"], c["failed"]) for c in data["restored"]] == [(1, port, False)]
    assert "shutdown" not in dev.section(f"interface {port}") and dev.saved == dev.running_text()
    assert up in shown(lab, device, f"{display} {port}")
    assert UNDO.get(platform, "undo shutdown") in dev.commands()


def test_only_the_office_disconnects_and_the_unit_stays_blocked_until_another_office_user_reconnects(lab, dept):
    open_link()
    dev = lab.devices["zjj-sw1"]
    before, config = counts(), dev.running_text()
    r = fails(3, "security", "disconnect", "--unit", "zjj-zhangma", "--incident", INCIDENT, "--yes",
              user="bdc.engineer")
    assert r.err == ("Error: user 'bdc.engineer' may not disconnect a unit from the extranet: that needs role "
                     "'office' (区政务服务办公室) (Art. 23); 'bdc.engineer' has bdc; assign it under roles.users in "
                     "policies.yaml, or act as another user (EGOVNET_USER)\n")
    assert counts() == before and dev.running_text() == config

    ok("security", "disconnect", "--unit", "zjj-zhangma", "--incident", INCIDENT, "--yes", user="office.duty")
    # a second disconnect of the same unit is refused, naming the incident
    r = fails(1, "security", "disconnect", "--unit", "zjj-zhangma", "--incident", INCIDENT, "--yes",
              user="office.head")
    assert r.err == ("Error: unit 朱家角镇张马村村民委员会 is already cut off under security incident 1 "
                     "(disconnected, Art. 23); see 'egovnet security show 1'\n")
    block = ("is cut off the extranet by the Office under security incident 1 (disconnected, Art. 23); it comes "
             "back only after 'egovnet security reconnect 1 --remediation TEXT' by the Office (see 'egovnet "
             "security show 1')\n")
    # a change of its link, and a second unit joining the cut link, are refused
    r = fails(3, "change", "request", "1", "--bandwidth", "100", "--reason", "视频会议扩容", user="dept.zhujiajiao")
    assert r.err == f"Error: a change request for link 1 is refused: {UNIT} {block}"
    ok("unit", "add", "朱家角镇张马村卫生室", "--category", "village", "--dept", DEPT, "--code", "zjj-ws",
       "--town", "朱家角镇", "--address", "青浦区朱家角镇张马村1号", "--mlps-level", "2", "--mlps-assessed", "2026-03-01")
    app = file_app("zjj-ws")
    ok("review", "approve", str(app["id"]), user="bdc.reviewer")
    r = fails(3, "provision", str(app["id"]), "--yes")
    assert r.err == f"Error: provisioning application {app['id']} is refused: {UNIT} {block}"
    # the cron run leaves it for later and refuses nothing else
    assert ok("provision", "--all-approved", "--yes", "--json").json()["results"] == []

    before = counts()
    r = fails(3, "security", "reconnect", "1", "--remediation", REMEDIATION, "--yes", user="office.duty")
    assert r.err == ("Error: user 'office.duty' disconnected security incident 1 and may not also reconnect it "
                     "(separation of duties, Art. 23; security.reconnect_separation in the policy); another Office "
                     "user must\n")
    fails(3, "security", "reconnect", "1", "--remediation", REMEDIATION, "--yes", user="bdc.engineer")
    assert counts() == before and "shutdown" in dev.section("interface GigabitEthernet0/0/1")

    ok("security", "reconnect", "1", "--remediation", REMEDIATION, "--yes", user="office.head")
    assert ok("provision", str(app["id"]), "--yes", "--json").json()["results"][0]["status"] == "joined"
    ok("change", "request", "1", "--bandwidth", "100", "--reason", "视频会议扩容", user="dept.zhujiajiao")
    r = fails(3, "security", "reconnect", "1", "--remediation", REMEDIATION, "--yes", user="office.head")
    assert r.err == ("Error: security incident 1 is reconnected, not disconnected: it was reconnected by "
                     "office.head\n")


def test_separation_off_lets_the_same_office_user_reconnect(lab, dept):
    policy = Path.cwd() / "policies.yaml"
    policy.write_text(policy.read_text(encoding="utf-8").replace("reconnect_separation: true",
                                                                 "reconnect_separation: false"), encoding="utf-8")
    open_link()
    ok("security", "disconnect", "--unit", "zjj-zhangma", "--incident", INCIDENT, "--yes", user="office.duty")
    r = ok("security", "reconnect", "1", "--remediation", REMEDIATION, "--yes", "--json", user="office.duty")
    assert (r.json()["state"], r.json()["reconnected_by"]) == ("reconnected", "office.duty")


def test_a_shared_link_is_cut_whole_and_the_output_and_notice_say_so(lab, dept):
    open_link()
    other = "朱家角镇张马村卫生室"
    row = open_link(name=other, code="zjj-ws", address="青浦区朱家角镇张马村1号")
    assert (row["link"], row["status"]) == (1, "joined")
    r = ok("security", "disconnect", "--unit", "zjj-zhangma", "--incident", INCIDENT, "--yes", user="office.duty")
    assert r.out == "1\n"
    lines = r.err.splitlines()
    assert lines[0] == (f"security incident 1: {UNIT}、{other} cut off the extranet (Art. 23); reconnect with "
                        "'egovnet security reconnect 1 --remediation TEXT'")
    assert lines[1] == "link 1: cut off on zjj-sw1 port GigabitEthernet0/0/1 (push 2)"
    assert lines[2] == (f"Warning: link 1 is shared (Art. 14) and its device cannot cut one unit's part: the whole "
                        f"link is cut off, so {other} lose access with it")
    show = ok("security", "show", "1", "--json", user="office.head").json()
    assert (show["scope"], show["units_cut_off"], show["shared_with"]) == ("shared_link", [UNIT, other], {"1": [other]})
    [notice] = show["notices"]
    assert (notice["main_to"], notice["copy_to"]) == ([UNIT], [DEPT, other, "青浦区大数据中心"])
    text = paragraphs(notice["docx"])
    assert "关于中断电子政务外网连接的通知" in text
    assert any("整条链路一并中断" in p and other in p for p in text)
    # the other unit is blocked too: it lost its access with the link
    r = fails(3, "change", "request", "1", "--release", "zjj-ws", "--reason", "搬迁", user="dept.zhujiajiao")
    assert r.err.startswith(f"Error: a change request for link 1 is refused: {UNIT}、{other} is cut off")


def test_notices_are_official_documents_of_the_office(lab, dept):
    open_link()
    ok("security", "disconnect", "--unit", "zjj-zhangma", "--incident", INCIDENT, "--yes", user="office.duty")
    ok("security", "reconnect", "1", "--remediation", REMEDIATION, "--yes", user="office.head")
    notices = ok("security", "show", "1", "--json", user="office.duty").json()["notices"]
    assert [(n["kind"], n["no"], n["main_to"], n["copy_to"]) for n in notices] == [
        ("disconnect", "青数〔2026〕2号", [UNIT], [DEPT, "青浦区大数据中心"]),
        ("reconnect", "青数〔2026〕3号", [UNIT], [DEPT, "青浦区大数据中心"])]
    cut, back = (paragraphs(n["docx"]) for n in notices)
    assert f"{UNIT}：" in cut and "主送" not in " ".join(cut[:2])
    assert any(INCIDENT in p and "第二十三条" in p for p in cut)
    assert any(p.startswith("抄送：") and DEPT in p and "青浦区大数据中心" in p for p in cut)
    assert "青浦区政务服务办公室" in cut            # signed by the Office, not the BDC
    assert any(REMEDIATION in p for p in back) and any(p.startswith("抄送：") for p in back)


def test_hostile_input_gets_one_error_line_and_writes_nothing(lab, dept):
    open_link()
    dev = lab.devices["zjj-sw1"]
    before, config = counts(), dev.running_text()
    r = fails(3, "security", "disconnect", "--unit", "zjj-zhangma", "--incident", "病毒\nshutdown all", "--yes",
              user="office.duty")
    assert r.err == ("Error: incident has a line break; write it on one line (it is quoted in the written notice "
                     "and in 'egovnet security list')\n")
    r = fails(1, "security", "disconnect", "--unit", "no-such-unit", "--incident", INCIDENT, "--yes",
              user="office.duty")
    assert r.err == "Error: unit 'no-such-unit' not found (by name or code); see 'egovnet unit list'\n"
    fails(2, "security", "disconnect", "--unit", "zjj-zhangma", "--link", "1", "--incident", INCIDENT, "--yes",
          user="office.duty")
    fails(3, "security", "disconnect", "--unit", "zjj-zhangma", "--incident", INCIDENT, user="office.duty")  # no --yes
    fails(1, "security", "reconnect", "9", "--remediation", REMEDIATION, "--yes", user="office.head")
    fails(3, "security", "criticize", "zjj-zhangma", "--ground", "2", "--facts", "漏洞\n未修复", user="office.duty")
    assert counts() == before and dev.running_text() == config


def test_criticism_notice_to_the_unit_and_its_department(lab, dept):
    open_link()
    before = counts()
    r = fails(3, "security", "criticize", "zjj-zhangma", "--ground", "2", "--facts", "高危漏洞通报后30日未修复",
              user="bdc.engineer")
    assert "needs role 'office' (区政务服务办公室) (Art. 26)" in r.err
    assert run("security", "criticize", "zjj-zhangma", "--ground", "4", "--facts", "x", user="office.duty").code == 2
    assert counts() == before
    data = ok("security", "criticize", "zjj-zhangma", "--ground", "2", "--facts", "高危漏洞通报后30日未修复",
              "--json", user="office.duty").json()
    notice = data.pop("notice")
    assert data == {"kind": "criticism", "id": 1, "unit": UNIT, "ground": 2,
                    "ground_text": "出现网络安全缺陷、漏洞等风险未立即采取补救措施的", "facts": "高危漏洞通报后30日未修复",
                    "decided_by": "office.duty", "decided_on": "2026-09-28", "article": 26}
    assert (notice["no"], notice["kind"], notice["main_to"], notice["copy_to"]) == (
        "青数〔2026〕2号", "criticism", [UNIT, DEPT], ["青浦区大数据中心"])
    text = paragraphs(notice["docx"])
    assert f"关于对{UNIT}予以通报批评的通报" in "".join(text)
    assert any("第二十六条第（二）项" in p and "出现网络安全缺陷、漏洞等风险未立即采取补救措施的" in p for p in text)
    assert any(p.startswith("抄送：") and "青浦区大数据中心" in p for p in text)
    assert "青浦区政务服务办公室" in text
    # a corrected copy keeps the Office as its issuer and the same recipients
    again = ok("notice", "reissue", "青数〔2026〕2号", "--reason", "更正单位名称", "--json").json()
    assert (again["no"], again["kind"], again["main_to"], again["copy_to"]) == (
        "青数〔2026〕3号", "criticism", [UNIT, DEPT], ["青浦区大数据中心"])
    text = paragraphs(again["docx"])
    assert "青浦区政务服务办公室" in text and any("更正并替代青数〔2026〕2号" in p for p in text)


def test_one_security_list_for_the_office(lab, dept):
    open_link()
    ok("security", "disconnect", "--unit", "zjj-zhangma", "--incident", INCIDENT, "--yes", user="office.duty")
    ok("security", "criticize", "zjj-zhangma", "--ground", "1", "--facts", "内网终端中毒导致扫描", user="office.duty")
    # a device presenting another host key: the push is refused and the Office sees a security event
    import asyncssh

    kh = Path.cwd() / "inventory" / "known_hosts"
    saved = kh.read_text()
    other = asyncssh.generate_private_key("ssh-ed25519").export_public_key("openssh").decode().strip()
    kh.write_text("\n".join(f"{line.split()[0]} {other}" for line in saved.splitlines()) + "\n")
    fails(1, "security", "reconnect", "1", "--remediation", REMEDIATION, "--yes", user="office.head")
    kh.write_text(saved)
    rows = ok("security", "list", "--json", user="office.duty").json()
    # newest first
    assert [(r["kind"], r["id"], r["state"], r["subject"], r["article"]) for r in rows] == [
        ("event", rows[0]["id"], "host_key_mismatch", "zjj-sw1", 20), ("criticism", 1, "issued", UNIT, 26),
        ("incident", 1, "disconnected", UNIT, 23)]
    assert "presented a host key that differs" in rows[0]["detail"]
    assert rows[2]["detail"] == INCIDENT and rows[2]["cut_off"].endswith("min")
    assert [r["id"] for r in ok("security", "list", "--state", "disconnected", "--json", user="office.duty").json()] == [1]
    assert ok("security", "list", "--state", "reconnected", "--json", user="office.duty").json() == []
    fails(2, "security", "list", "--state", "closed", user="office.duty")  # a typo in a choice: usage
    table = ok("security", "list", user="office.duty").out
    assert "security (Art. 23, 26)" in table and INCIDENT in table
    # every state change is in the event log with its article
    events = ok("log", "list", "--json").json()
    mine = sorted((e["object"], e["action"], e["article"]) for e in events
                  if e["object"].startswith(("security_incident", "criticism", "device")))
    assert mine == [("criticism:1", "decide", 26), ("device:0", "host_key_mismatch", 20),
                    ("security_incident:1", "disconnect", 23), ("security_incident:1", "open", 23),
                    ("security_incident:1", "reconnect_failed", 23)]
    ok("log", "verify")


# ---- the Linux router in network namespaces: ping stops and comes back -------------------------------------

def _linux_router():
    from linux_router import unavailable

    return unavailable()


@pytest.mark.netns
@pytest.mark.skipif(_linux_router() is not None, reason=f"Linux router test: {_linux_router()}")
def test_linux_router_disconnect_stops_the_ping_and_reconnect_brings_it_back(tmp_path, monkeypatch):
    from linux_router import CORE_HOST, LinuxRouter

    r = LinuxRouter(tmp_path / "router")
    try:
        r.start()
        inv = r.write_inventory(tmp_path / "inventory")
        monkeypatch.setenv("EGOVNET_INVENTORY", str(inv))
        ok("dept", "add", DEPT)
        open_link("金泽镇", "金泽镇东西村村民委员会", "jz-dongxi", "青浦区金泽镇东西村1号")
        r.give_unit_address("198.18.16.2", 29, "198.18.16.1")
        assert r.ping("unit", CORE_HOST, tries=3)
        before = r.state()
        ok("security", "disconnect", "--unit", "jz-dongxi", "--incident", INCIDENT, "--yes", user="office.duty")
        state = r.state()
        assert "chain cut_forward {" in state and 'iifname "ru0" drop' in state and "chain cut_input {" in state
        assert not r.ping("unit", CORE_HOST, tries=2)       # the unit is cut off (Art. 23)
        assert not r.ping("core", "198.18.16.2")             # and nothing reaches it
        fails(3, "security", "reconnect", "1", "--remediation", REMEDIATION, "--yes", user="office.duty")
        ok("security", "reconnect", "1", "--remediation", REMEDIATION, "--yes", user="office.head")
        assert r.ping("unit", CORE_HOST, tries=5)
        assert "cut_forward" not in r.state() and "cut_input" not in r.state()
        from egovnet.devices.platforms import get

        assert get("linux").same(r.state(), before)         # the link's own rules exactly as they were
    finally:
        r.stop()


def test_disconnect_by_link_cuts_every_unit_on_it(lab, dept):
    open_link()
    other = "朱家角镇张马村卫生室"
    open_link(name=other, code="zjj-ws", address="青浦区朱家角镇张马村1号")
    data = ok("security", "disconnect", "--link", "1", "--incident", INCIDENT, "--yes", "--json",
              user="office.duty").json()
    assert (data["scope"], data["unit"], data["units_cut_off"], data["shared_with"]) == ("link", None, [UNIT, other], {})
    assert (data["notice"]["main_to"], data["notice"]["copy_to"]) == ([UNIT, other], [DEPT, "青浦区大数据中心"])
    assert "shutdown" in lab.devices["zjj-sw1"].section("interface GigabitEthernet0/0/1")
    add_unit("朱家角镇安庄村村民委员会", "zjj-anzhuang", address="青浦区朱家角镇安庄村1号")
    assert file_app("zjj-anzhuang")["link_id"] == 2   # filed, not built
    r = fails(3, "security", "disconnect", "--link", "2", "--incident", INCIDENT, "--yes", user="office.duty")
    assert r.err == ("Error: link 2 is requested, not active: nothing of it carries traffic to cut off (Art. 23)\n")
    r = fails(1, "security", "disconnect", "--link", "9", "--incident", INCIDENT, "--yes", user="office.duty")
    assert r.err == "Error: link 9 not found; see 'egovnet link list'\n"


def test_a_policy_without_the_three_grounds_names_file_line_and_key(tmp_path):
    policy = Path.cwd() / "policies.yaml"
    text = policy.read_text(encoding="utf-8")
    policy.write_text(text.replace("      3: 拒绝、阻碍有关部门依法实施监督检查的\n", ""), encoding="utf-8")
    r = fails(1, "policy", "check")
    line = next(n for n, ln in enumerate(policy.read_text(encoding="utf-8").splitlines(), 1) if ln == "  criticism:")
    assert r.err == (f"Error: policies.yaml:{line}: security.criticism: grounds: Art. 26 lists exactly the grounds 1, 2 "
                     "and 3; found [1, 2]\n")


def test_a_cut_the_device_refuses_is_rolled_back_and_the_same_disconnect_tries_again(lab, dept):
    open_link()
    dev = lab.devices["zjj-sw1"]
    config = dev.running_text()
    dev.faults.error_on = r"^shutdown$"
    r = fails(1, "security", "disconnect", "--unit", "zjj-zhangma", "--incident", INCIDENT, "--yes",
              user="office.duty")
    assert r.err.startswith("Error: security incident 1: the cut did not go through: link 1 on zjj-sw1: ")
    assert r.err.endswith("the units stay blocked (Art. 23); run the same 'egovnet security disconnect' again to "
                          "retry\n")
    assert dev.running_text() == config                     # rolled back: the device is as it was
    show = ok("security", "show", "1", "--json", user="office.duty").json()
    assert (show["state"], show["pushes"], show["notices"]) == ("open", [2], [])
    assert ok("push", "show", "2", "--json").json()["status"] == "rolled_back"
    fails(3, "change", "request", "1", "--bandwidth", "100", "--reason", "扩容", user="dept.zhujiajiao")  # blocked
    dev.faults.error_on = None
    data = ok("security", "disconnect", "--unit", "zjj-zhangma", "--incident", INCIDENT, "--yes", "--json",
              user="office.duty").json()
    assert (data["id"], data["state"], data["pushes"], data["error"]) == (1, "disconnected", [2, 3], None)
    assert "shutdown" in dev.section("interface GigabitEthernet0/0/1")


def test_the_nightly_reading_that_meets_a_changed_host_key_is_a_security_event(lab, dept):
    open_link()
    import asyncssh

    kh = Path.cwd() / "inventory" / "known_hosts"
    other = asyncssh.generate_private_key("ssh-ed25519").export_public_key("openssh").decode().strip()
    kh.write_text("\n".join(f"{line.split()[0]} {other}" for line in kh.read_text().splitlines()) + "\n")
    r = run("usage", "collect", "--json")
    assert r.code != 0 and "presented a host key that differs" in r.out + r.err
    rows = ok("security", "list", "--json", user="office.duty").json()
    assert [(x["kind"], x["state"], x["subject"], x["article"]) for x in rows] == [
        ("event", "host_key_mismatch", "zjj-sw1", 20)]


def test_drift_events_of_the_event_log_join_the_list_and_show_reads_as_a_table(lab, dept):
    open_link()
    from egovnet.services import events
    from egovnet.services.context import Ctx
    from egovnet.settings import Settings
    from egovnet.state.db import unit_of_work

    ctx = Ctx.from_settings(Settings.resolve())
    with unit_of_work(ctx.engine) as s:  # what 'audit drift' records for a finding (another part of egovnet)
        events.record(s, ctx, "link", 1, "drift.found", role="bdc", article=22,
                      after={"device": "zjj-sw1", "object": "interface GigabitEthernet0/0/1", "actual": "qos lr 8000"})
        events.record(s, ctx, "link", 1, "open_port", role="bdc", article=12, after={"port": "x"})  # not security
    rows = ok("security", "list", "--json", user="office.duty").json()
    assert [(x["kind"], x["state"], x["subject"], x["article"]) for x in rows] == [
        ("event", "drift.found", "zjj-sw1", 22)]
    ok("security", "disconnect", "--unit", "zjj-zhangma", "--incident", INCIDENT, "--yes", user="office.duty")
    out = ok("security", "show", "1", user="office.duty").out
    assert "security incident 1 (Art. 23)" in out and "time cut off" in out and INCIDENT in out
    csv = ok("security", "list", "--format", "csv", user="office.duty").out.splitlines()
    assert csv[0] == "\ufeffkind,id,on,state,unit / object,cut off,Art.,incident / ground / event"
    assert [line.split(",")[0] for line in csv[1:]] == ["incident", "event"]


def test_reopening_a_closed_link_of_a_unit_cut_off_waits_for_the_reconnect(lab, dept):
    from conftest import quiet_days

    open_link()
    ok("security", "disconnect", "--unit", "zjj-zhangma", "--incident", INCIDENT, "--yes", user="office.duty")
    quiet_days(1, "2026-09-29", "2026-12-27")  # never used: Art. 15 closes it in the meantime
    closed = ok("--today", "2026-12-28", "audit", "idle", "--close", "--yes", "--json").json()
    assert [c["link"] for c in closed["closed"]] == [1]
    r = fails(3, "--today", "2026-12-29", "apply", "--reopen", "1", "--reason", "村务公开系统上线",
              user="dept.zhujiajiao")
    assert r.err.startswith(f"Error: reopening link 1 is refused: {UNIT} is cut off the extranet by the Office under "
                            "security incident 1 (disconnected, Art. 23)")
    # the reconnect restores nothing on a closed link, but lifts the block
    data = ok("--today", "2026-12-29", "security", "reconnect", "1", "--remediation", REMEDIATION, "--yes", "--json",
              user="office.head").json()
    assert (data["state"], data["restored"]) == ("reconnected", [])
    ok("--today", "2026-12-29", "apply", "--reopen", "1", "--reason", "村务公开系统上线", user="dept.zhujiajiao")


def test_the_emergency_cut_goes_through_on_a_device_whose_isolation_acl_lost_its_deny(lab, dept):
    # a unit's port is shut although the device is no longer ready for new links (Art. 3): cutting exposure
    # off is what Art. 23 is for, whatever else is wrong on the device
    from test_drift import by_hand

    open_link()
    dev = lab.devices["zjj-sw1"]
    by_hand(lab, "zjj-sw1", ["acl number 3999", "undo rule 10"], save=True)
    data = ok("security", "disconnect", "--unit", "zjj-zhangma", "--incident", INCIDENT, "--yes", "--json",
              user="office.duty").json()
    assert (data["state"], data["error"]) == ("disconnected", None)
    assert "shutdown" in dev.section("interface GigabitEthernet0/0/1")



@pytest.mark.parametrize("group", ["security", "security check", "audit", "ticket", "monitor"])
def test_a_group_lists_each_command_with_its_whole_first_line_not_cut_at_art(group):
    # click ends a command's help line at the first word ending in '.', which is 'Art.' in '(Art. 23)'
    out = ok(*group.split(), "--help").out
    listing = out.split("Commands:")[1].splitlines()
    assert listing and not any(line.rstrip().endswith(("Art.", "...")) for line in listing), out
