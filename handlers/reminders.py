"""/nhacnho: the member's coming reminders, 💤 snooze one (1 or 3 days), 🏖 declare leave.

Callback data `nn:s:<reminder>:<days>` (snooze), `nn:l:<kind>` (start the leave flow),
`nn:x:<leave>` (cancel a leave); every press checks the reminder or leave is the person's own.
"""

from html import escape
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from bot.context import ThiduaContext
from bot.errors import UserFacingError
from bot.flow_engine import FlowEngine
from bot.flows.leave import KINDS
from bot.flows.leave import NAME_OF_FLOW as LEAVE_FLOW
from bot.flows.report_start import NOT_LINKED_TO_REPORT
from bot.i18n import Translator
from bot.refusals import refuse_press
from bot.reminder_controls import SNOOZE_DAYS, Upcoming, snooze, someone_elses, upcoming
from bot.replies import send_text
from handlers.flows import flow_env, send_reply
from storage import reminders as store
from storage.reminder_models import MemberLeave

PREFIX = "nn:"


def _line(item: Upcoming, t: Translator, tz: Any) -> str:
    when = item.reminder.due_at.astimezone(tz)
    what = (
        t("registration for “{campaign}”", campaign=escape(item.campaign_name))
        if item.milestone_name is None
        else t(
            "report “{milestone}” ({campaign})",
            milestone=escape(item.milestone_name),
            campaign=escape(item.campaign_name),
        )
    )
    return t(
        "• {when}: {what} — deadline {deadline}",
        when=f"{t.day(when.date())} {when:%H:%M}",
        what=what,
        deadline=t.day(item.reminder.deadline),
    )


def _leave_line(leave: MemberLeave, t: Translator) -> str:
    return t(
        "🏖 {kind}: {start} – {end}",
        kind=t(KINDS.get(leave.kind, KINDS["leave"])),
        start=t.date(leave.starts),
        end=t.date(leave.ends),
    )


class ReminderHandlers:
    def __init__(self, engine: FlowEngine) -> None:
        self.engine = engine

    async def command(self, update: Update, context: ThiduaContext) -> None:
        chat = update.effective_chat
        if chat is None:
            return
        await self._show(context, chat.id)

    async def _show(self, context: ThiduaContext, chat_id: int) -> None:
        t = context.t
        member = context.viewer.member
        if member is None or member.id is None:
            await send_text(context, chat_id, "⛔ " + t(NOT_LINKED_TO_REPORT))
            return
        env = flow_env(context, chat_id)
        items = await upcoming(member, env.now, session=context.db)
        leaves = await store.current_and_future_leaves(member.id, env.today, session=context.db)
        lines = [t("⏰ <b>Your coming reminders</b>")]
        rows = []
        if not items:
            lines.append(t("None: nothing is due from you for now."))
        for index, item in enumerate(items, start=1):
            lines.append(_line(item, t, env.tz))
            if item.snoozable:
                rows.append(
                    [
                        InlineKeyboardButton(
                            t("{number}. 💤 {days} day(s)", number=index, days=days),
                            callback_data=f"{PREFIX}s:{item.reminder.id}:{days}",
                        )
                        for days in SNOOZE_DAYS
                    ]
                )
        if leaves:
            lines += ["", *[_leave_line(leave, t) for leave in leaves]]
            rows += [
                [
                    InlineKeyboardButton(
                        t(
                            "❌ Cancel the {kind} from {start}",
                            kind=t(KINDS.get(leave.kind, KINDS["leave"])),
                            start=t.date(leave.starts),
                        ),
                        callback_data=f"{PREFIX}x:{leave.id}",
                    )
                ]
                for leave in leaves
            ]
        rows.append(
            [
                InlineKeyboardButton(t("🏖 I am on leave"), callback_data=f"{PREFIX}l:leave"),
                InlineKeyboardButton(t("🧳 Work trip"), callback_data=f"{PREFIX}l:trip"),
            ]
        )
        await send_text(context, chat_id, "\n".join(lines), reply_markup=InlineKeyboardMarkup(rows))

    async def press(self, update: Update, context: ThiduaContext) -> None:
        query = update.callback_query
        if query is None:
            return
        t = context.t
        chat_id = query.from_user.id
        parts = (query.data or "").removeprefix(PREFIX).split(":")
        member = context.viewer.member
        if member is None:
            await query.answer(t(NOT_LINKED_TO_REPORT), show_alert=True)
            return
        env = flow_env(context, chat_id)
        if parts[0] == "l" and len(parts) == 2 and parts[1] in KINDS:
            await query.answer()
            reply = await self.engine.start(LEAVE_FLOW, env, data={"kind": parts[1]})
            await send_reply(context, chat_id, reply)
            return
        numbers = [int(p) for p in parts[1:] if p.isdigit() and len(p) < 12]
        if parts[0] == "x" and len(numbers) == 1 and member.id is not None:
            if await someone_elses(None, numbers[0], member, session=context.db):
                await refuse_press(query, t("This leave is not yours."), refused="leave")
                return
            removed = await store.remove_leave(numbers[0], member.id, session=context.db)
            await query.answer(t("Cancelled.") if removed else t("This button is no longer valid."))
            if removed:
                await self._show(context, chat_id)
            return
        if parts[0] == "s" and len(numbers) == 2:
            if await someone_elses(numbers[0], None, member, session=context.db):
                await refuse_press(query, t("This reminder is not yours."), refused="reminder")
                return
            try:
                row = await snooze(
                    numbers[0],
                    member,
                    numbers[1],
                    calendar=context.app.services.settings.reminder_calendar,
                    session=context.db,
                )
            except UserFacingError as exc:
                await query.answer(t(exc.message, **exc.params), show_alert=True)
                return
            when = row.due_at.astimezone(env.tz)
            text = t("💤 Moved to {when}.", when=f"{t.day(when.date())} {when:%H:%M}")
            await query.answer(text)
            await send_text(context, chat_id, text)
            return
        await query.answer(t("This button is no longer valid."), show_alert=True)

    def handlers(self) -> list[BaseHandler[Any, Any, Any]]:
        return [
            CommandHandler(
                ["nhacnho", "reminders"], self.command, filters=filters.ChatType.PRIVATE
            ),
            CallbackQueryHandler(self.press, pattern=f"^{PREFIX}"),
        ]
