"""Every test gets its own EGOVNET_HOME and its own fresh database, no colour and a wide terminal.

The database is a SQLite file in the home, or, when EGOVNET_DB points at a PostgreSQL server
(``EGOVNET_DB=postgresql+psycopg://user@127.0.0.1:PORT/postgres pytest``), a throw-away database
created on that server for the test and dropped after it. Tests reach the database only through
egovnet itself or through ``sql()`` below (egovnet's own engine recipe); a test that is about SQLite
itself is marked ``sqlite_only`` and skipped on PostgreSQL with its reason.
"""

from __future__ import annotations

import itertools
import json
import os
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from egovnet.cli import app

REPO = Path(__file__).resolve().parent.parent
TODAY = "2026-09-28"  # a Monday before National Day and the 10-10 调休 Saturday
# the suite plays several people from one login: the shipped policy with `identity: declared`, as ./policies.yaml
DECLARED_POLICY = (REPO / "policies.yaml").read_text(encoding="utf-8").replace("\nidentity: os\n",
                                                                              "\nidentity: declared\n")

# the PostgreSQL server the suite runs against, if any (read once, before any test changes the environment)
PG_URL = os.environ.get("EGOVNET_DB", "") if os.environ.get("EGOVNET_DB", "").startswith("postgres") else ""
ON_POSTGRES = bool(PG_URL)
_test_numbers = itertools.count(1)


def pytest_collection_modifyitems(config, items):
    for item in items:
        mark = item.get_closest_marker("sqlite_only")
        if mark and ON_POSTGRES:
            why = mark.kwargs.get("reason") or (mark.args[0] if mark.args else "SQLite only")
            item.add_marker(pytest.mark.skip(reason=f"SQLite only: {why}"))
        if item.get_closest_marker("postgres_only") and not ON_POSTGRES:
            item.add_marker(pytest.mark.skip(reason="PostgreSQL only: set EGOVNET_DB=postgresql+psycopg://..."))


@pytest.fixture(scope="session")
def _pg_admin():
    """An AUTOCOMMIT connection to the server's maintenance database, for CREATE/DROP DATABASE."""
    if not ON_POSTGRES:
        yield None
        return
    from sqlalchemy import create_engine

    from egovnet.state.db import _postgres_url

    engine = create_engine(_postgres_url(PG_URL), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        yield conn
    engine.dispose()


def _fresh_postgres_database(admin) -> tuple[str, str]:
    from sqlalchemy.engine import make_url

    from egovnet.state.db import _postgres_url

    name = f"egovnet_test_{os.getpid()}_{next(_test_numbers)}"
    # PostgreSQL 15's default WAL_LOG strategy writes the whole copy to WAL; FILE_COPY of the empty template0
    # is faster (80 ms against 120 ms a database here). Older servers copy files anyway and know no STRATEGY.
    modern = admin.dialect.server_version_info >= (15,)
    admin.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE template0' + (" STRATEGY FILE_COPY" if modern else ""))
    url = make_url(_postgres_url(PG_URL)).set(database=name).render_as_string(hide_password=False)
    return name, url


@pytest.fixture(autouse=True)
def _home(tmp_path, monkeypatch, _pg_admin):
    home = tmp_path / "home"
    monkeypatch.chdir(tmp_path)
    (tmp_path / "policies.yaml").write_text(DECLARED_POLICY, encoding="utf-8")
    for var in ("EGOVNET_DB", "EGOVNET_POLICY", "EGOVNET_INVENTORY", "EGOVNET_DEBUG"):
        monkeypatch.delenv(var, raising=False)
    database = None
    if _pg_admin is not None:
        database, url = _fresh_postgres_database(_pg_admin)
        monkeypatch.setenv("EGOVNET_DB", url)
    monkeypatch.setenv("EGOVNET_HOME", str(home))
    monkeypatch.setenv("EGOVNET_TODAY", TODAY)
    monkeypatch.setenv("EGOVNET_USER", "bdc.engineer")
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "200")
    # English whatever the locale of the person running the suite (tests/test_i18n.py sets its own)
    for var in ("EGOVNET_LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))  # the compiled catalog, per test
    yield home
    from egovnet.state.db import dispose_all

    dispose_all()
    if database is not None:
        _pg_admin.exec_driver_sql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def db_url() -> str:
    """The URL of this test's database (EGOVNET_DB, else the SQLite file in EGOVNET_HOME)."""
    from egovnet.settings import Settings

    return Settings.resolve().db_url


def sql(statement: str, **params) -> list[tuple]:
    """Run one statement on this test's database through egovnet's engine recipe; its rows as tuples."""
    from sqlalchemy import text

    from egovnet.state.db import make_engine

    engine = make_engine(db_url())
    try:
        with engine.begin() as conn:
            result = conn.execute(text(statement), params)
            return [tuple(r) for r in result] if result.returns_rows else []
    finally:
        engine.dispose()


@pytest.fixture
def lab(tmp_path, monkeypatch):
    """The sample device lab in-process on 127.0.0.1 (free ports), with its inventory as EGOVNET_INVENTORY."""
    from egovnet.services.lab import sample_spec, start_lab, write_inventory

    monkeypatch.setenv("EGOVNET_LAB_PASSWORD", "Lab-Secret-7f3a")
    spec = sample_spec(ports=4)
    lab = start_lab(spec)
    inv = write_inventory(tmp_path / "inventory", spec, lab, timeouts={"connect": 3, "auth": 3, "banner": 3, "read": 4})
    monkeypatch.setenv("EGOVNET_INVENTORY", str(inv))
    yield lab
    lab.stop()


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self):
        return json.loads(self.out)


def run(*args: str, user: str | None = None, today: str | None = None, input: str | None = None) -> Result:
    argv = list(args[0].split() if len(args) == 1 and " " in args[0] and not args[0].startswith("'") else args)
    pre = []
    if user:
        pre += ["--user", user]
    if today:
        pre += ["--today", today]
    result = CliRunner().invoke(app, pre + argv, input=input, catch_exceptions=False)
    return Result(result.exit_code, result.stdout, result.stderr)


def ok(*args, **kw) -> Result:
    r = run(*args, **kw)
    assert r.code == 0, f"exit {r.code}\nstdout: {r.out}\nstderr: {r.err}"
    return r


def fails(code: int, *args, **kw) -> Result:
    r = run(*args, **kw)
    assert r.code == code, f"expected exit {code}, got {r.code}\nstdout: {r.out}\nstderr: {r.err}"
    assert r.err.startswith("Error: "), r.err
    assert r.err.count("\n") == 1, f"one error line expected: {r.err!r}"
    assert "Traceback" not in r.err
    return r


DEPT = "朱家角镇人民政府"
APPLY_ARGS = ["--basis", "区政府工作要求", "--scope", "村委会办公区", "--mode", "dedicated", "--purpose", "一网通办",
              "--bandwidth", "50", "--technical", "光纤接入", "--time-requirement", "尽快", "--cost-bearer", "budget"]


def add_unit(name: str, code: str, *, address: str = "青浦区朱家角镇张马村1号", category: str = "village",
             mlps: bool = True, extra: tuple = ()) -> None:
    args = ["unit", "add", name, "--category", category, "--dept", DEPT, "--code", code, "--town", "朱家角镇",
            "--address", address, *extra]
    if mlps:
        args += ["--mlps-level", "2", "--mlps-assessed", "2026-03-01"]
    ok(*args)


def file_app(unit: str, *extra: str, user: str = "dept.zhujiajiao") -> dict:
    return ok("apply", "--unit", unit, *APPLY_ARGS, *extra, "--json", user=user).json()


@pytest.fixture
def directory():
    """One department and three units: two sharing an address, one without an MLPS record."""
    ok("dept", "add", DEPT, "--contact", "信息办")
    add_unit("朱家角镇张马村村民委员会", "zjj-zhangma", address="青浦区朱家角镇张马村沈太路1号")
    add_unit("朱家角镇张马村卫生室", "zjj-zhangma-ws", address="上海市 青浦区朱家角镇张马村沈太路１号")
    add_unit("朱家角镇安庄村村民委员会", "zjj-anzhuang", address="青浦区朱家角镇安庄村1号", mlps=False)


def quiet_days(link: int, first: str, last: str, *, skip: tuple[str, ...] = ()) -> None:
    """Record zero traffic for ``link`` on every day from ``first`` to ``last`` (except ``skip``), as the
    monitoring system would export it: complete data showing no use, so that `audit idle` may judge the link."""
    import datetime as dt

    start, end = dt.date.fromisoformat(first), dt.date.fromisoformat(last)
    days = [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]
    path = Path.cwd() / f"quiet-L{link}-{first}.csv"
    path.write_text("link,date,bytes_in,bytes_out\n" + "".join(f"L{link},{d},0,0\n" for d in days
                                                                if d.isoformat() not in skip), encoding="utf-8")
    ok("--today", max(last, TODAY), "usage", "import", str(path))
