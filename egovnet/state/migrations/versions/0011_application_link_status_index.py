"""an index on application (link_id, status): the units on a link without scanning every application of a status

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-25 17:45:00
"""
from alembic import op


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.create_index('ix_application_link_id_status', ['link_id', 'status'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.drop_index('ix_application_link_id_status')
