"""Starts and stops the outbox dispatcher beside the running bot."""

import asyncio
import logging
from collections.abc import Callable

from telegram import Bot
from telegram.request import BaseRequest, HTTPXRequest

from bot.broadcast_progress import ProgressReporter
from bot.digest_chart import DigestCharts
from bot.dispatcher import Dispatcher
from bot.i18n import Catalogs
from bot.pacing import SendLimits
from bot.settings import Settings
from storage.campaign_models import OutboxStatus
from storage.database import Database

log = logging.getLogger(__name__)


class OutboxService:
    """Owns the dispatcher's own Bot (its own connection pool) and its background task."""

    def __init__(
        self,
        settings: Settings,
        database: Database,
        catalogs: Catalogs,
        *,
        request: BaseRequest | None = None,
        on_outcome: Callable[[OutboxStatus], None] | None = None,
    ) -> None:
        kwargs: dict[str, object] = {}
        if settings.telegram_api_url:
            kwargs["base_url"] = settings.telegram_api_url
        if settings.telegram_api_file_url:
            kwargs["base_file_url"] = settings.telegram_api_file_url
        self.bot = Bot(
            settings.require_token(),
            request=request or HTTPXRequest(connection_pool_size=4, read_timeout=20.0),
            **kwargs,  # type: ignore[arg-type]
        )
        self.dispatcher = Dispatcher(
            database,
            self.bot,
            limits=SendLimits(overall_per_second=settings.send_rate),
            on_progress=ProgressReporter(database, self.bot, catalogs),
            charts=DigestCharts(database, catalogs, settings.tz),
            on_outcome=on_outcome,
        )
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await self.bot.initialize()
        self._task = asyncio.create_task(self._run(), name="outbox-dispatcher")

    async def _run(self) -> None:
        while not self.dispatcher.stopping.is_set():
            try:
                await self.dispatcher.run()
            except Exception:
                # The database may be briefly away; never let the sender die silently.
                log.exception("outbox dispatcher failed; restarting in 5 s")
                await asyncio.sleep(5)

    def wake(self) -> None:
        """New rows were queued in this process: do not wait for the next poll."""
        self.dispatcher.wake.set()

    async def stop(self) -> None:
        self.dispatcher.stop()
        if self._task is not None:
            await self._task
        await self.bot.shutdown()
