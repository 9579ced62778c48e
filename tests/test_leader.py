"""The leader lock in-process: one holder at a time, the holder named to the standby, a lock
that is gone is noticed (and the leader steps down), and a PostgreSQL leader whose connection
breaks takes its lock again unless another instance has it by then.

The whole-process behaviour (kill -9, takeover) is in test_standby.py.
"""

import asyncio
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from bot.leader import (
    AdvisoryLock,
    FileLock,
    Leadership,
    LockState,
    LockUnavailable,
    NoLock,
    lock_for,
)
from tests.support.scratch_db import scratch_database


def test_one_file_lock_holder_at_a_time(tmp_path: Path) -> None:
    path = tmp_path / "thidua.db.lock"
    first, second = FileLock(path, "thidua host-a pid 1"), FileLock(path, "thidua host-b pid 2")
    assert first.try_acquire()
    assert not second.try_acquire()
    assert second.holder() == "thidua host-a pid 1"
    assert first.check() is LockState.HELD
    first.release()
    assert second.try_acquire()
    assert first.holder() == "thidua host-b pid 2"
    second.release()


def test_a_replaced_lock_file_is_a_lost_lock(tmp_path: Path) -> None:
    path = tmp_path / "thidua.db.lock"
    lock = FileLock(path)
    assert lock.try_acquire()
    path.unlink()  # someone deleted it: another instance could now lock a new file
    assert lock.check() is LockState.LOST
    path.write_text("", encoding="utf-8")
    assert lock.check() is LockState.LOST
    lock.release()


def test_the_leader_steps_down_when_its_lock_is_lost(tmp_path: Path) -> None:
    path = tmp_path / "thidua.db.lock"
    leadership = Leadership(FileLock(path), retry_seconds=0.2)
    assert leadership.wait()
    stepped_down = threading.Event()
    leadership.watch(on_lost=stepped_down.set)
    path.unlink()
    assert stepped_down.wait(timeout=10)
    assert leadership.lost
    leadership.release()


def test_an_unusable_database_folder_is_one_clear_error_at_start(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'khong-co' / 'thidua.db'}"
    leadership = Leadership(lock_for(url), retry_seconds=0.2)
    with pytest.raises(LockUnavailable) as raised:
        leadership.wait()
    assert raised.value.params["url"] == url
    assert "thidua.db.lock" in str(raised.value.params["reason"])


def test_lock_for_each_database() -> None:
    assert isinstance(lock_for("sqlite+aiosqlite:///./thidua.db"), FileLock)
    assert isinstance(lock_for("sqlite+aiosqlite:///:memory:"), NoLock)
    postgres = lock_for("postgresql+asyncpg://thidua:secret@db.example.internal/thidua")
    assert isinstance(postgres, AdvisoryLock)
    assert "secret" not in postgres.description


@pytest.fixture
def postgres_url() -> Iterator[str]:
    server = os.environ.get("TEST_DATABASE_URL")
    if not server:
        pytest.skip("PostgreSQL tests need TEST_DATABASE_URL (CI sets it)")
    with scratch_database(server, "leader") as url:
        yield url


async def _terminate(url: str, application_name: str) -> None:
    """What a database restart or a network cut does to one session."""
    engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE application_name = :name AND datname = current_database()"
                ),
                {"name": application_name},
            )
    finally:
        await engine.dispose()


def test_postgresql_advisory_lock(postgres_url: str) -> None:
    first = AdvisoryLock(postgres_url, "thidua host-a pid 1")
    second = AdvisoryLock(postgres_url, "thidua host-b pid 2")
    try:
        assert first.try_acquire()
        assert not second.try_acquire()
        assert second.holder().startswith("thidua host-a pid 1 (server pid ")
        assert first.check() is LockState.HELD

        # The leader's session ends, nobody else is quicker: it reconnects and keeps leading.
        asyncio.run(_terminate(postgres_url, "thidua host-a pid 1"))
        assert first.check() is LockState.HELD
        assert not second.try_acquire()

        # Its session ends again and the standby takes the lock first: the leader must step down.
        asyncio.run(_terminate(postgres_url, "thidua host-a pid 1"))
        assert second.try_acquire()
        assert first.check() is LockState.LOST
    finally:
        first.release()
        second.release()
