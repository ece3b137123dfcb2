"""--format table|json|csv|xlsx on every list: the same rows in every format, files Excel opens as written."""

import csv
import datetime as dt
import io
import os

import openpyxl
import pytest

from conftest import DEPT, add_unit, fails, file_app, ok, run

FORMATS = ["table", "json", "csv", "xlsx"]


def list_commands():
    """(path, click command) of every command that lists: each `... list` and each audit."""
    from typer.main import get_command

    from egovnet.cli import app

    import typer

    found = []

    def walk(cmd, path):
        # list_commands/get_command, not .commands: a group that loads its commands lazily answers these too
        ctx = typer.Context(cmd)
        for name in cmd.list_commands(ctx):
            sub, here = cmd.get_command(ctx, name), path + [name]
            if hasattr(sub, "list_commands"):
                walk(sub, here)
            elif name == "list" or here[0] == "audit":
                found.append((" ".join(here), sub))

    walk(get_command(app), [])
    return found


def test_every_list_command_takes_format_out_and_json():
    found = dict(list_commands())
    assert {"link list", "review list", "unit list", "dept list", "device list", "change list", "log list",
            "maintenance list", "audit idle", "audit sla"} <= set(found), sorted(found)
    for path, cmd in found.items():
        opts = {o: p for p in cmd.params for o in p.opts}
        assert {"--format", "--out", "--json"} <= set(opts), path
        fmt = opts["--format"]
        choices = getattr(fmt.type, "choices", None) or fmt.type_descriptor.annotation  # typer <0.29 / 0.29
        assert [getattr(c, "value", c) for c in choices] == FORMATS, path
        assert opts["--format"].default is None and opts["--out"].default is None, path


# -- the same rows as --json ----------------------------------------------------------------------------------------

LINK_HEADERS = ["link", "status", "units", "Mbit/s", "device", "port", "VLAN", "subnet", "opened", "closed"]
LINK_KEYS = ["id", "status", "units", "bandwidth_mbps", "device", "port", "vlan", "subnet", "opened_on", "closed_on"]


def _as_xlsx(value):
    """A JSON value as the workbook holds it: dates as dates (openpyxl reads them as datetimes), lists joined."""
    if isinstance(value, list):
        return ", ".join(value) or None
    if isinstance(value, str) and len(value) == 10 and value[4] == "-":
        return dt.datetime.fromisoformat(value)
    return value


def _as_csv(value):
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(value)
    return str(value)


def _sheet(path):
    wb = openpyxl.load_workbook(path)
    assert len(wb.worksheets) == 1, wb.sheetnames
    ws = wb.worksheets[0]
    return ws, [list(r) for r in ws.iter_rows(values_only=True)]


@pytest.fixture
def links(lab):
    """Two active links (one shared by two units at one address, Art. 14) and one still requested (which lists
    no unit yet: an empty cell)."""
    ok("dept", "add", DEPT)
    add_unit("朱家角镇张马村村民委员会", "zjj-zhangma", address="青浦区朱家角镇张马村沈太路1号")
    add_unit("朱家角镇张马村卫生室", "zjj-zhangma-ws", address="青浦区朱家角镇张马村沈太路1号")
    add_unit("朱家角镇安庄村村民委员会", "zjj-anzhuang", address="青浦区朱家角镇安庄村1号")
    add_unit("朱家角镇沈巷村村民委员会", "zjj-shenxiang", address="青浦区朱家角镇沈巷村1号")
    for code in ("zjj-zhangma", "zjj-zhangma-ws", "zjj-anzhuang"):
        ok("review", "approve", str(file_app(code)["id"]), user="bdc.reviewer")
    file_app("zjj-shenxiang")
    ok("provision", "--all-approved", "--yes", "--json")
    rows = ok("link list --json").json()
    assert [(r["id"], r["status"], len(r["units"])) for r in rows] == [(1, "active", 2), (2, "active", 1),
                                                                       (3, "requested", 0)]
    return rows


def test_link_list_xlsx_holds_the_rows_of_json(links, tmp_path):
    r = ok("link", "list", "--format", "xlsx", "--out", "links.xlsx")
    assert (r.out, r.err) == ("", "wrote 3 rows to links.xlsx\n")
    ws, cells = _sheet(tmp_path / "links.xlsx")
    assert ws.title == "links"
    assert cells[0] == LINK_HEADERS
    assert cells[1:] == [[_as_xlsx(row[k]) for k in LINK_KEYS] for row in links]
    assert cells[1][2] == "朱家角镇张马村村民委员会, 朱家角镇张马村卫生室"
    opened = ws.cell(row=2, column=LINK_HEADERS.index("opened") + 1)
    assert (opened.is_date, opened.value.date()) == (True, dt.date(2026, 9, 28))
    assert ws.cell(row=2, column=1).data_type == "n" and ws.cell(row=2, column=7).data_type == "n"
    assert ws.freeze_panes == "A2" and ws.cell(row=1, column=1).font.b


def test_link_list_csv_holds_the_rows_of_json_with_a_bom(links, tmp_path):
    from typer.testing import CliRunner

    from egovnet.cli import app

    stdout = CliRunner().invoke(app, ["link", "list", "--format", "csv"], catch_exceptions=False).stdout_bytes
    r = ok("link", "list", "--format", "csv", "--out", "links.csv")
    assert (r.out, r.err) == ("", "wrote 3 rows to links.csv\n")
    data = (tmp_path / "links.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # Excel opens it as UTF-8, Chinese names intact
    assert data == stdout  # the same bytes on stdout and in the file: `> links.csv` opens in Excel as well
    cells = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert cells[0] == LINK_HEADERS
    assert cells[1:] == [[_as_csv(row[k]) for k in LINK_KEYS] for row in links]
    assert ok("link list --format json").json() == links  # --json is the short form


def test_out_picks_the_format_from_the_suffix(links, tmp_path):
    ok("link", "list", "--out", "l.xlsx")
    ok("link", "list", "--out", "l.csv")
    ok("link", "list", "--out", "l.json")
    assert _sheet(tmp_path / "l.xlsx")[1][0] == LINK_HEADERS
    assert (tmp_path / "l.csv").read_bytes().startswith(b"\xef\xbb\xbflink,status,")
    import json

    assert json.loads((tmp_path / "l.json").read_text(encoding="utf-8")) == links


# -- formula injection ----------------------------------------------------------------------------------------------

def test_formula_like_cells_stay_text(tmp_path):
    evil = "=cmd|' /C calc'!A0"
    ok("dept", "add", DEPT, "--contact", evil)
    ok("dept", "add", "区农业农村委", "--contact", "+86 21 5970 1234")
    ok("dept", "add", "区卫健委", "--contact", "@SUM(1+1)")
    ok("dept", "add", "区教育局", "--contact", "-1+1")
    contacts = [d["contact"] for d in ok("dept list --json").json()]
    assert sorted(contacts) == sorted([evil, "+86 21 5970 1234", "@SUM(1+1)", "-1+1"])
    r = ok("dept list --format csv")
    cells = list(csv.reader(io.StringIO(r.out.removeprefix("\ufeff"), newline="")))
    assert cells[0] == ["id", "department", "contact", "units"]
    assert [row[2] for row in cells[1:]] == ["'" + c for c in contacts]  # a spreadsheet runs none of them
    ok("dept", "list", "--format", "xlsx", "--out", "d.xlsx")
    ws, rows = _sheet(tmp_path / "d.xlsx")
    # a workbook cell is typed: text stays text (never a formula) and is stored exactly as written
    assert [r[2] for r in rows[1:]] == contacts
    assert {ws.cell(row=i, column=3).data_type for i in range(2, 6)} == {"s"}


# -- reports with several lists, dates and times --------------------------------------------------------------------

def test_audit_idle_is_three_sheets_or_one_csv_with_a_section_column(tmp_path):
    ok("init")
    data = ok("audit idle --json").json()
    assert (data["idle"], data["no_data"], data["approaching"]) == ([], [], [])
    ok("audit", "idle", "--format", "xlsx", "--out", "idle.xlsx")
    wb = openpyxl.load_workbook(tmp_path / "idle.xlsx")
    assert wb.sheetnames == ["idle", "no data", "approaching"]
    assert [list(r) for r in wb["no data"].iter_rows(values_only=True)] == [
        ["link", "units", "opened", "3 months on", "device", "days without data"]]
    out = ok("audit idle --format csv").out
    assert out == "\ufeffsection,link,units,opened,3 months on,device,finding,days without data,working days left\n"


def test_audit_sla_rows_match_json(directory, tmp_path):
    for code in ("zjj-zhangma", "zjj-anzhuang"):
        file_app(code)
    clocks = ok("audit sla --json").json()["clocks"]
    assert len(clocks) == 2
    ok("audit", "sla", "--out", "sla.xlsx")
    _, cells = _sheet(tmp_path / "sla.xlsx")
    keys = ["application", "change", "ticket", "unit", "clock", "due", "working_days_left", "left"]
    assert cells[0] == ["application", "change", "ticket", "unit", "clock", "due", "working days left",
                        "left (tickets)"]
    assert cells[1:] == [[_as_xlsx(c[k]) for k in keys] for c in clocks]


def test_log_times_are_excel_datetimes_in_utc(tmp_path):
    ok("dept", "add", DEPT)
    events = ok("log list --json").json()
    ok("log", "list", "--format", "xlsx", "--out", "log.xlsx")
    ws, cells = _sheet(tmp_path / "log.xlsx")
    assert cells[0] == ["#", "at (UTC)", "effective", "actor", "role", "object", "action", "Art."]
    at = dt.datetime.fromisoformat(events[0]["at"]).astimezone(dt.timezone.utc).replace(tzinfo=None)
    assert cells[1][:3] == [events[0]["id"], at, dt.datetime.fromisoformat(events[0]["effective_date"])]
    assert ws.cell(row=2, column=2).is_date


def test_an_empty_list_is_a_header_only_file(tmp_path):
    ok("init")
    r = ok("unit", "list", "--out", "units.csv")
    assert r.err == "wrote 0 rows to units.csv\n"
    assert (tmp_path / "units.csv").read_bytes().decode("utf-8-sig") == (
        "id,code,unit,category,department,town,budget,MLPS,MLPS valid until\r\n")


# -- what is refused: one line, exit 2, nothing written -------------------------------------------------------------

@pytest.mark.parametrize("args, error", [
    (["--format", "xlsx"], "Error: --format xlsx writes a binary file and needs --out FILE (e.g. --out links.xlsx); "
                           "for stdout use --format csv"),
    (["--format", "xlsx", "--out", "-"], "Error: --format xlsx writes a binary file and needs --out FILE "
                                         "(e.g. --out links.xlsx); for stdout use --format csv"),
    (["--json", "--format", "csv"], "Error: --json is short for --format json and contradicts --format csv; "
                                    "give one of them"),
    (["--out", "links.txt"], "Error: cannot tell the format of --out links.txt from its name; "
                             "add --format csv, xlsx or json"),
    (["--format", "table", "--out", "links.csv"], "Error: --out writes a file: add --format csv, xlsx or json "
                                                  "(the table is for the screen)"),
    (["--format", "csv", "--out", "links.xlsx"], "Error: --out links.xlsx ends in .xlsx but --format is csv; "
                                                 "name the file *.csv or choose --format xlsx"),
    (["--format", "pdf"], "Error: Invalid value for '--format': 'pdf' is not one of 'table', 'json', "
                          "'csv', 'xlsx'. (see 'egovnet link list --help')"),
])
def test_contradictory_or_incomplete_options_exit_2_and_write_nothing(args, error, tmp_path):
    ok("init")
    before = sorted(os.listdir(tmp_path))
    r = fails(2, "link", "list", *args)
    # typer 0.29 words a bad choice "Value error, ..."; the pinned typer (<0.29) does not
    assert (r.out, r.err.replace("Value error, ", "")) == ("", error + "\n")
    assert sorted(os.listdir(tmp_path)) == before


def test_a_missing_folder_or_a_folder_as_out_is_one_error(tmp_path):
    ok("init")
    r = fails(1, "link", "list", "--out", "reports/links.xlsx")
    assert r.err == ("Error: cannot write reports/links.xlsx: the folder reports does not exist; create it or "
                     "choose another --out\n")
    (tmp_path / "reports.csv").mkdir()
    r = fails(1, "link", "list", "--format", "csv", "--out", "reports.csv")
    assert r.err == "Error: --out reports.csv is a folder; name a file in it, e.g. reports.csv/list.csv\n"


def test_an_audit_with_bad_options_is_refused_before_it_runs(tmp_path):
    # `audit idle --close --yes --format xlsx` without --out must not shut a link and then fail to report it
    ok("init")
    r = run("audit", "idle", "--close", "--yes", "--format", "xlsx")
    assert r.code == 2, r.err
    assert not (tmp_path / "home" / "notices").exists()


def test_an_export_replaces_the_file_whole(tmp_path):
    ok("init")
    (tmp_path / "units.xlsx").write_bytes(b"old")
    ok("unit", "list", "--out", "units.xlsx")
    assert _sheet(tmp_path / "units.xlsx")[1] == [["id", "code", "unit", "category", "department", "town", "budget",
                                                   "MLPS", "MLPS valid until"]]
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".units.xlsx")] == []
