"""The summary figures of a unit in a campaign, stored so a summary need not re-aggregate them.

Kept by `bot/summary_cache.py`; invalidated by the triggers of migration 0011 (`version`).
"""

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, Integer, Text
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime


class UnitFigures(SQLModel, table=True):
    """One unit's counts at a milestone and expected share, valid while version is unchanged."""

    __tablename__ = "unit_figures"
    __table_args__ = (Index("ix_unit_figures_unit", "unit_id"),)  # a member's unit, any campaign

    campaign_id: int = Field(
        sa_column=Column(Integer, ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True)
    )
    unit_id: int = Field(
        sa_column=Column(Integer, ForeignKey("units.id", ondelete="CASCADE"), primary_key=True)
    )
    version: int = 1  # bumped by triggers whenever a row counting for the unit changes
    computed_version: int = 0  # the version the figures below were computed at
    milestone_id: int | None = None
    share: str = Field(default="", max_length=16)  # the expected share, as text
    roster: int = 0
    approved: int = 0
    reported: int = 0
    late_reports: int = 0
    targets: int = 0
    on_track: int = 0
    titles: str = Field(default="{}", sa_type=Text)  # JSON: title code -> registered pledges
    computed_at: datetime | None = Field(default=None, sa_type=UTCDateTime(timezone=True))


# Registers the invalidating triggers for databases made with `create_all` (the tests).
import storage.figures_triggers  # noqa: E402, F401
