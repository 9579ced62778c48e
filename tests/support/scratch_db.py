"""A PostgreSQL database created for one test or benchmark and dropped after it.

Why not a schema, as the other database tests use: `thidua run`, pg_dump and pg_restore take
a plain DATABASE_URL, which cannot carry a search_path, and they work on a whole database.
"""

import asyncio
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine


@contextmanager
def scratch_database(server_url: str, label: str) -> Iterator[str]:
    """Yield the URL of a new, empty database named after `server_url`'s database and `label`."""
    url = make_url(server_url)
    name = f"{url.database}_{label}_{uuid.uuid4().hex[:8]}"
    asyncio.run(_execute(server_url, f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        asyncio.run(_execute(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _execute(server_url: str, statement: str) -> None:
    engine = create_async_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.execute(text(statement))
    finally:
        await engine.dispose()
