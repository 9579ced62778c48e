"""Telling "the database is away for a while" apart from a bug.

Why: a member who writes while PostgreSQL restarts or the SQLite disk is full should be told to
try again shortly (what they entered before is kept), not that something broke; and the logs
should say "database unavailable" in one line instead of a traceback per update.
"""

import sqlite3

from sqlalchemy import exc as sa

# SQLite errors that come and go with the file system or another writer, not with the query.
_SQLITE_TRANSIENT = (
    "database is locked",
    "disk i/o error",
    "database or disk is full",
    "unable to open database file",
    "attempt to write a readonly database",
)
_MAX_DEPTH = 6  # how far down __cause__/__context__ to look


def database_unavailable(error: BaseException | None) -> bool:
    """True when ``error`` (or what caused it) means the database cannot be reached or written
    right now: lost or refused connections, a full or read-only disk, a locked file."""
    seen = 0
    while error is not None and seen < _MAX_DEPTH:
        if _is_outage(error):
            return True
        error = error.__cause__ or error.__context__
        seen += 1
    return False


def first_line(error: BaseException) -> str:
    """The first line of the driver's message, for a one-line log record."""
    inner = error.orig if isinstance(error, sa.DBAPIError) and error.orig else error
    lines = str(inner).strip().splitlines()
    return f"{type(inner).__name__}: {lines[0]}" if lines else type(inner).__name__


def _is_outage(error: BaseException) -> bool:
    if isinstance(error, sa.DisconnectionError | sa.TimeoutError):
        return True  # a pool that cannot hand out a live connection
    if isinstance(error, sa.DBAPIError):
        if error.connection_invalidated:
            return True
        if isinstance(error.orig, sqlite3.Error):
            return _is_outage(error.orig)  # judged by SQLite's own message
        # PostgreSQL: cannot connect, shutting down, connection closed mid-query.
        return isinstance(error, sa.OperationalError | sa.InterfaceError)
    if isinstance(error, sqlite3.OperationalError):
        message = str(error).lower()
        return any(text in message for text in _SQLITE_TRANSIENT)
    if isinstance(error, ConnectionError):  # refused or reset while (re)connecting
        return True
    # asyncpg's connection errors (its Postgres*Error server errors are real query errors).
    return type(error).__module__.startswith("asyncpg") and type(error).__name__ in {
        "ConnectionDoesNotExistError",
        "InterfaceError",
        "ConnectionFailureError",
        "CannotConnectNowError",
        "AdminShutdownError",
    }
