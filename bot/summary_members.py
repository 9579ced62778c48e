"""A unit's members for the drill-down of `/tonghop`: each one's registration and report."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from html import escape

from sqlalchemy.ext.asyncio import AsyncSession

from bot.flows import pledge_draft as draft
from bot.i18n import Translator
from bot.pledges import REGISTERED
from bot.progress import unit_progress
from bot.text import name_sort_key
from storage import campaigns as campaign_store
from storage import pledges as pledge_store
from storage.campaign_models import CampaignMilestone
from storage.catalogue import items_by_ids
from storage.pledge_models import PledgeKind, PledgeStatus
from storage.reminders import leaves_on


@dataclass(frozen=True)
class MemberRow:
    name: str
    title: str | None  # None: not registered
    status: PledgeStatus | None
    reported: bool | None  # None: no approved pledge to report on
    share: Decimal | None
    on_leave_until: date | None


async def member_rows(
    campaign_id: int,
    unit_id: int,
    milestone: CampaignMilestone | None,
    today: date,
    *,
    session: AsyncSession,
) -> list[MemberRow]:
    members = await campaign_store.members_in_units([unit_id], session=session)
    pledges = await pledge_store.pledges_of_unit(
        campaign_id, unit_id, kind=PledgeKind.INDIVIDUAL, statuses=REGISTERED, session=session
    )
    by_member = {p.member_id: p for p in pledges}
    names = draft.item_names(
        await items_by_ids([p.title_item_id for p in pledges], session=session)
    )
    progress = {}
    if milestone is not None and milestone.id is not None:
        unit = await unit_progress(campaign_id, unit_id, milestone.id, session=session)
        progress = {m.member_id: m for m in unit.members}
    leaves = await leaves_on([m.id for m in members if m.id is not None], today, session=session)
    rows = []
    for member in members:
        assert member.id is not None
        pledge = by_member.get(member.id)
        reported = progress.get(member.id)
        rows.append(
            MemberRow(
                name=member.full_name,
                title=names.get(pledge.title_item_id) if pledge else None,
                status=pledge.status if pledge else None,
                reported=reported.reported if reported else None,
                share=reported.average_percent if reported else None,
                on_leave_until=leaves[member.id].ends if member.id in leaves else None,
            )
        )
    return sorted(rows, key=lambda row: name_sort_key(row.name))


def member_line(index: int, row: MemberRow, t: Translator) -> str:
    parts = [f"{index}. {escape(row.name)}"]
    if row.title is None:
        parts.append(t("not registered"))
    else:
        assert row.status is not None
        parts.append(f"{escape(row.title)} ({t(draft.STATUS_NAMES[row.status])})")
    if row.reported is not None:
        parts.append(
            t("reported {share}", share=t.share(row.share) if row.share is not None else "—")
            if row.reported
            else t("not reported")
        )
    if row.on_leave_until is not None:
        parts.append(t("🏖 on leave until {date}", date=t.date(row.on_leave_until)))
    return " — ".join(parts[:2]) + ("" if len(parts) < 3 else " · " + " · ".join(parts[2:]))
