"""Creating and upgrading the state store."""

from __future__ import annotations


def init_state(settings) -> dict:
    from egovnet.state.db import _safe_url, make_engine, upgrade

    settings.policy()  # refuse to create state under an invalid policy
    settings.home.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.db_url)
    try:
        result = upgrade(engine, settings.home)
    finally:
        engine.dispose()
    return {"database": _safe_url(settings.db_url), **result}
