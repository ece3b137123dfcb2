"""Art. 14 under concurrent writers: 2 processes x N applications at shared addresses, on SQLite and PostgreSQL.

    python benchmarks/concurrent_apply.py                                   # SQLite, 2 x 200
    python benchmarks/concurrent_apply.py --pg postgresql+psycopg://egovnet@127.0.0.1:5432/postgres

Units i and i+N share an address, and process A files for units 0..N-1 while process B files for N..2N-1,
so both reach every address at the same moment: the worst case for 'at most one open link per address'.
Each process files through the real CLI (in-process, one ``egovnet apply`` after another). With --pg, a
throw-away database is created on that server and dropped at the end. Prints links per address, errors
shown to the user, and the time taken. Not a test: numbers, not pass/fail.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _declared import declared_policy  # noqa: E402

WORKER = textwrap.dedent("""
    import json, sys
    from typer.testing import CliRunner
    from egovnet.cli import app
    start, count = int(sys.argv[1]), int(sys.argv[2])
    runner, errors = CliRunner(), []
    args = ["--basis", "b", "--scope", "s", "--mode", "dedicated", "--purpose", "p", "--bandwidth", "10",
            "--technical", "t", "--time-requirement", "t", "--cost-bearer", "budget"]
    for i in range(start, start + count):
        res = runner.invoke(app, ["--user", "dept.zhujiajiao", "apply", "--unit", f"u{i:04d}", *args])
        if res.exit_code:
            errors.append((res.stderr or repr(res.exception)).strip())
    print(json.dumps(errors))
""")
DEPT = "朱家角镇人民政府"  # the department of the policy's user dept.zhujiajiao


def run(url: str, home: Path, n: int) -> dict:
    from sqlalchemy import text

    os.environ.update({"EGOVNET_DB": url, "EGOVNET_HOME": str(home), "EGOVNET_USER": "bdc.engineer",
                       "EGOVNET_POLICY": str(declared_policy(home)),
                       "EGOVNET_TODAY": "2026-09-28"})
    from egovnet.services.context import Ctx
    from egovnet.services.directory import UnitInput, add_dept, add_unit
    from egovnet.settings import Settings
    from egovnet.state.db import dispose_all, make_engine

    ctx = Ctx.from_settings(Settings.resolve())
    add_dept(ctx, DEPT)
    for i in range(2 * n):
        add_unit(ctx, UnitInput(name=f"村委会{i:04d}", code=f"u{i:04d}", category="village", dept=DEPT,
                                address=f"青浦区华新镇华腾路{i % n + 1}号", mlps_level=2))
    dispose_all()
    worker = home / "worker.py"
    worker.write_text(WORKER)
    t = time.perf_counter()
    procs = [subprocess.Popen([sys.executable, str(worker), str(s), str(n)], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for s in (0, n)]
    errors, crashed = [], 0
    for p in procs:
        out, err = p.communicate()
        if p.returncode:
            crashed += 1
            errors.append(err.strip().splitlines()[-1] if err.strip() else f"exit {p.returncode}")
        else:
            errors += json.loads(out)
    elapsed = time.perf_counter() - t
    engine = make_engine(url)
    with engine.connect() as conn:
        q = lambda s: conn.execute(text(s)).scalar()  # noqa: E731
        out = {
            "applications": q("SELECT count(*) FROM application"),
            "addresses": q("SELECT count(DISTINCT address_key) FROM unit"),
            "links": q("SELECT count(*) FROM link"),
            "addresses_with_two_links": q("SELECT count(*) FROM (SELECT address_key FROM link GROUP BY address_key "
                                          "HAVING count(*) > 1) AS d"),
            "errors_shown": len(errors), "crashed_processes": crashed, "seconds": round(elapsed, 2),
        }
    engine.dispose()
    out["applications_per_s"] = round(out["applications"] / elapsed, 1)
    if errors:
        out["first_error"] = errors[0][:300]
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=200, help="applications per process (default 200)")
    ap.add_argument("--pg", metavar="URL", help="a PostgreSQL server's maintenance database URL; a throw-away "
                                                "database is created on it")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        home.mkdir()
        if not a.pg:
            result = run(f"sqlite:///{home / 'egovnet.db'}", home, a.n)
            engine_name = "SQLite"
        else:
            from sqlalchemy import create_engine
            from sqlalchemy.engine import make_url

            from egovnet.state.db import _postgres_url

            admin = create_engine(_postgres_url(a.pg), isolation_level="AUTOCOMMIT")
            name = f"egovnet_bench_{os.getpid()}"
            with admin.connect() as conn:
                conn.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE template0')
                version = conn.exec_driver_sql("SHOW server_version").scalar()
            try:
                url = make_url(_postgres_url(a.pg)).set(database=name).render_as_string(hide_password=False)
                result = run(url, home, a.n)
            finally:
                from egovnet.state.db import dispose_all

                dispose_all()
                with admin.connect() as conn:
                    conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                admin.dispose()
            engine_name = f"PostgreSQL {version}"
    print(f"{engine_name}: 2 processes x {a.n} applications, units i and i+{a.n} at one address")
    for k, v in result.items():
        print(f"  {k:26s} {v}")


if __name__ == "__main__":
    main()
