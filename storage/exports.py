"""Queries behind the exports (`bot/export_xlsx.py`, `bot/export_docx.py`): set-based, and the
one list that grows with the organisation (individual registrations) is streamed in chunks, so a
100,000-row export never holds all its rows in memory."""

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import and_, case, false, func
from sqlalchemy import select as sa_select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlmodel import col

from storage.campaign_models import CatalogueItem, TargetTemplate, TargetType
from storage.models import Member, Unit
from storage.pledge_models import Pledge, PledgeKind, PledgeStatus, PledgeTarget
from storage.progress_models import ProgressReport, ProgressValue
from storage.scoring_models import CriterionKind, ScoringCriterion, ScoringSheet, UnitScore
from storage.summaries import individual_pledges_of

STREAM_CHUNK = 2_000  # rows fetched per round trip while streaming


@dataclass(frozen=True)
class RegistrationRow:
    full_name: str
    position: str
    unit_name: str
    title: str
    award: str
    status: PledgeStatus


@dataclass(frozen=True)
class CollectiveRow:
    unit_name: str
    title: str
    award: str
    status: PledgeStatus


@dataclass(frozen=True)
class TargetProgress:
    """One campaign target over the pledges counted: plan and achievement at a milestone.

    Numbers are summed; percent targets are averaged (a sum of percents means nothing); yes/no
    targets count the pledges planning "yes" and those done.
    """

    label: str
    unit: str
    type: TargetType
    pledges: int
    planned: Decimal
    achieved: Decimal

    @property
    def share(self) -> Decimal | None:
        """Achieved as a fraction of planned (0.5 = 50%), None without a plan."""
        return self.achieved / self.planned if self.planned > 0 else None


@dataclass(frozen=True)
class UnitTotal:
    sheet_title: str
    bloc_id: int
    unit_id: int
    points: Decimal


def _item_names() -> tuple[type[CatalogueItem], type[CatalogueItem]]:
    return aliased(CatalogueItem, name="title_item"), aliased(CatalogueItem, name="award_item")


async def stream_individual_registrations(
    campaign_id: int,
    unit_ids: Sequence[int],
    statuses: Sequence[PledgeStatus],
    *,
    session: AsyncSession,
) -> AsyncIterator[RegistrationRow]:
    """Individual pledges in the given statuses, by unit name then member name, streamed."""
    title, award = _item_names()
    query = (
        sa_select(
            col(Member.full_name),
            col(Member.position),
            col(Unit.name),
            col(title.name),
            col(award.name),
            col(Pledge.status),
        )
        .join(Member, col(Member.id) == col(Pledge.member_id))
        .join(Unit, col(Unit.id) == col(Pledge.unit_id))
        .join(title, col(title.id) == col(Pledge.title_item_id))
        .outerjoin(award, col(award.id) == col(Pledge.award_item_id))
        .where(
            *individual_pledges_of(campaign_id, unit_ids, statuses),
        )
        .order_by(col(Unit.name_key), col(Member.name_key), col(Pledge.id))
        .execution_options(yield_per=STREAM_CHUNK)
    )
    result = await session.stream(query)
    async for partition in result.partitions(STREAM_CHUNK):
        for name, position, unit_name, title_name, award_name, status in partition:
            yield RegistrationRow(
                name, position or "", unit_name, title_name, award_name or "", PledgeStatus(status)
            )


async def collective_registrations(
    campaign_id: int,
    unit_ids: Sequence[int],
    statuses: Sequence[PledgeStatus],
    *,
    session: AsyncSession,
) -> list[CollectiveRow]:
    """Units' own pledges (at most one live per unit), by unit name."""
    title, award = _item_names()
    result = await session.execute(
        sa_select(
            col(Unit.name),
            col(title.name),
            col(award.name),
            col(Pledge.status),
        )
        .join(Unit, col(Unit.id) == col(Pledge.unit_id))
        .join(title, col(title.id) == col(Pledge.title_item_id))
        .outerjoin(award, col(award.id) == col(Pledge.award_item_id))
        .where(
            col(Pledge.campaign_id) == campaign_id,
            col(Pledge.kind) == PledgeKind.COLLECTIVE,
            col(Pledge.status).in_(list(statuses)),
            col(Pledge.unit_id).in_(list(unit_ids)),
        )
        .order_by(col(Unit.name_key))
    )
    return [
        CollectiveRow(unit, title_name, award_name or "", PledgeStatus(status))
        for unit, title_name, award_name, status in result.all()
    ]


async def target_progress(
    campaign_id: int,
    milestone_id: int | None,
    unit_ids: Sequence[int],
    *,
    session: AsyncSession,
) -> list[TargetProgress]:
    """Per target template of the campaign, over approved individual pledges of the units: one
    GROUP BY, achievement read from the reports at `milestone_id` (none: nothing achieved)."""
    is_yes_no = col(PledgeTarget.type) == TargetType.YES_NO
    planned = case(
        (is_yes_no, case((col(PledgeTarget.planned_yes_no).is_(True), 1), else_=0)),
        else_=col(PledgeTarget.planned_number),
    )
    achieved = case(
        (is_yes_no, case((col(ProgressValue.achieved_yes_no).is_(True), 1), else_=0)),
        else_=col(ProgressValue.achieved_number),
    )
    report_on = col(ProgressReport.pledge_id) == col(Pledge.id)
    if milestone_id is None:
        report_on = and_(report_on, false())
    else:
        report_on = and_(report_on, col(ProgressReport.milestone_id) == milestone_id)
    result = await session.execute(
        sa_select(
            col(TargetTemplate.id),
            func.count(col(PledgeTarget.id)),
            func.coalesce(func.sum(planned), 0),
            func.coalesce(func.sum(achieved), 0),
        )
        .join(PledgeTarget, col(PledgeTarget.template_id) == col(TargetTemplate.id))
        .join(Pledge, col(Pledge.id) == col(PledgeTarget.pledge_id))
        .outerjoin(ProgressReport, report_on)
        .outerjoin(
            ProgressValue,
            and_(
                col(ProgressValue.report_id) == col(ProgressReport.id),
                col(ProgressValue.pledge_target_id) == col(PledgeTarget.id),
            ),
        )
        .where(
            col(TargetTemplate.campaign_id) == campaign_id,
            *individual_pledges_of(campaign_id, unit_ids, [PledgeStatus.APPROVED]),
        )
        .group_by(col(TargetTemplate.id))
    )
    sums = {int(t): (int(n), Decimal(p), Decimal(a)) for t, n, p, a in result.all()}
    templates = await session.execute(
        sa_select(TargetTemplate)
        .where(col(TargetTemplate.campaign_id) == campaign_id)
        .order_by(col(TargetTemplate.position))
    )
    found = []
    for template in templates.scalars().all():
        assert template.id is not None
        count, plan, done = sums.get(template.id, (0, Decimal(0), Decimal(0)))
        if template.type is TargetType.PERCENT and count:
            plan, done = plan / count, done / count
        found.append(
            TargetProgress(template.label, template.unit, template.type, count, plan, done)
        )
    return found


async def unit_score_totals(
    campaign_id: int, unit_ids: Sequence[int], *, session: AsyncSession
) -> list[UnitTotal]:
    """Each unit's total on its bloc's scoring sheet: the final figure where the bloc head set
    one, else the unit's own; bonus points added, penalty points deducted."""
    points = func.coalesce(col(UnitScore.final_points), col(UnitScore.self_points), 0)
    signed = case((col(ScoringCriterion.kind) == CriterionKind.PENALTY, -points), else_=points)
    result = await session.execute(
        sa_select(
            col(ScoringSheet.title),
            col(ScoringSheet.bloc_id),
            col(UnitScore.unit_id),
            func.coalesce(func.sum(signed), 0),
        )
        .join(ScoringCriterion, col(ScoringCriterion.id) == col(UnitScore.criterion_id))
        .join(ScoringSheet, col(ScoringSheet.id) == col(UnitScore.sheet_id))
        .where(
            col(ScoringSheet.campaign_id) == campaign_id,
            col(UnitScore.unit_id).in_(list(unit_ids)),
        )
        .group_by(col(ScoringSheet.title), col(ScoringSheet.bloc_id), col(UnitScore.unit_id))
    )
    return [
        UnitTotal(str(title), int(bloc), int(unit), Decimal(total))
        for title, bloc, unit, total in result.all()
    ]
