"""Alembic environment: runs on the connection handed over by storage.migrate."""

import asyncio

from alembic import context
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine
from sqlmodel import SQLModel

import storage.campaign_models
import storage.figures_models
import storage.models
import storage.pledge_models
import storage.privacy_models
import storage.progress_models
import storage.reminder_models
import storage.scoring_models  # noqa: F401

target_metadata = SQLModel.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_with_own_engine(url: str) -> None:
    engine = create_async_engine(url)
    async with engine.begin() as connection:
        await connection.run_sync(_run)
    await engine.dispose()


connection = context.config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:  # plain `alembic` command line, with sqlalchemy.url set in its config
    asyncio.run(_run_with_own_engine(context.config.get_main_option("sqlalchemy.url") or ""))
