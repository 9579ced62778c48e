"""Queries on pledges, their targets and audit trail, and members' title history.

Session as keyword, never commit: the caller's unit of work does.
"""

from collections.abc import Sequence

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from storage.campaign_models import CatalogueItem
from storage.locks import claim_row
from storage.models import Member, Unit
from storage.pledge_models import (
    Pledge,
    PledgeEvent,
    PledgeKind,
    PledgeStatus,
    PledgeTarget,
    TitleHistory,
    TitleSource,
)


async def get_pledge(
    pledge_id: int, *, session: AsyncSession, for_update: bool = False
) -> Pledge | None:
    """The pledge; `for_update` claims its row first (`storage.locks`) so two actions on the
    same pledge run one after the other, the second seeing what the first did."""
    if for_update:
        await claim_row(Pledge, pledge_id, session=session)
    query = select(Pledge).where(Pledge.id == pledge_id)
    result = await session.execute(query.execution_options(populate_existing=True))
    return result.scalars().first()


async def claim_owner(
    kind: PledgeKind, *, member_id: int | None, unit_id: int, session: AsyncSession
) -> None:
    """Serialise pledge writes of one member (or of a unit's own pledge) until commit: a second
    confirmation waits, then sees the first one's pledge. It also opens the SQLite transaction
    before the savepoint of `insert_pledge` (see `storage.locks.claim_row`)."""
    if kind is PledgeKind.INDIVIDUAL:
        assert member_id is not None
        await claim_row(Member, member_id, session=session)
    else:
        await claim_row(Unit, unit_id, session=session)


async def live_pledge(
    campaign_id: int,
    kind: PledgeKind,
    *,
    member_id: int | None = None,
    unit_id: int | None = None,
    session: AsyncSession,
) -> Pledge | None:
    """The member's (individual) or unit's (collective) pledge that is not withdrawn."""
    query = select(Pledge).where(
        Pledge.campaign_id == campaign_id,
        Pledge.kind == kind,
        Pledge.status != PledgeStatus.WITHDRAWN,
    )
    if kind is PledgeKind.INDIVIDUAL:
        query = query.where(Pledge.member_id == member_id)
    else:
        query = query.where(Pledge.unit_id == unit_id)
    return (await session.execute(query)).scalars().first()


async def insert_pledge(
    pledge: Pledge, targets: Sequence[PledgeTarget], *, session: AsyncSession
) -> bool:
    """Insert a new pledge with its targets; False (and nothing written) when a live pledge
    for the same member or unit already exists, e.g. a second tap of "Xác nhận"."""
    try:
        async with session.begin_nested():
            session.add(pledge)
            await session.flush()
            assert pledge.id is not None
            for target in targets:
                target.pledge_id = pledge.id
            session.add_all(targets)
            await session.flush()
    except IntegrityError:
        return False
    return True


async def targets_of(pledge_id: int, *, session: AsyncSession) -> list[PledgeTarget]:
    result = await session.execute(
        select(PledgeTarget)
        .where(PledgeTarget.pledge_id == pledge_id)
        .order_by(col(PledgeTarget.position))
    )
    return list(result.scalars().all())


async def replace_targets(
    pledge_id: int, targets: Sequence[PledgeTarget], *, session: AsyncSession
) -> None:
    for old in await targets_of(pledge_id, session=session):
        await session.delete(old)
    await session.flush()
    for target in targets:
        target.pledge_id = pledge_id
    session.add_all(targets)
    await session.flush()


async def add_event(event: PledgeEvent, *, session: AsyncSession) -> None:
    session.add(event)
    await session.flush()


async def events_of(pledge_id: int, *, session: AsyncSession) -> list[PledgeEvent]:
    result = await session.execute(
        select(PledgeEvent)
        .where(PledgeEvent.pledge_id == pledge_id)
        .order_by(col(PledgeEvent.at), col(PledgeEvent.id))
    )
    return list(result.scalars().all())


async def pledges_of_unit(
    campaign_id: int,
    unit_id: int | None,
    *,
    kind: PledgeKind,
    statuses: Sequence[PledgeStatus],
    session: AsyncSession,
) -> list[Pledge]:
    """Pledges of one unit (None: every unit) in the given statuses, oldest first."""
    query = (
        select(Pledge)
        .where(
            Pledge.campaign_id == campaign_id,
            Pledge.kind == kind,
            col(Pledge.status).in_(statuses),
        )
        .order_by(col(Pledge.id))
    )
    if unit_id is not None:
        query = query.where(Pledge.unit_id == unit_id)
    return list((await session.execute(query)).scalars().all())


async def title_counts(
    campaign_id: int,
    unit_id: int | None,
    *,
    kind: PledgeKind,
    statuses: Sequence[PledgeStatus],
    session: AsyncSession,
) -> dict[str, int]:
    """How many pledges seek each title (by catalogue code), in a unit or in every unit."""
    query = (
        select(CatalogueItem.code, func.count())
        .join(Pledge, col(Pledge.title_item_id) == col(CatalogueItem.id))
        .where(
            Pledge.campaign_id == campaign_id,
            Pledge.kind == kind,
            col(Pledge.status).in_(statuses),
        )
        .group_by(col(CatalogueItem.code))
    )
    if unit_id is not None:
        query = query.where(Pledge.unit_id == unit_id)
    return {str(code): int(count) for code, count in (await session.execute(query)).all()}


async def registered_member_ids(
    campaign_id: int,
    member_ids: Sequence[int],
    statuses: Sequence[PledgeStatus],
    *,
    session: AsyncSession,
) -> set[int]:
    """Which of these members have an individual pledge in one of `statuses`."""
    if not member_ids:
        return set()
    result = await session.execute(
        select(Pledge.member_id).where(
            Pledge.campaign_id == campaign_id,
            Pledge.kind == PledgeKind.INDIVIDUAL,
            col(Pledge.member_id).in_(member_ids),
            col(Pledge.status).in_(statuses),
        )
    )
    return {int(member_id) for member_id in result.scalars().all() if member_id is not None}


async def title_history_of(member_id: int, *, session: AsyncSession) -> dict[int, set[str]]:
    """Year → the catalogue codes of the titles the member earned that year."""
    result = await session.execute(
        select(TitleHistory.year, TitleHistory.code).where(TitleHistory.member_id == member_id)
    )
    history: dict[int, set[str]] = {}
    for year, code in result.all():
        history.setdefault(int(year), set()).add(str(code))
    return history


async def add_title(
    member_id: int, year: int, code: str, source: TitleSource, *, session: AsyncSession
) -> bool:
    """Record a title a member earned; False when it was already recorded (idempotent)."""
    existing = await session.execute(
        select(TitleHistory.id).where(
            TitleHistory.member_id == member_id,
            TitleHistory.year == year,
            TitleHistory.code == code,
        )
    )
    if existing.first() is not None:
        return False
    session.add(TitleHistory(member_id=member_id, year=year, code=code, source=source))
    await session.flush()
    return True


async def live_pledges_of_member(member_id: int, *, session: AsyncSession) -> list[Pledge]:
    """The member's individual pledges that are not withdrawn, in every campaign, oldest first."""
    query = (
        select(Pledge)
        .where(
            Pledge.member_id == member_id,
            Pledge.kind == PledgeKind.INDIVIDUAL,
            Pledge.status != PledgeStatus.WITHDRAWN,
        )
        .order_by(col(Pledge.campaign_id))
    )
    return list((await session.execute(query)).scalars().all())


async def approved_reporters(
    campaign_id: int, *, session: AsyncSession
) -> list[tuple[int | None, int]]:
    """(member id, Telegram id) of who reports in the campaign: members with an approved pledge,
    and the officers who entered their unit's approved collective pledge (member id None)."""
    individual = await session.execute(
        select(Member.id, Member.telegram_user_id)
        .join(Pledge, col(Pledge.member_id) == col(Member.id))
        .where(
            Pledge.campaign_id == campaign_id,
            Pledge.kind == PledgeKind.INDIVIDUAL,
            Pledge.status == PledgeStatus.APPROVED,
            col(Member.telegram_user_id).is_not(None),
        )
        .order_by(col(Member.id))
    )
    collective = await session.execute(
        select(Pledge.entered_by).where(
            Pledge.campaign_id == campaign_id,
            Pledge.kind == PledgeKind.COLLECTIVE,
            Pledge.status == PledgeStatus.APPROVED,
            col(Pledge.entered_by).is_not(None),
        )
    )
    found: list[tuple[int | None, int]] = [(int(m), int(u)) for m, u in individual.all()]
    officers = {int(u) for (u,) in collective.all()} - {user for _, user in found}
    return found + [(None, user) for user in sorted(officers)]


async def approved_pledge_ids(
    campaign_id: int, member_ids: Sequence[int], *, session: AsyncSession
) -> dict[int, int]:
    """Member id → their approved individual pledge in the campaign (what they report on)."""
    if not member_ids:
        return {}
    result = await session.execute(
        select(Pledge.member_id, Pledge.id).where(
            Pledge.campaign_id == campaign_id,
            Pledge.kind == PledgeKind.INDIVIDUAL,
            Pledge.status == PledgeStatus.APPROVED,
            col(Pledge.member_id).in_(list(member_ids)),
        )
    )
    return {int(member): int(pledge) for member, pledge in result.all() if member and pledge}
