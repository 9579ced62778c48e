"""Progress against the plan, per target and per member of a unit. No Telegram here.

Progress. Percent of plan: number and percent targets achieved / planned × 100; yes/no 100 when
the answer matches the plan, else 0; text has none. The expected share is the elapsed share of
the campaign period (at the milestone's due date, or today). A number target is on track when its
percent ≥ expected share × 100; a yes/no target is on track once done, behind only when the
period is over, and undecided (None) before that.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import UserFacingError
from bot.i18n import N_
from bot.pledge_values import TargetValue, value_of
from bot.reports import achieved_of
from bot.text import name_sort_key
from storage import campaigns as campaign_store
from storage import pledges as pledge_store
from storage import progress as store
from storage.campaign_models import Campaign, CampaignMilestone, TargetType
from storage.pledge_models import PledgeTarget
from storage.progress_models import (
    ReportStatus,
)

_HUNDRED = Decimal(100)
_ONE_PLACE = Decimal("0.1")
_SHARE_PLACES = Decimal("0.0001")


@dataclass(frozen=True)
class TargetProgress:
    """One target of a member's pledge: plan, latest cumulative value, percent, on track."""

    target_id: int
    label: str
    unit: str
    type: TargetType
    planned: TargetValue
    achieved: TargetValue | None
    percent: Decimal | None  # of the plan; None for text or when nothing can be computed
    on_track: bool | None  # None: text, nothing reported, or a yes/no not yet due


@dataclass(frozen=True)
class MemberProgress:
    """A member of the unit at a milestone: reported or not, and the average percent of plan."""

    member_id: int
    full_name: str
    pledge_id: int
    report_id: int | None
    report_status: ReportStatus | None
    late: bool
    average_percent: Decimal | None  # over number, percent and yes/no targets with a value
    on_track: bool | None

    @property
    def reported(self) -> bool:
        return self.report_id is not None


@dataclass(frozen=True)
class UnitProgress:
    milestone: CampaignMilestone
    expected_share: Decimal
    members: tuple[MemberProgress, ...] = field(default=())  # sorted by Tên

    @property
    def reported(self) -> tuple[MemberProgress, ...]:
        return tuple(m for m in self.members if m.reported)

    @property
    def missing(self) -> tuple[MemberProgress, ...]:
        return tuple(m for m in self.members if not m.reported)


def target_progress(planned: TargetValue, achieved: TargetValue | None) -> Decimal | None:
    """Percent of the plan, one decimal place; None for text, nothing achieved, or a plan of 0."""
    if achieved is None or planned.type is TargetType.TEXT:
        return None
    if planned.type is TargetType.YES_NO:
        if planned.yes_no is None or achieved.yes_no is None:
            return None
        return _HUNDRED if achieved.yes_no == planned.yes_no else Decimal(0)
    if planned.number is None or planned.number <= 0 or achieved.number is None:
        return None
    return (achieved.number * _HUNDRED / planned.number).quantize(_ONE_PLACE, ROUND_HALF_UP)


def expected_share(campaign: Campaign, milestone: CampaignMilestone | None, today: date) -> Decimal:
    """The elapsed share (0–1) of the campaign period: at the milestone's due date when one is
    given (what its report is measured against), else at `today`. Days count inclusively."""
    at = milestone.due if milestone is not None else today
    total = (campaign.period_end - campaign.period_start).days + 1
    elapsed = (at - campaign.period_start).days + 1
    share = Decimal(min(max(elapsed, 0), total)) / Decimal(total)
    return share.quantize(_SHARE_PLACES, ROUND_HALF_UP)


def on_track(percent: Decimal | None, expected: Decimal) -> bool | None:
    """At least the expected share of the plan is done; None when there is no percent."""
    if percent is None:
        return None
    return percent >= expected * _HUNDRED


def _target_on_track(kind: TargetType, percent: Decimal | None, expected: Decimal) -> bool | None:
    """A yes/no target is done or not: behind only once the period is over."""
    if kind is TargetType.YES_NO and percent is not None and percent < _HUNDRED:
        return False if expected >= 1 else None
    return on_track(percent, expected)


async def member_progress(
    pledge_id: int, today: date, *, session: AsyncSession
) -> list[TargetProgress]:
    """Each target of the pledge with its latest reported value, percent of plan, on track."""
    pledge = await pledge_store.get_pledge(pledge_id, session=session)
    if pledge is None:
        raise UserFacingError(N_("This pledge no longer exists."))
    campaign = await campaign_store.get_campaign(pledge.campaign_id, session=session)
    assert campaign is not None
    expected = expected_share(campaign, None, today)
    targets = await pledge_store.targets_of(pledge_id, session=session)
    latest = store.latest_by_target(await store.reported_values([pledge_id], session=session))
    return [_target_row(target, latest.get(target.id or 0), expected) for target in targets]


def _target_row(
    target: PledgeTarget, reported: store.ReportedValue | None, expected: Decimal
) -> TargetProgress:
    assert target.id is not None
    planned = value_of(target)
    achieved = achieved_of(target, reported.value) if reported else None
    percent = target_progress(planned, achieved)
    return TargetProgress(
        target_id=target.id,
        label=target.label,
        unit=target.unit,
        type=target.type,
        planned=planned,
        achieved=achieved,
        percent=percent,
        on_track=_target_on_track(target.type, percent, expected),
    )


async def unit_progress(
    campaign_id: int, unit_id: int, milestone_id: int, *, session: AsyncSession
) -> UnitProgress:
    """The unit's members with an approved individual pledge at a milestone: who reported, and
    each one's average percent of plan as of that milestone (their latest values up to it)."""
    campaign = await campaign_store.get_campaign(campaign_id, session=session)
    milestones = await campaign_store.milestones_of(campaign_id, session=session)
    milestone = next((m for m in milestones if m.id == milestone_id), None)
    if campaign is None or milestone is None:
        raise UserFacingError(N_("This milestone is not part of the campaign."))
    expected = expected_share(campaign, milestone, milestone.due)
    rows = await store.unit_pledges_at(campaign_id, unit_id, milestone_id, session=session)
    pledge_ids = [row.pledge_id for row in rows]
    targets = await store.targets_of_pledges(pledge_ids, session=session)
    latest = store.latest_by_target(
        await store.reported_values(pledge_ids, up_to_position=milestone.position, session=session)
    )
    members: list[MemberProgress] = []
    for row in rows:
        progress = [_target_row(t, latest.get(t.id or 0), expected) for t in targets[row.pledge_id]]
        percents = [p.percent for p in progress if p.percent is not None]
        average = (
            (sum(percents, Decimal(0)) / len(percents)).quantize(_ONE_PLACE, ROUND_HALF_UP)
            if percents
            else None
        )
        members.append(
            MemberProgress(
                member_id=row.member_id,
                full_name=row.full_name,
                pledge_id=row.pledge_id,
                report_id=row.report.id if row.report else None,
                report_status=row.report.status if row.report else None,
                late=row.report.late if row.report else False,
                average_percent=average,
                on_track=on_track(average, expected),
            )
        )
    members.sort(key=lambda m: name_sort_key(m.full_name))
    return UnitProgress(milestone=milestone, expected_share=expected, members=tuple(members))
