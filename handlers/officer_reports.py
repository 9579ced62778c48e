"""/donvi → 📈 progress reports: the unit's reports at a milestone (who reported, who did not),
each report with its evidence re-sent in chat, approve or return with a reason, the unit's chart,
and the unit's own (collective) report. See docs/progress.md.

Callback data is `dr:<action>:<ids>` (ids only); every press re-checks the person's scope.
"""

from html import escape
from typing import Any

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot.context import ThiduaContext
from bot.errors import UserFacingError
from bot.flow_engine import FlowEngine, Say
from bot.flows.report_return import NAME_OF_FLOW as RETURN_FLOW
from bot.flows.report_return import REPORT_KEY
from bot.flows.report_start import begin, collective_pledges
from bot.progress import unit_progress
from bot.progress_view import member_bars, report_text, unit_chart, unit_text
from bot.refusals import refuse_press
from bot.replies import send_text, send_upload
from bot.report_access import ReportInScope, report_in_scope
from bot.report_notices import notify_reporter
from bot.report_windows import milestone_windows
from bot.reports import STATUS_NAMES, approve_report
from bot.unit_review import owner_name
from handlers.flows import flow_env, send_reply, send_say
from storage import campaigns as campaign_store
from storage import org as org_store
from storage import progress as progress_store
from storage.campaign_models import CampaignMilestone
from storage.models import Unit
from storage.pledge_models import PledgeKind
from storage.progress_models import EvidenceKind, ReportStatus
from storage.reminders import leaves_on

PREFIX = "dr:"
MILESTONES = f"{PREFIX}m:"  # dr:m:<campaign>:<unit> — the milestones to look at
REVIEW_BUTTONS = 30  # at most this many «👁» buttons under a unit's list


def milestones_button(label: str, campaign_id: int, unit_id: int) -> InlineKeyboardButton:
    """The «📈 Progress reports» button of /donvi."""
    return InlineKeyboardButton(label, callback_data=f"{MILESTONES}{campaign_id}:{unit_id}")


class OfficerReports:
    """Bound to the flow engine (for the return-reason flow and the collective report)."""

    def __init__(self, engine: FlowEngine) -> None:
        self.engine = engine

    async def on_press(self, update: Update, context: ThiduaContext) -> None:
        query = update.callback_query
        if query is None:
            return
        chat_id = query.from_user.id
        parts = (query.data or "").removeprefix(PREFIX).split(":")
        action, ids = parts[0], [int(p) for p in parts[1:] if p.isdigit() and len(p) < 12]
        if len(ids) != len(parts) - 1 or len(ids) != _ARITY.get(action, -1):
            await query.answer(context.t("This button is no longer valid."), show_alert=True)
            return
        if action in ("v", "e", "a", "x"):
            found = await report_in_scope(ids[0], context.viewer, session=context.db)
            if found is None:
                await refuse_press(
                    query, context.t("You do not manage this unit."), refused="report"
                )
                return
            await getattr(self, f"_report_{action}")(query, context, chat_id, found)
            return
        unit = await _managed_unit(context, ids[-1])
        if unit is None:
            await refuse_press(query, context.t("You do not manage this unit."), refused="unit")
            return
        await getattr(self, f"_unit_{action}")(query, context, chat_id, ids[0], unit)

    # --- a unit ---------------------------------------------------------------------------------

    async def _unit_m(
        self,
        query: CallbackQuery,
        context: ThiduaContext,
        chat_id: int,
        campaign_id: int,
        unit: Unit,
    ) -> None:
        """Which milestone: those whose window has opened, the latest first."""
        t = context.t
        campaign = await campaign_store.get_campaign(campaign_id, session=context.db)
        if campaign is None:
            await query.answer(t("This button is no longer valid."), show_alert=True)
            return
        milestones = await campaign_store.milestones_of(campaign_id, session=context.db)
        today = flow_env(context, chat_id).today
        opened = [w.milestone for w in milestone_windows(campaign, milestones) if w.opens <= today]
        await query.answer()
        if not opened:
            await send_text(context, chat_id, t("No report is open now."))
            return
        if len(opened) == 1:
            await self._show_unit(context, chat_id, opened[0], unit)
            return
        rows = [
            [InlineKeyboardButton(m.name, callback_data=f"{PREFIX}u:{m.id}:{unit.id}")]
            for m in reversed(opened)
        ]
        await send_text(
            context, chat_id, t("Which report?"), reply_markup=InlineKeyboardMarkup(rows)
        )

    async def _unit_u(
        self,
        query: CallbackQuery,
        context: ThiduaContext,
        chat_id: int,
        milestone_id: int,
        unit: Unit,
    ) -> None:
        milestone = await _milestone(context, milestone_id)
        if milestone is None:
            await query.answer(context.t("This button is no longer valid."), show_alert=True)
            return
        await query.answer()
        await self._show_unit(context, chat_id, milestone, unit)

    async def _show_unit(
        self, context: ThiduaContext, chat_id: int, milestone: CampaignMilestone, unit: Unit
    ) -> None:
        t = context.t
        assert unit.id is not None and milestone.id is not None
        progress = await unit_progress(
            milestone.campaign_id, unit.id, milestone.id, session=context.db
        )
        today = flow_env(context, chat_id).today
        missing = [m.member_id for m in progress.missing]
        leaves = await leaves_on(missing, today, session=context.db)
        text = unit_text(unit.name, progress, t, {m: leave.ends for m, leave in leaves.items()})
        rows = []
        for index, member in enumerate(progress.reported[:REVIEW_BUTTONS], start=1):
            mark = "⏳ " if member.report_status is ReportStatus.SUBMITTED else ""
            rows.append(
                [
                    InlineKeyboardButton(
                        f"{index}. {mark}👁 {member.full_name}"[:60],
                        callback_data=f"{PREFIX}v:{member.report_id}",
                    )
                ]
            )
        collective = await collective_pledges(
            milestone.campaign_id, unit.id, flow_env(context, chat_id)
        )
        if collective and collective[0].id is not None:
            report = await progress_store.get_report(
                milestone.id, collective[0].id, session=context.db
            )
            if report is None:
                text += "\n\n" + t("🏢 Collective report: not sent yet.")
            else:
                text += "\n\n" + t(
                    "🏢 Collective report: {status}", status=t(STATUS_NAMES[report.status])
                )
                rows.append(
                    [
                        InlineKeyboardButton(
                            t("🏢 👁 Collective report"), callback_data=f"{PREFIX}v:{report.id}"
                        )
                    ]
                )
            rows.append(
                [
                    InlineKeyboardButton(
                        t("🏢 Report for the unit"),
                        callback_data=f"{PREFIX}t:{milestone.id}:{unit.id}",
                    )
                ]
            )
        if progress.members:
            rows.append(
                [
                    InlineKeyboardButton(
                        t("📊 Unit chart"), callback_data=f"{PREFIX}g:{milestone.id}:{unit.id}"
                    )
                ]
            )
        markup = InlineKeyboardMarkup(rows) if rows else None
        await send_text(context, chat_id, text, reply_markup=markup)

    async def _unit_g(
        self,
        query: CallbackQuery,
        context: ThiduaContext,
        chat_id: int,
        milestone_id: int,
        unit: Unit,
    ) -> None:
        """The unit's chart: each member's average share of plan, against the expected level."""
        t = context.t
        milestone = await _milestone(context, milestone_id)
        if milestone is None or unit.id is None:
            await query.answer(t("This button is no longer valid."), show_alert=True)
            return
        await query.answer()
        progress = await unit_progress(
            milestone.campaign_id, unit.id, milestone_id, session=context.db
        )
        title = f"{unit.name} — {milestone.name}"
        png = await unit_chart(title, member_bars(progress.members), progress.expected_share, t)
        caption = t(
            "📊 {unit} — “{milestone}”: average share of plan per member",
            unit=escape(unit.name),
            milestone=escape(milestone.name),
        )
        await send_upload(context, chat_id, png, "tien-do-don-vi.png", caption)

    async def _unit_t(
        self,
        query: CallbackQuery,
        context: ThiduaContext,
        chat_id: int,
        milestone_id: int,
        unit: Unit,
    ) -> None:
        """The officer reports for the unit's collective pledge, through the report flow."""
        milestone = await _milestone(context, milestone_id)
        if milestone is None or unit.id is None:
            await query.answer(context.t("This button is no longer valid."), show_alert=True)
            return
        env = flow_env(context, chat_id)
        pledges = await collective_pledges(milestone.campaign_id, unit.id, env)
        reply = await begin(self.engine, env, pledges, milestone_id=milestone_id)
        await query.answer(reply.answer, show_alert=reply.alert)
        if not reply.alert:
            await send_reply(context, chat_id, reply)

    # --- one report -----------------------------------------------------------------------------

    async def _report_v(
        self, query: CallbackQuery, context: ThiduaContext, chat_id: int, found: ReportInScope
    ) -> None:
        t = context.t
        await query.answer()
        report = found.report
        assert report.id is not None
        owner = await owner_name(found.pledge, session=context.db)
        text = await report_text(report, owner, t, session=context.db)
        evidence = await progress_store.evidence_of(report.id, session=context.db)
        rows = []
        if evidence:
            label = t("📎 Show the evidence ({count})", count=t.number(len(evidence)))
            rows.append([InlineKeyboardButton(label, callback_data=f"{PREFIX}e:{report.id}")])
        if found.may_decide:
            decide = []
            if report.status is ReportStatus.SUBMITTED:
                decide.append(
                    InlineKeyboardButton(t("✅ Approve"), callback_data=f"{PREFIX}a:{report.id}")
                )
            if report.status is not ReportStatus.RETURNED:
                decide.append(
                    InlineKeyboardButton(t("↩️ Return"), callback_data=f"{PREFIX}x:{report.id}")
                )
            if decide:
                rows.append(decide)
        elif found.pledge.kind is PledgeKind.COLLECTIVE:
            text += "\n\n" + t(
                "A unit's collective report is decided by its bloc head or an administrator."
            )
        await send_text(
            context, chat_id, text, reply_markup=InlineKeyboardMarkup(rows) if rows else None
        )

    async def _report_e(
        self, query: CallbackQuery, context: ThiduaContext, chat_id: int, found: ReportInScope
    ) -> None:
        """Re-send the stored files by their Telegram ids, each with whose and its caption."""
        t = context.t
        assert found.report.id is not None
        await query.answer()
        owner = escape(await owner_name(found.pledge, session=context.db))
        evidence = await progress_store.evidence_of(found.report.id, session=context.db)
        for index, item in enumerate(evidence, start=1):
            caption = t(
                "📎 {number}/{total} — {name}", number=index, total=len(evidence), name=owner
            )
            if item.caption:
                caption += "\n" + escape(item.caption)
            if item.kind is EvidenceKind.PHOTO:
                await send_say(context, chat_id, Say(caption, photo=item.file_id))
            else:
                await send_say(context, chat_id, Say(caption, document=item.file_id))

    async def _report_a(
        self, query: CallbackQuery, context: ThiduaContext, chat_id: int, found: ReportInScope
    ) -> None:
        t = context.t
        if not found.may_decide or found.report.id is None:
            await refuse_press(
                query,
                t("A unit's collective report is decided by its bloc head or an administrator."),
                refused="collective report",
            )
            return
        try:
            result = await approve_report(
                found.report.id, actor=context.viewer.telegram_user_id, session=context.db
            )
        except UserFacingError as exc:
            await query.answer(t(exc.message, **exc.params), show_alert=True)
            return
        if result.note is not None:
            await query.answer(t(result.note), show_alert=True)
            return
        milestone = await _milestone(context, found.report.milestone_id)
        assert milestone is not None
        await notify_reporter(
            result.report,
            found.pledge,
            milestone,
            catalogs=context.app.services.catalogs,
            session=context.db,
        )
        _wake_outbox(context)
        await query.answer(t("✅ Approved."))
        name = escape(await owner_name(found.pledge, session=context.db))
        await send_text(context, chat_id, t("✅ Report of {name} approved.", name=name))

    async def _report_x(
        self, query: CallbackQuery, context: ThiduaContext, chat_id: int, found: ReportInScope
    ) -> None:
        t = context.t
        if not found.may_decide:
            await refuse_press(
                query,
                t("A unit's collective report is decided by its bloc head or an administrator."),
                refused="collective report",
            )
            return
        if found.report.status is ReportStatus.RETURNED:
            await query.answer(
                t("This report was already returned; nothing changed."), show_alert=True
            )
            return
        await query.answer()
        env = flow_env(context, chat_id)
        reply = await self.engine.start(RETURN_FLOW, env, data={REPORT_KEY: found.report.id})
        await send_reply(context, chat_id, reply)

    def handlers(self) -> list[BaseHandler[Any, Any, Any]]:
        return [CallbackQueryHandler(self.on_press, pattern=f"^{PREFIX}")]


_ARITY = {"m": 2, "u": 2, "g": 2, "t": 2, "v": 1, "e": 1, "a": 1, "x": 1}


async def _milestone(context: ThiduaContext, milestone_id: int) -> CampaignMilestone | None:
    return await campaign_store.get_milestone(milestone_id, session=context.db)


async def _managed_unit(context: ThiduaContext, unit_id: int) -> Unit | None:
    unit = await org_store.get_unit(unit_id, session=context.db)
    if unit is None or not context.viewer.may_manage_unit(unit_id, unit.bloc_id):
        return None
    return unit


def _wake_outbox(context: ThiduaContext) -> None:
    outbox = context.app.services.outbox
    if outbox is not None:
        outbox.wake()
