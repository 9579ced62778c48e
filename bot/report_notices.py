"""The reporter is told when their report is approved or returned (outbox kind "report").

A member's report goes back to the member; a unit's collective report to the officer who sent
it. Deduplicated per report event, so a double tap never sends two notices.
"""

from html import escape

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import Catalogs
from bot.user_language import translator_for
from storage import campaigns as campaign_store
from storage import outbox as outbox_store
from storage import people
from storage import progress as progress_store
from storage.campaign_models import CampaignMilestone
from storage.pledge_models import Pledge, PledgeKind
from storage.progress_models import ProgressReport, ReportStatus

REPORT_PREFIX = "rep:"  # handlers/progress.py: rep:<campaign id>[:<milestone id>]


async def _recipient(pledge: Pledge, report: ProgressReport, session: AsyncSession) -> int | None:
    if pledge.kind is PledgeKind.COLLECTIVE:
        return report.entered_by
    member = (
        await people.get_member(pledge.member_id, session=session) if pledge.member_id else None
    )
    return member.telegram_user_id if member else None


async def notify_reporter(
    report: ProgressReport,
    pledge: Pledge,
    milestone: CampaignMilestone,
    *,
    catalogs: Catalogs,
    reason: str | None = None,
    session: AsyncSession,
) -> int:
    assert report.id is not None
    chat_id = await _recipient(pledge, report, session)
    if chat_id is None:
        return 0
    t = await translator_for(chat_id, catalogs, session)
    name = escape(milestone.name)
    payload: dict[str, object]
    if report.status is ReportStatus.APPROVED:
        payload = {
            "method": "sendMessage",
            "text": t("✅ The report “{milestone}” was approved.", milestone=name),
        }
    else:
        campaign = await campaign_store.get_campaign(pledge.campaign_id, session=session)
        payload = {
            "method": "sendMessage",
            "text": t(
                "↩️ The report “{milestone}” was returned.\nReason: {reason}\n"
                "Please correct it and send it again.",
                milestone=name,
                reason=escape(reason or ""),
            ),
        }
        if campaign is not None and pledge.kind is PledgeKind.INDIVIDUAL:
            button = InlineKeyboardButton(
                t("📈 Correct the report"),
                callback_data=f"{REPORT_PREFIX}{campaign.id}:{milestone.id}",
            )
            payload["reply_markup"] = InlineKeyboardMarkup([[button]]).to_dict()
    events = await progress_store.events_of(report.id, session=session)
    event_id = events[-1].id if events else 0
    row = {
        "dedupe_key": f"report:{report.id}:ev{event_id}",
        "kind": "report",
        "campaign_id": pledge.campaign_id,
        "member_id": pledge.member_id,
        "chat_id": chat_id,
        "payload": payload,
    }
    return await outbox_store.enqueue([row], session=session)
