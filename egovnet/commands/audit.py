"""egovnet audit: idle links (Art. 15), clocks (Art. 12, 18), security (Art. 13, 21), health (Art. 16, 20) and drift
(Art. 22), for people and for cron."""

from __future__ import annotations

from typing import Optional

import typer

from egovnet import output
from egovnet.commands._common import FORMAT_OPT, JSON_OPT, OUT_OPT, date_opt, services, target
from egovnet.output import Column, Format, Section

app = typer.Typer(help="Audits: idle links (Art. 15), clocks (Art. 12, 18), security checks (Art. 13, 21), link health "
                       "(Art. 16, 20), drift (Art. 22).", no_args_is_help=True)


@app.command("idle")
def idle(
    ctx: typer.Context,
    as_of: Optional[str] = typer.Option(None, "--as-of", help="Audit as of this date (YYYY-MM-DD); default today."),
    close: bool = typer.Option(False, "--close", help="Shut each idle link on its device and send the written "
                                                      "notices (Art. 15)."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask (required for --close off a terminal, e.g. cron)."),
    workers: int = typer.Option(4, "--workers", min=1, max=64, help="Devices worked on at once."),
    as_json: bool = JSON_OPT,
    fmt: Optional[Format] = FORMAT_OPT,
    out: Optional[str] = OUT_OPT,
) -> None:
    """Links with no recorded use 3 calendar months after opening, and those about to reach it.

    A link with a day of those 3 months without any usage record (collection failed, nothing imported) is
    listed as "no data" with the days missing and is never closed: no data is not no traffic.
    Safe for cron: never prompts, one run at a time (a lock), a second run on one day does nothing new.
    Exit 0 when all went well (findings or not), 4 when some closures failed.
    In csv and xlsx the three lists (idle, no data, approaching) are three sheets, or one CSV with a "section"
    column.
    """
    from egovnet.errors import PartialFailure, Refused
    from egovnet.services.history import require_intact_log
    from egovnet.services.idle import audit

    how = target(as_json, fmt, out)  # a bad --format/--out is refused before any link is closed
    c = services(ctx)
    require_intact_log(c)  # an audit never rests on a rewritten log
    day = date_opt(as_of, "--as-of")
    if close and not yes:
        if not output.is_terminal():
            raise Refused("--close shuts links on devices; confirm with --yes when running off a terminal (cron)")
        if not output.confirm("Shut every idle link found and send the written notices (Art. 15)?"):
            raise Refused("nothing was closed")
    with output.progress("closing idle links") as (advance, _total):
        data = audit(c, as_of=day, close=close, workers=workers, progress=advance)
    cols = [Column("link", "link", "right"), Column("units", "units", fmt=lambda v: ", ".join(v)),
            Column("opened_on", "opened"), Column("limit_on", "3 months on"), Column("device", "device"),
            Column("action", "finding")]
    no_data_cols = cols[:-1] + [Column("missing_days", "days without data", fmt=day_ranges)]
    approaching_cols = cols[:-1] + [Column("working_days_left", "working days left", "right")]

    def show() -> None:
        output.table(data["idle"], cols, title=f"idle links as of {data['as_of']} (Art. 15)",
                     empty=f"no idle links as of {data['as_of']}")
        if data["no_data"]:
            output.table(data["no_data"], no_data_cols,
                         title="not judged, never closed: days without usage data (Art. 15)")
        if data["approaching"]:
            output.table(data["approaching"], approaching_cols, title="reaching the limit soon")

    output.render_report(data, [Section("idle", data["idle"], cols), Section("no data", data["no_data"], no_data_cols),
                                Section("approaching", data["approaching"], approaching_cols)], how, show)
    if how.format != Format.json:
        for row in data["closed"]:
            output.message(f"closed link {row['link']} on {row['device']}; notice "
                           + ", ".join(f"{n['no']}: {n['docx']}" for n in row["notices"]))
        for row in data["warned"]:
            output.message(f"link {row['link']}: warning {row['no']} written (Art. 15): {row['docx']}")
    for row in data["no_data"]:
        output.warn(f"link {row['link']} ({', '.join(row['units'])}) was not judged idle: no usage data on "
                       f"{day_ranges(row['missing_days'])}; import those days ('egovnet usage import FILE') or "
                       "check the link")
    for row in data["approaching"]:
        gaps = f"; no usage data yet on {day_ranges(row['missing_days'])}" if row["missing_days"] else ""
        output.message(f"link {row['link']} ({', '.join(row['units'])}) reaches 3 months without use on "
                       f"{row['limit_on']}: {row['working_days_left']} working days left{gaps}")
    if data["failed"]:
        raise PartialFailure(f"{len(data['failed'])} of {len(data['failed']) + len(data['closed'])} closures "
                             "failed: " + "; ".join(f"link {r['link']} on {r['device']}: {r['error']}"
                                                    for r in data["failed"][:3]))


def day_ranges(days: list[str]) -> str:
    """ISO days as runs: 2026-10-01..2026-10-07 (7 days), 2026-11-11."""
    import datetime as dt

    runs: list[list[dt.date]] = []
    for day in sorted(dt.date.fromisoformat(d) for d in days):
        if runs and (day - runs[-1][1]).days == 1:
            runs[-1][1] = day
        else:
            runs.append([day, day])
    return ", ".join(a.isoformat() if a == b else f"{a}..{b} ({(b - a).days + 1} days)" for a, b in runs)


@app.command("sla")
def sla(
    ctx: typer.Context,
    as_of: Optional[str] = typer.Option(None, "--as-of", help="As of this date (YYYY-MM-DD); default today."),
    since: Optional[str] = typer.Option(None, "--since", help="Also the share of each clock met on time since DATE."),
    as_json: bool = JSON_OPT,
    fmt: Optional[Format] = FORMAT_OPT,
    out: Optional[str] = OUT_OPT,
) -> None:
    """Every running clock (review and construction, Art. 12; change review and execution, Art. 18; fault response
    and restoration, Art. 17) with its due date; overdue ones first.

    With --since: the share of each clock met on time, for clocks started since DATE. A clock still running past
    its due date counts as late; a share from fewer cases than statistics.min_cases is shown as n/a.
    """
    from egovnet.services.history import require_intact_log
    from egovnet.services.sla import audit

    how = target(as_json, fmt, out)
    c = services(ctx)
    require_intact_log(c)  # an audit never rests on a rewritten log
    data = audit(c, date_opt(as_of, "--as-of"), date_opt(since, "--since"))
    columns = [Column("application", "application", "right"), Column("change", "change", "right"),
               Column("ticket", "ticket", "right"), Column("unit", "unit"), Column("clock", "clock"),
               Column("due", "due"), Column("working_days_left", "working days left", "right"),
               Column("left", "left (tickets)", "right")]
    if how.format == Format.json:
        output.emit_json(data, out=how.out)
        return
    output.render(data["clocks"], columns, how, title=f"running clocks as of {data['as_of']}", sheet="running clocks",
                  empty="no running clocks", row_style=lambda r: "red" if r["overdue"] else None)
    from egovnet.services.clocks import shown

    for kind, v in data.get("on_time", {}).items():
        late = f"; {v['running_late']} still running past due" if v["running_late"] else ""
        output.message(f"{kind} on time since {data['since']}: {shown(v)}{late}")


SECURITY_COLUMNS = [Column("unit", "unit"), Column("code", "code"), Column("links", "links", fmt=lambda v: _ids(v)),
                    Column("finding", "finding"), Column("kind", "kind"), Column("last", "last"), Column("due", "due"),
                    Column("days_left", "days left", "right"), Column("article", "Art.", "right")]
BREACH_COLUMNS = [Column("link", "link", "right"), Column("units", "units", fmt=lambda v: ", ".join(v)),
                  Column("metric", "threshold"), Column("value", "value", "right"),
                  Column("threshold", "limit", "right"), Column("article", "Art.", "right")]
NO_DATA_COLUMNS = [Column("link", "link", "right"), Column("units", "units", fmt=lambda v: ", ".join(v)),
                   Column("samples", "samples", "right"), Column("last_sample", "last sample (UTC+8)")]
NEAR_COLUMNS = [Column("link", "link", "right"), Column("units", "units", fmt=lambda v: ", ".join(v)),
                Column("bandwidth_mbps", "Mbit/s", "right"), Column("utilisation_pct", "p95 %", "right"),
                Column("threshold", "from %", "right"), Column("article", "Art.", "right")]


@app.command("security")
def security(
    ctx: typer.Context,
    as_of: Optional[str] = typer.Option(None, "--as-of", help="As of this date (YYYY-MM-DD); default today."),
    as_json: bool = JSON_OPT,
    fmt: Optional[Format] = FORMAT_OPT,
    out: Optional[str] = OUT_OPT,
) -> None:
    """Units whose MLPS assessment has expired or expires soon (Art. 13), whose BDC check or risk assessment is
    overdue (Art. 21), and failed checks without a follow-up.

    MLPS and the two intervals are judged for units with an active link; a failed check of any unit stays
    listed until a later record follows it up. Exit 0 when nothing is listed, 4 when something is (for cron).
    """
    from egovnet.services.assessments import audit
    from egovnet.services.history import require_intact_log

    how = target(as_json, fmt, out)
    c = services(ctx)
    require_intact_log(c)  # an audit never rests on a rewritten log
    data = audit(c, date_opt(as_of, "--as-of"))
    output.render_report(data, [Section("findings", data["findings"], SECURITY_COLUMNS)], how, lambda: output.table(
        data["findings"], SECURITY_COLUMNS, title=f"security checks and assessments as of {data['as_of']} "
                                                  "(Art. 13, 21)", empty=f"nothing due as of {data['as_of']}"))
    if data["findings"]:
        output.message(f"{len(data['findings'])} findings as of {data['as_of']}; record checks with "
                       "'egovnet security check record UNIT'")
        raise typer.Exit(4)


@app.command("health")
def health(
    ctx: typer.Context,
    as_of: Optional[str] = typer.Option(None, "--as-of", help="Last day judged (YYYY-MM-DD); default today."),
    since: Optional[str] = typer.Option(None, "--since", help="First day judged; default the policy's window "
                                                              "(monitoring.window.days) before --as-of."),
    as_json: bool = JSON_OPT,
    fmt: Optional[Format] = FORMAT_OPT,
    out: Optional[str] = OUT_OPT,
) -> None:
    """Active links breaching a monitoring threshold (Art. 16, 20), links without enough data, and links near
    saturation (candidates for a change request, Art. 18), from the samples 'egovnet monitor import' stored.

    Exit 0 when nothing is listed, 4 when something is (for cron). In csv and xlsx the three lists are three
    sheets, or one CSV with a "section" column.
    """
    from egovnet.services.history import require_intact_log
    from egovnet.services.monitoring import audit_health

    how = target(as_json, fmt, out)
    c = services(ctx)
    require_intact_log(c)  # an audit never rests on a rewritten log
    data = audit_health(c, as_of=date_opt(as_of, "--as-of"), since=date_opt(since, "--since"))

    def show() -> None:
        output.table(data["breaches"], BREACH_COLUMNS,
                     title=f"links breaching a threshold {data['since']}..{data['as_of']} (Art. 16, 20)",
                     empty="no link breaches a threshold")
        if data["no_data"]:
            output.table(data["no_data"], NO_DATA_COLUMNS,
                         title=f"not judged: fewer than {data['min_samples']} samples in the window")
        if data["near_saturation"]:
            output.table(data["near_saturation"], NEAR_COLUMNS,
                         title="near saturation: a change request may be due (Art. 18)")

    output.render_report(data, [Section("breaches", data["breaches"], BREACH_COLUMNS),
                                Section("no data", data["no_data"], NO_DATA_COLUMNS),
                                Section("near saturation", data["near_saturation"], NEAR_COLUMNS)], how, show)
    listed = len(data["breaches"]) + len(data["no_data"]) + len(data["near_saturation"])
    if listed:
        output.message(f"{len(data['breaches'])} breaches, {len(data['no_data'])} links without data, "
                       f"{len(data['near_saturation'])} near saturation ({data['since']}..{data['as_of']})")
        raise typer.Exit(4)


def _ids(value) -> str:
    return ", ".join(f"L{v}" for v in value)


DRIFT_COLUMNS = [Column("id", "id", "right"), Column("device", "device"), Column("object", "object"),
                 Column("link", "link", "right"), Column("kind", "finding"), Column("intended", "intended"),
                 Column("actual", "actual"), Column("articles", "Art.", fmt=lambda v: ", ".join(map(str, v)))]


@app.command("drift")
def drift(
    ctx: typer.Context,
    device: Optional[str] = typer.Option(None, "--device", help="Only this device of the inventory."),
    workers: int = typer.Option(4, "--workers", min=1, max=64, help="Devices read at once."),
    as_json: bool = JSON_OPT,
    fmt: Optional[Format] = FORMAT_OPT,
    out: Optional[str] = OUT_OPT,
) -> None:
    """Each device's running config against what egovnet intends there (Art. 22; 3, 19 for the isolation).

    Judged: every link's lines on its unit-facing port, unit VLAN and VLAN interface (QoS policy, nftables table),
    any other port in a unit VLAN, the VPN instance and isolation ACL (against the last clean audit), and a
    running config that is not saved. Each run keeps the device's config (secrets masked) under
    EGOVNET_HOME/backups/DEVICE/, with 'last-clean' naming the last clean one.
    Safe for cron: never prompts, one run at a time (a lock), stdout carries only the findings.
    Exit 0 when every device is as intended, 4 when drift was found or a device could not be read.
    Example: egovnet audit drift --json > drift.json || egovnet remediate zjj-sw1 --dry-run
    """
    from egovnet.services.drift import audit
    from egovnet.services.history import require_intact_log

    how = target(as_json, fmt, out)
    c = services(ctx)
    require_intact_log(c)  # an audit never rests on a rewritten log
    with output.progress("reading devices") as (advance, _total):
        data = audit(c, device=device, workers=workers, progress=advance)
    output.render(data["findings"], DRIFT_COLUMNS, how, title=f"drift (Art. 22), run {data['run']}",
                  sheet="drift", empty="no drift on the devices read" if data["failed"]
                  else "no drift: every device is as egovnet intends")
    for row in data["failed"]:
        output.warn(f"device {row['device']} was not audited: {row['error']}")
    if data["findings"] or data["failed"]:
        devices = sorted({f["device"] for f in data["findings"]})
        if devices:
            output.warn(f"{len(data['findings'])} drift finding(s) on {', '.join(devices)} (Art. 22); see the plan "
                        f"with 'egovnet remediate {devices[0]} --dry-run'")
        raise typer.Exit(4)
