"""an agency's own report: its settings (symbol, signature) and the agency a generated report belongs to

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 10:00:00

A department (the Sở Nội vụ, any sở) reports on its own CCHC tasks under its own header, symbol
and signature. Versions of a unit's reports for a period stay one sequence (the archive's unique
unit, period and version), whoever the issuer.
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this migration."""
    with op.batch_alter_table('agencies', schema=None) as batch_op:
        batch_op.add_column(sa.Column('settings', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'),
                                      nullable=False, server_default='{}'))
    with op.batch_alter_table('agencies', schema=None) as batch_op:
        batch_op.alter_column('settings', server_default=None)
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.add_column(sa.Column('agency_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_reports_agency_id'), ['agency_id'], unique=False)
        batch_op.create_foreign_key('fk_reports_agency_id_agencies', 'agencies', ['agency_id'], ['id'])


def downgrade() -> None:
    """Revert this migration (agency reports become the unit's)."""
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.drop_constraint('fk_reports_agency_id_agencies', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_reports_agency_id'))
        batch_op.drop_column('agency_id')
    with op.batch_alter_table('agencies', schema=None) as batch_op:
        batch_op.drop_column('settings')
