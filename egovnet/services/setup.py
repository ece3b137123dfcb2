"""Creating and upgrading the state store."""

from __future__ import annotations

import errno
import os
from contextlib import contextmanager
from pathlib import Path

from egovnet.errors import DatabaseError, EgovnetError


def init_state(settings) -> dict:
    from egovnet.state.db import _safe_url, make_engine, upgrade

    settings.policy()  # refuse to create state under an invalid policy
    with _leave_nothing_behind(settings):
        _make_home(settings.home)
        engine = make_engine(settings.db_url)
        try:
            result = upgrade(engine, settings.home)
            result.update(check_event_log(engine, settings.home))
        finally:
            engine.dispose()
    return {"database": _safe_url(settings.db_url), **result}


def check_event_log(engine, home) -> dict:
    """The append-only triggers put back where missing, and the newest events' hash chain checked."""
    from egovnet.services import events

    restored = events.restore_guards(engine)
    log = events.check_recent(engine, home)
    return {"restored_triggers": restored, "event_log": log}


# ---- a broken database or home: one line, and nothing left behind ------------------------------------------

def _make_home(home: Path) -> None:
    """Create EGOVNET_HOME, or say in one line why it cannot be."""
    home = Path(home)
    if home.exists() and not home.is_dir():
        raise DatabaseError(f"EGOVNET_HOME {home} is a file, not a folder; set EGOVNET_HOME (or --home) to a folder")
    try:
        home.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        blocker = next((p for p in [home, *home.parents] if p.exists() and not p.is_dir()), None)
        if exc.errno in (errno.ENOTDIR, errno.EEXIST) and blocker is not None:
            why = f"{blocker} is a file, not a folder"
        else:
            why = exc.strerror or str(exc)
        raise DatabaseError(f"cannot create EGOVNET_HOME {home}: {why}; set EGOVNET_HOME (or --home) to a folder "
                            "this account may write") from None


def _existing(paths) -> set[Path]:
    return {p for p in paths if p.exists()}


@contextmanager
def _leave_nothing_behind(settings):
    """Refuse a database file that is not egovnet's; on any failure remove what this run created (a new empty
    database file, a half-written backup, folders made for them) and report one line instead of a traceback."""
    from egovnet.state.db import check_database_file, describe_failure, remove_unfinished, sqlite_file

    check_database_file(settings.db_url, settings.home, deep=True)
    db = sqlite_file(settings.db_url)
    home = Path(settings.home)
    backups = home / "backups" / "db"
    folders = [home, home / "backups", backups] + ([db.parent] if db else [])
    before_files = _existing([db] if db else [])
    before_folders = _existing(folders)
    before_backups = set(backups.iterdir()) if backups.is_dir() else set()
    try:
        yield
    except BaseException as exc:
        if db is not None and db not in before_files:
            remove_unfinished(db)  # the empty file this run created (never one another process has written)
        if backups.is_dir():
            for f in set(backups.iterdir()) - before_backups:
                _remove(f)
        for folder in sorted(_existing(folders) - before_folders, key=lambda p: len(p.parts), reverse=True):
            try:
                folder.rmdir()
            except OSError:
                pass
        if isinstance(exc, EgovnetError) or not isinstance(exc, Exception):
            raise
        raise DatabaseError(describe_failure(exc, settings.db_url)) from None


def _remove(path: Path) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass
