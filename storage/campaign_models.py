"""Tables of campaigns (phong trào thi đua), the title catalogue, and the durable outbox.

The catalogue and every campaign date, title and target are data: the rules change often, and
each organisation adds its own titles.
"""

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, ForeignKey, Index, LargeBinary, Numeric, text
from sqlmodel import Field, SQLModel

from storage.fields import created_field, enum_field
from storage.types import UTCDateTime


class CampaignKind(StrEnum):
    REGULAR = "regular"  # thường xuyên (yearly)
    THEMATIC = "thematic"  # theo chuyên đề


class CampaignStatus(StrEnum):
    DRAFT = "draft"
    LAUNCHED = "launched"
    REGISTRATION_CLOSED = "registration_closed"
    REVIEWING = "reviewing"
    CLOSED = "closed"


class AudienceKind(StrEnum):
    ORGANISATION = "organisation"
    BLOCS = "blocs"
    UNITS = "units"


class CatalogueKind(StrEnum):
    TITLE = "title"  # danh hiệu thi đua
    AWARD = "award"  # hình thức khen thưởng


class TitleScope(StrEnum):
    INDIVIDUAL = "individual"
    COLLECTIVE = "collective"
    BOTH = "both"  # forms of commendation go to people and to collectives


class TargetType(StrEnum):
    NUMBER = "number"
    PERCENT = "percent"
    YES_NO = "yes_no"
    TEXT = "text"


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"  # written before the send: a row left here after a crash was in flight
    SENT = "sent"
    FAILED = "failed"
    UNREACHABLE = "unreachable"  # 403: blocked the bot or deactivated
    CANCELLED = "cancelled"  # the broadcast was stopped


class BroadcastStatus(StrEnum):
    RUNNING = "running"
    STOPPED = "stopped"
    DONE = "done"


class CatalogueItem(SQLModel, table=True):
    """A title or form of commendation; seeded from the 2022 law, extended per organisation."""

    __tablename__ = "catalogue_items"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=32, unique=True)
    name: str = Field(max_length=255)
    kind: CatalogueKind = enum_field(CatalogueKind)
    scope: TitleScope = enum_field(TitleScope)
    rank: int = 0  # higher is a higher title, for ordering and eligibility rules
    requirement: str = Field(default="", max_length=500)  # one line shown when picking it
    builtin: bool = True
    active: bool = True


class Campaign(SQLModel, table=True):
    __tablename__ = "campaigns"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=255)
    slogan: str = Field(default="", max_length=500)
    kind: CampaignKind = enum_field(CampaignKind)
    owner_bloc_id: int | None = Field(default=None, foreign_key="blocs.id")  # None: organisation
    period_start: date
    period_end: date
    registration_opens: date
    registration_deadline: date
    late_registration: bool = False
    registration_required: bool = True  # "không đăng ký thì không xét"
    # Days after a milestone's due date during which its report is still on time (and editable).
    report_grace_days: int = Field(default=0, sa_column_kwargs={"server_default": text("0")})
    # reminder rules (bot/reminder_plan.py): days before each deadline, local time, escalation
    reminder_days: str = Field(
        default="7,3,1,0", max_length=64, sa_column_kwargs={"server_default": "7,3,1,0"}
    )
    reminder_at: str = Field(
        default="08:00", max_length=5, sa_column_kwargs={"server_default": "08:00"}
    )
    reminder_escalate: bool = Field(default=True, sa_column_kwargs={"server_default": text("true")})
    reminders_snoozable: bool = Field(
        default=True, sa_column_kwargs={"server_default": text("true")}
    )
    # weekly digest to officers and bloc heads: "mon 08:00" (weekday and time); "" for none
    digest_rule: str = Field(
        default="mon 08:00", max_length=32, sa_column_kwargs={"server_default": "mon 08:00"}
    )
    audience: AudienceKind = enum_field(AudienceKind)
    status: CampaignStatus = enum_field(CampaignStatus, default=CampaignStatus.DRAFT)
    copied_from_id: int | None = Field(default=None, foreign_key="campaigns.id")
    created_by: int | None = Field(default=None, sa_type=BigInteger)
    created_at: datetime = created_field()
    launched_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class CampaignMilestone(SQLModel, table=True):
    __tablename__ = "campaign_milestones"

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(
        sa_column=Column(ForeignKey("campaigns.id", ondelete="CASCADE"), index=True)
    )
    position: int
    name: str = Field(max_length=120)
    due: date


class CampaignAudienceScope(SQLModel, table=True):
    """The blocs or units a campaign addresses (none: the whole organisation)."""

    __tablename__ = "campaign_audience"

    campaign_id: int = Field(
        sa_column=Column(ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True)
    )
    scope_kind: str = Field(primary_key=True, max_length=8)  # "bloc" or "unit"
    scope_id: int = Field(primary_key=True)


class CampaignOption(SQLModel, table=True):
    """A title or form members of this campaign may pick."""

    __tablename__ = "campaign_options"

    campaign_id: int = Field(
        sa_column=Column(ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True)
    )
    item_id: int = Field(foreign_key="catalogue_items.id", primary_key=True)


class TargetTemplate(SQLModel, table=True):
    """A measurable target (chỉ tiêu) every pledge of the campaign carries."""

    __tablename__ = "target_templates"

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(
        sa_column=Column(ForeignKey("campaigns.id", ondelete="CASCADE"), index=True)
    )
    position: int
    label: str = Field(max_length=255)
    unit: str = Field(default="", max_length=64)  # unit of measure
    type: TargetType = enum_field(TargetType)
    required: bool = True
    min_value: Decimal | None = Field(default=None, sa_type=Numeric(18, 4))
    max_value: Decimal | None = Field(default=None, sa_type=Numeric(18, 4))
    max_length: int | None = None


class CampaignDocument(SQLModel, table=True):
    """The plan (kế hoạch) and other files; kept as bytes until Telegram gives a file_id."""

    __tablename__ = "campaign_documents"

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(
        sa_column=Column(ForeignKey("campaigns.id", ondelete="CASCADE"), index=True)
    )
    file_name: str = Field(max_length=255)
    telegram_file_id: str | None = Field(default=None, max_length=255)
    content: bytes | None = Field(default=None, sa_type=LargeBinary)


class Acknowledgement(SQLModel, table=True):
    """A member pressed "Đã nhận" on a campaign launch."""

    __tablename__ = "acknowledgements"

    campaign_id: int = Field(
        sa_column=Column(ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True)
    )
    member_id: int = Field(foreign_key="members.id", primary_key=True, ondelete="CASCADE")
    at: datetime = created_field()


class Broadcast(SQLModel, table=True):
    """One launch or announcement to an audience: the outbox rows it made, and who follows it."""

    __tablename__ = "broadcasts"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16)  # "launch" | "announcement" | "milestone"
    campaign_id: int | None = Field(default=None, foreign_key="campaigns.id")
    created_by: int | None = Field(default=None, sa_type=BigInteger)
    admin_chat_id: int | None = Field(default=None, sa_type=BigInteger)
    progress_message_id: int | None = Field(default=None, sa_type=BigInteger)
    status: BroadcastStatus = enum_field(BroadcastStatus, default=BroadcastStatus.RUNNING)
    total: int = 0
    created_at: datetime = created_field()
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    report_sent: bool = False


class OutboxMessage(SQLModel, table=True):
    """One message the bot starts (not a reply): sent by the dispatcher at Telegram's pace.

    `dedupe_key` makes enqueueing idempotent: launching twice inserts nothing the second time.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_due", "status", "not_before"),
        Index("ix_outbox_broadcast_status", "broadcast_id", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    dedupe_key: str = Field(max_length=128, unique=True)
    kind: str = Field(max_length=16)  # launch | announcement | reminder | digest
    broadcast_id: int | None = Field(default=None, foreign_key="broadcasts.id")
    campaign_id: int | None = Field(default=None, foreign_key="campaigns.id")
    member_id: int | None = Field(default=None, foreign_key="members.id")
    chat_id: int = Field(sa_type=BigInteger)
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    status: OutboxStatus = enum_field(OutboxStatus, default=OutboxStatus.PENDING)
    attempts: int = 0
    last_error: str | None = Field(default=None, max_length=500)
    not_before: datetime = created_field()
    lease_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    telegram_message_id: int | None = Field(default=None, sa_type=BigInteger)
    created_at: datetime = created_field()
