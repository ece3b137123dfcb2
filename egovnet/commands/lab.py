"""egovnet lab: the built-in device lab (emulated VRP, VRPv8, Comware, IOS over SSH on 127.0.0.1)."""

from __future__ import annotations

import typer

from egovnet import output
from egovnet.output import Column

app = typer.Typer(help="The built-in device lab: try templates before touching real devices.", no_args_is_help=True)


@app.command("serve")
def serve(
    ctx: typer.Context,
    inventory: str = typer.Option("inventory/lab", "--inventory", help="Where to write the matching inventory."),
    host: str = typer.Option("127.0.0.1", "--host", help="Loopback address to bind (127.0.0.0/8 or ::1 only)."),
    devices: int = typer.Option(0, "--devices", min=0, max=500, help="Serve N devices instead of the sample four."),
    ports_per_device: int = typer.Option(0, "--ports-per-device", min=0, max=512, metavar="P", show_default=False,
                                         help="Unit-facing ports of each generated device (default 24); with "
                                              "--devices or alone (the sample four), a new inventory is written."),
) -> None:
    """Serve lab devices until Ctrl-C.

    With an inventory.yaml already in --inventory (the shipped inventory/lab has one, on fixed ports
    8301-8304), its devices are served on its ports and only known_hosts is written; otherwise the sample
    devices get free ports and a matching inventory.yaml is written too. --devices N and --ports-per-device P
    always generate (N devices cycling the four platforms, or the sample four, with P unit-facing ports each)
    and write a new inventory, but never over one that 'lab serve' did not write."""
    import time
    from pathlib import Path

    from egovnet.services.lab import LAB_PASSWORD_ENV, serve as start

    folder = Path(inventory)
    lab, rows = start(folder, devices, Path(ctx.obj.home), host, ports_per_device)
    try:
        output.table(rows, [Column("device", "device"), Column("platform", "platform"), Column("address", "address"),
                      Column("ports", "unit ports", "right"), Column("towns", "towns")], title="egovnet device lab")
        output.message(f"inventory and known_hosts written to {folder}; in another shell: "
                       f"EGOVNET_INVENTORY={folder} egovnet device list  (password from {LAB_PASSWORD_ENV} "
                       "or the lab default); Ctrl-C stops the lab")
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        output.message("lab stopped")
    finally:
        lab.stop()
