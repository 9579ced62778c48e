"""Queries on invite links and their redemptions."""

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import select

from storage.models import Invite, InviteRedemption


async def add_invite(invite: Invite, *, session: AsyncSession) -> Invite:
    session.add(invite)
    await session.flush()
    return invite


async def invite_by_token(token: str, *, session: AsyncSession) -> Invite | None:
    result = await session.execute(select(Invite).where(Invite.token == token))
    return result.scalars().first()


async def redemption_of(
    invite_id: int, telegram_user_id: int, *, session: AsyncSession
) -> InviteRedemption | None:
    result = await session.execute(
        select(InviteRedemption).where(
            InviteRedemption.invite_id == invite_id,
            InviteRedemption.telegram_user_id == telegram_user_id,
        )
    )
    return result.scalars().first()


async def record_redemption(
    invite: Invite, telegram_user_id: int, member_id: int, *, session: AsyncSession
) -> None:
    assert invite.id is not None, "a stored invite has an id"
    invite.uses += 1
    session.add(
        InviteRedemption(
            invite_id=invite.id, telegram_user_id=telegram_user_id, member_id=member_id
        )
    )
    await session.flush()


async def move_redemptions(
    from_member_id: int, to_member_id: int, *, session: AsyncSession
) -> None:
    """Point redemptions at the roster record that replaced an invite placeholder."""
    result = await session.execute(
        select(InviteRedemption).where(InviteRedemption.member_id == from_member_id)
    )
    for redemption in result.scalars().all():
        redemption.member_id = to_member_id
    await session.flush()
