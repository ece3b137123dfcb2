"""fault tickets (Art. 17): response and restoration clocks and the downtime each fault caused

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-25 19:50:00
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'fault_tickets',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('link_id', sa.Integer(), nullable=True),
        sa.Column('unit_id', sa.Integer(), nullable=True),
        sa.Column('summary', sqlmodel.sql.sqltypes.AutoString(length=256), nullable=False),
        sa.Column('severity', sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
        sa.Column('reported_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('reported_by', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('respond_due', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('restore_due', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('acked_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column('acked_by', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column('resolved_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column('resolved_by', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column('cause', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column('action', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column('outage', sa.Boolean(), nullable=False),
        sa.Column('downtime_start', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column('downtime_end', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['link_id'], ['link.id'], ),
        sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], ),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('fault_tickets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fault_tickets_link_id'), ['link_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_fault_tickets_unit_id'), ['unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_fault_tickets_reported_at'), ['reported_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('fault_tickets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fault_tickets_reported_at'))
        batch_op.drop_index(batch_op.f('ix_fault_tickets_unit_id'))
        batch_op.drop_index(batch_op.f('ix_fault_tickets_link_id'))
    op.drop_table('fault_tickets')
