"""Updates handled per second: the full bot versus a bare python-telegram-bot echo bot.

Both run in this process with the same recording fake request (no network), so the ratio shows
what our per-update work costs: logging the raw update, recording the sender, resolving roles,
running the handler and committing, on SQLite (and PostgreSQL with TEST_DATABASE_URL).

    python -m bench.throughput [--updates 2000]
"""

import argparse
import asyncio
import os
import platform
import resource
import tempfile
import time
from pathlib import Path

from sqlmodel import SQLModel
from telegram import Update
from telegram.ext import Application, ContextTypes, MessageHandler, filters

from bot.app import build_application
from bot.i18n import Catalogs
from bot.settings import Settings
from storage.database import Database
from tests.support.bot_api_standin import BotApiStandIn
from tests.support.org_seed import MAI, seed_org
from tests.support.recording_request import TOKEN, RecordingRequest


def machine() -> str:
    cpu = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return (
        f"{platform.platform()}, {os.cpu_count()} cores, {cpu}, Python {platform.python_version()}"
    )


def updates_for(count: int, user_id: int, text: str) -> list[dict[str, object]]:
    factory = BotApiStandIn()
    return [
        {"update_id": index + 1, **factory.message_update(user_id, text)} for index in range(count)
    ]


async def rate(app: Application, raw_updates: list[dict[str, object]]) -> float:  # type: ignore[type-arg]
    updates = [Update.de_json(raw, app.bot) for raw in raw_updates]
    start = time.perf_counter()
    for update in updates:
        await app.process_update(update)
    return len(updates) / (time.perf_counter() - start)


async def echo_rate(count: int) -> float:
    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text(update.effective_message.text or "")

    app = Application.builder().token(TOKEN).request(RecordingRequest()).build()
    app.add_handler(MessageHandler(filters.TEXT, echo))
    await app.initialize()
    try:
        return await rate(app, updates_for(count, MAI, "/help"))
    finally:
        await app.shutdown()


async def bot_rate(database: Database, count: int) -> float:
    async with database.engine.begin() as connection:
        await connection.run_sync(SQLModel.metadata.create_all)
    await seed_org(database)
    settings = Settings(_env_file=None, TELEGRAM_BOT_TOKEN=TOKEN)  # type: ignore[call-arg]
    request = RecordingRequest()
    app = build_application(settings, request=request, database=database, catalogs=Catalogs())
    await app.initialize()
    try:
        onboarding = updates_for(1, MAI, "/start")
        onboarding.append({"update_id": 2, **BotApiStandIn().contact_update(MAI, "0356789012")})
        await rate(app, onboarding)
        return await rate(app, updates_for(count, MAI, "/help"))
    finally:
        await app.shutdown()
        await database.dispose()


async def main(count: int) -> None:
    print(f"machine: {machine()}")
    echo = await echo_rate(count)
    print(f"bare PTB echo bot:           {echo:10,.0f} updates/s")
    with tempfile.TemporaryDirectory() as tmp:
        sqlite = await bot_rate(Database(f"sqlite+aiosqlite:///{tmp}/bench.db"), count)
    print(f"thidua /help, SQLite:        {sqlite:10,.0f} updates/s  ({sqlite / echo:.3f} of echo)")
    postgres_url = os.environ.get("TEST_DATABASE_URL")
    if postgres_url:
        pg = await bot_rate(await fresh_schema(postgres_url), count)
        print(f"thidua /help, PostgreSQL:    {pg:10,.0f} updates/s  ({pg / echo:.3f} of echo)")
    limit = 30
    print(
        f"Telegram's overall send limit is {limit} messages/s: SQLite handles "
        f"{sqlite / limit:,.0f}x that in replies"
    )
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of this process: {peak_mb:,.0f} MB")


async def fresh_schema(url: str) -> Database:
    import uuid

    from sqlalchemy import text

    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = Database(url)
    async with admin.engine.begin() as connection:
        await connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        await connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    await admin.dispose()
    return Database(url, connect_args={"server_settings": {"search_path": schema}})


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--updates", type=int, default=2000)
    asyncio.run(main(parser.parse_args().updates))
