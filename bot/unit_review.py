"""The unit officer's review of pledges: what the list shows, the member's notices, approve-all.

"Duyệt tất cả" approves only the pledges the officer was shown: the list's pledge ids are kept
(per officer, campaign and unit) when it is shown, and the confirmation approves those still
awaiting approval.
"""

import json
from dataclasses import dataclass
from html import escape

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.campaign_text import REGISTER_PREFIX
from bot.campaigns import member_locales
from bot.collective_review import notify_unit
from bot.eligibility import PledgeWarning
from bot.flows import pledge_draft as draft
from bot.i18n import Catalogs, Translator
from bot.pledge_values import value_of
from bot.pledges import approve
from storage import key_values, people
from storage import org as org_store
from storage import outbox as outbox_store
from storage import pledges as pledge_store
from storage.campaign_models import Campaign
from storage.catalogue import items_by_ids
from storage.models import Member
from storage.pledge_models import Pledge, PledgeKind, PledgeStatus


@dataclass(frozen=True)
class PendingPledge:
    pledge: Pledge
    member_name: str
    title: str


async def pending_pledges(
    campaign_id: int, unit_id: int, *, session: AsyncSession
) -> list[PendingPledge]:
    """The unit's individual pledges awaiting approval, oldest first, with names and titles."""
    pledges = await pledge_store.pledges_of_unit(
        campaign_id,
        unit_id,
        kind=PledgeKind.INDIVIDUAL,
        statuses=(PledgeStatus.PENDING,),
        session=session,
    )
    titles = draft.item_names(
        await items_by_ids([p.title_item_id for p in pledges], session=session)
    )
    found = []
    for pledge in pledges:
        member = (
            await people.get_member(pledge.member_id, session=session) if pledge.member_id else None
        )
        found.append(
            PendingPledge(
                pledge, member.full_name if member else "?", titles.get(pledge.title_item_id, "?")
            )
        )
    return found


def _list_key(telegram_user_id: int, campaign_id: int, unit_id: int) -> str:
    return f"officer_list:{telegram_user_id}:{campaign_id}:{unit_id}"


async def remember_listed(
    telegram_user_id: int, campaign_id: int, unit_id: int, ids: list[int], *, session: AsyncSession
) -> None:
    key = _list_key(telegram_user_id, campaign_id, unit_id)
    await key_values.set_value(key, json.dumps(ids), session=session)


async def listed(
    telegram_user_id: int, campaign_id: int, unit_id: int, *, session: AsyncSession
) -> list[int] | None:
    """The ids of the list last shown to this officer; None when no list was shown."""
    value = await key_values.get_value(
        _list_key(telegram_user_id, campaign_id, unit_id), session=session
    )
    if not value:
        return None
    ids = json.loads(value)
    return [int(i) for i in ids] if isinstance(ids, list) else None


async def approve_listed(
    telegram_user_id: int, campaign_id: int, unit_id: int, *, session: AsyncSession
) -> list[Pledge]:
    """Approve the listed pledges that are still awaiting approval in this campaign and unit."""
    ids = await listed(telegram_user_id, campaign_id, unit_id, session=session) or []
    approved = []
    for pledge_id in ids:
        pledge = await pledge_store.get_pledge(pledge_id, session=session)
        if (
            pledge is None
            or pledge.campaign_id != campaign_id
            or pledge.unit_id != unit_id
            or pledge.status is not PledgeStatus.PENDING
        ):
            continue
        result = await approve(pledge_id, actor=telegram_user_id, session=session)
        if result.changed:
            approved.append(result.pledge)
    await key_values.set_value(
        _list_key(telegram_user_id, campaign_id, unit_id), "", session=session
    )
    return approved


async def owner_name(pledge: Pledge, *, session: AsyncSession) -> str:
    """Whose pledge: the member's name, or the unit's for a collective pledge."""
    if pledge.kind is PledgeKind.COLLECTIVE:
        unit = await org_store.get_unit(pledge.unit_id, session=session)
        return unit.name if unit else "?"
    member = (
        await people.get_member(pledge.member_id, session=session) if pledge.member_id else None
    )
    return member.full_name if member else "?"


async def pending_collective(
    campaign_id: int, unit_id: int, *, session: AsyncSession
) -> Pledge | None:
    """The unit's collective pledge when it awaits a decision from above the unit."""
    pledge = await pledge_store.live_pledge(
        campaign_id, PledgeKind.COLLECTIVE, unit_id=unit_id, session=session
    )
    return pledge if pledge is not None and pledge.status is PledgeStatus.PENDING else None


async def pledge_text(
    pledge: Pledge, campaign: Campaign, t: Translator, *, session: AsyncSession
) -> str:
    """The full pledge for the officer: who, status, title, targets, commitment, warnings."""
    assert pledge.id is not None
    ids = [pledge.title_item_id, *([pledge.award_item_id] if pledge.award_item_id else [])]
    names = draft.item_names(await items_by_ids(ids, session=session))
    targets = [value_of(row) for row in await pledge_store.targets_of(pledge.id, session=session)]
    status = t(draft.STATUS_NAMES[pledge.status])
    if pledge.late:
        status += " · " + t("late registration")
    lines = [
        f"{'🏢' if pledge.kind is PledgeKind.COLLECTIVE else '📝'}"
        f" <b>{escape(await owner_name(pledge, session=session))}</b> — {status}",
        *draft.pledge_lines(
            t,
            campaign=campaign,
            title=names.get(pledge.title_item_id, "?"),
            award=names.get(pledge.award_item_id) if pledge.award_item_id else None,
            targets=targets,
            commitment=pledge.commitment,
        ),
    ]
    lines += warning_lines(t, pledge.warnings or [])
    return "\n".join(lines)


def warning_lines(t: Translator, warnings: list[dict[str, object]]) -> list[str]:
    if not warnings:
        return []
    lines = ["", t("⚠️ Notes for the officer (they do not block the registration):")]
    for warning in warnings:
        params = warning.get("params")
        text = t(str(warning.get("message", "")), **(params if isinstance(params, dict) else {}))
        lines.append("• " + escape(text))
    return lines


def quota_lines(t: Translator, warnings: list[PledgeWarning]) -> list[str]:
    if not warnings:
        return []
    lines = ["", t("⚠️ Unit quotas:")]
    lines += ["• " + escape(t(w.message, **w.params)) for w in warnings]
    return lines


async def notify_member(
    pledge: Pledge,
    campaign: Campaign,
    *,
    catalogs: Catalogs,
    reason: str | None = None,
    session: AsyncSession,
) -> int:
    """Tell the member their pledge was approved, or returned with the reason (kind "pledge").

    A collective pledge's notice goes to the officer who entered it instead.
    """
    assert pledge.id is not None and campaign.id is not None
    if pledge.kind is PledgeKind.COLLECTIVE:
        return await notify_unit(
            pledge, campaign, catalogs=catalogs, reason=reason, session=session
        )
    member: Member | None = (
        await people.get_member(pledge.member_id, session=session) if pledge.member_id else None
    )
    if member is None or member.telegram_user_id is None:
        return 0
    locales = await member_locales([member], session)
    t = catalogs.get(locales.get(member.telegram_user_id) or catalogs.default_locale)
    events = await pledge_store.events_of(pledge.id, session=session)
    event_id = events[-1].id if events else 0
    payload: dict[str, object]
    if pledge.status is PledgeStatus.APPROVED:
        payload = {
            "method": "sendMessage",
            "text": t(
                "✅ Your registration for “{campaign}” was approved.",
                campaign=escape(campaign.name),
            ),
        }
    else:
        button = InlineKeyboardButton(
            t("📝 Register (Đăng ký thi đua)"), callback_data=f"{REGISTER_PREFIX}{campaign.id}"
        )
        payload = {
            "method": "sendMessage",
            "text": t(
                "↩️ Your registration for “{campaign}” was returned by the unit.\n"
                "Reason: {reason}\nPlease correct it and submit it again.",
                campaign=escape(campaign.name),
                reason=escape(reason or ""),
            ),
            "reply_markup": InlineKeyboardMarkup([[button]]).to_dict(),
        }
    row = {
        "dedupe_key": f"pledge:{pledge.id}:ev{event_id}",
        "kind": "pledge",
        "campaign_id": campaign.id,
        "member_id": member.id,
        "chat_id": member.telegram_user_id,
        "payload": payload,
    }
    return await outbox_store.enqueue([row], session=session)
