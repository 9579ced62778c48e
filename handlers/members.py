"""/thanhvien: who of the roster has opened the bot, within the asker's scope."""

from html import escape
from typing import Any

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler, filters

from bot.context import ThiduaContext
from bot.i18n import Translator
from bot.replies import send_text
from bot.scopes import UnitJoinStatus, join_status
from handlers.views import units_asked_for

# Beyond this many units the reply lists counts only; a unit's names come with /thanhvien NAME.
DETAIL_LIMIT = 3


async def members_command(update: Update, context: ThiduaContext) -> None:
    chat = update.effective_chat
    if chat is None:
        return
    t = context.t
    refusal = t("Only emulation officers, bloc heads and administrators can see this list.")
    units = await units_asked_for(context, chat.id, refusal)
    if units is None:
        return
    statuses = await join_status(units, session=context.db)
    linked = sum(status.linked for status in statuses)
    total = sum(status.total for status in statuses)
    lines = [
        t(
            "<b>Joined the bot: {linked}/{total} ({percent})</b>",
            linked=t.number(linked),
            total=t.number(total),
            percent=t.percent(linked, total),
        ),
        "",
    ]
    detailed = len(statuses) <= DETAIL_LIMIT
    for status in statuses:
        lines.append(_unit_line(status, t))
        if detailed:
            lines.extend(_waiting_lines(status, t))
    if not detailed:
        lines += ["", t("To see who has not joined in a unit: /thanhvien followed by its name.")]
    await send_text(context, chat.id, "\n".join(lines))


def _unit_line(status: UnitJoinStatus, t: Translator) -> str:
    return t(
        "{unit}: {linked}/{total} ({percent})",
        unit=escape(status.unit.name),
        linked=t.number(status.linked),
        total=t.number(status.total),
        percent=t.percent(status.linked, status.total),
    )


def _waiting_lines(status: UnitJoinStatus, t: Translator) -> list[str]:
    if not status.not_linked:
        return [t("  Everyone has joined."), ""]
    lines = [t("  Not joined yet:")]
    for index, member in enumerate(status.not_linked, start=1):
        position = f" — {escape(member.position)}" if member.position else ""
        lines.append(f"  {index}. {escape(member.full_name)}{position}")
    lines.append("")
    return lines


def handlers() -> list[BaseHandler[Any, Any, Any]]:
    return [
        CommandHandler(["thanhvien", "members"], members_command, filters=filters.ChatType.PRIVATE)
    ]
