"""egovnet remediate: bring a device (or one link's part) back to what egovnet intends there (Art. 22)."""

from __future__ import annotations

from typing import Optional

import typer

from egovnet import output
from egovnet.commands._common import JSON_OPT, services
from egovnet.output import Column

COLUMNS = [Column("device", "device"), Column("object", "object"), Column("link", "link", "right"),
           Column("kind", "finding"), Column("intended", "intended"), Column("actual", "actual")]


def remediate(
    ctx: typer.Context,
    device: Optional[str] = typer.Argument(None, metavar="DEVICE", help="A device of the inventory."),
    link: Optional[int] = typer.Option(None, "--link", metavar="L", help="Only this link's part of its device."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Print the findings and the commands; change nothing."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask (required off a terminal)."),
    as_json: bool = JSON_OPT,
) -> None:
    """Bring a device back to its intended state: journal, backup, push, verify, save; roll back on failure (Art. 22).

    The commands come from the device's live config and each platform's syntax (the inverse of lines egovnet did
    not put there, intended lines typed again, a save when the running config is unsaved). The findings it fixes
    are marked resolved with the push id. Exit 0 when the device is clean afterwards, 4 when drift remains.
    Example: egovnet remediate zjj-sw1 --dry-run; egovnet remediate --link 12 --yes
    """
    from egovnet.errors import PartialFailure, Refused, UsageError
    from egovnet.services.drift import remediate as run

    if (device is None) == (link is None):
        raise UsageError("name a DEVICE or give --link L (one of them)")
    c = services(ctx)
    what = f"link {link}" if link is not None else f"device {device}"
    if not dry_run and not yes:
        # the plan first: an unknown device or link, or a user without the role, is named as such
        plan = run(c, device=device, link_id=link, dry_run=True)
        if not output.is_terminal():
            raise Refused(f"remediate changes {what}'s configuration; confirm with --yes when running off a terminal "
                          "(see the plan with --dry-run)")
        for line in plan["commands"] + (["(save)"] if plan["save"] else []):
            output.message(line)
        if not plan["findings"]:
            output.message(f"{what}: no drift, nothing to do")
            return
        if not typer.confirm(f"Send these commands to {plan['device']}?", err=True):
            raise Refused("nothing was sent")
    result = run(c, device=device, link_id=link, dry_run=dry_run)
    if as_json:
        output.emit_json(result)
    elif dry_run:
        output.table(result["findings"], COLUMNS, title=f"drift on {result['device']}", empty="no drift")
        for line in result["commands"]:
            typer.echo(line)
        if result["save"]:
            output.message("then save the configuration")
    elif result["push"]:
        output.message(f"{result['device']}: push {result['push']} {result['status']}; resolved findings "
                       f"{', '.join(map(str, result['resolved'])) or 'none'}")
    else:
        output.message(f"{result['device']}: no drift, nothing sent")
    if result["remaining"] and not dry_run:
        raise PartialFailure(f"{len(result['remaining'])} finding(s) remain on {result['device']} after push "
                             f"{result['push']}: {result.get('error') or 'see egovnet audit drift'}")
