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

HEAD_REVISION = "0015"
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
        cfg = alembic_config(engine, conn)
        cfg.attributes["home"] = Path(home)  # where migration 0007 finds (or creates) the event log key
        command.upgrade(cfg, "head")
    return {"from": before, "to": HEAD_REVISION, "backup": str(backup) if backup else None}


def _known_revisions() -> set[str]:
    return {p.stem.split("_")[0] for p in (MIGRATIONS / "versions").glob("*.py")}


def get_engine(settings, *, auto_upgrade: bool = True):
    """The engine for these settings, its schema brought up to date."""
    url = settings.db_url
    engine = _engines.get(url)
    if engine is None:
        new_file = sqlite_file(url)
        new_file = new_file if new_file is not None and not new_file.exists() else None
        try:
            check_database_file(url, settings.home)
            engine = make_engine(url)
            if auto_upgrade and current_revision(engine) != HEAD_REVISION:
                upgrade(engine, settings.home)
        except DatabaseError:
            raise
        except Exception as exc:  # no traceback for an unreachable or corrupt database
            if describe_failure(exc, url, known_only=True):  # the disk, not another process, stopped it
                remove_unfinished(new_file)
            raise DatabaseError(describe_failure(exc, _postgres_url(url))) from None
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


# ---- a database file that is not egovnet's, and failures of the disk under it ------------------------------

SQLITE_HEADER = b"SQLite format 3\x00"


def sqlite_file(url: str) -> Path | None:
    """The file behind a SQLite URL (None for PostgreSQL and in-memory databases)."""
    if not url.startswith("sqlite"):
        return None
    from sqlalchemy.engine import make_url

    database = make_url(url).database
    return Path(database).expanduser() if database and database != ":memory:" else None


def check_database_file(url: str, home: Path | None = None, *, deep: bool = False) -> None:
    """Refuse, before anything writes to it, a file that is not an egovnet database.

    A missing file is a new database. An empty (0-byte) file is refused: it is what a failed copy, a full disk
    or a stray '>' leaves behind, and taking it as new would hide that the record is gone. ``deep`` (init)
    also reads every page (PRAGMA quick_check), which finds a truncated file.
    """
    import sqlite3

    path = sqlite_file(url)
    if path is None or not path.exists():
        return
    restore = f"restore the newest copy from {Path(home) / 'backups' / 'db'}/ " if home else "restore it from a backup "
    fresh = "or move it aside and run 'egovnet init' to start a new database"
    if path.is_dir():
        raise DatabaseError(f"database {path} is a folder, not a file; point EGOVNET_DB or EGOVNET_HOME elsewhere")
    try:
        with open(path, "rb") as f:
            header = f.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise DatabaseError(f"cannot read database {path}: {exc.strerror}; check its permissions") from None
    if not header:
        raise DatabaseError(f"database {path} is an empty file (0 bytes), not an egovnet database; {restore}{fresh}")
    if header != SQLITE_HEADER:
        raise DatabaseError(f"database {path} is not an SQLite database (damaged, or another kind of file); "
                            f"{restore}{fresh}")
    # Read-only, and without the -wal/-shm files a WAL database otherwise gets on open (nothing written) unless
    # a -wal file is already there: then its pages are part of the database and must be read. An immutable
    # read takes no lock, so it could meet a page another process is checkpointing this very moment: a
    # problem is believed only once it has been seen three times.
    import time

    for attempt in range(3):
        mode = "mode=ro" if Path(f"{path}-wal").exists() else "mode=ro&immutable=1"
        try:
            conn = sqlite3.connect(f"file:{path}?{mode}", uri=True, timeout=30)
            try:
                tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
                problem = conn.execute("PRAGMA quick_check(1)").fetchone()[0] if deep else "ok"
            finally:
                conn.close()
        except sqlite3.Error as exc:
            problem = str(exc)
        if problem == "ok":
            break
        time.sleep(0.1 * (attempt + 1))
    else:
        raise DatabaseError(f"database {path} is damaged (SQLite: {problem}); {restore}{fresh}")
    if tables and "alembic_version" not in tables:
        shown = ", ".join(sorted(tables)[:3]) + (", ..." if len(tables) > 3 else "")
        raise DatabaseError(f"database {path} belongs to another program (tables {shown}), not egovnet; point "
                            "EGOVNET_DB or EGOVNET_HOME at egovnet's own database")


def describe_failure(exc: BaseException, url: str, *, known_only: bool = False) -> str | None:
    """One line for a database that cannot be opened or written: what, why, and what to do. With
    ``known_only``, None unless the cause is the disk or the file system (full, read-only, no permission)."""
    import errno

    path = sqlite_file(url)
    where = str(path) if path else _safe_url(url)
    folder = path.parent if path else None
    orig = getattr(exc, "orig", None) or exc
    text = str(orig).splitlines()[0][:200] if str(orig) else orig.__class__.__name__
    code = getattr(orig, "errno", None)
    if code == errno.ENOSPC or "database or disk is full" in text:
        return (f"cannot write database {where}: the disk is full ({text}); nothing was saved; free space and "
                "run the command again")
    if code == errno.EROFS or "readonly database" in text or "read-only" in text.lower():
        return (f"cannot write database {where}: the file or its folder {folder or ''} is read-only ({text}); "
                "nothing was saved; make it writable or set EGOVNET_HOME (or --home) to a writable folder")
    if code in (errno.ENOTDIR, errno.EEXIST) and folder is not None:
        return (f"cannot create the folder {folder} for database {where}: part of that path is a file, not a "
                "folder; set EGOVNET_HOME (or --home) to a folder path")
    if code == errno.EACCES or "unable to open database file" in text:
        return (f"cannot open database {where}: {text}; check that {folder or 'its folder'} exists and this "
                "account may write there (SQLite writes beside the file even to read it), or set EGOVNET_HOME "
                "(or --home)")
    if "disk I/O error" in text:
        return (f"cannot use database {where}: {text} (a full or failing disk); nothing was saved; check free "
                "space (df) and the disk, then run the command again")
    if "not a database" in text or "malformed" in text:
        return (f"database {where} is damaged ({text}); restore it from a backup, or move it aside and run "
                "'egovnet init' to start a new database")
    if known_only:
        return None
    return f"cannot open database {_safe_url(url)}: {orig.__class__.__name__}: {text}"


def remove_unfinished(path: Path | None) -> None:
    """Remove the empty database file this process created and could not finish (a full disk leaves 0 bytes),
    so that the next run does not take it for a lost record. A file with content is never touched."""
    if path is None:
        return
    for suffix in ("-wal", "-shm", "-journal", ""):
        target = Path(f"{path}{suffix}")
        try:
            if target.stat().st_size == 0:
                target.unlink()
        except OSError:
            pass
