"""Alembic migrations: the only way a claimdex schema is made or changed."""
