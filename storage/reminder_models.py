"""Planned reminders (nhắc hạn) and members' leave: schedules are data, not jobs (DESIGN 4).

One row per (campaign, task, step, subject): the member for member steps, the unit for the
officer's list, the bloc for the bloc head's. Planning writes them set-based from campaign
dates (`bot/reminder_planner.py`); the sweeper claims due pending rows in small batches and, in
the same transaction, turns each into an outbox row or closes it with the reason (done, on
leave, nothing missing). Only `pending` rows are ever changed by re-planning.
"""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Column, ForeignKey, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from storage.fields import created_field, enum_field
from storage.types import UTCDateTime


class ReminderStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"  # handed to the outbox
    DONE = "done"  # the task was done first: never sent
    SKIPPED = "skipped"  # nothing to say (not reachable, no pledge, nobody missing, too late)


class Reminder(SQLModel, table=True):
    __tablename__ = "reminders"
    __table_args__ = (
        UniqueConstraint(
            "campaign_id", "task", "step", "subject_id", name="uq_reminders_campaign_task_step"
        ),
        # the sweeper's only query: pending rows by due time (a partial index stays small)
        Index(
            "ix_reminders_pending_due",
            "due_at",
            "id",
            sqlite_where=text("status = 'pending'"),
            postgresql_where=text("status = 'pending'"),
        ),
        Index("ix_reminders_subject", "subject_id", "audience"),
    )

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(
        sa_column=Column(ForeignKey("campaigns.id", ondelete="CASCADE"), nullable=False)
    )
    task: str = Field(max_length=24)  # "reg" or "rep:<milestone id>"
    step: str = Field(max_length=8)  # d7, d3, d1, d0, late, officer, bloc
    audience: str = Field(max_length=12)  # member, officer, bloc_head
    subject_id: int  # member, unit or bloc id, by audience
    deadline: date  # the real deadline, shown in the text
    due_at: datetime = Field(sa_type=UTCDateTime)  # when to send (moved, snoozed, held)
    status: ReminderStatus = enum_field(ReminderStatus, default=ReminderStatus.PENDING)
    snoozed: bool = False  # the member moved it: re-planning leaves its time alone
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    note: str | None = Field(default=None, max_length=64)  # why it was closed without sending


class MemberLeave(SQLModel, table=True):
    """Leave or a work trip (nghỉ phép / công tác): reminders are held, officers see it."""

    __tablename__ = "member_leaves"

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(
        sa_column=Column(ForeignKey("members.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    starts: date
    ends: date
    kind: str = Field(default="leave", max_length=16)  # leave | trip
    created_by: int | None = Field(default=None, sa_type=BigInteger)
    created_at: datetime = created_field()
