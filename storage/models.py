"""The tables of the organisation roster, Telegram identities, roles, invites and the message log.

Names are stored as typed and also as a `*_key` (lower case, no diacritics, single spaces) so
spreadsheets typed with other capitalisation or spacing still match the same row.
"""

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, ForeignKey, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.fields import created_field, enum_field
from storage.types import UTCDateTime


class BlocKind(StrEnum):
    KHOI = "khoi"  # bloc of units with similar functions
    CUM = "cum"  # cluster of units by area


class MemberStatus(StrEnum):
    ACTIVE = "active"
    LEFT = "left"
    UNREACHABLE = "unreachable"


class MemberSource(StrEnum):
    IMPORT = "import"  # came from a roster spreadsheet
    INVITE = "invite"  # joined through an invite link and is not in the roster


class Role(StrEnum):
    MEMBER = "member"
    UNIT_OFFICER = "unit_officer"
    BLOC_HEAD = "bloc_head"
    BLOC_DEPUTY = "bloc_deputy"
    ADMIN = "admin"


class ScopeKind(StrEnum):
    ALL = "all"
    BLOC = "bloc"
    UNIT = "unit"


class GrantSource(StrEnum):
    ROSTER = "roster"  # the `Vai trò` column of an import
    INVITE = "invite"  # the role carried by an invite link
    GRANT = "grant"  # `thidua admin grant`
    CONFIG = "config"  # THIDUA_ADMIN_IDS


class Bloc(SQLModel, table=True):
    __tablename__ = "blocs"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=255)
    name_key: str = Field(max_length=255, unique=True)
    kind: BlocKind = enum_field(BlocKind)
    created_at: datetime = created_field()


class BlocLeadership(SQLModel, table=True):
    """Which unit heads (and deputises for) a bloc in a given year; the role rotates yearly."""

    __tablename__ = "bloc_leadership"

    bloc_id: int = Field(
        sa_column=Column(ForeignKey("blocs.id", ondelete="CASCADE"), primary_key=True)
    )
    year: int = Field(primary_key=True)
    head_unit_id: int | None = Field(default=None, foreign_key="units.id", ondelete="SET NULL")
    deputy_unit_id: int | None = Field(default=None, foreign_key="units.id", ondelete="SET NULL")


class Unit(SQLModel, table=True):
    __tablename__ = "units"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=255)
    name_key: str = Field(max_length=255, unique=True)
    bloc_id: int | None = Field(default=None, foreign_key="blocs.id", ondelete="SET NULL")
    created_at: datetime = created_field()


class TelegramUser(SQLModel, table=True):
    """Everyone who ever wrote to the bot, linked to the roster or not."""

    __tablename__ = "telegram_users"

    id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    first_name: str = Field(default="", max_length=255)
    last_name: str | None = Field(default=None, max_length=255)
    username: str | None = Field(default=None, max_length=64)
    language_code: str | None = Field(default=None, max_length=16)
    locale: str | None = Field(default=None, max_length=8)  # chosen with /language
    first_seen: datetime = created_field()
    last_seen: datetime = created_field()


class Member(SQLModel, table=True):
    """A person of the roster (CB, CC, VC, NLĐ), linked to Telegram once they open the bot."""

    __tablename__ = "members"
    __table_args__ = (
        Index("ix_members_unit_name", "unit_id", "name_key"),
        Index("ix_members_unit_status", "unit_id", "status"),  # the summaries' roster counts
    )

    id: int | None = Field(default=None, primary_key=True)
    full_name: str = Field(max_length=255)
    name_key: str = Field(max_length=255)
    position: str | None = Field(default=None, max_length=255)
    phone: str | None = Field(default=None, max_length=20, unique=True)  # E.164
    email: str | None = Field(default=None, max_length=255)
    unit_id: int = Field(foreign_key="units.id", index=True)
    joined_on: date | None = None
    telegram_user_id: int | None = Field(
        default=None,
        sa_column=Column(BigInteger, ForeignKey("telegram_users.id"), unique=True, nullable=True),
    )
    linked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    status: MemberStatus = enum_field(MemberStatus, default=MemberStatus.ACTIVE)
    source: MemberSource = enum_field(MemberSource, default=MemberSource.IMPORT)
    created_at: datetime = created_field()
    updated_at: datetime = created_field()


class RoleAssignment(SQLModel, table=True):
    """A role with its scope, held by a roster member or directly by a Telegram user id.

    Roster and invite roles belong to the member; `admin grant` and THIDUA_ADMIN_IDS name a
    Telegram id, which may belong to someone outside the roster (the Ban TĐKT's IT officer).
    """

    __tablename__ = "role_assignments"
    __table_args__ = (
        Index("ix_roles_member", "member_id"),
        Index("ix_roles_telegram_user", "telegram_user_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    role: Role = enum_field(Role)
    scope_kind: ScopeKind = enum_field(ScopeKind)
    scope_id: int | None = None
    member_id: int | None = Field(default=None, foreign_key="members.id", ondelete="CASCADE")
    telegram_user_id: int | None = Field(default=None, sa_type=BigInteger)
    source: GrantSource = enum_field(GrantSource)
    created_at: datetime = created_field()


class Invite(SQLModel, table=True):
    __tablename__ = "invites"

    id: int | None = Field(default=None, primary_key=True)
    token: str = Field(max_length=64, unique=True)
    unit_id: int = Field(foreign_key="units.id")
    role: Role = enum_field(Role, default=Role.MEMBER)
    max_uses: int = 1
    uses: int = 0
    expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_by: int | None = Field(default=None, sa_type=BigInteger)
    created_at: datetime = created_field()


class InviteRedemption(SQLModel, table=True):
    """Who used which invite, so a second /start with the same link is not counted twice."""

    __tablename__ = "invite_redemptions"
    __table_args__ = (UniqueConstraint("invite_id", "telegram_user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    invite_id: int = Field(foreign_key="invites.id", ondelete="CASCADE")
    telegram_user_id: int = Field(sa_type=BigInteger)
    member_id: int = Field(foreign_key="members.id", ondelete="CASCADE")
    created_at: datetime = created_field()


class MessageLog(SQLModel, table=True):
    """Every update a person sends (direction `in`) and every message the bot sends (`out`)."""

    __tablename__ = "message_log"
    __table_args__ = (Index("ix_message_log_user_time", "telegram_user_id", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    direction: str = Field(max_length=3)
    update_id: int | None = Field(default=None, sa_type=BigInteger)
    telegram_user_id: int | None = Field(default=None, sa_type=BigInteger)
    chat_id: int | None = Field(default=None, sa_type=BigInteger)
    kind: str = Field(max_length=32)
    text: str | None = None
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = created_field()


class KeyValue(SQLModel, table=True):
    """Small facts the bot learns at run time (its username), read by the CLI."""

    __tablename__ = "key_values"

    key: str = Field(primary_key=True, max_length=64)
    value: str = Field(max_length=1024)
    updated_at: datetime = created_field()


class ChatFlow(SQLModel, table=True):
    """Where a person is in a multi-step chat flow (campaign authoring, announcements, pledges).

    Kept in the database, never in memory or a pickle, so a restart resumes the same step.
    """

    __tablename__ = "chat_flows"

    telegram_user_id: int = Field(
        sa_column=Column(BigInteger, primary_key=True, autoincrement=False)
    )
    flow: str = Field(max_length=32)
    step: str = Field(max_length=32)
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    updated_at: datetime = created_field()
