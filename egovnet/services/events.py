"""The append-only event log: every change of state, with the article it applied.

The log is a hash chain. Each event carries its position in the chain (``seq``), the HMAC of its predecessor
(``prev_hash``) and an HMAC-SHA256 of its own canonical content, predecessor's HMAC included (``hmac``). The key
lives outside the database (``EGOVNET_HOME/log.key``, mode 0600, or ``EGOVNET_LOG_KEY``), so whoever can write
the database but not read the key cannot change, delete, insert or reorder an event without ``egovnet log
verify`` naming the first one touched. The newest chain position each home has seen is also kept outside the
database (``EGOVNET_HOME/log.head``): a chain alone cannot show that its tail was cut off.

Events are queued on the session and chained in one go just before it commits, after the transaction's other
writes: the chain head is read inside the write transaction (SQLite: ``BEGIN IMMEDIATE``; PostgreSQL: a
transaction-level advisory lock), so concurrent writers still produce one chain, and the lock is held only for
the moment between chaining and commit.
"""

from __future__ import annotations

import datetime as dt
import hmac as _hmac
import json
import os
import secrets
import stat
from pathlib import Path

from egovnet.errors import DatabaseError, InvalidConfig
from egovnet.state.models import Event

KEY_ENV = "EGOVNET_LOG_KEY"
KEY_FILE = "log.key"
HEAD_FILE = "log.head"
GENESIS = "0" * 64
CHAIN_VERSION = 1
RECENT = 1000                 # events checked by init and the audits
# pg_advisory_xact_lock key of the chain head: int.from_bytes(b"egovlog", "big")
PG_LOCK = 28555017848303463
_QUEUE = "egovnet_events"


class LogBroken(DatabaseError):
    """The event log's hash chain does not verify: an event was changed, deleted, inserted or reordered."""


# ---- the key ------------------------------------------------------------------------------------

def key_path(home) -> Path:
    return Path(home) / KEY_FILE


def load_key(home, *, create: bool = False) -> bytes:
    """The log key: ``EGOVNET_LOG_KEY``, else ``EGOVNET_HOME/log.key`` (created 0600 when ``create``).

    Never put the key itself in a message."""
    env = os.environ.get(KEY_ENV)
    if env is not None:
        if len(env.strip()) < 32:
            raise InvalidConfig(f"{KEY_ENV} is shorter than 32 characters; set it to a long random secret, "
                                "e.g. the output of 'openssl rand -hex 32'")
        return env.strip().encode()
    path = key_path(home)
    if not path.exists():
        if not create:
            raise InvalidConfig(f"the event log key {path} is missing; restore it from a backup or set {KEY_ENV} "
                                "(without it no event can be written or verified)")
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{KEY_FILE}.{os.getpid()}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32) + "\n")
        try:
            os.link(tmp, path)   # whole or not at all; a second process creating one at once keeps the first
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise InvalidConfig(f"the event log key {path} is readable by group or others (mode {mode:04o}); "
                            f"restrict it with 'chmod 600 {path}' (the key authenticates the event log)")
    text = path.read_text(encoding="ascii", errors="replace").strip()
    if len(text) < 32:
        raise InvalidConfig(f"the event log key {path} holds fewer than 32 characters; restore it from a backup")
    return text.encode()


# ---- canonical content and its HMAC -------------------------------------------------------------
# Every field enters the HMAC as the text the database holds: the UTC time as YYYY-MM-DDTHH:MM:SS.ffffff, the
# effective date as YYYY-MM-DD, ``before``/``after`` as canonical JSON (keys sorted, no spaces, UTF-8), which
# is also exactly what egovnet stores in those columns. Verifying then needs no JSON parsing.

def canon_at(value) -> str:
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is not None:
        value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return value.isoformat(timespec="microseconds")


def canon_day(value) -> str:
    return value if isinstance(value, str) else value.isoformat()


_canon = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False).encode


def canon_json(value) -> str | None:
    """The canonical JSON text of a ``before``/``after`` value (None for nothing)."""
    if not value:
        return None
    value = jsonable(value)
    try:
        return _canon(value)
    except TypeError:  # keys of mixed types: as the JSON column would read them back
        return _canon(json.loads(json.dumps(value, ensure_ascii=False)))


_message = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode


def mac(key: bytes, seq, prev, at: str, effective_date: str, actor, role, object_type, object_id, action, article,
        before: str | None, after: str | None, db_role) -> str:
    """HMAC-SHA256 of one event's canonical content: a compact JSON array of its fields as stored."""
    text = _message([CHAIN_VERSION, seq, prev, at, effective_date, actor, role, object_type, object_id, action,
                     article, before, after, db_role])
    return _hmac.digest(key, text.encode(), "sha256").hex()


# ---- writing ------------------------------------------------------------------------------------

def jsonable(value):
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    return value


def snapshot(row, fields) -> dict:
    return {f: jsonable(getattr(row, f)) for f in fields}


def diff(before: dict, after: dict) -> tuple[dict, dict]:
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


def record(session, ctx, object_type: str, object_id: int, action: str, *, role: str = "",
           article: int | None = None, before: dict | None = None, after: dict | None = None) -> None:
    """Queue one event; it is chained and written when the session commits."""
    from egovnet.state.models import utcnow

    _queue(session, ctx).append({
        "at": utcnow(), "effective_date": ctx.today, "actor": ctx.user, "role": role, "object_type": object_type,
        "object_id": object_id, "action": action, "article": article, "before": before, "after": after})


def append(session, ctx, rows: list[dict]) -> None:
    """Queue many events at once (imports): dicts with Event's columns; chained and written at commit."""
    _queue(session, ctx).extend(rows)


def _queue(session, ctx) -> list:
    queue = session.info.get(_QUEUE)
    if queue is None:
        from sqlalchemy import event

        key = load_key(ctx.home, create=not _has_events(session))
        queue = session.info[_QUEUE] = []
        session.info["egovnet_events_key"] = key
        session.info["egovnet_events_home"] = Path(ctx.home)
        if not session.info.get("egovnet_events_hooked"):
            session.info["egovnet_events_hooked"] = True
            event.listen(session, "before_commit", _chain_pending)
            event.listen(session, "after_commit", _remember_head)
            event.listen(session, "after_rollback", _drop_pending)
    return queue


def _has_events(session) -> bool:
    from sqlalchemy import select

    return session.execute(select(Event.__table__.c.id).limit(1)).first() is not None


# SQLAlchemy fires before_commit, after_commit and after_rollback for a SAVEPOINT too (``begin_nested``, which the
# notice register uses to take a number): the hooks act on the outermost transaction only. Otherwise releasing a
# savepoint would write the head file while the real commit is still to come (a process killed in between leaves
# a head ahead of the database: a false "newest events were deleted"), and a savepoint rolled back (a number taken
# by a concurrent writer, retried) would drop the events queued by the transaction around it.

def _drop_pending(session) -> None:
    if session.in_nested_transaction():
        return
    session.info.pop(_QUEUE, None)
    session.info.pop("egovnet_events_written", None)


def _chain_pending(session) -> None:
    from sqlalchemy import select

    if session.in_nested_transaction():
        return
    pending = session.info.pop(_QUEUE, None)
    if not pending:
        return
    session.flush()
    key = session.info["egovnet_events_key"]
    conn = session.connection()
    db_role = None
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({PG_LOCK})")
        db_role = conn.exec_driver_sql("SELECT current_user").scalar()
    t = Event.__table__
    head = conn.execute(select(t.c.seq, t.c.hmac).where(t.c.seq.is_not(None))
                        .order_by(t.c.seq.desc()).limit(1)).first()
    seq, prev = (head.seq, head.hmac or GENESIS) if head else (0, GENESIS)
    rows = []
    for r in pending:
        seq += 1
        at = r.get("at") or _now()
        day, role, article = r["effective_date"], r.get("role", ""), r.get("article")
        before, after = canon_json(r.get("before")), canon_json(r.get("after"))
        digest = mac(key, seq, prev, canon_at(at), canon_day(day), r["actor"], role, r["object_type"],
                     r["object_id"], r["action"], article, before, after, db_role)
        rows.append({"at": at, "effective_date": day, "actor": r["actor"], "role": role,
                     "object_type": r["object_type"], "object_id": r["object_id"], "action": r["action"],
                     "article": article, "b_before": before, "b_after": after, "seq": seq, "prev_hash": prev,
                     "hmac": digest, "db_role": db_role})
        prev = digest
    conn.execute(insert_statement(conn.dialect.name), rows)
    session.info["egovnet_events_written"] = (conn.engine.url, seq, prev)


def insert_statement(dialect: str):
    """INSERT of chained events whose ``before``/``after`` are given as the canonical JSON text itself."""
    from sqlalchemy import JSON, Text, bindparam, cast, insert

    def text_param(name):
        p = bindparam(f"b_{name}", type_=Text)
        return cast(p, JSON) if dialect == "postgresql" else p

    return insert(Event.__table__).values(before=text_param("before"), after=text_param("after"))


def _now():
    from egovnet.state.models import utcnow

    return utcnow()


def _remember_head(session) -> None:
    if session.in_nested_transaction():
        return
    written = session.info.pop("egovnet_events_written", None)
    if written:
        url, seq, digest = written
        try:
            remember_head(session.info["egovnet_events_home"], url, seq, digest)
        except OSError:  # the database holds the truth; the head file only helps to see a cut-off tail
            pass


# ---- the head kept outside the database ---------------------------------------------------------

def _db_label(url) -> str:
    try:
        return url.render_as_string(hide_password=True)
    except AttributeError:
        return str(url)


def _read_heads(home) -> dict:
    try:
        data = json.loads((Path(home) / HEAD_FILE).read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def remember_head(home, url, seq: int, digest: str) -> None:
    heads = _read_heads(home)
    label = _db_label(url)
    if heads.get(label, {}).get("seq", 0) >= seq:
        return
    heads[label] = {"seq": seq, "hmac": digest}
    path = Path(home) / HEAD_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{HEAD_FILE}.{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(heads, f, indent=1, sort_keys=True)
    os.replace(tmp, path)


def forget_head(home, url) -> None:
    """A new, empty database starts a new chain."""
    heads = _read_heads(home)
    if heads.pop(_db_label(url), None) is not None:
        path = Path(home) / HEAD_FILE
        tmp = path.with_name(f".{HEAD_FILE}.{os.getpid()}")
        tmp.write_text(json.dumps(heads, indent=1, sort_keys=True), encoding="utf-8")
        os.replace(tmp, path)


# ---- verifying ----------------------------------------------------------------------------------

_FIELDS = {
    "sqlite": ("id, seq, prev_hash, hmac, substr(at, 1, 10) || 'T' || substr(at, 12), effective_date, actor, role, "
               "object_type, object_id, action, article, \"before\", \"after\", db_role"),
    "postgresql": ("id, seq, prev_hash, hmac, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US'), "
                   "to_char(effective_date, 'YYYY-MM-DD'), actor, role, object_type, object_id, action, article, "
                   "\"before\"::text, \"after\"::text, db_role"),
}
# SQLite builds the canonical message itself (json_array escapes exactly as Python's json with ensure_ascii off:
# quote, backslash, \b \t \n \f \r and \u00XX below 0x20); a row whose SQL-built message fails is checked again
# with Python's, so this only makes the walk faster, never changes its verdict.
_SQL_MESSAGE = {
    "sqlite": (f", json_array({CHAIN_VERSION}, seq, prev_hash, substr(at, 1, 10) || 'T' || substr(at, 12), effective_date, actor, "
               "role, object_type, object_id, action, article, \"before\", \"after\", db_role)"),
}


class _Row(tuple):
    __slots__ = ()
    id = property(lambda self: self[0])
    seq = property(lambda self: self[1])
    prev_hash = property(lambda self: self[2])
    hmac = property(lambda self: self[3])


def _rows(conn, recent: int | None) -> list:
    fields = _FIELDS.get(conn.dialect.name)
    if fields is None:
        raise DatabaseError(f"egovnet log verify knows SQLite and PostgreSQL, not {conn.dialect.name}")
    sql = f"SELECT {fields}{_SQL_MESSAGE.get(conn.dialect.name, '')} FROM event"
    if recent is not None:
        from sqlalchemy import select

        t = Event.__table__
        first = conn.execute(select(t.c.id).order_by(t.c.id.desc()).offset(recent).limit(1)).scalar()
        if first is not None:   # one more than asked: the anchor the window hangs from
            sql += f" WHERE id >= {int(first)}"
    cur = conn.connection.cursor()   # the driver's own tuples: a third faster than Result rows
    try:
        cur.execute(sql + " ORDER BY id")
        return cur.fetchall()
    finally:
        cur.close()


def _digest(key, r) -> str:
    return mac(key, *r[1:3], *r[4:15])


def _walk(key, body, expected_seq, expected_prev):
    """The index of the first row that does not hang from its predecessor (None if all do), and the chain's end."""
    digest, same = _hmac.digest, _hmac.compare_digest
    if body and len(body[0]) > 15:   # the database built each message
        for i, r in enumerate(body):
            seq, h = r[1], r[3]
            if (h is None or seq != expected_seq or r[2] != expected_prev
                    or not same(h, digest(key, r[15].encode(), "sha256").hex()) and not same(h, _digest(key, r))):
                return i, expected_seq, expected_prev
            expected_seq, expected_prev = seq + 1, h
        return None, expected_seq, expected_prev
    enc = _message
    for i, (_id, seq, prev, h, at, day, actor, role, otype, oid, action, art, bef, aft, dbr) in enumerate(body):
        if h is None or seq != expected_seq or prev != expected_prev or not same(h, digest(key, enc(
                [CHAIN_VERSION, seq, prev, at, day, actor, role, otype, oid, action, art, bef, aft, dbr]
                ).encode(), "sha256").hex()):
            return i, expected_seq, expected_prev
        expected_seq, expected_prev = seq + 1, h
    return None, expected_seq, expected_prev


def verify(engine, home, *, recent: int | None = None) -> dict:
    """Walk the chain (all of it, or the newest ``recent`` events) and name the first event that is wrong."""
    import time

    started = time.perf_counter()
    with engine.execution_options(egovnet_write=False).connect() as conn:   # a reader: no write lock
        rows = _rows(conn, recent)
    key = load_key(home, create=not rows)
    problem = None
    if recent is not None and len(rows) > recent:   # the anchor: authentic itself, its successors hang from it
        anchor, body = _Row(rows[0]), rows[1:]
        problem = _check_alone(key, anchor, _Row(body[0]) if body else None)
        expected_seq, expected_prev = (anchor.seq or 0) + 1, anchor.hmac
    else:
        anchor, body = None, rows
        expected_seq, expected_prev = 1, GENESIS
    if problem is None:
        bad, expected_seq, expected_prev = _walk(key, body, expected_seq, expected_prev)
        if bad is not None:
            mark = _read_heads(home).get(_db_label(engine.url), {}).get("seq", 0)
            problem = _classify(key, body, bad, anchor, expected_seq, expected_prev, mark)
    problem = problem or _check_head(home, engine.url, rows, problem)
    last = _Row(rows[-1]) if rows else None
    head = {"event": last.id, "position": last.seq, "hmac": last.hmac} if last else None
    return {"ok": problem is None, "checked": len(body), "mode": "full" if recent is None else f"recent {recent}",
            "first_problem": problem, "head": head, "seconds": round(time.perf_counter() - started, 3)}


def _classify(key, body, i, anchor, expected_seq, expected_prev, seen_here: int) -> dict:
    """What is wrong with body[i], the first event that does not hang from its predecessor."""
    r = _Row(body[i])
    nxt = _Row(body[i + 1]) if i + 1 < len(body) else None
    prev_id = body[i - 1][0] if i > 0 else (anchor.id if anchor is not None else None)
    if r.seq is None or r.hmac is None:
        return _problem(r, "inserted", f"event {r.id} carries no chain hash: it was written outside egovnet")
    if not _authentic(key, r):
        fits = r.seq == expected_seq and r.prev_hash == expected_prev
        around = nxt is not None and nxt.prev_hash == expected_prev          # the chain goes around this row
        held = nxt is not None and nxt.prev_hash == r.hmac                    # the next event hangs from it
        unseen = nxt is None and 0 < seen_here < (r.seq or 0)                 # a newest event this home never saw
        if around or unseen or not (fits or held):
            return _problem(r, "inserted", f"event {r.id} is not part of the chain: its HMAC is not one egovnet "
                                           "wrote (an inserted event)")
        detail = (f"event {r.id} (chain position {r.seq}) was changed after it was written: its content no "
                  "longer matches its HMAC")
        if i == 0 and nxt is not None and not _authentic(key, nxt):
            detail += " (if every event fails, the log key is not the one this log was written with)"
        return _problem(r, "changed", detail)
    after_what = f"event {prev_id}" if prev_id is not None else "the start of the log"
    seen = {row[1]: row[0] for row in body[:i]}
    if r.seq in seen or (anchor is not None and r.seq <= (anchor.seq or 0)):
        earlier = seen.get(r.seq, anchor.id if anchor is not None else None)
        return _problem(r, "inserted", f"event {r.id} repeats chain position {r.seq} of event {earlier} "
                                       "(a copied event)")
    if r.seq > expected_seq:
        later = next((row[0] for row in body[i + 1:] if row[1] == expected_seq), None)
        if later is not None:
            return _problem(r, "reordered", f"event {r.id} is out of order: it is chain position {r.seq}, but "
                                            f"position {expected_seq} (event {later}) comes first after {after_what}")
        gone = r.seq - expected_seq
        span = f"position {expected_seq}" if gone == 1 else f"positions {expected_seq}-{r.seq - 1}"
        return _problem(r, "deleted", f"{gone} event{'s' if gone > 1 else ''} deleted before event {r.id}: chain "
                                      f"{span} missing after {after_what}")
    if r.seq < expected_seq:
        return _problem(r, "reordered", f"event {r.id} is out of order: chain position {r.seq} comes after "
                                        f"position {expected_seq - 1}")
    return _problem(r, "inserted", f"event {r.id} does not follow {after_what} in the chain")


def _authentic(key, r) -> bool:
    if r.seq is None or r.hmac is None:
        return False
    return _hmac.compare_digest(r.hmac, _digest(key, r))


def _check_alone(key, r, nxt):
    if not _authentic(key, r):
        kind = "changed" if r.hmac is not None and nxt is not None and nxt.prev_hash == r.hmac else "inserted"
        return _problem(r, kind, f"event {r.id} does not match its HMAC ({kind})")
    return None


def _check_head(home, url, rows, problem):
    """The chain position this home last saw must still be there, holding the same event."""
    mark = _read_heads(home).get(_db_label(url))
    if not mark or problem:
        return None
    seq = mark.get("seq", 0)
    last = _Row(rows[-1]) if rows else None
    have = last.seq if last else 0
    if have >= seq:
        match = next((_Row(r) for r in reversed(rows) if r[1] == seq), None)
        if match is None or match.hmac == mark.get("hmac"):
            return None
        return _problem(match, "changed", f"event {match.id} (chain position {seq}) is not the event this home "
                                          f"saw there ({Path(home) / HEAD_FILE}): the log was rewritten")
    end = f"event {last.id} (chain position {have})" if last else "nothing"
    return {"event": None, "position": have + 1, "problem": "deleted",
            "detail": f"the newest events were deleted: the log ends at {end}, but this home saw it reach chain "
                      f"position {seq} ({Path(home) / HEAD_FILE})"}


def _problem(r, kind: str, detail: str) -> dict:
    return {"event": r.id, "position": r.seq, "problem": kind, "detail": detail}


def broken_line(result: dict, *, hint: str = "run 'egovnet log verify' to see it") -> str:
    p = result["first_problem"]
    return (f"the event log does not verify: {p['detail']} (Art. 7: the BDC keeps the extranet's record); {hint}, "
            "and restore the database from a backup taken before that event")


def check_recent(engine, home, n: int = RECENT) -> dict:
    return verify(engine, home, recent=n)


def require_intact(engine, home, n: int = RECENT) -> None:
    result = check_recent(engine, home, n)
    if not result["ok"]:
        raise LogBroken(broken_line(result))


# ---- the append-only guards (migration 0001) ----------------------------------------------------

SQLITE_GUARDS = {
    "event_no_update": "CREATE TRIGGER event_no_update BEFORE UPDATE ON event "
                       "BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END",
    "event_no_delete": "CREATE TRIGGER event_no_delete BEFORE DELETE ON event "
                       "BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END",
}
PG_FUNCTION = ("CREATE OR REPLACE FUNCTION egovnet_event_append_only() RETURNS trigger AS $$ BEGIN "
               "RAISE EXCEPTION 'the event log is append-only'; END; $$ LANGUAGE plpgsql")
PG_GUARDS = {
    "event_append_only": "CREATE TRIGGER event_append_only BEFORE UPDATE OR DELETE ON event "
                         "FOR EACH ROW EXECUTE FUNCTION egovnet_event_append_only()",
    # row triggers do not fire on TRUNCATE (migration 0006)
    "event_no_truncate": "CREATE TRIGGER event_no_truncate BEFORE TRUNCATE ON event "
                         "FOR EACH STATEMENT EXECUTE FUNCTION egovnet_event_append_only()",
}


def restore_guards(engine) -> list[str]:
    """Put back the append-only triggers someone removed (or disabled); the names of those restored."""
    from sqlalchemy import text

    restored = []
    with engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            have = set(conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger' "
                                         "AND tbl_name = 'event'")).scalars())
            for name, sql in SQLITE_GUARDS.items():
                if name not in have:
                    conn.exec_driver_sql(sql)
                    restored.append(name)
        elif conn.dialect.name == "postgresql":
            have = dict(conn.execute(text("SELECT tgname, tgenabled FROM pg_trigger "
                                          "WHERE tgrelid = 'event'::regclass AND NOT tgisinternal")).all())
            for name, sql in PG_GUARDS.items():
                if name not in have:
                    conn.exec_driver_sql(PG_FUNCTION)
                    conn.exec_driver_sql(sql)
                    restored.append(name)
                elif have[name] == "D":
                    conn.exec_driver_sql(f"ALTER TABLE event ENABLE TRIGGER {name}")
                    restored.append(f"{name} (it was disabled)")
    return restored


# ---- reading ------------------------------------------------------------------------------------

def event_rows(session, object_type: str | None = None, object_id: int | None = None, limit: int = 200) -> list[dict]:
    from sqlmodel import select

    q = select(Event).order_by(Event.id.desc()).limit(limit)
    if object_type:
        q = q.where(Event.object_type == object_type)
    if object_id is not None:
        q = q.where(Event.object_id == object_id)
    return [
        {"id": e.id, "at": e.at.isoformat(timespec="seconds"), "effective_date": e.effective_date.isoformat(),
         "actor": e.actor, "role": e.role, "object": f"{e.object_type}:{e.object_id}", "action": e.action,
         "article": e.article, "before": e.before, "after": e.after, **({"db_role": e.db_role} if e.db_role else {})}
        for e in session.exec(q).all()
    ]
