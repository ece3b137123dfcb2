"""Root of the egovnet command line: global options, error translation, command wiring.

Heavy modules (sqlmodel, sqlalchemy, netmiko) are imported inside commands only, so that
``egovnet --help`` and shell completion stay fast.
"""

from __future__ import annotations

import os
from typing import Optional

import typer
from typer.core import TyperGroup

from egovnet import __version__
from egovnet.errors import EgovnetError
from egovnet.output import one_line


class EgovnetGroup(TyperGroup):
    """Turns every expected error into one ``Error: ...`` line on stderr and its exit code."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except EgovnetError as exc:
            if os.environ.get("EGOVNET_DEBUG") == "1":
                _print_traceback()  # the traceback, then the same line and exit code as without debugging
            typer.echo(f"Error: {one_line(str(exc))}", err=True)
            raise typer.Exit(exc.exit_code) from None
        except _CLICK_USAGE_ERROR as exc:  # a bad option or argument of a command: one line too, exit 2
            if type(exc).__name__ == "NoArgsIsHelpError":
                raise
            where = exc.ctx.command_path if exc.ctx else "egovnet"
            typer.echo(f"Error: {one_line(exc.format_message())} (see '{where} --help')", err=True)
            raise typer.Exit(2) from None
        except Exception as exc:  # the disk under the database (full, read-only); anything else keeps its traceback
            message = _storage_failure(ctx, exc)
            if message is None:
                raise
            if os.environ.get("EGOVNET_DEBUG") == "1":
                _print_traceback()
            typer.echo(f"Error: {one_line(message)}", err=True)
            raise typer.Exit(1) from None


def _storage_failure(ctx, exc: BaseException) -> str | None:
    import errno

    if isinstance(exc, OSError):  # a backup, notice or log file: name that file, not the database
        if exc.errno not in (errno.ENOSPC, errno.EROFS, errno.EDQUOT):
            return None
        where = exc.filename or "a file"
        fix = "make it writable" if exc.errno == errno.EROFS else "free space"
        return f"cannot write {where}: {exc.strerror}; {fix} and run the command again"
    if not any(k.__name__ == "OperationalError" and k.__module__.startswith("sqlalchemy") for k in type(exc).__mro__):
        return None
    settings = getattr(ctx, "obj", None)
    url = getattr(settings, "db_url", None)
    if url is None:
        return None
    from egovnet.state.db import describe_failure

    return describe_failure(exc, url, known_only=True)


def _print_traceback() -> None:
    """EGOVNET_DEBUG=1: show where an expected error came from without changing the exit status that scripts
    and cron read (a partial failure stays 4, a refusal 3). Locals are never shown: they can hold credentials."""
    import sys
    import traceback

    traceback.print_exc(file=sys.stderr)


# Click's UsageError, whether Typer vendors Click or depends on it: the parent of typer.BadParameter
_CLICK_USAGE_ERROR = typer.BadParameter.__mro__[1]


app = typer.Typer(
    cls=EgovnetGroup,
    name="egovnet",
    help="Administer a district e-government extranet (政务外网) under 《青浦区电子政务外网管理办法》.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,  # locals can hold credentials
    context_settings={"help_option_names": ["-h", "--help"]},
    add_completion=True,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"egovnet {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    home: Optional[str] = typer.Option(None, "--home", envvar="EGOVNET_HOME", show_envvar=True, help="State folder."),
    db: Optional[str] = typer.Option(None, "--db", envvar="EGOVNET_DB", show_envvar=True, help="SQLAlchemy database URL."),
    policy: Optional[str] = typer.Option(None, "--policy", envvar="EGOVNET_POLICY", show_envvar=True, help="Policy file."),
    inventory: Optional[str] = typer.Option(None, "--inventory", envvar="EGOVNET_INVENTORY", show_envvar=True, help="Inventory folder."),
    user: Optional[str] = typer.Option(None, "--user", envvar="EGOVNET_USER", show_envvar=True, help="The person acting."),
    today: Optional[str] = typer.Option(None, "--today", envvar="EGOVNET_TODAY", show_envvar=True, help="ISO date used as today."),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version."),
) -> None:
    from egovnet.settings import Settings

    try:
        ctx.obj = Settings.resolve(home=home, db=db, policy=policy, inventory=inventory, user=user, today=today)
    except EgovnetError as exc:
        typer.echo(f"Error: {one_line(str(exc))}", err=True)
        raise typer.Exit(exc.exit_code) from None

    def _close() -> None:
        from egovnet.state.db import dispose_all

        dispose_all()

    ctx.call_on_close(_close)


def _wire() -> None:
    from egovnet.commands import (apply, audit, calendar, change, decommission, demo, dept, device, init, lab, link,
                                  log, maintenance, notice, policy, provision, push, review, unit, usage)

    app.add_typer(policy.app, name="policy")
    app.add_typer(calendar.app, name="calendar")
    app.add_typer(dept.app, name="dept")
    app.add_typer(unit.app, name="unit")
    app.add_typer(review.app, name="review")
    app.add_typer(log.app, name="log")
    app.add_typer(device.app, name="device")
    app.add_typer(device.inventory_app, name="inventory")
    app.add_typer(lab.app, name="lab")
    app.add_typer(usage.app, name="usage")
    app.add_typer(audit.app, name="audit")
    app.add_typer(maintenance.app, name="maintenance")
    app.add_typer(change.app, name="change")
    app.add_typer(link.app, name="link")
    app.add_typer(push.app, name="push")
    app.add_typer(notice.app, name="notice")
    app.command("provision")(provision.provision)
    app.command("init")(init.init)
    app.command("apply")(apply.apply)
    app.command("demo")(demo.demo)
    app.command("decommission")(decommission.decommission)


_wire()


def main() -> None:
    import logging

    logging.getLogger("paramiko").setLevel(logging.CRITICAL)  # no tracebacks from kex failures
    app()
