"""Queries on the stored state of multi-step chat flows."""

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ChatFlow
from storage.types import utcnow


async def load_flow(telegram_user_id: int, *, session: AsyncSession) -> ChatFlow | None:
    return await session.get(ChatFlow, telegram_user_id)


async def save_flow(
    telegram_user_id: int, flow: str, step: str, data: dict[str, Any], *, session: AsyncSession
) -> None:
    row = await session.get(ChatFlow, telegram_user_id)
    if row is None:
        row = ChatFlow(telegram_user_id=telegram_user_id, flow=flow, step=step)
        session.add(row)
    row.flow, row.step, row.data, row.updated_at = flow, step, dict(data), utcnow()
    await session.flush()


async def end_flow(telegram_user_id: int, *, session: AsyncSession) -> bool:
    row = await session.get(ChatFlow, telegram_user_id)
    if row is None:
        return False
    await session.delete(row)
    await session.flush()
    return True
