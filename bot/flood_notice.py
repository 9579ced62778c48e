"""What a person over the flood limit sees: their button stops spinning, and one polite notice.

Why a module of its own: the update processor decides and orders; this is the only part of
flood control that talks to Telegram and the database (the person's language, the message log).
"""

import asyncio
import logging
import time
from typing import TYPE_CHECKING

from sqlalchemy.exc import SQLAlchemyError
from telegram import Message, Update
from telegram.constants import ChatType
from telegram.error import RetryAfter, TelegramError

from bot.i18n import N_, Translator
from bot.pacing import retry_seconds
from bot.user_language import translator_for
from storage.message_log import log_message

if TYPE_CHECKING:
    from bot.app import ThiduaApplication

log = logging.getLogger(__name__)

NOTICE = N_(
    "You are sending messages too fast, so I skipped some of them. Please wait a few seconds, "
    "then send the rest again — what you entered before is kept."
)


class FloodNotices:
    """Answers dropped updates for the application's bot; never raises into the processor."""

    def __init__(self, application: "ThiduaApplication") -> None:
        self.application = application

    async def answer_dropped(self, update: Update) -> None:
        """A pressed button spins until answered: answer it, with no text (no database work)."""
        query = update.callback_query
        if query is None:
            return
        try:
            await query.answer()
        except TelegramError as exc:
            log.debug("flood: could not answer a dropped button: %s", exc)

    async def notify(self, update: Update) -> None:
        """The notice, in the person's language, in private chats only (groups stay quiet)."""
        chat, user = update.effective_chat, update.effective_user
        if chat is None or user is None or chat.type != ChatType.PRIVATE:
            return
        t = await self._translator(user.id)
        text = t(NOTICE)
        try:
            message = await self._send(chat.id, text)
        except TelegramError as exc:
            log.warning("flood: notice to %s not sent: %s", chat.id, exc)
            return
        await self._record(chat.id, user.id, text, message)

    async def _translator(self, user_id: int) -> Translator:
        services = self.application.services
        try:
            async with services.database.session() as session:
                return await translator_for(user_id, services.catalogs, session)
        except SQLAlchemyError:
            log.warning("flood: language of %s unknown (database unavailable)", user_id)
            return services.catalogs.default

    async def _send(self, chat_id: int, text: str) -> Message:
        """Like a reply: wait out a 429 pause, count in the send window, pause on a 429."""
        outbox = self.application.services.outbox
        pacer = outbox.dispatcher.pacer if outbox is not None else None
        if pacer is not None and (wait := pacer.paused_for(time.monotonic())) > 0:
            await asyncio.sleep(wait)
        started = time.monotonic()
        if pacer is not None:
            pacer.begin_external(started)
        try:
            message = await self.application.bot.send_message(chat_id, text)
        except RetryAfter as exc:
            if pacer is not None:
                pacer.pause(retry_seconds(exc.retry_after), time.monotonic())
            raise
        if pacer is not None:
            pacer.end_external(started, time.monotonic())
        return message

    async def _record(self, chat_id: int, user_id: int, text: str, message: Message) -> None:
        services = self.application.services
        try:
            async with services.database.session() as session:
                await log_message(
                    direction="out",
                    kind="text",
                    chat_id=chat_id,
                    telegram_user_id=user_id,
                    text=text,
                    payload=message.to_dict(),
                    session=session,
                )
        except SQLAlchemyError:
            log.warning("flood: notice to %s sent but not logged (database unavailable)", chat_id)
