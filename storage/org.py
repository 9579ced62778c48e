"""Queries on blocs, units and bloc leadership."""

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from storage.models import Bloc, BlocKind, BlocLeadership, Unit


async def all_blocs(*, session: AsyncSession) -> list[Bloc]:
    result = await session.execute(select(Bloc).order_by(col(Bloc.name)))
    return list(result.scalars().all())


async def all_units(*, session: AsyncSession) -> list[Unit]:
    result = await session.execute(select(Unit).order_by(col(Unit.name)))
    return list(result.scalars().all())


async def blocs_by_key(*, session: AsyncSession) -> dict[str, Bloc]:
    result = await session.execute(select(Bloc))
    return {bloc.name_key: bloc for bloc in result.scalars().all()}


async def units_by_key(*, session: AsyncSession) -> dict[str, Unit]:
    result = await session.execute(select(Unit))
    return {unit.name_key: unit for unit in result.scalars().all()}


async def find_unit(name_key: str, *, session: AsyncSession) -> Unit | None:
    result = await session.execute(select(Unit).where(Unit.name_key == name_key))
    return result.scalars().first()


async def find_bloc(name_key: str, *, session: AsyncSession) -> Bloc | None:
    result = await session.execute(select(Bloc).where(Bloc.name_key == name_key))
    return result.scalars().first()


async def get_unit(unit_id: int, *, session: AsyncSession) -> Unit | None:
    return await session.get(Unit, unit_id)


async def get_bloc(bloc_id: int, *, session: AsyncSession) -> Bloc | None:
    return await session.get(Bloc, bloc_id)


async def add_bloc(name: str, name_key: str, kind: BlocKind, *, session: AsyncSession) -> Bloc:
    bloc = Bloc(name=name, name_key=name_key, kind=kind)
    session.add(bloc)
    await session.flush()
    return bloc


async def add_unit(name: str, name_key: str, bloc_id: int | None, *, session: AsyncSession) -> Unit:
    unit = Unit(name=name, name_key=name_key, bloc_id=bloc_id)
    session.add(unit)
    await session.flush()
    return unit


async def set_leadership(
    bloc_id: int,
    year: int,
    *,
    head_unit_id: int | None = None,
    deputy_unit_id: int | None = None,
    session: AsyncSession,
) -> BlocLeadership:
    """Record the head and/or deputy unit of a bloc for a year, keeping what is not given."""
    row = await session.get(BlocLeadership, (bloc_id, year))
    if row is None:
        row = BlocLeadership(bloc_id=bloc_id, year=year)
        session.add(row)
    if head_unit_id is not None:
        row.head_unit_id = head_unit_id
    if deputy_unit_id is not None:
        row.deputy_unit_id = deputy_unit_id
    await session.flush()
    return row


async def units_by_ids(unit_ids: set[int], *, session: AsyncSession) -> list[Unit]:
    result = await session.execute(select(Unit).where(col(Unit.id).in_(unit_ids)))
    return list(result.scalars().all())


async def units_in_blocs(bloc_ids: set[int], *, session: AsyncSession) -> list[Unit]:
    result = await session.execute(select(Unit).where(col(Unit.bloc_id).in_(bloc_ids)))
    return list(result.scalars().all())
