"""egovnet push: the push journal - every device change, and the ones an interrupted run left open (Art. 7)."""

from __future__ import annotations

from typing import List, Optional

import typer

from egovnet import output
from egovnet.commands._common import FORMAT_OPT, JSON_OPT, OUT_OPT, services, target
from egovnet.output import Column, Format

app = typer.Typer(help="The push journal: list, show, resume or abandon device changes (Art. 7).",
                  no_args_is_help=True)

COLUMNS = [Column("id", "push", "right"), Column("device", "device"), Column("action", "action"),
           Column("service", "by"), Column("status", "status"), Column("state", "state"), Column("link", "link", "right"),
           Column("application", "app", "right"), Column("change", "change", "right"), Column("actor", "actor"),
           Column("started_at", "started"), Column("held_by", "held by"), Column("error", "error")]
SHOW = [("device", "device"), ("action", "action"), ("service", "journalled by"), ("status", "status"),
        ("state", "state"), ("link", "link"), ("application", "application"), ("change", "change request"),
        ("actor", "actor"), ("run", "run"), ("effective_date", "effective date"), ("started_at", "started"),
        ("finished_at", "finished"), ("recorded_at", "recorded"), ("held_by", "held by"), ("backup", "backup"),
        ("error", "error")]
RESUMED = [Column("push", "push", "right"), Column("device", "device"), Column("action", "action"),
           Column("service", "by"), Column("from", "was"), Column("status", "status"), Column("saved", "saved"),
           Column("result", "result"), Column("error", "error")]


@app.command("list")
def list_(
    ctx: typer.Context,
    open_only: bool = typer.Option(False, "--open", help="Only pushes whose record step has not run (interrupted "
                                                         "or still running)."),
    as_json: bool = JSON_OPT,
    fmt: Optional[Format] = FORMAT_OPT,
    out: Optional[str] = OUT_OPT,
) -> None:
    """The newest 200 pushes, or every open one: state 'interrupted' (its run is gone) or 'running'."""
    from egovnet.services.pushes import list_pushes

    how = target(as_json, fmt, out)
    rows = list_pushes(services(ctx), open_only=open_only)
    output.render(rows, COLUMNS, how, title="open pushes" if open_only else "pushes",
                  row_style=lambda r: "red" if r["state"] == "interrupted" else None,
                  empty="no open pushes" if open_only else "no pushes")


@app.command("show")
def show(ctx: typer.Context, push: int = typer.Argument(..., metavar="ID"), as_json: bool = JSON_OPT) -> None:
    """One push: its commands, rollback, backup, state and events."""
    from egovnet.services.pushes import show_push

    data = show_push(services(ctx), push)
    if as_json:
        output.emit_json(data)
        return
    output.fields(data, SHOW, title=f"push {data['id']}")
    for line in data["commands"]:
        typer.echo(line)


@app.command("resume")
def resume(
    ctx: typer.Context,
    pushes: Optional[List[int]] = typer.Argument(None, metavar="ID...", help="Open pushes to finish."),
    all_open: bool = typer.Option(False, "--all", help="Every open push whose run is gone."),
    as_json: bool = JSON_OPT,
) -> None:
    """Finish interrupted pushes (role bdc, Art. 7).

    When the device shows the change: save it if the saved config lacks it, then record it (link active, change
    applied, link decommissioned, closure noticed). Otherwise undo what it left and put its application back to
    approved. Example: egovnet push resume --all"""
    from egovnet.errors import PartialFailure, UsageError
    from egovnet.services.pushes import resume as run

    if bool(pushes) == all_open:
        raise UsageError("name the pushes to resume, or use --all (see 'egovnet push list --open')")
    with output.progress("resuming"):
        rows = run(services(ctx), None if all_open else list(pushes))
    if as_json:
        output.emit_json(rows)
    else:
        output.table(rows, RESUMED, title="resumed pushes", empty="no interrupted pushes")
    stuck = [r for r in rows if r["result"] == "still open" or r["status"] == "failed"]
    if stuck:
        raise PartialFailure(f"{len(stuck)} of {len(rows)} pushes could not be finished: " + "; ".join(
            f"push {r['push']} on {r['device']}: {r['error']}" for r in stuck))


@app.command("abandon")
def abandon(
    ctx: typer.Context,
    push: int = typer.Argument(..., metavar="ID"),
    reason: str = typer.Option(..., "--reason", help="Why the push is given up (kept in the journal and the log)."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask (required off a terminal)."),
    as_json: bool = JSON_OPT,
) -> None:
    """Give an open push up (role bdc, Art. 7).

    What it left on the device is undone (and the saved config follows), the push is marked abandoned with the
    reason, and its application goes back to approved. Example: egovnet push abandon 12 --reason "port faulty" """
    from egovnet.errors import Refused
    from egovnet.services.pushes import abandon as run

    if not yes:
        if not output.is_terminal():
            raise Refused("abandoning a push may change a device; confirm with --yes when running off a terminal")
        if not output.confirm(f"Abandon push {push} and undo what it left on its device?"):
            raise Refused("nothing was changed")
    data = run(services(ctx), push, reason)
    if as_json:
        output.emit_json(data)
        return
    output.message(f"push {data['id']} on {data['device']} ({data['action']}, was {data['from']}): {data['status']}"
                   + (f"; undone with {len(data['undone'])} command(s)" if data["undone"] else "; nothing to undo"))
