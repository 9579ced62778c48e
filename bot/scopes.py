"""Which units a person may manage, and how far each unit has joined the bot."""

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from bot.access import Viewer
from bot.text import match_key, name_sort_key
from storage import org as org_store
from storage import people
from storage.models import Bloc, Member, MemberStatus, Unit


async def manageable_units(viewer: Viewer, *, session: AsyncSession) -> list[Unit]:
    """Admins: every unit; bloc heads: their blocs' units; officers: their own units."""
    if viewer.is_admin:
        units = await org_store.all_units(session=session)
    else:
        found = {
            unit.id: unit
            for unit in await org_store.units_by_ids(viewer.unit_ids_managed(), session=session)
        }
        for unit in await org_store.units_in_blocs(viewer.bloc_ids_led(), session=session):
            found[unit.id] = unit
        units = list(found.values())
    return sorted(units, key=lambda unit: match_key(unit.name))


def filter_units(units: list[Unit], query: str) -> list[Unit]:
    """Units whose name contains the query, ignoring case and diacritics."""
    needle = match_key(query)
    return [unit for unit in units if needle in match_key(unit.name)]


@dataclass(frozen=True)
class UnitJoinStatus:
    unit: Unit
    bloc: Bloc | None
    linked: int
    total: int
    not_linked: list[Member]


async def join_status(units: list[Unit], *, session: AsyncSession) -> list[UnitJoinStatus]:
    """Per unit: how many active members opened the bot, and who has not (sorted by Tên)."""
    unit_ids = [unit.id for unit in units if unit.id is not None]
    members = await people.members_of_units(unit_ids, session=session)
    blocs = {bloc.id: bloc for bloc in await org_store.all_blocs(session=session)}
    statuses = []
    for unit in units:
        active = [m for m in members if m.unit_id == unit.id and m.status != MemberStatus.LEFT]
        waiting = sorted(
            (m for m in active if m.telegram_user_id is None),
            key=lambda m: name_sort_key(m.full_name),
        )
        statuses.append(
            UnitJoinStatus(
                unit=unit,
                bloc=blocs.get(unit.bloc_id) if unit.bloc_id else None,
                linked=len(active) - len(waiting),
                total=len(active),
                not_linked=waiting,
            )
        )
    return statuses
