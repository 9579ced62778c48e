"""One member floods the bot with 50 messages a second; do the others still get quick replies?

The real `thidua run` process polls a local Bot API stand-in on 127.0.0.1. Twenty people who are
not in the roster each send /help once a second, and the time from pushing their update to the
stand-in receiving the bot's reply is measured: first with no flood (the baseline), then while
one linked member sends 50 updates a second (four texts to one button press) for `--seconds`.

    python -m bench.flood [--seconds 20] [--others 20] [--flood-rate 50]
    python -m bench.flood --burst 1000 --rate 1000   # flood control in effect off

`--telegram-limits` makes the stand-in enforce Telegram's send limits (30/s overall, 1/s per
chat). Prints what it measured and on what machine; asserts nothing.
"""

import argparse
import asyncio
import math
import signal
import statistics
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.throughput import machine
from storage.database import Database
from storage.migrate import upgrade
from tests.support.bot_api_standin import BotApiStandIn, SendLimits
from tests.support.mass_seed import seed_linked_members
from tests.support.process import bot_environment, start_bot, text_to

OTHERS_FIRST_ID = 9_100_001  # not in the roster: /help still gets an answer
NOTICE_FRAGMENT = "quá nhanh"  # in the Vietnamese flood notice


@dataclass
class Others:
    """People sending /help once a second each, staggered; records update → reply latency."""

    standin: BotApiStandIn
    count: int
    latencies: list[float] = field(default_factory=list)
    unanswered: int = 0
    stop: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def run_for(self, seconds: float) -> None:
        self.stop.clear()
        threads = [
            threading.Thread(target=self._ask, args=(OTHERS_FIRST_ID + n, n / self.count))
            for n in range(self.count)
        ]
        for thread in threads:
            thread.start()
        time.sleep(seconds)
        self.stop.set()
        for thread in threads:
            thread.join(timeout=15)

    def _ask(self, user_id: int, offset: float) -> None:
        if self.stop.wait(offset):
            return
        while not self.stop.is_set():
            since = time.monotonic()
            self.standin.push_update(self.standin.message_update(user_id, "/help"))
            try:
                reply = self.standin.wait_for_call(
                    "sendMessage", text_to(user_id, "/start"), timeout=10, since=since
                )
            except AssertionError:
                with self._lock:
                    self.unanswered += 1
                continue
            with self._lock:
                self.latencies.append(reply.at - since)
            self.stop.wait(max(0.0, since + 1.0 - time.monotonic()))

    def take(self) -> tuple[list[float], int]:
        with self._lock:
            taken, missed = self.latencies, self.unanswered
            self.latencies, self.unanswered = [], 0
        return taken, missed


class Flooder(threading.Thread):
    """One linked member sending `rate` updates a second, every fifth a button press."""

    def __init__(self, standin: BotApiStandIn, user_id: int, rate: float, seconds: float) -> None:
        super().__init__(daemon=True)
        self.standin, self.user_id, self.rate, self.seconds = standin, user_id, rate, seconds
        self.pushed = 0
        self.started_at = 0.0

    def run(self) -> None:
        self.started_at = time.monotonic()
        total = int(self.rate * self.seconds)
        for index in range(total):
            due = self.started_at + index / self.rate
            time.sleep(max(0.0, due - time.monotonic()))
            if index % 5 == 4:
                update = self.standin.callback_update(self.user_id, f"x:{index}")
            else:
                update = self.standin.message_update(self.user_id, f"tin nhắn {index}")
            self.standin.push_update(update)
            self.pushed += 1


def percentile(ordered: list[float], share: float) -> float:
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def summary(name: str, latencies: list[float], missed: int) -> dict[str, float]:
    ordered = sorted(latencies) or [math.nan]
    figures = {
        "n": float(len(ordered)),
        "p50": statistics.median(ordered),
        "p95": percentile(ordered, 0.95),
        "p99": percentile(ordered, 0.99),
        "max": ordered[-1],
    }
    print(
        f"{name}: n={len(ordered)}, p50 {figures['p50'] * 1000:.0f} ms, "
        f"p95 {figures['p95'] * 1000:.0f} ms, p99 {figures['p99'] * 1000:.0f} ms, "
        f"max {figures['max'] * 1000:.0f} ms; unanswered: {missed}"
    )
    return figures


async def prepare(url: str) -> int:
    database = Database(url)
    await upgrade(database)
    [flooder] = await seed_linked_members(database, 1)
    await database.dispose()
    return flooder


def main(options: argparse.Namespace) -> None:
    print(f"machine: {machine()}")
    limits = (
        SendLimits(overall_per_second=30.0, per_chat_per_second=1.0, tolerance=0.01)
        if options.telegram_limits
        else None
    )
    with tempfile.TemporaryDirectory() as tmp, BotApiStandIn(limits=limits) as standin:
        folder = Path(tmp)
        url = options.database_url or f"sqlite+aiosqlite:///{folder / 'bench.db'}"
        flooder_id = asyncio.run(prepare(url))
        env = bot_environment(standin, url)
        env.update(THIDUA_FLOOD_BURST=str(options.burst), THIDUA_FLOOD_RATE=str(options.rate))
        print(
            f"{options.others} others × 1 /help a second; flooder {options.flood_rate:g} "
            f"updates/s for {options.seconds:g} s; THIDUA_FLOOD_BURST={options.burst}, "
            f"THIDUA_FLOOD_RATE={options.rate:g}; Telegram limits: {options.telegram_limits}; "
            f"database: {url.split(':', 1)[0]}"
        )
        bot = start_bot(env, folder)  # its output is drained as it comes (BotProcess)
        try:
            others = Others(standin, options.others)
            others.run_for(3.0)  # warm-up: connections, caches, first-time imports
            others.take()
            others.run_for(options.seconds)
            baseline = summary("others, no flood    ", *others.take())
            before = len(standin.sent_texts(flooder_id))
            flood = Flooder(standin, flooder_id, options.flood_rate, options.seconds)
            flood.start()
            others.run_for(options.seconds)
            flood.join()
            flooded = summary("others, during flood", *others.take())
            time.sleep(3.0)  # the flooder's last replies
            to_flooder = standin.sent_texts(flooder_id)[before:]
            notices = sum(1 for text in to_flooder if NOTICE_FRAGMENT in text)
            answered = [
                call for call in standin.calls("answerCallbackQuery") if call.at >= flood.started_at
            ]
            # A handled press gets the bot's "no longer valid" answer; a skipped one a bare one.
            handled = len(to_flooder) - notices + sum(1 for c in answered if c.params.get("text"))
            print(
                f"flooder: {flood.pushed} updates pushed, {handled} handled, "
                f"{notices} notice(s), {len(answered)} of {flood.pushed // 5} button presses "
                "answered"
            )
            print(
                f"p95 during flood / no flood: {flooded['p95'] / baseline['p95']:.2f}; "
                f"p95 during flood {flooded['p95'] * 1000:.0f} ms (target ≤ 1,000 ms)"
            )
            stats = standin.stats()
            print(f"429s from the stand-in's limits: {stats.pacing_429s}")
        finally:
            bot.send_signal(signal.SIGINT)
            output = bot.communicate(timeout=60)[0].splitlines()
            problems = [line for line in output if "level=ERROR" in line or " ERROR " in line]
            print(f"errors logged by the bot: {len(problems)}")
            for line in problems[:5]:
                print(f"  {line.rstrip()[:300]}")
            if options.bot_log:
                Path(options.bot_log).write_text("".join(output))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--others", type=int, default=20)
    parser.add_argument("--flood-rate", type=float, default=50.0)
    parser.add_argument("--burst", type=int, default=10)
    parser.add_argument("--rate", type=float, default=1.0)
    parser.add_argument("--telegram-limits", action="store_true")
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    parser.add_argument("--bot-log", default=None, help="write the bot's output to this file")
    main(parser.parse_args())
