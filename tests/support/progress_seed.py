"""Helpers for progress report tests: approved pledges with three kinds of target to report on."""

from dataclasses import dataclass, replace
from decimal import Decimal

from bot import pledges
from bot.pledge_values import TargetValue
from storage import campaigns as campaign_store
from storage import pledges as pledge_store
from storage.campaign_models import Campaign, TargetType
from storage.database import Database
from tests.support.org_seed import NHUNG, TU_PHAP
from tests.support.pledge_seed import OPEN_DAY, individual, member_id, seed_launched, unit_id

MAI, BINH, NHUNG_NAME = "Lê Thị Mai", "Trần Văn Bình", "Nguyễn Thị Hồng Nhung"
MAI_TG, BINH_TG = 503, 502
OFFICER = NHUNG  # Sở Tư pháp's emulation officer

# Mai's plan: 4 initiatives (number), 90% of files on time (percent), the training done (yes/no).
INITIATIVES, ON_TIME, TRAINING = (
    "Số sáng kiến được công nhận",
    "Tỷ lệ hồ sơ đúng hạn",
    "Hoàn thành bồi dưỡng",
)


@dataclass(frozen=True)
class Reporting:
    campaign_id: int
    unit_id: int
    milestones: tuple[int, ...]  # Quý I (due 31/03/2027), Sơ kết 6 tháng (due 15/07/2027)
    mai_pledge: int
    binh_pledge: int
    nhung_pledge: int  # submitted, not approved
    targets: dict[str, int]  # Mai's pledge targets by label
    binh_target: int  # Bình's one target (initiatives)


async def seed_reporting(database: Database, *, grace_days: int = 0) -> Reporting:
    """Mai (three targets) and Bình (one) approved, Nhung awaiting approval, in Sở Tư pháp."""
    campaign_id = await seed_launched(database)
    async with database.session() as session:
        campaign = await session.get(Campaign, campaign_id)
        assert campaign is not None
        campaign.report_grace_days = grace_days
    mai = await individual(database, campaign_id, await member_id(database, MAI), initiatives="4")
    mai = replace(
        mai,
        targets=(
            *mai.targets,
            TargetValue(ON_TIME, "%", TargetType.PERCENT, number=Decimal(90)),
            TargetValue(TRAINING, "", TargetType.YES_NO, yes_no=True),
        ),
    )
    binh = await individual(database, campaign_id, await member_id(database, BINH))
    nhung = await individual(database, campaign_id, await member_id(database, NHUNG_NAME))
    ids: list[int] = []
    async with database.session() as session:
        for values, actor in ((mai, MAI_TG), (binh, BINH_TG), (nhung, NHUNG)):
            done = await pledges.confirm(values, actor=actor, today=OPEN_DAY, session=session)
            assert done.pledge.id is not None
            ids.append(done.pledge.id)
        for pledge_id in ids[:2]:
            await pledges.approve(pledge_id, actor=OFFICER, session=session)
        targets = {t.label: t.id for t in await pledge_store.targets_of(ids[0], session=session)}
        [binh_target] = await pledge_store.targets_of(ids[1], session=session)
        milestones = await campaign_store.milestones_of(campaign_id, session=session)
    return Reporting(
        campaign_id=campaign_id,
        unit_id=await unit_id(database, TU_PHAP),
        milestones=tuple(m.id for m in milestones if m.id is not None),
        mai_pledge=ids[0],
        binh_pledge=ids[1],
        nhung_pledge=ids[2],
        targets={label: target_id for label, target_id in targets.items() if target_id},
        binh_target=binh_target.id or 0,
    )


def number(label: str, value: str, kind: TargetType = TargetType.NUMBER) -> TargetValue:
    return TargetValue(label, "", kind, number=Decimal(value))


def yes_no(label: str, value: bool) -> TargetValue:
    return TargetValue(label, "", TargetType.YES_NO, yes_no=value)
