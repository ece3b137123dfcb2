"""security incidents (the Office's disconnect and reconnect, Art. 23) and criticism decisions (Art. 26)

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-25 20:00:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('security_incident',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('link_ids', sa.JSON(), nullable=False),
    sa.Column('unit_ids', sa.JSON(), nullable=False),
    sa.Column('scope', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('incident', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('opened_by', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('opened_on', sa.Date(), nullable=False),
    sa.Column('disconnected_by', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('disconnected_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('reconnected_by', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('reconnected_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('remediation', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('push_ids', sa.JSON(), nullable=False),
    sa.Column('reconnect_push_ids', sa.JSON(), nullable=False),
    sa.Column('error', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('security_incident', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_security_incident_unit_id'), ['unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_security_incident_state'), ['state'], unique=False)

    op.create_table('criticism',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('ground', sa.Integer(), nullable=False),
    sa.Column('facts', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('decided_by', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('decided_on', sa.Date(), nullable=False),
    sa.Column('notice_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['notice_id'], ['notice.id'], ),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('criticism', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_criticism_unit_id'), ['unit_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('criticism', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_criticism_unit_id'))
    op.drop_table('criticism')
    with op.batch_alter_table('security_incident', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_security_incident_state'))
        batch_op.drop_index(batch_op.f('ix_security_incident_unit_id'))
    op.drop_table('security_incident')
