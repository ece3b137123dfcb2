"""egovnet device / inventory: the edge devices egovnet configures."""

from __future__ import annotations

from typing import Optional

import typer

from egovnet import output
from egovnet.commands._common import FORMAT_OPT, JSON_OPT, OUT_OPT, complete_device, services, target
from egovnet.output import Column, Format

app = typer.Typer(help="Edge devices in the inventory.", no_args_is_help=True)
inventory_app = typer.Typer(help="The inventory folder: devices, pools, known_hosts.", no_args_is_help=True)
COLUMNS = [Column("name", "device"), Column("platform", "platform"), Column("host", "host"),
           Column("port", "port", "right"), Column("site", "site"), Column("role", "role"), Column("towns", "towns"),
           Column("ports", "unit ports", "right"), Column("allocated", "in use", "right"), Column("trusted", "host key")]


@app.command("list")
def list_(ctx: typer.Context, as_json: bool = JSON_OPT, fmt: Optional[Format] = FORMAT_OPT,
          out: Optional[str] = OUT_OPT) -> None:
    """List devices with their allocations and whether their host key is recorded."""
    from egovnet.services.devices import list_devices

    how = target(as_json, fmt, out)
    rows = list_devices(ctx.obj)
    output.render(rows, COLUMNS, how, sheet="devices", empty="no devices in the inventory")


@app.command("show")
def show(ctx: typer.Context, name: str = typer.Argument(..., autocompletion=complete_device),
         as_json: bool = JSON_OPT) -> None:
    """Show one device and the links on it."""
    from egovnet.services.devices import show_device

    data = show_device(ctx.obj, name)
    if as_json:
        output.emit_json(data)
        return
    output.fields(data, [(k, k) for k in ("name", "platform", "host", "port", "site", "role", "towns", "vrf",
                                          "isolation_acl", "username", "trusted")], title=name)
    output.table(data["links"], [Column("link", "link", "right"), Column("port", "port"), Column("vlan", "VLAN"),
                                 Column("subnet", "subnet"), Column("status", "status")], empty="no links")


@app.command("trust")
def trust(ctx: typer.Context, name: str = typer.Argument(..., autocompletion=complete_device),
          yes: bool = typer.Option(False, "--yes", "-y", help="Record without asking."),
          as_json: bool = JSON_OPT) -> None:
    """Show a device's host-key fingerprint and record it in inventory/known_hosts."""
    from egovnet.errors import Refused
    from egovnet.services.devices import fetch_host_key, record_host_key

    key = fetch_host_key(ctx.obj, name)
    output.message(f"device {name} ({key['host']}:{key['port']}) presents {key['type']} {key['fingerprint']}")
    if key["recorded"] == "same":
        output.message("already recorded")
    elif not yes:
        if not output.is_terminal():
            raise Refused("compare the fingerprint with the device's console, then run again with --yes")
        if not output.confirm("Record this key?"):
            raise Refused("nothing recorded")
    if key["recorded"] != "same":
        key = record_host_key(ctx.obj, name, key)
    if as_json:
        output.emit_json(key)


CHECK_COLUMNS = [Column("device", "device"), Column("platform", "platform"), Column("address", "address"),
                 Column("reachable", "SSH", fmt=lambda v: "-" if v is None else ("yes" if v else "no")),
                 Column("host_key", "host key", fmt=lambda v: v or "-"),
                 Column("privilege", "privilege", fmt=lambda v: v or "-"),
                 Column("free_ports", "free ports", "right", fmt=lambda v: str(len(v))),
                 Column("ready", "ready", fmt=lambda v: "yes" if v else "NO"),
                 Column("problems", "problems", fmt=lambda v: output.one_line("; ".join(v)))]


@app.command("check")
def check_device(ctx: typer.Context, name: Optional[str] = typer.Argument(None, metavar="DEVICE",
                                                                          help="One device (default: all).",
                                                                          autocompletion=complete_device),
                 workers: int = typer.Option(8, "--workers", min=1, max=64, help="Devices checked at once."),
                 as_json: bool = JSON_OPT) -> None:
    """Check devices are ready before the first wave, changing nothing: SSH, host key, privilege, the VPN
    instance and isolation ACL with rules (Art. 3), free unit-facing ports. Exit 4 when some are not ready."""
    from egovnet.services.device_check import check_devices, raise_unless_ready

    with output.progress("checking devices") as (advance, set_total):
        report = check_devices(ctx.obj, name, workers=workers, progress=advance, on_total=set_total)
    if as_json:
        output.emit_json(report)
    else:
        output.table(report["devices"], CHECK_COLUMNS, title="device check",
                     row_style=lambda r: None if r["ready"] else "red")
    raise_unless_ready(report)


CAPACITY_COLUMNS = [Column("device", "device"), Column("site", "site"),
                    Column("ports_free", "ports free", "right"), Column("ports_total", "of", "right"),
                    Column("vlans_free", "site VLANs free", "right"), Column("vlans_total", "of", "right"),
                    Column("subnets_free", "site subnets free", "right"), Column("subnets_total", "of", "right"),
                    Column("wave_new_links", "wave: new links", "right"), Column("wave_fits", "fit", "right"),
                    Column("wave_does_not_fit", "do not fit", "right")]
WAVE_COLUMNS = [Column("application", "app", "right"), Column("unit", "unit"), Column("link", "link", "right"),
                Column("device", "device", fmt=lambda v: v or "-"), Column("reason", "why it does not fit")]


@app.command("capacity")
def capacity(ctx: typer.Context, as_json: bool = JSON_OPT) -> None:
    """Free unit-facing ports per device, free VLANs and subnets of its site's pool, and whether the approved
    applications not yet built fit (in the order provision builds them); those that do not, with the reason."""
    from egovnet.services.capacity import capacity as run

    data = run(services(ctx), ctx.obj.inventory)
    if as_json:
        output.emit_json(data)
        return
    output.table(data["devices"], CAPACITY_COLUMNS, title="device capacity", empty="no devices in the inventory",
                 row_style=lambda r: "red" if r["wave_does_not_fit"] else None)
    output.message(f"approved, not yet built: {data['approved']}; fit: {data['fits']}; "
                   f"do not fit: {data['does_not_fit']}")
    unfit = [r for r in data["applications"] if not r["fits"]]
    if unfit:
        output.table(unfit, WAVE_COLUMNS, title="do not fit")


@inventory_app.command("check")
def check(ctx: typer.Context, as_json: bool = JSON_OPT) -> None:
    """Validate the inventory; one error line with file:line and key path on a problem."""
    from egovnet.services.devices import inventory_summary

    data = inventory_summary(ctx.obj)
    if as_json:
        output.emit_json(data)
    else:
        output.message(f"{data['folder']}: OK, {data['devices']} devices, {data['pools']} pools, "
                       f"{data['trusted']} host keys recorded")
