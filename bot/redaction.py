"""Keep the bot token (and other secrets) out of every log line and error message.

The token is the bot's password: whoever reads it can impersonate the bot. It travels in every
Bot API URL (`https://api.telegram.org/bot<TOKEN>/getMe`), so any exception or library log that
mentions a URL can leak it. Redaction therefore works on the final text, in one place: a filter
on the root log handlers and the CLI's error output both pass through `redact`.
"""

import logging
import re
import sys
import threading
from collections.abc import Iterable
from types import TracebackType
from typing import Any

REPLACEMENT = "<redacted>"

# A Bot API token: numeric bot id, a colon (maybe URL-encoded), 30+ URL-safe characters. Matched
# anywhere, so the `bot<TOKEN>` URL form and tokens of other bots are caught even if unknown.
TOKEN_SHAPE = re.compile(r"\d{3,}(?::|%3[Aa])[A-Za-z0-9_-]{30,}")

_lock = threading.Lock()
_secrets: tuple[str, ...] = ()


def add_secrets(values: Iterable[str | None]) -> None:
    """Remember exact strings to hide too (the configured token, the webhook secret)."""
    global _secrets
    with _lock:
        known = set(_secrets)
        known.update(value for value in values if value and len(value) >= 8)
        # Longest first, so a secret containing another is replaced whole.
        _secrets = tuple(sorted(known, key=len, reverse=True))


def redact(text: str) -> str:
    """`text` with every known secret and every token-shaped string replaced."""
    for secret in _secrets:
        if secret in text:
            text = text.replace(secret, REPLACEMENT)
    return TOKEN_SHAPE.sub(REPLACEMENT, text)


class RedactingFilter(logging.Filter):
    """Rewrites a record in place so no handler can print a secret: message, args, traceback."""

    _formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string must not hide the record
            message = f"{record.msg} {record.args}"
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            record.fields = {key: _redact_value(value) for key, value in fields.items()}
        return True


def _redact_value(value: Any) -> Any:
    return redact(value) if isinstance(value, str) else value


def install_excepthook() -> None:
    """An uncaught exception's traceback is redacted too, should one ever escape."""

    def hook(
        kind: type[BaseException], error: BaseException, traceback: TracebackType | None
    ) -> None:
        text = "".join(logging.Formatter().formatException((kind, error, traceback)))
        sys.stderr.write(redact(text) + "\n")

    sys.excepthook = hook
