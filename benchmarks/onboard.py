"""Onboarding a wave: `egovnet unit import` and `egovnet apply --batch` of N committees, timed end to end.

    python benchmarks/onboard.py            # 2,000 rows; prints seconds per step (median of 3 runs)

Each run is a fresh EGOVNET_HOME (a real SQLite file) and a fresh `egovnet` process, as an engineer would
run it, so interpreter start-up and migrations are included. Not a test: numbers, not pass/fail.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import villages  # noqa: E402
from _declared import declared_policy  # noqa: E402


def step(env, *args) -> float:
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "egovnet", *args], env=env, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=2000)
    ap.add_argument("--runs", type=int, default=3)
    a = ap.parse_args()
    times: dict[str, list[float]] = {"unit import": [], "apply --batch": [], "approve wave": [], "re-import": []}
    for _ in range(a.runs):
        with tempfile.TemporaryDirectory() as tmp:
            sheet = Path(tmp) / "wave.csv"
            villages.write(str(sheet), a.rows)
            env = {**os.environ, "EGOVNET_HOME": str(Path(tmp) / "home"), "EGOVNET_USER": "bdc.engineer",
                   "EGOVNET_TODAY": "2026-11-24", "EGOVNET_POLICY": str(declared_policy(Path(tmp)))}
            step(env, "init")
            times["unit import"].append(step(env, "unit", "import", str(sheet), "--create-depts"))
            times["apply --batch"].append(step(env, "apply", "--batch", str(sheet)))
            times["approve wave"].append(step(env, "--user", "bdc.reviewer", "review", "approve",
                                              "--all-from-import", "2"))
            times["re-import"].append(step(env, "unit", "import", str(sheet)))
    print(f"{a.rows} rows, median of {a.runs} runs, whole command incl. start-up:")
    for name, values in times.items():
        print(f"  {name:14s} {statistics.median(values):6.2f} s  (min {min(values):.2f}, max {max(values):.2f})")


if __name__ == "__main__":
    main()
