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
    """Run unit -> apply -> review on a throw-away home and print what happened."""
    from egovnet.services.demo import run_demo

    result = run_demo(ctx.obj, keep=keep, step=None if as_json else output.message)
    if as_json:
        output.emit_json(result)
        return
    output.table(result["applications"],
                 [Column("id", "application", "right"), Column("unit", "unit"), Column("status", "status"),
                  Column("review_due", "review due"), Column("construction_due", "construction due"),
                  Column("link_id", "link", "right")], title="egovnet demo: applications")
    if result["home"]:
        output.message(f"kept the demo home at {result['home']}; try: EGOVNET_HOME={result['home']} "
                       "EGOVNET_USER=bdc.engineer egovnet review list")
