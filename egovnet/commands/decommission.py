"""egovnet decommission: take a link off its device and return its resources (Art. 18, 25)."""

from __future__ import annotations

import typer

from egovnet import output
from egovnet.commands._common import JSON_OPT, services


def decommission(
    ctx: typer.Context,
    link: int = typer.Argument(..., metavar="LINK", help="Link id (see 'egovnet link list')."),
    reason: str = typer.Option(..., "--reason", help="Why the link goes (told in the written notices)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Show the commands and the diff; change nothing."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask (required off a terminal)."),
    as_json: bool = JSON_OPT,
) -> None:
    """Remove a link's configuration from its device, return its port, VLAN and subnet to the pools, end its fee
    period and write the notices to its units and their departments. Other links stay untouched."""
    from egovnet.errors import DeviceError, Refused
    from egovnet.services.decommission import decommission as run

    if not dry_run and not yes:
        if not output.is_terminal():
            raise Refused("decommissioning removes configuration from a device; confirm with --yes when running "
                          "off a terminal")
        if not output.confirm(f"Remove link {link} from its device and return its resources?"):
            raise Refused("nothing was changed")
    with output.progress("decommissioning") as (advance, _total):
        data = run(services(ctx), link, reason, dry_run=dry_run, progress=advance)
    if as_json:
        output.emit_json(data)
    else:
        for line in data.get("commands", []) if dry_run else []:
            typer.echo(line)
        for line in data["diff"]:
            typer.echo(line)
        if data["status"] == "decommissioned":
            freed = data["freed"]
            output.message(f"link {link} decommissioned on {data['device']}: port {freed['port']}, VLAN "
                           f"{freed['vlan']}, subnet {freed['subnet']} returned; fees end {data['closed_on']} "
                           "(Art. 25)")
            for notice in data["notices"]:
                output.message(f"notice {notice['no']} to {'、'.join(notice['main_to'])}: {notice['docx']}")
        elif data["status"] == "planned":
            output.message(f"link {link} on {data['device']}: planned (dry run)")
    if data["failed"]:
        raise DeviceError(f"link {link} on {data['device']}: {data['error']} "
                          f"({data['status'].replace('_', ' ')}; the link stays as it was)")
