"""Liveness and the database-backed gauges, refreshed by a job inside the bot's event loop.

Why a job and not a query per scrape: the HTTP endpoint runs in its own thread and must never
touch the database (the engine belongs to the event loop). The job proves the loop is alive by
running at all, checks that the database answers, and stores outbox depth and reminders due in
the gauges; `/healthz` only reads what the job last wrote.
"""

import asyncio
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import text
from telegram.ext import Application, ContextTypes

from bot.metrics import Metrics
from storage import outbox, reminders
from storage.database import Database
from storage.types import utcnow

log = logging.getLogger("thidua.health")

REFRESH_SECONDS = 5.0
DATABASE_TIMEOUT_SECONDS = 3.0
STALE_AFTER_SECONDS = 20.0  # four missed refreshes: the event loop is stuck or gone


class Health:
    """The last refresh's findings; written in the event loop, read by the HTTP thread."""

    def __init__(
        self,
        *,
        stale_after: float = STALE_AFTER_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stale_after = stale_after
        self.clock = clock
        self._lock = threading.Lock()
        self._last_beat: float | None = None
        self._database: str = "unknown"  # "ok", "unavailable" or "unknown" before the first check
        self._outbox_depth: int | None = None
        self._reminders_due: int | None = None

    def beat(self) -> None:
        with self._lock:
            self._last_beat = self.clock()

    def database_answered(self, *, outbox_depth: int, reminders_due: int) -> None:
        with self._lock:
            self._database = "ok"
            self._outbox_depth, self._reminders_due = outbox_depth, reminders_due

    def database_failed(self) -> None:
        with self._lock:
            self._database = "unavailable"

    @property
    def database_state(self) -> str:
        return self._database

    def report(self) -> tuple[bool, dict[str, Any]]:
        """(healthy, the JSON body of /healthz)."""
        with self._lock:
            beat, database = self._last_beat, self._database
            depth, due = self._outbox_depth, self._reminders_due
        age = None if beat is None else self.clock() - beat
        loop_alive = age is not None and age <= self.stale_after
        healthy = loop_alive and database == "ok"
        body: dict[str, Any] = {
            "status": "ok" if healthy else "unavailable",
            "database": database,
            "loop": "ok" if loop_alive else ("starting" if beat is None else "stalled"),
            "last_check_seconds_ago": None if age is None else round(age, 1),
            "outbox_depth": depth,
            "reminders_due": due,
        }
        return healthy, body


async def refresh(
    health: Health,
    database: Database,
    metrics: Metrics,
    *,
    wait_seconds: float = DATABASE_TIMEOUT_SECONDS,
) -> None:
    """One health check: beat, then ask the database; never raises, never waits longer."""
    health.beat()
    before = health.database_state
    try:
        depth, due = await asyncio.wait_for(_read_gauges(database), wait_seconds)
    except Exception as exc:  # any failure means "the database does not answer"
        health.database_failed()
        metrics.database_up.set(0)
        if before != "unavailable":  # once per outage, not every refresh
            log.warning("health check: the database does not answer: %s", _first_line(exc))
        return
    if before == "unavailable":
        log.info("health check: the database answers again")
    health.database_answered(outbox_depth=depth, reminders_due=due)
    metrics.database_up.set(1)
    metrics.outbox_depth.set(depth)
    metrics.reminders_due.set(due)


async def _read_gauges(database: Database) -> tuple[int, int]:
    async with database.session() as session:
        await session.execute(text("SELECT 1"))
        depth = await outbox.pending_count(session=session)
        due = await reminders.due_count(utcnow(), session=session)
    return depth, due


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def schedule_refresh(
    application: Application[Any, Any, Any, Any, Any, Any],
    health: Health,
    database: Database,
    metrics: Metrics,
    *,
    interval: float = REFRESH_SECONDS,
) -> None:
    """Run `refresh` now and every `interval` seconds in the bot's job queue."""
    if application.job_queue is None:
        raise RuntimeError(
            "the health check needs PTB's job queue (python-telegram-bot[job-queue])"
        )

    async def job(_context: ContextTypes.DEFAULT_TYPE) -> None:
        await refresh(health, database, metrics)

    application.job_queue.run_repeating(
        job, interval=interval, first=0, name="health-check", job_kwargs={"max_instances": 1}
    )
