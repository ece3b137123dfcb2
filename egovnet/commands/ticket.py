"""egovnet ticket: fault tickets (故障工单), response and restoration clocks (Art. 17)."""

from __future__ import annotations

from typing import Optional

import typer

from egovnet import output
from egovnet.commands._common import FORMAT_OPT, JSON_OPT, OUT_OPT, services, target
from egovnet.output import Column, Format

app = typer.Typer(help="Fault tickets: response and restoration clocks per severity (Art. 17).", no_args_is_help=True)

COLUMNS = [Column("id", "ticket", "right"), Column("severity", "sev"), Column("link", "link", "right"),
           Column("unit", "unit"), Column("summary", "summary"), Column("reported_at", "reported"),
           Column("status", "status"), Column("clock", "clock"), Column("due", "due"), Column("left", "left", "right")]
SHOW = [("severity", "severity (Art. 17)"), ("basis", "clock basis"), ("link", "link"), ("unit", "unit"),
        ("summary", "summary"), ("status", "status"), ("reported_at", "reported"), ("reported_by", "reported by"),
        ("respond_due", "respond by"), ("acked_at", "acknowledged"), ("acked_by", "acknowledged by"),
        ("restore_due", "restore by"), ("resolved_at", "restored"), ("resolved_by", "restored by"),
        ("cause", "cause"), ("action", "action taken"), ("clock", "running clock"), ("left", "left"),
        ("downtime_start", "downtime from"), ("downtime_end", "downtime to")]


def _time(text: Optional[str], what: str):
    if text is None:
        return None
    from egovnet.services.tickets import parse_time

    return parse_time(text, what)


def _done(data: dict, as_json: bool, verb: str) -> None:
    if as_json:
        output.emit_json(data)
        return
    # one whole sentence each: a verb filled into a sentence would stay English in another language
    tid = data["id"]
    if verb == "acknowledged" and data["response_late"]:
        output.message(f"fault ticket {tid} acknowledged (late: due {data['respond_due']})")
    elif verb == "acknowledged":
        output.message(f"fault ticket {tid} acknowledged")
    elif data["restore_late"]:
        output.message(f"fault ticket {tid} resolved (late: due {data['restore_due']})")
    else:
        output.message(f"fault ticket {tid} resolved")
    typer.echo(str(data["id"]))


@app.command("open")
def open_(
    ctx: typer.Context,
    link: Optional[int] = typer.Option(None, "--link", help="The link at fault (its downtime counts, Art. 24)."),
    unit: Optional[str] = typer.Option(None, "--unit", help="Or the unit reporting (name or code)."),
    summary: str = typer.Option(..., "--summary", help="What is wrong, one line."),
    severity: Optional[str] = typer.Option(None, "--severity", help="p1 | p2 | p3 (default: the policy's)."),
    reported_at: Optional[str] = typer.Option(None, "--reported-at", help="When reported: YYYY-MM-DD HH:MM "
                                                                          "(China Standard Time); default now."),
    as_json: bool = JSON_OPT,
) -> None:
    """Open a fault ticket; its response and restoration clocks start at the report (Art. 17).

    Example: egovnet ticket open --link 3 --summary "链路中断" --severity p2 --reported-at "2026-10-09 15:00"
    """
    from egovnet.services.tickets import open_ticket

    when = _time(reported_at, "--reported-at")
    data = open_ticket(services(ctx), link=link, unit=unit, summary=summary, severity=severity, reported_at=when)
    if as_json:
        output.emit_json(data)
        return
    output.message(f"opened fault ticket {data['id']} ({data['severity']}): respond by {data['respond_due']}, "
                   f"restore by {data['restore_due']} (Art. {data['article']})")
    typer.echo(str(data["id"]))


@app.command("ack")
def ack(
    ctx: typer.Context,
    ticket_id: int = typer.Argument(..., metavar="ID"),
    at: Optional[str] = typer.Option(None, "--at", help="When the BDC responded: YYYY-MM-DD HH:MM; default now."),
    as_json: bool = JSON_OPT,
) -> None:
    """Acknowledge a ticket (role bdc): the response clock stops."""
    from egovnet.services.tickets import ack as run

    _done(run(services(ctx), ticket_id, _time(at, "--at")), as_json, "acknowledged")


@app.command("resolve")
def resolve(
    ctx: typer.Context,
    ticket_id: int = typer.Argument(..., metavar="ID"),
    cause: str = typer.Option(..., "--cause", help="What caused the fault."),
    action: str = typer.Option(..., "--action", help="What was done to restore service."),
    at: Optional[str] = typer.Option(None, "--at", help="When service was restored: YYYY-MM-DD HH:MM; default now."),
    as_json: bool = JSON_OPT,
) -> None:
    """Resolve a ticket (role bdc): the restoration clock and the link's downtime stop."""
    from egovnet.services.tickets import resolve as run

    _done(run(services(ctx), ticket_id, cause, action, _time(at, "--at")), as_json, "resolved")


@app.command("list")
def list_(
    ctx: typer.Context,
    open_only: bool = typer.Option(False, "--open", help="Only tickets not resolved yet."),
    overdue: bool = typer.Option(False, "--overdue", help="Only tickets past their running clock's target."),
    as_json: bool = JSON_OPT,
    fmt: Optional[Format] = FORMAT_OPT,
    out: Optional[str] = OUT_OPT,
) -> None:
    """Fault tickets with their running clock (time left, working hours for p2/p3); overdue ones in red."""
    from egovnet.services.tickets import list_tickets

    how = target(as_json, fmt, out)
    rows = list_tickets(services(ctx), open_only=open_only, overdue=overdue)
    output.render(rows, COLUMNS, how, title="fault tickets (Art. 17)", sheet="fault tickets",
                  empty="no fault tickets", row_style=lambda r: "red" if r["overdue"] else None)


@app.command("show")
def show(ctx: typer.Context, ticket_id: int = typer.Argument(..., metavar="ID"), as_json: bool = JSON_OPT) -> None:
    """One fault ticket, its clocks and its history."""
    from egovnet.services.tickets import show_ticket

    data = show_ticket(services(ctx), ticket_id)
    if as_json:
        output.emit_json(data)
        return
    output.fields(data, SHOW, title=f"fault ticket {data['id']}")
