"""The only place that formats: rich tables for people, JSON for scripts, CSV and XLSX files, messages on stderr.

Data goes to stdout, everything else to stderr. Text from users or devices is printed with markup
and highlighting off. JSON is written with typer.echo: rich would wrap it at 80 columns off a terminal.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any, Callable, Sequence

import typer

from egovnet.i18n import _, is_chinese, language, localize, pgettext, pgettext_noop, width


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    justify: str = "left"
    fmt: Callable[[Any], str] | None = None


def emit_json(data: Any, out: str | None = None) -> None:
    """JSON on stdout, or into ``out``. A list, and each list inside an object, is written one item per line:
    Python's indenting encoder is pure Python (3x the time of the C one), which at 20,000 rows costs more than
    reading them (benchmarks/scale.py)."""
    text = json_text(data)
    if out is None:
        typer.echo(text)
        return
    _write_file(out, lambda path: path.write_text(text + "\n", encoding="utf-8"))
    message(f"wrote {out}")


def json_text(data: Any) -> str:
    """``data`` as emit_json writes it; parsed back it is ``json.loads(json.dumps(data, default=str))``."""
    if isinstance(data, list) and data:
        return _items(data, "")
    if isinstance(data, dict) and all(isinstance(k, str) for k in data) and any(
            isinstance(v, list) and v for v in data.values()):
        one = _compact()
        return "{\n" + ",\n".join(
            f"  {one(key)}: " + (_items(value, "  ") if isinstance(value, list) and value else
                                  json.dumps(value, ensure_ascii=False, indent=2, default=str).replace("\n", "\n  "))
            for key, value in data.items()) + "\n}"
    return json.dumps(data, ensure_ascii=False, indent=2, default=str)


def _items(values: list, indent: str) -> str:
    one = _compact()
    return f"[\n{indent}  " + f",\n{indent}  ".join([one(item) for item in values]) + f"\n{indent}]"


_compact_encoder: Callable[[Any], str] | None = None


def _compact() -> Callable[[Any], str]:
    """One value as compact-ish JSON (``json.dumps(v, ensure_ascii=False, default=str)``): the C encoder made once
    and called per item (``JSONEncoder.encode`` makes a new one on every call)."""
    global _compact_encoder
    if _compact_encoder is None:
        encoder = json.JSONEncoder(ensure_ascii=False, default=str)
        _compact_encoder = encoder.encode
        try:
            from json.encoder import c_make_encoder, encode_basestring

            make = c_make_encoder(None, encoder.default, encode_basestring, None, ": ", ", ", False, False, True)
            if "".join(make({"a": [1, None, "é"]}, 0)) == encoder.encode({"a": [1, None, "é"]}):
                _compact_encoder = lambda value: "".join(make(value, 0))  # noqa: E731
        except (ImportError, TypeError):  # no C accelerator, or another signature: the plain encoder
            pass
    return _compact_encoder


def one_line(text: str) -> str:
    return str(text).replace("\r", "\\r").replace("\n", "\\n")


def message(text: str) -> None:
    """A line on stderr, in the interface language (egovnet.i18n.localize: the catalog's entry or template)."""
    typer.echo(one_line(localize(text)), err=True)


def warn(text: str) -> None:
    typer.echo(_("Warning: {message}").format(message=one_line(localize(text))), err=True)


def error_line(text: str) -> None:
    """The one ``Error: ...`` line of a failure, in the interface language (the exit code does not change)."""
    typer.echo(_("Error: {message}").format(message=one_line(localize(text))), err=True)


def confirm(question: str) -> bool:
    """A yes/no question on stderr, in the interface language (click adds [y/N])."""
    return typer.confirm(localize(question), err=True)


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
    """A rich table on stdout, headers and codes in the interface language.

    A column holding Chinese text (a unit's name, a department) is never broken inside a word: rich would fold
    朱家角镇张马村村委会 at whatever character meets the edge. Such a column keeps each cell on one line at the width
    of its widest cell (East Asian width: 2 columns a character); on a terminal too narrow for the whole table,
    see below, a name may end in an ellipsis (…) but never continues on the next line. Other columns wrap at
    spaces and fold only a word wider than the column. --json and the files keep every value whole."""
    if not rows:
        message(empty)
        return
    from rich.cells import cell_len
    from rich.table import Table

    lang = language()
    body = [[col.fmt(row.get(col.key)) if col.fmt else _shown(col.key, row.get(col.key), lang) for col in columns]
            for row in rows]
    headers = [localize(col.header) for col in columns]  # a header with a field: 'amount ({currency})'
    console = _console()

    def build(compact: bool, widths: dict[int, int]):
        from rich import box

        t = Table(title=localize(title) if title else None, show_lines=False, header_style="bold",
                  **({"box": box.SIMPLE_HEAD, "show_edge": False, "pad_edge": False, "padding": (0, 0)}
                     if compact else {}))
        for i, col in enumerate(columns):
            if i in wide:  # a Chinese column: one line per cell, cut with an ellipsis when it must be
                t.add_column(headers[i], justify=col.justify, no_wrap=True, overflow="ellipsis", width=widths.get(i))
            else:  # English wraps at spaces and folds only a word wider than the column
                t.add_column(headers[i], justify=col.justify, overflow="fold", width=widths.get(i))
        for row, cells in zip(rows, body):
            t.add_row(*cells, style=row_style(row) if row_style else None)
        return t

    wide = [i for i in range(len(columns)) if not all(cells[i].isascii() for cells in body)
            and any(cell_len(cells[i]) != len(cells[i]) for cells in body)]
    natural = [max(cell_len(headers[i]), *(cell_len(cells[i]) for cells in body)) for i in range(len(columns))]
    # the default table's width: each column's widest cell, a space either side, a border between and around
    whole = sum(natural) + 3 * len(columns) + 1
    if whole <= console.width:
        t = build(False, {i: natural[i] for i in wide})
    else:
        # Too wide for the terminal: light borders (one column of space between columns), and every column's
        # width set here (rich would narrow columns without regard to words). The widest columns give way first
        # (a long summary before a date or a status); every Chinese column shows at least 4 characters, and no
        # English word is folded while that fits, else the longest words fold first, down to 5 columns (a date
        # as 2026-/09-28). A Chinese cell that does not fit ends in an ellipsis, never continues on the next line.
        words = [min(16, natural[i], max(_longest_word(headers[i]), *(_longest_word(cells[i]) for cells in body)))
                 for i in range(len(columns))]
        free = console.width - (len(columns) - 1)
        # the least widths, tried in turn until the table fits: Chinese columns as wide as their headers, then
        # 4 characters and "…"; English words up to 16 columns kept whole, then the longest folded first
        for header, fold in [(True, 16), *((False, f) for f in range(16, 4, -1))]:
            least = [_least_chinese(natural[i], cell_len(headers[i]) if header else 0) if i in wide
                     else min(fold, words[i]) for i in range(len(columns))]
            if sum(least) <= free:
                break
        widths = _share(natural, least, free, wide)
        t = build(True, widths)
    console.print(t)


def _least_chinese(natural: int, header: int) -> int:
    """The narrowest a Chinese column gets: its header (up to 14 columns) or 4 characters and "…"; odd when cut."""
    least = min(natural, max(9, min(14, header)))
    return least + 1 if least < natural and least % 2 == 0 else least


def _share(natural: list[int], least: list[int], room: int, wide) -> dict[int, int]:
    """Column widths within ``room``: each column's natural width up to one cap, the highest cap that fits, never
    below its least width (the widest columns give way first); what is left goes to the columns still cut, widest
    first. A cut Chinese column gets an odd width (its characters take 2 columns, the "…" one)."""
    cap = max(natural)
    while cap > 1 and sum(max(lo, min(n, cap)) for n, lo in zip(natural, least)) > room:
        cap -= 1
    widths = {i: max(lo, min(n, cap)) for i, (n, lo) in enumerate(zip(natural, least))}
    for i in wide:
        if widths[i] < natural[i] and widths[i] % 2 == 0 and widths[i] > least[i]:
            widths[i] -= 1
    left = room - sum(widths.values())
    for i in sorted((i for i in widths if widths[i] < natural[i]), key=lambda i: -natural[i]):
        step = min(natural[i] - widths[i], left)
        if i in wide and widths[i] + step < natural[i] and (widths[i] + step) % 2 == 0:
            step -= 1
        widths[i] += max(step, 0)
        left -= max(step, 0)
    return widths


def _longest_word(text: str) -> int:
    """Columns of the longest piece that should not be broken: an English word; Chinese text may break between
    any two characters (rich wraps it so), counted here as pairs."""
    import re

    from rich.cells import cell_len

    return max((cell_len(piece) for w in text.split() for piece in re.findall(r"[\x00-\x7f]+|[^\x00-\x7f]{1,2}", w)),
               default=0)


# Columns whose values are codes (a status, a mode): shown in the interface language in a table, as they are in
# --json and files. The values, for the catalog (context "value": "unit" as cost bearer is not the header "unit"):
CODE_COLUMNS = frozenset({"status", "mode", "clock", "kind", "state", "decision", "cost_bearer", "category",
                          "payer", "finding", "result"})
CODE_VALUES = (
    pgettext_noop("value", "submitted"), pgettext_noop("value", "approved"), pgettext_noop("value", "rejected"),
    pgettext_noop("value", "provisioning"), pgettext_noop("value", "active"), pgettext_noop("value", "closed_idle"),
    pgettext_noop("value", "decommissioned"), pgettext_noop("value", "cancelled"),
    pgettext_noop("value", "requested"), pgettext_noop("value", "applied"), pgettext_noop("value", "withdrawn"),
    pgettext_noop("value", "superseded"), pgettext_noop("value", "dedicated"), pgettext_noop("value", "vpn"),
    pgettext_noop("value", "review"), pgettext_noop("value", "construction"), pgettext_noop("value", "execution"),
    pgettext_noop("value", "budget"), pgettext_noop("value", "unit"), pgettext_noop("value", "agency"),
    pgettext_noop("value", "village"), pgettext_noop("value", "soe"), pgettext_noop("value", "other"),
    pgettext_noop("value", "bandwidth"), pgettext_noop("value", "release"), pgettext_noop("value", "running"),
    pgettext_noop("value", "interrupted"), pgettext_noop("value", "abandoned"), pgettext_noop("value", "recorded"),
    pgettext_noop("value", "approval"), pgettext_noop("value", "rejection"),
    pgettext_noop("value", "change_approval"), pgettext_noop("value", "change_rejection"),
    pgettext_noop("value", "idle_warning"), pgettext_noop("value", "idle_closure"),
    pgettext_noop("value", "decommission"), pgettext_noop("value", "change_review"),
    pgettext_noop("value", "change_execution"), pgettext_noop("value", "new"), pgettext_noop("value", "reopen"),
    pgettext_noop("value", "released"),
    # security list (kind, state), fault tickets (status, clock), drift findings (kind)
    pgettext_noop("value", "incident"), pgettext_noop("value", "criticism"), pgettext_noop("value", "event"),
    pgettext_noop("value", "open"), pgettext_noop("value", "disconnected"), pgettext_noop("value", "reconnected"),
    pgettext_noop("value", "issued"), pgettext_noop("value", "host_key_mismatch"),
    pgettext_noop("value", "acked"), pgettext_noop("value", "resolved"), pgettext_noop("value", "response"),
    pgettext_noop("value", "restoration"), pgettext_noop("value", "ticket_response"),
    pgettext_noop("value", "ticket_restoration"),
    pgettext_noop("value", "missing_section"), pgettext_noop("value", "missing_line"),
    pgettext_noop("value", "unexpected_line"), pgettext_noop("value", "extra_address"),
    pgettext_noop("value", "changed_line"), pgettext_noop("value", "changed_rate"),
    pgettext_noop("value", "changed_description"), pgettext_noop("value", "foreign_port_in_unit_vlan"),
    pgettext_noop("value", "acl_rule_added"), pgettext_noop("value", "acl_rule_removed"),
    pgettext_noop("value", "acl_rule_changed"), pgettext_noop("value", "nft_chain_added"),
    pgettext_noop("value", "nft_rule_added"), pgettext_noop("value", "unsaved_config"),
    # security checks and assessments (kind, result) and what audit security finds (Art. 13, 21)
    pgettext_noop("value", "bdc_check"), pgettext_noop("value", "mlps_assessment"),
    pgettext_noop("value", "risk_assessment"), pgettext_noop("value", "pass"), pgettext_noop("value", "issues"),
    pgettext_noop("value", "fail"), pgettext_noop("value", "mlps_expired"), pgettext_noop("value", "mlps_missing"),
    pgettext_noop("value", "mlps_due"), pgettext_noop("value", "fail_without_follow_up"),
    pgettext_noop("value", "bdc_check_overdue"), pgettext_noop("value", "bdc_check_missing"),
    pgettext_noop("value", "risk_assessment_overdue"), pgettext_noop("value", "risk_assessment_missing"),
)


def _shown(key: str, value: Any, lang: str | None) -> str:
    """A cell as a table shows it; in another language than English, codes and yes/no translated."""
    if lang is None:
        return _cell(value)
    if key in CODE_COLUMNS and isinstance(value, str) and value.isascii() and value.replace("_", "").isalpha():
        return pgettext("value", value)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return _cell(value)


def fields(obj: dict, keys: Sequence[tuple[str, str]], *, title: str | None = None) -> None:
    """A two-column key/value view of one object."""
    from rich.table import Table

    t = Table(title=localize(title) if title else None, show_header=False, box=None, pad_edge=False)
    t.add_column("field", style="bold", no_wrap=is_chinese())
    t.add_column("value", overflow="fold")
    for key, label in keys:
        t.add_row(_(label), _shown(key, obj.get(key), language()))
    _console().print(t)


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


# --- --format: one set of rows, four renderers --------------------------------------------------------------------
# table (rich, for people), json (scripts), csv and xlsx (the BDC's management opens lists in Excel). A command
# builds its rows once and hands them to render(); the format only picks the renderer.

class Format(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"
    xlsx = "xlsx"


_SUFFIX = {".csv": Format.csv, ".xlsx": Format.xlsx, ".json": Format.json}


@dataclass(frozen=True)
class Target:
    """Where a list goes: its format, and a file (None: stdout)."""

    format: Format = Format.table
    out: str | None = None


def target(as_json: bool = False, fmt: Format | str | None = None, out: str | None = None) -> Target:
    """The options --json, --format and --out as one Target; a contradiction is a usage error (exit 2).

    --json is the short form of --format json. Without --format, --out FILE takes the format from the file's
    suffix (.csv, .xlsx, .json). xlsx is a binary file and is never written to a terminal or a pipe: it needs --out.
    """
    from egovnet.errors import UsageError

    fmt = Format(fmt.value if isinstance(fmt, Format) else fmt) if fmt is not None else None
    if as_json and fmt not in (None, Format.json):
        raise UsageError(f"--json is short for --format json and contradicts --format {fmt.value}; give one of them")
    if as_json:
        fmt = Format.json
    if out == "-":  # the usual name of stdout
        out = None
        if fmt is None:
            fmt = Format.csv
    suffix = Path(out).suffix.lower() if out else ""
    if fmt is None:
        if out is None:
            return Target()
        if suffix not in _SUFFIX:
            raise UsageError(f"cannot tell the format of --out {out} from its name; add --format csv, xlsx or json")
        fmt = _SUFFIX[suffix]
    if fmt is Format.table and out is not None:
        raise UsageError("--out writes a file: add --format csv, xlsx or json (the table is for the screen)")
    if fmt is Format.xlsx and out is None:
        raise UsageError("--format xlsx writes a binary file and needs --out FILE (e.g. --out links.xlsx); "
                         "for stdout use --format csv")
    if out is not None and suffix in _SUFFIX and _SUFFIX[suffix] is not fmt:
        raise UsageError(f"--out {out} ends in {suffix} but --format is {fmt.value}; name the file *.{fmt.value} "
                         f"or choose --format {_SUFFIX[suffix].value}")
    return Target(fmt, out)


@dataclass(frozen=True)
class Section:
    """One list of a report: a table on the screen, a sheet in a workbook, a block of rows in a CSV file."""

    name: str
    rows: Sequence[dict]
    columns: Sequence[Column]


def render(rows, columns, how: Target | bool = False, *, sheet: str | None = None, **kw) -> None:
    """Rows are built once; the format only picks the renderer. ``how`` is a Target (or the old --json flag)."""
    how = _as_target(how)
    rows = list(rows)
    if how.format is Format.json:
        emit_json(rows, out=how.out)
    elif how.format is Format.table:
        table(rows, columns, **kw)
    else:
        write_sections([Section(sheet or kw.get("title") or "list", rows, columns)], how)


def render_report(data: Any, sections: Sequence[Section], how: Target | bool, show_table: Callable[[], None]) -> None:
    """A command whose JSON is one object holding several lists (e.g. audit idle): the object as JSON, each list as
    a sheet (xlsx) or a block of rows with a leading "section" column (csv), ``show_table`` on the screen."""
    how = _as_target(how)
    if how.format is Format.json:
        emit_json(data, out=how.out)
    elif how.format is Format.table:
        show_table()
    else:
        write_sections(sections, how)


def _as_target(how: Target | bool) -> Target:
    return how if isinstance(how, Target) else Target(Format.json if how else Format.table)


def write_sections(sections: Sequence[Section], how: Target) -> None:
    if how.format is Format.xlsx:
        if how.out is None:  # target() refuses this; a caller that built its own Target must not write binary to a tty
            raise ValueError("xlsx needs a file")
        _write_file(how.out, lambda path: _write_xlsx(path, sections))
    else:
        data = _csv_bytes(sections)
        if how.out is None:
            typer.echo(data, nl=False)  # bytes: the same BOM and UTF-8 whatever the locale of the terminal or pipe
            return
        _write_file(how.out, lambda path: path.write_bytes(data))
    count = sum(len(s.rows) for s in sections)
    message(f"wrote {count} row{'' if count == 1 else 's'} to {how.out}")


def _write_file(out: str, write: Callable[[Path], None]) -> None:
    """Write next to the target and rename: an interrupted export never leaves half a file under the name."""
    import os
    import tempfile

    from egovnet.errors import EgovnetError

    path = Path(out)
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise EgovnetError(f"--out {out} is a folder; name a file in it, e.g. {path / 'list'}.csv")
    if not folder.is_dir():
        raise EgovnetError(f"cannot write {out}: the folder {folder} does not exist; create it or choose another --out")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=folder)
    except OSError as exc:
        raise EgovnetError(f"cannot write {out}: {exc.strerror}; choose another --out") from None
    os.close(fd)
    try:
        write(Path(tmp))
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    import os

    mask = os.umask(0)
    os.umask(mask)
    return mask


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})?")


def _flat(value: Any, col: Column) -> Any:
    """A list or mapping as the table shows it (its fmt, else joined); scalars unchanged so numbers stay numbers."""
    if isinstance(value, (list, tuple, dict)):
        if not value:
            return None  # an empty cell, not an empty string
        if col.fmt:
            return col.fmt(value)
        if isinstance(value, dict):
            return json.dumps(value, ensure_ascii=False, default=str)
        return ", ".join(_cell(v) for v in value)
    return value


def _csv_cell(value: Any) -> Any:
    from egovnet.tabular import _inert  # the rejects file's guard against formula injection, shared

    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, str):
        return _inert(value)
    return value


def _csv_bytes(sections: Sequence[Section]) -> bytes:
    """UTF-8 with a BOM, so that Excel opens Chinese text as UTF-8 (without it, Excel in a Chinese locale reads
    GBK). Several sections share one header: a leading "section" column, then every section's columns."""
    import csv
    import io

    buf = io.StringIO(newline="")
    w = csv.writer(buf)
    several = len(sections) > 1
    columns: list[Column] = []
    for s in sections:
        for c in s.columns:
            if c.header not in {k.header for k in columns}:
                columns.append(c)
    w.writerow((["section"] if several else []) + [c.header for c in columns])
    for s in sections:
        mine = {c.header: c for c in s.columns}
        for row in s.rows:
            cells = [_csv_cell(_flat(row.get(mine[c.header].key), mine[c.header])) if c.header in mine else ""
                     for c in columns]
            w.writerow(([s.name] if several else []) + cells)
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def _xlsx_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:  # Excel has no time zones: UTC, as the column titles say
            value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
        return value
    if isinstance(value, str):
        if _ISO_DATE.fullmatch(value):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                return value
        if _ISO_DATETIME.fullmatch(value):
            try:
                return _xlsx_value(dt.datetime.fromisoformat(value.replace("Z", "+00:00")))
            except ValueError:
                return value
    return value


def _sheet_title(name: str, used: set[str]) -> str:
    """Excel: at most 31 characters, none of []:*?/\\, unique in the workbook."""
    base = re.sub(r"[\[\]:*?/\\]", " ", name).strip().strip("'")[:31] or "list"
    title, n = base, 2
    while title.lower() in used:
        title = f"{base[:27]} ({n})"
        n += 1
    used.add(title.lower())
    return title


def _width(text: str) -> int:
    return width(text)


def _write_xlsx(path: Path, sections: Sequence[Section]) -> None:
    """One sheet per section, header row bold and frozen; dates as Excel dates, numbers as numbers, text as text
    (a cell starting with = is stored as a string, never as a formula). Write-only mode: memory stays flat for a
    list of 20,000 links."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook(write_only=True)
    used: set[str] = set()
    bold = Font(bold=True)
    for s in sections:
        ws = wb.create_sheet(_sheet_title(s.name, used))
        ws.freeze_panes = "A2"
        table_rows = [[_xlsx_value(_flat(row.get(c.key), c)) for c in s.columns] for row in s.rows]
        for i, c in enumerate(s.columns, start=1):
            sample = [c.header] + [str(r[i - 1]) for r in table_rows[:500] if r[i - 1] is not None]
            ws.column_dimensions[get_column_letter(i)].width = min(60, max(_width(t) for t in sample) + 2)
        header = []
        for c in s.columns:
            cell = WriteOnlyCell(ws, value=c.header)
            cell.font = bold
            header.append(cell)
        ws.append(header)
        for values in table_rows:
            for i, v in enumerate(values):
                if isinstance(v, str) and (v.startswith("=") or ILLEGAL_CHARACTERS_RE.search(v)):
                    cell = WriteOnlyCell(ws, value=ILLEGAL_CHARACTERS_RE.sub("\ufffd", v))
                    cell.data_type = "s"  # openpyxl would store "=..." as a formula
                    values[i] = cell
            ws.append(values)
    if not sections:
        wb.create_sheet("list")
    wb.save(path)
