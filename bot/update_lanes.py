"""The update processor: one lane per person, several people at once, flood control first.

Why: PTB's default handles one update at a time, so one person sending 50 messages a second
would make everyone else wait behind them. Here each person's updates still run one after
another in the order they arrived (chat flows depend on it), while different people run side by
side, at most `work_slots` at once (each holds a database session). Before any of that the flood
limiter decides whether the update is handled at all, so a flood costs no database work: a
dropped update only has its button answered, and the person gets one notice per cooldown.
"""

import asyncio
import inspect
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from bot.flood import FloodLimiter, FloodLimits, Verdict
from bot.settings import Settings

log = logging.getLogger(__name__)

# People handled at the same time; each holds one database session while its update runs.
WORK_SLOTS = 8
# Updates PTB may have in flight (handled, waiting in a lane, or being dropped).
MAX_TASKS = 1024
# Operators named in THIDUA_ADMIN_IDS may send this many times the burst (see docs/security.md).
ADMIN_BURST_FACTOR = 2


class DropResponder(Protocol):
    """What happens to a dropped update: answer its button; tell the person (in their lane)."""

    async def answer_dropped(self, update: Update) -> None: ...

    async def notify(self, update: Update) -> None: ...


@dataclass
class _Lane:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    users: int = 0  # tasks holding or waiting for the lock; the lane is removed at 0


class PersonLanes(BaseUpdateProcessor):
    """Per-person ordering, cross-person concurrency, and flood control before any work."""

    def __init__(
        self,
        limiter: FloodLimiter,
        *,
        work_slots: int = WORK_SLOTS,
        max_tasks: int = MAX_TASKS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(max_tasks)
        self.limiter = limiter
        self.clock = clock
        self.responder: DropResponder | None = None
        self._work = asyncio.Semaphore(work_slots)
        self._lanes: dict[int, _Lane] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = lane_key(update)
        if key is not None and isinstance(update, Update) and is_limited(update):
            verdict = self.limiter.check(key, self.clock())
            if verdict is not Verdict.ALLOW:
                _discard(coroutine)
                await self._drop(update, key, verdict)
                return
        async with self._in_lane(key):
            await coroutine

    async def _drop(self, update: Update, key: int, verdict: Verdict) -> None:
        if verdict is Verdict.DROP_AND_NOTIFY:
            log.warning(
                "flood: update %s from %s dropped (over %d at once, %g/s); notice sent",
                update.update_id,
                key,
                self.limiter.limits.burst,
                self.limiter.limits.rate,
            )
        else:
            log.debug("flood: update %s from %s dropped", update.update_id, key)
        if self.responder is None:
            return
        await self.responder.answer_dropped(update)
        if verdict is Verdict.DROP_AND_NOTIFY:
            async with self._in_lane(key):  # after the replies to what they sent before
                await self.responder.notify(update)

    @asynccontextmanager
    async def _in_lane(self, key: int | None) -> AsyncIterator[None]:
        """Wait for the person's earlier updates, then for a free work slot."""
        if key is None:
            async with self._work:
                yield
            return
        lane = self._lanes.get(key)
        if lane is None:
            lane = self._lanes[key] = _Lane()
        lane.users += 1
        try:
            async with lane.lock, self._work:
                yield
        finally:
            lane.users -= 1
            if lane.users == 0:
                del self._lanes[key]

    @property
    def busy_lanes(self) -> int:
        """People with an update running or waiting (for tests and metrics)."""
        return len(self._lanes)

    async def initialize(self) -> None:
        """Nothing to allocate: lanes appear with the first update of each person."""

    async def shutdown(self) -> None:
        """Nothing to free: PTB waits for the running updates itself."""


def lane_key(update: object) -> int | None:
    """The sender's Telegram id; the chat's id when there is no sender; else no lane."""
    if not isinstance(update, Update):
        return None
    if update.effective_user is not None:
        return update.effective_user.id
    if update.effective_chat is not None:
        return update.effective_chat.id
    return None


def is_limited(update: Update) -> bool:
    """What a person sends counts against their bucket; membership changes and the like do not
    (a block or unblock must never be dropped)."""
    return (
        update.message is not None
        or update.edited_message is not None
        or update.callback_query is not None
        or update.inline_query is not None
    )


def lanes_for(settings: Settings) -> PersonLanes:
    """The processor `thidua run` uses, with the flood limits from the settings."""
    limits = FloodLimits(
        burst=settings.flood_burst,
        rate=settings.flood_rate,
        boosted_burst=settings.flood_burst * ADMIN_BURST_FACTOR,
    )
    return PersonLanes(FloodLimiter(limits, frozenset(settings.admin_ids)))


def _discard(coroutine: Awaitable[Any]) -> None:
    """The update will not be handled: close its never-started coroutine quietly."""
    if inspect.iscoroutine(coroutine):
        coroutine.close()
