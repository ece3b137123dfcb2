"""Is a device ready for units' links? (Art. 3: the extranet is isolated; a unit reaches the core only.)

A unit's link is isolated by things egovnet does not build: the extranet's VPN instance (with its IPv4
family) and the isolation ACL (with rules: an interface filter that references an empty ACL lets every
packet pass). Each platform says what it needs (``Platform.preconditions``). Two users of that answer:

- ``refuse_unless_ready``: every push (provision, change, decommission, idle closure) asks it once per
  device and run, right after reading the running config and before any backup or change; a device that is
  not ready gets nothing, its jobs are journalled 'refused', the other devices go on.
- ``check_devices`` (``egovnet device check``): read-only, per device: SSH reachability, host key,
  privilege, the preconditions and free unit-facing ports; what an engineer runs before the first wave.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from egovnet.devices import platforms
from egovnet.errors import DeviceError, EgovnetError, HostKeyChanged, PartialFailure, Refused

ARTICLE = 3


class NotReady(EgovnetError):
    """A device lacks what isolates a unit's link; nothing was sent to it."""


def refusal(device_name: str, problems: list[str]) -> str:
    return (f"device {device_name} is not ready for units' links, nothing was pushed to it: "
            f"{'; '.join(problems)} (isolation, Art. {ARTICLE}); configure it on the device, check with "
            f"'egovnet device check {device_name}', then run again")


def problems_on(driver, device, running: str) -> list[str]:
    """The platform's answer for this device, from its running config and any read-only probes it needs."""
    p = platforms.get(device.platform)
    shown = {command: driver.show(command) for command in p.precheck_commands(device)}
    return p.preconditions(running, device, shown)


def refuse_unless_ready(ctx, driver, device, running: str, jobs) -> None:
    """Before the first push to a device in a run: a device that is not ready has each of its jobs failed
    with one line naming what is missing, journalled 'refused', and NotReady is raised (push_device ends the
    device there: nothing is backed up or pushed)."""
    from egovnet.devices.driver import DeviceResult
    from egovnet.services.provision import _set_push
    from egovnet.state.models import utcnow

    problems = problems_on(driver, device, running)
    if not problems:
        return
    message = refusal(device.name, problems)
    for job in jobs:
        job.result = DeviceResult(device.name, job.label, failed=True, error=message, extra={"refused": True})
        _set_push(ctx, job.push_id, status="refused", error=message[:2000], finished_at=utcnow())
    raise NotReady(message)


# ---- egovnet device check ----

def _free_ports(settings, inventory) -> dict[str, list[str]]:
    from sqlmodel import select

    from egovnet.state.db import get_engine, unit_of_work
    from egovnet.state.models import Allocation

    used: dict[str, set[str]] = {}
    with unit_of_work(get_engine(settings), write=False) as s:
        for device, port in s.exec(select(Allocation.device, Allocation.port)):
            used.setdefault(device, set()).add(port)
    return {name: [p for p in dev.ports if p not in used.get(name, set())] for name, dev in inventory.devices.items()}


def _check_one(device, driver_factory, free: list[str]) -> dict:
    row = {"device": device.name, "platform": device.platform, "address": f"{device.host}:{device.port}",
           "reachable": None, "host_key": None, "privilege": None, "preconditions": None,
           "ports": len(device.ports), "free_ports": free, "problems": [], "ready": False}
    problems = row["problems"]
    driver = None
    try:
        driver = driver_factory(device)
        try:
            driver.open()
        except HostKeyChanged as exc:
            row.update(reachable=True, host_key="changed")
            problems.append(str(exc))
            return row
        except Refused as exc:  # no known_hosts file, or this device's key is not in it
            row.update(reachable=True, host_key="unknown")
            problems.append(str(exc))
            return row
        except DeviceError as exc:  # the driver tags the step that failed
            step = getattr(exc, "step", None)
            if step == "enable":
                row.update(reachable=True, host_key="ok", privilege="denied")
            elif step == "auth":
                row.update(reachable=True, host_key="ok")
            else:
                row.update(reachable=False)
            problems.append(str(exc))
            return row
        row.update(reachable=True, host_key="ok")
        p = platforms.get(device.platform)
        denied = p.privilege(driver)
        row["privilege"] = "ok" if not denied else "denied"
        problems.extend(denied)
        missing = problems_on(driver, device, driver.running_config())
        row["preconditions"] = missing
        problems.extend(missing)
    except EgovnetError as exc:
        problems.append(str(exc))
    except Exception as exc:  # one device's trouble never hides the others
        problems.append(f"device {device.name}: unexpected {exc.__class__.__name__}: {str(exc)[:200]}")
    finally:
        if driver is not None:
            try:
                driver.close()
            except Exception:
                pass
    if not free:
        problems.append(f"no free unit-facing port ({len(device.ports)} in the inventory, all allocated); add "
                        "ports to the inventory")
    row["ready"] = not problems
    return row


def check_devices(settings, name: str | None = None, *, workers: int = 8, driver_factory=None,
                  progress=None, on_total=None) -> dict:
    """Read-only readiness of one device or every device in the inventory; never changes a device."""
    from egovnet.inventory import load_inventory

    inventory = load_inventory(settings.inventory)
    devices = [inventory.device(name)] if name else list(inventory.devices.values())
    free = _free_ports(settings, inventory)
    if driver_factory is None:
        from egovnet.services.provision import default_driver_factory

        driver_factory = default_driver_factory(inventory)  # Netmiko imported here, before the pool
    if on_total:
        on_total(len(devices))

    def one(dev):
        row = _check_one(dev, driver_factory, free[dev.name])
        if progress:
            progress()
        return row

    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(devices) or 1))) as pool:
        rows = list(pool.map(one, devices))
    return {"devices": rows, "ready": sum(r["ready"] for r in rows), "not_ready": sum(not r["ready"] for r in rows)}


def raise_unless_ready(report: dict) -> None:
    """Exit status of a check: 0 every device ready; 4 some not ready (the others are); 1 none ready."""
    bad = [r for r in report["devices"] if not r["ready"]]
    if not bad:
        return
    def said(r):  # the driver's messages already start with the device's name
        return "; ".join(p.removeprefix(f"device {r['device']}: ") for p in r["problems"])

    text = "; ".join(f"{r['device']}: {said(r)}" for r in bad)
    hint = "fix these before the first push, then run 'egovnet device check' again"
    if len(bad) < len(report["devices"]):
        raise PartialFailure(f"{len(bad)} of {len(report['devices'])} devices are not ready (Art. {ARTICLE}): "
                             f"{text}; {hint}")
    if len(bad) == 1:
        raise DeviceError(f"device {bad[0]['device']} is not ready (Art. {ARTICLE}): {said(bad[0])}; "
                          f"{hint}")
    raise DeviceError(f"no device is ready (Art. {ARTICLE}): {text}; {hint}")
