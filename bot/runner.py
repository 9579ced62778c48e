"""`thidua run`: migrate, then poll (or serve a webhook) until stopped."""

import asyncio
import logging
import secrets
from urllib.parse import urlparse

from telegram import Update
from telegram.error import InvalidToken, NetworkError, TelegramError

from bot.app import build_application
from bot.cli_support import EXIT_CONFIG, EXIT_FAILED, Env, fail
from storage import migrate
from storage.database import Database

log = logging.getLogger("thidua")


def configure_logging() -> None:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    # httpx logs every request URL at INFO, and the URL contains the bot token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)


def run_bot(
    env: Env,
    *,
    webhook_url: str | None,
    listen: str,
    port: int,
    secret_token: str | None,
) -> None:
    settings = env.settings
    settings.require_token()
    configure_logging()
    asyncio.run(_migrate(settings.database_url))
    log.info("database ready")
    application = build_application(settings)
    try:
        if webhook_url:
            application.run_webhook(
                listen=listen,
                port=port,
                url_path=urlparse(webhook_url).path.lstrip("/"),
                webhook_url=webhook_url,
                secret_token=secret_token or secrets.token_urlsafe(32),
                allowed_updates=Update.ALL_TYPES,
            )
        else:
            application.run_polling(allowed_updates=Update.ALL_TYPES)
    except InvalidToken:
        fail(
            env.t("Telegram refused TELEGRAM_BOT_TOKEN: check the token from @BotFather."),
            EXIT_CONFIG,
        )
    except NetworkError as exc:
        fail(env.t("Cannot reach the Bot API: {reason}", reason=str(exc)), EXIT_FAILED)
    except TelegramError as exc:
        fail(env.t("The Bot API answered with an error: {reason}", reason=str(exc)), EXIT_FAILED)


async def _migrate(url: str) -> None:
    database = Database(url)
    try:
        await migrate.upgrade(database)
    finally:
        await database.dispose()
