"""Column helpers shared by every table module."""

from enum import StrEnum
from typing import Any

from sqlalchemy import Enum as SAEnum
from sqlmodel import Field

from storage.types import UTCDateTime, utcnow


def enum_field(enum_cls: type[StrEnum], *, nullable: bool = False, **kwargs: Any) -> Any:
    """Store an enum as its plain string value (VARCHAR), never as a native PostgreSQL ENUM."""
    sa_type = SAEnum(
        enum_cls,
        native_enum=False,
        create_constraint=False,
        length=max(16, *(len(member.value) for member in enum_cls)),
        values_callable=lambda members: [member.value for member in members],
    )
    return Field(sa_type=sa_type, nullable=nullable, **kwargs)


def created_field() -> Any:
    return Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
