"""Whatever no feature claimed: a short, helpful answer, never silence."""

from typing import Any

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, MessageHandler, filters

from bot.context import ThiduaContext
from bot.replies import send_text
from handlers.views import share_phone_keyboard


async def unexpected_message(update: Update, context: ThiduaContext) -> None:
    message = update.effective_message
    if message is None:
        return
    t = context.t
    if message.text and message.text.startswith("/"):
        text = t("I do not know this command. Send /help to see what you can do.")
        await send_text(context, message.chat_id, text)
        return
    if context.viewer.is_linked:
        text = t(
            "I only understand commands and buttons for now. Send /help to see what you can do."
        )
        await send_text(context, message.chat_id, text)
        return
    text = t(
        "You are not linked to the roster yet. Tap «Share my phone number» below, or open "
        "the invite link from your unit's emulation officer."
    )
    await send_text(context, message.chat_id, text, reply_markup=share_phone_keyboard(t))


async def stale_button(update: Update, context: ThiduaContext) -> None:
    query = update.callback_query
    if query is not None:
        await query.answer(context.t("This button is no longer valid."), show_alert=True)


async def unknown_group_command(update: Update, context: ThiduaContext) -> None:
    """In groups the bot stays quiet except for commands addressed to it."""
    message = update.effective_message
    if message is not None:
        text = context.t("Please write to me in a private chat: tap my name, then Start.")
        await send_text(context, message.chat_id, text)


def handlers() -> list[BaseHandler[Any, Any, Any]]:
    private = filters.ChatType.PRIVATE
    return [
        MessageHandler(private & ~filters.StatusUpdate.ALL, unexpected_message),
        MessageHandler(~private & filters.COMMAND, unknown_group_command),
        CallbackQueryHandler(stale_button),
    ]
