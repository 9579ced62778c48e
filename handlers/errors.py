"""The error handler: roll back the update's changes and tell the person what to do next.

A database that is briefly away (PostgreSQL restarting, a full or locked SQLite file) gets its
own answer: the person is asked to try again in a minute, and told that the steps they had
already completed are kept (drafts are committed step by step). Other failures get the generic
apology. Either way nothing half-written stays: the update's session is rolled back.
"""

import logging

from sqlalchemy.exc import SQLAlchemyError
from telegram import Update
from telegram.error import NetworkError, TelegramError
from telegram.ext import ApplicationHandlerStop

from bot.context import ThiduaContext
from bot.i18n import N_
from bot.unit_of_work import NoUnitOfWork
from storage.availability import database_unavailable, first_line

log = logging.getLogger(__name__)

BUSY = N_("The service is busy, please try again in a minute. What you entered so far is kept.")
BROKEN = N_("Sorry, something went wrong on my side. Please try again in a moment.")


async def on_error(update: object, context: ThiduaContext) -> None:
    """Answer once per update; after a database outage, stop the later handler groups too."""
    error = context.error
    outage = database_unavailable(error)
    if outage and error is not None:
        # Expected while the database is away: one line per update, not a traceback.
        log.warning("database unavailable: %s", first_line(error))
    elif isinstance(error, NetworkError) and not isinstance(update, Update):
        # Polling met a 5xx, a timeout or a dropped connection; PTB retries with back-off.
        log.warning("Bot API unavailable, retrying: %s", error.message)
        return
    else:
        log.error("update failed", exc_info=error)
    try:
        await context.db.rollback()
    except NoUnitOfWork:
        pass  # a job or the poller: no update's unit of work to undo
    except (SQLAlchemyError, OSError):
        log.warning("rollback after a failed update also failed", exc_info=not outage)
    if not isinstance(update, Update):
        return  # a job (outbox, reminder sweep): it runs again at its next interval
    t = getattr(context, "t", None) or context.app.services.catalogs.default
    text = t(BUSY if outage else BROKEN)
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(text, show_alert=True)
        elif update.effective_chat is not None:
            await context.bot.send_message(update.effective_chat.id, text)
    except TelegramError:
        log.warning("could not tell the person about the error", exc_info=True)
    if outage:
        # The next groups would meet the same database: one answer per update is enough.
        raise ApplicationHandlerStop
