"""a unit's plans are unique by their years (first and last), not by their first year alone

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-14 09:00:00

A 2021 annual plan may now stand beside the unit's 2021–2025 plan: UNIQUE(unit_id, year) of 0001
becomes UNIQUE(unit_id, year, year_end). Downgrading fails while a unit has two plans starting in
the same year (remove one of them first).
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

# SQLite reflects the unnamed UNIQUE(unit_id, year) of 0001 without a name: this convention names it
# so that batch mode can drop it. PostgreSQL gave it a name of its own, read from the catalogue.
NAMING = {"uq": "uq_%(table_name)s_%(column_0_name)s"}
OLD_COLUMNS = ['unit_id', 'year']
NEW_NAME = 'uq_plans_unit_years'


def _drop_unique_unit_year(batch_op) -> None:
    """Drop the UNIQUE(unit_id, year) that 0001 created without a name."""
    found = [c["name"] for c in sa.inspect(op.get_bind()).get_unique_constraints('plans')
             if c["column_names"] == OLD_COLUMNS]
    batch_op.drop_constraint(found[0] if found and found[0] else "uq_plans_unit_id", type_="unique")


def upgrade() -> None:
    """Apply this migration."""
    with op.batch_alter_table('plans', schema=None, naming_convention=NAMING) as batch_op:
        _drop_unique_unit_year(batch_op)
        batch_op.create_unique_constraint(NEW_NAME, ['unit_id', 'year', 'year_end'])


def downgrade() -> None:
    """Revert this migration (fails if a unit has two plans starting in the same year)."""
    with op.batch_alter_table('plans', schema=None) as batch_op:
        batch_op.drop_constraint(NEW_NAME, type_='unique')
        batch_op.create_unique_constraint('plans_unit_id_year_key', OLD_COLUMNS)
