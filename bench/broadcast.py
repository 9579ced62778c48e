"""A 10,000-recipient launch through the real `thidua run` process, against a local Bot API
stand-in that enforces Telegram's limits (30/s overall, 1/s per chat) and injects 429s.

While the broadcast drains, five people who are not recipients each send /help every 5 s, and
the time from their update to the bot's reply is measured. With --kill-at F, the bot is killed
with SIGKILL once a fraction F of the recipients has the message, then started again.

    python -m bench.broadcast [--recipients 10000] [--kill-at 0.4]

Prints what it measured and on what machine; asserts nothing.
"""

import argparse
import asyncio
import math
import signal
import statistics
import tempfile
import threading
import time
from pathlib import Path

from sqlmodel import select

from bench.throughput import machine
from storage.campaign_models import OutboxMessage
from storage.database import Database
from storage.outbox import IN_FLIGHT_AT_RESTART
from tests.support.bot_api_standin import BotApiStandIn
from tests.support.bot_api_standin import SendLimits as StandInLimits
from tests.support.campaign_seed import prepare_broadcast
from tests.support.process import bot_environment, run_cli, start_bot, text_to

TELEGRAM_RATE = 30.0
ASKERS = [9_000_001 + n for n in range(5)]  # not in the roster: /help still gets an answer
ASK_EVERY = 5.0


async def in_flight_rows(url: str) -> list[int]:
    database = Database(url)
    async with database.session() as session:
        result = await session.execute(
            select(OutboxMessage.chat_id).where(OutboxMessage.last_error == IN_FLIGHT_AT_RESTART)
        )
        chats = [int(chat) for chat in result.scalars().all()]
    await database.dispose()
    return chats


class Askers(threading.Thread):
    """People sending /help during the broadcast; records update → reply latency."""

    def __init__(self, standin: BotApiStandIn) -> None:
        super().__init__(daemon=True)
        self.standin = standin
        self.latencies: list[float] = []
        self.unanswered = 0
        self.stop = threading.Event()

    def run(self) -> None:
        turn = 0
        while not self.stop.is_set():
            asker = ASKERS[turn % len(ASKERS)]
            turn += 1
            since = time.monotonic()
            self.standin.push_update(self.standin.message_update(asker, "/help"))
            try:
                self.standin.wait_for_call(
                    "sendMessage", text_to(asker, "/start"), timeout=10, since=since
                )
                self.latencies.append(time.monotonic() - since)
            except AssertionError:
                self.unanswered += 1
            self.stop.wait(ASK_EVERY / len(ASKERS))


def launches(standin: BotApiStandIn) -> list[int]:
    return [
        int(call.params["chat_id"])
        for call in standin.calls("sendMessage")
        if call.status == 200 and "reg:" in str(call.params.get("reply_markup"))
    ]


def wait_until(condition: "object", timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return True
        time.sleep(0.2)
    return False


def main(recipients: int, kill_at: float | None, inject_every: int, retry_after: int) -> None:
    print(f"machine: {machine()}")
    limits = StandInLimits(
        overall_per_second=TELEGRAM_RATE, per_chat_per_second=1.0, tolerance=0.01
    )
    with tempfile.TemporaryDirectory() as tmp, BotApiStandIn(limits=limits) as standin:
        folder = Path(tmp)
        url = f"sqlite+aiosqlite:///{folder / 'bench.db'}"
        env = bot_environment(standin, url)
        started = time.monotonic()
        chats = asyncio.run(prepare_broadcast(url, recipients))
        queued = run_cli(env, folder, "campaign", "launch", "1")
        assert queued.returncode == 0, queued.stderr
        print(
            f"seeded {recipients:,} linked members and queued the launch in "
            f"{time.monotonic() - started:.1f} s"
        )
        standin.inject_429(every=inject_every, retry_after=retry_after, limit=3)
        bot = start_bot(env, folder)
        askers = Askers(standin)
        askers.start()
        killed = False
        if kill_at is not None:
            wait_until(lambda: len(launches(standin)) >= recipients * kill_at, 3600)
            bot.send_signal(signal.SIGKILL)
            bot.communicate(timeout=30)
            killed = True
            print(f"SIGKILL after {len(launches(standin)):,} launch messages; restarting")
            bot = start_bot(env, folder)
        done = wait_until(
            lambda: set(launches(standin)) >= set(chats), recipients / TELEGRAM_RATE * 3 + 120
        )
        askers.stop.set()
        askers.join(timeout=15)
        bot.send_signal(signal.SIGINT)
        bot.communicate(timeout=60)
        report(standin, chats, askers, done, asyncio.run(in_flight_rows(url)), killed, retry_after)


def report(
    standin: BotApiStandIn,
    chats: list[int],
    askers: Askers,
    done: bool,
    named: list[int],
    killed: bool,
    retry_after: int,
) -> None:
    stats = standin.stats()
    received = launches(standin)
    launch_calls = [
        call
        for call in standin.calls("sendMessage")
        if call.status == 200 and "reg:" in str(call.params.get("reply_markup"))
    ]
    first, last = launch_calls[0].at, launch_calls[-1].at
    elapsed = last - first
    ideal = len(chats) / TELEGRAM_RATE
    counts: dict[int, int] = {}
    for chat in received:
        counts[chat] = counts.get(chat, 0) + 1
    twice = sorted(chat for chat, n in counts.items() if n > 1)
    missing = len(set(chats) - set(counts))
    print(f"recipients: {len(chats):,}; all reached: {done}")
    print(
        f"broadcast: {elapsed:.1f} s for {len(chats):,} messages; Telegram limit N/30 s = "
        f"{ideal:.1f} s; ratio {elapsed / ideal:.3f} (target ≤ 1.10)"
    )
    paused = stats.injected_429s * retry_after
    print(
        f"  of which waiting out injected retry_after: {paused} s; "
        f"ratio without it {(elapsed - paused) / ideal:.3f}"
    )
    print(
        f"429s caused by our pacing: {stats.pacing_429s}; injected 429s: "
        f"{stats.injected_429s}; retry_after violations: {stats.retry_after_violations}"
    )
    print(f"duplicates: {len(twice)}; losses: {missing}")
    if killed:
        print(
            f"in flight at the kill, sent again and named in the report: {named}; "
            f"duplicates among them: {sorted(set(twice) & set(named))}; "
            f"duplicates not named: {sorted(set(twice) - set(named))}"
        )
    if askers.latencies:
        ordered = sorted(askers.latencies)
        p95 = ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]
        print(
            f"member command → reply during the broadcast: n={len(ordered)}, "
            f"median {statistics.median(ordered) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, "
            f"max {ordered[-1] * 1000:.0f} ms (target p95 ≤ 1 s); unanswered: "
            f"{askers.unanswered}"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--recipients", type=int, default=10_000)
    parser.add_argument("--kill-at", type=float, default=None)
    parser.add_argument("--inject-every", type=int, default=2_500)
    parser.add_argument("--retry-after", type=int, default=2)
    options = parser.parse_args()
    main(options.recipients, options.kill_at, options.inject_every, options.retry_after)
