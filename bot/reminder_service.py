"""The running bot's reminder jobs: plan (at start-up, then hourly) and sweep (every few seconds).

Two JobQueue jobs in all, whatever the number of reminders (DESIGN 4): the plan job writes rows
from campaign dates; the sweep job claims due rows in batches of 500, each batch in its own
transaction, until a batch comes back short, and wakes the outbox when something was queued.
"""

import logging
from datetime import timedelta

from telegram.ext import CallbackContext, JobQueue

from bot.i18n import Catalogs
from bot.outbox_service import OutboxService
from bot.reminder_planner import plan_campaign
from bot.reminder_sweep import BATCH, SweepResult, sweep
from bot.settings import Settings
from storage import campaigns as campaign_store
from storage.campaign_models import CampaignStatus
from storage.database import Database
from storage.types import utcnow

log = logging.getLogger(__name__)
PLAN_EVERY = timedelta(hours=1)
FIRST_PLAN_AFTER = timedelta(seconds=5)  # after start-up, so a big plan never delays polling


class ReminderService:
    def __init__(
        self,
        settings: Settings,
        database: Database,
        catalogs: Catalogs,
        outbox: OutboxService | None,
    ) -> None:
        self.settings, self.database, self.catalogs, self.outbox = (
            settings,
            database,
            catalogs,
            outbox,
        )
        self.calendar = settings.reminder_calendar

    async def plan(self) -> None:
        """Each campaign in its own transaction: on SQLite the single write lock is held for one
        campaign's plan at a time, not for all of them."""
        async with self.database.session() as session:
            campaign_ids = [
                c.id
                for c in await campaign_store.all_campaigns(session=session)
                if c.id is not None and c.status is not CampaignStatus.DRAFT
            ]
        for campaign_id in campaign_ids:
            async with self.database.session() as session:
                campaign = await campaign_store.get_campaign(campaign_id, session=session)
                if campaign is None:
                    continue
                result = await plan_campaign(
                    campaign, calendar=self.calendar, now=utcnow(), session=session
                )
            if result.added or result.dropped:
                log.info("reminders planned campaign=%s %s", campaign_id, result)

    async def sweep(self) -> list[SweepResult]:
        """Batches until one comes back short; the outbox is woken if anything was queued."""
        results = []
        while True:
            async with self.database.session() as session:
                result = await sweep(
                    utcnow(), catalogs=self.catalogs, calendar=self.calendar, session=session
                )
            results.append(result)
            if result.claimed < BATCH:
                break
        if any(r.counts.get("sent") for r in results) and self.outbox is not None:
            self.outbox.wake()
        return results

    def schedule(self, jobs: JobQueue) -> None:
        async def plan_job(_: CallbackContext) -> None:
            await self.plan()

        async def sweep_job(_: CallbackContext) -> None:
            await self.sweep()

        jobs.run_repeating(plan_job, interval=PLAN_EVERY, first=FIRST_PLAN_AFTER, name="plan")
        jobs.run_repeating(
            sweep_job,
            interval=timedelta(seconds=self.settings.reminder_sweep_seconds),
            first=timedelta(seconds=1),
            name="reminder-sweep",
            job_kwargs={"max_instances": 1, "coalesce": True},
        )
