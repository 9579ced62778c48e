"""The audit of personal data erasures: who erased which member record, when, by which channel.

It holds no personal data of the erased person (only the member id, which after the erasure
points to an anonymised record), so it can be kept as long as the organisation keeps its records.
"""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Index
from sqlmodel import Field, SQLModel

from storage.fields import created_field, enum_field


class ErasureChannel(StrEnum):
    CLI = "cli"  # `thidua member erase`
    CHAT = "chat"  # an administrator's /xoadulieu


class Erasure(SQLModel, table=True):
    """One erasure of a member's (or a Telegram account's) personal data."""

    __tablename__ = "erasures"
    __table_args__ = (Index("ix_erasures_member", "member_id"),)

    id: int | None = Field(default=None, primary_key=True)
    member_id: int | None = None  # None: a Telegram account that was never on the roster
    channel: ErasureChannel = enum_field(ErasureChannel)
    erased_by: int | None = Field(default=None, sa_type=BigInteger)  # the admin's Telegram id
    operator: str = Field(default="", max_length=64)  # the CLI's login name; "" from chat
    rows_changed: int = 0
    at: datetime = created_field()
