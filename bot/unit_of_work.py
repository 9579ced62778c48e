"""One database session per update: opened before the first handler, committed after the last.

PTB builds one CallbackContext per update, but offers no hook around all handler groups; the
application subclass in `bot.app` wraps `process_update` and publishes the session here.
"""

from contextvars import ContextVar

from sqlalchemy.ext.asyncio import AsyncSession

_current: ContextVar[AsyncSession | None] = ContextVar("thidua_session", default=None)


class NoUnitOfWork(RuntimeError):
    """Code asked for the update's session outside update processing."""


def current_session() -> AsyncSession:
    session = _current.get()
    if session is None:
        raise NoUnitOfWork("no database session is open for this update")
    return session


def bind_session(session: AsyncSession | None) -> object:
    return _current.set(session)


def unbind_session(token: object) -> None:
    _current.reset(token)  # type: ignore[arg-type]
