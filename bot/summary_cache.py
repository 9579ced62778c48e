"""Stored unit figures: an organisation summary reads one row per unit instead of aggregating
every pledge, report and target of the campaign on each request.

How a stored figure can never be wrong (only missing):
- Triggers (`storage/figures_triggers.py`) bump a row's `version` in the same transaction as any
  change that counts for the unit, whatever code path writes it.
- The refresher (`bot/summary_refresh.py`) first makes sure the rows exist, in its own committed
  transaction (a row a writer cannot yet see would miss its bump), then reads each row's
  version, *then* computes the figures, and stores them only `WHERE version = <read>`, one unit
  per short transaction. A change committed after the read bumps the version and the store is
  refused; a change in progress holds the row's lock until it commits, and then the same.
- A reader uses a row only when `computed_version = version` and it was computed at the current
  milestone and expected share; every other unit is computed from the rows, as before.
- Only the organisation overview (`recent`) may use a row that changed since, if it was computed
  within the last two refresh periods: at a million members, computing even a few busy units
  from the rows costs more than the whole overview, so that view says "figures as of hh:mm"
  instead. A bloc's, a unit's and every exported figure stay exact.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from bot.unit_figures import Figures, compute_figures, figures_of_row
from storage import figures_cache as store
from storage.campaign_models import CampaignMilestone
from storage.figures_models import UnitFigures


def is_fresh(row: UnitFigures, milestone: CampaignMilestone | None, share: Decimal) -> bool:
    milestone_id = milestone.id if milestone is not None else None
    return (
        row.computed_version == row.version
        and row.milestone_id == milestone_id
        and row.share == str(share)
    )


@dataclass(frozen=True)
class UnitCounts:
    figures: dict[int, Figures]
    as_of: datetime | None  # None: exact now; else the oldest stored figure used that changed since


async def figures_for(
    campaign_id: int,
    milestone: CampaignMilestone | None,
    share: Decimal,
    unit_ids: Sequence[int],
    *,
    session: AsyncSession,
    recent: tuple[datetime, timedelta] | None = None,
) -> UnitCounts:
    """Every unit's figures: stored where fresh (or, with `recent` = (now, age), computed within
    `age` at the same milestone), computed from the rows for the others."""
    rows = await store.rows_of(campaign_id, unit_ids, session=session)
    figures: dict[int, Figures] = {}
    as_of: datetime | None = None
    for unit, row in rows.items():
        if is_fresh(row, milestone, share):
            figures[unit] = figures_of_row(row)
        elif recent is not None and _recent(row, milestone, share, *recent):
            figures[unit] = figures_of_row(row)
            assert row.computed_at is not None
            as_of = row.computed_at if as_of is None else min(as_of, row.computed_at)
    missing = [unit for unit in unit_ids if unit not in figures]
    figures.update(await compute_figures(campaign_id, milestone, share, missing, session=session))
    return UnitCounts(figures, as_of)


def _recent(
    row: UnitFigures,
    milestone: CampaignMilestone | None,
    share: Decimal,
    now: datetime,
    age: timedelta,
) -> bool:
    milestone_id = milestone.id if milestone is not None else None
    return (
        row.computed_version > 0
        and row.computed_at is not None
        and row.computed_at >= now - age
        and row.milestone_id == milestone_id
        and row.share == str(share)
    )
