"""egovnet notice: the written notices (公文) egovnet issued, their numbers (文号), corrections and delivery."""

from __future__ import annotations

from typing import Optional

import typer

from egovnet import output
from egovnet.commands._common import FORMAT_OPT, JSON_OPT, OUT_OPT, date_opt, services, target
from egovnet.output import Column, Format

app = typer.Typer(help="Written notices: official documents with a number (文号), reissue, delivery (Art. 12, 15, "
                       "18).", no_args_is_help=True)

NO_HELP = "The notice's number as printed (青数〔2026〕7号), YEAR-N (2026-7), or #ID for one without a number."
COLUMNS = [Column("no", "number"), Column("label", "kind"), Column("issued_on", "issued"),
           Column("main_to", "to (主送)"), Column("copy_to", "copy (抄送)"), Column("status", "status"),
           Column("deliveries", "delivered", fmt=lambda v: ", ".join(f"{d['on']} {d['to']}" for d in v) or "-")]
SHOW = [("no", "number (文号)"), ("title", "title"), ("label", "kind"), ("article", "article"),
        ("subject", "decision on"), ("main_to", "to (主送)"), ("copy_to", "copy (抄送)"), ("issued_on", "issued"),
        ("issued_by", "issued by"), ("status", "status"), ("reissue_of", "corrects"),
        ("reissue_reason", "correction"), ("superseded_by", "corrected by"), ("delivered", "delivered (送达)"),
        ("docx", "file")]


def _view(data: dict) -> dict:
    return {**data, "no": data["no"] or f"#{data['id']} (no number)",
            "delivered": "; ".join(f"{d['on']} {d['to']}" for d in data["deliveries"]) or None}


@app.command("list")
def list_(
    ctx: typer.Context,
    unit: Optional[str] = typer.Option(None, "--unit", help="Only notices concerning this unit (name or code)."),
    kind: Optional[str] = typer.Option(None, "--kind", help="approval | rejection | change_approval | "
                                                            "change_rejection | idle_warning | idle_closure | "
                                                            "decommission | disconnect | reconnect | criticism"),
    as_json: bool = JSON_OPT,
    fmt: Optional[Format] = FORMAT_OPT,
    out: Optional[str] = OUT_OPT,
) -> None:
    """Every notice in the register, by number."""
    from egovnet.services.notices import list_notices

    how = target(as_json, fmt, out)
    rows = list_notices(services(ctx), unit=unit, kind=kind)
    output.render(rows if how.format == Format.json else [_view(r) for r in rows], COLUMNS, how, title="notices",
                  empty="no notices")


@app.command("show")
def show(ctx: typer.Context, no: str = typer.Argument(..., metavar="NO", help=NO_HELP), as_json: bool = JSON_OPT) -> None:
    """One notice: its record, its text and its deliveries."""
    from egovnet.services.notices import show_notice

    data = show_notice(services(ctx), no)
    if as_json:
        output.emit_json(data)
        return
    output.fields(_view(data), SHOW, title=f"notice {data['no'] or '#' + str(data['id'])}")
    if data.get("plain"):
        typer.echo("")
        typer.echo(data["plain"])


@app.command("reissue")
def reissue(
    ctx: typer.Context,
    no: str = typer.Argument(..., metavar="NO", help=NO_HELP),
    reason: str = typer.Option(..., "--reason", help="What the corrected copy corrects (said in its text)."),
    as_json: bool = JSON_OPT,
) -> None:
    """A corrected copy with a new number that names the one it replaces; the old one is marked superseded
    (role bdc). Example: egovnet notice reissue 青数〔2026〕7号 --reason "单位名称更正"."""
    from egovnet.services.notices import reissue as do

    data = do(services(ctx), no, reason)
    if as_json:
        output.emit_json(data)
        return
    output.message(f"notice {data['no']} replaces {data['reissue_of']}: {data['docx']}")


@app.command("delivered")
def delivered(
    ctx: typer.Context,
    no: str = typer.Argument(..., metavar="NO", help=NO_HELP),
    on: str = typer.Option(..., "--on", help="Day it was delivered (YYYY-MM-DD)."),
    to: str = typer.Option(..., "--to", help="Who received it, e.g. '张马村村委会 李四（签收）'."),
    as_json: bool = JSON_OPT,
) -> None:
    """Record a notice's delivery (送达): when and to whom (role bdc)."""
    from egovnet.services.notices import delivered as do

    data = do(services(ctx), no, date_opt(on, "--on"), to)
    if as_json:
        output.emit_json(data)
        return
    output.message(f"notice {data['no'] or '#' + str(data['id'])}: delivered {on} to {to}")
