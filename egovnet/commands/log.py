"""egovnet log: the append-only event log."""

from __future__ import annotations

from typing import Optional

import typer

from egovnet import output
from egovnet.commands._common import FORMAT_OPT, JSON_OPT, OUT_OPT, services, target
from egovnet.output import Column, Format

app = typer.Typer(help="The append-only event log: who changed what, when, under which article.",
                  no_args_is_help=True)


@app.command("list")
def list_(
    ctx: typer.Context,
    object_type: Optional[str] = typer.Option(None, "--type", help="unit | application | link | department"),
    object_id: Optional[int] = typer.Option(None, "--id"),
    limit: int = typer.Option(50, "--limit", min=1, max=100000),
    as_json: bool = JSON_OPT,
    fmt: Optional[Format] = FORMAT_OPT,
    out: Optional[str] = OUT_OPT,
) -> None:
    """List recent events, newest first."""
    from egovnet.services.history import list_events

    how = target(as_json, fmt, out)
    rows = list_events(services(ctx), object_type, object_id, limit)
    output.render(rows, [Column("id", "#", "right"), Column("at", "at (UTC)"), Column("effective_date", "effective"),
                         Column("actor", "actor"), Column("role", "role"), Column("object", "object"),
                         Column("action", "action"), Column("article", "Art.", "right")], how,
                  sheet="events", empty="no events")


@app.command("verify")
def verify(
    ctx: typer.Context,
    full: bool = typer.Option(False, "--full", help="Check every event (the default)."),
    recent: Optional[int] = typer.Option(None, "--recent", min=1, max=10_000_000, metavar="N",
                                         help="Check only the newest N events (what init and the audits do)."),
    as_json: bool = JSON_OPT,
) -> None:
    """Check the event log's hash chain; name the first event changed, deleted, inserted or reordered.

    Exit 0 when the chain is intact, 1 when it is not. Example: egovnet log verify --recent 1000
    """
    from egovnet.errors import UsageError
    from egovnet.services.history import verify_log

    if full and recent is not None:
        raise UsageError("--full and --recent N exclude each other; give one")
    result = verify_log(services(ctx), recent)
    if as_json:
        output.emit_json(result)
    elif result["ok"]:
        head = result["head"]
        where = (f"up to event {head['event']} (chain position {head['position']}, HMAC {head['hmac'][:16]}...)"
                 if head else "(the log is empty)")
        typer.echo(f"event log intact: {result['checked']} events checked ({result['mode']}) {where} "
                   f"in {result['seconds']:.2f} s")
    if not result["ok"]:
        from egovnet.services.history import broken

        raise broken(result)
