from conftest import ok


def test_demo_runs_the_workflow_and_cleans_up(tmp_path, monkeypatch):
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    r = ok("demo", "--json")
    data = r.json()
    assert data["home"] is None
    assert [(a["unit"], a["status"], a["link_id"]) for a in data["applications"]] == [
        ("朱家角镇张马村村民委员会", "active", 1), ("朱家角镇张马村卫生室", "active", 1),
        ("朱家角镇安庄村村民委员会", "submitted", 2)]
    assert data["steps"][9]["result"].startswith("refused: application 3 cannot be approved")
    assert [(p["application"], p["device"], p["status"]) for p in data["provisioning"]] == [
        (1, "zjj-sw1", "applied"), (2, "zjj-sw1", "joined")]
    assert [(st["actor"], st["action"], st["result"]) for st in data["steps"][-8:-5]] == [
        ("dept.zhujiajiao", "change request 1 --bandwidth 100", "change 1, review due 2026-10-10 (Art. 18)"),
        ("bdc.reviewer", "change approve 1", "approved, execution due 2026-10-16"),
        ("bdc.engineer", "change apply 1",
         "applied on zjj-sw1: + interface GigabitEthernet0/0/1 / qos lr inbound cir 100000; "
         "+ interface GigabitEthernet0/0/1 / qos lr outbound cir 100000")]
    # Art. 22: a rate set by hand at the console is found by the drift audit and put back by remediate
    assert [(st["actor"], st["action"], st["result"]) for st in data["steps"][-5:-2]] == [
        ("someone at the console", "interface GigabitEthernet0/0/1 / qos lr inbound cir 10000", "by hand, not saved"),
        ("bdc.engineer", "audit drift --device zjj-sw1",
         "changed_rate interface GigabitEthernet0/0/1: qos lr inbound cir 100000 -> qos lr inbound cir 10000 (Art. 22); "
         "unsaved_config saved configuration: running configuration saved -> not saved: interface GigabitEthernet0/0/1 "
         "(Art. 22)"),
        ("bdc.engineer", "remediate zjj-sw1 --yes",
         "push 3 applied: interface GigabitEthernet0/0/1; qos lr inbound cir 100000; quit; findings 1, 2 resolved")]
    # the Office cuts the shared link off after a security incident, a second Office user restores it (Art. 23)
    assert [(st["actor"], st["action"], st["result"]) for st in data["steps"][-2:]] == [
        ("office.duty", "security disconnect --unit zjj-zhangma",
         "incident 1: zjj-sw1 GigabitEthernet0/0/1 shut down; shared link cut whole, 朱家角镇张马村卫生室 too, "
         "notice 青数〔2026〕4号 (Art. 23)"),
        ("office.head", "security reconnect 1", "port enabled again, remediation recorded, notice 青数〔2026〕5号")]
    assert data["device_config_excerpt"][:2] == ["vlan 101", " description egov-L1-A1-zjj-zhangma"]
    assert data["device_config_excerpt"][-1] == " qos lr outbound cir 100000"
    assert not list(tmp_path.glob("egovnet-demo-*"))
