"""The figures of a campaign for those who lead: per unit, per bloc and in total.

Registration (registered/roster), titles registered, the bloc covenant signed or not, and
progress at the current milestone (reports made, late, share of measurable targets on track).
Each unit's counts come stored where fresh (`bot/summary_cache.py`), else from the
`storage/summaries.py` aggregates, so a summary costs the same handful of queries for 10 units
or 1,000. Who may see which units is decided by `units_in_scope`.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from bot.access import Viewer
from bot.progress import expected_share
from bot.report_windows import milestone_windows
from bot.summary_cache import figures_for
from bot.unit_figures import Figures
from storage import campaigns as campaign_store
from storage import org as org_store
from storage import summaries as store
from storage.campaign_models import Campaign, CampaignMilestone
from storage.models import Unit


@dataclass(frozen=True)
class UnitSummary:
    unit: Unit
    bloc_name: str | None
    figures: Figures
    covenant_signed: bool | None  # None: the bloc has no covenant in this campaign

    def is_late(self, campaign: Campaign, milestone: CampaignMilestone | None, today: date) -> bool:
        """Behind a deadline already passed: registration incomplete, or reports missing."""
        if today > campaign.registration_deadline and not self.figures.complete:
            return True
        return (
            milestone is not None
            and today > milestone.due
            and self.figures.reported < self.figures.approved
        )


@dataclass(frozen=True)
class BlocSummary:
    bloc_id: int | None
    name: str
    units: tuple[UnitSummary, ...]

    @property
    def figures(self) -> Figures:
        total = Figures()
        for unit in self.units:
            total = total + unit.figures
        return total


@dataclass(frozen=True)
class CampaignSummary:
    campaign: Campaign
    milestone: CampaignMilestone | None  # the latest already due, else the one open
    expected_share: Decimal
    blocs: tuple[BlocSummary, ...]
    as_of: datetime | None = None  # None: exact; else figures of some units as of this time

    @property
    def units(self) -> list[UnitSummary]:
        return [unit for bloc in self.blocs for unit in bloc.units]

    @property
    def figures(self) -> Figures:
        total = Figures()
        for bloc in self.blocs:
            total = total + bloc.figures
        return total


async def units_in_scope(viewer: Viewer, *, session: AsyncSession) -> list[Unit]:
    """Admins: every unit; bloc heads: their blocs' units; officers: their own units."""
    if viewer.is_admin:
        return await org_store.all_units(session=session)
    units = {
        u.id: u for u in await org_store.units_in_blocs(viewer.bloc_ids_led(), session=session)
    }
    managed = viewer.unit_ids_managed() - set(units)
    units.update({u.id: u for u in await org_store.units_by_ids(managed, session=session)})
    return sorted(units.values(), key=lambda u: (u.bloc_id or 0, u.name))


async def current_milestone(
    campaign: Campaign, today: date, *, session: AsyncSession
) -> CampaignMilestone | None:
    """The latest milestone already due (its reports are what counts now), else the one open."""
    assert campaign.id is not None
    milestones = await campaign_store.milestones_of(campaign.id, session=session)
    windows = milestone_windows(campaign, milestones)
    due = [w.milestone for w in windows if w.milestone.due <= today]
    opened = [w.milestone for w in windows if w.opens <= today]
    return due[-1] if due else (opened[0] if opened else None)


async def summarise(
    campaign: Campaign,
    units: list[Unit],
    today: date,
    *,
    session: AsyncSession,
    recent: tuple[datetime, timedelta] | None = None,
) -> CampaignSummary:
    """The figures of these units; `recent` (now, age) lets busy units' stored figures of the
    last `age` stand in for a recount (the organisation overview, see `bot/summary_cache.py`)."""
    assert campaign.id is not None
    ids = [u.id for u in units if u.id is not None]
    milestone = await current_milestone(campaign, today, session=session)
    share = expected_share(campaign, milestone, today) if milestone else Decimal(0)
    counts = await figures_for(campaign.id, milestone, share, ids, session=session, recent=recent)
    signed = await store.signed_units(campaign.id, ids, session=session)
    blocs_with_covenant = await store.blocs_with_covenant(campaign.id, session=session)
    bloc_names = {b.id: b.name for b in await org_store.all_blocs(session=session)}
    by_bloc: dict[int | None, list[UnitSummary]] = {}
    for unit in units:
        assert unit.id is not None
        covenant = (unit.id in signed) if unit.bloc_id in blocs_with_covenant else None
        summary = UnitSummary(unit, bloc_names.get(unit.bloc_id), counts.figures[unit.id], covenant)
        by_bloc.setdefault(unit.bloc_id, []).append(summary)
    blocs = tuple(
        BlocSummary(bloc_id, bloc_names.get(bloc_id) or "—", tuple(found))
        for bloc_id, found in sorted(
            by_bloc.items(), key=lambda item: bloc_names.get(item[0]) or ""
        )
    )
    return CampaignSummary(campaign, milestone, share, blocs, counts.as_of)
