"""Sending the bot's replies, each one kept in the message log beside what the person sent."""

from telegram import (
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)
from telegram.constants import MessageLimit, ParseMode

from bot.context import ThiduaContext
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
        message = await context.bot.send_message(
            chat_id,
            chunk,
            parse_mode=ParseMode.HTML,
            reply_markup=markup,
            link_preview_options=LinkPreviewOptions(is_disabled=True),
        )
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
