"""Root of the egovnet command line: global options, error translation, command wiring.

Heavy modules (sqlmodel, sqlalchemy, netmiko) are imported inside commands only, so that
``egovnet --help`` and shell completion stay fast.
"""

from __future__ import annotations

import os
import re
from collections.abc import MutableMapping
from typing import Optional

import typer
from typer.core import TyperCommand, TyperGroup

from egovnet import __version__
from egovnet.commands import COMMANDS
from egovnet.errors import EgovnetError
from egovnet.i18n import N_, _, help_text, is_chinese, join_lines, language, localize, width, wrap
from egovnet.output import error_line

# What the command line itself says, for the catalog: click's headings and help of the options Typer adds, and the
# usage errors that reach the `Error:` line (Typer vendors click, whose texts are English and unmarked).
CLICK_TEXTS = (
    N_("Usage:"), N_("Options"), N_("Commands"), N_("Arguments"), N_("default: {default}"), N_("env var: {var}"),
    N_("required"), N_("Show this message and exit."), N_("Install completion for the current shell."),
    N_("Show completion for the current shell, to copy it or customize the installation."),
    N_("No such option: {name}"), N_("No such option: {name} (Possible options: {options})"),
    N_("No such command {name}."), N_("Missing command."), N_("Missing argument {param}."),
    N_("Missing option {param}."), N_("Missing parameter {param}."), N_("Invalid value for {param}: {message}"),
    N_("{value} is not a valid integer."), N_("{value} is not a valid int."), N_("{value} is not a valid float."),
    N_("{value} is not a valid boolean. Recognized values: {states}"), N_("{value} is not one of {choices}."),
    N_("Got unexpected extra argument ({value})"), N_("Got unexpected extra arguments ({value})"),
    N_("Option {name} requires an argument."),
)


class _Formatter(typer.Context.formatter_class):
    """Click's help layout in the interface language: headings and the [default/env var/required] notes translated,
    lines wrapped by display width (a Chinese character takes two columns) and between Chinese characters. In
    English it is click's own formatter, unchanged."""

    def write_usage(self, prog, args="", prefix=None):
        if prefix is None and is_chinese():
            prefix = _("Usage:")
        super().write_usage(prog, args, prefix)

    def write_heading(self, heading):
        if not is_chinese():
            return super().write_heading(heading)
        self.write(f"{'':>{self.current_indent}}{_(heading)}：\n")

    def write_text(self, text):
        if not is_chinese():
            return super().write_text(text)
        indent = " " * self.current_indent
        paragraphs = [join_lines(p.strip()) for p in text.split("\n\n")]
        self.write("\n\n".join("\n".join(indent + line for line in wrap(p, max(self.width - len(indent), 20)))
                                for p in paragraphs) + "\n")

    def write_dl(self, rows, col_max=30, col_spacing=2):
        if not is_chinese():
            return super().write_dl(rows, col_max, col_spacing)
        rows = [(first, _notes(second)) for first, second in rows]  # click's own --help option is built late
        first_col = min(max((width(first) for first, _s in rows), default=0), col_max) + col_spacing
        for first, second in rows:
            self.write(f"{'':>{self.current_indent}}{first}")
            if not second:
                self.write("\n")
                continue
            if width(first) <= first_col - col_spacing:
                self.write(" " * (first_col - width(first)))
            else:
                self.write("\n" + " " * (first_col + self.current_indent))
            lines = wrap(join_lines(second), max(self.width - first_col - self.current_indent, 10))
            self.write(lines[0] + "\n")
            for line in lines[1:]:
                self.write(f"{'':>{first_col + self.current_indent}}{line}\n")


_NOTES = re.compile(r"\s*\[([^\[\]]*)\]$")


def _notes(text: str) -> str:
    """Typer's '  [default: x; env var: X; required]' after an option's help, translated."""
    m = _NOTES.search(text or "")
    if not m:
        return help_text(text)
    pieces = []
    for piece in m.group(1).split("; "):
        key, sep, value = piece.partition(": ")
        if key == "default" and sep:
            pieces.append(_("default: {default}").format(default=value))
        elif key == "env var" and sep:
            pieces.append(_("env var: {var}").format(var=value))
        elif piece == "required":
            pieces.append(_("required"))
        else:
            pieces.append(piece)
    return f"{help_text(text[:m.start()])} [{'；'.join(pieces)}]"


class _Context(typer.Context):
    formatter_class = _Formatter


def _translate(command) -> None:
    """A command built by Typer, its options and subcommands, in the interface language (help texts are
    translated paragraph by paragraph; names, metavars and choices stay as typed)."""
    command.context_class = _Context
    if language() is None or getattr(command, "_egovnet_translated", False):
        return
    command._egovnet_translated = True
    command.help = help_text(command.help)
    command.short_help = help_text(command.short_help)
    for param in command.params:
        if getattr(param, "help", None):
            param.help = help_text(param.help)
    subcommands = getattr(command, "commands", None)
    if isinstance(subcommands, _LazyCommands):
        return  # the root's commands: each is translated when it is loaded (_load)
    for sub in (subcommands or {}).values():
        _translate(sub)


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
        return {name: self.loaded.get(name) or TyperCommand(name=name, short_help=help_text(COMMANDS[name][2]))
                for name in self}


def _first_paragraphs(command) -> None:
    """A group's list shows each subcommand's whole first paragraph: click cuts it at the first word ending in a
    full stop, which is 'Art.' in '(Art. 12)'."""
    for sub in (getattr(command, "commands", None) or {}).values():
        if not sub.short_help and sub.help:
            sub.short_help = " ".join(sub.help.split("\n\n")[0].split())
        _first_paragraphs(sub)


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
    _translate(command)
    _first_paragraphs(command)  # from the help in the interface language
    return command


class EgovnetGroup(TyperGroup):
    """Turns every expected error into one ``Error: ...`` line on stderr and its exit code; loads the command
    modules lazily (egovnet.commands.COMMANDS), so that ``egovnet review --help`` imports the review module only."""

    context_class = _Context

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.commands = _LazyCommands(self.commands)

    def make_context(self, info_name, args, parent=None, **extra):
        _translate(self)  # here, not when built: the language is the one of the run (a test sets it after building)
        return super().make_context(info_name, args, parent, **extra)

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
            error_line(str(exc))
            raise typer.Exit(exc.exit_code) from None
        except _CLICK_USAGE_ERROR as exc:  # a bad option or argument of a command: one line too, exit 2
            if type(exc).__name__ == "NoArgsIsHelpError":
                raise
            where = exc.ctx.command_path if exc.ctx else "egovnet"
            error_line(_("{message} (see '{command} --help')").format(message=localize(exc.format_message()),
                                                                     command=where))
            raise typer.Exit(2) from None
        except Exception as exc:  # the disk under the database (full, read-only); anything else keeps its traceback
            message = _storage_failure(ctx, exc)
            if message is None:
                raise
            if os.environ.get("EGOVNET_DEBUG") == "1":
                _print_traceback()
            error_line(message)
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
        error_line(str(exc))
        raise typer.Exit(exc.exit_code) from None

    def _close() -> None:
        from egovnet.state.db import dispose_all

        dispose_all()

    ctx.call_on_close(_close)


def main() -> None:
    import logging

    logging.getLogger("paramiko").setLevel(logging.CRITICAL)  # no tracebacks from kex failures
    app()
