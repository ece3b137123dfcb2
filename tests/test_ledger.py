"""The tamper-evident event log: a hash chain under a key kept outside the database (issue 10, item 3).

Tampering goes through the database URL with the append-only triggers dropped, as someone with write access
to the database would do it; every case must name the first event touched and exit 1."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import textwrap

import pytest

from egovnet.state.db import HEAD_REVISION
from conftest import REPO, fails, file_app, ok, run

GUARDS = {"sqlite": ["DROP TRIGGER IF EXISTS event_no_update", "DROP TRIGGER IF EXISTS event_no_delete"],
          "postgresql": ["DROP TRIGGER IF EXISTS event_append_only ON event"]}


def db_url(home) -> str:
    return os.environ.get("EGOVNET_DB") or f"sqlite:///{home / 'egovnet.db'}"


def tamper(home, *statements: str, params: list[dict] | None = None) -> None:
    """Drop the append-only triggers and run SQL on the database, bypassing egovnet."""
    from sqlalchemy import text

    from egovnet.state.db import make_engine

    engine = make_engine(db_url(home))
    with engine.begin() as conn:
        for sql in GUARDS[conn.dialect.name]:
            conn.exec_driver_sql(sql)
        for sql in statements:
            conn.execute(text(sql), params or {})
    engine.dispose()


def query(home, sql: str) -> list[tuple]:
    from sqlalchemy import text

    from egovnet.state.db import make_engine

    engine = make_engine(db_url(home))
    with engine.connect() as conn:
        rows = [tuple(r) for r in conn.execute(text(sql)).all()]
    engine.dispose()
    return rows


def problem_of(*args) -> dict:
    r = run("log", "verify", "--json", *args)
    assert r.code == 1, f"exit {r.code}\nstdout: {r.out}\nstderr: {r.err}"
    assert r.err.startswith("Error: the event log does not verify: ") and r.err.count("\n") == 1, r.err
    data = json.loads(r.out)
    assert data["ok"] is False
    return data["first_problem"]


@pytest.fixture
def log10(directory, _home):
    """A department, three units and the MLPS assessments of two of them, three applications and their two links,
    one approval and its notice: 13 events."""
    for code in ("zjj-zhangma", "zjj-zhangma-ws", "zjj-anzhuang"):
        file_app(code)
    ok("review", "approve", "1", user="bdc.reviewer")
    assert query(_home, "SELECT count(*) FROM event") == [(13,)]


def test_an_untouched_log_verifies(log10, _home):
    r = ok("log", "verify", "--json")
    data = r.json()
    head = query(_home, "SELECT id, seq, hmac FROM event ORDER BY id DESC")[0]
    assert data["ok"] is True and data["first_problem"] is None and data["checked"] == 13 and data["mode"] == "full"
    assert data["head"] == {"event": head[0], "position": 13, "hmac": head[2]}
    assert [r[1] for r in query(_home, "SELECT id, seq FROM event ORDER BY id")] == list(range(1, 14))
    text = ok("log", "verify")
    assert text.out.startswith(f"event log intact: 13 events checked (full) up to event {head[0]} (chain position 13, ")
    assert ok("log", "verify", "--recent", "3", "--json").json()["checked"] == 3
    fails(2, "log", "verify", "--full", "--recent", "3")


def test_a_changed_actor_is_named(log10, _home):
    tamper(_home, "UPDATE event SET actor = 'bdc.engineer' WHERE id = 12")   # who approved application 1
    p = problem_of()
    assert p == {"event": 12, "position": 12, "problem": "changed",
                 "detail": "event 12 (chain position 12) was changed after it was written: its content no longer "
                           "matches its HMAC"}


def test_a_changed_detail_in_the_middle_is_named(log10, _home):
    tamper(_home, "UPDATE event SET \"after\" = '{\"name\": \"x\"}' WHERE id = 2")
    assert problem_of()["event"] == 2 and problem_of()["problem"] == "changed"


def test_a_changed_hmac_is_named(log10, _home):
    tamper(_home, "UPDATE event SET hmac = :h WHERE id = 4", params={"h": "00" * 32})
    assert problem_of() == {"event": 4, "position": 4, "problem": "changed",
                            "detail": "event 4 (chain position 4) was changed after it was written: its content no "
                                      "longer matches its HMAC"}


def test_a_deleted_event_is_named(log10, _home):
    tamper(_home, "DELETE FROM event WHERE id = 5")
    assert problem_of() == {"event": 6, "position": 6, "problem": "deleted",
                            "detail": "1 event deleted before event 6: chain position 5 missing after event 4"}


def test_a_cut_off_tail_is_seen_from_the_home(log10, _home):
    tamper(_home, "DELETE FROM event WHERE id >= 9")
    p = problem_of()
    assert p["problem"] == "deleted" and p["event"] is None and p["position"] == 9
    assert p["detail"] == (f"the newest events were deleted: the log ends at event 8 (chain position 8), but this "
                           f"home saw it reach chain position 13 ({_home / 'log.head'})")


GHOST = ("INSERT INTO event (at, effective_date, actor, role, object_type, object_id, action, article, "
         "seq, prev_hash, hmac) VALUES ('2020-01-02 09:00:00.000000', '2020-01-02', 'bdc.reviewer', 'bdc', "
         "'application', 3, 'approve', 12, :seq, :prev, :hmac)")


def test_a_ghost_from_2020_is_named(log10, _home):
    tamper(_home, GHOST, params={"seq": None, "prev": None, "hmac": None})
    ghost = query(_home, "SELECT max(id) FROM event")[0][0]
    assert problem_of() == {"event": ghost, "position": None, "problem": "inserted",
                            "detail": f"event {ghost} carries no chain hash: it was written outside egovnet"}
    # egovnet keeps writing a valid chain past it; the ghost stays named
    ok("dept", "add", "区农业农村委")
    assert problem_of()["event"] == ghost


def test_a_ghost_with_forged_chain_fields_is_named(log10, _home):
    last = query(_home, "SELECT hmac FROM event WHERE seq = 13")[0][0]
    tamper(_home, GHOST, params={"seq": 14, "prev": last, "hmac": "ab" * 32})
    ghost = query(_home, "SELECT max(id) FROM event")[0][0]
    p = problem_of()
    assert (p["event"], p["position"], p["problem"]) == (ghost, 14, "inserted")


def test_a_copied_event_is_named(log10, _home):
    cols = "at, effective_date, actor, role, object_type, object_id, action, article, seq, prev_hash, hmac"
    tamper(_home, f"INSERT INTO event ({cols}) SELECT {cols.replace('seq', 'seq + 100')} FROM event WHERE id = 13")
    p = problem_of()
    assert p["problem"] == "inserted" and p["event"] == 14


def test_two_swapped_events_are_named(log10, _home):
    cols = ["at", "effective_date", "actor", "role", "object_type", "object_id", "action", "article", "before",
            "after", "seq", "prev_hash", "hmac", "db_role"]
    quoted = ", ".join(f'"{c}"' for c in cols)
    a, b = query(_home, f"SELECT {quoted} FROM event WHERE id IN (4, 5) ORDER BY id")
    sets = ", ".join(f'"{c}" = :{c}' for c in cols)
    from sqlalchemy import text

    from egovnet.state.db import make_engine

    engine = make_engine(db_url(_home))
    with engine.begin() as conn:
        for sql in GUARDS[conn.dialect.name]:
            conn.exec_driver_sql(sql)
        conn.execute(text("UPDATE event SET seq = NULL WHERE id IN (4, 5)"))   # the unique index on seq
        for target, row in ((4, b), (5, a)):
            values = dict(zip(cols, row))
            for j in ("before", "after"):
                if isinstance(values[j], (dict, list)):
                    values[j] = json.dumps(values[j], ensure_ascii=False, sort_keys=True, separators=(",", ":"))
            conn.execute(text(f"UPDATE event SET {sets} WHERE id = {target}"), values)
    engine.dispose()
    p = problem_of()
    assert p == {"event": 4, "position": 5, "problem": "reordered",
                 "detail": "event 4 is out of order: it is chain position 5, but position 4 (event 5) comes first "
                           "after event 3"}


def test_recent_checks_only_the_newest_events(log10, _home):
    tamper(_home, "UPDATE event SET actor = 'office.duty' WHERE id = 2")
    assert ok("log", "verify", "--recent", "5", "--json").json()["ok"] is True
    assert problem_of("--full")["event"] == 2
    assert problem_of("--recent", "11")["event"] == 2   # the window (events 3-13) hangs from event 2


def _shown(url: str) -> str:
    """A database URL as egovnet prints it: never with its password."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def test_init_restores_the_triggers_and_says_so(log10, _home):
    tamper(_home)
    r = ok("init")
    names = ("event_no_update, event_no_delete" if db_url(_home).startswith("sqlite") else "event_append_only")
    assert r.err == (f"restored the event log's append-only trigger(s) {names}: someone had removed them; check "
                     "the whole log with 'egovnet log verify --full'\n"
                     f"database {_shown(db_url(_home))} is up to date (schema {HEAD_REVISION})\n")
    assert ok("init").err.endswith(f"is up to date (schema {HEAD_REVISION})\n")
    with pytest.raises(Exception, match="append-only"):
        tamper_without_dropping(_home, "UPDATE event SET actor = 'x' WHERE id = 1")


def tamper_without_dropping(home, sql):
    from sqlalchemy import text

    from egovnet.state.db import make_engine

    engine = make_engine(db_url(home))
    try:
        with engine.begin() as conn:
            conn.execute(text(sql))
    finally:
        engine.dispose()


def test_init_reports_a_broken_chain_instead_of_up_to_date(log10, _home):
    tamper(_home, "DELETE FROM event WHERE id = 3")
    r = run("init")
    assert r.code == 1, r
    lines = r.err.splitlines()
    assert lines[0].startswith("restored the event log's append-only trigger")
    assert lines[1] == ("Error: the event log does not verify: 1 event deleted before event 4: chain position 3 "
                        "missing after event 2 (Art. 7: the BDC keeps the extranet's record); run 'egovnet log verify "
                        "--full', and restore the database from a backup taken before that event")
    assert len(lines) == 2 and "up to date" not in r.err


@pytest.mark.parametrize("audit", [["audit", "sla"], ["audit", "idle"]])
def test_audits_refuse_a_rewritten_log(log10, _home, audit):
    ok(*audit)
    tamper(_home, "UPDATE event SET actor = 'bdc.reviewer' WHERE id = 6")
    before = query(_home, "SELECT count(*) FROM event")
    r = fails(1, *audit)
    assert r.err.startswith("Error: the event log does not verify: event 6 (chain position 6) was changed after it "
                            "was written")
    assert r.out == "" and query(_home, "SELECT count(*) FROM event") == before


def test_the_key_file_is_private_and_kept_out_of_everything(log10, _home):
    key_file = _home / "log.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    key = key_file.read_text().strip()
    assert len(key) == 64
    outputs = [run("log", "list", "--json"), run("log", "verify", "--json"), run("init", "--json")]
    for r in outputs:
        assert key not in r.out and key not in r.err
    if db_url(_home).startswith("sqlite"):
        assert key.encode() not in (_home / "egovnet.db").read_bytes()
    key_file.chmod(0o644)
    r = fails(1, "dept", "add", "区农业农村委")
    assert r.err == (f"Error: the event log key {key_file} is readable by group or others (mode 0644); restrict it "
                     f"with 'chmod 600 {key_file}' (the key authenticates the event log)\n")
    assert key not in r.err
    assert query(_home, "SELECT count(*) FROM department") == [(1,)]
    fails(1, "log", "verify")


def test_a_missing_key_refuses_writes_to_an_existing_log(log10, _home):
    (_home / "log.key").unlink()
    r = fails(1, "dept", "add", "区农业农村委")
    assert r.err == (f"Error: the event log key {_home / 'log.key'} is missing; restore it from a backup or set "
                     "EGOVNET_LOG_KEY (without it no event can be written or verified)\n")
    assert query(_home, "SELECT count(*) FROM department") == [(1,)]


def test_the_key_can_come_from_the_environment(monkeypatch, _home):
    monkeypatch.setenv("EGOVNET_LOG_KEY", "k" * 40)
    ok("dept", "add", "区农业农村委")
    assert not (_home / "log.key").exists()
    assert ok("log", "verify", "--json").json()["ok"] is True
    monkeypatch.setenv("EGOVNET_LOG_KEY", "j" * 40)   # another key: the log does not verify under it
    assert problem_of()["problem"] == "changed"
    monkeypatch.setenv("EGOVNET_LOG_KEY", "zq9-secret")
    r = fails(1, "log", "verify")
    assert "zq9-secret" not in r.err and "EGOVNET_LOG_KEY is shorter than 32 characters" in r.err


def test_bulk_imports_chain_too(_home):
    r = ok("unit", "import", str(REPO / "examples" / "qingpu-villages.csv"), "--create-depts", "--json")
    n = query(_home, "SELECT count(*) FROM event")[0][0]
    assert n > 200, r.out
    assert ok("log", "verify", "--json").json()["checked"] == n


def test_concurrent_writers_make_one_chain(_home):
    """Two processes, 60 departments each, at once: one chain, positions 1..120, no gap, no fork."""
    ok("init")
    script = textwrap.dedent("""
        import sys
        from egovnet.services import directory
        from egovnet.services.context import Ctx
        from egovnet.settings import Settings
        ctx = Ctx.from_settings(Settings.resolve())
        for i in range(60):
            directory.add_dept(ctx, f"部门{sys.argv[1]}-{i}", "")
    """)
    env = {**os.environ}
    procs = [subprocess.Popen([sys.executable, "-c", script, tag], env=env, cwd=os.getcwd()) for tag in "AB"]
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    seqs = [r[0] for r in query(_home, "SELECT seq FROM event ORDER BY id")]
    assert seqs == list(range(1, 121))
    assert ok("log", "verify", "--json").json()["checked"] == 120


def test_upgrading_a_0005_database_chains_its_events(tmp_path, _home):
    """A database at schema 0005 with events: the upgrade hashes them in order, keeps their content, and puts
    the triggers back."""
    from alembic import command
    from sqlalchemy import text

    from egovnet.state.db import alembic_config, make_engine

    url = db_url(_home)
    _home.mkdir(parents=True, exist_ok=True)
    engine = make_engine(url)
    with engine.begin() as conn:
        cfg = alembic_config(engine, conn)
        cfg.attributes["home"] = _home
        command.upgrade(cfg, "0005")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO event (at, effective_date, actor, role, object_type, object_id, action, "
                          "article, \"before\", \"after\") VALUES (:at, :d, :actor, 'bdc', 'unit', :i, 'update', 9, "
                          ":b, :a)"),
                     # one time stored without microseconds: the upgrade stores it again in the usual form
                     [{"at": f"2026-09-{i + 1:02d} 08:00:00" + (".000000" if i > 1 else ""), "d": f"2026-09-{i + 1:02d}",
                       "actor": "bdc.engineer", "i": i, "b": json.dumps({"z": 1, "mlps_level": i}),
                       "a": json.dumps({"mlps_level": i + 1, "contact": "信息办"})} for i in range(1, 6)])
    engine.dispose()
    assert not (_home / "log.key").exists()
    r = ok("init", "--json")
    assert r.json()["from"] == "0005" and r.json()["to"] == HEAD_REVISION
    assert stat.S_IMODE((_home / "log.key").stat().st_mode) == 0o600
    assert ok("log", "verify", "--json").json()["checked"] == 5
    events = ok("log", "list", "--json").json()
    assert [e["before"] for e in events] == [{"z": 1, "mlps_level": i} for i in range(5, 0, -1)]
    assert [r[0] for r in query(_home, "SELECT seq FROM event ORDER BY id")] == [1, 2, 3, 4, 5]
    ok("dept", "add", "区农业农村委")    # new events continue the migrated chain
    assert ok("log", "verify", "--json").json()["checked"] == 6
    with pytest.raises(Exception, match="append-only"):
        tamper_without_dropping(_home, "DELETE FROM event WHERE id = 1")


def test_database_role_is_recorded_on_postgresql_only(_home):
    ok("dept", "add", "区农业农村委")
    role = query(_home, "SELECT db_role FROM event")[0][0]
    if db_url(_home).startswith("sqlite"):
        assert role is None
    else:
        assert role == query(_home, "SELECT current_user")[0][0]
        assert ok("log", "list", "--json").json()[0]["db_role"] == role


def test_init_enables_a_disabled_trigger_on_postgresql(_home):
    ok("dept", "add", "区农业农村委")
    if db_url(_home).startswith("sqlite"):
        pytest.skip("PostgreSQL only: SQLite triggers cannot be disabled")
    tamper_without_dropping(_home, "ALTER TABLE event DISABLE TRIGGER event_append_only")
    r = ok("init")
    assert r.err.startswith("restored the event log's append-only trigger(s) event_append_only (it was disabled): ")
    with pytest.raises(Exception, match="append-only"):
        tamper_without_dropping(_home, "DELETE FROM event")


def test_sqlite_builds_the_same_message_as_python(_home):
    """The fast walk on SQLite lets json_array build each message; it must equal Python's for any text."""
    if not db_url(_home).startswith("sqlite"):
        pytest.skip("SQLite only")
    import datetime as dt
    from types import SimpleNamespace

    from egovnet.services import events
    from egovnet.state.db import make_engine, unit_of_work

    ok("init")
    tricky = 'a"b\\c\n\r\t\b\f\x01\x1f\x7f é 政务 \u2028\u2029 😀 </script>'
    ctx = SimpleNamespace(home=_home, today=dt.date(2026, 9, 28), user=tricky)
    engine = make_engine(db_url(_home))
    with unit_of_work(engine) as s:
        events.record(s, ctx, "unit", 1, "update", role="bdc", article=None,
                      before={tricky: tricky, "n": [1, 2.5, None, True]}, after={"z": {"y": tricky}})
    with engine.connect() as conn:
        rows = events._rows(conn, None)
    engine.dispose()
    r = rows[0]
    assert len(r) == 16
    python = events._message([events.CHAIN_VERSION, r[1], r[2], *r[4:15]])
    assert r[15] == python
    assert ok("log", "verify", "--json").json()["ok"] is True


def _savepoint_ctx(_home):
    from egovnet.services.context import Ctx
    from egovnet.settings import Settings

    return Ctx.from_settings(Settings.resolve())


def test_a_savepoint_neither_writes_the_head_nor_drops_queued_events(_home):
    """A savepoint (the notice register takes its number in one) is not the commit: the head file moves only when
    the transaction around it commits, and a savepoint rolled back keeps the events queued before it."""
    from egovnet.services import events
    from egovnet.state.db import unit_of_work

    ok("dept", "add", "区农业农村委")
    head_before = (_home / "log.head").read_text()
    ctx = _savepoint_ctx(_home)
    with unit_of_work(ctx.engine) as s:
        events.record(s, ctx, "dept", 1, "update", article=10, before={"note": ""}, after={"note": "一"})
        with s.begin_nested():        # released: chaining waits for the real commit
            pass
        assert (_home / "log.head").read_text() == head_before
        nested = s.begin_nested()     # rolled back, as the register does when a concurrent writer took the number
        nested.rollback()
        events.record(s, ctx, "dept", 1, "update", article=10, before={"note": "一"}, after={"note": "二"})
    assert query(_home, "SELECT seq, action FROM event ORDER BY seq") == [(1, "create"), (2, "update"), (3, "update")]
    assert [h["seq"] for h in json.loads((_home / "log.head").read_text()).values()] == [3]
    assert ok("log", "verify", "--json").json()["checked"] == 3


def test_a_wave_killed_before_its_commit_leaves_a_log_that_verifies(_home):
    """`review approve --all-from-import` numbers one notice per approval inside the wave's transaction; killed
    half-way, nothing of the wave is in the database, and the log verifies (the head file did not run ahead)."""
    import signal
    import time

    ok("unit", "import", str(REPO / "examples" / "qingpu-villages.csv"), "--create-depts")
    ok("apply", "--batch", str(REPO / "examples" / "qingpu-villages.csv"))
    before = query(_home, "SELECT count(*) FROM event")[0][0]
    env = {**os.environ, "EGOVNET_USER": "bdc.reviewer"}
    p = subprocess.Popen([sys.executable, "-m", "egovnet", "review", "approve", "--all-from-import", "2"], env=env,
                         cwd=os.getcwd(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    notices = _home / "notices"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not any(notices.rglob("*.docx")):  # the wave is numbering notices
        time.sleep(0.05)
    p.send_signal(signal.SIGKILL)
    p.wait(timeout=30)
    assert query(_home, "SELECT count(*) FROM event")[0][0] == before
    assert ok("log", "verify", "--json").json()["ok"] is True
