"""the plan's identity as a văn bản (number, symbol, date, place, issuing body) and a task's lead group

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-13 10:00:00

Plans stored before this revision get blank identities (filled in later from the web, the CLI or
the API) and their tasks no lead group.
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

PLAN_TEXT_COLUMNS = (("doc_number", 32), ("doc_symbol", 64), ("doc_date_text", 64), ("doc_place", 128),
                     ("issuing_body", 255))


def upgrade() -> None:
    """Apply this migration."""
    with op.batch_alter_table('plans', schema=None) as batch_op:
        for name, length in PLAN_TEXT_COLUMNS:
            batch_op.add_column(sa.Column(name, sa.String(length=length), nullable=True))
        batch_op.add_column(sa.Column('doc_date', sa.Date(), nullable=True))
    op.execute("UPDATE plans SET " + ", ".join(f"{name} = ''" for name, _ in PLAN_TEXT_COLUMNS))
    with op.batch_alter_table('plans', schema=None) as batch_op:
        for name, length in PLAN_TEXT_COLUMNS:
            batch_op.alter_column(name, existing_type=sa.String(length=length), nullable=False)

    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lead_group', sa.String(length=16), nullable=True))
    op.execute("UPDATE tasks SET lead_group = ''")
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.alter_column('lead_group', existing_type=sa.String(length=16), nullable=False)


def downgrade() -> None:
    """Revert this migration."""
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.drop_column('lead_group')
    with op.batch_alter_table('plans', schema=None) as batch_op:
        batch_op.drop_column('doc_date')
        for name, _ in reversed(PLAN_TEXT_COLUMNS):
            batch_op.drop_column(name)
