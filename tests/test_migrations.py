"""The migrations build exactly the schema the models declare (Alembic's autogenerate comparison).

Runs on the suite's database: SQLite, and PostgreSQL when REPORTSVC_TEST_PG_URL is set (scripts/test.sh
runs the suite on both). A model changed without a migration, or a migration the models do not
follow, shows up here as the list of differences ``alembic revision --autogenerate`` would write.
"""
from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Column, Integer, MetaData, Table, inspect

from reportsvc.db import engine as db
from reportsvc.db.models import Base


def test_a_fresh_database_upgraded_to_head_matches_the_models(database_url: str) -> None:
    engine = db.make_engine(database_url)
    try:
        db.upgrade(engine)
        config = db.alembic_config(engine)
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True,
                                                                  "compare_server_default": True})
            assert context.get_current_revision() == ScriptDirectory.from_config(config).get_current_head()
            assert compare_metadata(context, Base.metadata) == []
            # Every table the models declare exists, and nothing else but Alembic's own.
            assert set(inspect(connection).get_table_names()) == set(Base.metadata.tables) | {"alembic_version"}
        command.check(config)  # what `alembic check` runs, through the project's env.py
    finally:
        engine.dispose()


def test_the_comparison_sees_a_model_without_its_migration(database_url: str) -> None:
    """The check above can fail: a table the migrations never created is reported."""
    engine = db.make_engine(database_url)
    try:
        db.upgrade(engine)
        extended = MetaData()
        for table in Base.metadata.tables.values():
            table.to_metadata(extended)
        Table("not_migrated", extended, Column("id", Integer, primary_key=True))
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            diffs = compare_metadata(context, extended)
        assert [(diff[0], diff[1].name) for diff in diffs] == [("add_table", "not_migrated")]
    finally:
        engine.dispose()
