"""Aggregate queries behind the summaries (`/tonghop`, digests, exports): one GROUP BY per figure
over the units asked for, never a query per member, so a bloc of 100,000 members costs a handful
of statements."""

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from sqlalchemy import ColumnElement, and_, case, func
from sqlalchemy import select as sa_select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.campaign_models import CatalogueItem, TargetType
from storage.models import Member, MemberStatus
from storage.pledge_models import (
    Covenant,
    CovenantSignature,
    Pledge,
    PledgeKind,
    PledgeStatus,
    PledgeTarget,
)
from storage.progress_models import ProgressReport, ProgressValue


def individual_pledges_of(
    campaign_id: int, unit_ids: Sequence[int], statuses: Sequence[PledgeStatus]
) -> list[ColumnElement[bool]]:
    """The campaign's individual pledges in these units and statuses (every summary's scope)."""
    return [
        col(Pledge.campaign_id) == campaign_id,
        col(Pledge.kind) == PledgeKind.INDIVIDUAL,
        col(Pledge.status).in_(list(statuses)),
        col(Pledge.unit_id).in_(list(unit_ids)),
    ]


async def roster_by_unit(unit_ids: Sequence[int], *, session: AsyncSession) -> dict[int, int]:
    result = await session.execute(
        sa_select(col(Member.unit_id), func.count())
        .where(col(Member.unit_id).in_(list(unit_ids)), col(Member.status) != MemberStatus.LEFT)
        .group_by(col(Member.unit_id))
    )
    return {int(unit): int(count) for unit, count in result.all()}


async def titles_by_unit(
    campaign_id: int,
    unit_ids: Sequence[int],
    statuses: Sequence[PledgeStatus],
    *,
    session: AsyncSession,
) -> dict[int, dict[str, int]]:
    """Individual pledges per unit and title code (registered ones: the caller's statuses)."""
    result = await session.execute(
        sa_select(col(Pledge.unit_id), col(CatalogueItem.code), func.count())
        .join(CatalogueItem, col(CatalogueItem.id) == col(Pledge.title_item_id))
        .where(
            *individual_pledges_of(campaign_id, unit_ids, statuses),
        )
        .group_by(col(Pledge.unit_id), col(CatalogueItem.code))
    )
    found: dict[int, dict[str, int]] = {}
    for unit, code, count in result.all():
        found.setdefault(int(unit), {})[str(code)] = int(count)
    return found


async def signed_units(
    campaign_id: int, unit_ids: Sequence[int], *, session: AsyncSession
) -> set[int]:
    result = await session.execute(
        sa_select(col(CovenantSignature.unit_id))
        .join(Covenant, col(Covenant.id) == col(CovenantSignature.covenant_id))
        .where(
            col(Covenant.campaign_id) == campaign_id,
            col(CovenantSignature.unit_id).in_(list(unit_ids)),
        )
    )
    return {int(unit) for unit in result.scalars().all()}


async def reports_by_unit(
    campaign_id: int, milestone_id: int, unit_ids: Sequence[int], *, session: AsyncSession
) -> dict[int, tuple[int, int, int]]:
    """Per unit at a milestone: (approved individual pledges, reports made, late reports)."""
    result = await session.execute(
        sa_select(
            col(Pledge.unit_id),
            func.count(col(Pledge.id)),
            func.count(col(ProgressReport.id)),
            func.coalesce(func.sum(case((col(ProgressReport.late).is_(True), 1), else_=0)), 0),
        )
        .outerjoin(
            ProgressReport,
            and_(
                col(ProgressReport.pledge_id) == col(Pledge.id),
                col(ProgressReport.milestone_id) == milestone_id,
            ),
        )
        .where(
            *individual_pledges_of(campaign_id, unit_ids, [PledgeStatus.APPROVED]),
        )
        .group_by(col(Pledge.unit_id))
    )
    return {int(u): (int(a), int(r), int(late)) for u, a, r, late in result.all()}


async def targets_on_track_by_unit(
    campaign_id: int,
    milestone_id: int,
    expected_share: Decimal,
    unit_ids: Sequence[int],
    *,
    session: AsyncSession,
) -> dict[int, tuple[int, int]]:
    """Per unit: (measurable targets of approved pledges, those on track at the milestone).

    On track: the total reported at that milestone reaches the expected share of the plan
    (number, percent), or a yes/no target is done; not reported counts as not on track.
    """
    on_track = case(
        (
            and_(
                col(PledgeTarget.type).in_([TargetType.NUMBER, TargetType.PERCENT]),
                col(PledgeTarget.planned_number) > 0,
                col(ProgressValue.achieved_number)
                >= col(PledgeTarget.planned_number) * expected_share,
            ),
            1,
        ),
        (
            and_(
                col(PledgeTarget.type) == TargetType.YES_NO,
                col(ProgressValue.achieved_yes_no) == col(PledgeTarget.planned_yes_no),
            ),
            1,
        ),
        else_=0,
    )
    result = await session.execute(
        sa_select(col(Pledge.unit_id), func.count(col(PledgeTarget.id)), func.sum(on_track))
        .join(PledgeTarget, col(PledgeTarget.pledge_id) == col(Pledge.id))
        .outerjoin(
            ProgressReport,
            and_(
                col(ProgressReport.pledge_id) == col(Pledge.id),
                col(ProgressReport.milestone_id) == milestone_id,
            ),
        )
        .outerjoin(
            ProgressValue,
            and_(
                col(ProgressValue.report_id) == col(ProgressReport.id),
                col(ProgressValue.pledge_target_id) == col(PledgeTarget.id),
            ),
        )
        .where(
            *individual_pledges_of(campaign_id, unit_ids, [PledgeStatus.APPROVED]),
            col(PledgeTarget.type) != TargetType.TEXT,
        )
        .group_by(col(Pledge.unit_id))
    )
    return {int(u): (int(total), int(done or 0)) for u, total, done in result.all()}


async def blocs_with_covenant(campaign_id: int, *, session: AsyncSession) -> set[int]:
    result = await session.execute(
        sa_select(col(Covenant.bloc_id)).where(col(Covenant.campaign_id) == campaign_id)
    )
    return {int(bloc) for bloc in result.scalars().all()}


async def week_counts(
    campaign_id: int, unit_ids: Sequence[int], since: datetime, *, session: AsyncSession
) -> dict[int, tuple[int, int]]:
    """Per unit: (pledges submitted since, progress reports submitted since), for digests."""
    pledged = await session.execute(
        sa_select(col(Pledge.unit_id), func.count())
        .where(
            col(Pledge.campaign_id) == campaign_id,
            col(Pledge.kind) == PledgeKind.INDIVIDUAL,
            col(Pledge.unit_id).in_(list(unit_ids)),
            col(Pledge.submitted_at) >= since,
            col(Pledge.status) != PledgeStatus.WITHDRAWN,
        )
        .group_by(col(Pledge.unit_id))
    )
    reported = await session.execute(
        sa_select(col(Pledge.unit_id), func.count())
        .join(ProgressReport, col(ProgressReport.pledge_id) == col(Pledge.id))
        .where(
            col(Pledge.campaign_id) == campaign_id,
            col(Pledge.unit_id).in_(list(unit_ids)),
            col(ProgressReport.submitted_at) >= since,
        )
        .group_by(col(Pledge.unit_id))
    )
    counts: dict[int, tuple[int, int]] = {}
    for unit, count in pledged.all():
        counts[int(unit)] = (int(count), 0)
    for unit, count in reported.all():
        counts[int(unit)] = (counts.get(int(unit), (0, 0))[0], int(count))
    return counts
