"""The built-in device lab as the rest of egovnet sees it: devices, a matching inventory and known_hosts."""

from __future__ import annotations

import os
from pathlib import Path

import yaml

from egovnet.inventory import LAB_DEFAULT_PASSWORD, LAB_PASSWORD_ENV  # noqa: F401 (one default for both sides)

PORTS = {  # each platform's own port names (CloudEngine: GE1/0/1, 10GE1/0/1 ...; it refuses V5 names)
    "huawei": "GigabitEthernet0/0/{}", "huawei_vrpv8": "GE1/0/{}",
    "hp_comware": "GigabitEthernet1/0/{}", "cisco_ios": "GigabitEthernet0/{}",
}


def isolation_acl(platform: str) -> str:
    """The lab's isolation ACL: an advanced ACL number on VRP / CloudEngine / Comware, a named ACL on IOS."""
    from egovnet.lab.dialects import DIALECTS

    return DIALECTS[platform].isolation_acl


# (name, platform, site, towns) - Qingpu's 11 towns and streets (街镇) spread over four edge devices
SAMPLE = [
    ("zjj-sw1", "huawei", "zhujiajiao", ("朱家角镇", "练塘镇", "金泽镇")),
    ("hx-sw1", "hp_comware", "huaxin", ("华新镇", "白鹤镇", "重固镇")),
    ("xj-sw1", "huawei_vrpv8", "xujing", ("徐泾镇", "赵巷镇")),
    ("xy-r1", "cisco_ios", "xiayang", ("夏阳街道", "盈浦街道", "香花桥街道")),
]
# what the lab's inventory says about the extranet on every device; a platform's group may override it, and
# a spec row may too. The lab devices start with exactly these configured (``device_values``).
LAB_DEFAULTS = {"vrf": "EGOV", "isolation_acl": "3999", "core_prefix": "10.0.0.0/8"}
# a platform's own isolation ACL where 3999 is not one (IOS: a named ACL)
LAB_GROUPS: dict[str, dict] = {p: {"isolation_acl": isolation_acl(p)} for p in ("cisco_ios",)}
POOLS = {"zhujiajiao": "10.64.0.0/20", "huaxin": "10.64.16.0/20", "xujing": "10.64.32.0/20", "xiayang": "10.64.48.0/20"}


def lab_password() -> str:
    return os.environ.get(LAB_PASSWORD_ENV) or LAB_DEFAULT_PASSWORD


def sample_spec(count: int | None = None, ports: int = 24) -> list[dict]:
    """The sample lab, or ``count`` devices cycling through the four sample devices' platforms and sites. The
    copies of a sample device share its towns between them (朱家角镇 and 金泽镇 on zjj-sw1, 练塘镇 on zjj-sw5
    with 8 devices), so that a wave spreads over every device that can take it; copies beyond a sample
    device's towns serve none (benchmarks use them directly)."""
    if count is None:
        rows = SAMPLE
    else:
        copies = [len(range(r, count, 4)) for r in range(4)]
        rows = []
        for i in range(count):
            name, platform, site, towns = SAMPLE[i % 4]
            share = tuple(t for j, t in enumerate(towns) if j % copies[i % 4] == i // 4)
            rows.append((f"{name.split('-')[0]}-sw{i + 1}", platform, site, share))
    return [{"name": n, "platform": p, "site": s, "towns": list(t),
             "ports": [PORTS[p].format(i) for i in range(1, ports + 1)]} for n, p, s, t in rows]


def spec_from_inventory(folder: Path) -> tuple[list[dict], dict[str, int]]:
    """The devices of an existing lab inventory (e.g. the shipped inventory/lab) and their fixed ports."""
    from egovnet.errors import InvalidConfig
    from egovnet.inventory import load_inventory
    from egovnet.lab.server import check_loopback

    inv = load_inventory(folder)
    spec, ports = [], {}
    for dev in inv.devices.values():
        if dev.platform not in PORTS:
            raise InvalidConfig(f"{folder}/inventory.yaml: devices.{dev.name}.platform: the lab emulates "
                                f"{', '.join(PORTS)}; {dev.platform!r} is served by a real router")
        check_loopback(dev.host)
        spec.append({"name": dev.name, "platform": dev.platform, "site": dev.site, "towns": list(dev.towns),
                     "ports": list(dev.ports), "username": dev.username, "vrf": dev.vrf,
                     "isolation_acl": dev.isolation_acl, "core_prefix": dev.core_prefix, "vtp_mode": dev.vtp_mode})
        ports[dev.name] = dev.port
    return spec, ports


def device_values(d: dict) -> dict:
    """The VPN instance, isolation ACL and core prefix the inventory gives a spec row (defaults, then the
    platform's group, then the row), which its lab device is started with."""
    return {k: d.get(k, LAB_GROUPS.get(d["platform"], {}).get(k, v)) for k, v in LAB_DEFAULTS.items()}


def start_lab(spec: list[dict], host_key_path: Path | None = None, faults: dict | None = None,
              ports: dict[str, int] | None = None):
    from egovnet.lab.device import Device, Faults
    from egovnet.lab.server import Lab

    password = lab_password()
    devices = [Device(d["name"], d["platform"], ports=tuple(d["ports"]), username=d.get("username", "netops"),
                      password=password, secret=password, faults=Faults(**(faults or {}).get(d["name"], {})),
                      **device_values(d), vtp_mode=d.get("vtp_mode", "server"))
               for d in spec]
    return Lab(devices, host_key_path=host_key_path).start(ports)


def write_known_hosts(folder: Path, lab) -> Path:
    path = Path(folder) / "known_hosts"
    path.write_text("\n".join(lab.known_hosts_lines()) + "\n", encoding="ascii")
    return path


def write_inventory(folder: Path, spec: list[dict], lab, timeouts: dict | None = None) -> Path:
    """inventory.yaml and known_hosts for the running lab."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    groups = {p: {"platform": p, **LAB_GROUPS.get(p, {})} for p in sorted({d["platform"] for d in spec})}
    data = {
        "defaults": {"host": lab.host, "username": "netops", "password_env": LAB_PASSWORD_ENV,
                     "vrf": LAB_DEFAULTS["vrf"], "isolation_acl": LAB_DEFAULTS["isolation_acl"],
                     "timeouts": timeouts or {"connect": 5, "auth": 5, "banner": 5, "read": 10}},
        "groups": groups,
        "devices": {d["name"]: {"group": d["platform"], "port": lab.ports[d["name"]], "site": d["site"],
                                "towns": d["towns"], "ports": d["ports"],
                                **{k: d[k] for k in LAB_DEFAULTS if k in d}} for d in spec},
        "pools": {site: {"prefixes": [prefix], "subnet_prefixlen": 29, "vlans": "101-999"}
                  for site, prefix in POOLS.items() if any(d["site"] == site for d in spec)},
    }
    (folder / "inventory.yaml").write_text(HEADER + yaml.safe_dump(data, allow_unicode=True, sort_keys=False),
                                           encoding="utf-8")
    write_known_hosts(folder, lab)
    return folder


HEADER = "# Written by 'egovnet lab serve' for the built-in device lab (127.0.0.1 only).\n"


def serve(folder: Path, devices: int, home: Path, host: str = "127.0.0.1", ports_per_device: int = 0):
    """Start the lab for ``egovnet lab serve``: an existing inventory.yaml's devices on its ports (only
    known_hosts is written), else the sample (or ``devices`` generated ones) with ``ports_per_device``
    unit-facing ports each (24 by default) on free ports with a new inventory. An inventory.yaml that
    'lab serve' did not write is never replaced. Returns the running lab and one row per device; the caller
    stops the lab."""
    from egovnet.errors import Conflict
    from egovnet.lab.server import check_loopback

    check_loopback(host)
    folder = Path(folder)
    found = folder / "inventory.yaml"
    existing = found.exists() and not (devices or ports_per_device)
    if found.exists() and not existing and not found.read_text(encoding="utf-8", errors="replace").startswith(HEADER):
        raise Conflict(f"{found} was not written by 'egovnet lab serve' and is kept: --devices and "
                       "--ports-per-device write a new inventory; give --inventory an empty folder")
    spec, ports = spec_from_inventory(folder) if existing else \
        (sample_spec(devices or None, ports=ports_per_device or 24), {})
    try:
        lab = start_lab(spec, host_key_path=Path(home) / "lab" / "host_key", ports=ports)
    except OSError as exc:
        raise Conflict(f"cannot serve the lab on the ports of {folder}/inventory.yaml: {exc.strerror or exc}; "
                       "stop the other lab or change the ports") from None
    try:
        if existing:
            write_known_hosts(folder, lab)
        else:
            write_inventory(folder, spec, lab)
    except BaseException:
        lab.stop()
        raise
    rows = [{"device": d["name"], "platform": d["platform"], "address": f"{lab.host}:{lab.ports[d['name']]}",
             "ports": len(d["ports"]), "towns": d["towns"]} for d in spec]
    return lab, rows
