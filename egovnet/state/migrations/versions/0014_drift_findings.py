"""drift audits (Art. 22): one row per `audit drift` run and one per finding, open until remediated

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-25 20:00:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('drift_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('started_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('actor', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('devices', sa.JSON(), nullable=False),
    sa.Column('findings', sa.Integer(), nullable=False),
    sa.Column('failed', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('drift_finding',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('found_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('device', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('object', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('link_id', sa.Integer(), nullable=True),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('intended', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
    sa.Column('actual', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
    sa.Column('articles', sa.JSON(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('resolved_by', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('resolved_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('push_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['link_id'], ['link.id'], ),
    sa.ForeignKeyConstraint(['push_id'], ['push.id'], ),
    sa.ForeignKeyConstraint(['run_id'], ['drift_run.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('drift_finding', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_drift_finding_device'), ['device'], unique=False)
        batch_op.create_index(batch_op.f('ix_drift_finding_link_id'), ['link_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_drift_finding_run_id'), ['run_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_drift_finding_status'), ['status'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('drift_finding', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_drift_finding_status'))
        batch_op.drop_index(batch_op.f('ix_drift_finding_run_id'))
        batch_op.drop_index(batch_op.f('ix_drift_finding_link_id'))
        batch_op.drop_index(batch_op.f('ix_drift_finding_device'))
    op.drop_table('drift_finding')
    op.drop_table('drift_run')
