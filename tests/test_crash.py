"""Pushes that survive a crash: egovnet killed with SIGKILL at each journal stage, in a real process, against a
device lab served by another process; the next run finishes or undoes what it left. And leases: two real
egovnet processes never push the same device or application at once."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

from conftest import DEPT, fails, file_app, ok

HERE = Path(__file__).resolve().parent
STAGES = ["planned", "pushing", "verified", "applied"]
# lines that move between views or modes; every other line a push sends is configuration
NAV = {"quit", "return", "system-view", "commit", "exit", "end", "configure terminal"}
TOWN = {"zjj-sw1": "朱家角镇", "hx-sw1": "华新镇", "xj-sw1": "徐泾镇", "xy-r1": "夏阳街道"}


class ExtLab:
    """tests/lab_process.py: the sample lab in its own process; its devices' state read back as JSON."""

    def __init__(self, folder: Path):
        self.proc = subprocess.Popen([sys.executable, str(HERE / "lab_process.py"), str(folder)],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout.readline().strip() == "READY"

    def dump(self) -> dict:
        self.proc.stdin.write("dump\n")
        self.proc.stdin.flush()
        return json.loads(self.proc.stdout.readline())

    def fault(self, device: str, what: str, regex: str | None) -> None:
        self.proc.stdin.write(f"fault {device} {what} {regex or '-'}\n")
        self.proc.stdin.flush()
        assert self.proc.stdout.readline().strip() == "ok"

    def stop(self) -> None:
        try:
            self.proc.stdin.write("quit\n")
            self.proc.stdin.flush()
            self.proc.wait(10)
        except Exception:
            self.proc.kill()
            self.proc.wait(10)


@pytest.fixture
def extlab(tmp_path, monkeypatch):
    monkeypatch.setenv("EGOVNET_LAB_PASSWORD", "Lab-Secret-7f3a")
    monkeypatch.setenv("EGOVNET_LEASE_WAIT", "30")
    lab = ExtLab(tmp_path / "inventory")
    monkeypatch.setenv("EGOVNET_INVENTORY", str(tmp_path / "inventory"))
    yield lab
    for proc in STARTED:  # a failed test never leaves a paused egovnet behind
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
    STARTED.clear()
    lab.stop()


STARTED: list[subprocess.Popen] = []


class Egovnet:
    """`python -m egovnet ...` in a process of its own; stderr read in a thread, to see where it paused."""

    def __init__(self, *args: str, pause: str | None = None, resume_file: Path | None = None, **env: str):
        e = {k: v for k, v in os.environ.items() if not k.startswith("EGOVNET_TEST_")}
        if pause:
            e["EGOVNET_TEST_PAUSE_AT"] = pause
        if resume_file:
            e["EGOVNET_TEST_RESUME_FILE"] = str(resume_file)
        e.update(env)
        self.proc = subprocess.Popen([sys.executable, "-m", "egovnet", *args], env=e, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        self.pid = self.proc.pid
        STARTED.append(self.proc)
        self.err: list[str] = []
        self.paused = threading.Event()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stderr:
            self.err.append(line)
            if line.startswith("EGOVNET_TEST_PAUSED "):
                self.paused.set()

    def wait_paused(self, timeout: float = 60) -> None:
        assert self.paused.wait(timeout), f"never paused; exit {self.proc.poll()}; stderr: {''.join(self.err)}"

    def kill9(self) -> None:
        os.kill(self.pid, signal.SIGKILL)
        self.proc.wait(10)

    def finish(self, timeout: float = 120) -> tuple[int, str, str]:
        out = self.proc.stdout.read()
        code = self.proc.wait(timeout)
        time.sleep(0.05)
        return code, out, "".join(self.err)


def approved(code: str, device: str = "zjj-sw1") -> int:
    ok("unit", "add", f"{code}村民委员会", "--category", "village", "--dept", DEPT, "--code", code, "--town",
       TOWN[device], "--address", f"青浦区{code}路1号", "--mlps-level", "2", "--mlps-assessed", "2026-03-01")
    app = file_app(code)
    ok("review", "approve", str(app["id"]), user="bdc.reviewer")
    return app["id"]


def journal() -> list[dict]:
    return ok("push", "list", "--json").json()


def config_lines(commands: list[str]) -> list[str]:
    return [" ".join(c.split()) for c in commands if " ".join(c.split()) not in NAV]


def assert_device_sound(extlab, device: str) -> None:
    """Saved config equals running config, and every configuration line the journal says reached the device
    was typed there exactly as often as the applied pushes sent it: nothing pushed twice."""
    state = extlab.dump()[device]
    assert state["saved"] == state["running"]
    expected: Counter = Counter()
    for push in journal():
        if push["device"] == device and push["status"] == "applied":
            expected.update(config_lines(ok("push", "show", str(push["id"]), "--json").json()["commands"]))
    typed = Counter(line for line in state["history"] if line in expected)
    assert typed == expected


def assert_no_open_push_or_lease() -> None:
    assert ok("push", "list", "--open", "--json").json() == []
    from sqlmodel import Session, select

    from egovnet.settings import Settings
    from egovnet.state.db import get_engine
    from egovnet.state.models import Lease

    with Session(get_engine(Settings.resolve())) as s:
        assert s.exec(select(Lease)).all() == []


def kill_at(stage: str, *args: str) -> dict:
    run = Egovnet(*args, pause=stage)
    run.wait_paused()
    run.kill9()
    [left] = ok("push", "list", "--open", "--json").json()
    assert (left["status"], left["state"], left["held_by"]) == (stage, "interrupted", None)
    return left


@pytest.mark.parametrize("stage", STAGES)
def test_provision_killed_then_cron_finishes_it(extlab, stage):
    ok("dept", "add", DEPT)
    approved("zm")
    left = kill_at(stage, "provision", "1", "--yes")
    assert ok("review", "show", "1", "--json").json()["status"] == "provisioning"
    assert ok("link", "show", "1", "--json").json()["status"] == "provisioning"

    r = ok("provision", "--all-approved", "--yes", "--json").json()
    [resumed] = r["resumed"]
    finished = stage in ("verified", "applied")
    assert (resumed["push"], resumed["from"], resumed["status"], resumed["saved"]) == (
        left["id"], stage, "applied" if finished else "rolled_back", stage == "verified")
    # undone before anything was sent: the same run builds it anew, once
    assert [(x["application"], x["status"]) for x in r["results"]] == ([] if finished else [(1, "applied")])
    assert ok("review", "show", "1", "--json").json()["status"] == "active"
    assert ok("link", "show", "1", "--json").json()["status"] == "active"
    assert len(ok("device", "show", "zjj-sw1", "--json").json()["links"]) == 1  # no orphan allocation
    assert_device_sound(extlab, "zjj-sw1")
    assert_no_open_push_or_lease()
    actions = [(e["object"], e["action"]) for e in ok("log", "list", "--json").json()]
    assert ("push:1", "resume") in actions and ("lease:1", "take_over") in actions


@pytest.mark.parametrize("stage", STAGES)
def test_change_apply_killed_then_rerun(extlab, stage):
    ok("dept", "add", DEPT)
    approved("zm")
    ok("provision", "1", "--yes")
    ok("change", "request", "1", "--bandwidth", "100", "--reason", "视频会议扩容", user="dept.zhujiajiao")
    ok("change", "approve", "1", user="bdc.reviewer")
    left = kill_at(stage, "change", "apply", "1", "--yes")
    assert left["change"] == 1 and left["service"] == "change"

    done = ok("change", "apply", "1", "--yes", "--json").json()
    assert (done["status"], done["result"]) == ("applied", "applied")
    assert ok("link", "show", "1", "--json").json()["bandwidth_mbps"] == 100
    state = extlab.dump()["zjj-sw1"]
    assert "qos lr outbound cir 100000" in state["running"] and "qos lr outbound cir 50000" not in state["running"]
    assert len(ok("device", "show", "zjj-sw1", "--json").json()["links"]) == 1
    assert_device_sound(extlab, "zjj-sw1")
    assert_no_open_push_or_lease()


@pytest.mark.parametrize("stage", STAGES)
def test_decommission_killed_then_rerun(extlab, stage):
    ok("dept", "add", DEPT)
    approved("zm")
    ok("provision", "1", "--yes")
    left = kill_at(stage, "decommission", "1", "--reason", "停用", "--yes")
    assert left["action"] == "close"
    assert ok("link", "show", "1", "--json").json()["status"] == "active"  # not recorded yet

    done = ok("decommission", "1", "--reason", "停用", "--yes", "--json").json()
    assert (done["status"], done["freed"]["port"], done["failed"]) == ("decommissioned", "GigabitEthernet0/0/1", False)
    assert ok("link", "show", "1", "--json").json()["status"] == "decommissioned"
    assert ok("device", "show", "zjj-sw1", "--json").json()["links"] == []  # resources back in the pools
    assert "egov-L1" not in extlab.dump()["zjj-sw1"]["running"]
    assert_device_sound(extlab, "zjj-sw1")
    assert_no_open_push_or_lease()


def test_kill_one_of_two_concurrent_runs(extlab, tmp_path):
    """Two real runs pushing at once (two devices); one is killed with SIGKILL after verification. The other's
    push goes on untouched; while the killed one was alive nobody could take its device or application; after,
    the next run finishes it."""
    ok("dept", "add", DEPT)
    approved("zm", "zjj-sw1")
    approved("hx", "hx-sw1")
    approved("zm2", "zjj-sw1")
    go = tmp_path / "go"
    victim = Egovnet("provision", "1", "--yes", pause="verified")
    other = Egovnet("provision", "2", "--yes", "--json", pause="verified", resume_file=go)
    victim.wait_paused()
    other.wait_paused()
    opened = {p["id"]: p for p in ok("push", "list", "--open", "--json").json()}
    assert sorted((p["device"], p["status"], p["state"]) for p in opened.values()) == [
        ("hx-sw1", "verified", "running"), ("zjj-sw1", "verified", "running")]
    holder = next(p["held_by"] for p in opened.values() if p["device"] == "zjj-sw1")
    assert f"pid {victim.pid} on host " in holder and "egovnet provision" in holder

    # the same application, and another one on the busy device: refused at once, naming the holder
    same = Egovnet("provision", "1", "--yes", EGOVNET_LEASE_WAIT="0").finish()
    assert same[0] == 1 and same[2].count("\n") == 1, same
    assert same[2].startswith("Error: application 1 is being pushed by another egovnet run: run ")
    assert f"pid {victim.pid} on host" in same[2]
    busy = Egovnet("provision", "3", "--yes", EGOVNET_LEASE_WAIT="0").finish()
    assert busy[0] == 1 and busy[2].startswith("Error: device zjj-sw1 is being pushed by another egovnet run: run ")
    # resuming a live run's push is refused too; resuming everything finds nothing interrupted
    mine = next(i for i, p in opened.items() if p["device"] == "zjj-sw1")
    assert fails(1, "push", "resume", str(mine)).err.startswith(
        f"Error: push {mine} on zjj-sw1 is not interrupted: its run is still going: run ")
    assert ok("push", "resume", "--all", "--json").json() == []

    victim.kill9()
    go.write_text("")
    code, out, err = other.finish()
    assert code == 0, err
    assert [(r["application"], r["status"]) for r in json.loads(out)["results"]] == [(2, "applied")]
    assert ok("review", "show", "2", "--json").json()["status"] == "active"
    assert_device_sound(extlab, "hx-sw1")

    [left] = ok("push", "list", "--open", "--json").json()
    assert (left["device"], left["status"], left["state"]) == ("zjj-sw1", "verified", "interrupted")
    r = ok("provision", "--all-approved", "--yes", "--json").json()
    assert [(x["from"], x["status"], x["saved"]) for x in r["resumed"]] == [("verified", "applied", True)]
    assert [(x["application"], x["status"]) for x in r["results"]] == [(3, "applied")]
    assert [ok("review", "show", str(i), "--json").json()["status"] for i in (1, 2, 3)] == ["active"] * 3
    assert_device_sound(extlab, "zjj-sw1")
    assert_no_open_push_or_lease()


def test_resume_and_abandon_by_hand(extlab):
    ok("dept", "add", DEPT)
    approved("zm")
    approved("zm2")
    kill_at("verified", "provision", "1", "--yes")
    fails(2, "push", "resume")
    for refused in (("push", "resume", "1"), ("push", "list"), ("push", "show", "1"),
                    ("push", "abandon", "1", "--reason", "x", "--yes")):
        assert fails(3, *refused, user="dept.zhujiajiao").err.startswith("Error: user 'dept.zhujiajiao' may not ")
    assert fails(1, "push", "show", "99").err == "Error: push 99 not found; see 'egovnet push list'\n"
    shown = ok("push", "show", "1", "--json").json()
    assert (shown["status"], shown["state"], shown["backup"] is not None) == ("verified", "interrupted", True)
    [done] = ok("push", "resume", "1", "--json").json()
    assert (done["push"], done["from"], done["status"], done["saved"], done["result"]) == (
        1, "verified", "applied", True, "finished")
    assert done["record"]["status"] == "applied"
    assert ok("review", "show", "1", "--json").json()["status"] == "active"
    assert fails(3, "push", "resume", "1").err.startswith("Error: push 1 is not open: it ended applied")

    # abandon: what the push left is undone on the device, the saved config follows, the application waits
    kill_at("verified", "provision", "2", "--yes")
    before = extlab.dump()["zjj-sw1"]
    assert "egov-L2" in before["running"] and "egov-L2" not in before["saved"]
    fails(3, "push", "abandon", "2", "--reason", "端口故障")  # off a terminal without --yes
    gone = ok("push", "abandon", "2", "--reason", "端口故障", "--yes", "--json").json()
    assert (gone["id"], gone["from"], gone["status"], gone["open"]) == (2, "verified", "abandoned", False)
    assert gone["undone"] and gone["error"] == "abandoned: 端口故障"
    after = extlab.dump()["zjj-sw1"]
    assert "egov-L2" not in after["running"] and after["saved"] == after["running"]
    assert "egov-L1" in after["running"]  # the other link stays
    assert ok("review", "show", "2", "--json").json()["status"] == "approved"
    assert [e["action"] for e in ok("log", "list", "--type", "push", "--json").json()] == ["abandon", "resume"]
    assert_no_open_push_or_lease()


def test_leases_are_released_when_a_run_fails(lab):
    """A push that fails on the device (and is rolled back) ends its run like any other: no lease stays."""
    ok("dept", "add", DEPT)
    approved("zm")
    lab.devices["zjj-sw1"].faults.error_on = r"^qos lr outbound"
    from conftest import run

    r = run("provision", "1", "--yes", "--json")
    assert r.code == 4, r.err
    assert r.json()["results"][0]["status"] == "rolled_back"
    assert_no_open_push_or_lease()


def test_stale_lease_of_another_host_only_after_the_limit(extlab):
    """A lease taken on another host cannot be checked by pid: it is refused until it is older than
    EGOVNET_LEASE_STALE_MINUTES, then taken over."""
    import datetime as dt

    from sqlmodel import Session

    from egovnet.settings import Settings
    from egovnet.state.db import get_engine
    from egovnet.state.models import Lease

    ok("dept", "add", DEPT)
    approved("zm")
    engine = get_engine(Settings.resolve())
    with Session(engine) as s:
        s.add(Lease(object_type="device", object_key="zjj-sw1", run_id="elsewhere01", actor="bdc.engineer",
                    os_user="ops", pid=1, host="bdc-ops2", command="egovnet provision",
                    taken_at=dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=30)))
        s.commit()
    r = Egovnet("provision", "1", "--yes", EGOVNET_LEASE_WAIT="0", EGOVNET_LEASE_STALE_MINUTES="60").finish()
    assert r[0] == 1 and r[2].startswith("Error: device zjj-sw1 is being pushed by another egovnet run: run "
                                         "elsewhere01 (egovnet provision; OS user ops, pid 1 on host bdc-ops2, for "), r
    assert ok("review", "show", "1", "--json").json()["status"] == "approved"
    r = Egovnet("provision", "1", "--yes", EGOVNET_LEASE_WAIT="0", EGOVNET_LEASE_STALE_MINUTES="20").finish()
    assert r[0] == 0, r
    assert ok("review", "show", "1", "--json").json()["status"] == "active"
    assert_no_open_push_or_lease()


@pytest.mark.parametrize("device", ["hx-sw1", "xj-sw1", "xy-r1"])
def test_saved_config_is_read_on_every_platform(extlab, device):
    """Comware and VRPv8 'display saved-configuration', IOS 'show startup-config': a push killed after its
    verification is saved by the next run (the VRP switch is covered above)."""
    ok("dept", "add", DEPT)
    approved("un", device)
    kill_at("verified", "provision", "1", "--yes")
    state = extlab.dump()[device]
    assert "egov-L1" in state["running"] and "egov-L1" not in state["saved"]
    [done] = ok("push", "resume", "--all", "--json").json()
    assert (done["from"], done["status"], done["saved"]) == ("verified", "applied", True)
    assert ok("link", "show", "1", "--json").json()["status"] == "active"
    assert_device_sound(extlab, device)
    # resumed again (nothing open) and the next push on the device: no extra save is needed
    assert ok("push", "resume", "--all", "--json").json() == []


def test_decommission_of_a_link_left_provisioning(extlab):
    """A link a dead run left 'provisioning' is settled first: built (verified on the device), it is saved,
    recorded active and then decommissioned; undone, it is refused as not built."""
    ok("dept", "add", DEPT)
    approved("zm")
    approved("zm2")
    kill_at("verified", "provision", "1", "--yes")
    done = ok("decommission", "1", "--reason", "停用", "--yes", "--json").json()
    assert done["status"] == "decommissioned"
    assert "egov-L1" not in extlab.dump()["zjj-sw1"]["running"]
    assert_device_sound(extlab, "zjj-sw1")

    kill_at("planned", "provision", "2", "--yes")
    assert ok("link", "show", "2", "--json").json()["status"] == "provisioning"
    err = fails(3, "decommission", "2", "--reason", "停用", "--yes").err
    assert err.startswith("Error: link 2 is approved; only an active link or one closed for non-use is "
                          "decommissioned; it is not built yet")
    assert ok("review", "show", "2", "--json").json()["status"] == "approved"
    assert_no_open_push_or_lease()


@pytest.mark.parametrize("stage", ["verified", "applied"])
def test_idle_closure_killed_then_rerun(extlab, stage, _home):
    """Art. 15 closure killed after the port was shut: the next cron run saves it and writes the notices."""
    ok("dept", "add", DEPT)
    approved("zm")
    ok("provision", "1", "--yes")
    # complete usage data showing no use for the three months, as the monitoring system exports it
    import datetime as dt

    days = [dt.date(2026, 9, 28) + dt.timedelta(days=i) for i in range(91)]
    quiet = Path.cwd() / "quiet.csv"
    quiet.write_text("link,date,bytes_in,bytes_out\n" + "".join(f"L1,{d},0,0\n" for d in days), encoding="utf-8")
    ok("--today", "2026-12-28", "usage", "import", str(quiet))
    kill_at(stage, "--today", "2026-12-28", "audit", "idle", "--close", "--yes")
    assert ok("link", "show", "1", "--json").json()["status"] == "active"
    r = ok("--today", "2026-12-28", "audit", "idle", "--close", "--yes", "--json").json()
    assert [(x["action"], x["from"], x["status"], x["saved"]) for x in r["resumed"]] == [
        ("shutdown", stage, "applied", stage == "verified")]
    assert r["closed"] == [] and r["failed"] == []
    # one numbered notice: the unit as 主送, its department as 抄送
    assert [(n["kind"], n["main_to"], n["copy_to"]) for n in r["resumed"][0]["record"]["notices"]] == [
        ("idle_closure", ["zm村民委员会"], [DEPT])]
    assert ok("link", "show", "1", "--json").json()["status"] == "closed_idle"
    assert_device_sound(extlab, "zjj-sw1")
    assert_no_open_push_or_lease()


def test_a_rerun_with_nothing_to_push_still_saves_an_unsaved_change(lab):
    """The bug this journal fixes: a rerun that finds the config on the device used to skip 'save'. Now, with
    nothing to push, it still compares the job's lines with the saved config and saves when they are missing."""
    ok("dept", "add", DEPT)
    approved("zm")
    dev = lab.devices["zjj-sw1"]
    factory = dev.saved
    ok("provision", "1", "--yes")
    assert dev.saved == dev.running_text()
    dev.saved = factory  # as if the save had never happened
    sent = len(dev.history)
    again = ok("provision", "1", "--yes", "--json").json()["results"][0]
    assert (again["status"], again["changed"]) == ("unchanged", False)
    assert dev.saved == dev.running_text()
    typed = dev.commands()[sent:]
    assert "display saved-configuration" in typed and "save" in typed
    assert not any(c.startswith(("interface", "vlan", " ")) for c in typed)
    # saved and complete: a third run reads the saved config and does not save again
    sent = len(dev.history)
    ok("provision", "1", "--yes")
    assert "save" not in dev.commands()[sent:]


def test_killed_half_way_through_the_commands(extlab):
    """Killed while the device had taken part of the commands (journal 'pushing'): the next run cannot finish a
    half push, so it undoes the part that reached the device against the backup, then builds the link anew."""
    ok("dept", "add", DEPT)
    approved("zm")
    extlab.fault("zjj-sw1", "hang_on", r"^port default vlan")  # the device stops answering half-way
    run = Egovnet("provision", "1", "--yes")
    deadline = time.monotonic() + 30
    while "port default vlan 101" not in extlab.dump()["zjj-sw1"]["history"]:
        assert time.monotonic() < deadline and run.proc.poll() is None, "".join(run.err)
        time.sleep(0.05)
    run.kill9()  # before Netmiko's read timeout would have made it roll back by itself
    extlab.fault("zjj-sw1", "hang_on", None)
    [left] = ok("push", "list", "--open", "--json").json()
    assert (left["status"], left["state"]) == ("pushing", "interrupted")
    half = extlab.dump()["zjj-sw1"]
    assert "egov-L1" in half["running"] and "egov-L1" not in half["saved"]

    r = ok("provision", "--all-approved", "--yes", "--json").json()
    [undone] = r["resumed"]
    assert (undone["from"], undone["status"], undone["result"]) == ("pushing", "rolled_back", "undone")
    assert ok("push", "show", str(left["id"]), "--json").json()["rollback"] != []
    assert [(x["application"], x["status"]) for x in r["results"]] == [(1, "applied")]
    state = extlab.dump()["zjj-sw1"]
    assert state["saved"] == state["running"]
    assert state["running"].count("description egov-L1-A1-zm") == 3  # VLAN, Vlanif, port: once each
    assert len(ok("device", "show", "zjj-sw1", "--json").json()["links"]) == 1
    assert_no_open_push_or_lease()
