"""Telegram's send limits as a schedule: ~30 messages/s overall, 1/s per chat, 20/min per group.

Pure timing, no I/O, so it is tested without a clock of its own: callers pass `now`.
The overall rate is kept two ways: slots 1/rate apart, scheduled from the previous slot rather
than from the moment the send happened (so per-send overhead never accumulates into a slower
pace), and a sliding window that never lets more than `rate` sends fall within one second.
"""

import math
from collections import deque
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

# How far behind schedule the sender may catch up in a burst, in slots.
CATCH_UP_SLOTS = 2
# Margin added to the one-second window for clock jitter between us and Telegram.
WINDOW_MARGIN = 0.005
# Slots per second the dispatcher leaves free for replies to people, which never wait.
REPLY_HEADROOM = 1


@dataclass(frozen=True)
class SendLimits:
    overall_per_second: float = 30.0
    per_chat_interval: float = 1.0  # seconds between two messages to one private chat
    group_per_minute: int = 20


@dataclass
class Pacer:
    """When the next message may go, overall and to a given chat; and pauses after a 429."""

    limits: SendLimits = field(default_factory=SendLimits)
    _next_slot: float = 0.0
    _paused_until: float = 0.0
    _recent: deque[float] = field(default_factory=deque)  # every send, replies included
    _own: deque[float] = field(default_factory=deque)  # the dispatcher's sends only
    _last_to_chat: dict[int, float] = field(default_factory=dict)
    _group_sends: dict[int, deque[float]] = field(default_factory=dict)

    @property
    def interval(self) -> float:
        return 1.0 / self.limits.overall_per_second

    @property
    def window_size(self) -> int:
        return max(1, math.floor(self.limits.overall_per_second))

    def chat_ready_at(self, chat_id: int, now: float) -> float:
        """The earliest time a message to `chat_id` respects the per-chat and group limits."""
        if chat_id < 0:
            sends = self._group_sends.get(chat_id)
            if sends and len(sends) >= self.limits.group_per_minute:
                return max(now, sends[0] + 60.0)
            return now
        last = self._last_to_chat.get(chat_id)
        return now if last is None else max(now, last + self.limits.per_chat_interval)

    def next_slot(self, now: float) -> float:
        """The earliest time the dispatcher may send: its rate, two one-second windows (its own
        sends at most `rate` less the replies' headroom; all sends at most `rate`), any pause."""
        own_allowed = self.window_size - REPLY_HEADROOM if self.window_size > 2 else 1
        return max(
            now,
            self._next_slot,
            self._paused_until,
            _window_open(self._own, own_allowed),
            _window_open(self._recent, self.window_size),
        )

    def paused_for(self, now: float) -> float:
        """Seconds left of a 429 pause (replies to people wait this out too)."""
        return max(0.0, self._paused_until - now)

    def record_send(self, chat_id: int, at: float, completed_at: float | None = None) -> None:
        """`at`: when the send was started (the rate's slots follow it, without drift).
        `completed_at`: when Telegram answered; never before the request arrived there, so the
        one-second window and the per-chat spacing counted from it hold at Telegram's end too,
        however long a request spent on the way."""
        done = at if completed_at is None else completed_at
        self._take_slot(at, done)
        if chat_id < 0:
            sends = self._group_sends.setdefault(chat_id, deque())
            sends.append(done)
            while sends and sends[0] <= done - 60.0:
                sends.popleft()
        else:
            self._last_to_chat[chat_id] = done
        if len(self._last_to_chat) > 50_000:  # forget chats whose interval has long passed
            cutoff = done - self.limits.per_chat_interval
            self._last_to_chat = {c: t for c, t in self._last_to_chat.items() if t > cutoff}

    def begin_external(self, at: float) -> None:
        """A reply to a person is about to go: it never waits, and counts in the shared window
        at once (while in flight), taking the headroom the dispatcher leaves free."""
        self._recent.append(at)
        while len(self._recent) > self.window_size:
            self._recent.popleft()

    def end_external(self, started: float, completed: float) -> None:
        """The reply was answered: count it in the window from its completion, like any send."""
        for index in range(len(self._recent) - 1, -1, -1):
            if self._recent[index] == started:
                self._recent[index] = completed
                break

    def pause(self, seconds: float, now: float) -> None:
        """Telegram said retry_after: nothing is sent to anyone before it has passed."""
        self._paused_until = max(self._paused_until, now + seconds)

    def _take_slot(self, at: float, done: float) -> None:
        base = max(self._next_slot, at - CATCH_UP_SLOTS * self.interval)
        self._next_slot = base + self.interval
        for window in (self._recent, self._own):
            window.append(done)
            while len(window) > self.window_size:
                window.popleft()


def _window_open(sends: deque[float], allowed: int) -> float:
    """When one more send keeps at most `allowed` sends within any one second."""
    if len(sends) < allowed:
        return 0.0
    return sends[-allowed] + 1.0 + WINDOW_MARGIN


def retry_seconds(retry_after: Any) -> float:
    """PTB gives retry_after as an int, or as a timedelta when PTB_TIMEDELTA is set."""
    if isinstance(retry_after, timedelta):
        return retry_after.total_seconds()
    return float(retry_after)
