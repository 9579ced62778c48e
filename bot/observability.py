"""One log line and one set of metrics per update: who sent it, which handler took it, how long.

PTB does not say which handler handled an update, so every handler's callback is wrapped once at
start (`instrument_handlers`) to note its name in a per-update trace held in a context variable.
`observe_update` opens that trace around the whole of `process_update` (all handler groups and the
unit of work's commit) and, at the end, writes the line and feeds the metrics.
"""

import functools
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from telegram import Update
from telegram.ext import Application, ApplicationHandlerStop, BaseHandler

from bot.metrics import Metrics

log = logging.getLogger("thidua.updates")

NO_HANDLER = "none"


@dataclass
class UpdateTrace:
    """What happened to one update; filled in by the wrapped handler callbacks."""

    handlers: list[str] = field(default_factory=list)
    failed: str | None = None  # the exception type, if a handler raised


_current: ContextVar[UpdateTrace | None] = ContextVar("thidua_update_trace", default=None)


def handler_name(callback: Callable[..., Any]) -> str:
    """`module.function` without the `handlers.` prefix, e.g. `start.on_start`."""
    target = getattr(callback, "func", callback)  # functools.partial
    module = str(getattr(target, "__module__", "") or "").removeprefix("handlers.")
    name = getattr(target, "__qualname__", None) or type(target).__name__
    return f"{module}.{name}" if module else str(name)


def traced(
    callback: Callable[..., Awaitable[Any]], name: str, *, names_handler: bool = True
) -> Callable[..., Any]:
    """`callback`, noting in the update's trace that it ran (if it `names_handler`) or failed."""

    @functools.wraps(callback)
    async def run(update: object, context: Any) -> Any:
        trace = _current.get()
        if trace is not None and names_handler:
            trace.handlers.append(name)
        try:
            return await callback(update, context)
        except ApplicationHandlerStop:
            raise  # "handled, skip the later groups": not a failure
        except Exception as exc:
            if trace is not None:
                trace.failed = type(exc).__name__
            raise

    return run


def instrument_handlers(
    application: Application[Any, Any, Any, Any, Any, Any], *, first_feature_group: int = 0
) -> None:
    """Wrap every handler's callback. Groups below `first_feature_group` (the middleware, which
    runs for every update) never name the handler, but their failures still count."""
    for group, handlers in application.handlers.items():
        for handler in handlers:
            _instrument(handler, names_handler=group >= first_feature_group)


def _instrument(handler: BaseHandler[Any, Any, Any], *, names_handler: bool) -> None:
    callback = getattr(handler, "callback", None)
    if callback is None or getattr(callback, "_thidua_traced", False):
        return
    wrapped = traced(callback, handler_name(callback), names_handler=names_handler)
    wrapped._thidua_traced = True  # type: ignore[attr-defined]
    handler.callback = wrapped


def update_kind(update: object) -> str:
    """A coarse, bounded label for metrics and logs."""
    if not isinstance(update, Update):
        return "other"
    if update.callback_query is not None:
        return "callback"
    if update.my_chat_member is not None or update.chat_member is not None:
        return "member"
    message = update.effective_message
    if message is None:
        return "other"
    if message.text:
        return "command" if message.text.startswith("/") else "text"
    if message.contact:
        return "contact"
    if message.photo or message.document or message.video or message.voice or message.audio:
        return "file"
    return "other"


@asynccontextmanager
async def observe_update(update: object, metrics: Metrics | None) -> AsyncIterator[UpdateTrace]:
    """Time the update's processing, then log one line and count it."""
    trace = UpdateTrace()
    token = _current.set(trace)
    started = time.perf_counter()
    try:
        yield trace
    except Exception as exc:
        trace.failed = trace.failed or type(exc).__name__
        raise
    finally:
        _current.reset(token)
        seconds = time.perf_counter() - started
        _report(update, trace, seconds, metrics)


def _report(update: object, trace: UpdateTrace, seconds: float, metrics: Metrics | None) -> None:
    handler = trace.handlers[0] if trace.handlers else NO_HANDLER
    kind = update_kind(update)
    user = update.effective_user if isinstance(update, Update) else None
    chat = update.effective_chat if isinstance(update, Update) else None
    fields: dict[str, Any] = {
        "update_id": update.update_id if isinstance(update, Update) else None,
        "user_id": user.id if user else None,
        "chat_id": chat.id if chat else None,
        "kind": kind,
        "handler": handler,
        "outcome": "error" if trace.failed else "ok",
        "duration_ms": round(seconds * 1000, 1),
    }
    if len(trace.handlers) > 1:  # later groups that also ran, e.g. "continue your flow?"
        fields["also"] = "+".join(trace.handlers[1:])
    if trace.failed:
        fields["error"] = trace.failed
    log.info("update handled", extra={"fields": fields})
    if metrics is not None:
        metrics.record_update(kind=kind, handler=handler, ok=not trace.failed, seconds=seconds)
