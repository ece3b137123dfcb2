"""egovnet change: resource change requests (资源调整, Art. 18), reviewed in 5 working days, carried out in 10."""

from __future__ import annotations

from typing import Optional

import typer

from egovnet import output
from egovnet.commands._common import FORMAT_OPT, JSON_OPT, OUT_OPT, complete_change_status, date_opt, services, target
from egovnet.output import Column, Format

app = typer.Typer(help="Change requests: bandwidth or releasing a unit from a shared link (Art. 18).",
                  no_args_is_help=True)

COLUMNS = [Column("id", "id", "right"), Column("link", "link", "right"), Column("kind", "kind"),
           Column("unit", "unit"), Column("bandwidth_to", "to Mbit/s", "right"), Column("status", "status"),
           Column("requested_on", "requested"), Column("clock", "clock"), Column("days_left", "days left", "right")]
SHOW = [("link", "link"), ("kind", "kind"), ("unit", "unit"), ("dept", "department"),
        ("bandwidth_from", "from Mbit/s"), ("bandwidth_to", "to Mbit/s"), ("reason", "reason"), ("status", "status"),
        ("requested_on", "requested"), ("requested_by", "requested by"), ("review_due", "review due (5 wd)"),
        ("decided_on", "decided"), ("decided_by", "decided by"), ("decision_reason", "decision reason"),
        ("execution_due", "execution due (10 wd)"), ("applied_on", "applied"), ("applied_by", "applied by"),
        ("days_left", "working days left")]


def _said(data: dict, what: str) -> None:
    due = {"change_review": f"; review due {data['review_due']}",
           "change_execution": f"; to be carried out by {data['execution_due']}"}.get(data["clock"], "")
    output.message(f"change request {data['id']} (link {data['link']}, {data['kind']}) {what}{due} (Art. 18)")
    if data["provisional"]:
        output.warn("the deadline is provisional: that year's official holiday schedule is not known yet")


def _show(data: dict, as_json: bool, what: str) -> None:
    if as_json:
        output.emit_json(data)
    else:
        _said(data, what)


@app.command("request")
def request(
    ctx: typer.Context,
    link: int = typer.Argument(..., metavar="LINK", help="Link id (see 'egovnet link list')."),
    bandwidth: Optional[str] = typer.Option(None, "--bandwidth", metavar="MBPS", help="New bandwidth in Mbit/s."),
    release: Optional[str] = typer.Option(None, "--release", metavar="UNIT", help="Unit that stops using the shared link."),
    reason: str = typer.Option(..., "--reason", help="The written request's reason."),
    unit: Optional[str] = typer.Option(None, "--unit", help="With --bandwidth: the requesting unit, when the link is "
                                                            "shared by units of several departments."),
    received_on: Optional[str] = typer.Option(None, "--received-on", help="Day BDC received the written request; default today."),
    as_json: bool = JSON_OPT,
) -> None:
    """File a unit's written change request (role dept or bdc); review is due in 5 working days (Art. 18).

    Example: egovnet change request 7 --bandwidth 100 --reason "视频会议扩容"
    """
    from egovnet.services.changes import request as run

    data = run(services(ctx), link, reason=reason, bandwidth=bandwidth, release=release, unit=unit,
               received_on=date_opt(received_on, "--received-on"))
    _show(data, as_json, "filed")
    if not as_json:
        typer.echo(data["id"])


@app.command("list")
def list_(
    ctx: typer.Context,
    status: Optional[str] = typer.Option(None, "--status", help="submitted | approved | rejected | applied | withdrawn",
                                         autocompletion=complete_change_status),
    link: Optional[int] = typer.Option(None, "--link", help="Only this link's requests."),
    overdue: bool = typer.Option(False, "--overdue", help="Only requests past their review or execution deadline."),
    as_json: bool = JSON_OPT,
    fmt: Optional[Format] = FORMAT_OPT,
    out: Optional[str] = OUT_OPT,
) -> None:
    """Change requests with their running clock; overdue ones in red."""
    from egovnet.services.changes import list_changes

    how = target(as_json, fmt, out)
    rows = list_changes(services(ctx), status=status, link=link, overdue=overdue)
    output.render(rows, COLUMNS, how, title="change requests (Art. 18)", sheet="change requests",
                  empty="no change requests", row_style=lambda r: "red" if r["overdue"] else None)


@app.command("show")
def show(ctx: typer.Context, change_id: int = typer.Argument(..., metavar="ID"), as_json: bool = JSON_OPT) -> None:
    """One change request, its deadlines and its history."""
    from egovnet.services.changes import show_change

    data = show_change(services(ctx), change_id)
    if as_json:
        output.emit_json(data)
        return
    output.fields(data, SHOW, title=f"change request {data['id']}")


@app.command("approve")
def approve(ctx: typer.Context, change_id: int = typer.Argument(..., metavar="ID"), as_json: bool = JSON_OPT) -> None:
    """Approve (role bdc); the 10-working-day execution clock starts (Art. 18)."""
    from egovnet.services.changes import approve as run

    _show(run(services(ctx), change_id), as_json, "approved")


@app.command("reject")
def reject(
    ctx: typer.Context,
    change_id: int = typer.Argument(..., metavar="ID"),
    reason: str = typer.Option(..., "--reason", help="Told to the unit (Art. 18)."),
    as_json: bool = JSON_OPT,
) -> None:
    """Reject (role bdc) with the reason the unit is told."""
    from egovnet.services.changes import reject as run

    _show(run(services(ctx), change_id, reason), as_json, "rejected")


@app.command("apply")
def apply(
    ctx: typer.Context,
    change_id: int = typer.Argument(..., metavar="ID"),
    dry_run: bool = typer.Option(False, "--dry-run", help="Show the commands and the diff; change nothing."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask (required off a terminal)."),
    as_json: bool = JSON_OPT,
) -> None:
    """Carry out an approved change: a new rate pushed to the link's device (journal, backup, verify, roll back
    on failure), or a unit released from a shared link that stays for the others."""
    from egovnet.errors import DeviceError, Refused
    from egovnet.services.changes import apply as run

    if not dry_run and not yes:
        if not output.is_terminal():
            raise Refused("applying a change may change a device; confirm with --yes when running off a terminal")
        if not output.confirm(f"Carry out change request {change_id}?"):
            raise Refused("nothing was changed")
    with output.progress("applying the change") as (advance, _total):
        data = run(services(ctx), change_id, dry_run=dry_run, progress=advance)
    if as_json:
        output.emit_json(data)
    else:
        for line in data["commands"] if dry_run else []:
            typer.echo(line)
        for line in data["diff"]:
            typer.echo(line)
        if not data["failed"]:
            what = {"planned": "planned (dry run)", "unchanged": "applied (the device already had it)"}.get(
                data["result"], data["result"])
            _said(data, what)
            if data["late"]:
                output.warn(f"carried out after its execution deadline {data['execution_due']} (Art. 18)")
    if data["failed"]:
        raise DeviceError(f"change request {change_id} on {data['device']}: {data['error']} "
                          f"({data['result'].replace('_', ' ')}; the request stays approved)")
