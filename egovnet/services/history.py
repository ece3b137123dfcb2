"""Reading the event log."""

from __future__ import annotations

from egovnet.services import events
from egovnet.state.db import unit_of_work


def list_events(ctx, object_type=None, object_id=None, limit=50) -> list[dict]:
    with unit_of_work(ctx.engine, write=False) as s:
        return events.event_rows(s, object_type, object_id, limit)
