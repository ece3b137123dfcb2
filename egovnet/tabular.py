"""Spreadsheets from the town offices: CSV (UTF-8, UTF-8 with Excel's BOM, GB18030) and XLSX.

Every cell comes back as text, exactly as written: a formula-like cell (``=cmd|...``) is a string that is
stored and shown, never evaluated (XLSX formulas are read as their text, not computed). Headers may be the
English field names or their Chinese labels; each row keeps its line in the file for error messages.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from egovnet.errors import InvalidInput

MAX_ROWS = 100_000


@dataclass
class Row:
    line: int                 # line in the CSV (row number in the XLSX sheet)
    values: dict[str, str]    # canonical column -> text ('' when empty)
    raw: list[str]            # the cells as read, for a rejects file


@dataclass
class Table:
    source: str
    columns: list[str]        # canonical names, in file order
    headers: list[str]        # as written in the file
    rows: list[Row]
    encoding: str
    sha256: str


def _norm(header: str) -> str:
    text = unicodedata.normalize("NFKC", header or "").strip().lower()
    return text.replace(" ", "_").replace("-", "_").strip("*")


def _decode(data: bytes, source: str) -> tuple[str, str]:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"{source}: byte {exc.start} is neither UTF-8 nor GB18030; save the sheet as "
                           "'CSV UTF-8' or as Excel's Chinese CSV and import it again") from None


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _read_csv(path: Path, data: bytes) -> tuple[list[tuple[int, list[str]]], str]:
    text, encoding = _decode(data, str(path))
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    records, last = [], 0
    try:
        for cells in reader:
            records.append((last + 1, cells))
            last = reader.line_num
    except csv.Error as exc:
        raise InvalidInput(f"{path}:{reader.line_num}: not valid CSV ({exc}); fix the quoting and import again") from None
    return records, encoding


def _read_xlsx(path: Path) -> list[tuple[int, list[str]]]:
    import zipfile

    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=False)  # formulas stay text; nothing is evaluated
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise InvalidInput(f"{path}: not a readable XLSX workbook ({exc.__class__.__name__}); save it again "
                           "from the spreadsheet program as .xlsx") from None
    try:
        ws = wb.worksheets[0]
        return [(i, [_cell(v) for v in row]) for i, row in enumerate(ws.iter_rows(values_only=True), 1)]
    finally:
        wb.close()


def read_table(path: Path, columns: dict[str, tuple[str, ...]], required: tuple[str, ...],
               ignored: dict[str, tuple[str, ...]] | None = None) -> Table:
    """Read a CSV/XLSX file whose headers are among ``columns`` (canonical -> aliases).

    ``ignored`` columns are known but belong to another command (the same sheet can carry the unit and its
    application); any other header is an error, so a misspelt column is never silently dropped."""
    path = Path(path)
    if not path.is_file():
        from egovnet.errors import NotFound

        raise NotFound(f"{path}: file not found; check the path")  # exit 1, as every not-found
    data = path.read_bytes()
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        records, encoding = _read_xlsx(path), "xlsx"
    elif suffix in (".csv", ".txt"):
        records, encoding = _read_csv(path, data)
    else:
        raise InvalidInput(f"{path}: unknown file type {suffix or '(none)'!r}; give a .csv or .xlsx file")
    records = [(line, cells) for line, cells in records if any(c.strip() for c in cells)]
    if not records:
        raise InvalidInput(f"{path}: the file is empty; the first row must name the columns")
    if len(records) - 1 > MAX_ROWS:
        raise InvalidInput(f"{path}: {len(records) - 1} rows; split the file into parts of at most {MAX_ROWS}")
    lookup = {}
    for canonical, aliases in {**(ignored or {}), **columns}.items():  # the command's own columns win
        for alias in (canonical, *aliases):
            lookup[_norm(alias)] = canonical
    header_line, headers = records[0]
    canon: list[str] = []
    for i, header in enumerate(headers):
        name = lookup.get(_norm(header))
        if not header.strip():
            name = f"_blank{i}"
        elif name is None:
            known = ", ".join(f"{c} ({a[0]})" if a else c for c, a in columns.items())
            raise InvalidInput(f"{path}:{header_line}: column {header.strip()!r} is unknown; columns are {known}")
        elif name in canon:
            raise InvalidInput(f"{path}:{header_line}: column {header.strip()!r} appears twice (as {name})")
        canon.append(name)
    missing = [c for c in required if c not in canon]
    if missing:
        raise InvalidInput(f"{path}:{header_line}: required column {', '.join(missing)} is missing "
                           f"(also accepted: {', '.join(a for c in missing for a in columns[c])})")
    rows = []
    for line, cells in records[1:]:
        if len(cells) > len(canon) and any(c.strip() for c in cells[len(canon):]):
            extra = next(c for c in cells[len(canon):] if c.strip())
            rows.append(Row(line, {"_error": f"more cells than columns (extra {extra[:20]!r})"}, cells))
            continue
        values = {name: (cells[i] if i < len(cells) else "") for i, name in enumerate(canon)
                  if name in columns}
        rows.append(Row(line, values, cells))
    return Table(str(path), [c for c in canon if c in columns], headers, rows, encoding,
                 hashlib.sha256(data).hexdigest())


def write_rejects(table: Table, rejects: list[tuple[Row, str]]) -> Path:
    """Bad rows with their line and reason, next to the input, as CSV with a BOM (Excel opens it as UTF-8)."""
    src = Path(table.source)
    out = src.with_name(f"{src.stem}.rejects.csv")
    with open(out, "w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(["line", "reason", *table.headers])
        for row, reason in rejects:
            w.writerow([row.line, reason, *(_inert(c) for c in row.raw)])
    return out


def _inert(cell: str) -> str:
    """A cell a spreadsheet would run as a formula (=, +, -, @, tab, CR) gets a leading apostrophe."""
    return f"'{cell}" if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell
