"""Invite links: unguessable tokens that bind a Telegram account to a unit (and a role)."""

import re
import secrets
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import UserFacingError
from bot.i18n import N_
from storage.invites import add_invite
from storage.models import Invite, Role

TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
MAX_USES = 10_000
MAX_DAYS = 366


class InviteRequestError(UserFacingError):
    """The invite options are out of range."""


def new_token() -> str:
    """32 url-safe characters (192 random bits): fits Telegram's 64-character start payload."""
    return secrets.token_urlsafe(24)


def looks_like_token(text: str) -> bool:
    return bool(TOKEN_PATTERN.match(text))


def deep_link(bot_username: str, token: str) -> str:
    return f"https://t.me/{bot_username}?start={token}"


async def create_invite(
    unit_id: int,
    *,
    role: Role = Role.MEMBER,
    uses: int = 1,
    expires_days: int | None = None,
    created_by: int | None = None,
    now: datetime,
    session: AsyncSession,
) -> Invite:
    if not 1 <= uses <= MAX_USES:
        raise InviteRequestError(N_("--uses must be between 1 and {limit}"), limit=MAX_USES)
    if expires_days is not None and not 1 <= expires_days <= MAX_DAYS:
        raise InviteRequestError(N_("--expires must be between 1 and {limit} days"), limit=MAX_DAYS)
    expires_at = now + timedelta(days=expires_days) if expires_days else None
    invite = Invite(
        token=new_token(),
        unit_id=unit_id,
        role=role,
        max_uses=uses,
        expires_at=expires_at,
        created_by=created_by,
    )
    return await add_invite(invite, session=session)
