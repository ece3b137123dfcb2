"""egovnet demo: the main job on a throw-away home."""

from __future__ import annotations

import typer

from egovnet import output
from egovnet.commands._common import JSON_OPT
from egovnet.output import Column


def demo(
    ctx: typer.Context,
    keep: bool = typer.Option(False, "--keep", help="Keep the throw-away home and print where it is."),
    as_json: bool = JSON_OPT,
) -> None:
    """Run unit -> apply -> review -> provision (built-in device lab, real SSH) on a throw-away home."""
    from egovnet.services.demo import run_demo

    result = run_demo(ctx.obj, keep=keep, step=None if as_json else output.message)
    if as_json:
        output.emit_json(result)
        return
    output.table(result["applications"],
                 [Column("id", "application", "right"), Column("unit", "unit"), Column("status", "status"),
                  Column("review_due", "review due"), Column("construction_due", "construction due"),
                  Column("link_id", "link", "right")], title="egovnet demo: applications")
    if result["provisioning"]:
        output.table(result["provisioning"],
                     [Column("application", "application", "right"), Column("device", "device"), Column("port", "port"),
                      Column("vlan", "VLAN", "right"), Column("subnet", "subnet"), Column("status", "status")],
                     title="provisioned over SSH on the built-in device lab")
        typer.echo("running config excerpt:")
        for line in result["device_config_excerpt"]:
            typer.echo("  " + line)
    if result["home"]:
        output.message(f"kept the demo home at {result['home']}; try: EGOVNET_HOME={result['home']} "
                       f"EGOVNET_POLICY={result['home']}/policies.yaml EGOVNET_USER=bdc.engineer egovnet review list")
