"""/donvi: the unit emulation officer's view of a campaign (see docs/pledges.md).

Who registered and who to remind; review (view, approve, return, approve all); register on
behalf of a member without Telegram; the unit's collective pledge; sign the bloc's covenant.
"""

from collections.abc import Mapping
from datetime import date
from html import escape
from typing import Any

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from bot import unit_review as review
from bot.context import ThiduaContext
from bot.covenant_view import covenant_text, unit_signature
from bot.errors import UserFacingError
from bot.flows import pledge_draft as draft
from bot.flows.officer_return import NAME_OF_FLOW as RETURN_FLOW
from bot.flows.officer_return import PLEDGE_KEY, managed_pledge
from bot.i18n import Translator
from bot.pledge_checks import registration_lateness
from bot.pledges import approve
from bot.quotas import quota_warnings
from bot.refusals import refuse_press
from bot.registration_status import RegistrationStatus, unit_registration
from bot.replies import send_text
from bot.unit_reminders import remind_missing
from handlers.flows import flow_env, send_say, shared_engine
from handlers.officer_reports import milestones_button
from handlers.views import units_asked_for
from storage import campaigns as campaign_store
from storage import covenants as covenant_store
from storage import org as org_store
from storage import pledges as pledge_store
from storage.campaign_models import Campaign, CampaignStatus
from storage.catalogue import items_by_ids
from storage.models import Unit
from storage.pledge_models import Covenant, Pledge, PledgeKind, PledgeStatus
from storage.reminders import leaves_on

PREFIX = "dv:"
UNIT = f"{PREFIX}u:"  # dv:u:<unit_id> — a unit chosen
CAMPAIGN = f"{PREFIX}c:"  # dv:c:<campaign_id>:<unit_id> — a campaign chosen
REMIND = f"{PREFIX}r:"  # dv:r:<campaign_id>:<unit_id> — «🔔 Remind now»
LIST = f"{PREFIX}l:"  # dv:l:<campaign_id>:<unit_id> — the pledges awaiting approval


async def unit_command(update: Update, context: ThiduaContext) -> None:
    chat = update.effective_chat
    if chat is None:
        return
    t = context.t
    refusal = t("Only emulation officers, bloc heads and administrators can see this.")
    units = await units_asked_for(context, chat.id, refusal)
    if units is None:
        return
    if len(units) > 1:
        rows = [
            [InlineKeyboardButton(unit.name, callback_data=f"{UNIT}{unit.id}")] for unit in units
        ]
        await send_text(
            context,
            chat.id,
            t("Which unit? (or /donvi followed by its name)"),
            reply_markup=InlineKeyboardMarkup(rows),
        )
        return
    await _choose_campaign(context, chat.id, units[0])


# action: how many ids; g: the bloc's covenant, k: «Ký giao ước», t: the collective pledge
UNIT_ACTIONS = {"u": 1, "c": 2, "r": 2, "l": 2, "A": 2, "Y": 2, "g": 2, "k": 2, "t": 2}
PLEDGE_ACTIONS = {"v", "a", "x"}  # dv:<action>:<pledge_id> — view, approve, return
ON_BEHALF = f"{PREFIX}o:"  # dv:o:<campaign_id>:<member_id> — register for a member
ON_BEHALF_BUTTONS = 10  # at most this many «✍️ Register for …» buttons under the status


async def on_press(update: Update, context: ThiduaContext) -> None:
    query = update.callback_query
    chat = update.effective_chat
    if query is None or chat is None:
        return
    t = context.t
    parts = (query.data or "").removeprefix(PREFIX).split(":")
    action = parts[0]
    numbers = [int(part) for part in parts[1:] if part.isdigit() and len(part) < 12]
    expected = 1 if action in PLEDGE_ACTIONS else 2 if action == "o" else UNIT_ACTIONS.get(action)
    if expected is None or len(numbers) != expected or len(parts) != expected + 1:
        await query.answer(t("This button is no longer valid."), show_alert=True)
        return
    if action in PLEDGE_ACTIONS:
        await _pledge_press(query, context, chat.id, action, numbers[0])
        return
    if action == "o":
        await _on_behalf_press(query, context, chat.id, numbers[0], numbers[1])
        return
    unit = await _managed_unit(context, numbers[-1])
    if unit is None:
        await refuse_press(query, t("You do not manage this unit."), refused="unit")
        return
    if action == "u":
        await query.answer()
        await _choose_campaign(context, chat.id, unit)
        return
    campaign = await campaign_store.get_campaign(numbers[0], session=context.db)
    if campaign is None or campaign.status is not CampaignStatus.LAUNCHED:
        await query.answer(t("This button is no longer valid."), show_alert=True)
        return
    handler = {
        "c": _status_press,
        "r": _remind_press,
        "l": _list_press,
        "A": _approve_all_press,
        "Y": _approve_all_confirmed,
        "g": _covenant_press,
        "k": _sign_press,
        "t": _collective_press,
    }
    await handler[action](query, context, chat.id, campaign, unit)


async def _covenant_of(campaign: Campaign, unit: Unit, context: ThiduaContext) -> Covenant | None:
    if unit.bloc_id is None or campaign.id is None:
        return None
    return await covenant_store.covenant_of(campaign.id, unit.bloc_id, session=context.db)


async def _covenant_press(
    query: CallbackQuery, context: ThiduaContext, chat_id: int, campaign: Campaign, unit: Unit
) -> None:
    t = context.t
    assert unit.id is not None
    covenant = await _covenant_of(campaign, unit, context)
    if covenant is None:
        await query.answer(t("This button is no longer valid."), show_alert=True)
        return
    await query.answer()
    signature = await unit_signature(covenant, unit.id, session=context.db)
    text = await covenant_text(covenant, signature, t, session=context.db)
    markup = None
    if signature is None:
        button = InlineKeyboardButton(
            t("✍️ Sign the covenant"), callback_data=f"{PREFIX}k:{campaign.id}:{unit.id}"
        )
        markup = InlineKeyboardMarkup([[button]])
    await send_text(context, chat_id, text, reply_markup=markup)


async def _sign_press(
    query: CallbackQuery, context: ThiduaContext, chat_id: int, campaign: Campaign, unit: Unit
) -> None:
    t = context.t
    assert unit.id is not None
    covenant = await _covenant_of(campaign, unit, context)
    if covenant is None or covenant.id is None:
        await query.answer(t("This button is no longer valid."), show_alert=True)
        return
    signature, new = await covenant_store.sign(
        covenant.id, unit.id, context.viewer.telegram_user_id, session=context.db
    )
    await query.answer(t("✍️ Signed.") if new else t("Your unit has already signed it."))
    text = await covenant_text(covenant, signature, t, session=context.db)
    await send_text(context, chat_id, text)


async def _collective_press(
    query: CallbackQuery, context: ThiduaContext, chat_id: int, campaign: Campaign, unit: Unit
) -> None:
    """The unit's own (collective) pledge, through the member's pledge flow."""
    t = context.t
    assert campaign.id is not None and unit.id is not None
    env = flow_env(context, chat_id)
    live = await pledge_store.live_pledge(
        campaign.id, PledgeKind.COLLECTIVE, unit_id=unit.id, session=context.db
    )
    if live is None:
        try:
            registration_lateness(campaign, draft.today(env))
        except UserFacingError as exc:
            await query.answer(t(exc.message, **exc.params), show_alert=True)
            return
    await query.answer()
    data = {"campaign": campaign.id, draft.COLLECTIVE: unit.id, draft.ON_BEHALF: None}
    step = draft.VIEW if live is not None else draft.TITLE
    reply = await shared_engine().start(draft.NAME_OF_FLOW, env, step=step, data=data)
    note = t("🏢 Collective registration of {unit}.", unit=escape(unit.name))
    await send_text(context, chat_id, note)
    for say in reply.messages:
        await send_say(context, chat_id, say)


async def _status_press(
    query: CallbackQuery, context: ThiduaContext, chat_id: int, campaign: Campaign, unit: Unit
) -> None:
    await query.answer()
    await _show_status(context, chat_id, campaign, unit)


async def _remind_press(
    query: CallbackQuery, context: ThiduaContext, chat_id: int, campaign: Campaign, unit: Unit
) -> None:
    t = context.t
    assert unit.id is not None
    result = await remind_missing(
        campaign,
        unit.id,
        catalogs=context.app.services.catalogs,
        today=context.app.services.now().date(),
        session=context.db,
    )
    _wake_outbox(context)
    await query.answer()
    lines = [t("🔔 Reminders queued: {count}.", count=t.number(result.queued))]
    if result.unreachable:
        lines.append(
            t(
                "Cannot be reached (not linked to Telegram): {count}.",
                count=t.number(result.unreachable),
            )
        )
    await send_text(context, chat_id, "\n".join(lines))


async def _list_press(
    query: CallbackQuery, context: ThiduaContext, chat_id: int, campaign: Campaign, unit: Unit
) -> None:
    t = context.t
    assert campaign.id is not None and unit.id is not None
    await query.answer()
    pending = await review.pending_pledges(campaign.id, unit.id, session=context.db)
    ids = [item.pledge.id for item in pending if item.pledge.id is not None]
    await review.remember_listed(
        context.viewer.telegram_user_id, campaign.id, unit.id, ids, session=context.db
    )
    if not pending:
        await send_text(context, chat_id, t("No registration is awaiting approval."))
        return
    lines = [t("<b>Awaiting approval</b> — {unit}", unit=escape(unit.name)), ""]
    rows = []
    for index, item in enumerate(pending, start=1):
        marks = ""
        if item.pledge.late:
            marks += " · " + t("late registration")
        if item.pledge.warnings:
            marks += " · ⚠️ " + t.number(len(item.pledge.warnings))
        lines.append(f"{index}. {escape(item.member_name)} — {escape(item.title)}{marks}")
        pledge_id = item.pledge.id
        rows.append(
            [
                InlineKeyboardButton(f"{index}. 👁", callback_data=f"{PREFIX}v:{pledge_id}"),
                InlineKeyboardButton(t("✅ Approve"), callback_data=f"{PREFIX}a:{pledge_id}"),
                InlineKeyboardButton(t("↩️ Return"), callback_data=f"{PREFIX}x:{pledge_id}"),
            ]
        )
    rows.append(
        [InlineKeyboardButton(t("Approve all"), callback_data=f"{PREFIX}A:{campaign.id}:{unit.id}")]
    )
    await send_text(context, chat_id, "\n".join(lines), reply_markup=InlineKeyboardMarkup(rows))


async def _approve_all_press(
    query: CallbackQuery, context: ThiduaContext, chat_id: int, campaign: Campaign, unit: Unit
) -> None:
    t = context.t
    assert campaign.id is not None and unit.id is not None
    ids = await review.listed(
        context.viewer.telegram_user_id, campaign.id, unit.id, session=context.db
    )
    if not ids:
        await query.answer(t("Show the list of registrations first."), show_alert=True)
        return
    await query.answer()
    warnings = await quota_warnings(campaign.id, unit.id, session=context.db)
    lines = [
        t("Approve the {count} registrations listed?", count=t.number(len(ids))),
        *review.quota_lines(t, warnings),
    ]
    button = InlineKeyboardButton(
        t("✅ Yes, approve all"), callback_data=f"{PREFIX}Y:{campaign.id}:{unit.id}"
    )
    await send_text(
        context, chat_id, "\n".join(lines), reply_markup=InlineKeyboardMarkup([[button]])
    )


async def _approve_all_confirmed(
    query: CallbackQuery, context: ThiduaContext, chat_id: int, campaign: Campaign, unit: Unit
) -> None:
    t = context.t
    assert campaign.id is not None and unit.id is not None
    try:
        approved = await approve_listed(context, campaign.id, unit.id)
    except UserFacingError as exc:
        await query.answer(t(exc.message, **exc.params), show_alert=True)
        return
    for pledge in approved:
        await review.notify_member(
            pledge, campaign, catalogs=context.app.services.catalogs, session=context.db
        )
    _wake_outbox(context)
    await query.answer()
    await send_text(context, chat_id, t("✅ Approved: {count}.", count=t.number(len(approved))))


async def approve_listed(context: ThiduaContext, campaign_id: int, unit_id: int) -> list[Pledge]:
    return await review.approve_listed(
        context.viewer.telegram_user_id, campaign_id, unit_id, session=context.db
    )


async def _pledge_press(
    query: CallbackQuery, context: ThiduaContext, chat_id: int, action: str, pledge_id: int
) -> None:
    t = context.t
    env = flow_env(context, chat_id)
    pledge = await managed_pledge(pledge_id, env)
    if pledge is None or pledge.id is None:
        stored = await pledge_store.get_pledge(pledge_id, session=context.db)
        refusal = (
            t("A unit's collective registration is decided by its bloc head or an administrator.")
            if stored is not None and stored.kind is PledgeKind.COLLECTIVE
            else t("You do not manage this unit.")
        )
        await refuse_press(query, refusal, refused="pledge")
        return
    campaign = await campaign_store.get_campaign(pledge.campaign_id, session=context.db)
    assert campaign is not None and campaign.id is not None
    if action == "v":
        await query.answer()
        text = await review.pledge_text(pledge, campaign, t, session=context.db)
        warnings = await quota_warnings(campaign.id, pledge.unit_id, session=context.db)
        text += "\n".join(["", *review.quota_lines(t, warnings)]) if warnings else ""
        markup = None
        if pledge.status is PledgeStatus.PENDING:
            markup = InlineKeyboardMarkup(
                [
                    [
                        InlineKeyboardButton(
                            t("✅ Approve"), callback_data=f"{PREFIX}a:{pledge.id}"
                        ),
                        InlineKeyboardButton(t("↩️ Return"), callback_data=f"{PREFIX}x:{pledge.id}"),
                    ]
                ]
            )
        await send_text(context, chat_id, text, reply_markup=markup)
        return
    if pledge.status is not PledgeStatus.PENDING:
        await query.answer(t("This registration is no longer awaiting approval."), show_alert=True)
        return
    if action == "x":
        await query.answer()
        reply = await shared_engine().start(RETURN_FLOW, env, data={PLEDGE_KEY: pledge.id})
        for say in reply.messages:
            await send_say(context, chat_id, say)
        return
    try:
        result = await approve(pledge.id, actor=context.viewer.telegram_user_id, session=context.db)
    except UserFacingError as exc:
        await query.answer(t(exc.message, **exc.params), show_alert=True)
        return
    await review.notify_member(
        result.pledge, campaign, catalogs=context.app.services.catalogs, session=context.db
    )
    _wake_outbox(context)
    await query.answer(t("✅ Approved."))
    await send_text(context, chat_id, t("✅ Approved."))


async def _on_behalf_press(
    query: CallbackQuery, context: ThiduaContext, chat_id: int, campaign_id: int, member_id: int
) -> None:
    """Start the member's pledge flow for a member without Telegram, entered by the officer."""
    t = context.t
    env = flow_env(context, chat_id)
    member = await draft.on_behalf_member(member_id, env)
    if member is None or member.id is None:
        await refuse_press(query, t("You may not register for this member."), refused="member")
        return
    campaign = await campaign_store.get_campaign(campaign_id, session=context.db)
    if campaign is None or campaign.status is not CampaignStatus.LAUNCHED:
        await query.answer(t("This button is no longer valid."), show_alert=True)
        return
    try:
        registration_lateness(campaign, draft.today(env))
    except UserFacingError as exc:
        await query.answer(t(exc.message, **exc.params), show_alert=True)
        return
    live = await pledge_store.live_pledge(
        campaign_id, PledgeKind.INDIVIDUAL, member_id=member.id, session=context.db
    )
    if live is not None and live.status is not PledgeStatus.DRAFT:
        await query.answer(t("This member has already registered."), show_alert=True)
        return
    await query.answer()
    data = {"campaign": campaign_id, draft.ON_BEHALF: member.id}
    reply = await shared_engine().start(draft.NAME_OF_FLOW, env, step=draft.TITLE, data=data)
    note = t("✍️ Registering for {name} (entered by you).", name=escape(member.full_name))
    await send_text(context, chat_id, note)
    for say in reply.messages:
        await send_say(context, chat_id, say)


def _wake_outbox(context: ThiduaContext) -> None:
    outbox = context.app.services.outbox
    if outbox is not None:
        outbox.wake()


async def _managed_unit(context: ThiduaContext, unit_id: int) -> Unit | None:
    """The unit, if the person pressing may manage it; checked again on every press."""
    unit = await org_store.get_unit(unit_id, session=context.db)
    if unit is None or not context.viewer.may_manage_unit(unit_id, unit.bloc_id):
        return None
    return unit


async def _choose_campaign(context: ThiduaContext, chat_id: int, unit: Unit) -> None:
    t = context.t
    campaigns = await launched_campaigns(context)
    if not campaigns:
        await send_text(context, chat_id, t("No campaign is open for registration."))
        return
    if len(campaigns) == 1:
        await _show_status(context, chat_id, campaigns[0], unit)
        return
    rows = [
        [InlineKeyboardButton(campaign.name, callback_data=f"{CAMPAIGN}{campaign.id}:{unit.id}")]
        for campaign in campaigns
    ]
    await send_text(
        context,
        chat_id,
        t("Which campaign, for {unit}?", unit=escape(unit.name)),
        reply_markup=InlineKeyboardMarkup(rows),
    )


async def launched_campaigns(context: ThiduaContext) -> list[Campaign]:
    campaigns = await campaign_store.all_campaigns(session=context.db)
    return [campaign for campaign in campaigns if campaign.status is CampaignStatus.LAUNCHED]


async def _show_status(
    context: ThiduaContext, chat_id: int, campaign: Campaign, unit: Unit
) -> None:
    assert campaign.id is not None and unit.id is not None
    t = context.t
    status = await unit_registration(campaign.id, unit.id, session=context.db)
    today = flow_env(context, chat_id).today
    leaves = await leaves_on([m.member_id for m in status.missing], today, session=context.db)
    text = status_text(campaign, unit, status, t, {m: leave.ends for m, leave in leaves.items()})
    text += "\n\n" + await _collective_line(campaign.id, unit.id, t, context)
    pending = await review.pending_pledges(campaign.id, unit.id, session=context.db)
    rows = []
    collective = await review.pending_collective(campaign.id, unit.id, session=context.db)
    if collective is not None and context.viewer.may_decide_collective(unit.bloc_id):
        label = t("🏢 Review the collective registration")
        rows.append([InlineKeyboardButton(label, callback_data=f"{PREFIX}v:{collective.id}")])
    if pending:
        text += "\n\n" + t("Awaiting your approval: {count}.", count=t.number(len(pending)))
        rows.append(
            [
                InlineKeyboardButton(
                    t("📋 Review registrations"), callback_data=f"{LIST}{campaign.id}:{unit.id}"
                )
            ]
        )
    unlinked = [
        member
        for member in await campaign_store.members_in_units([unit.id], session=context.db)
        if member.telegram_user_id is None and member.id in {m.member_id for m in status.missing}
    ]
    for member in unlinked[:ON_BEHALF_BUTTONS]:
        label = t("✍️ Register for {name}", name=member.full_name)
        rows.append(
            [InlineKeyboardButton(label, callback_data=f"{ON_BEHALF}{campaign.id}:{member.id}")]
        )
    rows.append(
        [
            InlineKeyboardButton(
                t("🏢 Collective registration"), callback_data=f"{PREFIX}t:{campaign.id}:{unit.id}"
            )
        ]
    )
    if await _covenant_of(campaign, unit, context) is not None:
        rows.append(
            [
                InlineKeyboardButton(
                    t("📜 Bloc covenant"), callback_data=f"{PREFIX}g:{campaign.id}:{unit.id}"
                )
            ]
        )
    if status.missing:
        rows.append(
            [
                InlineKeyboardButton(
                    t("🔔 Remind now"), callback_data=f"{REMIND}{campaign.id}:{unit.id}"
                )
            ]
        )
    rows.append([milestones_button(t("📈 Progress reports"), campaign.id, unit.id)])
    markup = InlineKeyboardMarkup(rows) if rows else None
    await send_text(context, chat_id, text, reply_markup=markup)


async def _collective_line(
    campaign_id: int, unit_id: int, t: Translator, context: ThiduaContext
) -> str:
    """Where the unit's own (collective) pledge stands, for everyone who sees the unit."""
    pledge = await pledge_store.live_pledge(
        campaign_id, PledgeKind.COLLECTIVE, unit_id=unit_id, session=context.db
    )
    if pledge is None or pledge.status is PledgeStatus.DRAFT:
        return t("🏢 Collective registration: not sent yet.")
    names = draft.item_names(await items_by_ids([pledge.title_item_id], session=context.db))
    return t(
        "🏢 Collective registration: {title} — {status}",
        title=escape(names.get(pledge.title_item_id, "?")),
        status=t(draft.STATUS_NAMES[pledge.status]),
    )


def status_text(
    campaign: Campaign,
    unit: Unit,
    status: RegistrationStatus,
    t: Translator,
    on_leave: Mapping[int, date] | None = None,
) -> str:
    """The unit's figures and who is missing; someone on leave is marked, not counted as late."""
    lines = [
        f"<b>{escape(unit.name)}</b> — {escape(campaign.name)}",
        t(
            "Registered {registered}/{roster} ({percent})",
            registered=t.number(status.registered),
            roster=t.number(status.roster),
            percent=t.percent(status.registered, status.roster),
        ),
        t("Deadline: {deadline}", deadline=t.date(campaign.registration_deadline)),
        "",
    ]
    if not status.missing:
        lines.append(t("Everyone has registered."))
        return "\n".join(lines)
    lines.append(t("Not registered yet:"))
    for index, member in enumerate(status.missing, start=1):
        position = f" — {escape(member.position)}" if member.position else ""
        back = (on_leave or {}).get(member.member_id)
        away = " · " + t("🏖 on leave until {date}", date=t.date(back)) if back else ""
        lines.append(f"{index}. {escape(member.full_name)}{position}{away}")
    return "\n".join(lines)


def handlers() -> list[BaseHandler[Any, Any, Any]]:
    return [
        CommandHandler(["donvi", "unit"], unit_command, filters=filters.ChatType.PRIVATE),
        CallbackQueryHandler(on_press, pattern=f"^{PREFIX}"),
    ]
