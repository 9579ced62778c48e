"""/moi: an officer, bloc head or admin makes an invite link for a unit they manage."""

from datetime import timedelta
from html import escape
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from bot.context import ThiduaContext
from bot.invites import create_invite, deep_link
from bot.refusals import refuse_press
from bot.replies import send_text
from handlers.views import units_asked_for
from storage import org as org_store
from storage.models import Unit

CALLBACK_PREFIX = "inv:"
CHAT_INVITE_USES = 200
CHAT_INVITE_DAYS = 30
MAX_BUTTONS = 30


async def invite_command(update: Update, context: ThiduaContext) -> None:
    chat = update.effective_chat
    if chat is None:
        return
    t = context.t
    refusal = t("Only emulation officers, bloc heads and administrators can create invite links.")
    units = await units_asked_for(context, chat.id, refusal)
    if units is None:
        return
    if len(units) == 1:
        await _send_invite(context, chat.id, units[0])
    elif len(units) <= MAX_BUTTONS:
        buttons = [
            [InlineKeyboardButton(unit.name[:60], callback_data=f"{CALLBACK_PREFIX}{unit.id}")]
            for unit in units
        ]
        text = t("Which unit is the invite link for?")
        await send_text(context, chat.id, text, reply_markup=InlineKeyboardMarkup(buttons))
    else:
        text = t(
            "You manage {count} units. Type /moi followed by part of the unit's name, "
            "for example: /moi tư pháp",
            count=t.number(len(units)),
        )
        await send_text(context, chat.id, text)


async def invite_button(update: Update, context: ThiduaContext) -> None:
    """Re-check the press on the server: a stale or forged unit id gets a clear refusal."""
    query = update.callback_query
    if query is None or query.message is None:
        return
    t = context.t
    unit_id_text = (query.data or "").removeprefix(CALLBACK_PREFIX)
    unit = (
        await org_store.get_unit(int(unit_id_text), session=context.db)
        if (unit_id_text.isdigit())
        else None
    )
    if unit is None or unit.id is None or not context.viewer.may_manage_unit(unit.id, unit.bloc_id):
        await refuse_press(
            query, t("You cannot create invite links for this unit."), refused="unit"
        )
        return
    await query.answer()
    await _send_invite(context, query.message.chat.id, unit)


async def _send_invite(context: ThiduaContext, chat_id: int, unit: Unit) -> None:
    t = context.t
    assert unit.id is not None
    now = context.app.services.now()
    invite = await create_invite(
        unit.id,
        uses=CHAT_INVITE_USES,
        expires_days=CHAT_INVITE_DAYS,
        created_by=context.viewer.telegram_user_id,
        now=now,
        session=context.db,
    )
    link = deep_link(context.bot.username, invite.token)
    expires = (now + timedelta(days=CHAT_INVITE_DAYS)).astimezone(context.app.services.settings.tz)
    text = "\n".join(
        [
            t("Invite link for <b>{unit}</b>:", unit=escape(unit.name)),
            link,
            "",
            t(
                "Send it to the unit's members (for example in the unit's chat group). "
                "It can be used {uses} times until {date}.",
                uses=t.number(CHAT_INVITE_USES),
                date=t.date(expires.date()),
            ),
        ]
    )
    await send_text(context, chat_id, text)


def handlers() -> list[BaseHandler[Any, Any, Any]]:
    return [
        CommandHandler(["moi", "invite"], invite_command, filters=filters.ChatType.PRIVATE),
        CallbackQueryHandler(invite_button, pattern=f"^{CALLBACK_PREFIX}"),
    ]
