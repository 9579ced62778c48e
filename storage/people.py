"""Queries on Telegram users, roster members and their role assignments."""

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import or_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from storage.models import (
    GrantSource,
    Member,
    MemberSource,
    MemberStatus,
    Role,
    RoleAssignment,
    ScopeKind,
    TelegramUser,
)
from storage.types import utcnow

LAST_SEEN_RESOLUTION = timedelta(minutes=5)


async def upsert_telegram_user(
    user_id: int,
    *,
    first_name: str,
    last_name: str | None,
    username: str | None,
    language_code: str | None,
    session: AsyncSession,
) -> TelegramUser:
    """Create or refresh the person's Telegram identity; names change, ids do not.

    `last_seen` is refreshed at most every few minutes, so a chatty person does not cost a
    write on every message.
    """
    user = await session.get(TelegramUser, user_id)
    now = utcnow()
    if user is None:
        user = TelegramUser(id=user_id, first_seen=now, last_seen=now)
        session.add(user)
    profile = {
        "first_name": first_name[:255],
        "last_name": last_name[:255] if last_name else None,
        "username": username,
        "language_code": language_code,
    }
    for name, value in profile.items():
        if getattr(user, name) != value:
            setattr(user, name, value)
    if now - user.last_seen >= LAST_SEEN_RESOLUTION:
        user.last_seen = now
    return user


async def get_telegram_user(user_id: int, *, session: AsyncSession) -> TelegramUser | None:
    return await session.get(TelegramUser, user_id)


async def set_locale(user_id: int, locale: str, *, session: AsyncSession) -> None:
    user = await session.get(TelegramUser, user_id)
    if user is not None:
        user.locale = locale
        await session.flush()


async def member_by_telegram_id(user_id: int, *, session: AsyncSession) -> Member | None:
    result = await session.execute(select(Member).where(Member.telegram_user_id == user_id))
    return result.scalars().first()


async def member_by_phone(phone: str, *, session: AsyncSession) -> Member | None:
    result = await session.execute(select(Member).where(Member.phone == phone))
    return result.scalars().first()


async def member_by_name_in_unit(
    name_key: str, unit_id: int, *, session: AsyncSession
) -> Member | None:
    result = await session.execute(
        select(Member).where(Member.name_key == name_key, Member.unit_id == unit_id)
    )
    return result.scalars().first()


async def members_named_in_unit(
    name_key: str, unit_id: int, *, session: AsyncSession
) -> list[Member]:
    """Everyone of that name in the unit, so an import can tell a namesake from a match."""
    result = await session.execute(
        select(Member)
        .where(Member.name_key == name_key, Member.unit_id == unit_id)
        .order_by(col(Member.id))
    )
    return list(result.scalars().all())


async def get_member(member_id: int, *, session: AsyncSession) -> Member | None:
    return await session.get(Member, member_id)


async def all_members(*, session: AsyncSession) -> list[Member]:
    result = await session.execute(select(Member).order_by(col(Member.id)))
    return list(result.scalars().all())


async def members_of_units(unit_ids: Sequence[int], *, session: AsyncSession) -> list[Member]:
    result = await session.execute(select(Member).where(col(Member.unit_id).in_(unit_ids)))
    return list(result.scalars().all())


async def add_member(member: Member, *, session: AsyncSession) -> Member:
    session.add(member)
    await session.flush()
    return member


async def link_member(
    member: Member, user_id: int, *, at: datetime, session: AsyncSession
) -> Member:
    member.telegram_user_id = user_id
    member.linked_at = at
    member.updated_at = at
    if member.status == MemberStatus.UNREACHABLE:
        member.status = MemberStatus.ACTIVE
    await session.flush()
    return member


async def unlink_and_delete_member(member: Member, *, session: AsyncSession) -> None:
    """Remove a placeholder created by an invite once the person is matched to the roster."""
    await session.delete(member)
    await session.flush()


async def imported_members_not_in(keep_ids: set[int], *, session: AsyncSession) -> list[Member]:
    """Active roster members absent from the latest import (to be marked as left)."""
    result = await session.execute(
        select(Member).where(
            Member.source == MemberSource.IMPORT, Member.status != MemberStatus.LEFT
        )
    )
    return [member for member in result.scalars().all() if member.id not in keep_ids]


async def roles_of(
    *, member_id: int | None, telegram_user_id: int, session: AsyncSession
) -> list[RoleAssignment]:
    """Every role held by the member record or directly by the Telegram id."""
    conditions = [col(RoleAssignment.telegram_user_id) == telegram_user_id]
    if member_id is not None:
        conditions.append(col(RoleAssignment.member_id) == member_id)
    result = await session.execute(select(RoleAssignment).where(or_(*conditions)))
    return list(result.scalars().all())


async def member_roles(member_id: int, *, session: AsyncSession) -> list[RoleAssignment]:
    result = await session.execute(
        select(RoleAssignment).where(RoleAssignment.member_id == member_id)
    )
    return list(result.scalars().all())


async def all_role_assignments(*, session: AsyncSession) -> list[RoleAssignment]:
    result = await session.execute(select(RoleAssignment).order_by(col(RoleAssignment.id)))
    return list(result.scalars().all())


async def replace_member_roles(
    member_id: int,
    source: GrantSource,
    wanted: Sequence[tuple[Role, ScopeKind, int | None]],
    *,
    session: AsyncSession,
) -> bool:
    """Make the member's roles from `source` exactly `wanted`; return True if anything changed."""
    current = [
        grant for grant in await member_roles(member_id, session=session) if grant.source == source
    ]
    have = {(grant.role, grant.scope_kind, grant.scope_id) for grant in current}
    want = set(wanted)
    if have == want:
        return False
    for grant in current:
        if (grant.role, grant.scope_kind, grant.scope_id) not in want:
            await session.delete(grant)
    for role, scope_kind, scope_id in want - have:
        session.add(
            RoleAssignment(
                role=role,
                scope_kind=scope_kind,
                scope_id=scope_id,
                member_id=member_id,
                source=source,
            )
        )
    await session.flush()
    return True


async def grant_to_telegram_id(
    telegram_user_id: int,
    role: Role,
    scope_kind: ScopeKind,
    scope_id: int | None,
    source: GrantSource,
    *,
    session: AsyncSession,
) -> bool:
    """Grant a role to a Telegram id; return False if it was already held."""
    result = await session.execute(
        select(RoleAssignment).where(
            RoleAssignment.telegram_user_id == telegram_user_id,
            RoleAssignment.role == role,
            RoleAssignment.scope_kind == scope_kind,
            RoleAssignment.scope_id == scope_id
            if scope_id is not None
            else col(RoleAssignment.scope_id).is_(None),
        )
    )
    if result.scalars().first() is not None:
        return False
    session.add(
        RoleAssignment(
            role=role,
            scope_kind=scope_kind,
            scope_id=scope_id,
            telegram_user_id=telegram_user_id,
            source=source,
        )
    )
    await session.flush()
    return True


async def revoke_from_telegram_id(
    telegram_user_id: int,
    role: Role,
    scope_id: int | None,
    *,
    member_id: int | None,
    session: AsyncSession,
) -> int:
    """Remove a role held by the Telegram id (or its linked member); return how many went."""
    holders = [col(RoleAssignment.telegram_user_id) == telegram_user_id]
    if member_id is not None:
        holders.append(col(RoleAssignment.member_id) == member_id)
    query = select(RoleAssignment).where(or_(*holders), RoleAssignment.role == role)
    if scope_id is not None:
        query = query.where(RoleAssignment.scope_id == scope_id)
    grants = list((await session.execute(query)).scalars().all())
    for grant in grants:
        await session.delete(grant)
    await session.flush()
    return len(grants)


async def sync_config_admins(admin_ids: Sequence[int], *, session: AsyncSession) -> None:
    """Make the config-sourced admin grants exactly THIDUA_ADMIN_IDS."""
    result = await session.execute(
        select(RoleAssignment).where(RoleAssignment.source == GrantSource.CONFIG)
    )
    existing = list(result.scalars().all())
    for grant in existing:
        if grant.telegram_user_id not in admin_ids:
            await session.delete(grant)
    have = {grant.telegram_user_id for grant in existing}
    for admin_id in admin_ids:
        if admin_id not in have:
            session.add(
                RoleAssignment(
                    role=Role.ADMIN,
                    scope_kind=ScopeKind.ALL,
                    telegram_user_id=admin_id,
                    source=GrantSource.CONFIG,
                )
            )
    await session.flush()


async def set_reachable(telegram_user_id: int, *, reachable: bool, session: AsyncSession) -> None:
    """Blocked the bot → unreachable; unblocked → active. Someone who left stays left."""
    member = await member_by_telegram_id(telegram_user_id, session=session)
    if member is None or member.status == MemberStatus.LEFT:
        return
    member.status = MemberStatus.ACTIVE if reachable else MemberStatus.UNREACHABLE
    member.updated_at = utcnow()
    await session.flush()


async def mark_chat_unreachable_member(chat_id: int, *, session: AsyncSession) -> None:
    """Telegram answered 403 for this private chat: the person blocked the bot."""
    await set_reachable(chat_id, reachable=False, session=session)


async def bloc_leader_ids(bloc_id: int | None, *, session: AsyncSession) -> list[int]:
    """Telegram ids of a bloc's heads and deputies; of the administrators when there is no bloc.

    They decide the collective pledges of the bloc's units, so they are told when one arrives.
    """
    if bloc_id is None:
        condition = col(RoleAssignment.role) == Role.ADMIN
    else:
        condition = (col(RoleAssignment.role).in_([Role.BLOC_HEAD, Role.BLOC_DEPUTY])) & (
            col(RoleAssignment.scope_id) == bloc_id
        )
    result = await session.execute(
        select(RoleAssignment.telegram_user_id, Member.telegram_user_id)
        .outerjoin(Member, col(Member.id) == col(RoleAssignment.member_id))
        .where(condition)
    )
    found = {direct or linked for direct, linked in result.all() if direct or linked}
    return sorted(int(user_id) for user_id in found)


async def unit_officer_ids(unit_id: int, *, session: AsyncSession) -> list[int]:
    """Telegram ids of the unit's emulation officers (cán bộ thi đua), for their reminder lists."""
    result = await session.execute(
        select(RoleAssignment.telegram_user_id, Member.telegram_user_id)
        .outerjoin(Member, col(Member.id) == col(RoleAssignment.member_id))
        .where(
            col(RoleAssignment.role) == Role.UNIT_OFFICER,
            col(RoleAssignment.scope_id) == unit_id,
        )
    )
    found = {direct or linked for direct, linked in result.all() if direct or linked}
    return sorted(int(user_id) for user_id in found)


async def members_by_ids(member_ids: Sequence[int], *, session: AsyncSession) -> dict[int, Member]:
    if not member_ids:
        return {}
    result = await session.execute(select(Member).where(col(Member.id).in_(list(member_ids))))
    return {member.id: member for member in result.scalars().all() if member.id is not None}
