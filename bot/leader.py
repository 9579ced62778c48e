"""Active and standby: only the instance holding the leader lock polls Telegram and runs the jobs.

Why: an organisation may run two `thidua run` instances on one database so that the bot
survives the loss of a machine. Two pollers would fight over getUpdates and both would run the
outbox and the reminder sweep, so exactly one instance, the leader, starts the bot; the other
stands by and tries the lock again every THIDUA_STANDBY_RETRY_SECONDS.

The lock belongs to something that dies with the process, so a `kill -9` frees it at once:
- SQLite: an exclusive `flock` on `<database file>.lock`, released by the kernel;
- PostgreSQL: a session advisory lock (`pg_try_advisory_lock`) on a dedicated connection held
  for the process's life, released by the server when that connection ends.

The same :class:`Leadership` loop drives both locks, so one code path is tested on both.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import os
import signal
import socket
import threading
import time
import zlib
from collections.abc import Callable, Coroutine, Iterator
from enum import Enum
from pathlib import Path
from typing import Any, Protocol, TypeVar

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from bot.errors import UserFacingError
from bot.i18n import N_

log = logging.getLogger("thidua.leader")

T = TypeVar("T")

#: pg_locks.classid of the leader lock ("THDU"); objid is :func:`advisory_key` of the schema.
LOCK_NAMESPACE = 0x54484455
#: How long one database round trip of the lock may take before the database counts as away.
ROUND_TRIP_SECONDS = 10.0
#: A standby repeats its "standing by" line this often, so the log shows it is alive.
STANDBY_LOG_SECONDS = 60.0
# The server drops the leader's session (and the lock) within about 25 s when the leader's
# machine vanishes without closing its connection (power cut, network split).
_KEEPALIVE_SETTINGS = (
    "SET tcp_keepalives_idle = 10",
    "SET tcp_keepalives_interval = 5",
    "SET tcp_keepalives_count = 3",
)


class LockState(Enum):
    """What a leader learns when it checks its lock."""

    HELD = "held"
    LOST = "lost"  # another instance holds it now: step down
    UNKNOWN = "unknown"  # the database cannot be reached: nobody else can lead either


class LockUnavailable(UserFacingError):
    """The database (or the lock file beside it) cannot be reached to take or check the lock."""

    def __init__(self, where: str, reason: str) -> None:
        super().__init__(N_("Cannot use the database {url}: {reason}"), url=where, reason=reason)
        self.reason = reason


class LeaderLock(Protocol):
    """A lock at most one process holds; it is freed when the holding process dies."""

    description: str

    def try_acquire(self) -> bool:
        """Take the lock without waiting; False when another process holds it."""

    def check(self) -> LockState:
        """Whether this process still holds the lock it took."""

    def holder(self) -> str:
        """Who holds the lock, as far as can be told ("" if unknown)."""

    def release(self) -> None:
        """Free the lock (also done by the operating system or server at exit)."""


def instance_name() -> str:
    """How this process names itself to a standby: host and process id."""
    return f"thidua {socket.gethostname()} pid {os.getpid()}"


class NoLock:
    """An in-memory SQLite database cannot be shared, so there is nothing to lock."""

    description = "no lock (in-memory database)"

    def try_acquire(self) -> bool:
        return True

    def check(self) -> LockState:
        return LockState.HELD

    def holder(self) -> str:
        return ""

    def release(self) -> None:
        return None


class FileLock:
    """An exclusive `flock` on a file beside the SQLite database.

    `flock` locks belong to the open file, so the kernel frees them when the process dies,
    and two opens in one process exclude each other too (which tests rely on).
    """

    def __init__(self, path: Path, name: str | None = None, where: str | None = None) -> None:
        self.path = path
        self.name = name or instance_name()
        self.where = where or str(path)
        self.description = f"the lock file {path}"
        self._fd: int | None = None

    def try_acquire(self) -> bool:
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:  # a missing or read-only directory: the database is unusable too
            raise LockUnavailable(self.where, f"{self.path}: {exc.strerror or exc}") from exc
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        except BaseException:
            os.close(fd)
            raise
        os.ftruncate(fd, 0)
        os.write(fd, self.name.encode("utf-8"))
        self._fd = fd
        return True

    def check(self) -> LockState:
        """Held while the locked file is still the one at `path` (a deleted lock file would
        let another instance lock a new file of the same name)."""
        if self._fd is None:
            return LockState.LOST
        try:
            ours, there = os.fstat(self._fd), os.stat(self.path)
        except FileNotFoundError:
            return LockState.LOST
        same = (ours.st_dev, ours.st_ino) == (there.st_dev, there.st_ino)
        return LockState.HELD if same else LockState.LOST

    def holder(self) -> str:
        try:
            return self.path.read_text(encoding="utf-8", errors="replace").strip()
        except OSError:
            return ""

    def release(self) -> None:
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        with contextlib.suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def advisory_key(database: str, schema: str) -> int:
    """The lock's objid: one leader per database and schema (tests share a database)."""
    return zlib.crc32(f"{database}.{schema}".encode()) & 0x7FFFFFFF


class _LoopThread:
    """A private event loop in a daemon thread: the lock's connection lives there for the
    process's life, independent of the loops `asyncio.run` and the bot create and close."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self.loop.run_forever, name="thidua-leader-lock", daemon=True
        )
        self._thread.start()
        self._serial = threading.Lock()  # one lock operation at a time

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        with self._serial:
            future = asyncio.run_coroutine_threadsafe(coroutine, self.loop)
            return future.result()

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=5)
        if not self._thread.is_alive():
            self.loop.close()


class AdvisoryLock:
    """A PostgreSQL session advisory lock on a dedicated autocommit connection.

    Autocommit keeps the session out of any transaction (an idle open transaction would hold
    back vacuum for the process's life). If the connection breaks, :meth:`check` reconnects and
    takes the lock again unless another instance has it by then.
    """

    def __init__(self, url: str, name: str | None = None) -> None:
        self.url = url
        self.name = name or instance_name()
        self.where = make_url(url).render_as_string(hide_password=True)
        self.description = f"the PostgreSQL advisory lock ({LOCK_NAMESPACE}, …) on {self.where}"
        self._thread: _LoopThread | None = None
        self._engine: AsyncEngine | None = None
        self._connection: AsyncConnection | None = None
        self._key: int | None = None
        self._held = False

    def try_acquire(self) -> bool:
        return self._run(self._try_acquire())

    def check(self) -> LockState:
        return self._run(self._check())

    def holder(self) -> str:
        try:
            return self._run(self._holder())
        except LockUnavailable:
            return ""

    def release(self) -> None:
        if self._thread is None:
            return
        with contextlib.suppress(LockUnavailable):
            self._run(self._release())
        self._thread.close()
        self._thread = None

    def _run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        if self._thread is None:
            self._thread = _LoopThread()
        return self._thread.run(coroutine)

    async def _connect(self) -> AsyncConnection:
        if self._engine is None:
            self._engine = create_async_engine(self.url, poolclass=NullPool)
        connection = await self._engine.connect()
        connection = await connection.execution_options(isolation_level="AUTOCOMMIT")
        for statement in _KEEPALIVE_SETTINGS:
            await connection.execute(text(statement))
        await connection.execute(
            text("SELECT set_config('application_name', :name, false)"),
            {"name": self.name.encode("ascii", "replace").decode()[:63]},
        )
        row = (await connection.execute(text("SELECT current_database(), current_schema()"))).one()
        self._key = advisory_key(str(row[0]), str(row[1]))
        return connection

    async def _take(self) -> bool:
        """One attempt on a (re)opened connection; LockUnavailable if the database is away."""
        try:
            if self._connection is None:
                self._connection = await asyncio.wait_for(self._connect(), ROUND_TRIP_SECONDS)
            got = await asyncio.wait_for(
                self._connection.scalar(
                    text("SELECT pg_try_advisory_lock(:namespace, :key)"),
                    {"namespace": LOCK_NAMESPACE, "key": self._key},
                ),
                ROUND_TRIP_SECONDS,
            )
        except (SQLAlchemyError, OSError, TimeoutError) as exc:
            await self._drop()
            raise LockUnavailable(self.where, _first_line(exc)) from exc
        return bool(got)

    async def _try_acquire(self) -> bool:
        self._held = await self._take()
        return self._held

    async def _check(self) -> LockState:
        if not self._held:
            return LockState.LOST
        if self._connection is not None:
            try:
                await asyncio.wait_for(
                    self._connection.scalar(text("SELECT 1")), ROUND_TRIP_SECONDS
                )
                return LockState.HELD
            except (SQLAlchemyError, OSError, TimeoutError):
                await self._drop()  # the session, and the lock with it, is gone
        try:
            got = await self._take()
        except LockUnavailable:
            return LockState.UNKNOWN
        if not got:
            self._held = False
            return LockState.LOST
        log.warning("the connection holding the leader lock broke; reconnected and took it again")
        return LockState.HELD

    async def _holder(self) -> str:
        if self._connection is None or self._key is None:
            return ""
        try:
            row = (
                await self._connection.execute(
                    text(
                        "SELECT a.application_name, a.client_addr, a.pid FROM pg_locks l "
                        "JOIN pg_stat_activity a ON a.pid = l.pid "
                        "WHERE l.locktype = 'advisory' AND l.granted "
                        "AND l.classid::bigint = :namespace AND l.objid::bigint = :key "
                        "AND l.objsubid = 2"
                    ),
                    {"namespace": LOCK_NAMESPACE, "key": self._key},
                )
            ).first()
        except (SQLAlchemyError, OSError) as exc:
            raise LockUnavailable(self.where, _first_line(exc)) from exc
        if row is None:
            return ""
        client = f" from {row[1]}" if row[1] else ""
        return f"{row[0] or 'unnamed'} (server pid {row[2]}{client})"

    async def _release(self) -> None:
        if self._connection is not None and self._held:
            with contextlib.suppress(SQLAlchemyError, OSError):
                await self._connection.scalar(
                    text("SELECT pg_advisory_unlock(:namespace, :key)"),
                    {"namespace": LOCK_NAMESPACE, "key": self._key},
                )
        self._held = False
        await self._drop()
        if self._engine is not None:
            await self._engine.dispose()
            self._engine = None

    async def _drop(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            with contextlib.suppress(Exception):
                await connection.invalidate()
            with contextlib.suppress(Exception):
                await connection.close()


def lock_file_for(database: Path) -> Path:
    """`thidua.db` → `thidua.db.lock`, in the database's directory."""
    return database.with_name(database.name + ".lock")


def lock_for(database_url: str, name: str | None = None) -> LeaderLock:
    """The leader lock that fits the database in DATABASE_URL."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        return AdvisoryLock(database_url, name)
    path = url.database or ""
    if path in ("", ":memory:") or url.query.get("mode") == "memory":
        return NoLock()
    where = url.render_as_string(hide_password=True)
    return FileLock(lock_file_for(Path(path)), name, where)


class Leadership:
    """Stand by until this instance holds the lock, then watch that it keeps it."""

    def __init__(self, lock: LeaderLock, *, retry_seconds: float) -> None:
        self.lock = lock
        self.retry_seconds = retry_seconds
        self.lost = False
        self._watching = threading.Event()
        self._guard = threading.Lock()  # a check never overlaps the release at shutdown

    def wait(self) -> bool:
        """Block until this instance leads (True) or SIGINT/SIGTERM stops it first (False).

        A database that cannot be reached at the first try is a configuration problem, shown
        as one line (LockUnavailable); later, while standing by, it is waited out."""
        stop = threading.Event()
        started = time.monotonic()
        last_log: float | None = None
        with _stop_on_signals(stop):
            while not stop.is_set():
                try:
                    if self.lock.try_acquire():
                        self._log_leading(started, standing_by=last_log is not None)
                        return True
                    holder = self.lock.holder()
                    reason = f"the active instance is {holder}" if holder else "it is taken"
                except LockUnavailable as exc:
                    if last_log is None:
                        raise
                    reason = f"the database cannot be reached ({exc.reason})"
                now = time.monotonic()
                if last_log is None or now - last_log >= STANDBY_LOG_SECONDS:
                    log.info(
                        "standing by for %s: %s; trying again every %g s",
                        self.lock.description,
                        reason,
                        self.retry_seconds,
                    )
                    last_log = now
                stop.wait(self.retry_seconds)
        log.info("stopped while standing by")
        return False

    def watch(self, on_lost: Callable[[], None]) -> None:
        """Check the lock every retry interval in a daemon thread; call `on_lost` once if
        another instance has taken it (the caller then stops this one)."""
        self._watching.set()
        threading.Thread(
            target=self._watch, args=(on_lost,), name="thidua-leader-watch", daemon=True
        ).start()

    def release(self) -> None:
        with self._guard:
            self._watching.clear()
            self.lock.release()

    def _watch(self, on_lost: Callable[[], None]) -> None:
        away = False
        while self._watching.is_set():
            time.sleep(self.retry_seconds)
            with self._guard:
                if not self._watching.is_set():
                    return  # released: this instance is stopping anyway
                state = self.lock.check()
                if state is LockState.LOST:
                    self.lost = True
                    log.error("another instance took the leader lock: this instance stops")
                    on_lost()
                    return
            if (state is LockState.UNKNOWN) != away:
                away = not away
                if away:
                    log.warning("cannot reach the database to check the leader lock; retrying")
                else:
                    log.info("the database is back; this instance still holds the leader lock")

    def _log_leading(self, started: float, *, standing_by: bool) -> None:
        if standing_by:
            log.info(
                "took over as the active instance after standing by for %.1f s (%s)",
                time.monotonic() - started,
                self.lock.description,
            )
        else:
            log.info("this instance is active: it holds %s", self.lock.description)


def stop_this_process() -> None:
    """Ask the running bot to stop as Ctrl+C or systemd would (it handles SIGTERM)."""
    os.kill(os.getpid(), signal.SIGTERM)


@contextlib.contextmanager
def _stop_on_signals(stop: threading.Event) -> Iterator[None]:
    """While standing by, SIGINT and SIGTERM end the wait quietly instead of a traceback."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    for sig in previous:
        signal.signal(sig, lambda _signum, _frame: stop.set())
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _first_line(exc: BaseException) -> str:
    cause = getattr(exc, "orig", None) or exc
    lines = str(cause).strip().splitlines()
    return lines[0] if lines else type(cause).__name__
