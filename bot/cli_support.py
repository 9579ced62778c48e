"""What every CLI command shares: settings, the default-language translator, one-line errors."""

import asyncio
import functools
import sys
import threading
import time
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, NoReturn, TypeVar

import click
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.database_files import sqlite_file, sqlite_problem
from bot.errors import UserFacingError
from bot.i18n import CatalogMissing, Catalogs, Translator
from bot.redaction import redact
from bot.roster_file import RosterFileError, RowProblem
from bot.settings import ConfigError, Settings, load_settings
from storage.database import Database

T = TypeVar("T")

EXIT_FAILED = 1
EXIT_CONFIG = 2


class Env:
    """Loaded lazily so `--help` works without a valid configuration."""

    def __init__(self) -> None:
        self._settings: Settings | None = None
        self._t: Translator | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings()
        return self._settings

    @property
    def t(self) -> Translator:
        if self._t is None:
            try:
                locale = self.settings.default_locale
            except ConfigError:
                locale = "vi"  # the configuration itself is broken: speak the default
            self._t = Catalogs(default_locale=locale).default
        return self._t


def fail(message: str, code: int = EXIT_FAILED) -> NoReturn:
    click.echo(redact(message), err=True)  # an error may quote a Bot API URL with the token
    sys.exit(code)


def one_line_errors(func: Callable[..., T]) -> Callable[..., T]:
    """Turn every expected failure into one clear line on stderr and an exit status."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> T:
        env = click.get_current_context().ensure_object(Env)
        try:
            return func(*args, **kwargs)
        except ConfigError as exc:
            detail = env.t(exc.message, **exc.params)
            fail(env.t("Configuration error: {detail}", detail=detail), EXIT_CONFIG)
        except CatalogMissing as exc:
            fail(f"Translations missing: {exc}. Reinstall with `pip install -e .`", EXIT_CONFIG)
        except (UserFacingError, RosterFileError) as exc:
            fail(env.t(exc.message, **exc.params))
        except DBAPIError as exc:
            fail(_database_problem(env, exc))
        except SQLAlchemyError as exc:
            fail(env.t("Database error: {reason}", reason=_first_line(exc)))
        except PermissionError as exc:
            fail(env.t("Permission denied: {path}", path=exc.filename or str(exc)))
        except OSError as exc:
            fail(env.t("System error: {reason}", reason=exc.strerror or str(exc)))

    return wrapper


def run_async(coroutine: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(_then_settle_sqlite(coroutine))


async def _then_settle_sqlite(coroutine: Coroutine[Any, Any, T]) -> T:
    """Why: when SQLite cannot open the file, aiosqlite stops its worker thread without waiting;
    if the loop closes first, that thread prints a traceback. Give it a moment to finish."""
    try:
        return await coroutine
    finally:
        deadline = time.monotonic() + 1.0
        for thread in threading.enumerate():
            if thread.name.endswith(_AIOSQLITE_WORKER):
                # Blocking on purpose: it only posts its result to this (still open) loop.
                thread.join(timeout=max(0.0, deadline - time.monotonic()))


_AIOSQLITE_WORKER = "(_connection_worker_thread)"  # thread names end with their target's name


def _database_problem(env: Env, exc: DBAPIError) -> str:
    reason = _first_line(exc.orig or exc)
    path = sqlite_file(env.settings.database_url)
    known = sqlite_problem(path, reason) if path is not None else None
    if known is not None:  # a read-only folder or a full disk, named with its path
        return env.t(known.message, **known.params)
    url = make_url(env.settings.database_url).render_as_string(hide_password=True)
    return env.t("Cannot use the database {url}: {reason}", url=url, reason=reason)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def in_session(env: Env, action: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run `action` in one committed unit of work on a database opened for this command."""

    async def run() -> T:
        database = Database(env.settings.database_url)
        try:
            async with database.session() as session:
                return await action(session)
        finally:
            await database.dispose()

    return run_async(run())


def problem_line(t: Translator, problem: RowProblem) -> str:
    """One rejected spreadsheet row with every reason, as imports print them."""
    reasons = "; ".join(t(reason.message, **reason.params) for reason in problem.reasons)
    return t("Row {row}: {reasons}", row=problem.row_number, reasons=reasons)
