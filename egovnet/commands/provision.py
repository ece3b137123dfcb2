"""egovnet provision: build approved links on their edge devices over SSH."""

from __future__ import annotations

from typing import List, Optional

import typer

from egovnet import output
from egovnet.commands._common import JSON_OPT, complete_device, services
from egovnet.output import Column

COLUMNS = [Column("application", "app", "right"), Column("unit", "unit"), Column("link", "link", "right"),
           Column("device", "device"), Column("port", "port"), Column("vlan", "VLAN", "right"),
           Column("subnet", "subnet"), Column("status", "status"), Column("late", "late"), Column("error", "error")]

NOT_BUILT = [Column("application", "app", "right"), Column("unit", "unit"), Column("link", "link", "right"),
             Column("device", "device", fmt=lambda v: v or "-"), Column("reason", "why not")]


def provision(
    ctx: typer.Context,
    app_ids: Optional[List[int]] = typer.Argument(None, metavar="APP_ID...", help="Applications to provision."),
    all_approved: bool = typer.Option(False, "--all-approved", help="Every approved application."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Render, read the running config, show the diff; change nothing."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask (required off a terminal)."),
    workers: int = typer.Option(4, "--workers", min=1, max=64, help="Devices worked on at once."),
    device: Optional[str] = typer.Option(None, "--device", help="Use this device instead of the town's.",
                                         autocompletion=complete_device),
    session_log: Optional[str] = typer.Option(None, "--session-log", help="Write 0600 session logs (secrets masked) here."),
    fit: bool = typer.Option(False, "--fit", help="Build only what fits the devices' free ports, VLANs and "
                                                  "subnets; list the rest with the reason (exit 0 when all that "
                                                  "fits was built)."),
    as_json: bool = JSON_OPT,
) -> None:
    """Provision approved applications: journal, backup, push, verify, save; roll back on failure (Art. 12-14)."""
    from pathlib import Path

    from egovnet.errors import PartialFailure, Refused
    from egovnet.services.provision import provision as run

    ids = list(app_ids or [])
    if not dry_run and not yes:
        if not output.is_terminal():
            raise Refused("provisioning changes devices; confirm with --yes when running off a terminal")
        what = "every approved application" if all_approved else f"application(s) {', '.join(map(str, ids))}"
        if not output.confirm(f"Push configuration for {what} to the devices?"):
            raise Refused("nothing was pushed")
    with output.progress("provisioning") as (advance, set_total):
        result = run(services(ctx), ids, all_approved=all_approved, device=device, dry_run=dry_run,
                     workers=workers, session_log=Path(session_log) if session_log else None,
                     progress=advance, on_total=set_total, fit=fit)
    rows = result["results"]
    for done in result.get("resumed", []):
        output.message(f"push {done['push']} on {done['device']} left '{done['from']}' by an interrupted run: "
                       f"{done['status']}" + (" (saved)" if done["saved"] else "") +
                       (f"; {done['error']}" if done["error"] else ""))
    if as_json:
        output.emit_json(result)
    elif dry_run:
        for row in rows:
            output.message(f"application {row['application']} ({row['unit']}) on {row['device']}: {row['status']}")
            for line in row["diff"]:
                typer.echo(line)
    else:
        output.table(rows, COLUMNS, title="provisioning", row_style=lambda r: "red" if r["failed"] else None)
    not_built = result.get("not_built") or []
    if not_built and not as_json:
        output.table(not_built, NOT_BUILT, title="not built: does not fit (egovnet device capacity)")
    if not_built:
        output.warn(f"{len(not_built)} application(s) do not fit the devices and were not built: "
                    f"application {not_built[0]['application']}: {not_built[0]['reason']}"
                    + (f" (and {len(not_built) - 1} more)" if len(not_built) > 1 else ""))
    for row in rows:
        if row.get("late"):
            output.warn(f"application {row['application']} was built after its construction deadline "
                        f"{row['construction_due']} (Art. 12)")
    failed = [r for r in rows if r["failed"]]
    if failed:
        raise PartialFailure(f"{len(failed)} of {len(rows)} failed: " + "; ".join(
            f"application {r['application']} on {r['device']}: {r['error']}" for r in failed))
