"""Art. 14 held by the database itself, on SQLite and PostgreSQL alike; PostgreSQL's driver and log guard."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from conftest import APPLY_ARGS, DEPT, ON_POSTGRES, add_unit, db_url, fails, file_app, ok, sql


def test_a_postgresql_url_whose_driver_is_absent_is_one_line_naming_the_extra(tmp_path):
    """pg8000 is not installed here (and is not what egovnet ships): one line, what to install, nothing written."""
    r = fails(1, "--db", "postgresql+pg8000://egovnet:s3cret@127.0.0.1:1/egovnet", "init")
    assert r.err == ("Error: cannot open database postgresql+pg8000://egovnet:***@127.0.0.1:1/egovnet: its driver "
                     "'pg8000' is not installed; egovnet talks to PostgreSQL through psycopg: "
                     "pip install 'egovnet[postgres]' and use a postgresql+psycopg:// URL\n")
    r = fails(1, "--db", "postgresql+pg8000://egovnet@127.0.0.1:1/egovnet", "dept", "list")
    assert "pip install 'egovnet[postgres]'" in r.err
    assert not (tmp_path / "home" / "egovnet.db").exists()


@pytest.mark.parametrize("url", ["postgresql+psycopg://egovnet@127.0.0.1:1/egovnet",
                                 "postgresql://egovnet@127.0.0.1:1/egovnet"])
def test_without_psycopg_init_says_which_extra_to_install(tmp_path, url):
    """An installation without the extra: psycopg cannot be imported (hidden from this one interpreter)."""
    script = textwrap.dedent("""
        import sys
        sys.modules["psycopg"] = None  # what Python does for a package that is not installed: ImportError
        from egovnet.cli import main
        sys.argv = ["egovnet", "--db", sys.argv[1], "init"]
        main()
    """)
    p = subprocess.run([sys.executable, "-c", script, url], capture_output=True, text=True, timeout=60)
    assert p.returncode == 1, p.stderr
    assert p.stderr == ("Error: cannot open database postgresql+psycopg://egovnet@127.0.0.1:1/egovnet: the PostgreSQL "
                        "driver psycopg is not installed; pip install 'egovnet[postgres]'\n")
    assert p.stdout == ""


def _insert_link(address_key: str, status: str = "requested", separate_reason: str = "") -> None:
    sql("INSERT INTO link (address, address_key, mode, status, separate_reason, bandwidth_mbps, created_at) "
        "VALUES (:a, :k, 'dedicated', :s, :r, 0, '2026-09-28 00:00:00')",
        a=address_key, k=address_key, s=status, r=separate_reason)


def test_the_database_refuses_a_second_open_link_at_one_address(_home):
    """The unique index, not only the service: a writer that skipped the check is refused by the database."""
    from sqlalchemy.exc import IntegrityError

    ok("init")
    _insert_link("青浦区华新镇华腾路1号")
    with pytest.raises(IntegrityError, match="uq_link_open_address|link.address_key"):
        _insert_link("青浦区华新镇华腾路1号", status="active")
    # a recorded exception, a link no longer open, and a link without an address are not the address's link
    _insert_link("青浦区华新镇华腾路1号", separate_reason="卫生室医疗专网需物理隔离")
    for status in ("closed_idle", "decommissioned", "cancelled"):
        _insert_link("青浦区华新镇华腾路1号", status=status)
    _insert_link("")
    _insert_link("")
    assert sql("SELECT count(*) FROM link") == [(7,)]


def test_a_separate_link_is_its_units_own_and_others_at_the_address_share_one(directory):
    a = file_app("zjj-zhangma-ws", "--separate-link", "卫生室医疗专网需物理隔离")
    b = file_app("zjj-zhangma")
    assert (a["link_id"], b["link_id"], b["shared_link"]) == (1, 2, None)
    assert sql("SELECT id, separate_reason FROM link ORDER BY id") == [(1, "卫生室医疗专网需物理隔离"), (2, "")]


def test_a_closed_link_is_not_reopened_when_another_link_serves_its_address(directory):
    ok("init")
    sql("INSERT INTO link (address, address_key, mode, status, separate_reason, bandwidth_mbps, created_at) "
        "SELECT address, address_key, 'dedicated', 'closed_idle', '', 50, '2026-01-01 00:00:00' FROM unit "
        "WHERE code = 'zjj-zhangma'")
    sql("INSERT INTO application (unit_id, dept_id, link_id, joined_link, separate_link_reason, kind, basis, scope, "
        "mode, purpose, bandwidth_mbps, technical, time_requirement, cost_bearer, features, received_on, review_due, "
        "review_due_provisional, status, filed_by, reason, reopen_reason, construction_due_provisional, created_at) "
        "SELECT id, dept_id, 1, :no, '', 'new', 'b', 's', 'dedicated', 'p', 50, 't', 't', 'budget', '{}', "
        "'2026-01-05', '2026-01-12', :no, 'closed', 'x', '', '', :no, '2026-01-05 00:00:00' FROM unit "
        "WHERE code = 'zjj-zhangma'", no=False)
    now = file_app("zjj-zhangma-ws")  # the other unit at the address files meanwhile: a new link
    assert now["link_id"] == 2
    r = fails(3, "apply", "--reopen", "1", "--unit", "zjj-zhangma", "--reason", "恢复办公", user="dept.zhujiajiao")
    assert r.err == ("Error: link 1 cannot be reopened: link 2 (requested) now serves its address "
                     "青浦区朱家角镇张马村沈太路1号 and Art. 14 allows one; file an ordinary application to join it\n")
    assert sql("SELECT count(*) FROM application") == [(2,)]


def test_upgrade_to_0006_keeps_links_made_before_the_index_and_marks_the_duplicates(tmp_path):
    """A database that raced before 0006 (two open links at one address) upgrades; the later link says why."""
    from alembic import command

    from egovnet.state.db import HEAD_REVISION, alembic_config, make_engine, upgrade

    engine = make_engine(db_url())
    with engine.begin() as conn:
        command.upgrade(alembic_config(engine, conn), "0005")
    for link_id, key, status in ((1, "a", "active"), (2, "a", "requested"), (3, "a", "closed_idle"),
                                 (4, "b", "approved"), (5, "b", "approved")):
        sql("INSERT INTO link (id, address, address_key, mode, status, bandwidth_mbps, created_at) "
            "VALUES (:i, :k, :k, 'dedicated', :s, 50, '2026-01-01 00:00:00')", i=link_id, k=key, s=status)
    sql("INSERT INTO department (id, name, contact, created_at) VALUES (1, 'd', '', '2026-01-01 00:00:00')")
    sql("INSERT INTO unit (id, name, code, category, dept_id, town, address, address_key, budget_unit, contact, "
        "justification, created_at, updated_at) VALUES (1, 'u', 'u1', 'village', 1, '', 'b', 'b', :yes, '', '', "
        "'2026-01-01 00:00:00', '2026-01-01 00:00:00')", yes=True)
    sql("INSERT INTO application (unit_id, dept_id, link_id, joined_link, separate_link_reason, kind, basis, scope, "
        "mode, purpose, bandwidth_mbps, technical, time_requirement, cost_bearer, features, received_on, review_due, "
        "review_due_provisional, status, filed_by, reason, reopen_reason, construction_due_provisional, created_at) "
        "VALUES (1, 1, 4, :no, '专网隔离', 'new', '', '', 'dedicated', '', 50, '', '', 'budget', '{}', '2026-01-01', "
        "'2026-01-08', :no, 'approved', 'x', '', '', :no, '2026-01-01 00:00:00')", no=False)
    sql("INSERT INTO usage_day (link_id, day, source, bytes_in, bytes_out) VALUES (1, '2026-01-02', 'device', "
        "2000000000, 7)")
    assert upgrade(engine, tmp_path)["to"] == HEAD_REVISION
    engine.dispose()
    sql("UPDATE usage_day SET bytes_in = bytes_in * 5000")  # past 4 bytes, now that the column holds 8
    assert sql("SELECT link_id, bytes_in, bytes_out FROM usage_day") == [(1, 10_000_000_000_000, 7)]
    rows = sql("SELECT id, separate_reason FROM link ORDER BY id")
    found = ("a second open link at this address, found on the upgrade to schema 0006 (before it, PostgreSQL did "
             "not enforce Art. 14); review it with the units at the address")
    assert rows == [(1, ""), (2, found), (3, ""), (4, "专网隔离"), (5, "")]


WORKER = textwrap.dedent("""
    import json, sys
    from typer.testing import CliRunner
    from egovnet.cli import app
    start, count = int(sys.argv[1]), int(sys.argv[2])
    runner, errors = CliRunner(), []
    args = ["--basis", "b", "--scope", "s", "--mode", "dedicated", "--purpose", "p", "--bandwidth", "10",
            "--technical", "t", "--time-requirement", "t", "--cost-bearer", "budget"]
    for i in range(start, start + count):
        res = runner.invoke(app, ["--user", "dept.zhujiajiao", "apply", "--unit", f"u{i:03d}", *args])
        if res.exit_code:
            errors.append(res.stderr or repr(res.exception))
    print(json.dumps(errors))
""")


def test_two_processes_filing_at_shared_addresses_give_one_link_per_address(_home, tmp_path):
    """Art. 14 under two concurrent writers: 2 x 40 applications, 4 units at each of 20 addresses, the two
    processes interleaved so that both reach each address at about the same time. On PostgreSQL before
    schema 0006 this gave more links than addresses, all exit 0."""
    from egovnet.services.context import Ctx
    from egovnet.services.directory import UnitInput, add_unit as add
    from egovnet.settings import Settings
    from egovnet.state.db import dispose_all

    ok("dept", "add", DEPT)
    ctx = Ctx.from_settings(Settings.resolve())
    for i in range(80):  # units i and i+40 share an address, and so do i+20 and i+60 (first process: 0..39)
        add(ctx, UnitInput(name=f"村委会{i:03d}", code=f"u{i:03d}", category="village", dept=DEPT,
                           address=f"青浦区华新镇华腾路{i % 20 + 1}号", mlps_level=2))
    dispose_all()
    (tmp_path / "worker.py").write_text(WORKER)
    procs = [subprocess.Popen([sys.executable, str(tmp_path / "worker.py"), str(s), "40"], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, cwd=tmp_path) for s in (0, 40)]
    for p in procs:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
        assert out.strip() == "[]", out[:2000]  # no error shown, no application refused
    assert sql("SELECT count(*) FROM application") == [(80,)]
    assert sql("SELECT count(*), count(DISTINCT address_key) FROM link") == [(20, 20)]
    assert sql("SELECT count(DISTINCT a.link_id) FROM application a JOIN unit u ON u.id = a.unit_id "
               "GROUP BY u.address_key") == [(1,)] * 20
    assert sql("SELECT count(*) FROM event WHERE object_type = 'link' AND action = 'create'") == [(20,)]


@pytest.mark.postgres_only
def test_the_write_lock_is_per_database_and_taken_only_by_writers(_home):
    """Readers never wait for the writer lock; and it is released with the transaction that took it."""
    from sqlalchemy import text

    from egovnet.state.db import WRITE_LOCK_KEY, make_engine, unit_of_work

    ok("init")
    engine = make_engine(db_url())
    held = "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = :k AND granted"
    with unit_of_work(engine) as s:
        assert s.execute(text(held), {"k": WRITE_LOCK_KEY}).scalar() == 1
    with unit_of_work(engine, write=False) as s:
        assert s.execute(text(held), {"k": WRITE_LOCK_KEY}).scalar() == 0
    engine.dispose()
    assert ON_POSTGRES


def test_a_conflict_the_database_reports_is_retried_in_a_fresh_transaction(_home):
    """What a concurrent writer causes, made here by an attempt that does not look first: the unique index
    refuses it, the retry sees the row and takes the other branch; a conflict that stays is raised."""
    from sqlalchemy.exc import IntegrityError
    from sqlmodel import select

    from egovnet.errors import NotFound
    from egovnet.state.db import make_engine, retrying, unit_of_work
    from egovnet.state.models import Link

    ok("init")
    _insert_link("青浦区华新镇华腾路1号", status="active")
    engine = make_engine(db_url())
    calls = []

    def file_link(look: bool):
        calls.append(look)
        with unit_of_work(engine) as s:
            if look or len(calls) > 1:
                found = s.exec(select(Link).where(Link.address_key == "青浦区华新镇华腾路1号",
                                                  Link.status == "active")).first()
                if found:
                    return found.id
            link = Link(address="青浦区华新镇华腾路1号", address_key="青浦区华新镇华腾路1号", mode="dedicated")
            s.add(link)
            s.flush()
            return link.id

    assert retrying(lambda: file_link(False)) == 1
    assert len(calls) == 2
    calls.clear()

    def always_blind():
        calls.append(1)
        with unit_of_work(engine) as s:
            s.add(Link(address="青浦区华新镇华腾路1号", address_key="青浦区华新镇华腾路1号", mode="dedicated"))

    with pytest.raises(IntegrityError):
        retrying(always_blind, attempts=3)
    assert len(calls) == 3
    calls.clear()

    def refused():
        calls.append(1)
        raise NotFound("application 9 not found")

    with pytest.raises(NotFound):
        retrying(refused)
    assert len(calls) == 1  # an ordinary refusal is not a conflict
    assert sql("SELECT count(*) FROM link") == [(1,)]
    engine.dispose()


def _together(*argvs: list[str]) -> list[subprocess.CompletedProcess]:
    """Start one egovnet process per argv at once (the test's environment: its database), wait for all."""
    procs = [subprocess.Popen([sys.executable, "-m", "egovnet", *argv], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for argv in argvs]
    out = []
    for argv, p in zip(argvs, procs):
        stdout, stderr = p.communicate(timeout=300)
        out.append(subprocess.CompletedProcess(argv, p.returncode, stdout, stderr))
    return out


def test_two_batch_imports_of_one_wave_at_once_write_it_once(_home):
    """Batch onboarding reads what exists, then writes what is new: two at once must not both write it."""
    import csv
    import json

    from conftest import REPO

    sample = REPO / "examples" / "qingpu-villages.csv"
    ok("init")
    units = _together(["unit", "import", str(sample), "--create-depts", "--json"],
                      ["unit", "import", str(sample), "--create-depts", "--json"])
    assert [p.returncode for p in units] == [0, 0], [p.stderr for p in units]
    assert sorted(json.loads(p.stdout)["created"] for p in units) == [0, 206]
    assert sql("SELECT count(*), count(DISTINCT code) FROM unit") == [(206, 206)]
    assert sql("SELECT count(*) FROM department") == [(11,)]
    apps = _together(["apply", "--batch", str(sample), "--json"], ["apply", "--batch", str(sample), "--json"])
    assert [p.returncode for p in apps] == [0, 0], [p.stderr for p in apps]
    assert sorted((json.loads(p.stdout)["created"], json.loads(p.stdout)["unchanged"]) for p in apps) == [
        (0, 206), (206, 0)]
    addresses = {row[5] for row in list(csv.reader(open(sample, encoding="utf-8-sig")))[1:]}
    assert sql("SELECT count(*) FROM application") == [(206,)]
    assert sql("SELECT count(*), count(DISTINCT address_key) FROM link") == [(len(addresses), len(addresses))]


def test_two_reviewers_approving_the_same_applications_at_once_approve_each_once(directory):
    """Review reads the status, then writes the decision: each application is decided once, the other
    reviewer is told it was decided already (exit 3), never an error from the database."""
    ids = [file_app(code)["id"] for code in ("zjj-zhangma", "zjj-zhangma-ws")]
    runs = _together(*[["--user", "bdc.reviewer", "review", "approve", str(i)] for i in ids for _ in range(2)])
    codes = sorted(p.returncode for p in runs)
    assert codes == [0, 0, 3, 3], [p.stderr for p in runs]
    for p in runs:
        if p.returncode:
            assert p.stderr.startswith("Error: application ") and "is approved, not submitted" in p.stderr
            assert p.stderr.count("\n") == 1, p.stderr
    assert sql("SELECT count(*) FROM event WHERE action = 'approve'") == [(2,)]
    assert sql("SELECT status FROM link") == [("approved",)]


def test_a_reopen_whose_address_was_taken_meanwhile_is_refused_before_any_push(lab):
    """Art. 14 at provisioning: the reopen was filed and approved while the address was free; another unit
    there filed since, so the closed link may not come back beside the new one. Nothing reaches the device."""
    from test_lifecycle import open_link, unit

    dev = lab.devices["zjj-sw1"]
    ok("dept", "add", DEPT)
    first = open_link("aa", address="青浦区朱家角镇某路1号")
    # closed for non-use (Art. 15) as 'audit idle --close' leaves it; the port's state does not matter here
    sql("UPDATE link SET status = 'closed_idle', closed_on = '2026-12-28' WHERE id = 1")
    sql("UPDATE application SET status = 'closed' WHERE id = 1")
    ok("--today", "2026-12-29", "apply", "--reopen", "1", "--reason", "村务公开系统上线", user="dept.zhujiajiao")
    ok("--today", "2026-12-30", "review", "approve", "2", user="bdc.reviewer")
    unit("bb", address="青浦区朱家角镇某路1号")
    assert ok("--today", "2026-12-30", "apply", "--unit", "bb", *APPLY_ARGS, "--json",
              user="dept.zhujiajiao").json()["link_id"] == 2
    before = dev.running_text()
    r = fails(3, "--today", "2026-12-31", "provision", "2", "--yes")
    assert r.err == ("Error: link 1 cannot be reopened: link 2 (requested) now serves its address 青浦区朱家角镇某路1号 "
                     "and Art. 14 allows one; file an ordinary application to join it\n")
    assert dev.running_text() == before
    assert sql("SELECT id, status FROM link ORDER BY id") == [(1, "closed_idle"), (2, "requested")]
    assert sql("SELECT count(*) FROM push") == [(1,)]  # the link's opening, nothing since
    assert first["port"]


@pytest.mark.parametrize("command", [["init"], ["dept", "list"]])
def test_an_unreachable_postgresql_server_is_one_error_line(command):
    import socket

    with socket.socket() as s:  # a port on 127.0.0.1 where nothing listens
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    r = fails(1, "--db", f"postgresql://egovnet:s3cret@127.0.0.1:{port}/egovnet", *command)
    assert r.err.startswith(f"Error: cannot open database postgresql+psycopg://egovnet:***@127.0.0.1:{port}/egovnet: "
                            "OperationalError: "), r.err
    assert r.err.endswith(f'connection to server at "127.0.0.1", port {port} failed: Connection refused\n'), r.err
    assert "s3cret" not in r.err


def test_traffic_counters_hold_64_bits(_home):
    """A device's octet counters are 64-bit (ifHCInOctets); PostgreSQL's INTEGER stops at 2**31 - 1."""
    import datetime as dt

    from sqlmodel import select

    from egovnet.state.db import make_engine, unit_of_work
    from egovnet.state.models import UsageDay, UsageSample

    ok("init")
    _insert_link("青浦区华新镇华腾路1号", status="active")
    engine = make_engine(db_url())
    big = 2**64 - 1 - 2**63  # the largest a signed BIGINT holds: 9223372036854775807
    with unit_of_work(engine) as s:
        s.add(UsageSample(link_id=1, device="zjj-sw1", port="GigabitEthernet0/0/1", in_octets=big,
                          out_octets=8_824_002_336_096))
        s.add(UsageDay(link_id=1, day=dt.date(2026, 9, 28), source="device", bytes_in=10_800_000_000_000,
                       bytes_out=2**31))
    with unit_of_work(engine, write=False) as s:
        sample, day = s.exec(select(UsageSample)).one(), s.exec(select(UsageDay)).one()
        assert (sample.in_octets, sample.out_octets, day.bytes_in, day.bytes_out) == (
            big, 8_824_002_336_096, 10_800_000_000_000, 2**31)
    engine.dispose()
