"""Alembic migrations of the shared database (run with ``reportsvc init-db``)."""
