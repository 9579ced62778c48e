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
from bot.flows.reminder_rules import NAME_OF_FLOW as RULES_FLOW
from bot.flows.widgets import short
from bot.milestone_opening import open_milestone, opening_text
from bot.refusals import refuse_press
from bot.replies import send_text
from bot.report_windows import RUNNING, milestone_windows
from handlers.flows import flow_env, send_reply, shared_engine
from storage import campaigns as store
from storage import pledges as pledge_store
from storage.campaign_models import Campaign, CampaignMilestone, CampaignStatus

PREVIEW_PREFIX = "cplaunch:"
LAUNCH_PREFIX = "cpgo:"
RULES_PREFIX = "cprr:"  # cprr:<campaign id> — its reminder rules
MILESTONE_PREFIX = "cpms:"  # cpms:<milestone id> — preview a milestone's opening message
MILESTONE_GO_PREFIX = "cpmsgo:"  # cpmsgo:<milestone id> — send it
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
    openings = await _open_milestones(campaigns, context, chat.id)
    rows += [
        [
            InlineKeyboardButton(
                f"📣 {short(m.name)} — {short(c.name)}", callback_data=f"{MILESTONE_PREFIX}{m.id}"
            )
        ]
        for c, m in openings
    ]
    if openings:
        lines += ["", t("Press 📣 to open a milestone's reports: everyone who reports is told.")]
    rows += [
        [InlineKeyboardButton(f"⏰ {short(c.name)}", callback_data=f"{RULES_PREFIX}{c.id}")]
        for c in campaigns[:DRAFT_BUTTONS]
        if c.status is not CampaignStatus.CLOSED
    ]
    lines += ["", t("Press ⏰ to see or change a campaign's reminders.")]
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
        await refuse_press(query, t("Only administrators can launch campaigns."), refused="admin")
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


async def _open_milestones(
    campaigns: list[Campaign], context: ThiduaContext, chat_id: int
) -> list[tuple[Campaign, CampaignMilestone]]:
    """Running campaigns' milestones whose report window is open today."""
    today = flow_env(context, chat_id).today
    found = []
    for campaign in campaigns:
        if campaign.status not in RUNNING or campaign.id is None:
            continue
        milestones = await store.milestones_of(campaign.id, session=context.db)
        found += [
            (campaign, w.milestone)
            for w in milestone_windows(campaign, milestones)
            if w.is_open(today)
        ]
    return found[:DRAFT_BUTTONS]


async def _milestone_of(
    update: Update, context: ThiduaContext, prefix: str
) -> tuple[Campaign, CampaignMilestone, int] | None:
    query = update.callback_query
    if query is None:
        return None
    t = context.t
    if not context.viewer.is_admin:
        await refuse_press(query, t("Only administrators can manage campaigns."), refused="admin")
        return None
    text = (query.data or "").removeprefix(prefix)
    milestone = (
        await store.get_milestone(int(text), session=context.db)
        if text.isdigit() and len(text) < 12
        else None
    )
    campaign = (
        await store.get_campaign(milestone.campaign_id, session=context.db) if milestone else None
    )
    if milestone is None or campaign is None:
        await query.answer(t("This button is no longer valid."), show_alert=True)
        return None
    return campaign, milestone, query.from_user.id


async def preview_opening(update: Update, context: ThiduaContext) -> None:
    found = await _milestone_of(update, context, MILESTONE_PREFIX)
    query = update.callback_query
    if found is None or query is None:
        return
    campaign, milestone, chat_id = found
    t = context.t
    await query.answer()
    assert campaign.id is not None
    reporters = await pledge_store.approved_reporters(campaign.id, session=context.db)
    milestones = await store.milestones_of(campaign.id, session=context.db)
    window = next(
        w for w in milestone_windows(campaign, milestones) if w.milestone.id == milestone.id
    )
    await send_text(
        context, chat_id, opening_text(campaign, milestone, t.date(window.on_time_until), t)
    )
    line = t(
        "👆 This goes to the {count} people who report in this campaign (approved registrations).",
        count=t.number(len(reporters)),
    )
    button = InlineKeyboardButton(
        t("📣 Send now"), callback_data=f"{MILESTONE_GO_PREFIX}{milestone.id}"
    )
    await send_text(context, chat_id, line, reply_markup=InlineKeyboardMarkup([[button]]))


async def send_opening(update: Update, context: ThiduaContext) -> None:
    found = await _milestone_of(update, context, MILESTONE_GO_PREFIX)
    query = update.callback_query
    if found is None or query is None:
        return
    campaign, milestone, chat_id = found
    t = context.t
    env = flow_env(context, chat_id)
    try:
        opening = await open_milestone(
            campaign,
            milestone,
            catalogs=context.app.services.catalogs,
            by=context.viewer.telegram_user_id,
            admin_chat_id=chat_id,
            now=env.now,
            session=context.db,
        )
    except UserFacingError as exc:
        await query.answer(t(exc.message, **exc.params), show_alert=True)
        return
    env.wake_outbox()
    await query.answer()
    await send_text(
        context,
        chat_id,
        t(
            "📣 Queued: {count} (already sent before: {before}). /baocaogui shows the delivery.",
            count=t.number(opening.queued),
            before=t.number(opening.recipients - opening.queued),
        ),
    )


async def reminder_rules(update: Update, context: ThiduaContext) -> None:
    query = update.callback_query
    if query is None:
        return
    t = context.t
    if not context.viewer.is_admin:
        await refuse_press(query, t("Only administrators can manage campaigns."), refused="admin")
        return
    text = (query.data or "").removeprefix(RULES_PREFIX)
    campaign = (
        await store.get_campaign(int(text), session=context.db)
        if text.isdigit() and len(text) < 12
        else None
    )
    if campaign is None:
        await query.answer(t("This button is no longer valid."), show_alert=True)
        return
    await query.answer()
    chat_id = query.from_user.id
    env = flow_env(context, chat_id)
    reply = await shared_engine().start(RULES_FLOW, env, data={"campaign": campaign.id})
    await send_reply(context, chat_id, reply)


def handlers() -> list[BaseHandler[Any, Any, Any]]:
    return [
        CommandHandler(
            ["phongtrao", "campaigns"], list_campaigns, filters=filters.ChatType.PRIVATE
        ),
        CallbackQueryHandler(preview_draft, pattern=f"^{PREVIEW_PREFIX}"),
        CallbackQueryHandler(launch_draft, pattern=f"^{LAUNCH_PREFIX}"),
        CallbackQueryHandler(preview_opening, pattern=f"^{MILESTONE_PREFIX}"),
        CallbackQueryHandler(send_opening, pattern=f"^{MILESTONE_GO_PREFIX}"),
        CallbackQueryHandler(reminder_rules, pattern=f"^{RULES_PREFIX}"),
    ]
