"""Alembic migrations of the serving database (keys, audit trail, reloads); see env.py."""
