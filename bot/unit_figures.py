"""A unit's figures in a campaign (registration, titles, reports, targets on track), computed
from the pledges with a handful of GROUP BY queries for any number of units at once."""

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from bot.pledges import REGISTERED
from storage import summaries as store
from storage.campaign_models import CampaignMilestone
from storage.figures_models import UnitFigures


@dataclass(frozen=True)
class Figures:
    """Counts that add up from units to blocs to the whole organisation."""

    roster: int = 0
    registered: int = 0
    approved: int = 0
    reported: int = 0
    late_reports: int = 0
    targets: int = 0
    on_track: int = 0
    titles: dict[str, int] = field(default_factory=dict)

    def __add__(self, other: "Figures") -> "Figures":
        titles = dict(self.titles)
        for code, count in other.titles.items():
            titles[code] = titles.get(code, 0) + count
        return Figures(
            self.roster + other.roster,
            self.registered + other.registered,
            self.approved + other.approved,
            self.reported + other.reported,
            self.late_reports + other.late_reports,
            self.targets + other.targets,
            self.on_track + other.on_track,
            titles,
        )

    @property
    def complete(self) -> bool:
        return self.registered >= self.roster


async def compute_figures(
    campaign_id: int,
    milestone: CampaignMilestone | None,
    share: Decimal,
    unit_ids: Sequence[int],
    *,
    session: AsyncSession,
) -> dict[int, Figures]:
    """Each unit's figures from the rows themselves (every unit asked for gets an entry)."""
    if not unit_ids:
        return {}
    roster = await store.roster_by_unit(unit_ids, session=session)
    titles = await store.titles_by_unit(campaign_id, unit_ids, REGISTERED, session=session)
    reports: dict[int, tuple[int, int, int]] = {}
    targets: dict[int, tuple[int, int]] = {}
    if milestone is not None and milestone.id is not None:
        reports = await store.reports_by_unit(campaign_id, milestone.id, unit_ids, session=session)
        targets = await store.targets_on_track_by_unit(
            campaign_id, milestone.id, share, unit_ids, session=session
        )
    figures: dict[int, Figures] = {}
    for unit_id in unit_ids:
        approved, reported, late = reports.get(unit_id, (0, 0, 0))
        total, on_track = targets.get(unit_id, (0, 0))
        unit_titles = titles.get(unit_id, {})
        figures[unit_id] = Figures(
            roster=roster.get(unit_id, 0),
            registered=sum(unit_titles.values()),
            approved=approved,
            reported=reported,
            late_reports=late,
            targets=total,
            on_track=on_track,
            titles=unit_titles,
        )
    return figures


def figures_of_row(row: UnitFigures) -> Figures:
    titles = {str(code): int(count) for code, count in json.loads(row.titles or "{}").items()}
    return Figures(
        roster=row.roster,
        registered=sum(titles.values()),
        approved=row.approved,
        reported=row.reported,
        late_reports=row.late_reports,
        targets=row.targets,
        on_track=row.on_track,
        titles=titles,
    )


def row_values(
    figures: Figures, milestone: CampaignMilestone | None, share: Decimal
) -> dict[str, object]:
    """The columns `storage.figures_cache.save` writes for these figures."""
    return {
        "milestone_id": milestone.id if milestone is not None else None,
        "share": str(share),
        "roster": figures.roster,
        "approved": figures.approved,
        "reported": figures.reported,
        "late_reports": figures.late_reports,
        "targets": figures.targets,
        "on_track": figures.on_track,
        "titles": json.dumps(figures.titles, sort_keys=True),
    }
