"""District scale: `audit idle`, `audit sla`, `review list`, `link list` over 2,000 and 20,000 active links.

    python benchmarks/scale.py                    # 2,000 and 20,000 links, median of 5 runs per command
    python benchmarks/scale.py --links 2000 --runs 3
    python benchmarks/scale.py --keep /tmp/scale            # keep the homes; later, to time them again:
    python benchmarks/scale.py --keep /tmp/scale --reuse

How a home is built (a fresh EGOVNET_HOME, a real SQLite file):
1. egovnet's own paths: `egovnet init`, `egovnet unit import SHEET --create-depts`, `egovnet apply --batch SHEET`,
   `egovnet review approve --all-from-import 2`. The sheet holds one committee per office address, and every
   sixth address a second committee that shares the link (Art. 14), so N links serve N + N/6 units.
2. The fewest direct writes, in one SQLite transaction, for what only real devices can do: provisioning each
   link (an `allocation` row: device, port, VLAN, subnet; the link `active` with its opening day; its
   applications `active`), and its traffic (`usage_day` rows, as `usage collect` would write them).
   Of the links, 70% were used (first_used_on set); the other 30% were opened 0-130 days before "today" and
   have a zero-traffic record for every day since they opened, one in ten missing a day ("no data"). So
   `audit idle` judges about a third of the unused links, lists a few as approaching and most as idle; a
   fifth of the applications are left under review (`submitted`) for `review list` and `audit sla`.

Then each command runs --runs times as a fresh `egovnet` process (interpreter start-up, imports and JSON
included), output to /dev/null; the script prints the median, min and max wall-clock time of each, and its
median CPU time (user + system), which a machine shared with other work inflates less, and the load average
before and after the runs. Run it a few times and read the medians.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import random
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _declared import declared_policy  # noqa: E402

TODAY = dt.date(2026, 11, 24)
HEADERS = ["单位名称", "单位代码", "类别", "主管部门", "街镇", "地址", "预算单位", "等保等级", "等保测评日期", "联系人",
           "申请依据", "接入范围", "链路方式", "应用用途", "带宽", "技术要求", "时间要求", "费用承担"]
TOWNS = [("朱家角镇", "zjj", "朱家角镇人民政府"), ("练塘镇", "lt", "练塘镇人民政府"), ("金泽镇", "jz", "金泽镇人民政府"),
         ("赵巷镇", "zx", "赵巷镇人民政府"), ("徐泾镇", "xj", "徐泾镇人民政府"), ("华新镇", "hx", "华新镇人民政府"),
         ("重固镇", "cg", "重固镇人民政府"), ("白鹤镇", "bh", "白鹤镇人民政府"), ("夏阳街道", "xy", "夏阳街道办事处"),
         ("盈浦街道", "yp", "盈浦街道办事处"), ("香花桥街道", "xhq", "香花桥街道办事处")]
COMMANDS = {"audit idle --json": ["audit", "idle", "--json"], "audit sla --json": ["audit", "sla", "--json"],
            "review list --json": ["review", "list", "--json"], "link list --json": ["link", "list", "--json"]}


def sheet(path: Path, links: int) -> int:
    """One committee per address; every sixth address a second one (a shared link). Returns the unit count."""
    n = 0
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(HEADERS)
        for i in range(links):
            town, code, dept = TOWNS[i % len(TOWNS)]
            address = f"青浦区{town}第{i + 1}号办公点"
            for k in range(2 if i % 6 == 5 else 1):
                n += 1
                w.writerow([f"{town}第{i + 1}{'甲乙'[k]}村民委员会", f"{code}-b{i + 1:05d}{'ab'[k]}", "居村组织", dept, town,
                            address, "是", "2", f"2025-{(i % 12) + 1:02d}-{(i % 27) + 1:02d}", "主任",
                            "区政府关于居村组织接入电子政务外网的工作要求", "居村委办公区", "dedicated", "一网通办、视频会议",
                            "50", "光纤专线，千兆电口", "本季度内", "budget"])
    return n


def egovnet(env: dict, *args: str, cpu: list | None = None) -> float:
    """Wall-clock seconds of one whole `egovnet` process; its CPU seconds (user + system) appended to ``cpu``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "egovnet", *args], env=env, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if cpu is not None:
        cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return wall


def provision_directly(db: Path, seed: int = 2026) -> dict:
    """The direct writes of step 2 (see the module's docstring)."""
    rng = random.Random(seed)
    con = sqlite3.connect(db)
    con.execute("PRAGMA foreign_keys=ON")
    links = [row[0] for row in con.execute("SELECT id FROM link WHERE status = 'approved' ORDER BY id")]
    apps = {}
    for app_id, link_id in con.execute("SELECT id, link_id FROM application WHERE status = 'approved'"):
        apps.setdefault(link_id, []).append(app_id)
    allocations, opened, usage, review = [], [], [], []
    for n, link_id in enumerate(links):
        device = f"bench-sw{n // 48:04d}"
        allocations.append((link_id, device, f"site{n // 2000:02d}", f"GigabitEthernet0/0/{n % 48 + 1}",
                            100 + n % 2000, f"10.{64 + n // 16384}.{(n // 64) % 256}.{(n % 64) * 4}/30"))
        if rng.random() < 0.2:  # left under review: the filing is reset to submitted, nothing provisioned
            review.append(link_id)
            allocations.pop()
            continue
        if rng.random() < 0.7:
            day = TODAY - dt.timedelta(days=rng.randrange(100, 900))
            opened.append((day.isoformat(), (day + dt.timedelta(days=rng.randrange(1, 20))).isoformat(), link_id))
        else:
            day = TODAY - dt.timedelta(days=rng.randrange(0, 131))
            opened.append((day.isoformat(), None, link_id))
            gap = rng.randrange(1, 80) if rng.random() < 0.1 else None
            usage += [(link_id, (day + dt.timedelta(days=k)).isoformat()) for k in range(1, (TODAY - day).days)
                      if k != gap]
    with con:
        con.executemany("INSERT INTO allocation (link_id, device, site, port, vlan, subnet, created_at) "
                        "VALUES (?, ?, ?, ?, ?, ?, CURRENT_TIMESTAMP)", allocations)
        con.executemany("UPDATE link SET status = 'active', opened_on = ?, first_used_on = ? WHERE id = ?", opened)
        con.executemany("UPDATE application SET status = 'active' WHERE link_id = ?", [(o[2],) for o in opened])
        con.executemany("UPDATE link SET status = 'requested' WHERE id = ?", [(i,) for i in review])
        con.executemany("UPDATE application SET status = 'submitted', decision = NULL, decided_on = NULL, "
                        "decided_by = NULL, construction_due = NULL WHERE link_id = ?", [(i,) for i in review])
        con.executemany("INSERT INTO usage_day (link_id, day, source, bytes_in, bytes_out) "
                        "VALUES (?, ?, 'device', 0, 0)", usage)
    con.close()
    return {"links": len(links), "active": len(opened), "unused": sum(1 for o in opened if o[1] is None),
            "under review": len(review), "usage days": len(usage)}


def environment(home: Path, links: int) -> dict:
    return {**os.environ, "EGOVNET_HOME": str(home), "EGOVNET_USER": "bdc.engineer", "EGOVNET_TODAY": TODAY.isoformat(),
            "EGOVNET_POLICY": str(declared_policy(home.parent / f"policy-{links}"))}


def build(home: Path, links: int) -> dict:
    env = environment(home, links)
    path = home.parent / f"wave-{links}.csv"
    units = sheet(path, links)
    t = time.perf_counter()
    egovnet(env, "init")
    egovnet(env, "unit", "import", str(path), "--create-depts")
    egovnet(env, "apply", "--batch", str(path))
    egovnet(env, "--user", "bdc.reviewer", "review", "approve", "--all-from-import", "2")
    made = provision_directly(home / "egovnet.db")
    return {"units": units, **made, "build_s": round(time.perf_counter() - t, 1), "env": env}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--links", type=int, nargs="+", default=[2000, 20000])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--keep", help="build the homes in this folder and keep them (to profile or rerun)")
    ap.add_argument("--reuse", action="store_true", help="with --keep: time the homes kept there by an earlier run "
                                                          "instead of building them again")
    a = ap.parse_args()
    medians: dict[int, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = a.keep or tmp
        for n in a.links:
            home = Path(tmp) / f"home-{n}"
            if a.reuse and a.keep and (home / "egovnet.db").is_file():
                env = environment(home, n)
                print(f"{n} links: the home kept in {home}", flush=True)
            else:
                built = build(home, n)
                env = built.pop("env")
                print(f"{n} links: {built}", flush=True)
            times = {name: [] for name in COMMANDS}
            cpu = {name: [] for name in COMMANDS}
            load = os.getloadavg()[0]
            for _ in range(a.runs):  # interleaved, so that a burst of load elsewhere spreads over all commands
                for name, args in COMMANDS.items():
                    times[name].append(egovnet(env, *args, cpu=cpu[name]))
            medians[n] = {}
            print(f"  load average {load:.1f} before the runs, {os.getloadavg()[0]:.1f} after ({os.cpu_count()} CPUs): "
                  "wall-clock time above CPU time is time spent waiting for a CPU", flush=True)
            for name, values in times.items():
                medians[n][name] = statistics.median(values)
                print(f"  {name:20s} median {medians[n][name]:5.2f} s  (min {min(values):.2f}, max {max(values):.2f}, "
                      f"{a.runs} runs; CPU median {statistics.median(cpu[name]):.2f} s)", flush=True)
    if len(medians) > 1:
        lo, hi = min(medians), max(medians)
        for name in COMMANDS:
            print(f"  {name:20s} {hi}/{lo} ratio {medians[hi][name] / medians[lo][name]:.2f}")


if __name__ == "__main__":
    main()
