"""Many devices at once: 100 lab devices, 20 workers, each run in a fresh Python process.

Netmiko used to be imported lazily inside the worker threads; at 20 workers the imports raced and some devices
failed before they were contacted ("partially initialized module 'netmiko.cisco'"). egovnet now imports
Netmiko's classes once, in the caller's thread, before the pool starts (netmiko_driver.preload, called by
provision.default_driver_factory). This benchmark proves it the way it failed: a fresh interpreter per run
(nothing imported yet), every device's 'open' pushed through egovnet's own push path (preconditions, backup,
push, verify, save), the lab's devices reset between runs. It prints, per run, the wall time and how many
devices failed on an import. Talks to 127.0.0.1 only.

    python benchmarks/many_devices.py [--devices 100] [--workers 20] [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

IMPORT_ERRORS = ("partially initialized module", "ImportError", "cannot import name", "ModuleNotFoundError")


def child(folder: str, workers: int) -> None:
    """One run in this (fresh) process: every device's open job through push_all, as provision does it."""
    start = time.perf_counter()
    from types import SimpleNamespace

    from egovnet.devices.render import render
    from egovnet.inventory import load_inventory
    from egovnet.services.provision import Job, build_context, default_driver_factory, push_all

    inventory = load_inventory(Path(folder))
    jobs = []
    for i, dev in enumerate(inventory.devices.values(), start=1):
        context = build_context(dev, {"port": dev.ports[0], "vlan": 101, "subnet": "10.64.0.0/29"}, i, i, "bench", 50, {})
        jobs.append(Job(i, i, "bench", "bench", dev.name, dev.platform, render(dev.platform, "open", context, Path(folder)),
                        context))
    with tempfile.TemporaryDirectory() as home:
        # no journal (push_id None): the benchmark measures the device work, not the database
        ctx = SimpleNamespace(home=Path(home), inventory=Path(folder))
        pushing = time.perf_counter()
        push_all(ctx, inventory, jobs, default_driver_factory(inventory), dry_run=False, workers=workers)
        done = time.perf_counter()
    errors = [j.result.error or "" for j in jobs if j.result is None or j.result.failed]
    print(json.dumps({"devices": len(jobs), "changed": sum(bool(j.result and j.result.changed) for j in jobs),
                      "failed": len(errors), "import_failures": sum(any(e in err for e in IMPORT_ERRORS) for err in errors),
                      "push_s": round(done - pushing, 2), "in_process_s": round(done - start, 2),
                      "first_error": errors[0] if errors else None}))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--devices", type=int, default=100)
    parser.add_argument("--workers", type=int, default=20)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.workers)
        return

    from egovnet.services.lab import LAB_PASSWORD_ENV, lab_password, sample_spec, start_lab, write_inventory

    os.environ.setdefault(LAB_PASSWORD_ENV, lab_password())
    spec = sample_spec(args.devices, ports=2)
    lab = start_lab(spec)
    rows = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            folder = write_inventory(Path(tmp), spec, lab,
                                     timeouts={"connect": 20, "auth": 20, "banner": 20, "read": 30})
            for n in range(1, args.runs + 1):
                for device in lab.devices.values():
                    device.__post_init__()  # the base config again: every run pushes to every device
                t = time.perf_counter()
                r = subprocess.run([sys.executable, __file__, "--child", str(folder), "--workers", str(args.workers)],
                                   capture_output=True, text=True, timeout=900)
                wall = time.perf_counter() - t
                if r.returncode != 0:
                    sys.exit(f"run {n} failed: {r.stderr.strip()[-2000:]}")
                row = json.loads(r.stdout.strip().splitlines()[-1])
                rows.append({"run": n, "process_s": round(wall, 2), **row})
                print(f"run {n}: {row['devices']} devices, {args.workers} workers: process {wall:.2f} s "
                      f"(pushes {row['push_s']:.2f} s), changed {row['changed']}, failed {row['failed']}, "
                      f"import failures {row['import_failures']}"
                      + (f"; first error: {row['first_error']}" if row["first_error"] else ""), flush=True)
    finally:
        lab.stop()
    total_import = sum(r["import_failures"] for r in rows)
    print(f"{len(rows)} runs, {os.cpu_count()} CPUs: import failures {total_import}, failed devices "
          f"{sum(r['failed'] for r in rows)}, process wall {min(r['process_s'] for r in rows):.2f}-"
          f"{max(r['process_s'] for r in rows):.2f} s")
    sys.exit(1 if total_import else 0)


if __name__ == "__main__":
    main()
