"""/language: switch between Vietnamese and English; the choice is stored with the person."""

from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.commands import publish_chat_commands
from bot.context import ThiduaContext
from bot.i18n import LOCALES
from bot.replies import send_text
from storage.people import set_locale

CALLBACK_PREFIX = "lang:"
LANGUAGE_NAMES = {"vi": "🇻🇳 Tiếng Việt", "en": "🇬🇧 English"}


async def ask_language(update: Update, context: ThiduaContext) -> None:
    chat = update.effective_chat
    if chat is None:
        return
    buttons = [
        InlineKeyboardButton(LANGUAGE_NAMES[locale], callback_data=f"{CALLBACK_PREFIX}{locale}")
        for locale in LOCALES
    ]
    text = context.t("Choose your language:")
    await send_text(context, chat.id, text, reply_markup=InlineKeyboardMarkup([buttons]))


async def choose_language(update: Update, context: ThiduaContext) -> None:
    query = update.callback_query
    user = update.effective_user
    if query is None or user is None:
        return
    locale = (query.data or "").removeprefix(CALLBACK_PREFIX)
    if locale not in LOCALES:
        await query.answer(context.t("This button is no longer valid."))
        return
    await set_locale(user.id, locale, session=context.db)
    context.t = context.app.services.catalogs.get(locale)
    await query.answer()
    text = context.t("Language set to English.")
    if query.message is not None:
        await send_text(context, query.message.chat.id, text)
        await publish_chat_commands(context.bot, query.message.chat.id, context.viewer, context.t)


def handlers() -> list[BaseHandler[Any, Any, Any]]:
    return [
        CommandHandler(["language", "ngonngu"], ask_language),
        CallbackQueryHandler(choose_language, pattern=f"^{CALLBACK_PREFIX}"),
    ]
