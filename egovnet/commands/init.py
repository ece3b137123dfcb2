"""egovnet init: create or upgrade the database."""

from __future__ import annotations

import typer

from egovnet import output
from egovnet.commands._common import JSON_OPT


def init(ctx: typer.Context, as_json: bool = JSON_OPT) -> None:
    """Create the database, or upgrade it to this egovnet's schema (backing up a SQLite file first)."""
    from egovnet.services.setup import init_state

    result = init_state(ctx.obj)
    if as_json:
        output.emit_json(result)
        return
    if result["from"] == result["to"]:
        output.message(f"database {result['database']} is up to date (schema {result['to']})")
    else:
        output.message(f"database {result['database']}: schema {result['from'] or 'none'} -> {result['to']}"
                       + (f"; backup at {result['backup']}" if result["backup"] else ""))
