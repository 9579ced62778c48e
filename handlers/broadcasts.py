"""Admin side of broadcasts: stop one while it runs, and see acknowledgements by unit."""

from html import escape
from typing import Any

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from bot.broadcast_progress import STOP_PREFIX
from bot.context import ThiduaContext
from bot.refusals import refuse_press
from bot.replies import send_text
from storage import campaigns as campaign_store
from storage import org as org_store
from storage import outbox as store
from storage.campaign_models import BroadcastStatus


async def stop_broadcast(update: Update, context: ThiduaContext) -> None:
    query = update.callback_query
    if query is None:
        return
    t = context.t
    if not context.viewer.is_admin:
        await refuse_press(query, t("Only administrators can stop a broadcast."), refused="admin")
        return
    text = (query.data or "").removeprefix(STOP_PREFIX)
    broadcast = await store.get_broadcast(int(text), session=context.db) if text.isdigit() else None
    if broadcast is None:
        await query.answer(t("Only administrators can stop a broadcast."), show_alert=True)
        return
    if broadcast.status != BroadcastStatus.RUNNING:
        await query.answer(t("This broadcast has already finished."))
        return
    broadcast.status = BroadcastStatus.STOPPED
    cancelled = await store.cancel_pending(broadcast.id or 0, session=context.db)
    await query.answer(
        t("Stopped: {count} messages will not be sent.", count=t.number(cancelled)),
        show_alert=True,
    )


async def delivery_by_unit(update: Update, context: ThiduaContext) -> None:
    """/baocaogui ID: per unit, launch messages queued, delivered and acknowledged."""
    chat = update.effective_chat
    if chat is None:
        return
    t = context.t
    if not context.viewer.is_admin:
        await send_text(context, chat.id, t("Only administrators can see delivery reports."))
        return
    campaign_id = int(context.args[0]) if context.args and context.args[0].isdigit() else None
    campaign = (
        await campaign_store.get_campaign(campaign_id, session=context.db) if campaign_id else None
    )
    if campaign is None or campaign.id is None:
        await send_text(context, chat.id, t("Usage: /baocaogui CAMPAIGN_ID, e.g. /baocaogui 1"))
        return
    figures = await campaign_store.launch_figures_by_unit(campaign.id, session=context.db)
    units = {unit.id: unit.name for unit in await org_store.all_units(session=context.db)}
    lines = [t("<b>{name}</b>: delivered and acknowledged by unit", name=escape(campaign.name))]
    totals = [0, 0, 0]
    for unit_id, queued, delivered, acked in figures:
        totals = [totals[0] + queued, totals[1] + delivered, totals[2] + acked]
        lines.append(_line(t, escape(units.get(unit_id, "?")), queued, delivered, acked))
    lines += ["", _line(t, t("Total"), *totals)]
    await send_text(context, chat.id, "\n".join(lines))


def _line(t: Any, name: str, queued: int, delivered: int, acked: int) -> str:
    return t(
        "{unit}: delivered {delivered}/{queued}, acknowledged {acked} ({percent})",
        unit=name,
        delivered=t.number(delivered),
        queued=t.number(queued),
        acked=t.number(acked),
        percent=t.percent(acked, queued),
    )


def handlers() -> list[BaseHandler[Any, Any, Any]]:
    return [
        CallbackQueryHandler(stop_broadcast, pattern=f"^{STOP_PREFIX}"),
        CommandHandler("baocaogui", delivery_by_unit, filters=filters.ChatType.PRIVATE),
    ]
