"""/dulieu: everything the bot keeps about you, with the whole file on request; /xoadulieu: an
administrator erases a person's data on their request, after confirming.

Both work in a private chat only: personal data is never shown in a group. `/dulieu` and its
button always read the data of the Telegram account that sent the update, so nothing typed or
forged can show someone else's.
"""

from html import escape
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from bot import erasure
from bot.context import ThiduaContext
from bot.errors import UserFacingError
from bot.personal_data import export_filename, export_json, personal_data
from bot.personal_data_text import summary_text
from bot.refusals import refuse_press
from bot.replies import send_text, send_upload
from storage.privacy_models import ErasureChannel

EXPORT = "dulieu:json"
ERASE_PREFIX = "xoadl:"  # xoadl:<member id> to confirm, xoadl:no to cancel
CANCEL = f"{ERASE_PREFIX}no"


async def show_data(update: Update, context: ThiduaContext) -> None:
    chat = update.effective_chat
    user = update.effective_user
    if chat is None or user is None:
        return
    t = context.t
    data = await personal_data(user.id, session=context.db)
    text = summary_text(data, t, context.app.services.settings.tz)
    button = InlineKeyboardButton(t("📥 Download everything (JSON)"), callback_data=EXPORT)
    await send_text(context, chat.id, text, reply_markup=InlineKeyboardMarkup([[button]]))


async def send_export(update: Update, context: ThiduaContext) -> None:
    query = update.callback_query
    user = update.effective_user
    if query is None or user is None or query.message is None:
        return
    t = context.t
    if query.message.chat.id != user.id:
        await query.answer(t("Your data is sent only in a private chat with the bot."))
        return
    await query.answer()
    data = await personal_data(user.id, session=context.db)
    now = context.app.services.now()
    caption = t("Everything the bot keeps about you, as of {when}.", when=t.datetime(now))
    await send_upload(
        context, user.id, export_json(data, now), export_filename(data, now), escape(caption)
    )


async def private_only(update: Update, context: ThiduaContext) -> None:
    chat = update.effective_chat
    if chat is not None:
        text = context.t("For your privacy, send this command in a private chat with the bot.")
        await send_text(context, chat.id, text)


async def ask_erase(update: Update, context: ThiduaContext) -> None:
    """/xoadulieu PHONE or /xoadulieu #ID: who would be erased, and a button to confirm."""
    chat = update.effective_chat
    if chat is None:
        return
    t = context.t
    if not context.viewer.is_admin:
        await send_text(context, chat.id, t("Only administrators can erase a person's data."))
        return
    argument = " ".join(context.args or []).strip()
    if not argument:
        usage = t("Usage: /xoadulieu PHONE or /xoadulieu #MEMBER_ID, e.g. /xoadulieu 0912345678")
        await send_text(context, chat.id, usage)
        return
    try:
        if argument.startswith("#") and argument[1:].isdigit():
            target = await erasure.find_by_member_id(int(argument[1:]), session=context.db)
        else:
            target = await erasure.find_by_phone(argument, session=context.db)
    except UserFacingError as exc:
        await send_text(context, chat.id, escape(t(exc.message, **exc.params)))
        return
    assert target.member_id is not None  # found by phone or member id: always a member
    question = t(
        "Erase the personal data of {who}? Name, phone, Telegram account, messages, notes and "
        "files go; pledges and reports stay, without a name, so the counts do not change. "
        "This cannot be undone.",
        who=escape(erasure.describe(target, t)),
    )
    buttons = [
        InlineKeyboardButton(t("🗑 Erase"), callback_data=f"{ERASE_PREFIX}{target.member_id}"),
        InlineKeyboardButton(t("✖️ Cancel"), callback_data=CANCEL),
    ]
    await send_text(context, chat.id, question, reply_markup=InlineKeyboardMarkup([buttons]))


async def confirm_erase(update: Update, context: ThiduaContext) -> None:
    query = update.callback_query
    user = update.effective_user
    if query is None or user is None or query.message is None:
        return
    t = context.t
    if not context.viewer.is_admin:
        await refuse_press(
            query, t("Only administrators can erase a person's data."), refused="admin"
        )
        return
    data = query.data or ""
    if data == CANCEL:
        await query.answer(t("Nothing was erased."))
        return
    text = data.removeprefix(ERASE_PREFIX)
    if not text.isdigit():
        await query.answer(t("This button is no longer valid."))
        return
    try:
        target = await erasure.find_by_member_id(int(text), session=context.db)
    except UserFacingError as exc:
        await query.answer(t(exc.message, **exc.params), show_alert=True)
        return
    if user.id in target.telegram_ids:
        await query.answer(
            t("You cannot erase your own data here; ask another administrator."), show_alert=True
        )
        return
    result = await erasure.erase(
        target,
        t=context.app.services.catalogs.default,
        channel=ErasureChannel.CHAT,
        erased_by=user.id,
        operator="",
        session=context.db,
    )
    await query.answer()
    tz = context.app.services.settings.tz
    await send_text(context, query.message.chat.id, erasure.result_text(result, t, tz))


def handlers() -> list[BaseHandler[Any, Any, Any]]:
    private = filters.ChatType.PRIVATE
    return [
        CommandHandler("dulieu", show_data, filters=private),
        CommandHandler("xoadulieu", ask_erase, filters=private),
        CommandHandler(["dulieu", "xoadulieu"], private_only, filters=~private),
        CallbackQueryHandler(send_export, pattern=f"^{EXPORT}$"),
        CallbackQueryHandler(confirm_erase, pattern=f"^{ERASE_PREFIX}"),
    ]
