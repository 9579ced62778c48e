"""Members answering a launch: "Đã nhận" (acknowledged).

The "Đăng ký thi đua" button (`reg:`) starts the pledge flow: see `handlers/flows.py`.
"""

from typing import Any

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot.campaign_text import ACK_PREFIX
from bot.campaigns import is_in_audience
from bot.context import ThiduaContext
from bot.refusals import refuse_press
from storage import campaigns as store
from storage.campaign_models import CampaignStatus


async def acknowledge(update: Update, context: ThiduaContext) -> None:
    """Recorded only for a member of the launched campaign's audience; anything else refused."""
    query = update.callback_query
    if query is None:
        return
    t = context.t
    member = context.viewer.member
    campaign_id = _id(query.data, ACK_PREFIX)
    campaign = await store.get_campaign(campaign_id, session=context.db) if campaign_id else None
    if member is None or member.id is None or campaign is None:
        await query.answer(t("This button is no longer valid."), show_alert=True)
        return
    if campaign.status == CampaignStatus.DRAFT or not await is_in_audience(
        campaign, member, session=context.db
    ):
        await refuse_press(query, t("This campaign is not addressed to you."), refused="campaign")
        return
    if await store.acknowledge(campaign.id or 0, member.id, session=context.db):
        await query.answer(t("Thank you, your acknowledgement is recorded."))
    else:
        await query.answer(t("You have already acknowledged this campaign."))


def _id(data: str | None, prefix: str) -> int | None:
    text = (data or "").removeprefix(prefix)
    return int(text) if text.isdigit() else None


def handlers() -> list[BaseHandler[Any, Any, Any]]:
    return [
        CallbackQueryHandler(acknowledge, pattern=f"^{ACK_PREFIX}"),
    ]
