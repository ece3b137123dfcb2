"""Creating and upgrading the state store."""

from __future__ import annotations


def init_state(settings) -> dict:
    from egovnet.state.db import _safe_url, make_engine, upgrade

    settings.policy()  # refuse to create state under an invalid policy
    settings.home.mkdir(parents=True, exist_ok=True)
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
