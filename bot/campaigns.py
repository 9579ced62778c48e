"""Campaign rules: the lifecycle, who is in the audience, and the launch broadcast."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from bot.campaign_text import CampaignView, launch_buttons, launch_text
from bot.errors import UserFacingError
from bot.i18n import N_, Catalogs
from storage import campaigns as store
from storage import org as org_store
from storage import outbox as outbox_store
from storage.campaign_models import (
    AudienceKind,
    Broadcast,
    Campaign,
    CampaignStatus,
)
from storage.models import Member, MemberStatus, TelegramUser

# What each state may move to; anything else is refused with the reason.
TRANSITIONS: dict[CampaignStatus, set[CampaignStatus]] = {
    CampaignStatus.DRAFT: {CampaignStatus.LAUNCHED},
    CampaignStatus.LAUNCHED: {CampaignStatus.REGISTRATION_CLOSED},
    CampaignStatus.REGISTRATION_CLOSED: {CampaignStatus.REVIEWING, CampaignStatus.LAUNCHED},
    CampaignStatus.REVIEWING: {CampaignStatus.CLOSED},
    CampaignStatus.CLOSED: set(),
}


def move(campaign: Campaign, target: CampaignStatus) -> None:
    if target not in TRANSITIONS[campaign.status]:
        raise UserFacingError(
            N_("A campaign that is {current} cannot become {target}."),
            current=campaign.status.value,
            target=target.value,
        )
    campaign.status = target


def may_edit(campaign: Campaign) -> bool:
    """Only drafts change freely; a launched campaign's rules are what members agreed to."""
    return campaign.status == CampaignStatus.DRAFT


async def load_view(campaign: Campaign, *, session: AsyncSession) -> CampaignView:
    assert campaign.id is not None
    owner = (
        await org_store.get_bloc(campaign.owner_bloc_id, session=session)
        if campaign.owner_bloc_id
        else None
    )
    return CampaignView(
        campaign=campaign,
        milestones=await store.milestones_of(campaign.id, session=session),
        options=await store.options_of(campaign.id, session=session),
        targets=await store.targets_of(campaign.id, session=session),
        owner_name=owner.name if owner else None,
    )


@dataclass(frozen=True)
class Audience:
    members: list[Member]  # not marked as left
    recipients: list[Member]  # linked to Telegram and reachable

    @property
    def not_linked(self) -> int:
        return sum(1 for member in self.members if member.telegram_user_id is None)

    @property
    def unreachable(self) -> int:
        return sum(
            1
            for member in self.members
            if member.telegram_user_id is not None and member.status == MemberStatus.UNREACHABLE
        )


async def audience_of(campaign: Campaign, *, session: AsyncSession) -> Audience:
    assert campaign.id is not None
    scopes = await store.audience_scopes(campaign.id, session=session)
    return await resolve_audience(
        campaign.audience,
        [(scope.scope_kind, scope.scope_id) for scope in scopes],
        session=session,
    )


async def is_in_audience(campaign: Campaign, member: Member, *, session: AsyncSession) -> bool:
    """One member against the audience's scopes: a button press must not load everyone."""
    assert campaign.id is not None
    if member.status == MemberStatus.LEFT:
        return False
    if campaign.audience == AudienceKind.ORGANISATION:
        return True
    scopes = await store.audience_scopes(campaign.id, session=session)
    if any(s.scope_kind == "unit" and s.scope_id == member.unit_id for s in scopes):
        return True
    unit = await org_store.get_unit(member.unit_id, session=session)
    return unit is not None and any(
        s.scope_kind == "bloc" and s.scope_id == unit.bloc_id for s in scopes
    )


async def scope_unit_ids(
    kind: AudienceKind, scopes: list[tuple[str, int]], *, session: AsyncSession
) -> list[int] | None:
    """The units of the chosen blocs and units; None for the whole organisation."""
    if kind == AudienceKind.ORGANISATION:
        return None
    blocs = [scope_id for scope_kind, scope_id in scopes if scope_kind == "bloc"]
    unit_ids = [scope_id for scope_kind, scope_id in scopes if scope_kind == "unit"]
    unit_ids += await store.unit_ids_of_blocs(blocs, session=session) if blocs else []
    return unit_ids


async def audience_unit_ids(campaign: Campaign, *, session: AsyncSession) -> list[int] | None:
    assert campaign.id is not None
    scopes = await store.audience_scopes(campaign.id, session=session)
    pairs = [(scope.scope_kind, scope.scope_id) for scope in scopes]
    return await scope_unit_ids(campaign.audience, pairs, session=session)


async def resolve_audience(
    kind: AudienceKind, scopes: list[tuple[str, int]], *, session: AsyncSession
) -> Audience:
    """Members of the whole organisation, or of the chosen blocs and units."""
    unit_ids = await scope_unit_ids(kind, scopes, session=session)
    members = await store.members_in_units(unit_ids, session=session)
    recipients = [
        member
        for member in members
        if member.telegram_user_id is not None and member.status == MemberStatus.ACTIVE
    ]
    return Audience(members=members, recipients=recipients)


@dataclass(frozen=True)
class LaunchResult:
    broadcast: Broadcast
    queued: int
    audience: Audience


async def launch(
    campaign: Campaign,
    *,
    catalogs: Catalogs,
    by: int | None,
    admin_chat_id: int | None,
    now: datetime,
    session: AsyncSession,
) -> LaunchResult:
    """Queue the launch message (and plan documents) to every reachable member, once.

    Launching again is refused; even if it were not, each row's dedupe key makes a second
    enqueue insert nothing.
    """
    assert campaign.id is not None
    audience = await audience_of(campaign, session=session)
    if not audience.recipients:
        raise UserFacingError(
            N_(
                "Nobody in this campaign's audience can be reached yet ({count} people, none "
                "linked to Telegram). Invite them first."
            ),
            count=len(audience.members),
        )
    move(campaign, CampaignStatus.LAUNCHED)
    campaign.launched_at = now
    broadcast = await outbox_store.add_broadcast(
        Broadcast(
            kind="launch",
            campaign_id=campaign.id,
            created_by=by,
            admin_chat_id=admin_chat_id,
            total=len(audience.recipients),
        ),
        session=session,
    )
    rows = await _launch_rows(campaign, broadcast, audience.recipients, catalogs, session)
    queued = await outbox_store.enqueue(rows, session=session)
    return LaunchResult(broadcast=broadcast, queued=queued, audience=audience)


async def _launch_rows(
    campaign: Campaign,
    broadcast: Broadcast,
    recipients: list[Member],
    catalogs: Catalogs,
    session: AsyncSession,
) -> list[dict[str, object]]:
    assert campaign.id is not None
    view = await load_view(campaign, session=session)
    documents = await store.documents_of(campaign.id, session=session)
    locales = await member_locales(recipients, session)
    rows: list[dict[str, object]] = []
    rendered: dict[str, dict[str, object]] = {}
    for member in recipients:
        assert member.telegram_user_id is not None
        locale = locales.get(member.telegram_user_id) or catalogs.default_locale
        if locale not in rendered:
            t = catalogs.get(locale)
            rendered[locale] = {
                "method": "sendMessage",
                "text": launch_text(view, t),
                "reply_markup": launch_buttons(campaign.id, t).to_dict(),
            }
        common = {
            "kind": "launch",
            "broadcast_id": broadcast.id,
            "campaign_id": campaign.id,
            "member_id": member.id,
            "chat_id": member.telegram_user_id,
        }
        for document in documents:
            rows.append(
                {
                    **common,
                    "dedupe_key": f"launch:{campaign.id}:{member.id}:doc{document.id}",
                    "payload": {"method": "sendDocument", "document_id": document.id},
                }
            )
        rows.append(
            {
                **common,
                "dedupe_key": f"launch:{campaign.id}:{member.id}",
                "payload": rendered[locale],
            }
        )
    return rows


async def member_locales(members: list[Member], session: AsyncSession) -> dict[int, str | None]:
    ids = [member.telegram_user_id for member in members if member.telegram_user_id]
    result = await session.execute(
        select(TelegramUser.id, TelegramUser.locale).where(col(TelegramUser.id).in_(ids))
    )
    return {int(user_id): locale for user_id, locale in result.all()}
