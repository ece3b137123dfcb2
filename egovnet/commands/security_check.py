"""egovnet security check: BDC's security checks and units' MLPS and risk assessments (Art. 13, 21)."""

from __future__ import annotations

from enum import Enum
from typing import Optional

import typer

from egovnet import output
from egovnet.commands._common import FORMAT_OPT, JSON_OPT, OUT_OPT, date_opt, services, target
from egovnet.output import Column, Format

app = typer.Typer(help="Security checks (Art. 21) and MLPS / risk assessments (Art. 13, 21) of units.",
                  no_args_is_help=True)


class Kind(str, Enum):
    bdc_check = "bdc_check"
    mlps_assessment = "mlps_assessment"
    risk_assessment = "risk_assessment"


class Result(str, Enum):
    passed = "pass"
    issues = "issues"
    fail = "fail"


COLUMNS = [Column("id", "#", "right"), Column("unit", "unit"), Column("kind", "kind"), Column("date", "date"),
           Column("result", "result"), Column("level", "level", "right"), Column("findings", "findings"),
           Column("follow_up_of", "follows up", "right"), Column("followed_up_by", "followed up by", "right")]


@app.command("record")
def record(
    ctx: typer.Context,
    unit: str = typer.Argument(..., metavar="UNIT", help="Unit name or code."),
    kind: Kind = typer.Option(..., "--kind", help="bdc_check (BDC, Art. 21), mlps_assessment (等保测评, Art. 13) "
                                                  "or risk_assessment (风险评估, Art. 21)."),
    date: str = typer.Option(..., "--date", help="Day the check or assessment was made (YYYY-MM-DD)."),
    result: Result = typer.Option(..., "--result", help="pass, issues (passed with findings) or fail."),
    level: Optional[int] = typer.Option(None, "--level", help="MLPS level assessed (mlps_assessment; default the "
                                                              "unit's)."),
    findings: str = typer.Option("", "--findings", help="What was found; required unless the result is pass."),
    follow_up_of: Optional[int] = typer.Option(None, "--follow-up-of", metavar="ID",
                                               help="The failed check this one follows up (default: the unit's "
                                                    "oldest open failure of the same kind)."),
    as_json: bool = JSON_OPT,
) -> None:
    """Record a check or assessment of a unit. A passed MLPS assessment becomes the unit's MLPS record.

    Example: egovnet security check record zjj-zhangma --kind bdc_check --date 2026-09-01 --result fail
    --findings "弱口令"
    """
    from egovnet.services.assessments import record_check

    row = record_check(services(ctx), unit, kind=kind.value, date=date_opt(date, "--date"), result=result.value,
                       level=level, findings=findings, follow_up_of=follow_up_of)
    if as_json:
        output.emit_json(row)
        return
    follows = f", follows up check {row['follow_up_of']}" if row["follow_up_of"] else ""
    output.message(f"check {row['id']}: {row['kind']} of {row['unit']} on {row['date']}: {row['result']}{follows}")
    if row["unit_updated"]:
        output.message(f"unit {row['unit']}: MLPS level {row['level']} assessed {row['date']} is now its record "
                       "(Art. 13)")


@app.command("list")
def list_(
    ctx: typer.Context,
    unit: Optional[str] = typer.Option(None, "--unit", help="Only this unit (name or code)."),
    kind: Optional[Kind] = typer.Option(None, "--kind", help="Only this kind."),
    as_json: bool = JSON_OPT,
    fmt: Optional[Format] = FORMAT_OPT,
    out: Optional[str] = OUT_OPT,
) -> None:
    """Checks and assessments on record, oldest first, with the follow-up of each failure."""
    from egovnet.services.assessments import list_checks

    how = target(as_json, fmt, out)
    rows = list_checks(services(ctx), unit=unit, kind=kind.value if kind else None)
    output.render(rows, COLUMNS, how, title="security checks and assessments (Art. 13, 21)",
                  sheet="security checks", empty="no checks or assessments on record")
