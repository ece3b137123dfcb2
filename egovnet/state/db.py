"""The one engine recipe, schema upgrades, and ``unit_of_work``.

SQLite (the embedded default): WAL, busy_timeout, foreign keys on, the driver's own transaction
handling off and ``BEGIN IMMEDIATE`` for every write transaction, so that two egovnet processes
(a person and cron) never lose an update nor see 'database is locked'. Any other SQLAlchemy URL
(PostgreSQL) gets a plain engine.
"""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from pathlib import Path

from egovnet.errors import DatabaseError

HEAD_REVISION = "0010"
MIGRATIONS = Path(__file__).parent / "migrations"

_engines: dict[str, object] = {}


def make_engine(url: str):
    from sqlalchemy import create_engine, event

    if url.startswith("sqlite"):
        from sqlalchemy.engine import make_url

        database = make_url(url).database
        if database and database != ":memory:":
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn, _record):
            dbapi_conn.isolation_level = None  # we emit BEGIN ourselves
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn):
            write = conn.get_execution_options().get("egovnet_write", True)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

        return engine
    return create_engine(url, pool_pre_ping=True)


def current_revision(engine) -> str | None:
    from sqlalchemy import inspect, text

    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def alembic_config(engine, connection=None):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%"))
    cfg.attributes["connection"] = connection
    return cfg


def backup_sqlite(engine, home: Path) -> Path | None:
    """Copy the SQLite file aside before DDL (SQLite DDL is not transactional)."""
    if engine.url.get_backend_name() != "sqlite":
        return None
    database = engine.url.database
    if not database or database == ":memory:" or not Path(database).exists():
        return None
    folder = Path(home) / "backups" / "db"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"egovnet-{dt.datetime.now():%Y%m%dT%H%M%S%f}.db"
    raw = engine.raw_connection()
    try:
        cur = raw.driver_connection.cursor()
        cur.execute("VACUUM INTO ?", (str(target),))
        cur.close()
    finally:
        raw.close()
    return target


def upgrade(engine, home: Path) -> dict:
    """Bring the schema to HEAD_REVISION. Returns what was done."""
    from alembic import command

    before = current_revision(engine)
    if before == HEAD_REVISION:
        return {"from": before, "to": before, "backup": None}
    if before is not None and before not in _known_revisions():
        raise DatabaseError(
            f"database schema revision {before!r} is newer than this egovnet knows; upgrade egovnet"
        )
    backup = backup_sqlite(engine, home) if before is not None else None
    with engine.begin() as conn:
        command.upgrade(alembic_config(engine, conn), "head")
    return {"from": before, "to": HEAD_REVISION, "backup": str(backup) if backup else None}


def _known_revisions() -> set[str]:
    return {p.stem.split("_")[0] for p in (MIGRATIONS / "versions").glob("*.py")}


def get_engine(settings, *, auto_upgrade: bool = True):
    """The engine for these settings, its schema brought up to date."""
    url = settings.db_url
    engine = _engines.get(url)
    if engine is None:
        try:
            engine = make_engine(url)
            if auto_upgrade and current_revision(engine) != HEAD_REVISION:
                upgrade(engine, settings.home)
        except DatabaseError:
            raise
        except Exception as exc:  # no traceback for an unreachable or corrupt database
            raise DatabaseError(f"cannot open database {_safe_url(url)}: {exc.__class__.__name__}: "
                                f"{str(exc).splitlines()[0][:200]}") from None
        _engines[url] = engine
    return engine


def dispose_all() -> None:
    while _engines:
        _url, engine = _engines.popitem()
        engine.dispose()


def _safe_url(url: str) -> str:
    try:
        from sqlalchemy.engine import make_url

        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "(unparseable URL)"


@contextmanager
def unit_of_work(engine, *, write: bool = True):
    """A session that commits on exit and rolls back on any exception."""
    from sqlmodel import Session

    bound = engine if write else engine.execution_options(egovnet_write=False)
    with Session(bound, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
