"""The one engine recipe, schema upgrades, and ``unit_of_work``.

SQLite (the embedded default): WAL, busy_timeout, foreign keys on, the driver's own transaction
handling off and ``BEGIN IMMEDIATE`` for every write transaction, so that two egovnet processes
(a person and cron) never lose an update nor see 'database is locked'.

PostgreSQL (a team's shared database, ``postgresql+psycopg://``): every write transaction first takes
one transaction-level advisory lock (``pg_advisory_xact_lock``), PostgreSQL's counterpart of
``BEGIN IMMEDIATE``: egovnet's write transactions are short (never held across SSH), so one writer
at a time costs little and makes every read-then-write rule that spans rows (one open link per
address, Art. 14; one open application per unit; batch imports; idle closure) hold between
processes. Unique constraints back the rules that are uniqueness; the rare conflict a constraint or
the server still reports (unique violation, serialization failure, deadlock) is retried by
``retrying`` inside the service, never shown.
"""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from pathlib import Path

from egovnet.errors import DatabaseError

HEAD_REVISION = "0006"
POSTGRES_EXTRA = "pip install 'egovnet[postgres]'"
# the key of egovnet's one writer lock on PostgreSQL (advisory locks are per database): b"egov"
WRITE_LOCK_KEY = 0x65676F76
# SQLSTATEs a retry cures: serialization_failure, deadlock_detected, unique_violation
RETRY_SQLSTATES = {"40001", "40P01", "23505"}
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
    url = _postgres_url(url)
    try:
        engine = create_engine(url, pool_pre_ping=True)
    except ImportError as exc:  # the URL names a DBAPI driver that is not installed
        raise DatabaseError(_missing_driver(url, exc)) from None
    if engine.dialect.name == "postgresql":

        @event.listens_for(engine, "begin")
        def _on_pg_begin(conn):
            if conn.get_execution_options().get("egovnet_write", True):
                conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITE_LOCK_KEY})")

    return engine


def _postgres_url(url: str) -> str:
    """``postgresql://`` means the driver egovnet ships with (psycopg 3), not SQLAlchemy's default psycopg2."""
    for plain in ("postgresql://", "postgres://"):
        if url.startswith(plain):
            return "postgresql+psycopg://" + url[len(plain):]
    return url


def _missing_driver(url: str, exc: ImportError) -> str:
    safe = _safe_url(url)
    module = getattr(exc, "name", None) or str(exc)
    if url.startswith("postgresql"):
        driver = url.split("://", 1)[0].partition("+")[2] or "psycopg"
        if driver != "psycopg":
            return (f"cannot open database {safe}: its driver {driver!r} is not installed; egovnet talks to "
                    f"PostgreSQL through psycopg: {POSTGRES_EXTRA} and use a postgresql+psycopg:// URL")
        return f"cannot open database {safe}: the PostgreSQL driver psycopg is not installed; {POSTGRES_EXTRA}"
    return f"cannot open database {safe}: its driver ({module}) is not installed"


def current_revision(engine) -> str | None:
    from sqlalchemy import inspect, text

    # a read: it neither takes BEGIN IMMEDIATE nor waits for PostgreSQL's writer lock on every command's start
    with engine.execution_options(egovnet_write=False).connect() as conn:
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

    try:
        before = current_revision(engine)
    except Exception as exc:
        if engine.url.get_backend_name() == "sqlite":
            raise  # a SQLite file's own failures (disk full, read-only folder) are described by the caller
        # an unreachable server, a refused login: one line, as get_engine says it
        raise DatabaseError(_cannot_open(engine.url.render_as_string(hide_password=False), exc)) from None
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
            raise DatabaseError(_cannot_open(_postgres_url(url), exc)) from None
        _engines[url] = engine
    return engine


def dispose_all() -> None:
    while _engines:
        _url, engine = _engines.popitem()
        engine.dispose()


def retrying(fn, *, attempts: int = 5):
    """Run ``fn()`` (which opens its own ``unit_of_work``) again when the database reports a conflict
    that a fresh transaction cures: a serialization failure, a deadlock, or a unique violation raised
    by a concurrent writer (the next attempt sees that writer's row and takes the other branch).
    A conflict that persists is the last attempt's error, raised as it is."""
    import random
    import time

    from sqlalchemy.exc import DBAPIError

    for attempt in range(1, attempts + 1):
        try:
            return fn()
        except DBAPIError as exc:
            if attempt == attempts or _sqlstate(exc) not in RETRY_SQLSTATES:
                raise
            time.sleep(random.uniform(0.005, 0.02) * attempt)


def _sqlstate(exc) -> str | None:
    orig = getattr(exc, "orig", None)
    state = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    if state:
        return state
    if orig is not None and orig.__class__.__name__ == "IntegrityError" and "UNIQUE constraint failed" in str(orig):
        return "23505"  # SQLite says it in words
    return None


def _cannot_open(url: str, exc: Exception) -> str:
    return (f"cannot open database {_safe_url(url)}: {exc.__class__.__name__}: "
            f"{(str(exc).splitlines() or [''])[0][:200]}")


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
