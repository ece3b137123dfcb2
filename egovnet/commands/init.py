"""egovnet init: create or upgrade the database."""

from __future__ import annotations

import typer

from egovnet import output
from egovnet.commands._common import JSON_OPT


def init(ctx: typer.Context, as_json: bool = JSON_OPT) -> None:
    """Create the database, or upgrade it to this egovnet's schema (backing up a SQLite file first).

    Also puts back the event log's append-only triggers if someone removed them, and checks the newest
    events' hash chain: exit 1 when the log does not verify.
    """
    from egovnet.services.setup import init_state

    result = init_state(ctx.obj)
    if result["restored_triggers"]:
        output.message(f"restored the event log's append-only trigger(s) {', '.join(result['restored_triggers'])}: "
                       "someone had removed them; check the whole log with 'egovnet log verify --full'")
    log = result["event_log"]
    if as_json:
        output.emit_json(result)
    elif result["from"] == result["to"] and log["ok"]:
        output.message(f"database {result['database']} is up to date (schema {result['to']})")
    elif result["from"] != result["to"]:
        output.message(f"database {result['database']}: schema {result['from'] or 'none'} -> {result['to']}"
                       + (f"; backup at {result['backup']}" if result["backup"] else ""))
    if not log["ok"]:
        from egovnet.services.history import broken_init

        raise broken_init(log)
