"""egovnet apply: file an application (Art. 10-14)."""

from __future__ import annotations

from typing import Optional

import typer

from egovnet import output
from egovnet.commands._common import JSON_OPT, date_opt, services


def apply(
    ctx: typer.Context,
    unit: Optional[str] = typer.Option(None, "--unit", help="Unit name or code."),
    file: Optional[str] = typer.Option(None, "--file", "-f", help="application.yaml with the fields below."),
    batch: Optional[str] = typer.Option(None, "--batch", help="A .csv/.xlsx file: one application per row, all or none."),
    dry_run: bool = typer.Option(False, "--dry-run", help="With --batch: check every row, write nothing."),
    skip_invalid: bool = typer.Option(False, "--skip-invalid", help="With --batch: file the good rows, save the bad "
                                                                    "ones to FILE.rejects.csv (exit 4)."),
    basis: Optional[str] = typer.Option(None, "--basis", help="申请依据 (Art. 11)."),
    scope: Optional[str] = typer.Option(None, "--scope", help="接入范围 (Art. 11)."),
    mode: Optional[str] = typer.Option(None, "--mode", help="dedicated | vpn (Art. 14)."),
    purpose: Optional[str] = typer.Option(None, "--purpose", help="应用用途: applications to run (Art. 11)."),
    bandwidth: Optional[str] = typer.Option(None, "--bandwidth", help="Bandwidth in Mbit/s."),
    technical: Optional[str] = typer.Option(None, "--technical", help="技术要求 (Art. 11)."),
    time_requirement: Optional[str] = typer.Option(None, "--time-requirement", help="时间要求 (Art. 11)."),
    cost_bearer: Optional[str] = typer.Option(None, "--cost-bearer", help="budget | unit (Art. 25)."),
    encryption_basis: Optional[str] = typer.Option(None, "--encryption-basis", help="Legal basis for VPN/encryption (Art. 13)."),
    encryption_design: Optional[str] = typer.Option(None, "--encryption-design", help="Design filed for VPN/encryption (Art. 13)."),
    nat_basis: Optional[str] = typer.Option(None, "--nat-basis", help="Why the application needs NAT (Art. 13)."),
    received_on: Optional[str] = typer.Option(None, "--received-on", help="Day BDC received it; default today."),
    separate_link: Optional[str] = typer.Option(None, "--separate-link", help="Reason for a link of its own (Art. 14 exception)."),
    reopen: Optional[int] = typer.Option(None, "--reopen", metavar="LINK", help="Reopen this link, closed for non-use "
                                         "(Art. 15); other fields default to the unit's last application on it."),
    reason: Optional[str] = typer.Option(None, "--reason", help="With --reopen: why the unit needs the link again (Art. 15)."),
    as_json: bool = JSON_OPT,
) -> None:
    """File an application for a unit through its supervising department (role dept or bdc).

    Example: egovnet apply --unit 朱家角镇张马村村民委员会 --basis ... --scope ... --mode dedicated
    --purpose ... --bandwidth 50 --technical ... --time-requirement ... --cost-bearer budget

    Reopen a link closed for non-use: egovnet apply --reopen 7 --reason "村务公开系统上线"
    """
    from egovnet.errors import UsageError

    if reason is not None and reopen is None:
        raise UsageError("--reason goes with --reopen LINK (Art. 15)")
    if batch and reopen is not None:
        raise UsageError("--batch and --reopen do not go together: reopen one link at a time")
    if batch:
        _batch(ctx, batch, dry_run, skip_invalid, as_json, unit, file)
        return
    from egovnet.services.applications import application_input, file_application

    given = {
        "unit": unit, "basis": basis, "scope": scope, "mode": mode, "purpose": purpose,
        "bandwidth_mbps": bandwidth, "technical": technical, "time_requirement": time_requirement,
        "cost_bearer": cost_bearer, "received_on": date_opt(received_on, "--received-on"),
        "separate_link": separate_link, "reopen": reopen, "reopen_reason": reason,
        "encryption": {k: v for k, v in (("basis", encryption_basis), ("design", encryption_design)) if v} or None,
        "nat": {"basis": nat_basis} if nat_basis else None,
    }
    app_ = file_application(services(ctx), application_input(given, file))
    if as_json:
        output.emit_json(app_)
        return
    joined = app_["shared_link"]
    reopens = f" to reopen link {app_['link_id']} (Art. 15)" if app_["kind"] == "reopen" else ""
    output.message(
        f"filed application {app_['id']} for {app_['unit']}{reopens}; review due {app_['review_due']} (Art. 12)"
        + (f"; joins link {joined['link']} shared with {', '.join(joined['units']) or 'its address'} (Art. 14)"
           if joined else ""))
    if app_["provisional"]:
        output.warn("the review deadline is provisional: that year's official holiday schedule is not known yet")
    typer.echo(app_["id"])


def _batch(ctx, path, dry_run, skip_invalid, as_json, unit, file) -> None:
    """Columns: unit (单位名称), basis 申请依据, scope 接入范围, mode 链路方式, purpose 应用用途, bandwidth 带宽,
    technical 技术要求, time_requirement 时间要求, cost_bearer 费用承担, received_on 收件日期, separate_link,
    encryption_basis, encryption_design, nat_basis. Units at one address share one link (Art. 14)."""
    from pathlib import Path

    from egovnet.commands._batch import run_batch
    from egovnet.errors import UsageError
    from egovnet.services.onboarding import apply_batch

    if unit or file:
        raise UsageError("--batch files every row of its file; it takes no --unit or --file")
    run_batch("filing applications", lambda advance: apply_batch(
        services(ctx), Path(path), dry_run=dry_run, skip_invalid=skip_invalid, progress=advance), as_json,
        "applications")
