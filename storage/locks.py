"""Serialising writes to one row on both backends, until the transaction ends."""

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import SQLModel, col


async def claim_row(model: type[SQLModel], row_id: int, *, session: AsyncSession) -> None:
    """A no-op UPDATE of the row, so a concurrent writer of the same row waits for our commit.

    PostgreSQL locks that row. SQLite ignores `FOR UPDATE`, and pysqlite opens a transaction only
    before a write: the UPDATE opens it and takes SQLite's single write lock. It also keeps a
    later savepoint from committing early, since releasing an outermost SQLite savepoint commits.
    """
    id_column = col(model.id)  # type: ignore[attr-defined]
    await session.execute(
        update(model)
        .where(id_column == row_id)
        .values({id_column: id_column})
        .execution_options(synchronize_session=False)
    )
