"""The only place that formats: rich tables for people, JSON for scripts, messages on stderr.

Data goes to stdout, everything else to stderr. Text from users or devices is printed with markup
and highlighting off. JSON is written with typer.echo: rich would wrap it at 80 columns off a terminal.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from typing import Any, Callable, Sequence

import typer


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    justify: str = "left"
    fmt: Callable[[Any], str] | None = None


def emit_json(data: Any) -> None:
    """JSON on stdout. A list is written one item per line: Python's indenting encoder is pure Python (3x the
    time of the C one), which at 20,000 rows costs more than reading them (benchmarks/scale.py)."""
    if isinstance(data, list) and data:
        encode = json.JSONEncoder(ensure_ascii=False, default=str).encode
        typer.echo("[\n" + ",\n".join("  " + encode(item) for item in data) + "\n]")
        return
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def one_line(text: str) -> str:
    return str(text).replace("\r", "\\r").replace("\n", "\\n")


def message(text: str) -> None:
    typer.echo(one_line(text), err=True)


def warn(text: str) -> None:
    typer.echo(f"Warning: {one_line(text)}", err=True)


def _console(stderr: bool = False):
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, markup=False, emoji=False, soft_wrap=False)


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        return ", ".join(_cell(v) for v in value)
    return one_line(str(value))


def table(rows: Sequence[dict], columns: Sequence[Column], *, title: str | None = None,
          row_style: Callable[[dict], str | None] | None = None, empty: str = "nothing to show") -> None:
    if not rows:
        message(empty)
        return
    from rich.table import Table

    t = Table(title=title, show_lines=False, header_style="bold")
    for col in columns:
        t.add_column(col.header, justify=col.justify, overflow="fold")
    for row in rows:
        cells = [col.fmt(row.get(col.key)) if col.fmt else _cell(row.get(col.key)) for col in columns]
        t.add_row(*cells, style=row_style(row) if row_style else None)
    _console().print(t)


def fields(obj: dict, keys: Sequence[tuple[str, str]], *, title: str | None = None) -> None:
    """A two-column key/value view of one object."""
    from rich.table import Table

    t = Table(title=title, show_header=False, box=None, pad_edge=False)
    t.add_column("field", style="bold")
    t.add_column("value", overflow="fold")
    for key, label in keys:
        t.add_row(label, _cell(obj.get(key)))
    _console().print(t)


def render(rows, columns, as_json: bool, **kw) -> None:
    """Rows are built once; the flag only picks the renderer."""
    if as_json:
        emit_json(list(rows))
    else:
        table(rows, columns, **kw)


def is_terminal() -> bool:
    return sys.stdout.isatty() and sys.stderr.isatty()


class _Quiet:
    def __enter__(self):
        return (lambda: None), (lambda total: None)

    def __exit__(self, *exc):
        return False


class _Bar:
    def __init__(self, label: str):
        from rich.progress import Progress

        self.progress = Progress(console=_console(stderr=True), transient=True)
        self.task = self.progress.add_task(label, total=None)

    def __enter__(self):
        self.progress.start()
        return (lambda: self.progress.advance(self.task)), (lambda total: self.progress.update(self.task, total=total))

    def __exit__(self, *exc):
        self.progress.stop()
        return False


def progress(label: str):
    """A rich progress bar on a terminal; nothing on a pipe. Yields (advance, set_total)."""
    return _Bar(label) if is_terminal() else _Quiet()
