"""Queries on scoring sheets, criteria, unit scores and score events (session as keyword, no
commit): the rules in `bot/scoring.py` decide, this module only reads and writes rows."""

from collections.abc import Iterable, Sequence

from sqlalchemy import delete, func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import SQLModel, col, select

from storage.scoring_models import ScoreEvent, ScoringCriterion, ScoringSheet, UnitScore


async def add(rows: Iterable[SQLModel], *, session: AsyncSession) -> None:
    """Insert rows and flush, so their ids are known."""
    session.add_all(list(rows))
    await session.flush()


async def get_sheet(sheet_id: int, *, session: AsyncSession) -> ScoringSheet | None:
    return await session.get(ScoringSheet, sheet_id)


async def sheet_for(
    campaign_id: int, bloc_id: int, *, session: AsyncSession
) -> ScoringSheet | None:
    result = await session.execute(
        select(ScoringSheet).where(
            ScoringSheet.campaign_id == campaign_id, ScoringSheet.bloc_id == bloc_id
        )
    )
    return result.scalar_one_or_none()


async def sheets_of_blocs(
    bloc_ids: set[int] | None, *, session: AsyncSession
) -> list[ScoringSheet]:
    """The sheets of these blocs (None: of every bloc), newest first."""
    query = select(ScoringSheet)
    if bloc_ids is not None:
        query = query.where(col(ScoringSheet.bloc_id).in_(bloc_ids))
    result = await session.execute(query.order_by(col(ScoringSheet.id).desc()))
    return list(result.scalars().all())


async def criteria_of(sheet_id: int, *, session: AsyncSession) -> list[ScoringCriterion]:
    result = await session.execute(
        select(ScoringCriterion)
        .where(ScoringCriterion.sheet_id == sheet_id)
        .order_by(col(ScoringCriterion.position))
    )
    return list(result.scalars().all())


async def get_criterion(criterion_id: int, *, session: AsyncSession) -> ScoringCriterion | None:
    return await session.get(ScoringCriterion, criterion_id)


async def delete_criteria(sheet_id: int, *, session: AsyncSession) -> None:
    await session.execute(
        delete(ScoringCriterion).where(col(ScoringCriterion.sheet_id) == sheet_id)
    )


async def scores_of(
    sheet_id: int, *, unit_ids: Sequence[int] | None = None, session: AsyncSession
) -> list[UnitScore]:
    query = select(UnitScore).where(UnitScore.sheet_id == sheet_id)
    if unit_ids is not None:
        query = query.where(col(UnitScore.unit_id).in_(unit_ids))
    result = await session.execute(query.order_by(col(UnitScore.id)))
    return list(result.scalars().all())


async def score_of(criterion_id: int, unit_id: int, *, session: AsyncSession) -> UnitScore | None:
    result = await session.execute(
        select(UnitScore).where(
            UnitScore.criterion_id == criterion_id, UnitScore.unit_id == unit_id
        )
    )
    return result.scalar_one_or_none()


async def count_scores(sheet_id: int, *, session: AsyncSession) -> int:
    result = await session.execute(
        select(func.count()).select_from(UnitScore).where(UnitScore.sheet_id == sheet_id)
    )
    return int(result.scalar_one())


async def events_of(sheet_id: int, *, session: AsyncSession) -> list[ScoreEvent]:
    result = await session.execute(
        select(ScoreEvent).where(ScoreEvent.sheet_id == sheet_id).order_by(col(ScoreEvent.id))
    )
    return list(result.scalars().all())
