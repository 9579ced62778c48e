"""The Bot API misbehaves during a broadcast: 5xx answers, a request held past the client's
timeout, dropped connections, and a flood wait of a whole minute. The real bot backs off,
keeps its state (the outbox rows), recovers by itself and delivers every message exactly once.

Why a broadcast: it is where the bot sends most, on its own initiative, through the durable
outbox; the member's own replies take the same HTTP path (and the same 429 pause).
"""

import asyncio
import time
from pathlib import Path

import pytest

from storage.campaign_models import OutboxStatus
from tests.support.bot_api_standin import DROPPED, HELD, BotApiStandIn
from tests.support.campaign_seed import prepare_broadcast
from tests.support.fault_ledger import FaultRecord, record
from tests.support.fault_scene import Bot, Person, outbox
from tests.support.process import run_cli

pytestmark = pytest.mark.e2e

RECIPIENTS = 40
DISPATCHER_READ_TIMEOUT = 20.0  # bot/outbox_service.py: the dispatcher's HTTP read timeout


def _launch(env: dict[str, str], cwd: Path) -> list[int]:
    chats = asyncio.run(prepare_broadcast(env["DATABASE_URL"], RECIPIENTS))
    launched = run_cli(env, cwd, "campaign", "launch", "1")
    assert launched.returncode == 0, launched.stderr
    return chats


def _delivered_once(standin: BotApiStandIn, url: str, chats: list[int], timeout: float) -> None:
    """Wait until every outbox row is sent, then check each recipient got exactly one."""
    deadline = time.monotonic() + timeout
    while {row.status for row in outbox(url)} != {OutboxStatus.SENT}:
        assert time.monotonic() < deadline, sorted(
            (row.chat_id, row.status, row.last_error) for row in outbox(url)
        )[:5]
        time.sleep(0.5)
    stats = standin.stats()
    assert stats.recipients() == set(chats), "every member got the launch"
    assert stats.duplicates == {}, "and nobody got it twice"
    assert stats.retry_after_violations == 0, "no send while Telegram said to wait"


def test_5xx_timeouts_and_dropped_connections_then_every_message_once(
    tmp_path: Path, standin: BotApiStandIn, bot_env: dict[str, str]
) -> None:
    env = {**bot_env, "THIDUA_SEND_RATE": "120"}
    chats = _launch(env, tmp_path)
    # Faults for the first sends of the broadcast, and for the bot's long polling.
    standin.fail_next("sendMessage", status=502, description="Bad Gateway", times=2)
    standin.fail_next("sendMessage", status=500, times=1)
    standin.drop_next("sendMessage", times=2)
    standin.hold_next("sendMessage", seconds=DISPATCHER_READ_TIMEOUT + 1.5)
    standin.fail_next("getUpdates", status=502, description="Bad Gateway", times=2)
    standin.drop_next("getUpdates", times=1)

    bot = Bot(env, tmp_path, standin)
    bot.start()
    try:
        _delivered_once(standin, env["DATABASE_URL"], chats, timeout=90)
        # Polling came back too: a member's command is answered.
        Person(standin, chats[0]).say("/help", "/")
    finally:
        log = bot.stop()

    sends = standin.calls("sendMessage")
    statuses = [call.status for call in sends]
    assert statuses.count(502) == 2 and statuses.count(500) == 1
    assert statuses.count(DROPPED) == 2 and statuses.count(HELD) == 1
    faults = 6 + 3  # six sends and three polls
    assert "Traceback" not in log
    record(
        FaultRecord(
            "Bot API: 5xx, a timeout, dropped connections (broadcast to 40)",
            faults=faults,
            expected=RECIPIENTS,
            delivered=len(standin.stats().recipients()),
            duplicates=sum(n - 1 for n in standin.stats().duplicates.values()),
        )
    )


@pytest.mark.slow
def test_429_for_a_whole_minute_then_every_message_once(
    tmp_path: Path, standin: BotApiStandIn, bot_env: dict[str, str]
) -> None:
    env = {**bot_env, "THIDUA_SEND_RATE": "120"}
    chats = _launch(env, tmp_path)
    standin.throttle_sends(60.0, retry_after=5)  # Telegram's flood wait, asked again and again

    bot = Bot(env, tmp_path, standin)
    started = time.monotonic()
    bot.start()
    try:
        _delivered_once(standin, env["DATABASE_URL"], chats, timeout=150)
        first_delivery = min(call.at for call in standin.calls("sendMessage") if call.status == 200)
        assert first_delivery - started >= 59, "nothing got through the flood wait"
        Person(standin, chats[0]).say("/help", "/")  # and the bot answers people again
    finally:
        log = bot.stop()

    stats = standin.stats()
    assert stats.injected_429s >= 10, "the bot kept trying, every retry_after"
    assert "Traceback" not in log
    record(
        FaultRecord(
            "Bot API: 429 for 60 s (broadcast to 40)",
            faults=stats.injected_429s,
            expected=RECIPIENTS,
            delivered=len(stats.recipients()),
            duplicates=sum(n - 1 for n in stats.duplicates.values()),
        )
    )
