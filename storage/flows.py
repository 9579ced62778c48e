"""Queries on the stored state of multi-step chat flows."""

from typing import Any

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

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
    """Delete the flow if there is one; two taps ending the same flow at once both succeed."""
    row = await session.get(ChatFlow, telegram_user_id)
    if row is None:
        return False
    session.expunge(row)
    result = await session.execute(
        delete(ChatFlow).where(col(ChatFlow.telegram_user_id) == telegram_user_id)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]
