"""egovnet calendar: official working-day arithmetic."""

from __future__ import annotations

import typer

from egovnet import output
from egovnet.commands._common import JSON_OPT, date_opt

app = typer.Typer(help="Official Chinese working days (工作日, with 调休 make-up workdays).", no_args_is_help=True)


@app.command("due")
def due(
    ctx: typer.Context,
    date: str = typer.Argument(..., help="Start date (YYYY-MM-DD); it does not count itself."),
    n: int = typer.Argument(..., min=0, max=1000, help="Working days to add."),
    as_json: bool = JSON_OPT,
) -> None:
    """Print the N-th working day after DATE.

    Example: egovnet calendar due 2026-09-28 5   ->   2026-10-10 (a 调休 Saturday)
    """
    from egovnet.services.calendar_info import due as compute

    result = compute(ctx.obj, date_opt(date, "DATE"), n)
    if result["provisional"]:
        years = ", ".join(str(y) for y in result["unknown_years"])
        output.warn(f"provisional: the official holiday schedule for {years} is not published in the "
                    "holidays package and policies.yaml has no override; add calendar.extra_holidays / "
                    "extra_workdays once the State Council publishes it")
    if as_json:
        output.emit_json(result)
    else:
        typer.echo(f"{result['due']} ({result['weekday']})")


@app.command("check")
def check(
    ctx: typer.Context,
    date: str = typer.Argument(..., help="Date (YYYY-MM-DD)."),
    as_json: bool = JSON_OPT,
) -> None:
    """Say whether DATE is an official working day."""
    from egovnet.services.calendar_info import day_info

    info = day_info(ctx.obj, date_opt(date, "DATE"))
    if as_json:
        output.emit_json(info)
    else:
        typer.echo(f"{info['date']} ({info['weekday']}): {'working day' if info['working_day'] else 'day off'}"
                   + (f", {info['holiday']}" if info["holiday"] else ""))
