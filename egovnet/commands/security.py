"""egovnet security: the oversight half of the regulation (Art. 13, 21, 23, 26)."""

from __future__ import annotations

import typer

from egovnet.commands.security_check import app as check_app

app = typer.Typer(help="Security: checks and assessments of units (Art. 13, 21).", no_args_is_help=True)
app.add_typer(check_app, name="check")
