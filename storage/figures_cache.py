"""Reading and writing the stored unit figures (`unit_figures`); see `bot/summary_cache.py`."""

from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from storage.figures_models import UnitFigures


async def ensure_rows(campaign_id: int, unit_ids: Sequence[int], *, session: AsyncSession) -> None:
    """A row (stale: computed_version 0) for every unit, so the triggers have one to bump."""
    if not unit_ids:
        return
    dialect = session.bind.dialect.name if session.bind else "sqlite"
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(UnitFigures).on_conflict_do_nothing(
        index_elements=["campaign_id", "unit_id"]
    )
    await session.execute(
        statement, [{"campaign_id": campaign_id, "unit_id": unit} for unit in unit_ids]
    )


async def rows_of(
    campaign_id: int, unit_ids: Sequence[int], *, session: AsyncSession
) -> dict[int, UnitFigures]:
    result = await session.execute(
        select(UnitFigures).where(
            col(UnitFigures.campaign_id) == campaign_id,
            col(UnitFigures.unit_id).in_(list(unit_ids)),
        )
    )
    return {row.unit_id: row for row in result.scalars().all()}


async def versions_of(campaign_id: int, *, session: AsyncSession) -> dict[int, UnitFigures]:
    """Every stored row of the campaign (the refresher's starting point)."""
    result = await session.execute(
        select(UnitFigures).where(col(UnitFigures.campaign_id) == campaign_id)
    )
    return {row.unit_id: row for row in result.scalars().all()}


async def save(
    campaign_id: int,
    unit_id: int,
    version: int,
    values: Mapping[str, object],
    now: datetime,
    *,
    session: AsyncSession,
) -> bool:
    """Store figures computed at `version`; refused (False) if a change has bumped it since."""
    result = await session.execute(
        update(UnitFigures)
        .where(
            col(UnitFigures.campaign_id) == campaign_id,
            col(UnitFigures.unit_id) == unit_id,
            col(UnitFigures.version) == version,
        )
        .values(**values, computed_version=version, computed_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]
