"""Tables of pledges (đăng ký thi đua), their targets and audit trail, title history, covenants
(giao ước thi đua), and the organisation's eligibility and quota rules.

Rules are rows, not code: the law and each organisation's own rules change often.
"""

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, ForeignKey, Index, Numeric, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from storage.campaign_models import TargetType
from storage.fields import created_field, enum_field
from storage.types import UTCDateTime


class PledgeKind(StrEnum):
    INDIVIDUAL = "individual"
    COLLECTIVE = "collective"  # the unit's own pledge


class PledgeStatus(StrEnum):
    DRAFT = "draft"  # Nháp
    PENDING = "pending"  # Chờ duyệt
    RETURNED = "returned"  # Bị trả lại
    APPROVED = "approved"  # Đã duyệt
    WITHDRAWN = "withdrawn"  # Đã rút


class PledgeAction(StrEnum):
    CREATED = "created"
    EDITED = "edited"
    SUBMITTED = "submitted"
    WITHDRAWN = "withdrawn"
    APPROVED = "approved"
    RETURNED = "returned"


class TitleSource(StrEnum):
    IMPORT = "import"  # `thidua titles import`
    BOT = "bot"  # recorded by the bot after a review


class QuotaScope(StrEnum):
    UNIT = "unit"  # counted within one unit
    ORGANISATION = "organisation"  # counted over every unit of the campaign


class EligibilityCheck(StrEnum):
    PREVIOUS_TITLE = "previous_title"  # needs `required_code` before the pledge year
    MIN_MONTHS_IN_UNIT = "min_months_in_unit"  # joined the unit long enough before the period
    EVIDENCE = "evidence"  # a criterion only the officer can check against evidence


_LIVE = "status != 'withdrawn'"


class Pledge(SQLModel, table=True):
    """One registration: a member's (individual) or a unit's own (collective).

    `unit_id` is set on both kinds (the member's unit when they pledged) so officers count per
    unit without a join. At most one live (not withdrawn) pledge per campaign and member, or per
    campaign and unit for collective pledges: partial unique indexes, so two taps of "Xác nhận"
    or two devices at once can never make two.
    """

    __tablename__ = "pledges"
    __table_args__ = (
        Index(
            "ux_pledges_live_member",
            "campaign_id",
            "member_id",
            unique=True,
            sqlite_where=text(f"{_LIVE} AND kind = 'individual'"),
            postgresql_where=text(f"{_LIVE} AND kind = 'individual'"),
        ),
        Index(
            "ux_pledges_live_unit",
            "campaign_id",
            "unit_id",
            unique=True,
            sqlite_where=text(f"{_LIVE} AND kind = 'collective'"),
            postgresql_where=text(f"{_LIVE} AND kind = 'collective'"),
        ),
        Index("ix_pledges_campaign_unit_status", "campaign_id", "unit_id", "status"),
        # covers the summaries' scans of a campaign's pledges per unit and title
        Index("ix_pledges_summary", "campaign_id", "kind", "status", "unit_id", "title_item_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(
        sa_column=Column(ForeignKey("campaigns.id", ondelete="CASCADE"), nullable=False)
    )
    kind: PledgeKind = enum_field(PledgeKind)
    member_id: int | None = Field(default=None, foreign_key="members.id", ondelete="CASCADE")
    unit_id: int = Field(foreign_key="units.id")
    title_item_id: int = Field(foreign_key="catalogue_items.id")
    award_item_id: int | None = Field(default=None, foreign_key="catalogue_items.id")
    commitment: str = Field(default="", max_length=2000)
    status: PledgeStatus = enum_field(PledgeStatus, default=PledgeStatus.DRAFT)
    late: bool = False
    entered_by: int | None = Field(default=None, sa_type=BigInteger)
    on_behalf: bool = False  # an officer entered it for a member without Telegram
    warnings: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    created_at: datetime = created_field()
    updated_at: datetime = created_field()
    submitted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class PledgeTarget(SQLModel, table=True):
    """A target (chỉ tiêu) with its planned value; a target the member added has no template."""

    __tablename__ = "pledge_targets"
    __table_args__ = (
        # covers the summaries' on-track count (type and plan without reading the row)
        Index("ix_pledge_targets_summary", "pledge_id", "type", "planned_number", "planned_yes_no"),
    )

    id: int | None = Field(default=None, primary_key=True)
    pledge_id: int = Field(
        sa_column=Column(ForeignKey("pledges.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    position: int
    template_id: int | None = Field(
        default=None, foreign_key="target_templates.id", ondelete="SET NULL"
    )
    label: str = Field(max_length=255)
    unit: str = Field(default="", max_length=64)
    type: TargetType = enum_field(TargetType)
    planned_number: Decimal | None = Field(default=None, sa_type=Numeric(18, 4))
    planned_text: str | None = Field(default=None, max_length=1000)
    planned_yes_no: bool | None = None


class PledgeEvent(SQLModel, table=True):
    """The audit trail: every status change (and edit) with who did it and why."""

    __tablename__ = "pledge_events"

    id: int | None = Field(default=None, primary_key=True)
    pledge_id: int = Field(
        sa_column=Column(ForeignKey("pledges.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    actor: int | None = Field(default=None, sa_type=BigInteger)  # None: the system
    action: PledgeAction = enum_field(PledgeAction)
    from_status: PledgeStatus | None = enum_field(PledgeStatus, nullable=True, default=None)
    to_status: PledgeStatus = enum_field(PledgeStatus)
    reason: str | None = Field(default=None, max_length=1000)
    at: datetime = created_field()


class TitleHistory(SQLModel, table=True):
    """A title a member earned in a year; eligibility for higher titles reads it."""

    __tablename__ = "title_history"
    __table_args__ = (UniqueConstraint("member_id", "year", "code"),)

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="members.id", ondelete="CASCADE")
    year: int
    code: str = Field(max_length=32)  # catalogue code, kept as text: codes outlive items
    source: TitleSource = enum_field(TitleSource)
    created_at: datetime = created_field()


class Covenant(SQLModel, table=True):
    """A bloc's covenant (giao ước thi đua) for a campaign: its text and shared targets."""

    __tablename__ = "covenants"
    __table_args__ = (UniqueConstraint("campaign_id", "bloc_id"),)

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(
        sa_column=Column(ForeignKey("campaigns.id", ondelete="CASCADE"), nullable=False)
    )
    bloc_id: int = Field(foreign_key="blocs.id", ondelete="CASCADE")
    text: str = Field(max_length=4000)
    targets: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    created_at: datetime = created_field()


class CovenantSignature(SQLModel, table=True):
    """A unit signed its bloc's covenant: who pressed "Ký giao ước" and when."""

    __tablename__ = "covenant_signatures"
    __table_args__ = (UniqueConstraint("covenant_id", "unit_id"),)

    id: int | None = Field(default=None, primary_key=True)
    covenant_id: int = Field(
        sa_column=Column(ForeignKey("covenants.id", ondelete="CASCADE"), nullable=False)
    )
    unit_id: int = Field(foreign_key="units.id", ondelete="CASCADE")
    signed_by: int = Field(sa_type=BigInteger)
    signed_at: datetime = created_field()


class QuotaRule(SQLModel, table=True):
    """A cap on a title's share, e.g. CSTĐCS ≤ 15% of LĐTT registrations in a unit.

    The denominator counts registrations of its title and of every higher title of the same
    scope (a CSTĐCS registrant is also an LĐTT one).
    """

    __tablename__ = "quota_rules"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=32, unique=True)
    description: str = Field(default="", max_length=255)
    numerator_code: str = Field(max_length=32)
    denominator_code: str = Field(max_length=32)
    max_share: Decimal = Field(sa_type=Numeric(5, 4))  # 0.15 = 15%
    scope: QuotaScope = enum_field(QuotaScope)
    active: bool = True


class EligibilityRule(SQLModel, table=True):
    """One criterion of a title, checked when a pledge is submitted; it warns, never blocks."""

    __tablename__ = "eligibility_rules"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=32, unique=True)
    title_code: str = Field(max_length=32, index=True)
    kind: EligibilityCheck = enum_field(EligibilityCheck)
    required_code: str | None = Field(default=None, max_length=32)
    count: int | None = None  # previous titles needed
    consecutive: bool = True  # in each of the `count` years just before, or any `count` times
    min_months: int | None = None
    note: str = Field(default="", max_length=500)  # what the officer checks (Vietnamese)
    active: bool = True
