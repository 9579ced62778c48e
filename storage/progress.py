"""Queries on progress reports, their cumulative values, evidence and audit trail.

Session as keyword, never commit: the caller's unit of work does. Lists for a unit are read in a
fixed number of queries whatever the unit's size (no query per member or per target).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, exists
from sqlalchemy import select as sa_select  # sqlmodel's select takes at most four columns
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from storage.campaign_models import CampaignMilestone
from storage.locks import claim_row
from storage.models import Member
from storage.pledge_models import Pledge, PledgeKind, PledgeStatus, PledgeTarget
from storage.progress_models import (
    Evidence,
    ProgressReport,
    ProgressValue,
    ReportEvent,
    ReportStatus,
)


@dataclass(frozen=True)
class ReportedValue:
    """A stored cumulative value with where it was reported: the milestone and the report."""

    value: ProgressValue
    pledge_id: int
    milestone_id: int
    milestone_position: int
    report_status: ReportStatus


@dataclass(frozen=True)
class UnitPledge:
    """An individual pledge of a unit with its member, and its report at a milestone (if any)."""

    pledge_id: int
    member_id: int
    full_name: str
    report: ProgressReport | None


# --- reports -------------------------------------------------------------------------------------


async def get_report(
    milestone_id: int, pledge_id: int, *, session: AsyncSession
) -> ProgressReport | None:
    """The one report of this pledge at this milestone, read afresh (another tap may have
    changed it since the session last looked)."""
    query = select(ProgressReport).where(
        ProgressReport.milestone_id == milestone_id, ProgressReport.pledge_id == pledge_id
    )
    result = await session.execute(query.execution_options(populate_existing=True))
    return result.scalars().first()


async def get_report_by_id(
    report_id: int, *, session: AsyncSession, for_update: bool = False
) -> ProgressReport | None:
    """The report; `for_update` claims its row first so two decisions run one after the other."""
    if for_update:
        await claim_row(ProgressReport, report_id, session=session)
    query = select(ProgressReport).where(ProgressReport.id == report_id)
    result = await session.execute(query.execution_options(populate_existing=True))
    return result.scalars().first()


async def claim_pledge(pledge_id: int, *, session: AsyncSession) -> None:
    """Serialise report writes of one pledge until commit: a second "Gửi" waits, then finds the
    first one's report and edits it instead of inserting another."""
    await claim_row(Pledge, pledge_id, session=session)


async def insert_report(report: ProgressReport, *, session: AsyncSession) -> bool:
    """Insert a new report; False (nothing written) when one exists for the same milestone and
    pledge already. The unique constraint is the last guard behind `claim_pledge`."""
    try:
        async with session.begin_nested():
            session.add(report)
            await session.flush()
    except IntegrityError:
        return False
    return True


async def touch(report: ProgressReport, *, session: AsyncSession) -> None:
    session.add(report)
    await session.flush()


# --- values --------------------------------------------------------------------------------------


async def values_of(report_id: int, *, session: AsyncSession) -> list[ProgressValue]:
    result = await session.execute(
        select(ProgressValue)
        .where(ProgressValue.report_id == report_id)
        .order_by(col(ProgressValue.pledge_target_id))
    )
    return list(result.scalars().all())


async def save_values(values: Sequence[ProgressValue], *, session: AsyncSession) -> None:
    """Insert new value rows and write changed ones (rows read through this session)."""
    session.add_all(values)
    await session.flush()


async def reported_values(
    pledge_ids: Sequence[int], *, up_to_position: int | None = None, session: AsyncSession
) -> list[ReportedValue]:
    """Every stored value of these pledges, at milestones up to `up_to_position` (inclusive;
    None: all), oldest milestone first. One query; `latest_by_target` keeps the newest."""
    if not pledge_ids:
        return []
    query = (
        sa_select(
            ProgressValue,
            col(ProgressReport.pledge_id),
            col(ProgressReport.milestone_id),
            col(CampaignMilestone.position),
            col(ProgressReport.status),
        )
        .join(ProgressReport, col(ProgressReport.id) == col(ProgressValue.report_id))
        .join(CampaignMilestone, col(CampaignMilestone.id) == col(ProgressReport.milestone_id))
        .where(col(ProgressReport.pledge_id).in_(pledge_ids))
        .order_by(col(CampaignMilestone.position), col(ProgressValue.id))
    )
    if up_to_position is not None:
        query = query.where(col(CampaignMilestone.position) <= up_to_position)
    rows = (await session.execute(query)).all()
    return [
        ReportedValue(value, int(pledge_id), int(milestone_id), int(position), ReportStatus(status))
        for value, pledge_id, milestone_id, position, status in rows
    ]


def latest_by_target(rows: Sequence[ReportedValue]) -> dict[int, ReportedValue]:
    """Pledge target id → its value in the report of the highest milestone position."""
    latest: dict[int, ReportedValue] = {}
    for row in rows:
        current = latest.get(row.value.pledge_target_id)
        if current is None or row.milestone_position >= current.milestone_position:
            latest[row.value.pledge_target_id] = row
    return latest


async def last_values(
    pledge_id: int, milestone_position: int, *, session: AsyncSession
) -> dict[int, ReportedValue]:
    """The "last reported value" of each target of a pledge as seen from a milestone: the value
    in this milestone's own report when it has one (editing), else in the report of the latest
    earlier milestone (lower position) that gave one. Later milestones never count."""
    rows = await reported_values([pledge_id], up_to_position=milestone_position, session=session)
    return latest_by_target(rows)


async def targets_of_pledges(
    pledge_ids: Sequence[int], *, session: AsyncSession
) -> dict[int, list[PledgeTarget]]:
    """Pledge id → its targets in order, for many pledges in one query."""
    found: dict[int, list[PledgeTarget]] = {pledge_id: [] for pledge_id in pledge_ids}
    if not pledge_ids:
        return found
    result = await session.execute(
        select(PledgeTarget)
        .where(col(PledgeTarget.pledge_id).in_(pledge_ids))
        .order_by(col(PledgeTarget.pledge_id), col(PledgeTarget.position))
    )
    for target in result.scalars().all():
        found[target.pledge_id].append(target)
    return found


# --- evidence ------------------------------------------------------------------------------------


async def evidence_of(report_id: int, *, session: AsyncSession) -> list[Evidence]:
    """The report's files in the order they were sent."""
    result = await session.execute(
        select(Evidence)
        .where(Evidence.report_id == report_id)
        .order_by(col(Evidence.position), col(Evidence.id))
    )
    return list(result.scalars().all())


async def add_evidence(
    report_id: int, items: Sequence[Evidence], *, session: AsyncSession
) -> list[Evidence]:
    """Append files after the report's last one; a file already attached (same
    `file_unique_id`) or repeated in `items` is skipped. Returns the rows added."""
    result = await session.execute(
        select(Evidence.file_unique_id, Evidence.position).where(Evidence.report_id == report_id)
    )
    rows = result.all()
    seen = {str(unique_id) for unique_id, _position in rows}
    position = max((int(p) for _unique_id, p in rows), default=0)
    added: list[Evidence] = []
    for item in items:
        if item.file_unique_id in seen:
            continue
        seen.add(item.file_unique_id)
        position += 1
        item.report_id = report_id
        item.position = position
        added.append(item)
    session.add_all(added)
    await session.flush()
    return added


# --- events --------------------------------------------------------------------------------------


async def add_event(event: ReportEvent, *, session: AsyncSession) -> None:
    session.add(event)
    await session.flush()


async def events_of(report_id: int, *, session: AsyncSession) -> list[ReportEvent]:
    result = await session.execute(
        select(ReportEvent)
        .where(ReportEvent.report_id == report_id)
        .order_by(col(ReportEvent.at), col(ReportEvent.id))
    )
    return list(result.scalars().all())


# --- a unit at a milestone -----------------------------------------------------------------------


def _approved_individual(campaign_id: int, unit_id: int) -> list[Any]:
    return [
        Pledge.campaign_id == campaign_id,
        Pledge.unit_id == unit_id,
        Pledge.kind == PledgeKind.INDIVIDUAL,
        Pledge.status == PledgeStatus.APPROVED,
    ]


async def unit_pledges_at(
    campaign_id: int, unit_id: int, milestone_id: int, *, session: AsyncSession
) -> list[UnitPledge]:
    """The unit's approved individual pledges, each with its member's name and its report at
    the milestone (None: not reported). One query with an outer join."""
    query = (
        select(Pledge.id, Member.id, Member.full_name, ProgressReport)
        .join(Member, col(Member.id) == col(Pledge.member_id))
        .outerjoin(
            ProgressReport,
            and_(
                col(ProgressReport.pledge_id) == col(Pledge.id),
                col(ProgressReport.milestone_id) == milestone_id,
            ),
        )
        .where(*_approved_individual(campaign_id, unit_id))
        .order_by(col(Pledge.id))
    )
    rows = (await session.execute(query)).all()
    return [
        UnitPledge(int(pledge_id), int(member_id), str(name), report)
        for pledge_id, member_id, name, report in rows
    ]


async def reports_of_unit(
    campaign_id: int, unit_id: int, milestone_id: int, *, session: AsyncSession
) -> list[UnitPledge]:
    """The reports the unit's members made at the milestone, with pledge and member ids."""
    rows = await unit_pledges_at(campaign_id, unit_id, milestone_id, session=session)
    return [row for row in rows if row.report is not None]


async def unreported_pledges(
    campaign_id: int, unit_id: int, milestone_id: int, *, session: AsyncSession
) -> list[UnitPledge]:
    """The unit's approved individual pledges without a report at the milestone."""
    reported = exists().where(
        col(ProgressReport.pledge_id) == col(Pledge.id),
        col(ProgressReport.milestone_id) == milestone_id,
    )
    query = (
        select(Pledge.id, Member.id, Member.full_name)
        .join(Member, col(Member.id) == col(Pledge.member_id))
        .where(*_approved_individual(campaign_id, unit_id), ~reported)
        .order_by(col(Pledge.id))
    )
    rows = (await session.execute(query)).all()
    return [
        UnitPledge(int(pledge_id), int(member_id), str(name), None)
        for pledge_id, member_id, name in rows
    ]


async def has_reports(pledge_id: int, *, session: AsyncSession) -> bool:
    """Whether any progress was reported against the pledge (its targets are then fixed)."""
    result = await session.execute(
        select(ProgressReport.id).where(col(ProgressReport.pledge_id) == pledge_id).limit(1)
    )
    return result.first() is not None


async def reported_pledge_ids(
    milestone_id: int, pledge_ids: Sequence[int], *, session: AsyncSession
) -> set[int]:
    """Which of these pledges already have a report at the milestone."""
    if not pledge_ids:
        return set()
    result = await session.execute(
        select(ProgressReport.pledge_id).where(
            col(ProgressReport.milestone_id) == milestone_id,
            col(ProgressReport.pledge_id).in_(list(pledge_ids)),
        )
    )
    return {int(pledge_id) for pledge_id in result.scalars().all()}
