"""egovnet report: reports built from recorded data only (fees by payer, Art. 25; the annual evaluation, Art. 24)."""

from __future__ import annotations

from typing import Optional

import typer

from egovnet import output
from egovnet.commands._common import FORMAT_OPT, JSON_OPT, OUT_OPT, services, target
from egovnet.output import Column, Format, Section

app = typer.Typer(help="Reports from recorded data: fees by payer (Art. 25), the annual evaluation (Art. 24).",
                  no_args_is_help=True)

_money = lambda v: f"{v:,.2f}"  # noqa: E731


@app.command("fees")
def fees(
    ctx: typer.Context,
    year: int = typer.Option(..., "--year", help="Calendar year, e.g. 2026."),
    month: Optional[int] = typer.Option(None, "--month", help="Only this month (1-12)."),
    as_json: bool = JSON_OPT,
    fmt: Optional[Format] = FORMAT_OPT,
    out: Optional[str] = OUT_OPT,
) -> None:
    """Extranet service fees per unit and per department, and who pays (Art. 25).

    From the links' fee periods (opening to closing day, reopen periods included), the monthly fee by bandwidth
    tier (fees.monthly_by_bandwidth) charged by days, a shared link split between its units (fees.shared_split,
    Art. 14). Payer: the district budget for budget units, the unit itself otherwise.
    Example: egovnet report fees --year 2026 --out fees-2026.xlsx
    """
    from egovnet.services.fees import fees as run

    how = target(as_json, fmt, out)
    data = run(services(ctx), year, month)
    unit_cols = [Column("unit", "unit"), Column("dept", "department"), Column("payer", "payer"),
                 Column("links", "links", fmt=lambda v: ", ".join(map(str, v))),
                 Column("link_days", "link-days", "right"),
                 Column("amount", f"amount ({data['currency']})", "right", _money)]
    dept_cols = [Column("dept", "department"), Column("units", "units", "right"),
                 Column("link_days", "link-days", "right"), Column("amount", "amount", "right", _money),
                 Column("budget", "district budget", "right", _money), Column("unit", "paid by units", "right", _money)]
    link_cols = [Column("link", "link", "right"), Column("address", "address"),
                 Column("bandwidth_mbps", "Mbps", "right"), Column("link_days", "link-days", "right"),
                 Column("amount", "amount", "right", _money), Column("units", "units", fmt=lambda v: ", ".join(v))]
    period = f"{data['year']}-{data['month']:02d}" if data["month"] else str(data["year"])

    def show() -> None:
        output.table(data["units"], unit_cols, title=f"fees {period} per unit (Art. {data['article']})",
                     empty=f"no link in service in {period}")
        if data["departments"]:
            output.table(data["departments"], dept_cols, title="per department")
        t = data["totals"]
        output.message(f"total {_money(t['amount'])} {data['currency']}: district budget {_money(t['budget'])}, "
                       f"paid by units {_money(t['unit'])}; shared links split {data['split']}")

    output.render_report(data, [Section("units", data["units"], unit_cols),
                                Section("departments", data["departments"], dept_cols),
                                Section("links", data["links"], link_cols)], how, show)


# the annual evaluation (Art. 24) lives in a module of its own; `report` is the group both are reached through
from egovnet.commands.report_annual import annual  # noqa: E402

app.command("annual")(annual)
