"""Queries on campaigns, their milestones, options, targets, documents, audience and replies."""

from collections.abc import Sequence

from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from storage.campaign_models import (
    Acknowledgement,
    Campaign,
    CampaignAudienceScope,
    CampaignDocument,
    CampaignMilestone,
    CampaignOption,
    CatalogueItem,
    OutboxMessage,
    OutboxStatus,
    TargetTemplate,
)
from storage.models import Member, MemberStatus, Unit


async def get_campaign(campaign_id: int, *, session: AsyncSession) -> Campaign | None:
    return await session.get(Campaign, campaign_id)


async def all_campaigns(*, session: AsyncSession) -> list[Campaign]:
    result = await session.execute(select(Campaign).order_by(col(Campaign.id)))
    return list(result.scalars().all())


async def campaigns_named(name: str, *, session: AsyncSession) -> list[Campaign]:
    result = await session.execute(select(Campaign).where(Campaign.name == name))
    return list(result.scalars().all())


async def add(objects: Sequence[object], *, session: AsyncSession) -> None:
    session.add_all(objects)
    await session.flush()


async def milestones_of(campaign_id: int, *, session: AsyncSession) -> list[CampaignMilestone]:
    result = await session.execute(
        select(CampaignMilestone)
        .where(CampaignMilestone.campaign_id == campaign_id)
        .order_by(col(CampaignMilestone.position))
    )
    return list(result.scalars().all())


async def options_of(campaign_id: int, *, session: AsyncSession) -> list[CatalogueItem]:
    result = await session.execute(
        select(CatalogueItem)
        .join(CampaignOption, col(CampaignOption.item_id) == col(CatalogueItem.id))
        .where(CampaignOption.campaign_id == campaign_id)
        .order_by(col(CatalogueItem.kind), col(CatalogueItem.rank))
    )
    return list(result.scalars().all())


async def targets_of(campaign_id: int, *, session: AsyncSession) -> list[TargetTemplate]:
    result = await session.execute(
        select(TargetTemplate)
        .where(TargetTemplate.campaign_id == campaign_id)
        .order_by(col(TargetTemplate.position))
    )
    return list(result.scalars().all())


async def documents_of(campaign_id: int, *, session: AsyncSession) -> list[CampaignDocument]:
    result = await session.execute(
        select(CampaignDocument)
        .where(CampaignDocument.campaign_id == campaign_id)
        .order_by(col(CampaignDocument.id))
    )
    return list(result.scalars().all())


async def audience_scopes(
    campaign_id: int, *, session: AsyncSession
) -> list[CampaignAudienceScope]:
    result = await session.execute(
        select(CampaignAudienceScope).where(CampaignAudienceScope.campaign_id == campaign_id)
    )
    return list(result.scalars().all())


async def members_in_units(
    unit_ids: Sequence[int] | None, *, session: AsyncSession
) -> list[Member]:
    """Members not marked as left, of the given units (None: the whole organisation)."""
    query = select(Member).where(Member.status != MemberStatus.LEFT).order_by(col(Member.id))
    if unit_ids is not None:
        query = query.where(col(Member.unit_id).in_(unit_ids))
    return list((await session.execute(query)).scalars().all())


async def unit_ids_of_blocs(bloc_ids: Sequence[int], *, session: AsyncSession) -> list[int]:
    result = await session.execute(select(Unit.id).where(col(Unit.bloc_id).in_(bloc_ids)))
    return [int(unit_id) for unit_id in result.scalars().all()]


async def acknowledge(campaign_id: int, member_id: int, *, session: AsyncSession) -> bool:
    """Record "Đã nhận"; False if this member had already acknowledged."""
    if await session.get(Acknowledgement, (campaign_id, member_id)) is not None:
        return False
    session.add(Acknowledgement(campaign_id=campaign_id, member_id=member_id))
    await session.flush()
    return True


async def acknowledgement_count(campaign_id: int, *, session: AsyncSession) -> int:
    result = await session.execute(
        select(func.count()).where(Acknowledgement.campaign_id == campaign_id)
    )
    return int(result.scalar_one())


async def launch_figures_by_unit(
    campaign_id: int, *, session: AsyncSession
) -> list[tuple[int, int, int, int]]:
    """(unit_id, launch messages queued, delivered, acknowledged) per unit of the audience."""
    queued = (
        select(Member.unit_id, func.count().label("queued"))
        .join(OutboxMessage, col(OutboxMessage.member_id) == col(Member.id))
        .where(
            OutboxMessage.campaign_id == campaign_id,
            OutboxMessage.kind == "launch",
            col(OutboxMessage.dedupe_key).not_like("%:doc%"),
        )
        .group_by(col(Member.unit_id))
    )
    delivered = queued.where(OutboxMessage.status == OutboxStatus.SENT)
    acknowledged = (
        select(Member.unit_id, func.count())
        .join(Acknowledgement, col(Acknowledgement.member_id) == col(Member.id))
        .where(Acknowledgement.campaign_id == campaign_id)
        .group_by(col(Member.unit_id))
    )
    figures: dict[int, list[int]] = {}
    for index, query in enumerate((queued, delivered, acknowledged)):
        for unit_id, count in (await session.execute(query)).all():
            figures.setdefault(int(unit_id), [0, 0, 0])[index] = int(count)
    return [(unit_id, *values) for unit_id, values in sorted(figures.items())]  # type: ignore[misc]


async def get_milestone(milestone_id: int, *, session: AsyncSession) -> CampaignMilestone | None:
    return await session.get(CampaignMilestone, milestone_id)
