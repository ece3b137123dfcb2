import sqlite3
import subprocess
import sys
import textwrap

import pytest

from conftest import ON_POSTGRES, db_url, fails, ok, sql


def test_migrated_blank_database_equals_the_models(tmp_path):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlmodel import SQLModel

    import egovnet.state.models  # noqa: F401
    from egovnet.state.db import HEAD_REVISION, current_revision, make_engine, upgrade

    engine = make_engine(db_url())  # this test's blank database, SQLite or PostgreSQL
    assert upgrade(engine, tmp_path) == {"from": None, "to": HEAD_REVISION, "backup": None}
    assert current_revision(engine) == HEAD_REVISION
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), SQLModel.metadata)
    assert diff == []
    engine.dispose()


def test_head_revision_constant_matches_the_scripts():
    from alembic.script import ScriptDirectory

    from egovnet.state.db import HEAD_REVISION, MIGRATIONS

    assert ScriptDirectory(str(MIGRATIONS)).get_current_head() == HEAD_REVISION


def test_init_creates_then_reports_up_to_date(_home):
    r = ok("init", "--json")
    from egovnet.state.db import HEAD_REVISION

    assert r.json()["from"] is None and r.json()["to"] == HEAD_REVISION
    assert (_home / "egovnet.db").exists() != ON_POSTGRES
    r = ok("init")
    assert r.err.endswith(f"is up to date (schema {HEAD_REVISION})\n")


def test_other_commands_create_the_schema_on_first_use(_home):
    assert ok("dept", "list", "--json").json() == []
    from egovnet.state.db import HEAD_REVISION

    assert sql("SELECT version_num FROM alembic_version") == [(HEAD_REVISION,)]
    if not ON_POSTGRES:
        assert sql("PRAGMA journal_mode") == [("wal",)]


@pytest.mark.sqlite_only(reason="the file backup before a migration is SQLite's; PostgreSQL DDL is transactional")
def test_a_0001_database_is_backed_up_and_upgraded(_home):
    """A real migration: a database made at 0001 with data in it moves to head, data kept, file backed up."""
    from egovnet.state.db import HEAD_REVISION, alembic_config, make_engine
    from alembic import command

    engine = make_engine(f"sqlite:///{_home / 'egovnet.db'}")
    with engine.begin() as conn:
        command.upgrade(alembic_config(engine, conn), "0001")
    with engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO department (name, contact, created_at) VALUES ('区农业农村委', '', "
                             "'2026-01-01 00:00:00')")
    engine.dispose()
    assert ok("dept", "list", "--json").json() == [{"id": 1, "name": "区农业农村委", "contact": "", "units": 0}]
    con = sqlite3.connect(_home / "egovnet.db")
    assert con.execute("SELECT version_num FROM alembic_version").fetchall() == [(HEAD_REVISION,)]
    backups = list((_home / "backups" / "db").glob("*.db"))
    assert len(backups) == 1
    old = sqlite3.connect(backups[0])
    assert old.execute("SELECT version_num FROM alembic_version").fetchall() == [("0001",)]


def test_an_unknown_newer_schema_is_refused(_home):
    ok("dept", "add", "区农业农村委")
    sql("UPDATE alembic_version SET version_num = '0000'")  # a revision this egovnet does not know
    from egovnet.state.db import _known_revisions

    assert "0000" not in _known_revisions()
    r = fails(1, "dept", "list")
    assert "schema revision '0000' is newer than this egovnet knows; upgrade egovnet" in r.err


def test_event_log_is_append_only(_home):
    from sqlalchemy.exc import DBAPIError

    ok("dept", "add", "区农业农村委")
    statements = ["UPDATE event SET actor = 'someone'", "DELETE FROM event"]
    if ON_POSTGRES:  # row triggers do not fire on TRUNCATE; a statement trigger refuses it (SQLite has none)
        statements += ["TRUNCATE event", "TRUNCATE event CASCADE"]
    for statement in statements:
        with pytest.raises(DBAPIError, match="the event log is append-only"):
            sql(statement)
    assert sql("SELECT actor, action, article FROM event") == [("bdc.engineer", "create", 10)]


def test_event_records_real_time_and_effective_date(_home):
    ok("dept", "add", "区农业农村委", today="2026-01-05")
    ev = ok("log", "list", "--json").json()[0]
    assert ev["effective_date"] == "2026-01-05"
    assert ev["at"][:4] >= "2026" and ev["at"] != ev["effective_date"]


def test_unreachable_database_is_one_error_line(tmp_path):
    r = fails(1, "--db", "sqlite:////proc/no/such/dir/x.db", "dept", "list")
    assert r.err.startswith("Error: cannot open database sqlite:////proc/no/such/dir/x.db:")


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
            errors.append(res.stderr)
    print(json.dumps(errors))
""")


def test_two_processes_file_200_applications_each(_home, tmp_path):
    """Read-then-write under BEGIN IMMEDIATE: nothing lost, never 'database is locked', one shared link."""
    from conftest import DEPT

    ok("dept", "add", DEPT)
    from egovnet.services.context import Ctx
    from egovnet.services.directory import UnitInput, add_unit
    from egovnet.settings import Settings

    ctx = Ctx.from_settings(Settings.resolve())
    for i in range(400):
        add_unit(ctx, UnitInput(name=f"村委会{i:03d}", code=f"u{i:03d}", category="village", dept=DEPT,
                                address="青浦区华新镇华腾路1号", mlps_level=2))
    from egovnet.state.db import dispose_all

    dispose_all()
    script = tmp_path / "worker.py"
    script.write_text(WORKER)
    procs = [subprocess.Popen([sys.executable, str(script), str(s), "200"], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, cwd=tmp_path) for s in (0, 200)]
    outs = [p.communicate(timeout=300) for p in procs]
    for p, (out, err) in zip(procs, outs):
        assert p.returncode == 0, err
        assert out.strip() == "[]", out[:2000]
    rows = ok("review", "list", "--json").json()
    assert len(rows) == 400
    assert sorted(r["id"] for r in rows) == list(range(1, 401))
    assert {r["link_id"] for r in rows} == {1}  # every unit at the one address joined the one link
    assert sql("SELECT count(*) FROM link") == [(1,)]
    assert sql("SELECT count(*) FROM event WHERE action = 'file'") == [(400,)]


def test_upgrade_to_0005_closes_the_applications_of_links_closed_for_non_use(tmp_path):
    """A database from before change requests: its idle-closed link's application ends with the link (Art. 15)."""
    from alembic import command
    from sqlalchemy import text

    from egovnet.state.db import HEAD_REVISION, alembic_config, make_engine, upgrade

    engine = make_engine(db_url())
    with engine.begin() as conn:
        command.upgrade(alembic_config(engine, conn), "0004")
    yes, no = {"yes": True, "no": False}, {"no": False}
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO department (id, name, contact, created_at) VALUES (1, 'd', '', '2026-01-01')"))
        conn.execute(text(
            "INSERT INTO unit (id, name, code, category, dept_id, town, address, address_key, budget_unit, contact, "
            "justification, created_at, updated_at) VALUES (1, 'u', 'u1', 'village', 1, '', '', '', :yes, '', '', "
            "'2026-01-01', '2026-01-01')"), yes)
        for link_id, status in ((1, "closed_idle"), (2, "active")):
            conn.execute(text(
                "INSERT INTO link (id, address, address_key, mode, status, bandwidth_mbps, created_at) "
                f"VALUES ({link_id}, 'a', 'a{link_id}', 'dedicated', '{status}', 50, '2026-01-01')"))
            conn.execute(text(
                "INSERT INTO application (id, unit_id, dept_id, link_id, joined_link, separate_link_reason, kind, basis, "
                "scope, mode, purpose, bandwidth_mbps, technical, time_requirement, cost_bearer, features, received_on, "
                "review_due, review_due_provisional, status, filed_by, reason, construction_due_provisional, created_at) "
                f"VALUES ({link_id}, 1, 1, {link_id}, :no, '', 'new', '', '', 'dedicated', '', 50, '', '', 'budget', '{{}}', "
                "'2026-01-01', '2026-01-08', :no, 'active', 'x', '', :no, '2026-01-01')"), no)
    assert upgrade(engine, tmp_path)["to"] == HEAD_REVISION
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT id, status, reopen_reason FROM application ORDER BY id")).all()
    assert [tuple(r) for r in rows] == [(1, "closed", ""), (2, "active", "")]
    engine.dispose()
