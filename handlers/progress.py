"""/baocao (and a milestone message's 📈 button `rep:<campaign>[:<milestone>]`) and /tiendo.

/baocao starts the report flow (`bot/flows/report*.py`) on the member's approved pledge;
/tiendo shows, per campaign, each target's plan, total so far, percentage and whether it is on
track for today, as text and as a chart.
"""

from html import escape
from typing import Any

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from bot.context import ThiduaContext
from bot.flow_engine import FlowEngine
from bot.flows.report_start import NOT_LINKED_TO_REPORT, begin, member_pledges
from bot.progress import expected_share, member_progress
from bot.progress_view import member_chart, member_text, target_bars
from bot.replies import send_text, send_upload
from bot.report_notices import REPORT_PREFIX  # rep:<campaign id>[:<milestone id>]
from bot.report_windows import RUNNING
from handlers.flows import flow_env, send_reply
from storage import campaigns as campaign_store
from storage.pledge_models import PledgeStatus


class ProgressHandlers:
    """Bound to the flow engine the other flows use."""

    def __init__(self, engine: FlowEngine) -> None:
        self.engine = engine

    async def report_command(self, update: Update, context: ThiduaContext) -> None:
        chat = update.effective_chat
        if chat is None:
            return
        env = flow_env(context, chat.id)
        pledges = await member_pledges(env)
        if pledges is None:
            await send_text(context, chat.id, "⛔ " + context.t(NOT_LINKED_TO_REPORT))
            return
        await send_reply(context, chat.id, await begin(self.engine, env, pledges))

    async def report_button(self, update: Update, context: ThiduaContext) -> None:
        query = update.callback_query
        if query is None:
            return
        parts = (query.data or "").removeprefix(REPORT_PREFIX).split(":")
        numbers = [int(p) for p in parts if p.isdigit() and len(p) < 12]
        chat_id = query.from_user.id  # the flow continues in the private chat
        env = flow_env(context, chat_id)
        pledges = await member_pledges(env)
        if pledges is None or not numbers or len(numbers) != len(parts) or len(numbers) > 2:
            text = context.t(
                NOT_LINKED_TO_REPORT if pledges is None else "This button is no longer valid."
            )
            await query.answer(text, show_alert=True)
            return
        chosen = [p for p in pledges if p.campaign_id == numbers[0]]
        milestone_id = numbers[1] if len(numbers) == 2 else None
        reply = await begin(self.engine, env, chosen, milestone_id=milestone_id)
        await query.answer(reply.answer, show_alert=reply.alert)
        if not reply.alert:
            await send_reply(context, chat_id, reply)

    async def progress_command(self, update: Update, context: ThiduaContext) -> None:
        chat = update.effective_chat
        if chat is None:
            return
        t = context.t
        env = flow_env(context, chat.id)
        pledges = await member_pledges(env)
        if pledges is None:
            await send_text(context, chat.id, "⛔ " + t(NOT_LINKED_TO_REPORT))
            return
        shown = 0
        for pledge in pledges:
            campaign = await campaign_store.get_campaign(pledge.campaign_id, session=context.db)
            if campaign is None or campaign.status not in RUNNING or pledge.id is None:
                continue
            if pledge.status is not PledgeStatus.APPROVED:
                continue
            rows = await member_progress(pledge.id, env.today, session=context.db)
            expected = expected_share(campaign, None, env.today)
            await send_text(context, chat.id, member_text(campaign, rows, expected, t))
            bars = target_bars(rows)
            if bars:
                png = await member_chart(campaign.name, bars, expected, t)
                caption = t("Progress chart — {campaign}", campaign=escape(campaign.name))
                await send_upload(context, chat.id, png, "tiendo.png", caption, photo=True)
            shown += 1
        if not shown:
            await send_text(
                context,
                chat.id,
                t(
                    "You have no approved registration in a running campaign. Send /dangky to see"
                    " yours."
                ),
            )

    def handlers(self) -> list[BaseHandler[Any, Any, Any]]:
        private = filters.ChatType.PRIVATE
        return [
            CommandHandler(["baocao", "report"], self.report_command, filters=private),
            CommandHandler(["tiendo", "progress"], self.progress_command, filters=private),
            CallbackQueryHandler(self.report_button, pattern=f"^{REPORT_PREFIX}"),
        ]
