"""Linking a Telegram account to a roster record: by shared phone contact or by invite link.

The bot cannot message anyone first, so each person opens it once; these rules decide whose
record they may claim. Nobody can claim a record by typing a number: only the contact Telegram
attaches to their own account counts, and a record already linked to another account stays put.
"""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from bot.access import roster_role_scope
from bot.invites import looks_like_token
from bot.phones import InvalidPhone, normalise_phone
from bot.text import collapse_spaces, match_key
from storage import invites as invite_store
from storage import org as org_store
from storage import people
from storage.models import GrantSource, Member, MemberSource, MemberStatus, Role


class LinkOutcome(StrEnum):
    LINKED = "linked"  # newly linked to this record
    ALREADY_LINKED = "already_linked"  # this account was already linked to this record
    NO_MATCH = "no_match"  # the phone is not in the roster
    TAKEN = "taken"  # the record belongs to another Telegram account
    LEFT = "left"  # the record is marked as having left the unit
    INVALID_PHONE = "invalid_phone"
    INVITE_UNKNOWN = "invite_unknown"
    INVITE_EXPIRED = "invite_expired"
    INVITE_USED_UP = "invite_used_up"
    OTHER_UNIT = "other_unit"  # already linked to a record in another unit


@dataclass(frozen=True)
class LinkResult:
    outcome: LinkOutcome
    member: Member | None = None


@dataclass(frozen=True)
class Newcomer:
    """What Telegram tells us of the person, used to name a record created by an invite."""

    telegram_user_id: int
    first_name: str
    last_name: str | None


async def link_by_contact(
    telegram_user_id: int, phone_text: str, *, now: datetime, session: AsyncSession
) -> LinkResult:
    """Match the person's own phone to the roster and link them.

    A person who arrived by invite (a placeholder record) and is then found in the roster of
    the same unit is moved onto the roster record, keeping the invite's role.
    """
    try:
        phone = normalise_phone(phone_text)
    except InvalidPhone:
        return LinkResult(LinkOutcome.INVALID_PHONE)
    current = await people.member_by_telegram_id(telegram_user_id, session=session)
    match = await people.member_by_phone(phone, session=session)
    if match is None:
        return LinkResult(LinkOutcome.NO_MATCH, current)
    if match.telegram_user_id == telegram_user_id:
        return LinkResult(LinkOutcome.ALREADY_LINKED, match)
    if match.telegram_user_id is not None:
        return LinkResult(LinkOutcome.TAKEN)
    if match.status == MemberStatus.LEFT:
        return LinkResult(LinkOutcome.LEFT, match)
    if current is not None:
        if current.source != MemberSource.INVITE or current.unit_id != match.unit_id:
            return LinkResult(LinkOutcome.OTHER_UNIT, current)
        await _absorb_placeholder(current, match, session=session)
    await people.link_member(match, telegram_user_id, at=now, session=session)
    return LinkResult(LinkOutcome.LINKED, match)


async def redeem_invite(
    token: str, newcomer: Newcomer, *, now: datetime, session: AsyncSession
) -> LinkResult:
    """Link the person to the invite's unit (with its role), within the invite's limits."""
    if not looks_like_token(token):
        return LinkResult(LinkOutcome.INVITE_UNKNOWN)
    invite = await invite_store.invite_by_token(token, session=session)
    if invite is None:
        return LinkResult(LinkOutcome.INVITE_UNKNOWN)
    user_id = newcomer.telegram_user_id
    current = await people.member_by_telegram_id(user_id, session=session)
    assert invite.id is not None
    if await invite_store.redemption_of(invite.id, user_id, session=session):
        return LinkResult(LinkOutcome.ALREADY_LINKED, current)
    if invite.expires_at is not None and invite.expires_at <= now:
        return LinkResult(LinkOutcome.INVITE_EXPIRED)
    if invite.uses >= invite.max_uses:
        return LinkResult(LinkOutcome.INVITE_USED_UP)
    if current is not None and current.unit_id != invite.unit_id:
        return LinkResult(LinkOutcome.OTHER_UNIT, current)
    member = current or await _placeholder_member(newcomer, invite.unit_id, now, session)
    assert member.id is not None
    await _grant_invite_role(member, invite.role, session=session)
    await invite_store.record_redemption(invite, user_id, member.id, session=session)
    outcome = LinkOutcome.ALREADY_LINKED if current is not None else LinkOutcome.LINKED
    return LinkResult(outcome, member)


async def _placeholder_member(
    newcomer: Newcomer, unit_id: int, now: datetime, session: AsyncSession
) -> Member:
    full_name = collapse_spaces(f"{newcomer.first_name} {newcomer.last_name or ''}") or "?"
    member = Member(
        full_name=full_name[:255],
        name_key=match_key(full_name)[:255],
        unit_id=unit_id,
        source=MemberSource.INVITE,
        telegram_user_id=newcomer.telegram_user_id,
        linked_at=now,
        created_at=now,
        updated_at=now,
    )
    return await people.add_member(member, session=session)


async def _grant_invite_role(member: Member, role: Role, *, session: AsyncSession) -> None:
    assert member.id is not None
    unit = await org_store.get_unit(member.unit_id, session=session)
    grant = roster_role_scope(role, member.unit_id, unit.bloc_id if unit else None)
    if grant is None:
        return
    existing = await people.member_roles(member.id, session=session)
    wanted = {
        (g.role, g.scope_kind, g.scope_id) for g in existing if g.source == GrantSource.INVITE
    }
    wanted.add((grant.role, grant.scope_kind, grant.scope_id))
    await people.replace_member_roles(member.id, GrantSource.INVITE, list(wanted), session=session)


async def _absorb_placeholder(
    placeholder: Member, roster_member: Member, *, session: AsyncSession
) -> None:
    """Carry the invite's roles over to the roster record, then drop the placeholder."""
    assert placeholder.id is not None
    assert roster_member.id is not None
    invite_roles = [
        (g.role, g.scope_kind, g.scope_id)
        for g in await people.member_roles(placeholder.id, session=session)
        if g.source == GrantSource.INVITE
    ]
    await invite_store.move_redemptions(placeholder.id, roster_member.id, session=session)
    await people.unlink_and_delete_member(placeholder, session=session)
    if invite_roles:
        await people.replace_member_roles(
            roster_member.id, GrantSource.INVITE, invite_roles, session=session
        )
