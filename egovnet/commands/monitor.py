"""egovnet monitor: samples from the operations monitoring system (运维监控系统, Art. 16, 20)."""

from __future__ import annotations

import typer

from egovnet.commands._common import JSON_OPT, services

app = typer.Typer(help="The monitoring system's samples: up/down, loss, latency, utilisation per link (Art. 16, 20).",
                  no_args_is_help=True)


@app.command("import")
def import_(
    ctx: typer.Context,
    file: str = typer.Argument(..., metavar="FILE", help="CSV, XLSX or JSON lines (.jsonl): link (or device + "
                                                         "interface), at, status, loss_pct, latency_ms, in_mbps, "
                                                         "out_mbps."),
    as_json: bool = JSON_OPT,
) -> None:
    """Import the monitoring system's export: every row checked, all rows or none.

    Times without a zone are China Standard Time; utilisation is in Mbit/s (audit health compares it with the
    link's applied bandwidth). A sample already stored with the same values is counted unchanged.
    """
    from pathlib import Path

    from egovnet.commands._batch import run_batch
    from egovnet.services.monitoring import import_samples

    run_batch("importing monitoring samples", lambda advance: import_samples(services(ctx), Path(file), advance),
              as_json, "samples")
