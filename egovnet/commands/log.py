"""egovnet log: the append-only event log."""

from __future__ import annotations

from typing import Optional

import typer

from egovnet import output
from egovnet.commands._common import JSON_OPT, services
from egovnet.output import Column

app = typer.Typer(help="The append-only event log: who changed what, when, under which article.",
                  no_args_is_help=True)


@app.command("list")
def list_(
    ctx: typer.Context,
    object_type: Optional[str] = typer.Option(None, "--type", help="unit | application | link | department"),
    object_id: Optional[int] = typer.Option(None, "--id"),
    limit: int = typer.Option(50, "--limit", min=1, max=100000),
    as_json: bool = JSON_OPT,
) -> None:
    """List recent events, newest first."""
    from egovnet.services.history import list_events

    rows = list_events(services(ctx), object_type, object_id, limit)
    output.render(rows, [Column("id", "#", "right"), Column("at", "at (UTC)"), Column("effective_date", "effective"),
                         Column("actor", "actor"), Column("role", "role"), Column("object", "object"),
                         Column("action", "action"), Column("article", "Art.", "right")], as_json,
                  empty="no events")
