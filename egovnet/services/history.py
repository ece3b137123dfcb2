"""Reading the event log."""

from __future__ import annotations

from egovnet.services import events
from egovnet.state.db import unit_of_work


def list_events(ctx, object_type=None, object_id=None, limit=50) -> list[dict]:
    with unit_of_work(ctx.engine, write=False) as s:
        return events.event_rows(s, object_type, object_id, limit)


def verify_log(ctx, recent: int | None = None) -> dict:
    """The event log's hash chain checked, whole or its newest ``recent`` events; the first problem named."""
    return events.verify(ctx.engine, ctx.home, recent=recent)


def broken(result: dict) -> Exception:
    return events.LogBroken(events.broken_line(result, hint="investigate who had write access to the database"))


def broken_init(result: dict) -> Exception:
    return events.LogBroken(events.broken_line(result, hint="run 'egovnet log verify --full'"))


def require_intact_log(ctx) -> None:
    """Audits refuse to run on a log whose newest events do not verify (they would rest on, and extend, it)."""
    events.require_intact(ctx.engine, ctx.home)
