"""The error handler: roll back the update's changes and tell the person to try again."""

import logging

from sqlalchemy.exc import SQLAlchemyError
from telegram import Update
from telegram.error import TelegramError

from bot.context import ThiduaContext
from bot.unit_of_work import NoUnitOfWork

log = logging.getLogger(__name__)


async def on_error(update: object, context: ThiduaContext) -> None:
    """Nothing half-written stays: the update's session is rolled back before we answer."""
    log.error("update failed", exc_info=context.error)
    try:
        await context.db.rollback()
    except (NoUnitOfWork, SQLAlchemyError):
        log.warning("rollback after a failed update also failed", exc_info=True)
    if not isinstance(update, Update):
        return
    t = getattr(context, "t", None) or context.app.services.catalogs.default
    text = t("Sorry, something went wrong on my side. Please try again in a moment.")
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(text, show_alert=True)
        elif update.effective_chat is not None:
            await context.bot.send_message(update.effective_chat.id, text)
    except TelegramError:
        log.warning("could not tell the person about the error", exc_info=True)
