"""The notices around a unit's collective pledge: to its bloc's leaders when it is sent, and
back to the officer who entered it when it is approved or returned.

A collective pledge is decided above the unit (`Viewer.may_decide_collective`), so without these
notices neither side would learn that the other has acted. They go through the outbox (kind
"pledge"), deduplicated per pledge event, so a double tap never sends two.
"""

from html import escape

from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import Catalogs
from bot.user_language import translator_for
from storage import org as org_store
from storage import outbox as outbox_store
from storage import people
from storage import pledges as pledge_store
from storage.campaign_models import Campaign
from storage.pledge_models import Pledge, PledgeStatus


async def _last_event_id(pledge: Pledge, session: AsyncSession) -> int:
    assert pledge.id is not None
    events = await pledge_store.events_of(pledge.id, session=session)
    return (events[-1].id or 0) if events else 0


async def notify_reviewers(
    pledge: Pledge, campaign: Campaign, *, catalogs: Catalogs, session: AsyncSession
) -> int:
    """Tell the bloc's heads and deputies (admins without a bloc) a unit's pledge awaits them."""
    assert pledge.id is not None and campaign.id is not None
    unit = await org_store.get_unit(pledge.unit_id, session=session)
    if unit is None or pledge.status is not PledgeStatus.PENDING:
        return 0
    event_id = await _last_event_id(pledge, session)
    rows = []
    for user_id in await people.bloc_leader_ids(unit.bloc_id, session=session):
        t = await translator_for(user_id, catalogs, session)
        text = t(
            "🏢 {unit} sent its collective registration for “{campaign}”; it awaits your"
            " approval. Open /donvi, choose the unit and tap “Review the collective registration”.",
            unit=escape(unit.name),
            campaign=escape(campaign.name),
        )
        rows.append(
            {
                "dedupe_key": f"pledge:{pledge.id}:ev{event_id}:to{user_id}",
                "kind": "pledge",
                "campaign_id": campaign.id,
                "chat_id": user_id,
                "payload": {"method": "sendMessage", "text": text},
            }
        )
    return await outbox_store.enqueue(rows, session=session) if rows else 0


async def notify_unit(
    pledge: Pledge,
    campaign: Campaign,
    *,
    catalogs: Catalogs,
    reason: str | None = None,
    session: AsyncSession,
) -> int:
    """Tell the officer who entered the collective pledge that it was approved or returned."""
    assert pledge.id is not None and campaign.id is not None
    unit = await org_store.get_unit(pledge.unit_id, session=session)
    if unit is None or pledge.entered_by is None:
        return 0
    t = await translator_for(pledge.entered_by, catalogs, session)
    if pledge.status is PledgeStatus.APPROVED:
        text = t(
            "✅ The collective registration of {unit} for “{campaign}” was approved.",
            unit=escape(unit.name),
            campaign=escape(campaign.name),
        )
    else:
        text = t(
            "↩️ The collective registration of {unit} for “{campaign}” was returned.\n"
            "Reason: {reason}\nPlease correct it in /donvi and send it again.",
            unit=escape(unit.name),
            campaign=escape(campaign.name),
            reason=escape(reason or ""),
        )
    row = {
        "dedupe_key": f"pledge:{pledge.id}:ev{await _last_event_id(pledge, session)}",
        "kind": "pledge",
        "campaign_id": campaign.id,
        "chat_id": pledge.entered_by,
        "payload": {"method": "sendMessage", "text": text},
    }
    return await outbox_store.enqueue([row], session=session)
