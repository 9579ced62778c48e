"""Draws a digest's chart when the outbox sends it, so the weekly sweep never waits on matplotlib.

The digest's outbox row holds only what to draw (campaign, unit or bloc, language); the figures
are those of the moment it is sent, the same as the text queued beside it moments before.
"""

import asyncio
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.digest import digest_scope
from bot.export_charts import registration_chart_png
from bot.i18n import Catalogs
from bot.summaries import summarise
from storage import campaigns as campaign_store
from storage.database import Database


class ChartGone(LookupError):
    """The campaign or the unit or bloc was removed after the digest was queued."""


class DigestCharts:
    """`await charts(spec, locale)` gives the PNG of a unit's or bloc's registration chart."""

    def __init__(self, database: Database, catalogs: Catalogs, tz: ZoneInfo) -> None:
        self.database = database
        self.catalogs = catalogs
        self.tz = tz

    async def __call__(self, spec: dict[str, Any], locale: str | None) -> bytes:
        t = self.catalogs.get(locale)
        today = datetime.now(self.tz).date()
        async with self.database.session() as session:
            campaign = await campaign_store.get_campaign(int(spec["campaign_id"]), session=session)
            if campaign is None:
                raise ChartGone("campaign")
            level = str(spec["level"])
            _, units = await digest_scope(campaign, level, int(spec["target"]), session=session)
            if not units:
                raise ChartGone(level)
            summary = await summarise(campaign, units, today, session=session)
        return await asyncio.to_thread(registration_chart_png, summary, t)
