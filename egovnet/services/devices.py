"""Inventory views and host-key trust."""

from __future__ import annotations

import base64
import hashlib

from egovnet.errors import DeviceError, HostKeyChanged


def _inv(settings):
    from egovnet.inventory import load_inventory

    return load_inventory(settings.inventory)


def _known(inv) -> dict[str, str]:
    out = {}
    if inv.known_hosts.exists():
        for line in inv.known_hosts.read_text().splitlines():
            parts = line.split()
            if len(parts) >= 3 and not line.startswith("#"):
                out[parts[0]] = f"{parts[1]} {parts[2]}"
    return out


def _entry(dev) -> str:
    return dev.host if dev.port == 22 else f"[{dev.host}]:{dev.port}"


def _allocations(settings) -> dict[str, list[dict]]:
    from sqlmodel import select

    from egovnet.state.db import get_engine, unit_of_work
    from egovnet.state.models import Allocation, Link

    out: dict[str, list[dict]] = {}
    with unit_of_work(get_engine(settings), write=False) as s:
        for a, status in s.exec(select(Allocation, Link.status).join(Link, Link.id == Allocation.link_id)):
            out.setdefault(a.device, []).append({"link": a.link_id, "port": a.port, "vlan": a.vlan,
                                                  "subnet": a.subnet, "status": status})
    return out


def list_devices(settings) -> list[dict]:
    inv = _inv(settings)
    known, allocs = _known(inv), _allocations(settings)
    return [{"name": d.name, "platform": d.platform, "host": d.host, "port": d.port, "site": d.site, "role": d.role,
             "towns": list(d.towns), "ports": len(d.ports), "allocated": len(allocs.get(d.name, [])),
             "trusted": _entry(d) in known} for d in inv.devices.values()]


def show_device(settings, name: str) -> dict:
    inv = _inv(settings)
    d = inv.device(name)
    return {"name": d.name, "platform": d.platform, "host": d.host, "port": d.port, "site": d.site, "role": d.role,
            "towns": list(d.towns), "ports": list(d.ports), "vrf": d.vrf, "isolation_acl": d.isolation_acl,
            "username": d.username, "credentials": d.password_env or d.key_file,
            "trusted": _entry(d) in _known(inv), "links": _allocations(settings).get(name, [])}


def fetch_host_key(settings, name: str) -> dict:
    import paramiko

    inv = _inv(settings)
    d = inv.device(name)
    try:
        transport = paramiko.Transport((d.host, d.port))
        transport.banner_timeout = d.timeouts.banner
        transport.start_client(timeout=d.timeouts.connect)
        key = transport.get_remote_server_key()
        transport.close()
    except Exception as exc:
        raise DeviceError(f"device {name}: cannot read its host key: {exc.__class__.__name__}: {exc}") from None
    fp = "SHA256:" + base64.b64encode(hashlib.sha256(key.asbytes()).digest()).decode().rstrip("=")
    line = f"{key.get_name()} {key.get_base64()}"
    known = _known(inv).get(_entry(d))
    if known and known != line:
        raise HostKeyChanged(f"device {name} presents {fp}, which differs from the key in {inv.known_hosts}: "
                             "possible interception; remove the old entry by hand only after checking the device")
    return {"device": name, "host": d.host, "port": d.port, "type": key.get_name(), "fingerprint": fp,
            "key": line, "recorded": "same" if known == line else "new"}


def record_host_key(settings, name: str, key: dict) -> dict:
    inv = _inv(settings)
    d = inv.device(name)
    with open(inv.known_hosts, "a", encoding="ascii") as f:
        f.write(f"{_entry(d)} {key['key']}\n")
    return {**key, "recorded": "added"}


def inventory_summary(settings) -> dict:
    inv = _inv(settings)
    known = _known(inv)
    return {"folder": inv.folder, "devices": len(inv.devices), "pools": len(inv.pools),
            "trusted": sum(1 for d in inv.devices.values() if _entry(d) in known)}
