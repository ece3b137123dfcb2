"""security checks and assessments (Art. 13, 21) and the monitoring system's samples (Art. 16, 20)

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-25 20:00:00

Every unit with an MLPS level and assessment date on record gets that assessment as its first row in
``assessments`` (source 'migration', result 'pass'): the unit's fields and the register agree from the start.
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('assessments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('result', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('level', sa.Integer(), nullable=True),
    sa.Column('findings', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('follow_up_of', sa.Integer(), nullable=True),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('recorded_by', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('recorded_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['follow_up_of'], ['assessments.id'], ),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assessments_follow_up_of'), ['follow_up_of'], unique=False)
        batch_op.create_index('ix_assessments_unit_kind_date', ['unit_id', 'kind', 'date'], unique=False)

    op.create_table('monitor_samples',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('link_id', sa.Integer(), nullable=False),
    sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=4), nullable=False),
    sa.Column('loss_pct', sa.Float(), nullable=True),
    sa.Column('latency_ms', sa.Float(), nullable=True),
    sa.Column('in_mbps', sa.Float(), nullable=True),
    sa.Column('out_mbps', sa.Float(), nullable=True),
    sa.Column('batch_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['batch_id'], ['import_batch.id'], ),
    sa.ForeignKeyConstraint(['link_id'], ['link.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('link_id', 'at', name='uq_monitor_samples_link_at')
    )
    with op.batch_alter_table('monitor_samples', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_monitor_samples_batch_id'), ['batch_id'], unique=False)

    # the MLPS assessments already on record as unit fields (portable SQL: SQLite and PostgreSQL)
    op.execute("INSERT INTO assessments (unit_id, kind, date, result, level, findings, source, recorded_by, "
               "recorded_at) SELECT id, 'mlps_assessment', mlps_assessed, 'pass', mlps_level, '', 'migration', "
               "'egovnet init', CURRENT_TIMESTAMP FROM unit WHERE mlps_assessed IS NOT NULL AND mlps_level IS NOT NULL")


def downgrade() -> None:
    with op.batch_alter_table('monitor_samples', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_monitor_samples_batch_id'))
    op.drop_table('monitor_samples')
    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.drop_index('ix_assessments_unit_kind_date')
        batch_op.drop_index(batch_op.f('ix_assessments_follow_up_of'))
    op.drop_table('assessments')
