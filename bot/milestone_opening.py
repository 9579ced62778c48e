"""The message that opens a milestone's reports: sent once to everyone who reports in the
campaign (members with an approved pledge, and the officers of units with an approved collective
pledge), with the 📈 button that opens the report flow on that milestone (`rep:<c>:<m>`).

It is a broadcast like a launch, so `/baocaogui` shows its delivery; each row's dedupe key
(milestone, person) makes sending it twice queue nothing new.
"""

from dataclasses import dataclass
from datetime import datetime
from html import escape

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.errors import UserFacingError
from bot.i18n import N_, Catalogs, Translator
from bot.report_notices import REPORT_PREFIX
from bot.report_windows import RUNNING, milestone_windows
from bot.user_language import translator_for
from storage import campaigns as campaign_store
from storage import outbox as outbox_store
from storage import pledges as pledge_store
from storage.campaign_models import Broadcast, Campaign, CampaignMilestone


@dataclass(frozen=True)
class Opening:
    broadcast: Broadcast
    queued: int
    recipients: int


def opening_text(
    campaign: Campaign, milestone: CampaignMilestone, closes_on: str, t: Translator
) -> str:
    return t(
        "📈 <b>Reports for “{milestone}” are open</b> — {campaign}\n"
        "Report what you have achieved so far against each target of your registration, with"
        " evidence (photos, documents), by {due}.",
        milestone=escape(milestone.name),
        campaign=escape(campaign.name),
        due=closes_on,
    )


async def open_milestone(
    campaign: Campaign,
    milestone: CampaignMilestone,
    *,
    catalogs: Catalogs,
    by: int | None,
    admin_chat_id: int | None,
    now: datetime,
    session: AsyncSession,
) -> Opening:
    """Queue the opening message to everyone who reports; refused when nobody can receive it."""
    assert campaign.id is not None and milestone.id is not None
    if campaign.status not in RUNNING:
        raise UserFacingError(N_("This campaign is not running; reports can no longer be sent."))
    milestones = await campaign_store.milestones_of(campaign.id, session=session)
    window = next(
        w for w in milestone_windows(campaign, milestones) if w.milestone.id == milestone.id
    )
    reporters = await pledge_store.approved_reporters(campaign.id, session=session)
    if not reporters:
        raise UserFacingError(
            N_("Nobody has an approved registration in this campaign yet; approve some first.")
        )
    broadcast = await outbox_store.add_broadcast(
        Broadcast(
            kind="milestone",
            campaign_id=campaign.id,
            created_by=by,
            admin_chat_id=admin_chat_id,
            total=len(reporters),
            created_at=now,
        ),
        session=session,
    )
    rows = []
    for member_id, chat_id in reporters:
        t = await translator_for(chat_id, catalogs, session)
        button = InlineKeyboardButton(
            t("📈 Report progress"), callback_data=f"{REPORT_PREFIX}{campaign.id}:{milestone.id}"
        )
        rows.append(
            {
                "dedupe_key": f"milestone:{milestone.id}:{chat_id}",
                "kind": "milestone",
                "broadcast_id": broadcast.id,
                "campaign_id": campaign.id,
                "member_id": member_id,
                "chat_id": chat_id,
                "payload": {
                    "method": "sendMessage",
                    "text": opening_text(campaign, milestone, t.date(window.on_time_until), t),
                    "reply_markup": InlineKeyboardMarkup([[button]]).to_dict(),
                },
            }
        )
    queued = await outbox_store.enqueue(rows, session=session)
    return Opening(broadcast, queued, len(reporters))
