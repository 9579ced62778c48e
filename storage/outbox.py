"""The durable outbox: rows of messages to send, claimed and settled by the dispatcher.

Every state change is its own short transaction, written before and after each send, so a crash
leaves at most the one row being sent in the `sending` state.
"""

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from storage.campaign_models import Broadcast, BroadcastStatus, OutboxMessage, OutboxStatus

IN_FLIGHT_AT_RESTART = "in flight at restart: sent again"


async def enqueue(rows: Sequence[dict[str, Any]], *, session: AsyncSession) -> int:
    """Insert rows, skipping any whose dedupe_key exists; return how many were new.

    One cached statement run as executemany (rows grouped by the keys they give): a statement
    built with 500 literal rows each time could not be cached and cost more to compile than to
    run (docs/benchmarks.md, reminders).
    """
    if not rows:
        return 0
    dialect = session.bind.dialect.name if session.bind else "sqlite"
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(tuple(sorted(row)), []).append(dict(row))
    added = 0
    for group in groups.values():
        statement = (
            insert(OutboxMessage)
            .on_conflict_do_nothing(index_elements=["dedupe_key"])
            .returning(col(OutboxMessage.id))
        )
        for start in range(0, len(group), 500):
            result = await session.execute(statement, group[start : start + 500])
            added += len(result.all())
    return added


async def claim_due(
    limit: int, *, now: datetime, lease: timedelta, session: AsyncSession
) -> list[OutboxMessage]:
    """Lease up to `limit` due rows; PostgreSQL skips rows another sweeper holds."""
    query = (
        select(OutboxMessage)
        .where(
            OutboxMessage.status == OutboxStatus.PENDING,
            col(OutboxMessage.not_before) <= now,
            (col(OutboxMessage.lease_until).is_(None)) | (col(OutboxMessage.lease_until) < now),
        )
        .order_by(col(OutboxMessage.id))
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    rows = list((await session.execute(query)).scalars().all())
    for row in rows:
        row.lease_until = now + lease
    await session.flush()
    return rows


async def mark_sending(row_id: int, *, now: datetime, session: AsyncSession) -> bool:
    """Write the intent before the send; False if the row was cancelled meanwhile."""
    result = await session.execute(
        update(OutboxMessage)
        .where(col(OutboxMessage.id) == row_id, col(OutboxMessage.status) == OutboxStatus.PENDING)
        .values(status=OutboxStatus.SENDING, attempts=OutboxMessage.attempts + 1)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def settle(
    row_id: int,
    status: OutboxStatus,
    *,
    now: datetime,
    error: str | None = None,
    message_id: int | None = None,
    not_before: datetime | None = None,
    session: AsyncSession,
) -> None:
    """Record the outcome of a send: sent, failed, unreachable, or pending again (retry)."""
    values: dict[str, Any] = {"status": status, "lease_until": None}
    if error is not None:
        values["last_error"] = error[:500]
    if status == OutboxStatus.SENT:
        values["sent_at"] = now
        values["telegram_message_id"] = message_id
    if not_before is not None:
        values["not_before"] = not_before
    await session.execute(
        update(OutboxMessage).where(col(OutboxMessage.id) == row_id).values(**values)
    )


async def release(row_id: int, not_before: datetime, *, session: AsyncSession) -> None:
    """Give a leased row back untouched (its chat is not ready yet)."""
    await session.execute(
        update(OutboxMessage)
        .where(col(OutboxMessage.id) == row_id)
        .values(lease_until=None, not_before=not_before)
    )


async def recover_in_flight(*, session: AsyncSession) -> list[OutboxMessage]:
    """At start: rows left `sending` by a crash are sent again (at least once) and named in the
    report; rows a dead process had only leased are released at once, not after the lease.

    One dispatcher runs per database (the leader), so nothing here belongs to a live sender.
    """
    await session.execute(
        update(OutboxMessage)
        .where(
            col(OutboxMessage.status) == OutboxStatus.PENDING,
            col(OutboxMessage.lease_until).is_not(None),
        )
        .values(lease_until=None)
    )
    rows = list(
        (
            await session.execute(
                select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.SENDING)
            )
        )
        .scalars()
        .all()
    )
    for row in rows:
        row.status = OutboxStatus.PENDING
        row.lease_until = None
        row.last_error = IN_FLIGHT_AT_RESTART
    await session.flush()
    return rows


async def mark_chat_unreachable(chat_id: int, *, error: str, session: AsyncSession) -> None:
    """A 403 for one row holds for every pending row to the same chat."""
    await session.execute(
        update(OutboxMessage)
        .where(
            col(OutboxMessage.chat_id) == chat_id,
            col(OutboxMessage.status) == OutboxStatus.PENDING,
        )
        .values(status=OutboxStatus.UNREACHABLE, last_error=error[:500], lease_until=None)
    )


async def status_counts(broadcast_id: int, *, session: AsyncSession) -> dict[OutboxStatus, int]:
    """Per person, not per message: a plan document sent before the text is not counted."""
    result = await session.execute(
        select(OutboxMessage.status, func.count())
        .where(
            OutboxMessage.broadcast_id == broadcast_id,
            col(OutboxMessage.dedupe_key).not_like("%:doc%"),
        )
        .group_by(OutboxMessage.status)
    )
    return {OutboxStatus(status): count for status, count in result.all()}


async def failure_reasons(broadcast_id: int, *, session: AsyncSession) -> dict[str, int]:
    result = await session.execute(
        select(OutboxMessage.last_error, func.count())
        .where(
            OutboxMessage.broadcast_id == broadcast_id,
            OutboxMessage.status == OutboxStatus.FAILED,
        )
        .group_by(OutboxMessage.last_error)
    )
    return {str(reason or "?"): count for reason, count in result.all()}


async def resent_after_restart(broadcast_id: int, *, session: AsyncSession) -> list[int]:
    """Chats whose row was in flight at a crash and was sent again (possibly twice)."""
    result = await session.execute(
        select(OutboxMessage.chat_id).where(
            OutboxMessage.broadcast_id == broadcast_id,
            OutboxMessage.last_error == IN_FLIGHT_AT_RESTART,
        )
    )
    return [int(chat_id) for chat_id in result.scalars().all()]


async def cancel_pending(broadcast_id: int, *, session: AsyncSession) -> int:
    result = await session.execute(
        update(OutboxMessage)
        .where(
            col(OutboxMessage.broadcast_id) == broadcast_id,
            col(OutboxMessage.status) == OutboxStatus.PENDING,
        )
        .values(status=OutboxStatus.CANCELLED, lease_until=None)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def pending_count(*, session: AsyncSession) -> int:
    result = await session.execute(
        select(func.count()).where(
            col(OutboxMessage.status).in_([OutboxStatus.PENDING, OutboxStatus.SENDING])
        )
    )
    return int(result.scalar_one())


async def add_broadcast(broadcast: Broadcast, *, session: AsyncSession) -> Broadcast:
    session.add(broadcast)
    await session.flush()
    return broadcast


async def get_broadcast(broadcast_id: int, *, session: AsyncSession) -> Broadcast | None:
    return await session.get(Broadcast, broadcast_id)


async def running_broadcasts(*, session: AsyncSession) -> list[Broadcast]:
    """Broadcasts still sending, or stopped/done but whose final report is not out yet."""
    result = await session.execute(
        select(Broadcast).where(
            (col(Broadcast.status) == BroadcastStatus.RUNNING)
            | (col(Broadcast.report_sent).is_(False))
        )
    )
    return list(result.scalars().all())
