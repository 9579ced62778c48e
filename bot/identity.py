"""Resolve who sent an update: their Telegram identity, roster record and scoped roles."""

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from bot.access import Viewer
from storage import org as org_store
from storage import people
from storage.models import Bloc, Member, Unit


@dataclass(frozen=True)
class Placement:
    """Where a member sits: their unit and its bloc, for greetings and status lines."""

    unit: Unit
    bloc: Bloc | None


async def resolve_viewer(telegram_user_id: int, *, session: AsyncSession) -> Viewer:
    member = await people.member_by_telegram_id(telegram_user_id, session=session)
    grants = await people.roles_of(
        member_id=member.id if member else None,
        telegram_user_id=telegram_user_id,
        session=session,
    )
    return Viewer.from_assignments(telegram_user_id, member, grants)


async def placement_of(member: Member, *, session: AsyncSession) -> Placement | None:
    unit = await org_store.get_unit(member.unit_id, session=session)
    if unit is None:
        return None
    bloc = await org_store.get_bloc(unit.bloc_id, session=session) if unit.bloc_id else None
    return Placement(unit=unit, bloc=bloc)
