"""What the per-update log line and metrics cost, and how long a /metrics scrape takes.

The observation wraps every update (timing, one `key=value` line through the redacting filter,
a counter and a histogram), so its cost is paid on every tap; it should stay far below the ~5 ms
of our own work per update (docs/benchmarks.md, update throughput).

    python -m bench.observability [--updates 20000] [--handlers 60]
"""

import argparse
import asyncio
import io
import logging
import time

from telegram import Update

from bench.throughput import machine, updates_for
from bot.log_format import make_handler
from bot.metrics import Metrics
from bot.observability import observe_update, traced


async def _noop(_update: object, _context: object) -> None:
    return None


async def per_update_cost(updates: list[Update], log_format: str) -> tuple[float, float]:
    """(µs per update bare, µs per update observed): the same awaited no-op callback."""
    logger = logging.getLogger("thidua.updates")
    logger.handlers = [make_handler(log_format, io.StringIO())]
    logger.propagate = False
    logger.setLevel(logging.INFO)
    metrics = Metrics()
    callback = traced(_noop, "help.show_help")

    start = time.perf_counter()
    for update in updates:
        await _noop(update, None)
    bare = time.perf_counter() - start

    start = time.perf_counter()
    for update in updates:
        async with observe_update(update, metrics):
            await callback(update, None)
    observed = time.perf_counter() - start
    count = len(updates)
    return bare / count * 1e6, observed / count * 1e6


def scrape_cost(handlers: int, rounds: int = 50) -> tuple[float, int]:
    """(ms per /metrics exposition, bytes) with `handlers` handlers that have each seen updates."""
    metrics = Metrics()
    for index in range(handlers):
        for kind in ("command", "callback", "text"):
            metrics.record_update(
                kind=kind, handler=f"module.handler_{index}", ok=True, seconds=0.01
            )
    start = time.perf_counter()
    for _ in range(rounds):
        body = metrics.exposition()
    return (time.perf_counter() - start) / rounds * 1000, len(body)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--updates", type=int, default=20000)
    parser.add_argument("--handlers", type=int, default=60)
    args = parser.parse_args()
    updates = [Update.de_json(raw, None) for raw in updates_for(args.updates, 7001, "/help")]
    print(f"machine: {machine()}")
    for log_format in ("text", "json"):
        bare, observed = asyncio.run(per_update_cost(updates, log_format))
        print(
            f"{log_format:>4} log: {observed - bare:6.1f} µs per update for the log line and"
            f" metrics ({args.updates} updates; bare loop {bare:.1f} µs)"
        )
    millis, size = scrape_cost(args.handlers)
    print(f"/metrics with {args.handlers} handlers × 3 kinds: {millis:.2f} ms, {size:,} bytes")


if __name__ == "__main__":
    main()
