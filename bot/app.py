"""The composition root: `build_application` wires settings, storage, catalogs and handlers.

Nothing is created at import time. Tests pass a recording fake `request`; `thidua run` passes
none and PTB talks to the Bot API at TELEGRAM_API_URL (or Telegram's own).
"""

import contextlib
import logging
from dataclasses import dataclass, field
from datetime import datetime

from telegram import Update
from telegram.ext import Application, ApplicationBuilder, ContextTypes, ExtBot
from telegram.request import BaseRequest

from bot.context import ThiduaContext
from bot.flood_notice import FloodNotices
from bot.i18n import Catalogs
from bot.metrics import Metrics
from bot.observability import instrument_handlers, observe_update
from bot.outbox_service import OutboxService
from bot.settings import Settings
from bot.unit_of_work import bind_session, unbind_session
from bot.update_lanes import lanes_for
from storage.availability import database_unavailable
from storage.database import Database
from storage.types import utcnow

log = logging.getLogger(__name__)


@dataclass
class Services:
    """What handlers need beyond the update: settings, the database, catalogs and a clock."""

    settings: Settings
    database: Database
    catalogs: Catalogs
    outbox: "OutboxService | None" = None  # started with the bot; None in offline tests
    request: BaseRequest | None = None  # an injected HTTP layer (tests) the outbox shares
    metrics: Metrics = field(default_factory=Metrics)  # this application's Prometheus registry

    def now(self) -> datetime:
        return utcnow()


class ThiduaApplication(Application):
    """PTB's Application with one unit of work around all handler groups of an update."""

    services: Services

    async def process_update(self, update: object) -> None:
        async with observe_update(update, self.services.metrics):  # one log line, metrics
            await self._process_in_unit_of_work(update)

    async def _process_in_unit_of_work(self, update: object) -> None:
        async with self.services.database.sessions() as session:
            token = bind_session(session)
            try:
                await super().process_update(update)
                await session.commit()
            except Exception as error:
                outage = database_unavailable(error)
                with contextlib.suppress(*((Exception,) if outage else ())):
                    await session.rollback()
                if not outage:
                    raise
                # The handlers answered but the database lost their work: the error handler
                # tells the person to try again in a minute (their earlier steps are kept).
                await self.process_error(update, error)
            finally:
                unbind_session(token)


def build_application(
    settings: Settings,
    *,
    request: BaseRequest | None = None,
    database: Database | None = None,
    catalogs: Catalogs | None = None,
) -> ThiduaApplication:
    """Build the bot; `request` replaces the HTTP layer (tests), `database` the engine."""
    from handlers import register_handlers
    from handlers.lifecycle import on_shutdown, on_startup, on_stop

    context_types = ContextTypes(context=ThiduaContext)
    builder = (
        ApplicationBuilder()
        .application_class(ThiduaApplication)
        .token(settings.require_token())
        .context_types(context_types)
        .post_init(on_startup)
        .post_stop(on_stop)
        .post_shutdown(on_shutdown)
    )
    if settings.telegram_api_url:
        builder = builder.base_url(settings.telegram_api_url)
    if settings.telegram_api_file_url:
        builder = builder.base_file_url(settings.telegram_api_file_url)
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    lanes = lanes_for(settings)  # per-person order, flood control, people side by side
    builder = builder.concurrent_updates(lanes)
    application = builder.build()
    assert isinstance(application, ThiduaApplication)
    assert isinstance(application.bot, ExtBot)
    application.services = Services(
        settings=settings,
        database=database or Database(settings.database_url),
        catalogs=catalogs or Catalogs(default_locale=settings.default_locale),
        request=request,
    )
    lanes.responder = FloodNotices(application)
    register_handlers(application)
    instrument_handlers(application)  # which handler took each update, for logs and metrics
    return application


ALLOWED_UPDATES = Update.ALL_TYPES
