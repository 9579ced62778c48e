"""Start-up and shut-down work that needs the running bot (post_init / post_shutdown)."""

import logging

from telegram.error import TelegramError
from telegram.ext import Application

from bot.commands import publish_default_commands
from bot.outbox_service import OutboxService
from bot.reminder_service import ReminderService
from bot.summary_refresh import SummaryRefresher
from storage import people
from storage.catalogue import ensure_default_catalogue
from storage.key_values import BOT_USERNAME, set_value

log = logging.getLogger(__name__)


async def on_startup(application: Application) -> None:
    """Grant THIDUA_ADMIN_IDS, remember the bot's username for invite links, publish menus."""
    from bot.app import ThiduaApplication

    assert isinstance(application, ThiduaApplication)
    services = application.services
    async with services.database.session() as session:
        await people.sync_config_admins(services.settings.admin_ids, session=session)
        if application.bot.username:
            await set_value(BOT_USERNAME, application.bot.username, session=session)
        await ensure_default_catalogue(session=session)
    try:
        await publish_default_commands(application.bot, services.catalogs)
    except TelegramError as exc:
        log.warning("could not publish the command menu: %s", exc)
    services.outbox = OutboxService(
        services.settings,
        services.database,
        services.catalogs,
        request=services.request,
        on_outcome=services.metrics.record_send,
    )
    await services.outbox.start()
    if application.job_queue is not None:
        reminders = ReminderService(
            services.settings, services.database, services.catalogs, services.outbox
        )
        reminders.schedule(application.job_queue)
        SummaryRefresher(services.settings, services.database).schedule(application.job_queue)


async def on_stop(application: Application) -> None:
    """Let the dispatcher finish the message it is sending, then stop it."""
    from bot.app import ThiduaApplication

    assert isinstance(application, ThiduaApplication)
    if application.services.outbox is not None:
        await application.services.outbox.stop()


async def on_shutdown(application: Application) -> None:
    from bot.app import ThiduaApplication

    assert isinstance(application, ThiduaApplication)
    await application.services.database.dispose()
