"""The outbox dispatcher: drains queued messages at Telegram's pace, durably, once each.

It runs as one background task beside the update handlers and sends through its own `Bot` and
HTTP connection pool, so a member's command is answered at once while a large broadcast drains.
Each row is marked `sending` (committed) before the request and settled (committed) after it; a
crash therefore leaves at most the one row in flight, which is sent again at the next start and
named in the broadcast report (at-least-once for that one row, exactly once for all others).
"""

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from telegram import Bot, InlineKeyboardMarkup, InputFile, Message
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.pacing import Pacer, SendLimits, retry_seconds
from storage import outbox as store
from storage.campaign_models import CampaignDocument, OutboxMessage, OutboxStatus
from storage.database import Database
from storage.people import mark_chat_unreachable_member
from storage.types import utcnow

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
BATCH = 50
LEASE = timedelta(minutes=2)
IDLE_POLL_SECONDS = 0.5


ChartRenderer = Callable[[dict[str, Any], str | None], Awaitable[bytes]]
CHART_CACHE = 512  # file_ids of charts already uploaded, so a unit's officers share one drawing


@dataclass(frozen=True)
class Outcome:
    status: OutboxStatus
    error: str | None = None
    message_id: int | None = None
    retry_in: float | None = None  # seconds until the row may be tried again


class Dispatcher:
    """Sends outbox rows; `on_progress` is called after each batch (broadcast reports)."""

    def __init__(
        self,
        database: Database,
        bot: Bot,
        *,
        limits: SendLimits | None = None,
        on_progress: Callable[[], Any] | None = None,
        clock: Callable[[], float] = time.monotonic,
        backoff: Callable[[int], float] = lambda attempt: min(2.0**attempt, 300.0),
        charts: ChartRenderer | None = None,
        on_outcome: Callable[[OutboxStatus], None] | None = None,
    ) -> None:
        self.database = database
        self.bot = bot
        self.charts = charts
        self._chart_file_ids: dict[str, str] = {}
        self.pacer = Pacer(limits or SendLimits())
        self.on_progress = on_progress
        self.on_outcome = on_outcome  # counts sends by result (metrics)
        self.clock = clock
        self.backoff = backoff
        self.wake = asyncio.Event()
        self.stopping = asyncio.Event()
        self.recovered: list[int] = []  # outbox ids found in flight at start

    async def run(self) -> None:
        """Recover what a crash left in flight, then drain until stopped."""
        async with self.database.session() as session:
            self.recovered = [
                row.id
                for row in await store.recover_in_flight(session=session)
                if row.id is not None
            ]
        if self.recovered:
            log.warning("outbox: %d message(s) were in flight at restart", len(self.recovered))
        while not self.stopping.is_set():
            sent_any = await self.drain_once()
            if self.on_progress is not None:
                await self.on_progress()
            if not sent_any:
                await self._idle()

    def stop(self) -> None:
        self.stopping.set()
        self.wake.set()

    async def drain_once(self) -> bool:
        """Claim a batch of due rows and send them; True if any row was handled."""
        async with self.database.session() as session:
            rows = await store.claim_due(BATCH, now=utcnow(), lease=LEASE, session=session)
        for row in rows:
            if self.stopping.is_set():
                await self._release(row, utcnow())
                continue
            await self._handle(row)
        return bool(rows)

    async def _handle(self, row: OutboxMessage) -> None:
        assert row.id is not None
        now = self.clock()
        ready = self.pacer.chat_ready_at(row.chat_id, now)
        if ready - now > 0.05:
            # Another message to this chat went out less than a second ago: come back later.
            await self._release(row, utcnow() + timedelta(seconds=ready - now))
            return
        await self._sleep_until(self.pacer.next_slot(self.clock()))
        async with self.database.session() as session:
            if not await store.mark_sending(row.id, now=utcnow(), session=session):
                return  # cancelled (a stopped broadcast) since it was claimed
        started = self.clock()
        outcome = await self._deliver(row)
        self.pacer.record_send(row.chat_id, started, completed_at=self.clock())
        await self._settle(row, outcome)

    async def _deliver(self, row: OutboxMessage) -> Outcome:
        try:
            message = await self._call(row)
        except RetryAfter as exc:
            seconds = retry_seconds(exc.retry_after)
            self.pacer.pause(seconds, self.clock())
            return Outcome(OutboxStatus.PENDING, f"429 retry after {seconds:g}s", retry_in=seconds)
        except Forbidden as exc:
            return Outcome(OutboxStatus.UNREACHABLE, f"403 {exc.message}")
        except BadRequest as exc:
            return Outcome(OutboxStatus.FAILED, f"400 {exc.message}")
        except NetworkError as exc:  # timeouts, dropped connections, 5xx
            if row.attempts + 1 >= MAX_ATTEMPTS:
                return Outcome(OutboxStatus.FAILED, f"network: {exc.message}")
            retry_in = self.backoff(row.attempts + 1)
            return Outcome(OutboxStatus.PENDING, f"network: {exc.message}", retry_in=retry_in)
        except TelegramError as exc:
            return Outcome(OutboxStatus.FAILED, exc.message)
        return Outcome(OutboxStatus.SENT, message_id=message.message_id)

    async def _call(self, row: OutboxMessage) -> Message:
        payload = row.payload
        markup = payload.get("reply_markup")
        reply_markup = InlineKeyboardMarkup.de_json(markup, self.bot) if markup else None
        method = payload.get("method", "sendMessage")
        if method == "sendDocument":
            document = await self._document(payload)
            message = await self.bot.send_document(
                row.chat_id,
                document,
                caption=payload.get("caption"),
                parse_mode="HTML",
                reply_markup=reply_markup,
            )
            await self._remember_file_id(payload, message)
            return message
        if method == "sendChart":
            return await self._send_chart(row.chat_id, payload, reply_markup)
        if method == "sendPhoto":
            return await self.bot.send_photo(
                row.chat_id,
                payload["file_id"],
                caption=payload.get("caption"),
                parse_mode="HTML",
                reply_markup=reply_markup,
            )
        return await self.bot.send_message(
            row.chat_id,
            payload["text"],
            parse_mode="HTML",
            reply_markup=reply_markup,
            disable_web_page_preview=True,
        )

    async def _send_chart(
        self, chat_id: int, payload: dict[str, Any], reply_markup: InlineKeyboardMarkup | None
    ) -> Message:
        """Draw the chart the row names (once per chart and language), then send it as a photo."""
        key = json.dumps([payload["chart"], payload.get("locale")], sort_keys=True)
        photo: str | InputFile
        if key in self._chart_file_ids:
            photo = self._chart_file_ids[key]
        else:
            if self.charts is None:
                raise BadRequest("no chart renderer")
            try:
                png = await self.charts(payload["chart"], payload.get("locale"))
            except LookupError as exc:
                raise BadRequest(f"chart: {exc} no longer exists") from exc
            photo = InputFile(png, filename="bieu-do.png")
        message = await self.bot.send_photo(
            chat_id,
            photo,
            caption=payload.get("caption"),
            parse_mode="HTML",
            reply_markup=reply_markup,
        )
        if message.photo and key not in self._chart_file_ids:
            if len(self._chart_file_ids) >= CHART_CACHE:
                self._chart_file_ids.clear()
            self._chart_file_ids[key] = message.photo[-1].file_id
        return message

    async def _document(self, payload: dict[str, Any]) -> str | InputFile:
        """A stored Telegram file_id, or the campaign document's bytes for the first upload."""
        if payload.get("file_id"):
            return str(payload["file_id"])
        async with self.database.session() as session:
            document = await session.get(CampaignDocument, payload["document_id"])
        if document is None:
            raise BadRequest("document not found")
        if document.telegram_file_id:
            return document.telegram_file_id
        return InputFile(document.content or b"", filename=document.file_name)

    async def _remember_file_id(self, payload: dict[str, Any], message: Message) -> None:
        if not payload.get("document_id") or message.document is None:
            return
        async with self.database.session() as session:
            document = await session.get(CampaignDocument, payload["document_id"])
            if document is not None and not document.telegram_file_id:
                document.telegram_file_id = message.document.file_id

    async def _settle(self, row: OutboxMessage, outcome: Outcome) -> None:
        assert row.id is not None
        now = utcnow()
        not_before = now + timedelta(seconds=outcome.retry_in) if outcome.retry_in else None
        async with self.database.session() as session:
            await store.settle(
                row.id,
                outcome.status,
                now=now,
                error=outcome.error,
                message_id=outcome.message_id,
                not_before=not_before,
                session=session,
            )
            if outcome.status == OutboxStatus.UNREACHABLE:
                await store.mark_chat_unreachable(
                    row.chat_id, error=outcome.error or "403", session=session
                )
                await mark_chat_unreachable_member(row.chat_id, session=session)
        if self.on_outcome is not None:
            self.on_outcome(outcome.status)

    async def _release(self, row: OutboxMessage, not_before: datetime) -> None:
        assert row.id is not None
        async with self.database.session() as session:
            await store.release(row.id, not_before, session=session)

    async def _sleep_until(self, moment: float) -> None:
        delay = moment - self.clock()
        if delay > 0:
            await asyncio.sleep(delay)

    async def _idle(self) -> None:
        self.wake.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.wake.wait(), timeout=IDLE_POLL_SECONDS)
