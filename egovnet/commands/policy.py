"""egovnet policy: check and show policies.yaml."""

from __future__ import annotations

import typer

from egovnet import output
from egovnet.commands._common import JSON_OPT

app = typer.Typer(help="Validate and show the policy file (the regulation as data).", no_args_is_help=True)


@app.command("check")
def check(ctx: typer.Context, as_json: bool = JSON_OPT) -> None:
    """Validate the policy file and print a summary; one error line with file:line on a problem."""
    from egovnet.services.policy_info import summary

    data = summary(ctx.obj)
    if as_json:
        output.emit_json(data)
        return
    output.message(f"{data['source']}: OK")
    output.fields(
        {**data, "regulation": f"{data['regulation']['title']} ({data['regulation']['id']}, {data['regulation']['issued']})",
         "deadlines": ", ".join(f"{k} {v}" for k, v in data["deadlines"].items())},
        [("regulation", "regulation"), ("unit_categories", "unit categories (Art. 9)"),
         ("deadlines", "deadlines (Art. 12, 15, 18)"), ("link_modes", "link modes (Art. 14)"),
         ("gated_features", "approval-gated (Art. 13)"), ("mlps_minimum_level", "MLPS minimum level (Art. 13)"),
         ("users", "users with roles"), ("calendar_overrides", "calendar overrides")],
    )


@app.command("show")
def show(ctx: typer.Context, as_json: bool = JSON_OPT) -> None:
    """Print the whole validated policy."""
    from egovnet.services.policy_info import full, full_yaml

    if as_json:
        output.emit_json(full(ctx.obj))
    else:
        typer.echo(full_yaml(ctx.obj))
