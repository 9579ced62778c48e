"""What the admin sees while a broadcast drains: one message, edited every few seconds, with a
stop button, then the delivery report."""

import logging
import time
from html import escape

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, TelegramError

from bot.i18n import Catalogs, Translator
from storage import campaigns as campaign_store
from storage import outbox as store
from storage.campaign_models import Broadcast, BroadcastStatus, OutboxStatus
from storage.database import Database
from storage.models import Member, TelegramUser
from storage.types import utcnow

log = logging.getLogger(__name__)

STOP_PREFIX = "bcstop:"
EDIT_EVERY_SECONDS = 3.0


class ProgressReporter:
    """Called by the dispatcher after each batch; edits at most every few seconds."""

    def __init__(self, database: Database, bot: Bot, catalogs: Catalogs) -> None:
        self.database = database
        self.bot = bot
        self.catalogs = catalogs
        self._last_run = 0.0
        self._shown: dict[int, str] = {}

    async def __call__(self) -> None:
        if time.monotonic() - self._last_run < EDIT_EVERY_SECONDS:
            return
        self._last_run = time.monotonic()
        async with self.database.session() as session:
            broadcasts = await store.running_broadcasts(session=session)
        for broadcast in broadcasts:
            try:
                await self._update(broadcast)
            except TelegramError as exc:
                log.warning("broadcast %s: progress message failed: %s", broadcast.id, exc)

    async def _update(self, broadcast: Broadcast) -> None:
        assert broadcast.id is not None
        async with self.database.session() as session:
            counts = await store.status_counts(broadcast.id, session=session)
            t = await self._translator(broadcast, session)
            open_rows = counts.get(OutboxStatus.PENDING, 0) + counts.get(OutboxStatus.SENDING, 0)
            fresh = await session.get(Broadcast, broadcast.id)
            assert fresh is not None
            if open_rows == 0 and fresh.status == BroadcastStatus.RUNNING:
                fresh.status = BroadcastStatus.DONE
                fresh.finished_at = utcnow()
            finished = fresh.status != BroadcastStatus.RUNNING and open_rows == 0
            if finished:
                report = await delivery_report(fresh, t, session=session)
                fresh.report_sent = True
        if fresh.admin_chat_id is None:
            return
        if finished:
            await self._show(fresh, progress_text(fresh, counts, t), markup=None)
            await self.bot.send_message(fresh.admin_chat_id, report, parse_mode="HTML")
            return
        await self._show(fresh, progress_text(fresh, counts, t), markup=stop_button(fresh, t))

    async def _show(
        self, broadcast: Broadcast, text: str, markup: InlineKeyboardMarkup | None
    ) -> None:
        assert broadcast.id is not None and broadcast.admin_chat_id is not None
        if self._shown.get(broadcast.id) == text:
            return
        self._shown[broadcast.id] = text
        if broadcast.progress_message_id is None:
            message = await self.bot.send_message(
                broadcast.admin_chat_id, text, parse_mode="HTML", reply_markup=markup
            )
            async with self.database.session() as session:
                stored = await session.get(Broadcast, broadcast.id)
                if stored is not None:
                    stored.progress_message_id = message.message_id
            return
        try:
            await self.bot.edit_message_text(
                text,
                chat_id=broadcast.admin_chat_id,
                message_id=broadcast.progress_message_id,
                parse_mode="HTML",
                reply_markup=markup,
            )
        except BadRequest as exc:
            if "not modified" not in exc.message.lower():
                raise

    async def _translator(self, broadcast: Broadcast, session: AsyncSession) -> Translator:
        user = (
            await session.get(TelegramUser, broadcast.created_by) if broadcast.created_by else None
        )
        return self.catalogs.get(user.locale if user else None)


def stop_button(broadcast: Broadcast, t: Translator) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(t("⏹ Stop"), callback_data=f"{STOP_PREFIX}{broadcast.id}")]]
    )


def progress_text(broadcast: Broadcast, counts: dict[OutboxStatus, int], t: Translator) -> str:
    sent = counts.get(OutboxStatus.SENT, 0)
    state = {
        BroadcastStatus.RUNNING: t("Sending"),
        BroadcastStatus.STOPPED: t("Stopped"),
        BroadcastStatus.DONE: t("Finished"),
    }[broadcast.status]
    return t(
        "{state}: sent {sent}/{total} · {blocked} blocked the bot · {failed} errors",
        state=state,
        sent=t.number(sent),
        total=t.number(broadcast.total),
        blocked=t.number(counts.get(OutboxStatus.UNREACHABLE, 0)),
        failed=t.number(counts.get(OutboxStatus.FAILED, 0)),
    )


async def delivery_report(broadcast: Broadcast, t: Translator, *, session: AsyncSession) -> str:
    """Sent, unreachable, failed with reasons, stopped, acknowledged, and any resent rows."""
    assert broadcast.id is not None
    counts = await store.status_counts(broadcast.id, session=session)
    lines = [
        t("<b>Delivery report</b>"),
        t(
            "Delivered: {sent}/{total}",
            sent=t.number(counts.get(OutboxStatus.SENT, 0)),
            total=t.number(broadcast.total),
        ),
        t(
            "Blocked the bot or left Telegram: {count}",
            count=t.number(counts.get(OutboxStatus.UNREACHABLE, 0)),
        ),
    ]
    failed = counts.get(OutboxStatus.FAILED, 0)
    if failed:
        reasons = await store.failure_reasons(broadcast.id, session=session)
        detail = "; ".join(f"{escape(reason)} ({count})" for reason, count in reasons.items())
        lines.append(t("Failed: {count} — {reasons}", count=t.number(failed), reasons=detail))
    cancelled = counts.get(OutboxStatus.CANCELLED, 0)
    if cancelled:
        lines.append(
            t("Not sent because the broadcast was stopped: {count}", count=t.number(cancelled))
        )
    if broadcast.campaign_id is not None:
        acks = await campaign_store.acknowledgement_count(broadcast.campaign_id, session=session)
        lines.append(t("Pressed «Received» so far: {count}", count=t.number(acks)))
        lines.append(t("By unit: /baocaogui {id}", id=broadcast.campaign_id))
    resent = await store.resent_after_restart(broadcast.id, session=session)
    if resent:
        names = await _names(resent, session)
        lines.append(
            t(
                "Sent again after a restart (may have received it twice): {names}",
                names=escape(", ".join(names)),
            )
        )
    return "\n".join(lines)


async def _names(chat_ids: list[int], session: AsyncSession) -> list[str]:
    result = await session.execute(
        select(Member.full_name).where(col(Member.telegram_user_id).in_(chat_ids))
    )
    return list(result.scalars().all()) or [str(chat_id) for chat_id in chat_ids]
