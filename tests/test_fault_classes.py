"""Which errors count as "the database is away" and how a broken SQLite path is explained.

Why: the busy answer must go to members only when waiting helps; a bug (a missing table, a
broken constraint) must still be logged as one, with its traceback.
"""

import sqlite3
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy import exc as sa

from bot.database_files import sqlite_file, sqlite_problem
from storage.availability import database_unavailable, first_line


def _wrapped(error: Exception, kind: type[sa.DBAPIError] = sa.OperationalError) -> sa.DBAPIError:
    try:
        raise kind("INSERT …", {}, error) from error
    except sa.DBAPIError as wrapped:
        return wrapped


@pytest.mark.parametrize(
    "message", ["disk I/O error", "database or disk is full", "database is locked"]
)
def test_sqlite_write_failures_are_an_outage(message: str) -> None:
    assert database_unavailable(_wrapped(sqlite3.OperationalError(message)))


@pytest.mark.parametrize(
    "error",
    [
        sqlite3.OperationalError("no such table: pledges"),
        sqlite3.IntegrityError("UNIQUE constraint failed: pledges.id"),
        sqlite3.InterfaceError("Error binding parameter 1"),
    ],
)
def test_sqlite_bugs_are_not_an_outage(error: Exception) -> None:
    assert not database_unavailable(_wrapped(error, sa.DBAPIError))


def test_lost_and_refused_postgresql_connections_are_an_outage() -> None:
    lost = asyncpg.exceptions.ConnectionDoesNotExistError("connection was closed")
    assert database_unavailable(_wrapped(lost, sa.InterfaceError))
    assert database_unavailable(ConnectionRefusedError(111, "Connect call failed"))
    assert database_unavailable(sa.TimeoutError("QueuePool limit reached"))
    chained = RuntimeError("while handling")
    chained.__cause__ = ConnectionResetError()
    assert database_unavailable(chained), "found down the chain of causes"


def test_postgresql_query_errors_are_not_an_outage() -> None:
    violation = asyncpg.exceptions.UniqueViolationError("duplicate key")
    assert not database_unavailable(_wrapped(violation, sa.IntegrityError))
    assert not database_unavailable(ValueError("not a database error"))
    assert not database_unavailable(None)


def test_first_line_names_the_driver_error() -> None:
    error = _wrapped(sqlite3.OperationalError("disk I/O error\nmore"))
    assert first_line(error) == "OperationalError: disk I/O error"


def test_sqlite_file_of_a_url() -> None:
    assert sqlite_file("sqlite+aiosqlite:////srv/thidua/thidua.db") == Path("/srv/thidua/thidua.db")
    assert sqlite_file("sqlite+aiosqlite:///:memory:") is None
    assert sqlite_file("postgresql+asyncpg://bot@db/thidua") is None


def test_a_missing_folder_and_a_full_disk_are_explained(tmp_path: Path) -> None:
    missing = sqlite_problem(tmp_path / "nowhere" / "thidua.db", "unable to open database file")
    assert missing is not None and "does not exist" in missing.message
    full = sqlite_problem(tmp_path / "thidua.db", "database or disk is full")
    assert full is not None and "disk is full" in full.message
    assert full.params == {
        "path": str(tmp_path / "thidua.db"),
        "reason": "database or disk is full",
    }
    assert sqlite_problem(tmp_path / "thidua.db", "no such table: pledges") is None
