"""How long `egovnet log verify --full` takes on a large event log.

Writes N events (default 100,000) through egovnet's own writer (services/events.append, the path imports use:
queued, chained and inserted at commit) into a throw-away SQLite home, then verifies the whole chain and the
newest 1,000 (what init and the audits check) and prints the numbers.

    python benchmarks/log_verify.py            # 100,000 events
    python benchmarks/log_verify.py 20000
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace


def main(n: int = 100_000) -> dict:
    from egovnet.services import events
    from egovnet.state.db import make_engine, unit_of_work, upgrade
    from egovnet.state.models import utcnow

    with tempfile.TemporaryDirectory(prefix="egovnet-logbench-") as tmp:
        home = Path(tmp)
        engine = make_engine(f"sqlite:///{home / 'egovnet.db'}")
        upgrade(engine, home)
        ctx = SimpleNamespace(home=home, today=dt.date(2026, 9, 28), user="bdc.engineer")
        started = time.perf_counter()
        batch = 10_000
        for start in range(0, n, batch):
            with unit_of_work(engine) as s:
                events.append(s, ctx, [
                    {"at": utcnow(), "effective_date": ctx.today, "actor": ctx.user, "role": "bdc",
                     "object_type": "unit", "object_id": i, "action": "update", "article": 9,
                     "before": {"mlps_level": 2, "contact": "村委会"}, "after": {"mlps_level": 3, "contact": "信息办"}}
                    for i in range(start + 1, min(n, start + batch) + 1)])
        written = time.perf_counter() - started
        full = events.verify(engine, home)
        recent = events.verify(engine, home, recent=events.RECENT)
        engine.dispose()
    assert full["ok"] and recent["ok"] and full["checked"] == n, (full, recent)
    return {"events": n, "write_seconds": round(written, 2), "verify_full_seconds": full["seconds"],
            "verify_recent_1000_seconds": recent["seconds"]}


if __name__ == "__main__":
    result = main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
    print(f"{result['events']:,} events written through the chained writer in {result['write_seconds']:.2f} s; "
          f"log verify --full: {result['verify_full_seconds']:.2f} s; "
          f"--recent 1000: {result['verify_recent_1000_seconds']:.3f} s")
