"""Telegram's send limits as a schedule: ~30 messages/s overall, 1/s per chat, 20/min per group.

Pure timing, no I/O, so it is tested without a clock of its own: callers pass `now`.
"""

from collections import deque
from dataclasses import dataclass, field


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
    _last_to_chat: dict[int, float] = field(default_factory=dict)
    _group_sends: dict[int, deque[float]] = field(default_factory=dict)

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
        """The earliest time any message may go: the overall rate and any 429 pause."""
        return max(now, self._next_slot, self._paused_until)

    def record_send(self, chat_id: int, at: float) -> None:
        self._next_slot = max(self._next_slot, at) + 1.0 / self.limits.overall_per_second
        if chat_id < 0:
            sends = self._group_sends.setdefault(chat_id, deque())
            sends.append(at)
            while sends and sends[0] <= at - 60.0:
                sends.popleft()
        else:
            self._last_to_chat[chat_id] = at
        if len(self._last_to_chat) > 50_000:  # forget chats whose interval has long passed
            cutoff = at - self.limits.per_chat_interval
            self._last_to_chat = {c: t for c, t in self._last_to_chat.items() if t > cutoff}

    def pause(self, seconds: float, now: float) -> None:
        """Telegram said retry_after: nothing is sent to anyone before it has passed."""
        self._paused_until = max(self._paused_until, now + seconds)
