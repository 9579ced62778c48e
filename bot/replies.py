"""Sending the bot's replies, each one kept in the message log beside what the person sent."""

import asyncio
import time

from telegram import (
    InlineKeyboardMarkup,
    InputFile,
    LinkPreviewOptions,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)
from telegram.constants import MessageLimit, ParseMode
from telegram.error import RetryAfter

from bot.context import ThiduaContext
from bot.pacing import retry_seconds
from storage.message_log import log_message

ReplyMarkup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove


async def send_text(
    context: ThiduaContext,
    chat_id: int,
    text: str,
    *,
    reply_markup: ReplyMarkup | None = None,
) -> list[Message]:
    """Send HTML text (callers escape what people typed), split at Telegram's 4,096 limit."""
    sent = []
    chunks = split_message(text)
    for index, chunk in enumerate(chunks):
        markup = reply_markup if index == len(chunks) - 1 else None
        message = await _send_respecting_pause(context, chat_id, chunk, markup)
        await log_message(
            direction="out",
            kind="text",
            chat_id=chat_id,
            telegram_user_id=chat_id if chat_id > 0 else None,
            text=chunk,
            payload=message.to_dict(),
            session=context.db,
        )
        sent.append(message)
    return sent


async def _send_respecting_pause(
    context: ThiduaContext, chat_id: int, text: str, markup: ReplyMarkup | None
) -> Message:
    """Replies never queue behind a broadcast, but a 429 pause holds for the whole bot: wait it
    out, and after a 429 of our own, wait exactly retry_after and try once more."""
    outbox = context.app.services.outbox
    pacer = outbox.dispatcher.pacer if outbox is not None else None
    if pacer is not None and (wait := pacer.paused_for(time.monotonic())) > 0:
        await asyncio.sleep(wait)
    for attempt in (1, 2):
        started = time.monotonic()
        if pacer is not None:
            pacer.begin_external(started)
        try:
            message = await context.bot.send_message(
                chat_id,
                text,
                parse_mode=ParseMode.HTML,
                reply_markup=markup,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        except RetryAfter as exc:
            if attempt == 2:
                raise
            seconds = retry_seconds(exc.retry_after)
            if pacer is not None:
                pacer.pause(seconds, time.monotonic())
            await asyncio.sleep(seconds)
            continue
        if pacer is not None:
            pacer.end_external(started, time.monotonic())
        return message
    raise AssertionError("unreachable")


def split_message(text: str, limit: int = MessageLimit.MAX_TEXT_LENGTH) -> list[str]:
    """Cut at line breaks so no message is truncated and no HTML tag spans two messages."""
    if len(text) <= limit:
        return [text]
    chunks: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:
            if current:
                chunks.append(current)
                current = ""
            chunks.append(line[:limit])
            line = line[limit:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            chunks.append(current)
            current = line
        else:
            current = candidate
    if current:
        chunks.append(current)
    return chunks


async def send_upload(
    context: ThiduaContext,
    chat_id: int,
    data: bytes,
    filename: str,
    caption: str,
    *,
    photo: bool = False,
) -> Message:
    """A file the bot made (a chart, an export), as a photo or a document, kept in the log."""
    upload = InputFile(data, filename=filename)
    if photo:
        sent = await context.bot.send_photo(
            chat_id, upload, caption=caption, parse_mode=ParseMode.HTML
        )
    else:
        sent = await context.bot.send_document(
            chat_id, upload, caption=caption, parse_mode=ParseMode.HTML
        )
    await log_message(
        direction="out",
        kind="photo" if photo else "document",
        chat_id=chat_id,
        telegram_user_id=chat_id if chat_id > 0 else None,
        text=caption,
        payload={"message_id": sent.message_id, "file": filename, "bytes": len(data)},
        session=context.db,
    )
    return sent
