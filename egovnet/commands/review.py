"""egovnet review: BDC's review of applications (Art. 12-13, 25)."""

from __future__ import annotations

from typing import Optional

import typer

from egovnet import output
from egovnet.commands._common import FORMAT_OPT, JSON_OPT, OUT_OPT, complete_application_status, services, target
from egovnet.i18n import _
from egovnet.output import Column, Format

app = typer.Typer(help="Review applications: approve, reject, extend construction (Art. 12-13).",
                  no_args_is_help=True)


def _days(value) -> str:
    return "-" if value is None else (_("{days} overdue").format(days=value) if value < 0 else str(value))


COLUMNS = [Column("id", "id", "right"), Column("unit", "unit"), Column("dept", "department"),
           Column("status", "status"), Column("mode", "mode"), Column("received_on", "received"),
           Column("clock", "clock"), Column("due", "due"), Column("days_left", "working days left", "right", _days),
           Column("link_id", "link", "right")]
SHOW = [("id", "application"), ("unit", "unit"), ("unit_code", "unit code"), ("dept", "department (Art. 10)"),
        ("status", "status"), ("mode", "link mode (Art. 14)"), ("bandwidth_mbps", "bandwidth (Mbit/s)"),
        ("cost_bearer", "cost bearer (Art. 25)"), ("received_on", "received"), ("review_due", "review due (Art. 12)"),
        ("decided_on", "decided on"), ("decided_by", "decided by"), ("decision", "decision"), ("reason", "reason"),
        ("construction_due", "construction due (Art. 12)"), ("days_left", "working days left"),
        ("link_id", "link"), ("shared", "shared with (Art. 14)"), ("features_text", "gated features (Art. 13)"),
        ("provisional", "provisional deadline"), ("filed_by", "filed by")]

HISTORY = [Column("effective_date", "date"), Column("at", "recorded (UTC)"), Column("actor", "by"),
           Column("role", "role"), Column("action", "action"), Column("article", "Art.", "right", lambda v: str(v or "-")),
           Column("after", "to", fmt=lambda v: output.one_line(", ".join(f"{k} {x}" for k, x in (v or {}).items()
                                                                         if k in ("status", "construction_due"))))]


def _with_due(row: dict) -> dict:
    """The row (made for this list, so extended in place: no copy of 20,000 dicts) with the due date of its clock."""
    row["due"] = row["review_due"] if row["clock"] == "review" else row["construction_due"] if row["clock"] else None
    return row


def _style(row: dict):
    return "red" if row.get("overdue") else None


@app.command("list")
def list_(
    ctx: typer.Context,
    overdue: bool = typer.Option(False, "--overdue", help="Only applications past their deadline."),
    status: Optional[str] = typer.Option(None, "--status", help="submitted | approved | rejected | ...",
                                         autocompletion=complete_application_status),
    as_json: bool = JSON_OPT,
    fmt: Optional[Format] = FORMAT_OPT,
    out: Optional[str] = OUT_OPT,
) -> None:
    """List applications with their running clock and working days left (overdue in red)."""
    from egovnet.services.applications import list_applications

    how = target(as_json, fmt, out)
    rows = [_with_due(r) for r in list_applications(services(ctx), status=status, overdue=overdue)]
    output.render(rows, COLUMNS, how, sheet="applications", row_style=_style, empty="no applications")


@app.command("show")
def show(ctx: typer.Context, app_id: int = typer.Argument(..., metavar="ID"), as_json: bool = JSON_OPT) -> None:
    """Show one application, its deadlines and its history."""
    from egovnet.services.applications import show_application

    data = show_application(services(ctx), app_id)
    if as_json:
        output.emit_json(data)
        return
    shared = data["shared_link"]
    view = {**data, "shared": ", ".join(shared["units"]) if shared else None,
            "days_left": _days(data["days_left"]),
            "features_text": ", ".join(f"{k}{' (approved)' if v.get('approved') else ''}"
                                       for k, v in data["features"].items()) or None}
    output.fields(view, SHOW, title=f"application {data['id']}")
    if data["extensions"]:
        output.table(data["extensions"], [Column(k, k) for k in data["extensions"][0]], title="extensions (Art. 12)")
    output.table(data["events"], HISTORY, title="history (newest first; 'egovnet log list --type application "
                                                f"--id {data['id']}')", empty="no events")


def _approve_wave(ctx, batch, from_import, as_json) -> None:
    from pathlib import Path

    from egovnet.errors import EgovnetError
    from egovnet.services.onboarding import approve_wave

    try:
        data = approve_wave(services(ctx), path=Path(batch) if batch else None, batch_id=from_import)
    except EgovnetError as exc:
        for problem in getattr(exc, "problems", [])[1:]:  # the first is in the error line
            output.message(problem)
        raise
    _warn_unless_fits(ctx, [a["id"] for a in data["applications"]])
    if as_json:
        output.emit_json(data)
        return
    numbers = [a["notice"] for a in data["applications"]]
    output.message(f"{data['source']}: approved {data['approved']} applications; construction due "
                   f"{', '.join(sorted({a['construction_due'] for a in data['applications']})) or '-'} (Art. 12); "
                   + (f"one notice each: {numbers[0]} to {numbers[-1]}" if numbers else "no notice"))


def _warn_unless_fits(ctx, app_ids: list[int]) -> None:
    """A wave approved that the devices cannot take: say so now, not at provisioning (the approval stands)."""
    from egovnet.services.capacity import wave_warning

    text = wave_warning(services(ctx), ctx.obj.inventory, app_ids) if app_ids else None
    if text:
        output.warn(text)


def _decided(data: dict, as_json: bool, text: str) -> None:
    if as_json:
        output.emit_json(data)
    else:
        output.message(text)


@app.command("approve")
def approve(
    ctx: typer.Context,
    app_id: Optional[int] = typer.Argument(None, metavar="[ID]"),
    batch: Optional[str] = typer.Option(None, "--batch", help="A .csv/.xlsx file with a column application "
                                                              "(申请编号) or unit (单位名称): all approved or none."),
    from_import: Optional[int] = typer.Option(None, "--all-from-import", metavar="BATCH",
                                              help="Every submitted application of an import batch (units or "
                                                   "applications): all approved or none."),
    as_json: bool = JSON_OPT,
) -> None:
    """Approve: checks MLPS, gated features and cost bearer first and names what is missing (role bdc)."""
    from egovnet.errors import UsageError
    from egovnet.services.applications import approve as do

    if sum(x is not None for x in (app_id, batch, from_import)) != 1:
        raise UsageError("give one application ID, or --batch FILE, or --all-from-import BATCH")
    if app_id is None:
        _approve_wave(ctx, batch, from_import, as_json)
        return
    data = do(services(ctx), app_id)
    _decided(data, as_json, f"approved application {data['id']} ({data['unit']}); construction due "
                            f"{data['construction_due']} (Art. 12); notice {data['notice']['no']}: "
                            f"{data['notice']['docx']}")


@app.command("reject")
def reject(
    ctx: typer.Context,
    app_id: int = typer.Argument(..., metavar="ID"),
    reason: str = typer.Option(..., "--reason", help="Why; the unit must be told (Art. 12)."),
    as_json: bool = JSON_OPT,
) -> None:
    """Reject with a reason (role bdc)."""
    from egovnet.services.applications import reject as do

    data = do(services(ctx), app_id, reason)
    _decided(data, as_json, f"rejected application {data['id']} ({data['unit']}); the reasons go to the unit in "
                            f"notice {data['notice']['no']} (Art. 12): {data['notice']['docx']}")


@app.command("extend")
def extend(
    ctx: typer.Context,
    app_id: int = typer.Argument(..., metavar="ID"),
    reason: str = typer.Option(..., "--reason", help="municipal_duct | unit_not_ready | other (Art. 12)."),
    days: int = typer.Option(..., "--days", help="Working days to add to the construction deadline."),
    note: str = typer.Option("", "--note", help="Explanation; required for 'other'."),
    as_json: bool = JSON_OPT,
) -> None:
    """Extend the construction deadline of an approved application (role bdc)."""
    from egovnet.services.applications import extend as do

    data = do(services(ctx), app_id, reason, days, note)
    _decided(data, as_json, f"application {data['id']}: construction now due {data['construction_due']}")
