"""sessions kept in the database, named API tokens with an expiry, failed sign-ins, forced password change

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06 10:00:00

The one API token a user could hold (users.api_token_hash) becomes a row of api_tokens named
"mặc định" that expires 90 days after this upgrade; its hash is kept, so the token itself keeps
working until then. A downgrade keeps each user's newest token.
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

MIGRATED_TOKEN_NAME = "mặc định"
MIGRATED_TOKEN_DAYS = 90
# SQLite reflects the unnamed UNIQUE(api_token_hash) of 0001 without a name: this convention names it
# so that batch mode can drop it. PostgreSQL gave it a name of its own, read from the catalogue.
NAMING = {"uq": "uq_%(table_name)s_%(column_0_name)s"}


def upgrade() -> None:
    """Apply this migration."""
    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_hash'),
    sa.UniqueConstraint('user_id', 'name', name='uq_api_tokens_user_name')
    )
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_tokens_user_id'), ['user_id'], unique=False)

    op.create_table('login_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('agent', sa.String(length=255), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('key_hash')
    )
    with op.batch_alter_table('login_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_sessions_user_id'), ['user_id'], unique=False)

    op.create_table('login_failures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('login_failures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_failures_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_login_failures_username'), ['username'], unique=False)
        batch_op.create_index(batch_op.f('ix_login_failures_address'), ['address'], unique=False)

    # The existing tokens, hash and all, as named tokens with an expiry.
    bind = op.get_bind()
    users = sa.table('users', sa.column('id', sa.Integer()), sa.column('api_token_hash', sa.String()))
    tokens = sa.table('api_tokens', sa.column('user_id', sa.Integer()), sa.column('name', sa.String()),
                      sa.column('token_hash', sa.String()), sa.column('created_at', sa.DateTime(timezone=True)),
                      sa.column('expires_at', sa.DateTime(timezone=True)))
    rows = bind.execute(sa.select(users.c.id, users.c.api_token_hash)
                        .where(users.c.api_token_hash.is_not(None))).all()
    if rows:
        from datetime import datetime, timedelta, timezone

        now = datetime.now(timezone.utc)
        bind.execute(tokens.insert(), [
            {"user_id": user_id, "name": MIGRATED_TOKEN_NAME, "token_hash": token_hash, "created_at": now,
             "expires_at": now + timedelta(days=MIGRATED_TOKEN_DAYS)} for user_id, token_hash in rows])

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('must_change_password', sa.Boolean(), nullable=True))
    bind.execute(sa.text("UPDATE users SET must_change_password = :no"), {"no": False})
    found = [c["name"] for c in sa.inspect(bind).get_unique_constraints('users')
             if c["column_names"] == ["api_token_hash"]]
    with op.batch_alter_table('users', schema=None, naming_convention=NAMING) as batch_op:
        batch_op.alter_column('must_change_password', existing_type=sa.Boolean(), nullable=False)
        batch_op.drop_constraint(found[0] if found and found[0] else 'uq_users_api_token_hash', type_='unique')
        batch_op.drop_column('api_token_hash')


def downgrade() -> None:
    """Revert this migration (each user keeps its newest unexpired token; sessions and failures are dropped)."""
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('api_token_hash', sa.String(length=128), nullable=True))
        batch_op.create_unique_constraint('uq_users_api_token_hash', ['api_token_hash'])
        batch_op.drop_column('must_change_password')
    op.get_bind().execute(sa.text(
        "UPDATE users SET api_token_hash = (SELECT t.token_hash FROM api_tokens t WHERE t.user_id = users.id "
        "AND t.expires_at > CURRENT_TIMESTAMP ORDER BY t.id DESC LIMIT 1)"))

    with op.batch_alter_table('login_failures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_failures_address'))
        batch_op.drop_index(batch_op.f('ix_login_failures_username'))
        batch_op.drop_index(batch_op.f('ix_login_failures_at'))
    op.drop_table('login_failures')
    with op.batch_alter_table('login_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_sessions_user_id'))
    op.drop_table('login_sessions')
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_tokens_user_id'))
    op.drop_table('api_tokens')
