"""kill -9 of the real bot in the middle of a broadcast, then a restart: every recipient gets the
launch exactly once, except at most the message in flight at the kill, which is named."""

import asyncio
import os
import signal
import time
from pathlib import Path

import pytest
from sqlmodel import select

from storage.campaign_models import OutboxMessage, OutboxStatus
from storage.database import Database
from storage.outbox import IN_FLIGHT_AT_RESTART
from tests.support.bot_api_standin import BotApiStandIn
from tests.support.campaign_seed import prepare_broadcast
from tests.support.process import run_cli, start_bot

pytestmark = pytest.mark.e2e

RECIPIENTS = 240


async def _rows(url: str) -> list[OutboxMessage]:
    database = Database(url)
    async with database.session() as session:
        rows = list((await session.execute(select(OutboxMessage))).scalars().all())
    await database.dispose()
    return rows


def _launches(standin: BotApiStandIn) -> list[int]:
    return [
        int(call.params["chat_id"])
        for call in standin.calls("sendMessage")
        if call.status == 200 and "reg:" in str(call.params.get("reply_markup"))
    ]


def test_kill_9_mid_broadcast_then_restart(
    tmp_path: Path, standin: BotApiStandIn, bot_env: dict[str, str]
) -> None:
    env = {**bot_env, "THIDUA_SEND_RATE": "120"}
    url = env["DATABASE_URL"]
    chats = asyncio.run(prepare_broadcast(url, RECIPIENTS))
    launched = run_cli(env, tmp_path, "campaign", "launch", "1")
    assert launched.returncode == 0, launched.stderr

    first = start_bot(env, tmp_path)
    deadline = time.monotonic() + 60
    while len(_launches(standin)) < RECIPIENTS // 3 and time.monotonic() < deadline:
        time.sleep(0.02)
    os.kill(first.pid, signal.SIGKILL)
    first.communicate(timeout=30)
    delivered_before = len(_launches(standin))
    assert 0 < delivered_before < RECIPIENTS, "the kill must land mid-broadcast"

    second = start_bot(env, tmp_path)
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            rows = asyncio.run(_rows(url))
            if all(row.status == OutboxStatus.SENT for row in rows):
                break
            time.sleep(0.5)
    finally:
        second.send_signal(signal.SIGINT)
        output, _ = second.communicate(timeout=30)
    assert second.returncode == 0, output

    rows = asyncio.run(_rows(url))
    assert {row.status for row in rows} == {OutboxStatus.SENT}
    received = _launches(standin)
    assert set(received) == set(chats), "every recipient got the launch"
    twice = sorted({chat for chat in received if received.count(chat) > 1})
    named = sorted(row.chat_id for row in rows if row.last_error == IN_FLIGHT_AT_RESTART)
    assert len(named) <= 1, "at most the one message in flight at the kill"
    assert set(twice) <= set(named), "a duplicate is only ever the named in-flight message"
