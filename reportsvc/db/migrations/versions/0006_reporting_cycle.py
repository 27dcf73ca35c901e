"""the reporting cycle: one record per data window, submissions, reminders, evidence files, e-mail addresses

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 09:00:00

Quý II and 6 tháng, quý III and 9 tháng, quý IV and năm close on the same day (Nghị định 09/2019)
and share one record: status updates and indicator values stored under "2024-H1", "2024-M9" or
"2024-Y" move to the quarter's key. Where both existed, the latest (updated_at, then id) wins and
the merge is written to the audit log with the value that was dropped. Downgrading keeps the
merged records under the quarter's key (they serve both periods either way).
"""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

RECORD_QUARTER = {"H1": "Q2", "M9": "Q3", "Y": "Q4"}
ACTOR = "hệ thống (gộp kỳ trùng ngày chốt số liệu)"


def record_key(key: str) -> str:
    """Return the quarter key a period key's record is stored under (a frozen copy of periods.record_key)."""
    year, _, code = key.partition("-")
    return f"{year}-{RECORD_QUARTER.get(code.upper(), code.upper())}"


def _plain(row: sa.Row, columns: tuple[str, ...]) -> dict:
    """Return a row's columns as JSON-safe values for the audit log."""
    return {c: (v.isoformat() if hasattr(v, "isoformat") else v) for c, v in zip(columns, row) if c != "id"}


def _merge(bind: sa.Connection, table: str, group: tuple[str, ...], shown: tuple[str, ...], action: str,
           entity: str, describe) -> None:
    """Move every record of ``table`` to its record key, keeping the latest of those that collide."""
    columns = ("id", "period_key", "updated_at", *group, *shown)
    rows = bind.execute(sa.text(f"SELECT {', '.join(columns)} FROM {table}")).all()
    groups: dict[tuple, list[sa.Row]] = defaultdict(list)
    for row in rows:
        groups[(*[row[3 + i] for i in range(len(group))], record_key(row.period_key))].append(row)
    now = datetime.now(timezone.utc)
    audit = sa.table("audit_log", sa.column("at", sa.DateTime(timezone=True)), sa.column("actor"),
                     sa.column("action"), sa.column("entity"), sa.column("entity_id"), sa.column("old", sa.JSON),
                     sa.column("new", sa.JSON), sa.column("unit_id"))
    for key, members in groups.items():
        target = key[-1]
        members.sort(key=lambda r: (str(r.updated_at), r.id))
        keep, dropped = members[-1], members[:-1]
        for row in dropped:
            bind.execute(sa.text(f"DELETE FROM {table} WHERE id = :id"), {"id": row.id})
        if keep.period_key != target:
            bind.execute(sa.text(f"UPDATE {table} SET period_key = :key WHERE id = :id"), {"key": target, "id": keep.id})
        if dropped:
            entity_id, unit_id = describe(bind, keep, target)
            bind.execute(audit.insert().values(
                at=now, actor=ACTOR, action=action, entity=entity, entity_id=entity_id,
                old={"records": [_plain(r, columns) for r in dropped]},
                new={**_plain(keep, columns), "period_key": target},
                unit_id=unit_id))


def _task_of(bind: sa.Connection, row: sa.Row, target: str) -> tuple[str, int | None]:
    unit_id = bind.execute(sa.text("SELECT p.unit_id FROM tasks t JOIN plans p ON p.id = t.plan_id WHERE t.id = :id"),
                           {"id": row.task_id}).scalar()
    return str(row.task_id), unit_id


def _value_of(bind: sa.Connection, row: sa.Row, target: str) -> tuple[str, int | None]:
    code = bind.execute(sa.text("SELECT code FROM units WHERE id = :id"), {"id": row.unit_id}).scalar()
    return f"{code}:{row.code}:{target}", row.unit_id


def upgrade() -> None:
    """Apply this migration."""
    bind = op.get_bind()
    _merge(bind, "status_updates", ("task_id",), ("status", "result", "updated_by"), "status.merge", "task", _task_of)
    _merge(bind, "indicator_values", ("code", "unit_id"), ("value", "note", "updated_by"), "indicator.merge",
           "indicator_value", _value_of)

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email', sa.String(length=254), nullable=False, server_default=''))
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.alter_column('email', server_default=None)

    op.create_table(
        'submissions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('agency_id', sa.Integer(), nullable=True),
        sa.Column('party', sa.String(length=32), nullable=False),
        sa.Column('period_key', sa.String(length=16), nullable=False),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('first_submitted_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('submitted_by', sa.String(length=128), nullable=False),
        sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('decided_by', sa.String(length=128), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['agency_id'], ['agencies.id']),
        sa.ForeignKeyConstraint(['unit_id'], ['units.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('unit_id', 'party', 'period_key', name='uq_submissions_party_period'),
    )
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_submissions_agency_id'), ['agency_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_submissions_period_key'), ['period_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_submissions_unit_id'), ['unit_id'], unique=False)

    op.create_table(
        'reminders_sent',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('party', sa.String(length=32), nullable=False),
        sa.Column('period_key', sa.String(length=16), nullable=False),
        sa.Column('kind', sa.String(length=8), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['unit_id'], ['units.id']),
        sa.ForeignKeyConstraint(['user_id'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('user_id', 'unit_id', 'party', 'period_key', 'kind', name='uq_reminders_sent_once'),
    )
    with op.batch_alter_table('reminders_sent', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reminders_sent_unit_id'), ['unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reminders_sent_user_id'), ['user_id'], unique=False)

    op.create_table(
        'evidence_files',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('status_update_id', sa.Integer(), nullable=False),
        sa.Column('filename', sa.String(length=255), nullable=False),
        sa.Column('content_type', sa.String(length=128), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('content', sa.LargeBinary(), nullable=False),
        sa.Column('uploaded_by', sa.String(length=128), nullable=False),
        sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['status_update_id'], ['status_updates.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('evidence_files', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evidence_files_status_update_id'), ['status_update_id'], unique=False)


def downgrade() -> None:
    """Revert this migration (merged records stay merged under the quarter's key)."""
    op.drop_table('evidence_files')
    op.drop_table('reminders_sent')
    op.drop_table('submissions')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('email')
