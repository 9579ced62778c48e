"""`thidua db backup` and `thidua db restore` as an operator uses them: a backup taken while a
write is in progress holds exactly the committed data, a restore brings every row back, and the
restored database is at the head revision. A restore refuses to pull the database from under a
running bot without --force, and refuses files that are not backups of this bot.

SQLite always; PostgreSQL (pg_dump/pg_restore on scratch databases) when TEST_DATABASE_URL is
set.
"""

import asyncio
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import MetaData, select
from sqlalchemy.engine import Connection

from bot.cli import main
from bot.leader import AdvisoryLock, FileLock
from storage.database import Database
from storage.migrate import head_revision, upgrade
from tests.support.pledge_seed import seed_launched
from tests.support.scratch_db import scratch_database

HEAD = head_revision()
POSTGRES_SERVER = os.environ.get("TEST_DATABASE_URL", "")
Snapshot = dict[str, list[tuple[Any, ...]]]


def thidua(monkeypatch: pytest.MonkeyPatch, url: str, *args: str) -> Result:
    monkeypatch.setenv("DATABASE_URL", url)
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


async def _prepare(url: str, revision: str = "head", *, seed: bool = True) -> None:
    database = Database(url)
    try:
        await upgrade(database, revision)
        if seed:
            await seed_launched(database)
    finally:
        await database.dispose()


async def _snapshot(url: str) -> Snapshot:
    """Every row of every table, in a stable order."""

    def read(connection: Connection) -> Snapshot:
        metadata = MetaData()
        metadata.reflect(connection)
        return {
            name: sorted((tuple(row) for row in connection.execute(select(table))), key=repr)
            for name, table in metadata.tables.items()
        }

    database = Database(url)
    try:
        async with database.engine.connect() as connection:
            return await connection.run_sync(read)
    finally:
        await database.dispose()


async def _change_everything(url: str) -> None:
    """What the restore must undo: edited, deleted and added rows."""
    database = Database(url)
    try:
        async with database.engine.begin() as connection:
            await connection.exec_driver_sql("UPDATE members SET full_name = full_name || ' (sửa)'")
            await connection.exec_driver_sql("DELETE FROM role_assignments")
            await connection.exec_driver_sql(
                "INSERT INTO blocs (name, name_key, kind, created_at) "
                "SELECT 'Khối mới', 'khoi moi', kind, created_at FROM blocs LIMIT 1"
            )
    finally:
        await database.dispose()


@pytest.fixture
def sqlite_url(no_env_file: Path) -> str:
    return f"sqlite+aiosqlite:///{no_env_file / 'thidua.db'}"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    if not POSTGRES_SERVER:
        pytest.skip("PostgreSQL tests need TEST_DATABASE_URL (CI sets it)")
    with scratch_database(POSTGRES_SERVER, "restore") as url:
        yield url


def test_sqlite_backup_during_a_write_then_restore_brings_every_row_back(
    sqlite_url: str, no_env_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asyncio.run(_prepare(sqlite_url))
    committed = asyncio.run(_snapshot(sqlite_url))
    assert committed["members"] and committed["campaigns"]

    # A writer holds an open write transaction while the backup runs (WAL: it need not wait).
    writer = sqlite3.connect(no_env_file / "thidua.db", isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("UPDATE members SET position = 'đang ghi dở'")
    backed_up = thidua(monkeypatch, sqlite_url, "db", "backup", "sao_luu.db")
    writer.execute("COMMIT")
    writer.close()
    assert backed_up.exit_code == 0, backed_up.output
    assert f"phiên bản {HEAD}" in backed_up.output or f"revision {HEAD}" in backed_up.output
    assert not list(no_env_file.glob("*.partial"))
    assert asyncio.run(_snapshot(f"sqlite+aiosqlite:///{no_env_file / 'sao_luu.db'}")) == committed

    asyncio.run(_change_everything(sqlite_url))
    assert asyncio.run(_snapshot(sqlite_url)) != committed

    restored = thidua(monkeypatch, sqlite_url, "db", "restore", "sao_luu.db")
    assert restored.exit_code == 0, restored.output
    assert asyncio.run(_snapshot(sqlite_url)) == committed
    current = thidua(monkeypatch, sqlite_url, "db", "current")
    assert current.output.strip().endswith(f"{HEAD}."), current.output


def test_sqlite_restore_of_an_older_backup_is_migrated_to_head(
    no_env_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old_url = f"sqlite+aiosqlite:///{no_env_file / 'cu.db'}"
    live_url = f"sqlite+aiosqlite:///{no_env_file / 'thidua.db'}"
    asyncio.run(_prepare(old_url, "0008", seed=False))
    asyncio.run(_prepare(live_url))
    assert thidua(monkeypatch, old_url, "db", "backup", "cu.bak").exit_code == 0

    restored = thidua(monkeypatch, live_url, "db", "restore", "cu.bak")
    assert restored.exit_code == 0, restored.output
    assert "0008" in restored.output
    assert restored.output.strip().endswith(f"{HEAD}."), restored.output
    assert asyncio.run(_snapshot(live_url))["members"] == []  # the backup's data, not the old


def test_sqlite_restore_refuses_while_a_bot_holds_the_database(
    sqlite_url: str, no_env_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asyncio.run(_prepare(sqlite_url))
    assert thidua(monkeypatch, sqlite_url, "db", "backup", "sao_luu.db").exit_code == 0
    running_bot = FileLock(no_env_file / "thidua.db.lock", "thidua test pid 1")
    assert running_bot.try_acquire()
    try:
        refused = thidua(monkeypatch, sqlite_url, "db", "restore", "sao_luu.db")
        assert refused.exit_code == 1
        assert "--force" in refused.output and "thidua.db.lock" in refused.output
        forced = thidua(monkeypatch, sqlite_url, "db", "restore", "--force", "sao_luu.db")
        assert forced.exit_code == 0, forced.output
    finally:
        running_bot.release()


def test_restore_refuses_what_is_not_a_backup_of_this_bot(
    sqlite_url: str, no_env_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asyncio.run(_prepare(sqlite_url))
    before = asyncio.run(_snapshot(sqlite_url))
    (no_env_file / "ghi_chu.txt").write_text("không phải cơ sở dữ liệu", encoding="utf-8")
    other = sqlite3.connect(no_env_file / "khac.db")
    other.execute("CREATE TABLE t (x INTEGER)")
    other.commit()
    other.close()
    future = sqlite3.connect(no_env_file / "moi_hon.db")
    future.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
    future.execute("INSERT INTO alembic_version VALUES ('9999')")
    future.commit()
    future.close()

    for name, words in [
        ("ghi_chu.txt", "SQLite"),
        ("khac.db", "alembic_version"),
        ("moi_hon.db", "9999"),
        ("khong_co.db", "khong_co.db"),
    ]:
        result = thidua(monkeypatch, sqlite_url, "db", "restore", name)
        assert result.exit_code == 1, (name, result.output)
        assert words in result.output and len(result.output.strip().splitlines()) == 1
    assert asyncio.run(_snapshot(sqlite_url)) == before


def test_postgresql_backup_and_restore(
    postgres_url: str, no_env_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asyncio.run(_prepare(postgres_url))
    committed = asyncio.run(_snapshot(postgres_url))
    backed_up = thidua(monkeypatch, postgres_url, "db", "backup", "sao_luu.dump")
    assert backed_up.exit_code == 0, backed_up.output
    assert HEAD is not None and HEAD in backed_up.output

    asyncio.run(_change_everything(postgres_url))
    running_bot = AdvisoryLock(postgres_url, "thidua test")
    assert running_bot.try_acquire()
    try:
        refused = thidua(monkeypatch, postgres_url, "db", "restore", "sao_luu.dump")
        assert refused.exit_code == 1 and "--force" in refused.output
    finally:
        running_bot.release()

    restored = thidua(monkeypatch, postgres_url, "db", "restore", "sao_luu.dump")
    assert restored.exit_code == 0, restored.output
    assert asyncio.run(_snapshot(postgres_url)) == committed
    assert thidua(monkeypatch, postgres_url, "db", "current").output.strip().endswith(f"{HEAD}.")

    # The disaster case: a new, empty database on another server.
    with scratch_database(POSTGRES_SERVER, "restore_empty") as empty_url:
        into_empty = thidua(monkeypatch, empty_url, "db", "restore", "sao_luu.dump")
        assert into_empty.exit_code == 0, into_empty.output
        assert asyncio.run(_snapshot(empty_url)) == committed


def test_postgresql_without_pg_dump_explains_what_to_run(
    postgres_url: str, no_env_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(no_env_file))  # no pg_dump, no pg_restore
    result = thidua(monkeypatch, postgres_url, "db", "backup", "sao_luu.dump")
    assert result.exit_code == 1
    assert "pg_dump --format=custom" in result.output and "postgresql-client" in result.output
    assert not (no_env_file / "sao_luu.dump").exists()
