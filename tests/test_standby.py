"""Active and standby: two real `thidua run` processes on one database. Only the holder of the
leader lock talks to Telegram; after `kill -9` of the active one, the standby takes over and
answers within 30 s. SQLite always (a flock on `<db>.lock`); PostgreSQL (an advisory lock)
when TEST_DATABASE_URL is set.
"""

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.scratch_db import scratch_database
from tests.support.standby import Instance, start_instance

pytestmark = pytest.mark.e2e

TAKEOVER_LIMIT = 30.0  # seconds, from the issue


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'thidua.db'}"
        return
    server = os.environ.get("TEST_DATABASE_URL")
    if not server:
        pytest.skip("PostgreSQL tests need TEST_DATABASE_URL (CI sets it)")
    with scratch_database(server, "standby") as url:
        yield url


def test_only_the_leader_polls_and_the_standby_takes_over_after_kill_9(
    database_url: str, tmp_path: Path
) -> None:
    instances: list[Instance] = []
    try:
        active = start_instance(database_url, tmp_path)
        instances.append(active)
        active.answers(timeout=120)  # migrated, polling and answering
        standby = start_instance(database_url, tmp_path)
        instances.append(standby)
        standby.wait_output("standing by")

        # While the active one lives, the standby stays silent towards Telegram.
        polls_before = len(active.standin.calls("getUpdates"))
        active.answers()
        time.sleep(2.5)  # more than two standby retries (THIDUA_STANDBY_RETRY_SECONDS=1)
        assert standby.standin.calls() == [], "a standby must not call the Bot API at all"
        assert len(active.standin.calls("getUpdates")) > polls_before
        assert standby.process.poll() is None

        active.kill()
        killed_at = time.monotonic()
        # Functional: the standby answers a new update (waiting at most the 30 s).
        answered_at = standby.answers(timeout=TAKEOVER_LIMIT)
        print(f"standby takeover after kill -9: {answered_at - killed_at:.2f} s")  # see docs
        standby.wait_output("took over as the active instance")
        assert standby.standin.calls("getUpdates"), "the new leader polls"
    finally:
        codes = [instance.stop() for instance in instances]
        for name, instance in zip("AB", instances, strict=False):
            print(f"--- instance {name} (exit status {instance.process.returncode}):")
            print(instance.output)
    assert codes[-1] == 0, instances[-1].output
    for instance in instances:
        assert instance.standin.errors == []


def test_a_standby_stops_quietly_on_ctrl_c(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'thidua.db'}"
    active = start_instance(url, tmp_path)
    standby: Instance | None = None
    try:
        active.answers(timeout=120)  # it holds the lock before the standby starts
        standby = start_instance(url, tmp_path)
        standby.wait_output("standing by")
    finally:
        standby_code = standby.stop() if standby is not None else None
        active_code = active.stop()
    assert standby is not None
    assert standby_code == 0, standby.output
    assert "stopped while standing by" in standby.output
    assert "Traceback" not in standby.output
    assert active_code == 0, active.output
