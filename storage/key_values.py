"""Small facts learned at run time (the bot's username) and read by the CLI."""

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import KeyValue
from storage.types import utcnow

BOT_USERNAME = "bot_username"


async def get_value(key: str, *, session: AsyncSession) -> str | None:
    row = await session.get(KeyValue, key)
    return row.value if row else None


async def set_value(key: str, value: str, *, session: AsyncSession) -> None:
    row = await session.get(KeyValue, key)
    if row is None:
        session.add(KeyValue(key=key, value=value))
    else:
        row.value = value
        row.updated_at = utcnow()
    await session.flush()
