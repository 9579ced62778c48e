"""`thidua run`: migrate, then poll (or serve a webhook) until stopped."""

import gc
import logging
import secrets
from urllib.parse import urlparse

from telegram import Update
from telegram.error import InvalidToken, NetworkError, TelegramError

from bot.app import build_application
from bot.cli_support import EXIT_CONFIG, EXIT_FAILED, Env, fail, run_async
from bot.leader import Leadership, lock_for, stop_this_process
from bot.log_format import configure_logging
from bot.metrics_server import start_operations
from storage import migrate
from storage.database import Database

log = logging.getLogger("thidua")


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
    # One line per event; the token and the webhook secret are redacted from every line.
    webhook_secret = secret_token or secrets.token_urlsafe(32)
    configure_logging(settings.log_format, secrets=[settings.telegram_bot_token, webhook_secret])
    # Active–standby: only the holder of the leader lock migrates, polls and runs the jobs.
    leadership = Leadership(
        lock_for(settings.database_url), retry_seconds=settings.standby_retry_seconds
    )
    if not leadership.wait():
        return
    leadership.watch(on_lost=stop_this_process)
    run_async(_migrate(settings.database_url))
    log.info("database ready")
    application = build_application(settings)
    # What is loaded by now lives as long as the process: keep it out of the cyclic collector's
    # full passes, which otherwise stall a request by ~120 ms every few large summaries
    # (docs/benchmarks.md, Summaries).
    gc.freeze()
    operations = start_operations(application)  # /healthz and /metrics if THIDUA_METRICS_PORT
    try:
        if webhook_url:
            application.run_webhook(
                listen=listen,
                port=port,
                url_path=urlparse(webhook_url).path.lstrip("/"),
                webhook_url=webhook_url,
                secret_token=webhook_secret,
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
    finally:
        if operations is not None:
            operations.stop()
    leadership.release()
    if leadership.lost:
        fail(env.t("Another instance took over the leader lock, so this one stopped."), EXIT_FAILED)


async def _migrate(url: str) -> None:
    database = Database(url)
    try:
        await migrate.upgrade(database)
    finally:
        await database.dispose()
