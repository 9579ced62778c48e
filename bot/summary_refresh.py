"""Keeps the stored unit figures fresh in the background, so `/tonghop` rarely computes any.

Runs every THIDUA_SUMMARY_REFRESH_SECONDS (and once at start) for each running campaign: only the
units whose rows changed since the last run (or whose milestone moved on) are computed, in
chunks, and each unit is stored in its own short transaction (`bot/summary_cache.py` says why).
"""

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from telegram.ext import CallbackContext, JobQueue

from bot.progress import expected_share
from bot.report_windows import RUNNING
from bot.settings import Settings
from bot.summaries import current_milestone
from bot.summary_cache import is_fresh
from bot.unit_figures import compute_figures, row_values
from storage import campaigns as campaign_store
from storage import figures_cache as store
from storage import org as org_store
from storage.campaign_models import Campaign
from storage.database import Database
from storage.types import utcnow

log = logging.getLogger(__name__)

CHUNK = 100  # units computed per GROUP BY round


@dataclass(frozen=True)
class Refreshed:
    campaign_id: int
    units: int  # units of the campaign's organisation
    computed: int  # found stale and computed
    stored: int  # stored (the rest changed again meanwhile and wait for the next run)


async def refresh_campaign(database: Database, campaign: Campaign, today: date) -> Refreshed:
    assert campaign.id is not None
    async with database.session() as session:  # committed before any version is read
        unit_ids = [u.id for u in await org_store.all_units(session=session) if u.id is not None]
        known = await store.versions_of(campaign.id, session=session)
        await store.ensure_rows(
            campaign.id, [u for u in unit_ids if u not in known], session=session
        )
    async with database.session() as session:
        milestone = await current_milestone(campaign, today, session=session)
        share = expected_share(campaign, milestone, today) if milestone else Decimal(0)
        rows = await store.versions_of(campaign.id, session=session)
        stale = {u: r.version for u, r in rows.items() if not is_fresh(r, milestone, share)}
    stored = 0
    units = sorted(stale)
    for start in range(0, len(units), CHUNK):
        chunk = units[start : start + CHUNK]
        async with database.session() as session:
            figures = await compute_figures(campaign.id, milestone, share, chunk, session=session)
        now = utcnow()
        for unit in chunk:
            async with database.session() as session:
                values = row_values(figures[unit], milestone, share)
                saved = await store.save(
                    campaign.id, unit, stale[unit], values, now, session=session
                )
            stored += int(saved)
    return Refreshed(campaign.id, len(unit_ids), len(units), stored)


async def refresh_all(database: Database, today: date) -> list[Refreshed]:
    async with database.session() as session:
        campaigns = [
            c for c in await campaign_store.all_campaigns(session=session) if c.status in RUNNING
        ]
    return [await refresh_campaign(database, campaign, today) for campaign in campaigns]


class SummaryRefresher:
    """The JobQueue job; a failed run (the database away) is logged and retried next time."""

    def __init__(self, settings: Settings, database: Database) -> None:
        self.settings = settings
        self.database = database

    async def run(self) -> list[Refreshed]:
        today = datetime.now(self.settings.tz).date()
        return await refresh_all(self.database, today)

    def schedule(self, jobs: JobQueue) -> None:
        async def job(_: CallbackContext) -> None:
            try:
                for done in await self.run():
                    if done.computed:
                        log.info(
                            "summary figures: campaign %d, %d units computed, %d stored",
                            done.campaign_id,
                            done.computed,
                            done.stored,
                        )
            except Exception:
                log.exception("summary figures refresh failed; retrying at the next run")

        jobs.run_repeating(
            job,
            interval=timedelta(seconds=self.settings.summary_refresh_seconds),
            first=timedelta(seconds=5),
            name="summary-refresh",
            job_kwargs={"max_instances": 1, "coalesce": True},
        )
