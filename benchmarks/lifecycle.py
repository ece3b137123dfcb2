"""After a link opens: how long one change apply and one decommission take end to end (CLI, state,
one SSH session with backup, verify and save) on each platform of the built-in lab. Talks to 127.0.0.1 only.

    python benchmarks/lifecycle.py [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from typer.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _declared import declared_policy  # noqa: E402

from egovnet.cli import app
from egovnet.services.lab import LAB_PASSWORD_ENV, lab_password, sample_spec, start_lab, write_inventory

DEPT = "朱家角镇人民政府"
APPLY = ["--basis", "要求", "--scope", "办公区", "--mode", "dedicated", "--purpose", "一网通办", "--bandwidth", "50",
         "--technical", "光纤", "--time-requirement", "尽快", "--cost-bearer", "budget"]


def cli(*args: str, user: str = "bdc.engineer", today: str = "2026-09-28") -> tuple[dict | list | None, float]:
    t = time.perf_counter()
    r = CliRunner().invoke(app, ["--user", user, "--today", today, *args], catch_exceptions=False)
    secs = time.perf_counter() - t
    if r.exit_code != 0:
        raise SystemExit(f"egovnet {' '.join(args)}: exit {r.exit_code}: {r.stderr}")
    return (json.loads(r.stdout) if "--json" in args else None), secs


def round_trip(spec: list[dict], n: int) -> dict[str, dict[str, float]]:
    """One unit per device: provision, change its bandwidth, decommission it."""
    times: dict[str, dict[str, float]] = {}
    if n == 0:
        cli("dept", "add", DEPT)
    for i, dev in enumerate(spec, 1):
        code = f"b{n}x{i}"
        cli("unit", "add", f"{dev['towns'][0]}{code}村民委员会", "--category", "village", "--dept", DEPT, "--code", code,
            "--town", dev["towns"][0], "--address", f"{code}路1号", "--mlps-level", "2", "--mlps-assessed", "2026-03-01")
        app_id = cli("apply", "--unit", code, *APPLY, "--json", user="dept.zhujiajiao")[0]["id"]
        cli("review", "approve", str(app_id), user="bdc.reviewer")
        t = times.setdefault(dev["platform"], {})
        link = cli("provision", str(app_id), "--yes", "--json")[0]["results"][0]["link"]
        change = cli("change", "request", str(link), "--bandwidth", "100", "--reason", "扩容", "--json",
                     user="dept.zhujiajiao")[0]["id"]
        cli("change", "approve", str(change), user="bdc.reviewer")
        t["change apply"] = cli("change", "apply", str(change), "--yes", "--json")[1]
        t["decommission"] = cli("decommission", str(link), "--reason", "基准测试", "--yes", "--json")[1]
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    os.environ.setdefault(LAB_PASSWORD_ENV, lab_password())
    spec = sample_spec(ports=8)
    lab = start_lab(spec)
    samples: dict[tuple[str, str], list[float]] = {}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            os.environ["EGOVNET_HOME"] = str(Path(tmp) / "home")
            os.environ["EGOVNET_POLICY"] = str(declared_policy(Path(tmp)))
            os.environ["EGOVNET_INVENTORY"] = str(write_inventory(Path(tmp) / "inventory", spec, lab))
            for n in range(args.rounds):
                for platform, ops in round_trip(spec, n).items():
                    for op, secs in ops.items():
                        samples.setdefault((platform, op), []).append(secs)
    finally:
        lab.stop()
    print(f"one link per lab device, {args.rounds} rounds, {os.cpu_count()} CPUs (median / max seconds, end to end)")
    print(f"{'platform':<14}{'change apply':>16}{'decommission':>16}")
    for platform in sorted({p for p, _ in samples}):
        cells = [samples[(platform, op)] for op in ("change apply", "decommission")]
        print(f"{platform:<14}" + "".join(f"{statistics.median(v):>9.2f} /{max(v):>5.2f}" for v in cells))


if __name__ == "__main__":
    main()
