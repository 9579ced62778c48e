"""Persistence: SQLModel tables, the async engine, queries and Alembic migrations.

Query functions take the session as a keyword argument and never commit: the caller's unit of
work decides.
"""
