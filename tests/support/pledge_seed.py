"""Helpers for pledge tests: a launched campaign over the test organisation, and pledge inputs."""

from datetime import date
from decimal import Decimal

from sqlmodel import select

from bot.pledge_values import PledgeInput, TargetValue
from storage import campaigns as campaign_store
from storage.campaign_models import Campaign, CampaignOption, CampaignStatus, TargetType
from storage.catalogue import all_items
from storage.database import Database
from storage.models import Member, Unit
from storage.pledge_models import PledgeKind
from storage.pledge_rules import ensure_default_rules
from tests.support.campaign_seed import seed_campaign
from tests.support.org_seed import seed_org

OPEN_DAY = date(2027, 2, 1)  # between the seed campaign's opening (15/01) and deadline (25/03)
LATE_DAY = date(2027, 4, 2)
EXTRA_OPTIONS = ("TTLDTT", "TTLDXS", "BK_TINH")


async def seed_launched(database: Database, *, late_registration: bool = False) -> int:
    """The test organisation and a launched campaign offering LĐTT, CSTĐCS, TTLĐTT, TTLĐXS."""
    await seed_org(database)
    campaign_id = await seed_campaign(database)
    async with database.session() as session:
        campaign = await session.get(Campaign, campaign_id)
        assert campaign is not None
        campaign.status = CampaignStatus.LAUNCHED
        campaign.late_registration = late_registration
        items = await codes(session=session)
        await campaign_store.add(
            [CampaignOption(campaign_id=campaign_id, item_id=items[c]) for c in EXTRA_OPTIONS],
            session=session,
        )
        await ensure_default_rules(session=session)
    return campaign_id


async def codes(*, session: object) -> dict[str, int]:
    items = await all_items(session=session)  # type: ignore[arg-type]
    return {item.code: item.id for item in items if item.id is not None}


async def member_id(database: Database, full_name: str) -> int:
    async with database.session() as session:
        result = await session.execute(select(Member.id).where(Member.full_name == full_name))
        return int(result.scalar_one())


async def unit_id(database: Database, name: str) -> int:
    async with database.session() as session:
        result = await session.execute(select(Unit.id).where(Unit.name == name))
        return int(result.scalar_one())


async def template_id(database: Database, campaign_id: int) -> int:
    async with database.session() as session:
        templates = await campaign_store.targets_of(campaign_id, session=session)
        assert templates[0].id is not None
        return templates[0].id


async def individual(
    database: Database,
    campaign_id: int,
    member: int,
    *,
    title: str = "LDTT",
    initiatives: str = "2",
    award: str | None = None,
    commitment: str = "Hoàn thành xuất sắc nhiệm vụ",
) -> PledgeInput:
    """An individual pledge with the seed campaign's one target ("Số sáng kiến") filled."""
    async with database.session() as session:
        items = await codes(session=session)
    return PledgeInput(
        campaign_id=campaign_id,
        kind=PledgeKind.INDIVIDUAL,
        member_id=member,
        title_item_id=items[title],
        award_item_id=items[award] if award else None,
        targets=(
            TargetValue(
                label="Số sáng kiến được công nhận",
                unit="sáng kiến",
                type=TargetType.NUMBER,
                template_id=await template_id(database, campaign_id),
                number=Decimal(initiatives),
            ),
        ),
        commitment=commitment,
    )


async def collective(
    database: Database, campaign_id: int, unit: int, *, title: str = "TTLDTT"
) -> PledgeInput:
    base = await individual(database, campaign_id, 0)
    async with database.session() as session:
        items = await codes(session=session)
    return PledgeInput(
        campaign_id=campaign_id,
        kind=PledgeKind.COLLECTIVE,
        unit_id=unit,
        title_item_id=items[title],
        targets=base.targets,
    )
