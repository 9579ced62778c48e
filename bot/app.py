"""The composition root: `build_application` wires settings, storage, catalogs and handlers.

Nothing is created at import time. Tests pass a recording fake `request`; `thidua run` passes
none and PTB talks to the Bot API at TELEGRAM_API_URL (or Telegram's own).
"""

import logging
from dataclasses import dataclass
from datetime import datetime

from telegram import Update
from telegram.ext import Application, ApplicationBuilder, ContextTypes, ExtBot
from telegram.request import BaseRequest

from bot.context import ThiduaContext
from bot.i18n import Catalogs
from bot.outbox_service import OutboxService
from bot.settings import Settings
from bot.unit_of_work import bind_session, unbind_session
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

    def now(self) -> datetime:
        return utcnow()


class ThiduaApplication(Application):
    """PTB's Application with one unit of work around all handler groups of an update."""

    services: Services

    async def process_update(self, update: object) -> None:
        async with self.services.database.sessions() as session:
            token = bind_session(session)
            try:
                await super().process_update(update)
                await session.commit()
            except Exception:
                await session.rollback()
                raise
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
    application = builder.build()
    assert isinstance(application, ThiduaApplication)
    assert isinstance(application.bot, ExtBot)
    application.services = Services(
        settings=settings,
        database=database or Database(settings.database_url),
        catalogs=catalogs or Catalogs(default_locale=settings.default_locale),
        request=request,
    )
    register_handlers(application)
    return application


ALLOWED_UPDATES = Update.ALL_TYPES
