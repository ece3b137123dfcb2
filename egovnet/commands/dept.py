"""egovnet dept: supervising departments (业务主管部门, Art. 10)."""

from __future__ import annotations

from typing import Optional

import typer

from egovnet import output
from egovnet.commands._common import FORMAT_OPT, JSON_OPT, OUT_OPT, services, target
from egovnet.output import Column, Format

app = typer.Typer(help="Supervising departments (业务主管部门) that file applications (Art. 10).",
                  no_args_is_help=True)
COLUMNS = [Column("id", "id", "right"), Column("name", "department"), Column("contact", "contact"),
           Column("units", "units", "right")]


@app.command("add")
def add(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="Department name, e.g. 区农业农村委."),
    contact: str = typer.Option("", "--contact", help="Contact person and phone."),
    as_json: bool = JSON_OPT,
) -> None:
    """Add a supervising department (role bdc)."""
    from egovnet.services.directory import add_dept

    dept = add_dept(services(ctx), name, contact)
    if as_json:
        output.emit_json(dept)
    else:
        output.message(f"added department {dept['id']}: {dept['name']}")
        typer.echo(dept["id"])


@app.command("list")
def list_(ctx: typer.Context, as_json: bool = JSON_OPT, fmt: Optional[Format] = FORMAT_OPT,
          out: Optional[str] = OUT_OPT) -> None:
    """List departments."""
    from egovnet.services.directory import list_depts

    how = target(as_json, fmt, out)
    output.render(list_depts(services(ctx)), COLUMNS, how, sheet="departments",
                  empty="no departments; add one with 'egovnet dept add'")
