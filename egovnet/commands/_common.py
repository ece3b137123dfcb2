"""Helpers every command uses: the service context from the global options, option parsers."""

from __future__ import annotations

import datetime as dt

import typer

JSON_OPT = typer.Option(False, "--json", help="Print JSON for scripts.")


def services(ctx: typer.Context):
    from egovnet.services.context import Ctx

    return Ctx.from_settings(ctx.obj)


def date_opt(text: str | None, what: str) -> dt.date | None:
    if text is None:
        return None
    from egovnet.settings import parse_date

    return parse_date(text, what)
