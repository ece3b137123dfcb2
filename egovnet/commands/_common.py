"""Helpers every command uses: the service context from the global options, option parsers."""

from __future__ import annotations

import datetime as dt

import typer

from egovnet.output import target  # noqa: F401  (--json / --format / --out as one Target; a contradiction exits 2)

JSON_OPT = typer.Option(False, "--json", help="Print JSON for scripts.")
FORMAT_OPT = typer.Option(None, "--format", case_sensitive=False, show_default=False,
                          help="table (default), json, csv or xlsx; xlsx needs --out.")
OUT_OPT = typer.Option(None, "--out", metavar="FILE",
                       help="Write to FILE (.csv, .xlsx or .json; the suffix picks the format when --format is not "
                            "given). Required for xlsx; csv and json go to stdout without it.")


def services(ctx: typer.Context):
    from egovnet.services.context import Ctx

    return Ctx.from_settings(ctx.obj)


def date_opt(text: str | None, what: str) -> dt.date | None:
    if text is None:
        return None
    from egovnet.settings import parse_date

    return parse_date(text, what)
