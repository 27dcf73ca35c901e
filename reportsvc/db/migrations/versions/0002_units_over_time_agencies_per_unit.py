"""units over time (valid dates, successor), agencies and their aliases per unit, audit entries per unit

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 22:35:00

Agencies stored before this revision were shared by name across provinces. Each one is given to
the unit of the first plan that names it (else the first province), and aliases follow their
agency's unit.
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

# SQLite reflects the unnamed UNIQUE(key) of 0001 without a name: this convention names it so
# that batch mode can drop it. PostgreSQL gave it a name of its own, read from the catalogue.
NAMING = {"uq": "uq_%(table_name)s_%(column_0_name)s"}


def _drop_unique_key(batch_op, table: str) -> None:
    """Drop the table-wide UNIQUE(key) that 0001 created without a name."""
    found = [c["name"] for c in sa.inspect(op.get_bind()).get_unique_constraints(table) if c["column_names"] == ["key"]]
    batch_op.drop_constraint(found[0] if found and found[0] else f"uq_{table}_key", type_="unique")


def upgrade() -> None:
    """Apply this migration."""
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.add_column(sa.Column('valid_from', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('valid_to', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('successor_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_units_successor_id'), ['successor_id'], unique=False)
        batch_op.create_foreign_key('fk_units_successor_id_units', 'units', ['successor_id'], ['id'])

    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unit_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_audit_log_unit_id'), ['unit_id'], unique=False)
        batch_op.create_foreign_key('fk_audit_log_unit_id_units', 'units', ['unit_id'], ['id'])

    bind = op.get_bind()
    bind.execute(sa.text(
        "UPDATE agencies SET unit_id = (SELECT p.unit_id FROM task_agencies ta JOIN tasks t ON t.id = ta.task_id "
        "JOIN plans p ON p.id = t.plan_id WHERE ta.agency_id = agencies.id ORDER BY p.id LIMIT 1) "
        "WHERE unit_id IS NULL"))
    bind.execute(sa.text(
        "UPDATE agencies SET unit_id = (SELECT id FROM units WHERE parent_id IS NULL ORDER BY id LIMIT 1) "
        "WHERE unit_id IS NULL"))
    bind.execute(sa.text("DELETE FROM agencies WHERE unit_id IS NULL "
                         "AND id NOT IN (SELECT agency_id FROM task_agencies)"))  # no unit at all: unused

    with op.batch_alter_table('agencies', schema=None, naming_convention=NAMING) as batch_op:
        _drop_unique_key(batch_op, 'agencies')
        batch_op.add_column(sa.Column('successor_id', sa.Integer(), nullable=True))
        batch_op.alter_column('unit_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_unique_constraint('uq_agencies_unit_key', ['unit_id', 'key'])
        batch_op.create_index(batch_op.f('ix_agencies_unit_id'), ['unit_id'], unique=False)
        batch_op.create_foreign_key('fk_agencies_successor_id_agencies', 'agencies', ['successor_id'], ['id'])

    with op.batch_alter_table('agency_aliases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unit_id', sa.Integer(), nullable=True))
    bind.execute(sa.text("UPDATE agency_aliases SET unit_id = "
                         "(SELECT unit_id FROM agencies WHERE agencies.id = agency_aliases.agency_id)"))
    with op.batch_alter_table('agency_aliases', schema=None, naming_convention=NAMING) as batch_op:
        _drop_unique_key(batch_op, 'agency_aliases')
        batch_op.alter_column('unit_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_unique_constraint('uq_agency_aliases_unit_key', ['unit_id', 'key'])
        batch_op.create_index(batch_op.f('ix_agency_aliases_unit_id'), ['unit_id'], unique=False)
        batch_op.create_foreign_key('fk_agency_aliases_unit_id_units', 'units', ['unit_id'], ['id'])


def downgrade() -> None:
    """Revert this migration (agencies become shared by name again; fails if two units share a name)."""
    with op.batch_alter_table('agency_aliases', schema=None) as batch_op:
        batch_op.drop_constraint('fk_agency_aliases_unit_id_units', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_agency_aliases_unit_id'))
        batch_op.drop_constraint('uq_agency_aliases_unit_key', type_='unique')
        batch_op.create_unique_constraint('uq_agency_aliases_key', ['key'])
        batch_op.drop_column('unit_id')
    with op.batch_alter_table('agencies', schema=None) as batch_op:
        batch_op.drop_constraint('fk_agencies_successor_id_agencies', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_agencies_unit_id'))
        batch_op.drop_constraint('uq_agencies_unit_key', type_='unique')
        batch_op.alter_column('unit_id', existing_type=sa.Integer(), nullable=True)
        batch_op.create_unique_constraint('uq_agencies_key', ['key'])
        batch_op.drop_column('successor_id')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_constraint('fk_audit_log_unit_id_units', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_audit_log_unit_id'))
        batch_op.drop_column('unit_id')
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.drop_constraint('fk_units_successor_id_units', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_units_successor_id'))
        batch_op.drop_column('successor_id')
        batch_op.drop_column('valid_to')
        batch_op.drop_column('valid_from')
