"""egovnet usage: has a link carried traffic? (Art. 15-16)"""

from __future__ import annotations

from typing import Optional

import typer

from egovnet import output
from egovnet.commands._common import JSON_OPT, complete_device, services
from egovnet.output import Column

app = typer.Typer(help="Link usage: counters from the devices or daily traffic from monitoring (Art. 15-16).",
                  no_args_is_help=True)


@app.command("collect")
def collect(
    ctx: typer.Context,
    device: Optional[str] = typer.Option(None, "--device", help="Only this device's links.",
                                         autocompletion=complete_device),
    workers: int = typer.Option(4, "--workers", min=1, max=64, help="Devices read at once."),
    as_json: bool = JSON_OPT,
) -> None:
    """Read every active link's port counters over SSH; the growth since the last reading is today's traffic."""
    from egovnet.errors import PartialFailure
    from egovnet.services.usage import collect as do

    try:
        data = do(services(ctx), device=device, workers=workers)
    except PartialFailure as exc:
        _show(exc.result, as_json)
        raise
    _show(data, as_json)


def _show(data: dict, as_json: bool) -> None:
    if as_json:
        output.emit_json(data)
        return
    output.table(data["links"], [Column("link", "link", "right"), Column("device", "device"), Column("port", "port"),
                                 Column("bytes_in", "bytes in today", "right"),
                                 Column("bytes_out", "bytes out today", "right"),
                                 Column("first_used_on", "first used"),
                                 Column("error", "no data today because")],
                 title=f"usage {data['day']}", empty="no active links to read")


@app.command("import")
def import_(
    ctx: typer.Context,
    file: str = typer.Argument(..., metavar="FILE", help="CSV/XLSX: link (or device + interface), date, bytes_in, bytes_out."),
    as_json: bool = JSON_OPT,
) -> None:
    """Import daily traffic exported by the monitoring system: every row checked, all rows or none."""
    from pathlib import Path

    from egovnet.commands._batch import run_batch
    from egovnet.services.usage import import_usage

    run_batch("importing usage", lambda advance: import_usage(services(ctx), Path(file)), as_json, "days")
