"""Group -1: log every update, record the sender, resolve their roles and language."""

from typing import Any

from telegram import Update
from telegram.ext import BaseHandler, TypeHandler

from bot.access import Viewer
from bot.context import ThiduaContext
from bot.identity import resolve_viewer
from storage import people
from storage.message_log import log_message
from storage.models import MemberStatus


async def identify(update: Update, context: ThiduaContext) -> None:
    catalogs = context.app.services.catalogs
    context.t = catalogs.default
    user = update.effective_user
    context.viewer = Viewer(telegram_user_id=user.id if user else 0)
    chat = update.effective_chat
    message = update.effective_message
    await log_message(
        direction="in",
        kind=update_kind(update),
        update_id=update.update_id,
        telegram_user_id=user.id if user else None,
        chat_id=chat.id if chat else None,
        text=(message.text or message.caption) if message else _callback_data(update),
        payload=update.to_dict(),
        session=context.db,
    )
    if user is not None:
        telegram_user = await people.upsert_telegram_user(
            user.id,
            first_name=user.first_name,
            last_name=user.last_name,
            username=user.username,
            language_code=user.language_code,
            session=context.db,
        )
        context.viewer = await resolve_viewer(user.id, session=context.db)
        context.t = catalogs.get(telegram_user.locale)
        member = context.viewer.member
        if (
            member is not None
            and member.status == MemberStatus.UNREACHABLE
            and _from_person(update)
        ):
            # They write to us again, so they can be reached: broadcasts include them again.
            await people.set_reachable(user.id, reachable=True, session=context.db)
    # Keep the log and the sender even if a feature handler fails later.
    await context.db.commit()


def update_kind(update: Update) -> str:
    """A short label for the log: what the person sent."""
    if update.callback_query:
        return "callback"
    message = update.effective_message
    if message is None:
        return "other"
    if message.text:
        return "command" if message.text.startswith("/") else "text"
    for kind in ("contact", "photo", "document", "sticker", "voice", "video", "location"):
        if getattr(message, kind):
            return kind
    return "other"


def _from_person(update: Update) -> bool:
    """A message or button press, not a membership change (blocking arrives as an update too)."""
    return update.message is not None or update.callback_query is not None


def _callback_data(update: Update) -> str | None:
    query = update.callback_query
    return query.data if query else None


def handlers() -> list[BaseHandler[Any, Any, Any]]:
    return [TypeHandler(Update, identify)]
