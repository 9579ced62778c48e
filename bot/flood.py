"""Per-person flood control: a token bucket for each sender, and when to tell them politely.

Pure logic with no clock of its own (callers pass `now`, seconds from any monotonic clock), so
it is tested with a fake clock and decides before any database work is done.

Each person has a bucket of `burst` tokens that refills at `rate` tokens per second; every
update they send takes one. An update that finds the bucket empty is dropped. The first drop
tells the person once; later drops stay silent until `notice_cooldown` seconds have passed, so
a flood of 50 messages yields one notice, not 50.
"""

from dataclasses import dataclass
from enum import Enum

# A flooder gets at most one notice in this many seconds.
NOTICE_COOLDOWN = 30.0
# Buckets are forgotten once full again (a full bucket is the same as a new one); the sweep
# runs after this many decisions, so memory follows the people active in the last few seconds.
SWEEP_EVERY = 1000


class Verdict(Enum):
    """What to do with one update."""

    ALLOW = "allow"
    DROP_AND_NOTIFY = "drop_and_notify"  # drop it and tell the person (once per cooldown)
    DROP = "drop"  # drop it silently: they were told recently


@dataclass(frozen=True)
class FloodLimits:
    """How many updates a person may send at once (`burst`) and per second after that."""

    burst: int = 10
    rate: float = 1.0
    boosted_burst: int = 20  # for operators listed in THIDUA_ADMIN_IDS
    notice_cooldown: float = NOTICE_COOLDOWN

    def __post_init__(self) -> None:
        if self.burst < 1 or self.boosted_burst < 1:
            raise ValueError("burst must be at least 1")
        if self.rate <= 0:
            raise ValueError("rate must be positive")
        if self.notice_cooldown < 0:
            raise ValueError("notice_cooldown must not be negative")


@dataclass
class _Bucket:
    tokens: float
    updated: float
    capacity: int
    notice_after: float  # no notice before this time


class FloodLimiter:
    """Decides, per sender key, whether an update goes ahead; keeps counts for logs and tests."""

    def __init__(self, limits: FloodLimits, boosted: frozenset[int] = frozenset()) -> None:
        self.limits = limits
        self.boosted = boosted
        self._buckets: dict[int, _Bucket] = {}
        self._decisions = 0
        self.allowed = 0
        self.dropped = 0
        self.notices = 0

    def check(self, key: int, now: float) -> Verdict:
        """Take a token for `key` at time `now`, or say how to drop the update."""
        self._decisions += 1
        if self._decisions % SWEEP_EVERY == 0:
            self.forget_idle(now)
        bucket = self._buckets.get(key)
        if bucket is None:
            capacity = self.limits.boosted_burst if key in self.boosted else self.limits.burst
            bucket = _Bucket(tokens=capacity, updated=now, capacity=capacity, notice_after=now)
            self._buckets[key] = bucket
        else:
            elapsed = max(0.0, now - bucket.updated)  # a clock that steps back adds nothing
            bucket.tokens = min(bucket.capacity, bucket.tokens + elapsed * self.limits.rate)
            bucket.updated = max(bucket.updated, now)
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            self.allowed += 1
            return Verdict.ALLOW
        self.dropped += 1
        if now >= bucket.notice_after:
            bucket.notice_after = now + self.limits.notice_cooldown
            self.notices += 1
            return Verdict.DROP_AND_NOTIFY
        return Verdict.DROP

    def tokens(self, key: int, now: float) -> float:
        """Tokens `key` would have at `now` (for tests and logs; changes nothing)."""
        bucket = self._buckets.get(key)
        if bucket is None:
            return float(self.limits.boosted_burst if key in self.boosted else self.limits.burst)
        elapsed = max(0.0, now - bucket.updated)
        return min(bucket.capacity, bucket.tokens + elapsed * self.limits.rate)

    def forget_idle(self, now: float) -> None:
        """Drop buckets that are full again and whose notice cooldown is over."""
        self._buckets = {
            key: bucket
            for key, bucket in self._buckets.items()
            if self.tokens(key, now) < bucket.capacity or now < bucket.notice_after
        }

    def __len__(self) -> int:
        return len(self._buckets)
