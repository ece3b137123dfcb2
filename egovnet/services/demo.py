"""`egovnet demo`: the whole workflow on a throw-away home, so a newcomer sees it work."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import replace
from pathlib import Path

from egovnet.errors import EgovnetError
from egovnet.settings import PACKAGED_POLICY, Settings

DEPT = "朱家角镇人民政府"
UNITS = [
    # name, code, address, MLPS level, MLPS date
    ("朱家角镇张马村村民委员会", "zjj-zhangma", "青浦区朱家角镇张马村沈太路1号", 2, "2026-03-01"),
    ("朱家角镇张马村卫生室", "zjj-zhangma-ws", "上海市青浦区朱家角镇张马村沈太路1号", 2, "2026-03-01"),
    ("朱家角镇安庄村村民委员会", "zjj-anzhuang", "青浦区朱家角镇安庄村1号", None, None),
]


def run_demo(base: Settings, keep: bool = False, step=None) -> dict:
    """Unit -> apply -> review, acting in turn as a department clerk and two BDC engineers."""
    from egovnet.calendar import WorkCalendar
    from egovnet.services import applications as apps
    from egovnet.services import directory
    from egovnet.services.context import Ctx
    from egovnet.lab.server import require_asyncssh
    from egovnet.state.db import dispose_all, get_engine

    require_asyncssh()  # before any step: the demo provisions on the lab
    step = step or (lambda text: None)
    home = Path(tempfile.mkdtemp(prefix="egovnet-demo-"))
    # the demo plays three people from one login: the packaged policy with `identity: declared`, in its own home
    demo_policy = home / "policies.yaml"
    demo_policy.write_text(PACKAGED_POLICY.read_text(encoding="utf-8").replace("\nidentity: os\n",
                                                                                "\nidentity: declared\n"),
                           encoding="utf-8")
    settings = replace(base, home=home, db_url=f"sqlite:///{home / 'egovnet.db'}", policy_path=demo_policy,
                       _policy=None)
    policy = settings.policy()
    engine = get_engine(settings)

    def as_user(user: str) -> Ctx:
        return Ctx(engine=engine, policy=policy, calendar=WorkCalendar.from_policy(policy), today=settings.today,
                   user=user, home=home, inventory=settings.inventory)

    steps: list[dict] = []

    def log(actor: str, action: str, result: str) -> None:
        steps.append({"step": len(steps) + 1, "actor": actor, "action": action, "result": result})
        step(f"{actor}: {action} -> {result}")

    try:
        bdc, reviewer, clerk = as_user("bdc.engineer"), as_user("bdc.reviewer"), as_user("dept.zhujiajiao")
        directory.add_dept(bdc, DEPT, "朱家角镇 信息办")
        log("bdc.engineer", f"dept add {DEPT}", "ok")
        for name, code, address, level, assessed in UNITS:
            from egovnet.settings import parse_date

            u = directory.add_unit(clerk, directory.UnitInput(
                name=name, code=code, category="village", dept=DEPT, town="朱家角镇", address=address,
                budget_unit=True, mlps_level=level, mlps_assessed=parse_date(assessed) if assessed else None,
                contact="村委会 网络联系人"))
            log("dept.zhujiajiao", f"unit add {u['name']}", f"code {u['code']}")
        filed = []
        for _name, code, *_ in UNITS:
            a = apps.file_application(clerk, apps.ApplicationInput(
                unit=code, basis="区政府关于推进居村组织接入政务外网的工作要求", scope="村委会办公区",
                mode="dedicated", purpose="一网通办、一网统管村级应用", bandwidth_mbps=50,
                technical="千兆光纤接入，政务外网VPN实例隔离", time_requirement="尽快", cost_bearer="budget"))
            shared = f", joins link {a['shared_link']['link']} (Art. 14)" if a["shared_link"] else ""
            log("dept.zhujiajiao", f"apply --unit {code}", f"application {a['id']}, review due {a['review_due']}{shared}")
            filed.append(a["id"])
        for app_id in filed:
            try:
                a = apps.approve(reviewer, app_id)
                log("bdc.reviewer", f"review approve {app_id}", f"approved, construction due {a['construction_due']}")
            except EgovnetError as exc:
                log("bdc.reviewer", f"review approve {app_id}", f"refused: {exc}")
        excerpt, results = _provision_on_lab(as_user, home, log)
        final = apps.list_applications(bdc)
        return {"home": str(home) if keep else None, "steps": steps, "applications": final,
                "provisioning": results, "device_config_excerpt": excerpt}
    finally:
        dispose_all()
        if not keep:
            shutil.rmtree(home, ignore_errors=True)


def _provision_on_lab(as_user, home: Path, log) -> tuple[list[str], list[dict]]:
    """Start the built-in lab, write its inventory into the demo home, provision every approved link, then
    carry out a bandwidth change on the first one (Art. 18)."""
    import os

    from egovnet.services import changes
    from egovnet.services import provision as prov
    from egovnet.services.lab import LAB_PASSWORD_ENV, lab_password, sample_spec, start_lab, write_inventory

    os.environ.setdefault(LAB_PASSWORD_ENV, lab_password())
    spec = sample_spec(ports=8)
    lab = start_lab(spec)
    try:
        inventory = write_inventory(home / "inventory", spec, lab)
        ctx, clerk, reviewer = (as_user(u) for u in ("bdc.engineer", "dept.zhujiajiao", "bdc.reviewer"))
        for c in (ctx, clerk, reviewer):
            c.inventory = inventory
        log("egovnet", "lab serve (in-process)", ", ".join(f"{d['name']} ({d['platform']}) 127.0.0.1:{lab.ports[d['name']]}"
                                                           for d in spec))
        result = prov.provision(ctx, [], all_approved=True, workers=4)
        for row in result["results"]:
            log("bdc.engineer", f"provision {row['application']}",
                f"{row['status']} on {row['device']} {row['port']} VLAN {row['vlan']} {row['subnet']}"
                + (f": {row['error']}" if row["error"] else ""))
        if result["results"] and not result["results"][0]["failed"]:
            link = result["results"][0]["link"]
            c = changes.request(clerk, link, bandwidth=100, reason="视频会议扩容")
            log("dept.zhujiajiao", f"change request {link} --bandwidth 100",
                f"change {c['id']}, review due {c['review_due']} (Art. 18)")
            c = changes.approve(reviewer, c["id"])
            log("bdc.reviewer", f"change approve {c['id']}", f"approved, execution due {c['execution_due']}")
            c = changes.apply(ctx, c["id"])
            log("bdc.engineer", f"change apply {c['id']}", f"{c['result']} on {c['device']}: " + "; ".join(c["diff"]))
        if result["results"] and not result["results"][0]["failed"]:
            _drift_step(ctx, lab, result["results"][0], log)
            _security_on_lab(as_user, inventory, result["results"][0]["unit_code"], lab, log)
        excerpt = []
        device = lab.devices[result["results"][0]["device"]] if result["results"] else None
        if device is not None:
            row = result["results"][0]
            for header in (f"vlan {row['vlan']}", f"interface Vlanif{row['vlan']}", f"interface {row['port']}"):
                lines = device.section(header)
                if lines is not None:
                    excerpt += [header, *[" " + line for line in lines]]
        return excerpt, result["results"]
    finally:
        lab.stop()


def _drift_step(ctx, lab, row: dict, log) -> None:
    """Art. 22: someone sets a rate on the unit's port by hand at the device's console (not saved); the drift
    audit finds it and remediate puts the link's rate back through the push journal."""
    from egovnet.lab.device import CliSession
    from egovnet.services import drift

    device = lab.devices[row["device"]]
    console = CliSession(device)  # the demo's first link is on the Huawei VRP switch of 朱家角镇
    for line in ("system-view", f"interface {row['port']}", "qos lr inbound cir 10000", "return"):
        console.line(line)
    log("someone at the console", f"interface {row['port']} / qos lr inbound cir 10000", "by hand, not saved")
    found = drift.audit(ctx, device=device.name, workers=1)["findings"]
    log("bdc.engineer", f"audit drift --device {device.name}", "; ".join(
        f"{f['kind']} {f['object']}: {f['intended']} -> {f['actual']} (Art. {', '.join(map(str, f['articles']))})"
        for f in found) or "no drift")
    done = drift.remediate(ctx, device=device.name)
    log("bdc.engineer", f"remediate {device.name} --yes",
        f"push {done['push']} {done['status']}: {'; '.join(c.strip() for c in done['commands']) or 'save'}; findings "
        f"{', '.join(map(str, done['resolved']))} resolved")
def _security_on_lab(as_user, inventory, unit_code: str, lab, log) -> None:
    """The Office cuts a unit off after a security incident and, once the remediation is on record, a second
    Office user restores it (Art. 23): the port is shut and opened again through the push journal."""
    from egovnet.services import security

    duty, head = as_user("office.duty"), as_user("office.head")
    for c in (duty, head):
        c.inventory = inventory
    cut = security.disconnect(duty, unit=unit_code, incident="村委会终端感染勒索病毒并向政务外网扫描（演示）")
    row = cut["cut"][0]
    down = "shutdown" in (lab.devices[row["device"]].section(f"interface {row['port']}") or [])
    whole = f"; shared link cut whole, {'、'.join(sum(cut['shared_with'].values(), []))} too" if cut["shared_with"] else ""
    log("office.duty", f"security disconnect --unit {unit_code}",
        f"incident {cut['id']}: {row['device']} {row['port']} {'shut down' if down else 'NOT shut down'}{whole}, "
        f"notice {cut['notice']['no']} (Art. 23)")
    back = security.reconnect(head, cut["id"], remediation="已隔离并重装受感染终端，完成漏洞修补（演示）")
    up = "shutdown" not in (lab.devices[row["device"]].section(f"interface {row['port']}") or [])
    log("office.head", f"security reconnect {cut['id']}",
        f"{'port enabled again' if up else 'port STILL DOWN'}, remediation recorded, notice {back['notice']['no']}")
