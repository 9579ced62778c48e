"""The bot's Prometheus metrics, in a registry of its own (one per application).

Why a registry per application rather than the global one: tests build many applications in one
process, and each must count from zero; `thidua run` builds exactly one.
"""

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.exposition import generate_latest

from storage.campaign_models import OutboxStatus

# Handler latency buckets (seconds): replies should take well under a second.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

SEND_RESULTS = {
    OutboxStatus.SENT: "sent",
    OutboxStatus.PENDING: "retried",  # a 429, timeout or 5xx: the row waits and is tried again
    OutboxStatus.FAILED: "failed",
    OutboxStatus.UNREACHABLE: "blocked",  # 403: the person blocked the bot
}


class Metrics:
    """Counters the handlers and the outbox feed; gauges the health job refreshes."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.updates = Counter(
            "thidua_updates",
            "Updates handled, by kind of update, handler and outcome (ok or error).",
            ["kind", "handler", "outcome"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "thidua_handler_latency_seconds",
            "Time from receiving an update to having handled it, by handler.",
            ["handler"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.sends = Counter(
            "thidua_outbox_sends",
            "Outbox send attempts by result: sent, retried, failed, blocked.",
            ["result"],
            registry=self.registry,
        )
        for result in SEND_RESULTS.values():
            self.sends.labels(result=result)  # exported as 0 before the first send
        self.outbox_depth = Gauge(
            "thidua_outbox_depth",
            "Outbox messages waiting to be sent (pending or in flight).",
            registry=self.registry,
        )
        self.reminders_due = Gauge(
            "thidua_reminders_due",
            "Reminders whose time has come and that are not sent yet.",
            registry=self.registry,
        )
        self.database_up = Gauge(
            "thidua_database_up",
            "1 if the database answered the last health check, else 0.",
            registry=self.registry,
        )

    def record_update(self, *, kind: str, handler: str, ok: bool, seconds: float) -> None:
        self.updates.labels(kind=kind, handler=handler, outcome="ok" if ok else "error").inc()
        self.latency.labels(handler=handler).observe(seconds)

    def record_send(self, status: OutboxStatus) -> None:
        """Called by the outbox dispatcher once per settled send attempt."""
        result = SEND_RESULTS.get(status)
        if result is not None:
            self.sends.labels(result=result).inc()

    def exposition(self) -> bytes:
        """The text format Prometheus scrapes."""
        return generate_latest(self.registry)
