"""egovnet link: the links, their units, their place on a device and their fee period."""

from __future__ import annotations

from typing import Optional

import typer

from egovnet import output
from egovnet.commands._common import FORMAT_OPT, JSON_OPT, OUT_OPT, complete_link_status, services, target
from egovnet.output import Column, Format

app = typer.Typer(help="Links: units, device, port, VLAN, subnet, fee period (Art. 14, 25).", no_args_is_help=True)

COLUMNS = [Column("id", "link", "right"), Column("status", "status"), Column("units", "units", fmt=lambda v: ", ".join(v)),
           Column("bandwidth_mbps", "Mbit/s", "right"), Column("device", "device"), Column("port", "port"),
           Column("vlan", "VLAN", "right"), Column("subnet", "subnet"), Column("opened_on", "opened"),
           Column("closed_on", "closed")]
SHOW = [("status", "status"), ("address", "address"), ("mode", "mode"), ("bandwidth_mbps", "Mbit/s"),
        ("units_text", "units"), ("departments_text", "departments"), ("device", "device"), ("port", "port"),
        ("vlan", "VLAN"), ("subnet", "subnet"), ("opened_on", "opened"), ("first_used_on", "first used"),
        ("closed_on", "closed"), ("fee_text", "fee period (Art. 25)")]


@app.command("list")
def list_(
    ctx: typer.Context,
    status: Optional[str] = typer.Option(None, "--status", help="requested | approved | provisioning | active | "
                                                                "closed_idle | decommissioned | cancelled",
                                         autocompletion=complete_link_status),
    as_json: bool = JSON_OPT,
    fmt: Optional[Format] = FORMAT_OPT,
    out: Optional[str] = OUT_OPT,
) -> None:
    """Every link with its units and its place on its device.

    Example: egovnet link list --status active --format xlsx --out links.xlsx
    """
    from egovnet.services.links import list_links

    how = target(as_json, fmt, out)
    output.render(list_links(services(ctx), status), COLUMNS, how, title="links", empty="no links")


@app.command("show")
def show(ctx: typer.Context, link: int = typer.Argument(..., metavar="LINK"), as_json: bool = JSON_OPT) -> None:
    """One link, its applications and its history."""
    from egovnet.services.links import show_link

    data = show_link(services(ctx), link)
    if as_json:
        output.emit_json(data)
        return
    fee = data["fee_period"]
    view = {**data, "units_text": ", ".join(data["units"]) or None,
            "departments_text": ", ".join(data["departments"]) or None,
            "fee_text": f"{fee['from'] or '-'} to {fee['to'] or 'open'}" if fee["from"] else None}
    output.fields(view, SHOW, title=f"link {data['id']}")
