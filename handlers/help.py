"""/help: the commands this person's role allows, and how to join if they have not."""

from typing import Any

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler

from bot.context import ThiduaContext
from bot.replies import send_text
from handlers.views import command_list


async def show_help(update: Update, context: ThiduaContext) -> None:
    chat = update.effective_chat
    if chat is None:
        return
    t = context.t
    viewer = context.viewer
    lines = [
        t("<b>Emulation campaign bot</b>"),
        "",
        t("Commands for you:"),
        command_list(viewer, t),
    ]
    if not viewer.is_linked:
        lines += [
            "",
            t(
                "You are not linked to the roster yet: send /start and share your phone "
                "number, or open the invite link your unit's emulation officer sent you."
            ),
        ]
    await send_text(context, chat.id, "\n".join(lines))


def handlers() -> list[BaseHandler[Any, Any, Any]]:
    return [CommandHandler(["help", "trogiup"], show_help)]
