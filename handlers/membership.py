"""A person blocking or unblocking the bot: mark their record unreachable or active again.

Reminders and broadcasts skip unreachable people, and officers see who cannot be reached.
"""

from typing import Any

from telegram import ChatMember, Update
from telegram.ext import BaseHandler, ChatMemberHandler

from bot.context import ThiduaContext
from storage.people import set_reachable


async def bot_membership_changed(update: Update, context: ThiduaContext) -> None:
    change = update.my_chat_member
    if change is None or change.chat.type != "private":
        return
    blocked = change.new_chat_member.status in (ChatMember.BANNED, ChatMember.LEFT)
    await set_reachable(change.from_user.id, reachable=not blocked, session=context.db)


def handlers() -> list[BaseHandler[Any, Any, Any]]:
    return [ChatMemberHandler(bot_membership_changed, ChatMemberHandler.MY_CHAT_MEMBER)]
