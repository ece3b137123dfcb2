"""Hostile input: every one gets one `Error:` line naming the object, the rule and what to do, its documented
exit code, no traceback, and changes nothing (no row, no file)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from conftest import DEPT, REPO, add_unit, fails, ok, run

LAB_INVENTORY = REPO / "inventory" / "lab" / "inventory.yaml"
# tests of the SQLite file and the folder it lives in; with EGOVNET_DB on a PostgreSQL server there is no such file
sqlite_file_only = pytest.mark.skipif(os.environ.get("EGOVNET_DB", "").startswith("postgres"),
                                      reason="about the SQLite database file in EGOVNET_HOME")
PLATFORMS = ("huawei", "huawei_vrpv8", "hp_comware", "cisco_ios", "linux")


def files(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` with a hash of its content: 'nothing written' is this staying equal."""
    if not folder.exists():
        return {}
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def record() -> dict:
    """What egovnet holds, read through egovnet itself (works on any database URL)."""
    return {"depts": ok("dept", "list", "--json").json(), "units": ok("unit", "list", "--json").json(),
            "apps": ok("review", "list", "--json").json(), "log": ok("log", "list", "--json").json()}


# ---- 1. YAML alias bombs, as policy and as inventory ----------------------------------------------------------

LAUGHS = "\n".join(
    [f'a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    + [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 12)]) + "\n"
MERGE = "base: &base {vrf: EGOV}\ndevices:\n  x:\n    <<: *base\n"
ALIAS_ONLY_LATE = "regulation:\n  id: x\n" + "\n".join(f"k{i}: {i}" for i in range(8)) + "\nbomb: *nowhere\n"
DEEP = "a: " + "[" * 5000 + "]" * 5000 + "\n"
ANCHOR = ("anchors and aliases (&name, *name, <<) are not accepted in this file; write the value out where it "
          "applies (inventories share values through defaults and groups)")


@pytest.mark.parametrize("text,line,problem", [
    (LAUGHS, 1, f"YAML anchor &a0: {ANCHOR}"),
    (MERGE, 1, f"YAML anchor &base: {ANCHOR}"),
    (DEEP, 1, "values nested more than 32 levels deep; no egovnet file needs that many, check the brackets"),
], ids=["billion-laughs", "merge-key", "deep-nesting"])
@pytest.mark.parametrize("where", ["policy", "inventory"])
def test_yaml_bombs_are_refused_fast_with_file_and_line(tmp_path, _home, monkeypatch, text, line, problem, where):
    if where == "policy":
        path = tmp_path / "bomb-policies.yaml"
        monkeypatch.setenv("EGOVNET_POLICY", str(path))
        argv = ["policy", "check"]
    else:
        (tmp_path / "inv").mkdir()
        path = tmp_path / "inv" / "inventory.yaml"
        monkeypatch.setenv("EGOVNET_INVENTORY", str(tmp_path / "inv"))
        argv = ["inventory", "check"]
    path.write_text(text)
    started = time.monotonic()
    r = fails(1, *argv)
    elapsed = time.monotonic() - started
    assert r.err == f"Error: {path}:{line}: {problem}\n"
    assert elapsed < 1.0, f"took {elapsed:.2f} s"
    assert files(_home) == {}


def test_an_alias_names_its_own_line(tmp_path, monkeypatch):
    path = tmp_path / "p.yaml"
    path.write_text(ALIAS_ONLY_LATE)
    monkeypatch.setenv("EGOVNET_POLICY", str(path))
    r = fails(1, "policy", "check")
    assert r.err.startswith(f"Error: {path}:11: YAML alias *nowhere: anchors and aliases")


def test_a_bomb_policy_creates_no_state(tmp_path, _home, monkeypatch):
    path = tmp_path / "bomb.yaml"
    path.write_text(LAUGHS)
    monkeypatch.setenv("EGOVNET_POLICY", str(path))
    fails(1, "init")
    assert not _home.exists()


def test_an_oversized_file_is_refused_before_parsing(tmp_path, monkeypatch):
    path = tmp_path / "huge.yaml"
    path.write_text("# " + "x" * (3 * 1024 * 1024) + "\n")
    monkeypatch.setenv("EGOVNET_POLICY", str(path))
    r = fails(1, "policy", "check")
    assert r.err == (f"Error: {path}: the file is 3,145,731 characters long; at most 2,097,152 are accepted; "
                     "check that this is the right file\n")


# ---- 2. dates outside the calendar's range --------------------------------------------------------------------

RANGE = "is outside the dates egovnet works with (2000-01-01 to 2099-12-31); check the year\n"


@pytest.mark.parametrize("argv,what", [
    (["calendar", "due", "9999-12-31", "5"], "DATE 9999-12-31"),
    (["calendar", "due", "0001-01-01", "5"], "DATE 0001-01-01"),
    (["calendar", "check", "1999-12-31"], "DATE 1999-12-31"),
    (["calendar", "check", "2100-01-01"], "DATE 2100-01-01"),
    (["--today", "9999-12-28", "review", "list"], "EGOVNET_TODAY / --today 9999-12-28"),
    (["--today", "9999-12-28", "audit", "sla"], "EGOVNET_TODAY / --today 9999-12-28"),
    (["--today", "0001-01-01", "calendar", "due", "2026-09-28", "5"], "EGOVNET_TODAY / --today 0001-01-01"),
])
def test_dates_outside_the_range_are_usage_errors(argv, what):
    r = fails(2, *argv)
    assert r.err == f"Error: {what} {RANGE}"


def test_mlps_assessed_far_in_the_future_is_refused_and_nothing_written(directory):
    before = record()
    r = fails(2, "unit", "add", "练塘镇东庄村村民委员会", "--category", "village", "--dept", DEPT, "--code", "lt-dz",
              "--town", "练塘镇", "--address", "青浦区练塘镇东庄村1号", "--mlps-level", "2",
              "--mlps-assessed", "9999-12-31")
    assert r.err == f"Error: --mlps-assessed 9999-12-31 {RANGE}"
    r = fails(2, "unit", "update", "zjj-anzhuang", "--mlps-level", "2", "--mlps-assessed", "0001-01-01")
    assert r.err == f"Error: --mlps-assessed 0001-01-01 {RANGE}"
    assert record() == before
    # the last supported day still works, and its validity end (months later) is computed without overflow
    ok("unit", "update", "zjj-anzhuang", "--mlps-level", "2", "--mlps-assessed", "2099-12-31")
    assert ok("unit", "show", "zjj-anzhuang", "--json").json()["mlps_valid_until"].startswith("210")


@pytest.mark.parametrize("start", ["9999-12-31 23:00", "0001-01-01 00:00"])
def test_maintenance_far_outside_the_calendar_is_one_line(directory, start):
    before = record()
    r = fails(2, "maintenance", "file", "--unit", "zjj-zhangma", "--device-desc", "zjj-sw1 upgrade", "--start", start,
              "--reason", "firmware")
    assert r.err == (f"Error: date {start[:10]} is outside the working-day calendar (2000-01-01 to 2099-12-31); "
                     "check the year\n")
    assert record() == before
    assert ok("maintenance", "list", "--json").json() == []


def test_application_file_received_on_out_of_range(tmp_path, directory):
    before = record()
    path = tmp_path / "app.yaml"
    path.write_text("unit: zjj-zhangma\nbasis: b\nscope: s\nmode: dedicated\npurpose: p\nbandwidth_mbps: 5\n"
                    "technical: t\ntime_requirement: x\ncost_bearer: budget\nreceived_on: 1999-01-01\n")
    r = fails(3, "apply", "--file", str(path), user="dept.zhujiajiao")
    assert r.err == (f"Error: {path}:10: received_on: 1999-01-01 is outside the dates egovnet works with "
                     "(2000-01-01 to 2099-12-31); check the year\n")
    assert record() == before


def test_sheet_dates_out_of_range_are_row_problems(tmp_path, _home):
    ok("dept", "add", DEPT)
    before = record()
    path = tmp_path / "units.csv"
    path.write_text("name,code,category,dept,town,address,mlps_level,mlps_assessed\n"
                    f"朱家角镇张马村村民委员会,zjj-zhangma,village,{DEPT},朱家角镇,青浦区朱家角镇张马村1号,2,9999-12-31\n",
                    encoding="utf-8")
    r = run("unit", "import", str(path), "--json")
    assert r.code == 3, r.err
    assert [(p["line"], p["column"]) for p in r.json()["problems"]] == [(2, "mlps_assessed")]
    assert "mlps_assessed 9999-12-31 is outside the dates egovnet works with" in r.out
    assert record() == before


def test_calendar_arithmetic_near_the_ends():
    from egovnet.calendar import WorkCalendar
    from egovnet.errors import UsageError

    cal = WorkCalendar()
    ok_due = cal.add_working_days(dt.date(2099, 12, 31), 1000)  # the largest sum a command can ask for
    assert ok_due.due == dt.date(2103, 11, 20) and ok_due.provisional
    for start in (dt.date(9999, 12, 28), dt.date(1, 1, 1), dt.date(9999, 12, 31)):
        with pytest.raises(UsageError, match="is outside the working-day calendar"):
            cal.add_working_days(start, 5)
    started = time.monotonic()
    with pytest.raises(UsageError, match="date 9999-12-31 is outside the working-day calendar"):
        cal.days_left(dt.date(2026, 9, 28), dt.date(9999, 12, 31))  # would walk 2.9 million days
    assert time.monotonic() - started < 0.1
    assert ok("calendar", "due", "2099-12-31", "1000").out == "2103-11-20 (Tuesday)\n"


# ---- 3. init on a broken database or home ---------------------------------------------------------------------

def _real_db(home: Path) -> bytes:
    ok("init")
    ok("dept", "add", DEPT)
    add_unit("朱家角镇张马村村民委员会", "zjj-zhangma")
    from egovnet.state.db import dispose_all

    dispose_all()
    return (home / "egovnet.db").read_bytes()


def _corrupt(home: Path, kind: str) -> str:
    """Make the database file broken in one way; returns the expected message after 'database <path> '."""
    db = home / "egovnet.db"
    backups = f"restore the newest copy from {home / 'backups' / 'db'}/ or move it aside and run 'egovnet init' " \
              "to start a new database"
    if kind == "random bytes":
        home.mkdir(parents=True)
        db.write_bytes(os.urandom(64 * 1024))
        return f"is not an SQLite database (damaged, or another kind of file); {backups}"
    if kind == "empty file":
        home.mkdir(parents=True)
        db.write_bytes(b"")
        return f"is an empty file (0 bytes), not an egovnet database; {backups}"
    if kind == "truncated":
        data = _real_db(home)
        for suffix in ("-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        db.write_bytes(data[: len(data) // 3])
        return f"is damaged (SQLite: database disk image is malformed); {backups}"
    if kind == "another program's":
        import sqlite3

        home.mkdir(parents=True)
        con = sqlite3.connect(db)
        con.execute("CREATE TABLE notes (x)")
        con.commit()
        con.close()
        return ("belongs to another program (tables notes), not egovnet; point EGOVNET_DB or EGOVNET_HOME at "
                "egovnet's own database")
    if kind == "a folder":
        db.mkdir(parents=True)
        return "is a folder, not a file; point EGOVNET_DB or EGOVNET_HOME elsewhere"
    raise AssertionError(kind)


@sqlite_file_only
@pytest.mark.parametrize("kind", ["random bytes", "empty file", "truncated", "another program's", "a folder"])
@pytest.mark.parametrize("argv", [["init"], ["unit", "list"], ["dept", "add", "区农业农村委"]])
def test_a_broken_database_is_refused_and_left_alone(_home, kind, argv):
    expected = _corrupt(_home, kind)
    before = files(_home)
    r = fails(1, *argv)
    assert r.err == f"Error: database {_home / 'egovnet.db'} {expected}\n"
    assert files(_home) == before


@sqlite_file_only
@pytest.mark.parametrize("argv", [["init"], ["unit", "list"]])
def test_a_home_under_a_regular_file(tmp_path, monkeypatch, argv):
    blocker = tmp_path / "afile"
    blocker.write_text("not a folder\n")
    monkeypatch.setenv("EGOVNET_HOME", str(blocker / "sub"))
    r = fails(1, *argv)
    if argv == ["init"]:
        assert r.err == (f"Error: cannot create EGOVNET_HOME {blocker / 'sub'}: {blocker} is a file, not a folder; "
                         "set EGOVNET_HOME (or --home) to a folder this account may write\n")
    else:
        assert r.err == (f"Error: cannot create the folder {blocker / 'sub'} for database "
                         f"{blocker / 'sub' / 'egovnet.db'}: part of that path is a file, not a folder; "
                         "set EGOVNET_HOME (or --home) to a folder path\n")
    assert blocker.read_text() == "not a folder\n"


@sqlite_file_only
def test_a_home_that_is_a_file(tmp_path, monkeypatch):
    blocker = tmp_path / "afile"
    blocker.write_text("x")
    monkeypatch.setenv("EGOVNET_HOME", str(blocker))
    r = fails(1, "init")
    assert r.err == (f"Error: EGOVNET_HOME {blocker} is a file, not a folder; set EGOVNET_HOME (or --home) to a "
                     "folder\n")


# A full or read-only disk is simulated honestly: a real tmpfs of 1 MiB, mounted in a private mount namespace
# (unshare -Urm: a user namespace, so it needs no root and touches nothing outside the test's own folder).
def _namespaces_unavailable() -> str | None:
    if not shutil.which("unshare"):
        return "unshare(1) is not installed"
    probe = subprocess.run(["unshare", "-Urm", "sh", "-c", "mount -t tmpfs -o size=64k tmpfs /mnt 2>&1 || "
                            "mount -t tmpfs -o size=64k tmpfs /tmp 2>&1"], capture_output=True, text=True)
    if probe.returncode != 0:
        return f"cannot mount a tmpfs in a user namespace: {probe.stdout.strip() or probe.stderr.strip()}"
    return None


NS_WHY = _namespaces_unavailable()
needs_tmpfs = pytest.mark.skipif(NS_WHY is not None, reason=f"tiny filesystem test: {NS_WHY}")


def _in_tiny_fs(tmp_path: Path, script: str) -> list[tuple[int, str, str]]:
    """Run ``script`` (lines of '[VAR=value ...] egovnet ARGS' or shell) on a 1 MiB tmpfs at tmp_path/fs; one result per
    egovnet line: (exit code, stdout, stderr)."""
    fs = tmp_path / "fs"
    fs.mkdir()
    out = tmp_path / "results"
    out.mkdir()
    lines, n = [f"mount -t tmpfs -o size=1m tmpfs {fs} || exit 99", "export EGOVNET_HOME=$FS/home"], 0
    for line in script.strip().splitlines():
        line = line.strip()
        env, _, rest = line.partition("egovnet ")
        if _ and all("=" in word for word in env.split()):
            n += 1
            lines.append(f"{env}{sys.executable} -m egovnet {rest} >{out}/{n}.out 2>{out}/{n}.err; "
                         f"echo $? >{out}/{n}.rc")
        else:
            lines.append(line)
    env = {**os.environ, "FS": str(fs), "PYTHONPATH": str(REPO)}
    proc = subprocess.run(["unshare", "-Urm", "sh", "-c", "\n".join(lines)], env=env, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return [(int((out / f"{i}.rc").read_text()), (out / f"{i}.out").read_text(), (out / f"{i}.err").read_text())
            for i in range(1, n + 1)]


def _one_line(result, code: int) -> str:
    rc, _out, err = result
    assert rc == code, err
    assert err.startswith("Error: ") and err.count("\n") == 1 and "Traceback" not in err, err
    return err


@sqlite_file_only
@needs_tmpfs
def test_init_on_a_full_disk_leaves_nothing_and_writes_fail_in_one_line(tmp_path):
    db = tmp_path / "fs" / "home" / "egovnet.db"
    results = _in_tiny_fs(tmp_path, """
        dd if=/dev/zero of=$FS/filler bs=1k count=2000 2>/dev/null
        egovnet init
        ls -A $FS > $FS/../listing
        egovnet unit list
        ls -A $FS/home > $FS/../listing-after-use
        rm $FS/filler
        egovnet init
        egovnet dept add 区农业农村委
        dd if=/dev/zero of=$FS/filler bs=1k count=2000 2>/dev/null
        egovnet dept add 区卫生健康委
        rm $FS/filler
        egovnet dept list --json
    """)
    err = _one_line(results[0], 1)
    assert err.startswith(f"Error: cannot write database {db}: the disk is full (")
    assert err.endswith("nothing was saved; free space and run the command again\n")
    assert (tmp_path / "listing").read_text() == "filler\n"  # no home, no 0-byte database left behind
    # another command's first use creates the database too: it fails in one line and leaves no empty file that
    # the next run would have to refuse as a lost record
    assert _one_line(results[1], 1).startswith(f"Error: cannot write database {db}: the disk is full (")
    assert (tmp_path / "listing-after-use").read_text() == ""
    results = results[1:]
    assert results[1][0] == 0 and results[2][0] == 0, results[1:3]
    # SQLite fails at the commit (disk full) or, with no room for its shared-memory file, at the open (I/O error)
    assert _one_line(results[3], 1) in (
        f"Error: cannot write database {db}: the disk is full (database or disk is full); nothing was saved; "
        "free space and run the command again\n",
        f"Error: cannot use database {db}: disk I/O error (a full or failing disk); nothing was saved; check free "
        "space (df) and the disk, then run the command again\n")
    assert [d["name"] for d in json.loads(results[4][1])] == ["区农业农村委"]


@sqlite_file_only
@needs_tmpfs
def test_a_read_only_home(tmp_path):
    results = _in_tiny_fs(tmp_path, """
        mkdir $FS/empty
        egovnet init
        mount -o remount,ro $FS
        EGOVNET_HOME=$FS/empty egovnet init
        EGOVNET_HOME=$FS/empty egovnet unit list
        egovnet init
        egovnet dept add 区农业农村委
        mount -o remount,rw $FS
        egovnet dept list --json
    """)
    assert results[0][0] == 0
    for folder, r in ((tmp_path / "fs" / "empty", results[1]), (tmp_path / "fs" / "empty", results[2]),
                      (tmp_path / "fs" / "home", results[3]), (tmp_path / "fs" / "home", results[4])):
        assert _one_line(r, 1) == (f"Error: cannot open database {folder / 'egovnet.db'}: unable to open database "
                                   f"file; check that {folder} exists and this account may write there (SQLite "
                                   "writes beside the file even to read it), or set EGOVNET_HOME (or --home)\n")
    assert not (tmp_path / "fs" / "empty" / "egovnet.db").exists()
    assert results[5][1] == "[]\n"


# ---- 4. operator templates ------------------------------------------------------------------------------------

CTX = {"description": "egov-L1-A1-zjj-zhangma", "port": "GigabitEthernet0/0/1", "vlan": 101, "gateway": "10.64.0.1",
       "netmask": "255.255.255.248", "vrf": "EGOV", "acl": "3999", "bandwidth_kbps": 50000, "bandwidth_mbps": 50, "nat": False,
       "encryption": False, "nat_acl": "2001", "ipsec_policy": "EGOV-IPSEC"}
LIMIT_HINT = "; fix the template (an operator's template renders a few commands of one link)"


@pytest.mark.parametrize("template,problem", [
    ("{% include 'open.j2' %}", "rendering limit: more than 50 template loads (does a template include itself?)"),
    ("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}", None),
    ("{% for i in range(10**9) %}x{% endfor %}", "rendering limit: range() of 1,000,000,000 items (at most 10,000)"),
    ("{{ 'x'*200000000 }}",
     "rendering limit: repeating a value 200,000,000 times builds more than 65,536 characters"),
    ("{% set l = range(1000)|list %}{% for a in l %}{% for b in l %}{% for c in l %}{% endfor %}{% endfor %}"
     "{% endfor %}", "rendering limit: more than 200,000 loop steps, calls and filters"),
    ("{% for a in [1,2,3,4,5,6,7,8,9,10] %}" * 9 + "{% endfor %}" * 9,
     "rendering limit: more than 200,000 loop steps, calls and filters"),
    ("{% macro f(n) %}{% if n %}{{ f(n-1) }}{{ f(n-1) }}{% endif %}{% endmacro %}{{ f(60) }}",
     "rendering limit: more than 200,000 loop steps, calls and filters"),
    ("{% set s = 'xxxxxxxx' %}" + "{% set s = s ~ s %}" * 40,
     "rendering limit: a value of more than 65,536 characters"),
    ("{% set s = 'x'*1000 %}" + "{% set s %}{{ s }}{{ s }}{% endset %}" * 40,
     "rendering limit: a value of more than 65,536 characters"),
    ("{{ 'x'|center(1000000000) }}", "rendering limit: |center(1,000,000,000) (at most 65,536)"),
    ("{{ 'x'.ljust(1000000000) }}", "rendering limit: str.ljust(1,000,000,000) (at most 65,536 characters)"),
    ("{{ '%0900000000d' % 1 }}", "rendering limit: a format width of 900,000,000 (at most 65,536)"),
    ("{{ '{:>900000000}'.format(1) }}", "rendering limit: a format width of 900,000,000 (at most 65,536)"),
    ("{{ 2**100000 }}", "rendering limit: a number of more than 4096 bits"),
    ("{% set s = 'x'*30000 %}{{ [s,s,s,s,s,s,s,s,s,s]|join }}",
     "rendering limit: |join would build more than 65,536 characters"),
    ("{% set s = 'x'*30000 %}{{ s|replace('x', s) }}",
     "rendering limit: |replace would build more than 65,536 characters"),
    ("{{ [1]|batch(1000000000, 'x')|list }}", "rendering limit: |batch(1,000,000,000) (at most 65,536)"),
    ("{% set s = 'x'*30000 %}{% set ns = namespace(l=[]) %}{% for i in range(100) %}{% set _ = ns.l.append(s) %}"
     "{% endfor %}{{ ns.l|map('string')|join }}", "rendering limit: |join would build more than 65,536 characters"),
    ("{% for i in range(5000) %}{{ 'x'*60 }}\n{% endfor %}", "rendering limit: more than 65,536 characters of output"),
    ("{{ lipsum(100000) }}", "'lipsum' is undefined"),
    ("{{ 1/0 }}", "ZeroDivisionError: division by zero"),
], ids=["self-include", "self-call", "huge-range", "x-times-200M", "nested-loops", "nested-literal-loops",
        "exponential-macro", "doubling-concat", "doubling-set-block", "center", "ljust", "percent-width",
        "format-width", "big-power", "join", "replace", "batch", "join-of-a-generator", "output", "lipsum", "zero-division"])
def test_hostile_templates_are_refused_quickly(tmp_path, template, problem):
    from egovnet.devices.render import render
    from egovnet.errors import InvalidConfig

    folder = tmp_path / "inventory" / "templates" / "huawei"
    folder.mkdir(parents=True)
    (folder / "open.j2").write_text(template)
    started = time.monotonic()
    with pytest.raises(InvalidConfig) as exc:
        render("huawei", "open", CTX, tmp_path / "inventory")
    elapsed = time.monotonic() - started
    assert elapsed < 2.5, f"took {elapsed:.2f} s"
    message = str(exc.value)
    assert "\n" not in message
    if problem is None:
        assert message == (f"template {folder / 'open.j2'}:1 failed to render: includes or macro calls nest without "
                           "end (does it include or call itself?); fix the template")
    else:
        hint = LIMIT_HINT if problem.startswith("rendering limit") else "; fix the template"
        assert message.startswith(f"template {folder / 'open.j2'}")
        assert message.endswith(f" failed to render: {problem}{hint}"), message


def test_a_slow_template_stops_at_the_wall_clock_limit(tmp_path):
    from egovnet.devices.render import render
    from egovnet.errors import InvalidConfig

    folder = tmp_path / "inventory" / "templates" / "huawei"
    folder.mkdir(parents=True)
    # each step is cheap enough for the step count, together they sort 100 million numbers
    (folder / "open.j2").write_text("{% set big = range(10000)|reverse|list %}"
                                    "{% for i in range(10000) %}{% set _ = big|sort %}{% endfor %}")
    started = time.monotonic()
    with pytest.raises(InvalidConfig) as exc:
        render("huawei", "open", CTX, tmp_path / "inventory")
    # stopped at the limit, not after the minutes the loop needs (the upper bound leaves room for a loaded machine)
    assert 2.0 <= time.monotonic() - started < 15.0
    assert str(exc.value) == (f"template {folder / 'open.j2'}:1 failed to render: rendering limit: rendering took "
                              f"longer than 2 s{LIMIT_HINT}")


def test_the_packaged_templates_render_under_the_limits():
    from egovnet.devices.render import render

    for platform in ("huawei", "huawei_vrpv8", "hp_comware", "cisco_ios"):
        started = time.monotonic()
        own = {"huawei_vrpv8": {"port": "GE1/0/1"}, "cisco_ios": {"acl": "EGOV-ISOLATION"}}.get(platform, {})
        assert render(platform, "open", {**CTX, **own, "qos_policy": "EGOV-L1", "bandwidth_bps": 50_000_000,
                                         "nat": True, "encryption": True})
        assert time.monotonic() - started < 2.0   # well inside the wall-clock limit, on a loaded machine too


def test_a_hostile_template_through_provision_is_one_line_and_pushes_nothing(lab, tmp_path):
    import os as _os

    inv = Path(_os.environ["EGOVNET_INVENTORY"])
    (inv / "templates" / "huawei").mkdir(parents=True)
    (inv / "templates" / "huawei" / "open.j2").write_text("{{ 'x'*200000000 }}\n")
    ok("dept", "add", DEPT)
    add_unit("张马村村民委员会", "zjj-zhangma")
    app = ok("apply", "--unit", "zjj-zhangma", "--basis", "区政府工作要求", "--scope", "村委会办公区", "--mode",
             "dedicated", "--purpose", "一网通办", "--bandwidth", "50", "--technical", "光纤接入",
             "--time-requirement", "尽快", "--cost-bearer", "budget", "--json", user="dept.zhujiajiao").json()
    ok("review", "approve", str(app["id"]), user="bdc.reviewer")
    before = lab.devices["zjj-sw1"].running_text()
    started = time.monotonic()
    r = run("provision", str(app["id"]), "--yes", "--json")
    assert time.monotonic() - started < 10
    assert r.code == 1, r.err
    assert r.err == (f"Error: template {inv / 'templates' / 'huawei' / 'open.j2'}:1 failed to render: rendering "
                     "limit: repeating a value 200,000,000 times builds more than 65,536 characters"
                     f"{LIMIT_HINT}\n")
    assert ok("device", "show", "zjj-sw1", "--json").json()["links"] == []  # no port, VLAN or subnet kept
    assert lab.devices["zjj-sw1"].running_text() == before
    assert lab.devices["zjj-sw1"].history == []
    assert ok("review", "show", str(app["id"]), "--json").json()["status"] == "approved"


# ---- 5. inventory values, pools and ports ---------------------------------------------------------------------

HOSTILE_VALUES = ["EGOV X", "EGOV;reboot", "EGOV|sh", "$(reboot)", "`id`", "'EGOV'", '"EGOV"', "EGOV&&x", "EGOV>x",
                  "EGOV\\", "-rf", ""]


def _inventory(tmp_path: Path, monkeypatch, platform: str, **device) -> Path:
    folder = tmp_path / "inv"
    folder.mkdir(exist_ok=True)
    ports = {"linux": ["ru0", "ru1"], "huawei_vrpv8": ["GE1/0/1", "GE1/0/2"]}.get(
        platform, ["GigabitEthernet0/0/1", "GigabitEthernet0/0/2"])
    dev = {"platform": platform, "host": "127.0.0.1", "site": "zhujiajiao", "ports": ports, "username": "netops",
           "password_env": "EGOVNET_LAB_PASSWORD", **device}
    data = {"devices": {"dev1": dev}, "pools": {"zhujiajiao": {"prefixes": ["10.64.0.0/20"]}}}
    (folder / "inventory.yaml").write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    monkeypatch.setenv("EGOVNET_INVENTORY", str(folder))
    return folder / "inventory.yaml"


def _line_containing(path: Path, text: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def _line_of(path: Path, key: str) -> int:
    for i, line in enumerate(path.read_text().splitlines(), 1):
        if line.strip().startswith(f"{key}:"):
            return i
    raise AssertionError(key)


@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize("key", ["vrf", "isolation_acl", "nat_acl", "ipsec_policy"])
@pytest.mark.parametrize("value", HOSTILE_VALUES)
def test_inventory_name_values_are_one_word_per_platform(tmp_path, monkeypatch, platform, key, value):
    path = _inventory(tmp_path, monkeypatch, platform, **{key: value})
    r = fails(1, "inventory", "check")
    assert r.err.startswith(f"Error: {path}:{_line_of(path, key)}: devices.dev1.{key}: "), r.err
    assert f"(device dev1, {platform}); correct it in the inventory: it is written into device commands\n" in r.err


@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize("value", ["Gi0/1 ;reboot", "Gi0/1|x", "$(reboot)", "`id`", "'Gi0/1'", "Gi 0/1", "Gi0/1\\",
                                   "-x", "x" * 80])
def test_inventory_ports_are_one_word_per_platform(tmp_path, monkeypatch, platform, value):
    first = {"linux": "ru0", "huawei_vrpv8": "GE1/0/1"}.get(platform, "GigabitEthernet0/0/1")
    path = _inventory(tmp_path, monkeypatch, platform, ports=[first, value])
    r = fails(1, "inventory", "check")
    shown = repr(value if len(value) <= 40 else value[:40] + "…")
    line = _line_of(path, "ports") + 2  # the second item of the block list
    assert r.err.startswith(f"Error: {path}:{line}: devices.dev1.ports[1]: {shown} is not "), r.err
    assert r.err.endswith(f"(device dev1, {platform}); write the port as the device names it\n"), r.err


@pytest.mark.parametrize("platform,key,value,problem", [
    ("huawei", "isolation_acl", "2999", "isolation ACL '2999' is not usable on Huawei VRP: it must be an advanced "
                                        "ACL number 3000-3999"),
    ("hp_comware", "nat_acl", "4000", "ACL number 4000 is out of range; an ACL number the platform takes here "
                                      "(2000-3999)"),
    ("cisco_ios", "isolation_acl", "3999", "isolation ACL '3999' is not usable on Cisco IOS: it must be an ACL name "
                                           "or an extended ACL number 100-199 or 2000-2699"),
    ("huawei", "ipsec_policy", "EGOV-IPSEC-POLICY", "'EGOV-IPSEC-POLICY' is not an IPsec policy name: one word of "
                                                    "ASCII letters, digits, '_', '.' or '-' starting with a letter, "
                                                    "at most 15 characters"),
])
def test_inventory_values_the_platform_would_not_take(tmp_path, monkeypatch, platform, key, value, problem):
    path = _inventory(tmp_path, monkeypatch, platform, **{key: value})
    r = fails(1, "inventory", "check")
    assert r.err == (f"Error: {path}:{_line_of(path, key)}: devices.dev1.{key}: {problem} (device dev1, {platform}); "
                     "correct it in the inventory: it is written into device commands\n")


@pytest.mark.parametrize("platform", PLATFORMS)
def test_accepted_values_per_platform(tmp_path, monkeypatch, platform):
    values = {"vrf": "EGOV_2", "ipsec_policy": "EGOV-IPSEC",
              "isolation_acl": "199" if platform == "cisco_ios" else "3999", "nat_acl": "2001"}
    _inventory(tmp_path, monkeypatch, platform, **values)
    assert ok("inventory", "check", "--json").json()["devices"] == 1


def test_a_value_from_defaults_names_the_defaults_line(tmp_path, monkeypatch):
    folder = tmp_path / "inv"
    folder.mkdir()
    path = folder / "inventory.yaml"
    path.write_text(LAB_INVENTORY.read_text().replace("vrf: EGOV ", "vrf: 'EGOV; reboot' "))
    monkeypatch.setenv("EGOVNET_INVENTORY", str(folder))
    r = fails(1, "inventory", "check")
    assert r.err == (f"Error: {path}:13: defaults.vrf: 'EGOV; reboot' is not a VPN instance name: one word of ASCII "
                     "letters, digits, '_', '.' or '-' starting with a letter, at most 31 characters (device zjj-sw1, "
                     "huawei); correct it in the inventory: it is written into device commands\n")


def _lab_inventory(tmp_path, monkeypatch, old: str, new: str) -> Path:
    folder = tmp_path / "inv"
    folder.mkdir()
    path = folder / "inventory.yaml"
    text = LAB_INVENTORY.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    monkeypatch.setenv("EGOVNET_INVENTORY", str(folder))
    return path


def test_overlapping_pools_of_two_sites_are_refused(tmp_path, monkeypatch):
    path = _lab_inventory(tmp_path, monkeypatch, "10.64.16.0/20", "10.64.8.0/21")
    r = fails(1, "inventory", "check")
    line = _line_of(path, "huaxin")
    assert r.err == (f"Error: {path}:{line}: pools.huaxin.prefixes[0]: 10.64.8.0/21 overlaps 10.64.0.0/20 "
                     f"(pools.zhujiajiao.prefixes[0], line {line - 1}) of pool zhujiajiao; one subnet would be given "
                     "to two links: make the pools' prefixes disjoint\n")


def test_overlapping_prefixes_within_one_pool_are_refused(tmp_path, monkeypatch):
    path = _lab_inventory(tmp_path, monkeypatch, "prefixes: [10.64.16.0/20]",
                          "prefixes: [10.64.16.0/20, 10.64.17.0/24]")
    r = fails(1, "inventory", "check")
    assert r.err.startswith(f"Error: {path}:{_line_of(path, 'huaxin')}: pools.huaxin.prefixes[1]: 10.64.17.0/24 "
                            "overlaps 10.64.16.0/20 (pools.huaxin.prefixes[0], line")
    assert "of the same pool" in r.err


def test_the_same_site_twice_is_refused(tmp_path, monkeypatch):
    path = _lab_inventory(tmp_path, monkeypatch, "  huaxin: {", "  zhujiajiao: {")
    r = fails(1, "inventory", "check")
    line = _line_of(path, "zhujiajiao") + 1
    assert r.err == f"Error: {path}:{line}: pools.zhujiajiao: duplicate key (first at line {line - 1}); keep one\n"


def test_overlapping_vlan_ranges_within_a_site_are_fine(tmp_path, monkeypatch):
    _lab_inventory(tmp_path, monkeypatch, "vlans: 101-999}", "vlans: '101-199,150-300'}")
    assert ok("inventory", "check", "--json").json()["pools"] == 4
    from egovnet.inventory import load_inventory

    vlans = load_inventory(tmp_path / "inv").pools["zhujiajiao"].vlan_ids()
    assert vlans == list(range(101, 301))  # each VLAN once


def test_a_port_listed_twice_on_a_device_is_refused(tmp_path, monkeypatch):
    path = _lab_inventory(tmp_path, monkeypatch, "GigabitEthernet0/3,", "GigabitEthernet0/3, gigabitethernet0/1,")
    r = fails(1, "inventory", "check")
    line = _line_containing(path, "ports: [GigabitEthernet0/1,")
    assert r.err == (f"Error: {path}:{line}: devices.xy-r1.ports[3]: port "
                     "gigabitethernet0/1 is listed twice (first as devices.xy-r1.ports[0]) (device xy-r1, cisco_ios); "
                     "list each port of a device once\n")


def test_the_same_port_on_two_devices_is_fine(tmp_path, monkeypatch):
    _lab_inventory(tmp_path, monkeypatch, "GigabitEthernet1/0/1,", "GigabitEthernet0/0/1,")  # hx-sw1 and zjj-sw1
    assert ok("inventory", "check", "--json").json()["devices"] == 4


def test_the_shipped_lab_inventory_passes(monkeypatch):
    monkeypatch.setenv("EGOVNET_INVENTORY", str(LAB_INVENTORY.parent))
    assert ok("inventory", "check", "--json").json()["devices"] == 4


# ---- 6. EGOVNET_DEBUG keeps the exit code ---------------------------------------------------------------------

def test_debug_shows_the_traceback_and_keeps_exit_4_for_a_partial_failure(tmp_path, _home):
    ok("dept", "add", DEPT)
    path = tmp_path / "wave.csv"
    path.write_text("name,code,category,dept,town,address\n"
                    f"朱家角镇张马村村民委员会,zjj-zhangma,village,{DEPT},朱家角镇,青浦区朱家角镇张马村1号\n"
                    f"坏行,=cmd,village,{DEPT},朱家角镇,青浦区朱家角镇某村1号\n", encoding="utf-8")
    env = {**os.environ, "EGOVNET_DEBUG": "1", "PYTHONPATH": str(REPO)}
    proc = subprocess.run([sys.executable, "-m", "egovnet", "unit", "import", str(path), "--skip-invalid"],
                          env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 4, proc.stderr
    assert "Traceback (most recent call last):" in proc.stderr
    assert "egovnet.errors.PartialFailure: " in proc.stderr
    assert proc.stderr.splitlines()[-1] == (
        f"Error: {path}: 1 of 2 rows rejected and saved with their reasons to {tmp_path / 'wave.rejects.csv'}; "
        "the others were written")
    # and a refusal keeps its 3, a usage error its 2
    proc = subprocess.run([sys.executable, "-m", "egovnet", "dept", "add", DEPT], env=env, capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 1 and "Conflict" in proc.stderr and proc.stderr.splitlines()[-1].startswith("Error: ")
    proc = subprocess.run([sys.executable, "-m", "egovnet", "calendar", "due", "9999-12-31", "5"], env=env,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2, proc.stderr
