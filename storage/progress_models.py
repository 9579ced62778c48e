"""Tables of progress reports (báo cáo tiến độ) against approved pledges, at a campaign milestone.

One report per pledge and milestone, edited in place: a double tap or a second device can never
make two (a unique constraint, on top of the row claim in `bot/progress.py`). Values are
cumulative (what was achieved so far in the campaign), so the latest report is the progress and
nothing has to be summed. Evidence (minh chứng) is kept as Telegram file ids: the files stay on
Telegram's servers, and a report edited later keeps the evidence it already had.
"""

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import BigInteger, Column, ForeignKey, Index, Numeric, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.fields import created_field, enum_field
from storage.types import UTCDateTime

MAX_NOTE_LENGTH = 2000
MAX_CAPTION_LENGTH = 1024  # Telegram's own limit for a caption
MAX_ACHIEVED_TEXT_LENGTH = 2000
MAX_REASON_LENGTH = 1000


class ReportStatus(StrEnum):
    SUBMITTED = "submitted"  # Đã gửi (a row exists only once the member confirmed it)
    APPROVED = "approved"  # Đã duyệt
    RETURNED = "returned"  # Bị trả lại


class ReportAction(StrEnum):
    SUBMITTED = "submitted"
    EDITED = "edited"
    APPROVED = "approved"
    RETURNED = "returned"


class EvidenceKind(StrEnum):
    PHOTO = "photo"
    DOCUMENT = "document"


class ProgressReport(SQLModel, table=True):
    """A pledge's report at one milestone; `late` when made after the milestone's due + grace."""

    __tablename__ = "progress_reports"
    __table_args__ = (
        UniqueConstraint("milestone_id", "pledge_id", name="uq_progress_reports_milestone_pledge"),
    )

    id: int | None = Field(default=None, primary_key=True)
    milestone_id: int = Field(
        sa_column=Column(ForeignKey("campaign_milestones.id", ondelete="CASCADE"), nullable=False)
    )
    pledge_id: int = Field(
        sa_column=Column(ForeignKey("pledges.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    status: ReportStatus = enum_field(ReportStatus, default=ReportStatus.SUBMITTED)
    late: bool = False
    note: str = Field(default="", max_length=MAX_NOTE_LENGTH)
    entered_by: int | None = Field(default=None, sa_type=BigInteger)
    created_at: datetime = created_field()
    updated_at: datetime = created_field()
    submitted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class ProgressValue(SQLModel, table=True):
    """The cumulative value of one pledge target in a report; one of the three is set."""

    __tablename__ = "progress_values"
    __table_args__ = (
        UniqueConstraint("report_id", "pledge_target_id", name="uq_progress_values_report_target"),
    )

    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(
        sa_column=Column(ForeignKey("progress_reports.id", ondelete="CASCADE"), nullable=False)
    )
    pledge_target_id: int = Field(
        sa_column=Column(
            ForeignKey("pledge_targets.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    achieved_number: Decimal | None = Field(default=None, sa_type=Numeric(18, 4))
    achieved_text: str | None = Field(default=None, max_length=MAX_ACHIEVED_TEXT_LENGTH)
    achieved_yes_no: bool | None = None


class Evidence(SQLModel, table=True):
    """A photo or document (minh chứng) sent with a report, by its Telegram file id.

    `file_unique_id` is the same for the same file sent twice, so a repeated submission does not
    attach it twice (unique per report).
    """

    __tablename__ = "report_evidence"
    __table_args__ = (
        UniqueConstraint("report_id", "file_unique_id", name="uq_report_evidence_report_file"),
    )

    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(
        sa_column=Column(ForeignKey("progress_reports.id", ondelete="CASCADE"), nullable=False)
    )
    position: int
    file_id: str = Field(max_length=255)
    file_unique_id: str = Field(max_length=64)
    kind: EvidenceKind = enum_field(EvidenceKind)
    mime_type: str | None = Field(default=None, max_length=128)
    file_name: str | None = Field(default=None, max_length=255)
    file_size: int | None = Field(default=None, sa_type=BigInteger)
    caption: str | None = Field(default=None, max_length=MAX_CAPTION_LENGTH)
    sender: int | None = Field(default=None, sa_type=BigInteger)
    created_at: datetime = created_field()


class ReportEvent(SQLModel, table=True):
    """The audit trail of a report: submitted, edited, approved, returned, by whom and why."""

    __tablename__ = "report_events"
    __table_args__ = (Index("ix_report_events_report_at", "report_id", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(
        sa_column=Column(ForeignKey("progress_reports.id", ondelete="CASCADE"), nullable=False)
    )
    actor: int | None = Field(default=None, sa_type=BigInteger)  # None: the system
    action: ReportAction = enum_field(ReportAction)
    from_status: ReportStatus | None = enum_field(ReportStatus, nullable=True, default=None)
    to_status: ReportStatus = enum_field(ReportStatus)
    reason: str | None = Field(default=None, max_length=MAX_REASON_LENGTH)
    at: datetime = created_field()
