"""One line per event: `key=value` (logfmt) or JSON lines, chosen with THIDUA_LOG_FORMAT.

Why one line: log collectors (journald, Loki, a `grep`) work line by line, so a traceback or a
newline in a member's text must not split an event. Structured fields are passed as
`extra={"fields": {...}}` and written as their own keys, never mixed into the message.
"""

import json
import logging
import re
import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, TextIO

from bot.redaction import RedactingFilter, add_secrets, install_excepthook

LOG_FORMATS = ("text", "json")
_BARE = re.compile(r'[^\s="\\\x00-\x1f\x7f]+')  # written as is; anything else is quoted
_RESERVED = ("ts", "level", "logger", "msg", "exc", "stack")
_QUIET_LOGGERS = {
    "httpx": logging.WARNING,  # logs every request URL at INFO; the URL holds the bot token
    "apscheduler": logging.WARNING,
}


def event_fields(record: logging.LogRecord) -> dict[str, Any]:
    """The structured fields of a record (empty for plain log calls)."""
    fields = getattr(record, "fields", None)
    if not isinstance(fields, dict):
        return {}
    return {
        (f"field_{key}" if key in _RESERVED else str(key)): value for key, value in fields.items()
    }


def _timestamp(record: logging.LogRecord) -> str:
    moment = datetime.fromtimestamp(record.created, tz=UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _exception_text(formatter: logging.Formatter, record: logging.LogRecord) -> str | None:
    if record.exc_info and not record.exc_text:
        record.exc_text = formatter.formatException(record.exc_info)
    return record.exc_text or None


class KeyValueFormatter(logging.Formatter):
    """`ts=… level=INFO logger=… msg="…" key=value …`, quoting only where needed."""

    def format(self, record: logging.LogRecord) -> str:
        pairs: list[tuple[str, Any]] = [
            ("ts", _timestamp(record)),
            ("level", record.levelname),
            ("logger", record.name),
            ("msg", record.getMessage()),
            *event_fields(record).items(),
        ]
        exc = _exception_text(self, record)
        if exc:
            pairs.append(("exc", exc))
        if record.stack_info:
            pairs.append(("stack", record.stack_info))
        return " ".join(f"{key}={_logfmt_value(value)}" for key, value in pairs)


class JsonFormatter(logging.Formatter):
    """One JSON object per line; non-ASCII (Vietnamese) kept as is."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": _timestamp(record),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
            **event_fields(record),
        }
        exc = _exception_text(self, record)
        if exc:
            entry["exc"] = exc
        if record.stack_info:
            entry["stack"] = record.stack_info
        return json.dumps(entry, ensure_ascii=False, default=str)


def _logfmt_value(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return f"{value:.1f}"
    text = str(value)
    if _BARE.fullmatch(text):
        return text
    return json.dumps(text, ensure_ascii=False)  # quoted, newlines escaped: still one line


def make_handler(log_format: str, stream: TextIO | None = None) -> logging.Handler:
    """A stream handler with the chosen formatter and the token-redacting filter."""
    handler = logging.StreamHandler(stream if stream is not None else sys.stderr)
    handler.setFormatter(JsonFormatter() if log_format == "json" else KeyValueFormatter())
    handler.addFilter(RedactingFilter())
    return handler


def configure_logging(
    log_format: str = "text", *, secrets: Iterable[str | None] = (), level: int = logging.INFO
) -> None:
    """Replace the root handlers with one redacting handler on stderr (for `thidua run`)."""
    add_secrets(secrets)
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(make_handler(log_format))
    root.setLevel(level)
    for name, quiet_level in _QUIET_LOGGERS.items():
        logging.getLogger(name).setLevel(quiet_level)
    logging.captureWarnings(True)
    install_excepthook()
