"""The log of every message people send and the bot sends."""

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from storage.models import MessageLog


async def log_message(
    *,
    direction: str,
    kind: str,
    payload: dict[str, Any],
    update_id: int | None = None,
    telegram_user_id: int | None = None,
    chat_id: int | None = None,
    text: str | None = None,
    session: AsyncSession,
) -> None:
    session.add(
        MessageLog(
            direction=direction,
            kind=kind,
            payload=payload,
            update_id=update_id,
            telegram_user_id=telegram_user_id,
            chat_id=chat_id,
            text=text,
        )
    )
    await session.flush()


async def messages_of(telegram_user_id: int, *, session: AsyncSession) -> list[MessageLog]:
    result = await session.execute(
        select(MessageLog)
        .where(MessageLog.telegram_user_id == telegram_user_id)
        .order_by(col(MessageLog.id))
    )
    return list(result.scalars().all())
