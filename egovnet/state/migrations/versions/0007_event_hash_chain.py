"""a tamper-evident event log: hash chain columns, database role, existing events chained in order

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25 16:50:00

The events already in the log are chained in id order with the log key (EGOVNET_HOME/log.key, created 0600 if
absent, or EGOVNET_LOG_KEY). The append-only triggers are lifted for that one UPDATE and put back.
"""
import os

import sqlalchemy as sa
import sqlmodel
from alembic import context, op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

SQLITE_GUARDS = {
    "event_no_update": "CREATE TRIGGER event_no_update BEFORE UPDATE ON event "
                       "BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END",
    "event_no_delete": "CREATE TRIGGER event_no_delete BEFORE DELETE ON event "
                       "BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END",
}


def upgrade() -> None:
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seq', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('prev_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch_op.add_column(sa.Column('hmac', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch_op.add_column(sa.Column('db_role', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
    op.create_index(op.f('ix_event_seq'), 'event', ['seq'], unique=True)
    _chain_existing_events()


def _chain_existing_events() -> None:
    from egovnet.services import events
    from egovnet.state.models import Event

    bind = op.get_bind()
    home = context.config.attributes.get("home")
    if home is None and not os.environ.get(events.KEY_ENV):
        home = os.environ.get("EGOVNET_HOME")
        if home is None:
            raise RuntimeError(f"migration 0007 needs the event log key: set EGOVNET_HOME or {events.KEY_ENV}")
    key = events.load_key(home, create=True)
    t = Event.__table__
    cols = [t.c[c] for c in ("id", "at", "effective_date", "actor", "role", "object_type", "object_id", "action",
                             "article", "before", "after")]
    rows = bind.execute(sa.select(*cols).order_by(t.c.id)).all()
    if not rows:
        if home is not None:
            events.forget_head(home, bind.engine.url)   # a new database starts a new chain
        return
    prev, updates = events.GENESIS, []
    for seq, r in enumerate(rows, start=1):
        # before/after are rewritten as canonical JSON text and the time in SQLAlchemy's one stored form: what
        # the chain authenticates is what the database holds
        before, after = events.canon_json(r.before), events.canon_json(r.after)
        digest = events.mac(key, seq, prev, events.canon_at(r.at), events.canon_day(r.effective_date), r.actor,
                            r.role, r.object_type, r.object_id, r.action, r.article, before, after, None)
        updates.append({"b_id": r.id, "b_seq": seq, "b_prev": prev, "b_hmac": digest, "b_before": before,
                        "b_after": after, "b_at": r.at})
        prev = digest
    dialect = bind.dialect.name
    if dialect == "sqlite":
        for name in SQLITE_GUARDS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    elif dialect == "postgresql":
        op.execute("ALTER TABLE event DISABLE TRIGGER USER")

    def text_param(name):
        p = sa.bindparam(name, type_=sa.Text)
        return sa.cast(p, sa.JSON) if dialect == "postgresql" else p

    bind.execute(t.update().where(t.c.id == sa.bindparam("b_id"))
                 .values(seq=sa.bindparam("b_seq"), prev_hash=sa.bindparam("b_prev"), hmac=sa.bindparam("b_hmac"),
                         at=sa.bindparam("b_at", type_=t.c.at.type),   # stored again in the one form verify reads
                         before=text_param("b_before"), after=text_param("b_after")),
                 updates)
    if dialect == "sqlite":
        for sql in SQLITE_GUARDS.values():
            op.execute(sql)
    elif dialect == "postgresql":
        op.execute("ALTER TABLE event ENABLE TRIGGER USER")
    if home is not None:
        events.remember_head(home, bind.engine.url, len(rows), prev)


def downgrade() -> None:
    op.drop_index(op.f('ix_event_seq'), table_name='event')
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_column('db_role')
        batch_op.drop_column('hmac')
        batch_op.drop_column('prev_hash')
        batch_op.drop_column('seq')
    if op.get_bind().dialect.name == "sqlite":   # batch mode rebuilt the table without its triggers
        for name, sql in SQLITE_GUARDS.items():
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
            op.execute(sql)
