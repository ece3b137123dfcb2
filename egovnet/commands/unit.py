"""egovnet unit: access units (接入单位, Art. 8-9)."""

from __future__ import annotations

from typing import Optional

import typer

from egovnet import output
from egovnet.commands._common import FORMAT_OPT, JSON_OPT, OUT_OPT, complete_category, date_opt, services, target
from egovnet.output import Column, Format

app = typer.Typer(help="Access units (接入单位): who may connect (Art. 9) and their MLPS record (Art. 13).",
                  no_args_is_help=True)

COLUMNS = [Column("id", "id", "right"), Column("code", "code"), Column("name", "unit"),
           Column("category", "category"), Column("dept", "department"), Column("town", "town"),
           Column("budget_unit", "budget"), Column("mlps_level", "MLPS", "right"),
           Column("mlps_valid_until", "MLPS valid until")]
SHOW = [("id", "id"), ("name", "name"), ("code", "code (device-safe)"), ("category", "category (Art. 9)"),
        ("dept", "department (Art. 10)"), ("town", "town (街镇)"), ("address", "office address"),
        ("budget_unit", "district budget unit (Art. 25)"), ("mlps_level", "MLPS level (Art. 13)"),
        ("mlps_assessed", "MLPS assessed"), ("mlps_valid_until", "MLPS valid until"), ("contact", "contact"),
        ("justification", "justification (Art. 9(3))")]


def _input(name, code, category, dept, town, address, budget, mlps_level, mlps_assessed, contact, justification):
    from egovnet.services.directory import UnitInput

    return UnitInput(name=name, code=code, category=category, dept=dept, town=town, address=address,
                     budget_unit=budget, mlps_level=mlps_level,
                     mlps_assessed=date_opt(mlps_assessed, "--mlps-assessed"), contact=contact,
                     justification=justification)


@app.command("add")
def add(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="Unit name in Chinese, e.g. 朱家角镇张马村村民委员会."),
    category: str = typer.Option(..., "--category", help="agency | village | soe | other (Art. 9).",
                                 autocompletion=complete_category),
    dept: str = typer.Option(..., "--dept", help="Supervising department (Art. 10)."),
    code: Optional[str] = typer.Option(None, "--code", help="ASCII code for devices; generated when omitted."),
    town: str = typer.Option("", "--town", help="Town or street (街镇)."),
    address: str = typer.Option("", "--address", help="Office address (one link per address, Art. 14)."),
    budget: Optional[bool] = typer.Option(None, "--budget/--no-budget",
                                          help="District budget unit? (Art. 25) Default by category: "
                                               "unit_categories.<category>.budget_default."),
    mlps_level: Optional[int] = typer.Option(None, "--mlps-level", help="等级保护 level (Art. 13)."),
    mlps_assessed: Optional[str] = typer.Option(None, "--mlps-assessed", help="Date of the last MLPS assessment."),
    contact: str = typer.Option("", "--contact", help="Security contact (Art. 8)."),
    justification: str = typer.Option("", "--justification", help="Required for category 'other' (Art. 9(3))."),
    as_json: bool = JSON_OPT,
) -> None:
    """Add a unit."""
    from egovnet.services.directory import add_unit

    unit = add_unit(services(ctx), _input(name, code, category, dept, town, address, budget, mlps_level,
                                          mlps_assessed, contact, justification))
    if budget is None:
        output.message(f"unit {unit['name']}: "
                       f"{'a district budget unit' if unit['budget_unit'] else 'not a budget unit (pays its own fees)'}"
                       f" by default for category {unit['category']} (unit_categories.{unit['category']}."
                       "budget_default, Art. 25); give --budget or --no-budget to say otherwise")
    if as_json:
        output.emit_json(unit)
    else:
        output.message(f"added unit {unit['id']}: {unit['name']} (code {unit['code']})")
        typer.echo(unit["code"])


@app.command("update")
def update(
    ctx: typer.Context,
    unit: str = typer.Argument(..., help="Unit name or code."),
    name: Optional[str] = typer.Option(None, "--name"),
    category: Optional[str] = typer.Option(None, "--category", autocompletion=complete_category),
    dept: Optional[str] = typer.Option(None, "--dept"),
    code: Optional[str] = typer.Option(None, "--code"),
    town: Optional[str] = typer.Option(None, "--town"),
    address: Optional[str] = typer.Option(None, "--address"),
    budget: Optional[bool] = typer.Option(None, "--budget/--no-budget"),
    mlps_level: Optional[int] = typer.Option(None, "--mlps-level"),
    mlps_assessed: Optional[str] = typer.Option(None, "--mlps-assessed"),
    contact: Optional[str] = typer.Option(None, "--contact"),
    justification: Optional[str] = typer.Option(None, "--justification"),
    as_json: bool = JSON_OPT,
) -> None:
    """Change a unit's record; only the options given change."""
    from egovnet.services.directory import update_unit

    result = update_unit(services(ctx), unit, _input(name, code, category, dept, town, address, budget,
                                                     mlps_level, mlps_assessed, contact, justification))
    if as_json:
        output.emit_json(result)
    elif result["changed"]:
        output.message(f"updated unit {result['code']}: {', '.join(result['changed'])}")
    else:
        output.message(f"unit {result['code']} unchanged")


@app.command("list")
def list_(
    ctx: typer.Context,
    dept: Optional[str] = typer.Option(None, "--dept"),
    town: Optional[str] = typer.Option(None, "--town"),
    category: Optional[str] = typer.Option(None, "--category", autocompletion=complete_category),
    as_json: bool = JSON_OPT,
    fmt: Optional[Format] = FORMAT_OPT,
    out: Optional[str] = OUT_OPT,
) -> None:
    """List units."""
    from egovnet.services.directory import list_units

    how = target(as_json, fmt, out)
    rows = list_units(services(ctx), dept=dept, town=town, category=category)
    output.render(rows, COLUMNS, how, sheet="units", empty="no units; add one with 'egovnet unit add'")


@app.command("show")
def show(ctx: typer.Context, unit: str = typer.Argument(..., help="Unit name or code."), as_json: bool = JSON_OPT) -> None:
    """Show one unit with its applications and history."""
    from egovnet.services.directory import show_unit

    data = show_unit(services(ctx), unit)
    if as_json:
        output.emit_json(data)
        return
    output.fields(data, SHOW, title=data["name"])
    output.table(data["applications"], [Column("id", "application", "right"), Column("status", "status"),
                                        Column("received_on", "received"), Column("link", "link", "right")],
                 empty="no applications")


@app.command("import")
def import_(
    ctx: typer.Context,
    file: str = typer.Argument(..., metavar="FILE", help="A .csv (UTF-8, UTF-8 with BOM or GB18030) or .xlsx file."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Check every row and report; write nothing."),
    skip_invalid: bool = typer.Option(False, "--skip-invalid",
                                      help="Write the good rows; save the bad ones to FILE.rejects.csv (exit 4)."),
    create_depts: bool = typer.Option(False, "--create-depts", help="Add supervising departments the file names "
                                                                     "that are not in the directory yet."),
    as_json: bool = JSON_OPT,
) -> None:
    """Import units from a spreadsheet: all rows or none, every problem named, reruns change nothing new.

    Columns (English or Chinese): name 单位名称, code 单位代码, category 类别, dept 主管部门, town 街镇,
    address 地址, budget 预算单位, mlps_level 等保等级, mlps_assessed 等保测评日期, contact 联系人,
    justification 说明. Units match by name: changed fields are updated, the rest is left alone.
    """
    from pathlib import Path

    from egovnet.commands._batch import run_batch
    from egovnet.services.onboarding import import_units

    run_batch("importing units", lambda advance: import_units(
        services(ctx), Path(file), dry_run=dry_run, skip_invalid=skip_invalid, create_depts=create_depts,
        progress=advance), as_json, "units")
