"""notices as official documents: the register of document numbers (文号) and delivery records (送达)

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-25 17:40:00

The notices of schema 0004 were one row per recipient (the unit's copy and its department's copy of the
same letter) without a number. Each such pair becomes one notice with the unit as 主送 and the department
as 抄送, both files kept, status 'legacy' and no number: they went out before the register, and giving them
numbers now would record something that never happened. 'egovnet notice reissue #ID' gives one a number.
"""
import datetime as dt

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

LEGACY_TITLES = {"idle_closure": "关于关闭电子政务外网接入链路的书面通知",
                 "decommission": "关于拆除电子政务外网接入链路的书面通知"}


def _date(value):
    return value if isinstance(value, dt.date) or value is None else dt.date.fromisoformat(str(value)[:10])


def _time(value):
    return value if isinstance(value, dt.datetime) or value is None else dt.datetime.fromisoformat(str(value))


def _create_notice_tables():
    op.create_table('notice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('prefix', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=True),
    sa.Column('doc_no', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('article', sa.Integer(), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('subject_type', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('link_id', sa.Integer(), nullable=True),
    sa.Column('unit_ids', sa.JSON(), nullable=False),
    sa.Column('main_to', sa.JSON(), nullable=False),
    sa.Column('copy_to', sa.JSON(), nullable=False),
    sa.Column('format', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=False),
    sa.Column('issued_by', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('reissue_of', sa.Integer(), nullable=True),
    sa.Column('reissue_reason', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('context', sa.JSON(), nullable=False),
    sa.Column('text', sa.JSON(), nullable=False),
    sa.Column('docx_path', sqlmodel.sql.sqltypes.AutoString(length=512), nullable=False),
    sa.Column('other_paths', sa.JSON(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['link_id'], ['link.id'], ),
    sa.ForeignKeyConstraint(['reissue_of'], ['notice.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('prefix', 'year', 'number', name='uq_notice_number')
    )
    with op.batch_alter_table('notice', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notice_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_notice_link_id'), ['link_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_notice_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_notice_subject_id'), ['subject_id'], unique=False)

    op.create_table('notice_delivery',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('notice_id', sa.Integer(), nullable=False),
    sa.Column('delivered_on', sa.Date(), nullable=False),
    sa.Column('delivered_to', sqlmodel.sql.sqltypes.AutoString(length=256), nullable=False),
    sa.Column('recorded_by', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['notice_id'], ['notice.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('notice_delivery', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notice_delivery_notice_id'), ['notice_id'], unique=False)


def upgrade() -> None:
    bind = op.get_bind()
    old = bind.execute(sa.text(
        "SELECT id, kind, link_id, unit_id, recipient, recipient_role, article, issued_on, docx_path, md_path, "
        "created_at FROM notice ORDER BY id")).mappings().all()
    with op.batch_alter_table('notice', schema=None) as batch_op:
        batch_op.drop_index('ix_notice_unit_id')
        batch_op.drop_index('ix_notice_link_id')
    op.drop_table('notice')
    _create_notice_tables()

    # one letter per (kind, link, unit, day): the unit's copy is 主送, its department's 抄送
    groups: dict[tuple, list] = {}
    for row in old:
        groups.setdefault((row["kind"], row["link_id"], row["unit_id"], str(row["issued_on"])), []).append(row)
    notice = sa.table('notice', *(sa.column(c) for c in (
        'prefix', 'year', 'number', 'doc_no', 'kind', 'article', 'title', 'subject_type', 'subject_id', 'link_id',
        'format', 'issued_on', 'issued_by', 'status', 'reissue_reason', 'docx_path', 'created_at')),
        sa.column('unit_ids', sa.JSON()), sa.column('main_to', sa.JSON()), sa.column('copy_to', sa.JSON()),
        sa.column('context', sa.JSON()), sa.column('text', sa.JSON()), sa.column('other_paths', sa.JSON()))
    rows = []
    for (kind, link_id, unit_id, _day), copies in groups.items():
        unit_copies = [c for c in copies if c["recipient_role"] == "unit"] or copies[:1]
        first = unit_copies[0]
        issued = _date(first["issued_on"])
        paths = [p for c in copies for p in (c["docx_path"], c["md_path"]) if p and p != first["docx_path"]]
        rows.append({
            "prefix": "", "year": issued.year, "number": None, "doc_no": "", "kind": kind, "article": first["article"],
            "title": LEGACY_TITLES.get(kind, ""), "subject_type": "link", "subject_id": link_id, "link_id": link_id,
            "unit_ids": [unit_id], "main_to": [c["recipient"] for c in unit_copies],
            "copy_to": [c["recipient"] for c in copies if c not in unit_copies], "format": "letter",
            "issued_on": issued, "issued_by": "", "status": "legacy", "reissue_reason": "", "context": {},
            "text": {}, "docx_path": first["docx_path"], "other_paths": paths,
            "created_at": min(_time(c["created_at"]) for c in copies)})
    if rows:
        op.bulk_insert(notice, rows)


def downgrade() -> None:
    bind = op.get_bind()
    rows = bind.execute(sa.text(
        "SELECT kind, link_id, unit_ids, main_to, copy_to, article, issued_on, docx_path, created_at FROM notice "
        "WHERE link_id IS NOT NULL ORDER BY id")).mappings().all()
    with op.batch_alter_table('notice_delivery', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notice_delivery_notice_id'))
    op.drop_table('notice_delivery')
    with op.batch_alter_table('notice', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notice_subject_id'))
        batch_op.drop_index(batch_op.f('ix_notice_status'))
        batch_op.drop_index(batch_op.f('ix_notice_link_id'))
        batch_op.drop_index(batch_op.f('ix_notice_kind'))
    op.drop_table('notice')
    op.create_table('notice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('link_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('recipient', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
    sa.Column('recipient_role', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('article', sa.Integer(), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=False),
    sa.Column('docx_path', sqlmodel.sql.sqltypes.AutoString(length=512), nullable=False),
    sa.Column('md_path', sqlmodel.sql.sqltypes.AutoString(length=512), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['link_id'], ['link.id'], ),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('notice', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notice_link_id'), ['link_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_notice_unit_id'), ['unit_id'], unique=False)
    import json

    old = sa.table('notice', *(sa.column(c) for c in ('kind', 'link_id', 'unit_id', 'recipient', 'recipient_role',
                                                      'article', 'issued_on', 'docx_path', 'md_path', 'created_at')))
    out = []
    for r in rows:
        units = r["unit_ids"] if isinstance(r["unit_ids"], list) else json.loads(r["unit_ids"] or "[]")
        if not units:
            continue
        for role, names in (("unit", r["main_to"]), ("department", r["copy_to"])):
            for name in names if isinstance(names, list) else json.loads(names or "[]"):
                out.append({"kind": r["kind"], "link_id": r["link_id"], "unit_id": units[0], "recipient": name,
                            "recipient_role": role, "article": r["article"], "issued_on": _date(r["issued_on"]),
                            "docx_path": r["docx_path"], "md_path": "", "created_at": _time(r["created_at"])})
    if out:
        op.bulk_insert(old, out)
