"""Planned reminders at scale: idle sweep, claiming a batch, start-up, re-planning, lateness.

On SQLite (a temp file) and PostgreSQL (a fresh `bench_reminders` database, dropped at the end):

1. idle sweep with 1,000,000 pending rows, none due (target ≤ 5 ms, median and p95);
2. a batch of 500 due rows: `claim_due` alone, claim + close, and a full `sweep` (≤ 20 ms);
3. start-up of the real `thidua run` with 1M pending rows against an empty database: time to
   the first getUpdates (≤ 10 s) and resident memory growth (≤ 50 MB);
4. re-planning a campaign of 100,000 members after a date change (≤ 30 s);
5. lateness of reminders planted due over two minutes (within Telegram's rate), sent by the
   real bot through the Bot API stand-in: share sent within 60 s of due (≥ 99%).

    python -m bench.reminders [--quick] [--no-postgres] [--postgres URL]

Prints what it measured and on what machine; asserts nothing.
"""

import argparse
import asyncio
import math
import os
import signal
import statistics
import subprocess
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import text

from bench.reminder_seed import (
    Backend,
    bulk_insert,
    drop_pg_database,
    launched_campaign,
    make_due,
    member_steps,
    recreate_pg_database,
    reminder_rows,
)
from bench.throughput import machine
from bot.i18n import Catalogs
from bot.reminder_calendar import ReminderCalendar
from bot.reminder_planner import plan_campaign
from bot.reminder_sweep import sweep
from bot.settings import Settings
from storage import reminders as store
from storage.campaign_models import Campaign, CampaignMilestone
from storage.database import Database
from storage.migrate import upgrade
from storage.reminder_models import Reminder, ReminderStatus
from storage.types import utcnow
from tests.support.bot_api_standin import BotApiStandIn, SendLimits
from tests.support.mass_seed import seed_linked_members
from tests.support.process import bot_environment, start_bot

PG_SERVER = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
PG_NAME = "bench_reminders"
TELEGRAM_RATE = 30.0


@dataclass(frozen=True)
class Sizes:
    pending: int = 1_000_000
    runs: int = 50
    batch_runs: int = 20
    replan_members: int = 100_000
    live: int = 1_500
    live_spread: float = 120.0


QUICK = Sizes(
    pending=100_000, runs=30, batch_runs=10, replan_members=10_000, live=300, live_spread=30
)


@dataclass
class Figures:
    """name → value per backend, in the order measured."""

    rows: dict[str, dict[str, str]] = field(default_factory=dict)
    targets: dict[str, str] = field(default_factory=dict)

    def put(self, name: str, backend: str, value: str, target: str = "") -> None:
        self.rows.setdefault(name, {})[backend] = value
        if target:
            self.targets[name] = target
        print(f"  {name}: {value}" + (f"  [{target}]" if target else ""), flush=True)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.2f} ms"


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def verdict(ok: bool) -> str:
    return "target met" if ok else "target MISSED"


def calendar() -> ReminderCalendar:
    return Settings(_env_file=None, TELEGRAM_BOT_TOKEN="1:x").reminder_calendar  # type: ignore[call-arg]


async def timed(action: Callable[[], Awaitable[object]]) -> float:
    start = time.perf_counter()
    await action()
    return time.perf_counter() - start


# ---------------------------------------------------------------- 1M rows: idle sweep, batches


@dataclass(frozen=True)
class Million:
    campaign_id: int
    member_ids: list[int]
    first_step_index: int
    rows: int


async def seed_million(database: Database, pending: int, cal: ReminderCalendar) -> Million:
    await upgrade(database)
    campaign_id = await launched_campaign(database)
    steps = await member_steps(database, campaign_id, cal, utcnow())
    members = math.ceil(pending / len(steps))
    start = time.perf_counter()
    await seed_linked_members(database, members)
    seeded = time.perf_counter() - start
    async with database.session() as session:
        ids = [
            int(i)
            for i in (await session.execute(text("SELECT id FROM members ORDER BY id"))).scalars()
        ]
    start = time.perf_counter()
    rows = await bulk_insert(database, reminder_rows(campaign_id, steps, ids))
    print(
        f"  seeded {members:,} linked members in {seeded:.1f} s; {rows:,} pending rows "
        f"({len(steps)} member slots from {steps[0].at:%Y-%m-%d} to {steps[-1].at:%Y-%m-%d}) "
        f"in {time.perf_counter() - start:.1f} s",
        flush=True,
    )
    return Million(campaign_id, ids, 0, rows)


async def idle_sweeps(database: Database, runs: int, cal: ReminderCalendar) -> list[float]:
    catalogs = Catalogs()

    async def once() -> None:  # what the sweep job does when nothing is due
        async with database.session() as session:
            result = await sweep(utcnow(), catalogs=catalogs, calendar=cal, session=session)
        assert result.claimed == 0

    await once()
    return [await timed(once) for _ in range(runs)]


@dataclass
class BatchTimes:
    claim: list[float] = field(default_factory=list)
    claim_close: list[float] = field(default_factory=list)
    full: list[float] = field(default_factory=list)
    outcome: dict[str, int] = field(default_factory=dict)


async def batch_of_500(
    database: Database, million: Million, runs: int, cal: ReminderCalendar
) -> BatchTimes:
    """500 member rows of the first slot made due; each repetition rolled back."""
    steps = await member_steps(database, million.campaign_id, cal, utcnow())
    step = steps[0]
    chosen = million.member_ids[:500]
    await make_due(database, million.campaign_id, step, chosen, utcnow() - timedelta(minutes=1))
    catalogs = Catalogs()
    times = BatchTimes()
    for run in range(runs + 1):  # the first is a warm-up
        async with database.sessions() as session:
            start = time.perf_counter()
            rows = await store.claim_due(utcnow(), 500, session=session)
            claimed = time.perf_counter()
            ids = [row.id for row in rows if row.id is not None]
            await store.close_rows({(ReminderStatus.SENT, None): ids}, utcnow(), session=session)
            closed = time.perf_counter()
            assert len(rows) == 500, len(rows)
            await session.rollback()
        if run:
            times.claim.append(claimed - start)
            times.claim_close.append(closed - start)
        async with database.sessions() as session:
            start = time.perf_counter()
            result = await sweep(utcnow(), catalogs=catalogs, calendar=cal, session=session)
            await session.flush()
            elapsed = time.perf_counter() - start
            assert result.claimed == 500
            times.outcome = dict(result.counts)
            await session.rollback()
        if run:
            times.full.append(elapsed)
    await make_due(database, million.campaign_id, step, chosen, step.at)  # as planned again
    return times


async def explain_claim(database: Database) -> str:
    now = utcnow()
    async with database.session() as session:
        if database.is_sqlite:
            query = (
                "EXPLAIN QUERY PLAN SELECT * FROM reminders WHERE status = :s AND due_at <= :n "
                "ORDER BY due_at, id LIMIT 500"
            )
            found = await session.execute(
                text(query), {"s": "pending", "n": now.strftime("%Y-%m-%d %H:%M:%S.%f")}
            )
            return "; ".join(str(row[-1]) for row in found)
        query = (
            "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT * FROM reminders WHERE status = $1 "
            "AND due_at <= $2 ORDER BY due_at, id LIMIT 500 FOR UPDATE SKIP LOCKED"
        )
        connection = await session.connection()
        raw = await connection.get_raw_connection()
        driver = raw.driver_connection
        assert driver is not None
        rows = await driver.fetch(query, "pending", now)
        return "\n".join(f"      {row[0]}" for row in rows)


async def million_figures(
    backend: Backend, sizes: Sizes, figures: Figures, cal: ReminderCalendar
) -> None:
    database = Database(backend.url)
    try:
        million = await seed_million(database, sizes.pending, cal)
        label = f"{million.rows:,} pending"
        idle = await idle_sweeps(database, sizes.runs, cal)
        med, p95 = statistics.median(idle), percentile(idle, 0.95)
        figures.put(
            f"idle sweep, {label}: median / p95 (n={sizes.runs})",
            backend.name,
            f"{ms(med)} / {ms(p95)}",
            "≤ 5 ms",
        )
        print(f"    {verdict(med <= 0.005 and p95 <= 0.005)}")
        batch = await batch_of_500(database, million, sizes.batch_runs, cal)
        for name, values in (
            ("claim_due(now, 500) alone", batch.claim),
            ("claim 500 + close them (one UPDATE)", batch.claim_close),
            ("full sweep batch of 500 member rows", batch.full),
        ):
            med, p95 = statistics.median(values), percentile(values, 0.95)
            figures.put(
                f"{name}: median / p95 (n={sizes.batch_runs})",
                backend.name,
                f"{ms(med)} / {ms(p95)}",
                "≤ 20 ms",
            )
            print(f"    {verdict(p95 <= 0.020)}")
        print(f"    full sweep outcome: {batch.outcome}")
        print(f"    claim query plan:\n      {await explain_claim(database)}")
    finally:
        await database.dispose()


# ---------------------------------------------------------------- start-up of the real bot


def vm_kb(pid: int, key: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return 0


@dataclass(frozen=True)
class StartUp:
    to_polling: float
    rss_mb: float
    hwm_mb: float
    planned_after: float | None  # the plan job's log line, seconds after the process started


def logged_after(output: str, fragment: str, started_wall: float) -> float | None:
    """Seconds from `started_wall` to the first log line containing `fragment`."""
    for line in output.splitlines():
        if fragment in line:
            stamp = datetime.strptime(line[:23], "%Y-%m-%d %H:%M:%S,%f")
            return stamp.timestamp() - started_wall
    return None


def start_up(url: str, folder: Path, settle: float = 12.0) -> StartUp:
    with BotApiStandIn() as standin:
        env = bot_environment(standin, url)
        started, started_wall = time.monotonic(), time.time()
        bot = start_bot(env, folder)
        try:
            first = standin.wait_for_call("getUpdates", timeout=120)
            to_polling = first.at - started
            time.sleep(max(0.0, started + settle - time.monotonic()))
            assert bot.poll() is None, bot.communicate()[0]
            rss, hwm = vm_kb(bot.pid, "VmRSS") / 1024, vm_kb(bot.pid, "VmHWM") / 1024
        finally:
            output = stop(bot)
    return StartUp(to_polling, rss, hwm, logged_after(output, "reminders planned", started_wall))


def stop(bot: "subprocess.Popen[str]") -> str:
    if bot.poll() is None:
        bot.send_signal(signal.SIGINT)
    try:
        return bot.communicate(timeout=60)[0] or ""
    except subprocess.TimeoutExpired:
        bot.kill()
        return bot.communicate()[0] or ""


def start_up_figures(
    backend: Backend, empty_url: str, folder: Path, figures: Figures, rows: int
) -> None:
    empty = start_up(empty_url, folder)
    full = start_up(backend.url, folder)
    figures.put("start-up to first getUpdates: empty db", backend.name, f"{empty.to_polling:.2f} s")
    figures.put(
        f"start-up to first getUpdates: {rows:,} pending",
        backend.name,
        f"{full.to_polling:.2f} s",
        "≤ 10 s",
    )
    print(f"    {verdict(full.to_polling <= 10)}")
    growth = full.rss_mb - empty.rss_mb
    figures.put(
        "VmRSS at 12 s: empty → full (VmHWM)",
        backend.name,
        f"{empty.rss_mb:.0f} → {full.rss_mb:.0f} MB ({empty.hwm_mb:.0f} → {full.hwm_mb:.0f} MB)",
    )
    figures.put("resident memory growth", backend.name, f"{growth:+.1f} MB", "≤ 50 MB")
    print(f"    {verdict(growth <= 50)}")
    planned = "not logged" if full.planned_after is None else f"{full.planned_after:.1f} s"
    figures.put("plan job done (log line), after process start", backend.name, planned)


# ---------------------------------------------------------------- re-planning 100,000 members


async def replan_figures(
    backend: Backend, members: int, figures: Figures, cal: ReminderCalendar
) -> None:
    database = Database(backend.url)
    try:
        await upgrade(database)
        await seed_linked_members(database, members)
        campaign_id = await launched_campaign(database)

        async def plan() -> None:
            async with database.session() as session:
                campaign = await session.get(Campaign, campaign_id)
                assert campaign is not None
                result = await plan_campaign(campaign, calendar=cal, now=utcnow(), session=session)
            print(f"    {result}")

        first = await timed(plan)
        async with database.session() as session:
            campaign = await session.get(Campaign, campaign_id)
            assert campaign is not None
            campaign.registration_deadline += timedelta(days=7)
            milestone = (
                await session.execute(
                    text(
                        "SELECT id FROM campaign_milestones WHERE campaign_id = :c AND position = 2"
                    ),
                    {"c": campaign_id},
                )
            ).scalar_one()
            row = await session.get(CampaignMilestone, milestone)
            assert row is not None
            row.due += timedelta(days=10)
        again = await timed(plan)
        unchanged = await timed(plan)
        figures.put(f"initial plan, {members:,} members", backend.name, f"{first:.1f} s")
        figures.put(
            f"re-plan after a date change, {members:,} members",
            backend.name,
            f"{again:.1f} s",
            "≤ 30 s",
        )
        print(f"    {verdict(again <= 30)}")
        figures.put(
            "re-plan with nothing changed (the hourly job)", backend.name, f"{unchanged:.1f} s"
        )
    finally:
        await database.dispose()


# ---------------------------------------------------------------- lateness through the real bot


async def plant_live(
    database: Database, count: int, spread: float, lead: float
) -> dict[int, datetime]:
    """`count` linked members, one snoozed reminder each, due evenly over `spread` seconds."""
    await upgrade(database)
    chats = await seed_linked_members(database, count)
    campaign_id = await launched_campaign(database)
    step = (await member_steps(database, campaign_id, calendar(), utcnow()))[0]
    first = utcnow() + timedelta(seconds=lead)
    due = {chat: first + timedelta(seconds=spread * n / count) for n, chat in enumerate(chats)}
    async with database.session() as session:
        found = await session.execute(text("SELECT telegram_user_id, id FROM members"))
        ids: dict[int, int] = {int(chat): int(member) for chat, member in found}
        # snoozed: the bot's plan job (5 s after start) leaves their time alone
        session.add_all(
            Reminder(
                campaign_id=campaign_id,
                task=step.task,
                step=step.step,
                audience="member",
                subject_id=ids[chat],
                deadline=step.deadline,
                due_at=at,
                snoozed=True,
            )
            for chat, at in due.items()
        )
    return due


def live_figures(backend: Backend, sizes: Sizes, folder: Path, figures: Figures) -> None:
    limits = SendLimits(overall_per_second=TELEGRAM_RATE, per_chat_per_second=1.0, tolerance=0.01)
    lead = 10.0
    with BotApiStandIn(limits=limits) as standin:
        env = bot_environment(standin, backend.url)
        database = Database(backend.url)

        async def plant() -> dict[int, datetime]:
            try:
                return await plant_live(database, sizes.live, sizes.live_spread, lead)
            finally:
                await database.dispose()

        due = asyncio.run(plant())
        bot = start_bot(env, folder)
        wall = time.time() - time.monotonic()
        deadline = time.monotonic() + lead + sizes.live_spread + 120
        received: dict[int, float] = {}
        while time.monotonic() < deadline and len(received) < len(due):
            for call in standin.calls("sendMessage"):
                chat = int(call.params.get("chat_id", 0))
                if call.status == 200 and chat in due and chat not in received:
                    received[chat] = call.at + wall
            time.sleep(0.5)
        output = stop(bot)
    delays = [received[chat] - at.timestamp() for chat, at in due.items() if chat in received]
    missing = len(due) - len(delays)
    within = sum(1 for d in delays if d <= 60) / len(due)
    rate = len(due) / sizes.live_spread
    figures.put(
        f"{len(due):,} reminders due over {sizes.live_spread:.0f} s ({rate:.1f}/s): "
        "delay p50 / p99 / max",
        backend.name,
        f"{statistics.median(delays):.1f} / {percentile(delays, 0.99):.1f} / {max(delays):.1f} s"
        if delays
        else "none sent",
    )
    figures.put(
        "sent within 60 s of due", backend.name, f"{within:.1%} (not sent: {missing})", "≥ 99%"
    )
    print(f"    {verdict(within >= 0.99)}")
    if missing:
        print(output[-3000:])


# ---------------------------------------------------------------- main


def backends(folder: Path, postgres: str | None) -> list[Backend]:
    found = [Backend("SQLite", f"sqlite+aiosqlite:///{folder / 'million.db'}")]
    if postgres:
        found.append(Backend("PostgreSQL", asyncio.run(recreate_pg_database(postgres, PG_NAME))))
    return found


def fresh(backend: Backend, folder: Path, postgres: str | None, name: str) -> Backend:
    if backend.is_sqlite:
        return Backend(backend.name, f"sqlite+aiosqlite:///{folder / (name + '.db')}")
    assert postgres is not None
    return Backend(backend.name, asyncio.run(recreate_pg_database(postgres, f"{PG_NAME}_{name}")))


def summary(figures: Figures, names: list[str]) -> None:
    print("\nsummary")
    header = f"{'figure':<70} {'target':>9}  " + "  ".join(f"{n:>30}" for n in names)
    print(header)
    print("-" * len(header))
    for name, values in figures.rows.items():
        print(
            f"{name[:70]:<70} {figures.targets.get(name, ''):>9}  "
            + "  ".join(f"{values.get(n, '—'):>30}" for n in names)
        )


def main(sizes: Sizes, postgres: str | None) -> None:
    print(f"machine: {machine()}", flush=True)
    started = time.monotonic()
    cal = calendar()
    figures = Figures()
    extra = ("empty", "replan", "live")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        chosen = backends(folder, postgres)
        try:
            for backend in chosen:
                print(f"\n== {backend.name}", flush=True)
                print("1M rows: idle sweep and batches of 500", flush=True)
                asyncio.run(million_figures(backend, sizes, figures, cal))
                print("start-up of `thidua run`", flush=True)
                empty = fresh(backend, folder, postgres, "empty")
                start_up_figures(backend, empty.url, folder, figures, sizes.pending)
                print("re-planning", flush=True)
                asyncio.run(
                    replan_figures(
                        fresh(backend, folder, postgres, "replan"),
                        sizes.replan_members,
                        figures,
                        cal,
                    )
                )
                print(
                    "lateness through the real bot (THIDUA_REMINDER_SWEEP_SECONDS default 15)",
                    flush=True,
                )
                live_figures(fresh(backend, folder, postgres, "live"), sizes, folder, figures)
        finally:
            if postgres:
                for name in (PG_NAME, *(f"{PG_NAME}_{n}" for n in extra)):
                    asyncio.run(drop_pg_database(postgres, name))
    summary(figures, [b.name for b in chosen])
    print(f"\nbench time: {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="100k rows, 10k members, 300 live")
    parser.add_argument("--postgres", default=os.environ.get("TEST_DATABASE_URL", PG_SERVER))
    parser.add_argument("--no-postgres", action="store_true")
    options = parser.parse_args()
    main(QUICK if options.quick else Sizes(), None if options.no_postgres else options.postgres)
