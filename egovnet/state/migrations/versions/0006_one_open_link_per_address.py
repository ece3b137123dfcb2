"""one open link per address (Art. 14) as a unique index; TRUNCATE of the event log refused on PostgreSQL;
traffic counters 64-bit

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 16:50:00

A link records why it does not serve its whole address (``separate_reason``: the separate-link exception
of its application, or the policy); a partial unique index then allows one open link per normalised
address and no more, on SQLite and on PostgreSQL alike. A database that already holds two open links at
one address (possible on PostgreSQL before this revision) keeps them: the later ones are marked with
the reason below, so that the upgrade never fails and the duplicate stays visible on 'egovnet link show'.

Traffic counters and daily byte counts become BIGINT: devices count octets in 64 bits, and PostgreSQL's
INTEGER holds 4 bytes (2 GB); SQLite's INTEGER already held 8.
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

OPEN = "('requested', 'approved', 'provisioning', 'active')"
WHERE = f"separate_reason = '' AND address_key <> '' AND status IN {OPEN}"
FOUND_ON_UPGRADE = ("a second open link at this address, found on the upgrade to schema 0006 (before it, "
                    "PostgreSQL did not enforce Art. 14); review it with the units at the address")


COUNTERS = (("usage_day", ("bytes_in", "bytes_out")), ("usage_sample", ("in_octets", "out_octets")))


def upgrade() -> None:
    for table, columns in COUNTERS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in columns:
                batch_op.alter_column(column, existing_type=sa.Integer(), type_=sa.BigInteger(),
                                      existing_nullable=False)
    with op.batch_alter_table('link', schema=None) as batch_op:
        batch_op.add_column(sa.Column('separate_reason', sqlmodel.sql.sqltypes.AutoString(length=2000),
                                      nullable=False, server_default=''))
    # the separate-link exception an application recorded belongs to the link it created
    op.execute("UPDATE link SET separate_reason = (SELECT max(a.separate_link_reason) FROM application a "
               "WHERE a.link_id = link.id AND a.separate_link_reason <> '') "
               "WHERE EXISTS (SELECT 1 FROM application a WHERE a.link_id = link.id AND a.separate_link_reason <> '')")
    op.execute(sa.text(
        f"UPDATE link SET separate_reason = :why WHERE {WHERE} AND EXISTS (SELECT 1 FROM link l2 "
        "WHERE l2.address_key = link.address_key AND l2.id < link.id AND l2.separate_reason = '' "
        f"AND l2.status IN {OPEN})").bindparams(why=FOUND_ON_UPGRADE))
    op.create_index('uq_link_open_address', 'link', ['address_key'], unique=True,
                    sqlite_where=sa.text(WHERE), postgresql_where=sa.text(WHERE))
    if op.get_bind().dialect.name == "postgresql":
        # row triggers do not fire on TRUNCATE: the log is evidence, so refuse it per statement too
        op.execute("CREATE TRIGGER event_no_truncate BEFORE TRUNCATE ON event "
                   "FOR EACH STATEMENT EXECUTE FUNCTION egovnet_event_append_only()")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS event_no_truncate ON event")
    op.drop_index('uq_link_open_address', table_name='link')
    with op.batch_alter_table('link', schema=None) as batch_op:
        batch_op.drop_column('separate_reason')
    for table, columns in COUNTERS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in columns:
                batch_op.alter_column(column, existing_type=sa.BigInteger(), type_=sa.Integer(),
                                      existing_nullable=False)
