"""Standby takeover time: how long after `kill -9` of the active `thidua run` the standby
answers an update, over several kills in a row (each survivor gets a new standby).

Real processes on one database, each with its own local Bot API stand-in (tests/support/
standby.py). The clock runs from the kill to the standby's answer to an update queued right
after the kill: lock retry + migration check + bot start-up + first poll.

    python -m bench.takeover [--kills 5] [--retry 5] [--postgres]
"""

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from bench.throughput import machine
from tests.support.scratch_db import scratch_database
from tests.support.standby import Instance, start_instance


def measure(database_url: str, workdir: Path, kills: int, retry: float) -> list[float]:
    """Seconds from each kill to the standby's first answer."""
    times: list[float] = []
    instances: list[Instance] = []
    try:
        active = start_instance(database_url, workdir, retry_seconds=retry)
        instances.append(active)
        active.answers(timeout=120)
        for _ in range(kills):
            standby = start_instance(database_url, workdir, retry_seconds=retry)
            instances.append(standby)
            standby.wait_output("standing by", timeout=120)
            time.sleep(retry)  # the standby is in its retry rhythm, as in production
            active.kill()
            killed_at = time.monotonic()
            times.append(standby.answers(timeout=120) - killed_at)
            active = standby
    finally:
        for instance in instances:
            instance.stop()
    return times


def report(name: str, times: list[float]) -> None:
    print(
        f"{name}: {len(times)} kills, takeover p50 {statistics.median(times):.2f} s, "
        f"max {max(times):.2f} s (each: {', '.join(f'{t:.2f}' for t in times)})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=5)
    parser.add_argument("--retry", type=float, default=5.0, help="THIDUA_STANDBY_RETRY_SECONDS")
    parser.add_argument("--postgres", action="store_true", help="also on TEST_DATABASE_URL")
    args = parser.parse_args()
    print(f"machine: {machine()}")
    print(f"THIDUA_STANDBY_RETRY_SECONDS={args.retry:g}")
    with tempfile.TemporaryDirectory() as folder:
        workdir = Path(folder)
        sqlite_url = f"sqlite+aiosqlite:///{workdir / 'thidua.db'}"
        report("SQLite", measure(sqlite_url, workdir, args.kills, args.retry))
        server = os.environ.get("TEST_DATABASE_URL")
        if args.postgres and server:
            with scratch_database(server, "takeover") as url:
                report("PostgreSQL", measure(url, workdir, args.kills, args.retry))


if __name__ == "__main__":
    main()
