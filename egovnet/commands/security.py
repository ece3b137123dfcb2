"""egovnet security: the Office's emergency disconnect and reconnect (Art. 23), criticism notices (Art. 26), one list
of incidents, criticisms and security events, and the register of security checks and assessments (Art. 13, 21)."""

from __future__ import annotations

from typing import Optional

import typer

from egovnet import output
from egovnet.commands._common import FORMAT_OPT, JSON_OPT, OUT_OPT, services, target
from egovnet.commands.security_check import app as check_app
from egovnet.i18n import N_
from egovnet.output import Column, Format

app = typer.Typer(help="Security: the Office's disconnect and reconnect (Art. 23), criticism notices (Art. 26), "
                       "incidents and security events, checks and assessments (Art. 13, 21).", no_args_is_help=True)
app.add_typer(check_app, name="check")

COLUMNS = [Column("kind", "kind"), Column("id", "id", "right"), Column("on", "on"), Column("state", "state"),
           Column("subject", "unit / object"), Column("cut_off", "cut off"), Column("article", "Art.", "right"),
           Column("detail", "incident / ground / event")]
SHOW = [("state", "state"), ("unit", "unit"), ("units_cut_off", "units cut off"), ("links", "links"),
        ("scope", "scope"), ("incident", "incident"), ("opened_by", "opened by"), ("opened_on", "opened on"),
        ("disconnected_by", "disconnected by"), ("disconnected_at", "disconnected at"),
        ("reconnected_by", "reconnected by"), ("reconnected_at", "reconnected at"), ("cut_off", "time cut off"),
        ("remediation", "remediation"), ("pushes", "pushes (cut)"), ("reconnect_pushes", "pushes (restore)"),
        ("error", "error")]


def _confirm(yes: bool, question: str, what: str) -> None:
    from egovnet.errors import Refused

    if yes:
        return
    if not output.is_terminal():
        raise Refused(f"{what}; confirm with --yes when running off a terminal")
    if not output.confirm(question):
        raise Refused("nothing was changed")


def _said_cut(data: dict, verb: str) -> None:
    # one whole sentence per verb: each is its own catalog entry (a verb filled into a sentence stays English)
    cut = verb == "cut off"
    for row in data.get("cut") or data.get("restored") or []:
        link, device, port, push = row["link"], row["device"], row["port"], row["push"]
        if cut:
            output.message(f"link {link}: cut off on {device} port {port} (push {push})")
        else:
            output.message(f"link {link}: restored on {device} port {port} (push {push})")
    shared = {k: v for k, v in (data.get("shared_with") or {}).items() if v}
    for link, others in shared.items():
        units = "、".join(others)
        if cut:
            output.warn(f"link {link} is shared (Art. 14) and its device cannot cut one unit's part: the whole link "
                        f"is cut off, so {units} lose access with it")
        else:
            output.warn(f"link {link} is shared (Art. 14) and its device cannot cut one unit's part: the whole link "
                        f"is restored, so {units} regain access with it")
    if data.get("notice"):
        n = data["notice"]
        output.message(f"notice {n['no']} to {'、'.join(n['main_to'])} (copy: {'、'.join(n['copy_to'])}): {n['docx']}")


@app.command("disconnect")
def disconnect(
    ctx: typer.Context,
    unit: Optional[str] = typer.Option(None, "--unit", help="The unit to cut off (name or code): all its active links."),
    link: Optional[int] = typer.Option(None, "--link", help="One link to cut off, with every unit on it."),
    incident: str = typer.Option(..., "--incident", help="The security incident, on one line (quoted in the notice)."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask (required off a terminal)."),
    as_json: bool = JSON_OPT,
) -> None:
    """Cut a unit (or a link) off the extranet after a security incident (role office, Art. 23).

    Shuts the unit's port through the push journal (backup, verify, rollback), writes the notice, and blocks
    every provisioning, change and reopening of the unit until 'egovnet security reconnect'. A shared link is
    cut whole where the device cannot cut one unit's part; the output and the notice say so.

    Example: egovnet security disconnect --unit zjj-zhangma --incident "终端感染勒索病毒并向政务外网扫描" --yes
    """
    from egovnet.services.security import disconnect as run

    what = f"unit {unit}" if unit is not None else f"link {link}"
    _confirm(yes, N_(f"Cut {what} off the extranet now?"), N_("a disconnect cuts a unit off the extranet"))
    data = run(services(ctx), unit=unit, link=link, incident=incident)
    if as_json:
        output.emit_json(data)
        return
    output.message(f"security incident {data['id']}: {'、'.join(data['units_cut_off'])} cut off the extranet "
                   f"(Art. 23); reconnect with 'egovnet security reconnect {data['id']} --remediation TEXT'")
    _said_cut(data, "cut off")
    typer.echo(data["id"])


@app.command("reconnect")
def reconnect(
    ctx: typer.Context,
    incident: int = typer.Argument(..., metavar="INCIDENT", help="The incident id (see 'egovnet security list')."),
    remediation: str = typer.Option(..., "--remediation", help="What the unit did about it, on one line."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask (required off a terminal)."),
    as_json: bool = JSON_OPT,
) -> None:
    """Restore the access a disconnect cut, once the remediation is on record (role office, Art. 23).

    With security.reconnect_separation in the policy, the user who disconnected may not reconnect.
    """
    from egovnet.services.security import reconnect as run

    _confirm(yes, N_(f"Restore the access cut by security incident {incident}?"),
             N_("a reconnect changes devices"))
    data = run(services(ctx), incident, remediation=remediation)
    if as_json:
        output.emit_json(data)
        return
    output.message(f"security incident {data['id']}: {'、'.join(data['units_cut_off'])} reconnected after "
                   f"{data['cut_off']} (Art. 23)")
    _said_cut(data, "restored")


@app.command("criticize")
def criticize(
    ctx: typer.Context,
    unit: str = typer.Argument(..., metavar="UNIT", help="The unit (name or code)."),
    ground: int = typer.Option(..., "--ground", min=1, max=3,
                               help="Art. 26 ground: 1 security duty not met with harm; 2 defect or vulnerability "
                                    "not remedied; 3 supervision refused or obstructed."),
    facts: str = typer.Option(..., "--facts", help="The facts found, on one line (quoted in the circular)."),
    as_json: bool = JSON_OPT,
) -> None:
    """Criticise a unit in a circular (通报批评) on one of the grounds of Art. 26 (role office).

    Example: egovnet security criticize zjj-zhangma --ground 2 --facts "高危漏洞通报后30日未修复"
    """
    from egovnet.services.security import criticize as run

    data = run(services(ctx), unit, ground=ground, facts=facts)
    if as_json:
        output.emit_json(data)
        return
    n = data["notice"]
    output.message(f"criticism {data['id']} of {data['unit']} on ground ({data['ground']}) of Art. 26: notice "
                   f"{n['no']} to {'、'.join(n['main_to'])} (copy: {'、'.join(n['copy_to'])}): {n['docx']}")
    typer.echo(data["id"])


@app.command("list")
def list_(
    ctx: typer.Context,
    state: Optional[str] = typer.Option(None, "--state", help="Only incidents in this state: open | disconnected | "
                                                               "reconnected (criticisms and events left out)."),
    as_json: bool = JSON_OPT,
    fmt: Optional[Format] = FORMAT_OPT,
    out: Optional[str] = OUT_OPT,
) -> None:
    """Incidents (state, time cut off), criticisms and security events (host keys, drift), newest first."""
    from egovnet.services.security import list_security

    how = target(as_json, fmt, out)
    rows = list_security(services(ctx), state=state)
    output.render(rows, COLUMNS, how, title="security (Art. 23, 26)", sheet="security", empty="nothing on record",
                  row_style=lambda r: "red" if r["state"] in ("open", "disconnected") else None)


@app.command("show")
def show(ctx: typer.Context, incident: int = typer.Argument(..., metavar="ID", help="The incident id."),
         as_json: bool = JSON_OPT) -> None:
    """One security incident: its state, links, pushes, notices and events."""
    from egovnet.services.security import show_incident

    data = show_incident(services(ctx), incident)
    if as_json:
        output.emit_json(data)
        return
    output.fields(data, SHOW, title=f"security incident {data['id']} (Art. 23)")
    for n in data["notices"]:
        output.message(f"notice {n['no']} ({n['kind']}, {n['issued_on']}): {n['docx']}")
