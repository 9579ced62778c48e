"""Onboarding: /start with an invite token, /start alone, and the shared phone contact."""

from html import escape
from typing import Any

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler, MessageHandler, filters

from bot.commands import MANAGERS, publish_chat_commands
from bot.context import ThiduaContext
from bot.identity import placement_of, resolve_viewer
from bot.onboarding import LinkOutcome, LinkResult, Newcomer, link_by_contact, redeem_invite
from bot.phones import InvalidPhone, display_phone, normalise_phone
from bot.replies import send_text
from handlers.views import command_list, no_keyboard, share_phone_keyboard, who_you_are

PRIVATE = filters.ChatType.PRIVATE


async def start(update: Update, context: ThiduaContext) -> None:
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None:
        return
    if context.args:
        newcomer = Newcomer(user.id, user.first_name, user.last_name)
        result = await redeem_invite(
            context.args[0], newcomer, now=context.app.services.now(), session=context.db
        )
        await _answer_invite(update, context, result)
    elif context.viewer.is_linked:
        await _send_status(context, chat.id, intro=context.t("You are already linked."))
    else:
        await _ask_for_contact(context, chat.id)
    if context.viewer.roles & MANAGERS:
        # Grants can change outside the chat (roster import, `thidua admin grant`): refresh.
        await publish_chat_commands(context.bot, chat.id, context.viewer, context.t)


async def start_in_group(update: Update, context: ThiduaContext) -> None:
    chat = update.effective_chat
    if chat is not None:
        text = context.t("Please write to me in a private chat: tap my name, then Start.")
        await send_text(context, chat.id, text)


async def contact(update: Update, context: ThiduaContext) -> None:
    message, user = update.effective_message, update.effective_user
    if message is None or user is None or message.contact is None:
        return
    t = context.t
    shared = message.contact
    if shared.user_id != user.id:
        text = t(
            "This is not your own phone number. Please use the button below: "
            "it shares the number of your Telegram account."
        )
        await send_text(context, message.chat_id, text, reply_markup=share_phone_keyboard(t))
        return
    result = await link_by_contact(
        user.id, shared.phone_number, now=context.app.services.now(), session=context.db
    )
    await _answer_contact(context, message.chat_id, shared.phone_number, result)


async def _answer_contact(
    context: ThiduaContext, chat_id: int, phone_text: str, result: LinkResult
) -> None:
    t = context.t
    if result.outcome == LinkOutcome.LINKED:
        await _welcome(context, chat_id)
        return
    if result.outcome == LinkOutcome.ALREADY_LINKED:
        await _send_status(context, chat_id, intro=t("You are already linked."))
        return
    texts = {
        LinkOutcome.NO_MATCH: t(
            "The number {phone} is not in the roster. Please ask your unit's emulation officer "
            "(cán bộ thi đua) for an invite link, or to add your number to the roster.",
            phone=_shown_phone(phone_text),
        ),
        LinkOutcome.TAKEN: t(
            "This number is already linked to another Telegram account. If that is a mistake, "
            "please tell your unit's emulation officer."
        ),
        LinkOutcome.LEFT: t(
            "Your record is marked as having left the unit. If you still work there, please "
            "ask your unit's emulation officer to update the roster."
        ),
        LinkOutcome.INVALID_PHONE: t(
            "I could not read this phone number. Please use the button below to share it."
        ),
        LinkOutcome.OTHER_UNIT: t(
            "Your account is already linked to another unit. Please ask an administrator "
            "if you have moved."
        ),
    }
    markup = share_phone_keyboard(t) if result.outcome == LinkOutcome.INVALID_PHONE else None
    if result.outcome == LinkOutcome.NO_MATCH and result.member is None:
        markup = share_phone_keyboard(t)
    await send_text(context, chat_id, texts[result.outcome], reply_markup=markup or no_keyboard())


async def _answer_invite(update: Update, context: ThiduaContext, result: LinkResult) -> None:
    chat = update.effective_chat
    assert chat is not None
    t = context.t
    if result.outcome == LinkOutcome.LINKED:
        await _welcome(context, chat.id, invited=True)
        return
    if result.outcome == LinkOutcome.ALREADY_LINKED:
        await _send_status(context, chat.id, intro=t("You are already linked."))
        return
    if result.outcome == LinkOutcome.OTHER_UNIT:
        text = t(
            "Your account is already linked to another unit, so this invite was not used. "
            "Please ask an administrator if you have moved."
        )
        await send_text(context, chat.id, text)
        return
    reasons = {
        LinkOutcome.INVITE_UNKNOWN: t("This invite link is not valid."),
        LinkOutcome.INVITE_EXPIRED: t("This invite link has expired."),
        LinkOutcome.INVITE_USED_UP: t("This invite link has already been used up."),
    }
    text = (
        reasons[result.outcome]
        + "\n"
        + t(
            "Please ask your unit's emulation officer for a new link, or share your phone number "
            "so I can find you in the roster."
        )
    )
    await send_text(context, chat.id, text, reply_markup=share_phone_keyboard(t))


async def _welcome(context: ThiduaContext, chat_id: int, *, invited: bool = False) -> None:
    """Greet a newly linked person by name, with their unit and role, and set their menu."""
    t = context.t
    viewer = await resolve_viewer(context.viewer.telegram_user_id, session=context.db)
    context.viewer = viewer
    assert viewer.member is not None
    placement = await placement_of(viewer.member, session=context.db)
    unit_name = placement.unit.name if placement else ""
    lines = [
        t("Welcome, {name}!", name=escape(viewer.member.full_name)),
        t("You are now linked to {unit}.", unit=escape(unit_name)),
        "",
        await who_you_are(context, viewer),
        "",
        t("What you can do:"),
        command_list(viewer, t),
    ]
    if invited:
        lines += [
            "",
            t(
                "If you are in your unit's roster, share your phone number so the "
                "officer sees your record under your full name."
            ),
        ]
    markup = share_phone_keyboard(t) if invited else no_keyboard()
    await send_text(context, chat_id, "\n".join(lines), reply_markup=markup)
    await publish_chat_commands(context.bot, chat_id, viewer, t)


async def _send_status(context: ThiduaContext, chat_id: int, *, intro: str) -> None:
    t = context.t
    viewer = context.viewer
    lines = [intro, "", await who_you_are(context, viewer), "", t("What you can do:")]
    lines.append(command_list(viewer, t))
    await send_text(context, chat_id, "\n".join(lines), reply_markup=no_keyboard())


async def _ask_for_contact(context: ThiduaContext, chat_id: int) -> None:
    t = context.t
    if context.viewer.is_admin:
        intro = t("Hello! You are an administrator of this bot.") + "\n"
    else:
        intro = t("Hello! I am the emulation campaign bot (thi đua) of your organisation.") + "\n"
    text = intro + t(
        "To find you in your unit's roster, tap «Share my phone number» below. "
        "If you have an invite link from your unit's emulation officer, just open it."
    )
    await send_text(context, chat_id, text, reply_markup=share_phone_keyboard(t))


def _shown_phone(phone_text: str) -> str:
    try:
        return display_phone(normalise_phone(phone_text))
    except InvalidPhone:
        return escape(phone_text)


def handlers() -> list[BaseHandler[Any, Any, Any]]:
    return [
        CommandHandler("start", start, filters=PRIVATE),
        CommandHandler("start", start_in_group, filters=~PRIVATE),
        MessageHandler(filters.CONTACT & PRIVATE, contact),
    ]
