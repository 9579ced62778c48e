"""Tables of bloc scoring (chấm điểm thi đua): a bloc's scoring sheet for a campaign, its
criteria, each unit's scores and the audit trail.

One sheet per (campaign, bloc). A unit's officer self-scores each criterion; the bloc head may
set a final figure with a reason the unit sees. Publishing locks the sheet: nothing changes
afterwards, and every change before it is a `score_events` row.
"""

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import BigInteger, Column, ForeignKey, Index, Numeric, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.fields import created_field, enum_field
from storage.types import UTCDateTime

MAX_LABEL_LENGTH = 255
MAX_REASON_LENGTH = 500
MAX_NOTE_LENGTH = 1000
POINTS = Numeric(10, 2)


class SheetStatus(StrEnum):
    DRAFT = "draft"  # being prepared: nobody scores yet
    OPEN = "open"  # units self-score, the bloc head adjusts
    PUBLISHED = "published"  # locked: the ranking is final


class CriterionKind(StrEnum):
    NORMAL = "normal"  # a criterion of the scale (the normal ones add up to 100 or 1,000)
    BONUS = "bonus"  # điểm cộng: added on top
    PENALTY = "penalty"  # điểm trừ: deducted


class ScoreAction(StrEnum):
    SELF_SCORED = "self_scored"
    ADJUSTED = "adjusted"
    PUBLISHED = "published"


class ScoringSheet(SQLModel, table=True):
    """A bloc's scoring sheet (bảng chấm điểm) for one campaign."""

    __tablename__ = "scoring_sheets"
    __table_args__ = (
        UniqueConstraint("campaign_id", "bloc_id", name="uq_scoring_sheets_campaign_bloc"),
    )

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(
        sa_column=Column(ForeignKey("campaigns.id", ondelete="CASCADE"), nullable=False)
    )
    bloc_id: int = Field(
        sa_column=Column(ForeignKey("blocs.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    title: str = Field(max_length=MAX_LABEL_LENGTH)
    scale: int = 100  # 100 or 1000
    status: SheetStatus = enum_field(SheetStatus, default=SheetStatus.OPEN)
    created_at: datetime = created_field()
    published_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    published_by: int | None = Field(default=None, sa_type=BigInteger)


class ScoringCriterion(SQLModel, table=True):
    """One line of the sheet (tiêu chí), with its maximum points."""

    __tablename__ = "scoring_criteria"
    __table_args__ = (
        UniqueConstraint("sheet_id", "position", name="uq_scoring_criteria_sheet_position"),
    )

    id: int | None = Field(default=None, primary_key=True)
    sheet_id: int = Field(
        sa_column=Column(ForeignKey("scoring_sheets.id", ondelete="CASCADE"), nullable=False)
    )
    position: int
    code: str = Field(max_length=16)  # the sheet's own numbering: "1", "2.a", "C1"
    label: str = Field(max_length=MAX_LABEL_LENGTH)
    kind: CriterionKind = enum_field(CriterionKind, default=CriterionKind.NORMAL)
    max_points: Decimal = Field(sa_type=POINTS)


class UnitScore(SQLModel, table=True):
    """A unit's score on one criterion: its own, and the bloc head's final figure if adjusted."""

    __tablename__ = "unit_scores"
    __table_args__ = (
        UniqueConstraint("criterion_id", "unit_id", name="uq_unit_scores_criterion_unit"),
    )

    id: int | None = Field(default=None, primary_key=True)
    sheet_id: int = Field(
        sa_column=Column(
            ForeignKey("scoring_sheets.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    criterion_id: int = Field(
        sa_column=Column(ForeignKey("scoring_criteria.id", ondelete="CASCADE"), nullable=False)
    )
    unit_id: int = Field(
        sa_column=Column(ForeignKey("units.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    self_points: Decimal | None = Field(default=None, sa_type=POINTS)
    self_note: str | None = Field(default=None, max_length=MAX_NOTE_LENGTH)
    evidence_file_id: str | None = Field(default=None, max_length=255)
    final_points: Decimal | None = Field(default=None, sa_type=POINTS)  # None: not adjusted
    adjusted_reason: str | None = Field(default=None, max_length=MAX_REASON_LENGTH)
    updated_at: datetime = created_field()


class ScoreEvent(SQLModel, table=True):
    """The audit trail: who scored, adjusted or published what, from which figure to which."""

    __tablename__ = "score_events"
    __table_args__ = (Index("ix_score_events_sheet_at", "sheet_id", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    sheet_id: int = Field(
        sa_column=Column(ForeignKey("scoring_sheets.id", ondelete="CASCADE"), nullable=False)
    )
    unit_id: int | None = Field(
        default=None, sa_column=Column(ForeignKey("units.id", ondelete="CASCADE"), nullable=True)
    )
    criterion_id: int | None = Field(
        default=None,
        sa_column=Column(ForeignKey("scoring_criteria.id", ondelete="CASCADE"), nullable=True),
    )
    actor: int | None = Field(default=None, sa_type=BigInteger)
    action: ScoreAction = enum_field(ScoreAction)
    old_points: Decimal | None = Field(default=None, sa_type=POINTS)
    new_points: Decimal | None = Field(default=None, sa_type=POINTS)
    reason: str | None = Field(default=None, max_length=MAX_REASON_LENGTH)
    at: datetime = created_field()
