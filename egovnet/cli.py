"""Root of the egovnet command line: global options, error translation, command wiring.

Heavy modules (sqlmodel, sqlalchemy, netmiko) are imported inside commands only, so that
``egovnet --help`` and shell completion stay fast.
"""

from __future__ import annotations

import os
from collections.abc import MutableMapping
from typing import Optional

import typer
from typer.core import TyperCommand, TyperGroup

from egovnet import __version__
from egovnet.commands import COMMANDS
from egovnet.errors import EgovnetError
from egovnet.output import one_line


class _LazyCommands(MutableMapping):
    """The root's commands: every name in egovnet.commands.COMMANDS, each imported and built on first use."""

    def __init__(self, loaded):
        self.loaded = dict(loaded)

    def __getitem__(self, name):
        if name not in self.loaded:
            if name not in COMMANDS:
                raise KeyError(name)
            self.loaded[name] = _load(name)
        return self.loaded[name]

    def __setitem__(self, name, command):
        self.loaded[name] = command

    def __delitem__(self, name):
        del self.loaded[name]

    def __iter__(self):
        yield from COMMANDS
        yield from (name for name in self.loaded if name not in COMMANDS)

    def __len__(self):
        return len(set(COMMANDS) | set(self.loaded))

    def for_listing(self) -> dict:
        """What the root help lists: loaded commands as they are, the others as their help line only."""
        return {name: self.loaded.get(name) or TyperCommand(name=name, short_help=COMMANDS[name][2]) for name in self}


def _load(name: str):
    """Build one command or group as ``app.add_typer(...)`` / ``app.command(...)`` would have at start."""
    import importlib

    from typer.main import get_command_from_info, get_group_from_info
    from typer.models import CommandInfo, TyperInfo

    module, attr, line = COMMANDS[name]
    obj = getattr(importlib.import_module(module), attr)
    if isinstance(obj, typer.Typer):
        command = get_group_from_info(TyperInfo(obj, name=name), pretty_exceptions_short=app.pretty_exceptions_short,
                                      rich_markup_mode=app.rich_markup_mode, suggest_commands=True)
    else:
        command = get_command_from_info(CommandInfo(name=name, callback=obj),
                                        pretty_exceptions_short=app.pretty_exceptions_short,
                                        rich_markup_mode=app.rich_markup_mode)
    command.short_help = command.short_help or line  # the whole first paragraph in the root's list
    return command


class EgovnetGroup(TyperGroup):
    """Turns every expected error into one ``Error: ...`` line on stderr and its exit code; loads the command
    modules lazily (egovnet.commands.COMMANDS), so that ``egovnet review --help`` imports the review module only."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.commands = _LazyCommands(self.commands)

    def format_commands(self, ctx, formatter):
        lazy = self.commands
        self.commands = lazy.for_listing()
        try:
            super().format_commands(ctx, formatter)
        finally:
            self.commands = lazy

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
    # Plain click help: typer's rich help imports rich.markdown and markdown_it (~50 ms) before printing a line.
    rich_markup_mode=None,
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


def main() -> None:
    import logging

    logging.getLogger("paramiko").setLevel(logging.CRITICAL)  # no tracebacks from kex failures
    app()
