"""egovnet maintenance: device debugging or upgrades, filed 3 working days ahead (Art. 18)."""

from __future__ import annotations

from typing import Optional

import typer

from egovnet import output
from egovnet.commands._common import FORMAT_OPT, JSON_OPT, OUT_OPT, services, target
from egovnet.output import Column, Format

app = typer.Typer(help="Maintenance filings: device debugging or upgrades, 3 working days ahead (Art. 18).",
                  no_args_is_help=True)


@app.command("file")
def file_(
    ctx: typer.Context,
    unit: str = typer.Option(..., "--unit", help="Unit name or code."),
    device_desc: str = typer.Option(..., "--device-desc", help="Which device and what work."),
    start: str = typer.Option(..., "--start", help="When the work starts: YYYY-MM-DD HH:MM."),
    reason: str = typer.Option(..., "--reason", help="Why the work is needed."),
    as_json: bool = JSON_OPT,
) -> None:
    """File maintenance work; refused when fewer than 3 working days ahead (Art. 18)."""
    from egovnet.services.maintenance import file, parse_start

    data = file(services(ctx), unit, device_desc, parse_start(start), reason)
    if as_json:
        output.emit_json(data)
    else:
        output.message(f"filed maintenance {data['id']} for {data['unit']} starting {data['start']} "
                       f"({data['working_days_ahead']} working days ahead, Art. 18)")


@app.command("list")
def list_(
    ctx: typer.Context,
    upcoming: bool = typer.Option(False, "--upcoming", help="Only work that has not started yet."),
    as_json: bool = JSON_OPT,
    fmt: Optional[Format] = FORMAT_OPT,
    out: Optional[str] = OUT_OPT,
) -> None:
    """Maintenance filings by start time."""
    from egovnet.services.maintenance import list_filings

    how = target(as_json, fmt, out)
    rows = list_filings(services(ctx), upcoming)
    output.render(rows, [Column("id", "id", "right"), Column("start", "start"), Column("unit", "unit"),
                        Column("device", "device / work"), Column("working_days_ahead", "days ahead", "right"),
                        Column("filed_by", "filed by")], how, title="maintenance filings (Art. 18)",
                  sheet="maintenance", empty="no maintenance filed")
