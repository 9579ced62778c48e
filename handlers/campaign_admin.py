"""/phongtrao: campaigns with their status, and launching a saved draft from chat.

A draft's 🚀 (`cplaunch:<id>`) shows the launch message as members will get it; only its
confirmation (`cpgo:<id>`) launches. Both presses are authorised again on the server.
"""

from contextlib import suppress
from html import escape
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import TelegramError
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from bot.campaign_text import STATUS_NAMES, launch_text
from bot.campaigns import audience_of, load_view
from bot.chat_launch import launch_now
from bot.context import ThiduaContext
from bot.errors import UserFacingError
from bot.flows import audience
from bot.flows.widgets import short
from bot.replies import send_text
from handlers.flows import flow_env
from storage import campaigns as store
from storage.campaign_models import Campaign, CampaignStatus

PREVIEW_PREFIX = "cplaunch:"
LAUNCH_PREFIX = "cpgo:"
LISTED = 20  # the newest campaigns; older ones stay in the CLI's `thidua campaign list`
DRAFT_BUTTONS = 10


async def list_campaigns(update: Update, context: ThiduaContext) -> None:
    chat = update.effective_chat
    if chat is None:
        return
    t = context.t
    if not context.viewer.is_admin:
        await send_text(context, chat.id, t("Only administrators can manage campaigns."))
        return
    campaigns = list(reversed(await store.all_campaigns(session=context.db)))[:LISTED]
    if not campaigns:
        await send_text(context, chat.id, t("No campaigns yet. Write one with /phatdong."))
        return
    lines = [t("<b>Emulation campaigns</b>")]
    for campaign in campaigns:
        lines.append(
            t(
                "#{id} <b>{name}</b>: {status}, {start} – {end}",
                id=campaign.id,
                name=escape(campaign.name),
                status=t(STATUS_NAMES[campaign.status]),
                start=t.date(campaign.period_start),
                end=t.date(campaign.period_end),
            )
        )
    drafts = [c for c in campaigns if c.status == CampaignStatus.DRAFT][:DRAFT_BUTTONS]
    rows = [
        [InlineKeyboardButton(f"🚀 {short(c.name)}", callback_data=f"{PREVIEW_PREFIX}{c.id}")]
        for c in drafts
    ]
    if drafts:
        lines += ["", t("Press 🚀 to see a draft as members will get it, then launch it.")]
    markup = InlineKeyboardMarkup(rows) if rows else None
    await send_text(context, chat.id, "\n".join(lines), reply_markup=markup)


async def _draft_of(
    update: Update, context: ThiduaContext, prefix: str
) -> tuple[Campaign, int] | None:
    """The draft a button names, for an admin; anything else is answered and gives None."""
    query = update.callback_query
    if query is None:
        return None
    t = context.t
    if not context.viewer.is_admin:
        await query.answer(t("Only administrators can launch campaigns."), show_alert=True)
        return None
    text = (query.data or "").removeprefix(prefix)
    campaign = await store.get_campaign(int(text), session=context.db) if text.isdigit() else None
    if campaign is None:
        await query.answer(t("This button is no longer valid."), show_alert=True)
        return None
    if campaign.status != CampaignStatus.DRAFT:
        await query.answer(t("This campaign has already been launched."), show_alert=True)
        return None
    message = query.message
    chat_id = message.chat.id if message is not None else query.from_user.id
    return campaign, chat_id


async def preview_draft(update: Update, context: ThiduaContext) -> None:
    found = await _draft_of(update, context, PREVIEW_PREFIX)
    query = update.callback_query
    if found is None or query is None:
        return
    campaign, chat_id = found
    t = context.t
    await query.answer()
    view = await load_view(campaign, session=context.db)
    await send_text(context, chat_id, launch_text(view, t))
    reach = await audience_of(campaign, session=context.db)
    lines = [t("👆 This is exactly what members will receive."), audience.reach_line(reach, t)]
    button = InlineKeyboardButton(t("🚀 Launch now"), callback_data=f"{LAUNCH_PREFIX}{campaign.id}")
    markup = InlineKeyboardMarkup([[button]])
    await send_text(context, chat_id, "\n".join(lines), reply_markup=markup)


async def launch_draft(update: Update, context: ThiduaContext) -> None:
    found = await _draft_of(update, context, LAUNCH_PREFIX)
    query = update.callback_query
    if found is None or query is None:
        return
    campaign, chat_id = found
    t = context.t
    try:
        text = await launch_now(campaign, flow_env(context, chat_id))
    except UserFacingError as exc:
        await query.answer()
        await send_text(context, chat_id, "⚠️ " + t(exc.message, **exc.params))
        return
    await query.answer()
    if isinstance(query.message, Message):
        with suppress(TelegramError):  # only tidies the old button away
            await query.message.edit_reply_markup(reply_markup=None)
    await send_text(context, chat_id, text)


def handlers() -> list[BaseHandler[Any, Any, Any]]:
    return [
        CommandHandler(
            ["phongtrao", "campaigns"], list_campaigns, filters=filters.ChatType.PRIVATE
        ),
        CallbackQueryHandler(preview_draft, pattern=f"^{PREVIEW_PREFIX}"),
        CallbackQueryHandler(launch_draft, pattern=f"^{LAUNCH_PREFIX}"),
    ]
