"""A local stand-in for the Telegram Bot API, served on 127.0.0.1 for end-to-end tests.

Why: the end-to-end tests run the real bot process (python-telegram-bot, with ``base_url``
taken from ``TELEGRAM_API_URL``) against this server, so the whole HTTP protocol is exercised
without the network. It speaks just enough of the Bot API for the bot: ``getMe``, long-polling
``getUpdates``, message sending, copying, forwarding and editing, and ``true`` for everything
else. Every call is recorded for assertions, and faults can be injected for reliability tests.

For broadcast benchmarks it can also behave like Telegram under load: with :class:`SendLimits`
it answers 429 when the bot sends faster than Telegram allows, :meth:`BotApiStandIn.inject_429`
makes it refuse sends the way a flood-waiting Telegram does, and :meth:`BotApiStandIn.stats`
accounts every delivery (duplicates, recipients, obeyed ``retry_after``). Connections are kept
alive (HTTP/1.1) like Telegram's, so the stand-in sustains several hundred requests per second
and never becomes the bottleneck of a 30 messages/s broadcast.

Only the standard library is used, so the stand-in adds no dependencies.
"""

from __future__ import annotations

import contextlib
import hashlib
import html
import json
import math
import re
import socket
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.message import Message as _MimeHeaders
from email.parser import HeaderParser
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, NamedTuple, Self
from urllib.parse import parse_qsl, urlsplit

__all__ = [
    "DROPPED",
    "HELD",
    "SENDING_METHODS",
    "BotApiStandIn",
    "RecordedCall",
    "SendLimits",
    "SendStats",
    "UploadedFile",
]

JSONDict = dict[str, Any]

#: Bot API limits the stand-in enforces, so the bot fails here as it would on Telegram.
TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT = 64

#: ``RecordedCall.status`` of a request whose connection was dropped without an answer.
DROPPED = 0
#: ``RecordedCall.status`` of a request held past the client's timeout and never carried out.
HELD = HTTPStatus.GATEWAY_TIMEOUT.value

#: The bot id used by the update helpers until a request reveals the real token.
DEFAULT_BOT_ID = 123456

# Parameters that are free text: never JSON-decoded even when they look like "[...]".
_FREE_TEXT_FIELDS = frozenset(
    {
        "text",
        "caption",
        "title",
        "description",
        "short_description",
        "name",
        "url",
        "query",
        "callback_query_id",
        "inline_message_id",
        "chat_id",
    }
)
# Methods whose result is a Message dict rather than ``true``.
_MESSAGE_METHODS = frozenset(
    {"sendmessage", "editmessagetext", "editmessagereplymarkup", "sendphoto", "senddocument"}
)
#: Methods that deliver a new message to a chat (lower case → Bot API spelling). Only these are
#: paced by :class:`SendLimits`, counted for :meth:`BotApiStandIn.inject_429` and accounted in
#: :class:`SendStats`; edits, callback answers, getUpdates, setMyCommands etc. are not.
SENDING_METHODS: Mapping[str, str] = {
    name.lower(): name
    for name in ("sendMessage", "sendDocument", "sendPhoto", "copyMessage", "forwardMessage")
}
_TAG = re.compile(r"<[^>]*>")


@dataclass(frozen=True)
class UploadedFile:
    """A file part of a multipart request, kept so tests can check what the bot uploaded."""

    name: str
    filename: str | None
    content_type: str
    data: bytes = field(repr=False)

    @property
    def size(self) -> int:
        return len(self.data)


@dataclass(frozen=True)
class RecordedCall:
    """One Bot API request as the stand-in received it.

    ``params`` holds form values as strings (as PTB sends them) except JSON objects/arrays,
    which are decoded; file parts are :class:`UploadedFile`. ``at`` is ``time.monotonic()``
    at receipt; ``status`` is the HTTP status the stand-in answered with.
    """

    method: str
    params: dict[str, Any]
    at: float
    status: int = 200


@dataclass(frozen=True)
class SendLimits:
    """Telegram's flood limits for sending methods, enforced when given to the stand-in.

    Why: a broadcast that is fast enough here but too fast for Telegram would fail in
    production, so the stand-in refuses such sends with a Telegram-style 429. Telegram does not
    publish its algorithm; this model is a fair, slightly strict reading of its documented
    limits, checked against *accepted* sends only (refused requests do not use up quota):

    - overall: at most ``K = max(1, floor(overall_per_second))`` sends in any sliding window of
      ``K / overall_per_second`` seconds (for 30/s: at most 30 sends in any 1 s window);
    - private chats (positive ``chat_id``): at least ``1 / per_chat_per_second`` seconds between
      two sends to the same chat;
    - groups, supergroups and channels (negative ``chat_id`` or ``@username``): at most
      ``per_group_per_minute`` sends to the same chat in any 60 s window.

    ``tolerance`` (seconds) shortens every window and spacing by that much, so timer jitter of a
    correctly paced bot (e.g. 0.005) is not punished. A refused send is answered
    ``retry_after = ceil(seconds until the send would be allowed)``, at least 1, like Telegram.
    """

    overall_per_second: float = 30.0
    per_chat_per_second: float = 1.0
    per_group_per_minute: int = 20
    tolerance: float = 0.0

    def __post_init__(self) -> None:
        if self.overall_per_second <= 0 or self.per_chat_per_second <= 0:
            raise ValueError("rates must be positive")
        if self.per_group_per_minute < 1:
            raise ValueError("per_group_per_minute must be at least 1")
        if self.tolerance < 0:
            raise ValueError("tolerance must not be negative")


@dataclass(frozen=True)
class SendStats:
    """A consistent snapshot of the stand-in's delivery accounting (:meth:`BotApiStandIn.stats`).

    Why: a broadcast benchmark must prove zero losses, zero duplicates and obeyed ``retry_after``
    without scanning thousands of recorded calls. Only sending methods (:data:`SENDING_METHODS`)
    are counted; requests answered by a :meth:`~BotApiStandIn.fail_next` fault, or held or
    dropped by :meth:`~BotApiStandIn.hold_next` / :meth:`~BotApiStandIn.drop_next`, are not.

    - ``send_requests``: sending-method requests that reached the limit checks;
    - ``accepted_sends``: those answered 200 (delivered);
    - ``pacing_429s``: 429s because the bot exceeded :class:`SendLimits`;
    - ``injected_429s``: 429s from :meth:`~BotApiStandIn.inject_429` and
      :meth:`~BotApiStandIn.throttle_sends`;
    - ``retry_after_violations``: sends that arrived while an injected 429's ``retry_after`` was
      still running (each was refused with 429 again; counted in neither 429 field above);
    - ``first_send_at`` / ``last_send_at``: ``time.monotonic()`` of the first/last accepted send;
    - ``per_chat_counts``: accepted sends per chat id (all sending methods);
    - ``per_chat_method_counts``: accepted sends per (chat id, method, e.g. ``"sendMessage"``);
    - ``duplicates``: (chat id, method, payload) → times accepted, only where more than once.
      The payload is the text for sendMessage; for media the caption plus the file (file_id,
      or name and SHA-1 of an upload); for copy/forward the source ``from_chat_id/message_id``.

    ``@username`` chats are counted under the id the stand-in reports for them.
    """

    send_requests: int
    accepted_sends: int
    pacing_429s: int
    injected_429s: int
    retry_after_violations: int
    first_send_at: float | None
    last_send_at: float | None
    per_chat_counts: dict[int, int]
    per_chat_method_counts: dict[tuple[int, str], int]
    duplicates: dict[tuple[int, str, str], int]

    def recipients(self) -> set[int]:
        """Chats that got at least one accepted sendMessage: compare with the audience."""
        return {chat for chat, method in self.per_chat_method_counts if method == "sendMessage"}


class _Answer(NamedTuple):
    """How to answer one request; ``on_sent`` runs once the answer has been written."""

    status: int
    payload: Any
    on_sent: Callable[[], None] | None = None


def _too_many_requests(retry_after: int) -> JSONDict:
    """Telegram's 429 body; PTB turns ``parameters.retry_after`` into ``RetryAfter``."""
    return {
        "ok": False,
        "error_code": HTTPStatus.TOO_MANY_REQUESTS.value,
        "description": f"Too Many Requests: retry after {retry_after}",
        "parameters": {"retry_after": retry_after},
    }


class _SendBook:
    """Pacing, injected 429s and delivery accounting for sending methods.

    Why a separate class: the stand-in's request handling stays readable, and all of this state
    is guarded by the stand-in's lock (every method here expects the caller to hold it).
    """

    def __init__(self, limits: SendLimits | None, open_window: Callable[[float], None]) -> None:
        self.limits = limits
        self._open_window_later = open_window  # takes the lock: call only after answering
        self._overall: deque[float] = deque()
        self._last_private: dict[int, float] = {}
        self._groups: dict[int, deque[float]] = {}
        self._inject_every = 0
        self._throttle_until: float | None = None  # sends refused until then (throttle_sends)
        self._throttle_retry_after: int | None = None
        self._inject_retry_after = 1
        self._inject_left: int | None = None
        self._inject_seen = 0
        # (opened, closes) of injected 429s already written to the bot: it must not send in
        # between. ``opened`` is when the answer had been written (requests arriving earlier were
        # sent before the bot could know); ``closes`` is decision time + retry_after, never later
        # than the bot's own receipt + retry_after, so a bot that waits exactly is never flagged.
        self._windows: deque[tuple[float, float]] = deque()
        self.send_requests = 0
        self.accepted = 0
        self.pacing_429s = 0
        self.injected_429s = 0
        self.violations = 0
        self.first_at: float | None = None
        self.last_at: float | None = None
        self.chat_counts: dict[int, int] = {}
        self.chat_method_counts: dict[tuple[int, str], int] = {}
        self._payloads: dict[tuple[int, str, str], int] = {}
        self._duplicates: set[tuple[int, str, str]] = set()

    def throttle(self, until: float, retry_after: int | None) -> None:
        self._throttle_until, self._throttle_retry_after = until, retry_after

    def inject(self, every: int, retry_after: int, limit: int | None) -> None:
        self._inject_every, self._inject_retry_after = every, retry_after
        self._inject_left, self._inject_seen = limit, 0

    def open_window(self, opened: float, closes: float) -> None:
        self._windows.append((opened, closes))

    def admit(self, chat: int | None, received_at: float, now: float) -> _Answer | None:
        """``None`` if the send may go ahead, else the 429 answer (and counts it)."""
        self.send_requests += 1
        tolerance = self.limits.tolerance if self.limits is not None else 0.0
        while self._windows and self._windows[0][1] < now - 1.0:
            self._windows.popleft()
        for opened, closes in self._windows:
            if opened + tolerance <= received_at < closes - tolerance:
                # The bot had the 429 and sent anyway: refuse again, as a flood-waiting Telegram.
                self.violations += 1
                return _Answer(429, _too_many_requests(max(1, math.ceil(closes - now))))
        if self._throttle_until is not None and now < self._throttle_until:
            retry_after = self._throttle_retry_after or max(
                1, math.ceil(self._throttle_until - now)
            )
            self.injected_429s += 1
            closes = now + retry_after
            return _Answer(
                429, _too_many_requests(retry_after), lambda: self._open_window_later(closes)
            )
        if self._inject_every and self._inject_left != 0:
            self._inject_seen += 1
            if self._inject_seen % self._inject_every == 0:
                if self._inject_left is not None:
                    self._inject_left -= 1
                self.injected_429s += 1
                retry_after = self._inject_retry_after
                closes = now + retry_after
                return _Answer(
                    429, _too_many_requests(retry_after), lambda: self._open_window_later(closes)
                )
        if self.limits is not None and chat is not None:
            wait = self._pacing_wait(self.limits, chat, now)
            if wait > 0:
                self.pacing_429s += 1
                return _Answer(429, _too_many_requests(max(1, math.ceil(wait))))
        return None

    def _pacing_wait(self, limits: SendLimits, chat: int, now: float) -> float:
        """Seconds until a send to ``chat`` fits every limit (≤ 0: it fits now)."""
        capacity = max(1, math.floor(limits.overall_per_second))
        wait = _window_wait(
            self._overall, capacity, capacity / limits.overall_per_second, now, limits.tolerance
        )
        if chat > 0:
            last = self._last_private.get(chat)
            if last is not None:
                gap = 1.0 / limits.per_chat_per_second
                wait = max(wait, last + gap - limits.tolerance - now)
        else:
            times = self._groups.get(chat)
            if times is not None:
                group_wait = _window_wait(
                    times, limits.per_group_per_minute, 60.0, now, limits.tolerance
                )
                wait = max(wait, group_wait)
        return wait

    def accept(self, method: str, chat: int | None, payload: str, now: float) -> None:
        """Account one delivered message (and remember it for pacing)."""
        self.accepted += 1
        if self.first_at is None:
            self.first_at = now
        self.last_at = now
        if self.limits is not None:
            self._overall.append(now)
        if chat is None:
            return
        if self.limits is not None:
            if chat > 0:
                self._last_private[chat] = now
            else:
                self._groups.setdefault(chat, deque()).append(now)
        self.chat_counts[chat] = self.chat_counts.get(chat, 0) + 1
        method_key = (chat, method)
        self.chat_method_counts[method_key] = self.chat_method_counts.get(method_key, 0) + 1
        payload_key = (chat, method, payload)
        seen = self._payloads.get(payload_key, 0) + 1
        self._payloads[payload_key] = seen
        if seen > 1:
            self._duplicates.add(payload_key)

    def snapshot(self) -> SendStats:
        return SendStats(
            send_requests=self.send_requests,
            accepted_sends=self.accepted,
            pacing_429s=self.pacing_429s,
            injected_429s=self.injected_429s,
            retry_after_violations=self.violations,
            first_send_at=self.first_at,
            last_send_at=self.last_at,
            per_chat_counts=dict(self.chat_counts),
            per_chat_method_counts=dict(self.chat_method_counts),
            duplicates={key: self._payloads[key] for key in self._duplicates},
        )


def _window_wait(
    times: deque[float], capacity: int, window: float, now: float, tolerance: float
) -> float:
    """Seconds until one more event fits "≤ capacity events in any ``window`` seconds"."""
    while times and times[0] <= now - window:
        times.popleft()
    if len(times) < capacity:
        return 0.0
    return times[-capacity] + window - tolerance - now


@dataclass
class _Fault:
    """A queued failure answer for one method (see :meth:`BotApiStandIn.fail_next`)."""

    status: int
    description: str
    retry_after: int | None
    remaining: int

    def response(self) -> tuple[int, JSONDict]:
        payload: JSONDict = {
            "ok": False,
            "error_code": self.status,
            "description": self.description,
        }
        if self.retry_after is not None:
            payload["parameters"] = {"retry_after": self.retry_after}
        return self.status, payload


class _ApiError(Exception):
    """Raised while handling a call to answer it the way Telegram answers bad requests."""

    def __init__(self, description: str, status: int = HTTPStatus.BAD_REQUEST) -> None:
        super().__init__(description)
        self.status = int(status)
        self.description = description

    def response(self) -> tuple[int, JSONDict]:
        return self.status, {
            "ok": False,
            "error_code": self.status,
            "description": self.description,
        }


class BotApiStandIn:
    """Fake Telegram Bot API on 127.0.0.1 (threaded ``http.server`` in a daemon thread).

    Use as a context manager or call :meth:`start` / :meth:`stop`. Point the bot at
    :attr:`base_url` (and :attr:`file_url`), push updates with :meth:`push_update`, and assert
    on :meth:`calls`, :meth:`wait_for_call` and :meth:`sent_texts`. For broadcasts, pass
    ``limits`` to get Telegram's flood 429s, :meth:`inject_429` to test the bot's back-off, and
    check :meth:`stats`.
    """

    def __init__(self, *, max_poll_timeout: float = 2.0, limits: SendLimits | None = None) -> None:
        # getUpdates blocks at most this long whatever the bot asks, so shutdown stays quick.
        self._max_poll_timeout = max_poll_timeout
        self._book = _SendBook(limits, self._open_retry_window)
        self._cond = threading.Condition()
        self._calls: list[RecordedCall] = []
        self._updates: list[JSONDict] = []
        self._next_update_id = 1
        self._next_message_id = 1
        self._next_callback_id = 1
        self._faults: dict[str, deque[_Fault]] = {}
        # method (lower case) → ("hold", seconds) or ("drop", 0), one entry per request
        self._transport_faults: dict[str, deque[tuple[str, float]]] = {}
        # (chat_id, message_id) → (text, reply_markup) of the bot's messages, to detect no-op edits.
        self._contents: dict[tuple[str, int], tuple[str, Any]] = {}
        self._webhook_url = ""
        self._bot_id = DEFAULT_BOT_ID
        self._errors: list[BaseException] = []
        self._stopping = False
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # ----------------------------------------------------------------- lifecycle

    def start(self) -> Self:
        """Bind a free port on 127.0.0.1 and serve in a daemon thread."""
        if self._server is not None:
            raise RuntimeError("BotApiStandIn is already running")
        self._stopping = False
        server = _Server(("127.0.0.1", 0), _Handler, self)
        thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"bot-api-standin-{server.server_address[1]}",
            daemon=True,
        )
        self._server, self._thread = server, thread
        thread.start()
        return self

    def stop(self) -> None:
        """Wake pending long polls, stop serving and release the port (idempotent).

        Idle keep-alive connections are closed at once; a request being answered (a woken long
        poll, say) still gets its answer, then its connection is closed.
        """
        server, thread = self._server, self._thread
        if server is None:
            return
        server.close_connections()
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        server.shutdown()
        server.server_close()
        server.close_connections()  # any accepted while serve_forever was winding down
        if thread is not None:
            thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("BotApiStandIn is not running")
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        """Value for PTB's ``base_url`` / ``TELEGRAM_API_URL`` (PTB appends the token)."""
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def file_url(self) -> str:
        """Value for PTB's ``base_file_url``; file downloads are not served (404)."""
        return f"http://127.0.0.1:{self.port}/file/bot"

    @property
    def bot_user(self) -> JSONDict:
        """The bot's User dict, as ``getMe`` returns it for the last token seen."""
        with self._cond:
            return _bot_user(self._bot_id)

    @property
    def limits(self) -> SendLimits | None:
        """The flood limits enforced on sending methods (``None``: unlimited)."""
        return self._book.limits

    @property
    def errors(self) -> list[BaseException]:
        """Unexpected exceptions raised inside the stand-in (should stay empty)."""
        with self._cond:
            return list(self._errors)

    # ----------------------------------------------------------------- assertions

    def calls(self, method: str | None = None) -> list[RecordedCall]:
        """Recorded calls in arrival order, optionally only one method (case-insensitive)."""
        with self._cond:
            return [call for call in self._calls if _same_method(call.method, method)]

    def wait_for_call(
        self,
        method: str,
        predicate: Callable[[dict[str, Any]], bool] | None = None,
        timeout: float = 10.0,
        *,
        since: float | None = None,
    ) -> RecordedCall:
        """Block until a matching call has been recorded (earlier calls count) and return it.

        ``since`` (a ``time.monotonic()`` value) ignores calls received before it. Raises
        :class:`AssertionError` listing the recorded calls when ``timeout`` passes first.
        """
        deadline = time.monotonic() + timeout
        scanned = 0  # calls are only appended: rescan just the new ones after each wake-up
        with self._cond:
            while True:
                for call in self._calls[scanned:]:
                    if (
                        _same_method(call.method, method)
                        and (since is None or call.at >= since)
                        and (predicate is None or predicate(call.params))
                    ):
                        return call
                scanned = len(self._calls)
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(
                        f"no {method} call{' matching the predicate' if predicate else ''} "
                        f"within {timeout:g} s; recorded calls:\n{self._describe_calls()}"
                    )
                self._cond.wait(remaining)

    def sent_texts(self, chat_id: int) -> list[str]:
        """Texts the bot successfully sent (sendMessage) or edited in (editMessageText)."""
        wanted = str(chat_id)
        with self._cond:
            return [
                str(call.params.get("text", ""))
                for call in self._calls
                if call.status == HTTPStatus.OK
                and call.method.lower() in ("sendmessage", "editmessagetext")
                and str(call.params.get("chat_id")) == wanted
            ]

    def stats(self) -> SendStats:
        """A consistent snapshot of the delivery accounting of sending methods."""
        with self._cond:
            return self._book.snapshot()

    def recipients(self) -> set[int]:
        """Chats that got at least one accepted sendMessage."""
        return self.stats().recipients()

    # ----------------------------------------------------------------- updates

    def push_update(self, update: Mapping[str, Any]) -> int:
        """Queue an update for getUpdates, assigning the next ``update_id`` if missing."""
        with self._cond:
            queued = dict(update)
            if "update_id" not in queued:
                queued["update_id"] = self._next_update_id
            update_id = int(queued["update_id"])
            self._next_update_id = max(self._next_update_id, update_id + 1)
            self._updates.append(queued)
            self._cond.notify_all()
            return update_id

    def pending_updates(self) -> list[JSONDict]:
        """Updates not yet confirmed by a getUpdates ``offset`` (i.e. maybe not handled)."""
        with self._cond:
            return [dict(update) for update in self._updates]

    def message_update(
        self,
        user_id: int,
        text: str,
        *,
        first_name: str = "Test",
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "vi",
        chat_id: int | None = None,
    ) -> JSONDict:
        """A text-message update from a user; "/cmd" texts get the bot_command entity."""
        sender = _user(user_id, first_name, last_name, username, language_code)
        message = self._incoming_message(sender, chat_id)
        message["text"] = text
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            message["entities"] = [
                {"type": "bot_command", "offset": 0, "length": _utf16_len(command)}
            ]
        return {"message": message}

    def contact_update(
        self,
        user_id: int,
        phone_number: str,
        *,
        contact_user_id: int | None = None,
        first_name: str = "Test",
        last_name: str | None = None,
        chat_id: int | None = None,
    ) -> JSONDict:
        """A shared-contact update; ``contact.user_id`` defaults to the sender (own number)."""
        sender = _user(user_id, first_name, last_name, None, "vi")
        message = self._incoming_message(sender, chat_id)
        contact: JSONDict = {
            "phone_number": phone_number,
            "first_name": first_name,
            "user_id": user_id if contact_user_id is None else contact_user_id,
        }
        if last_name is not None:
            contact["last_name"] = last_name
        message["contact"] = contact
        return {"message": message}

    def callback_update(
        self,
        user_id: int,
        data: str,
        *,
        message_id: int = 1,
        first_name: str = "Test",
        message_text: str = "…",
    ) -> JSONDict:
        """An inline-button press on bot message ``message_id`` in the user's private chat."""
        sender = _user(user_id, first_name, None, None, "vi")
        with self._cond:
            query_id = str(self._next_callback_id)
            self._next_callback_id += 1
            bot = _bot_user(self._bot_id)
        message: JSONDict = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": _private_chat(user_id, first_name),
            "from": bot,
            "text": message_text,
        }
        return {
            "callback_query": {
                "id": query_id,
                "from": sender,
                "chat_instance": f"ci-{user_id}",
                "data": data,
                "message": message,
            }
        }

    # ----------------------------------------------------------------- faults

    def fail_next(
        self,
        method: str,
        *,
        status: int = 500,
        description: str = "Internal Server Error",
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next ``times`` calls to ``method`` with a Telegram-style error."""
        if times < 1:
            raise ValueError("times must be at least 1")
        with self._cond:
            self._faults.setdefault(method.lower(), deque()).append(
                _Fault(status, description, retry_after, times)
            )

    def hold_next(self, method: str, *, seconds: float, times: int = 1) -> None:
        """Hold the next ``times`` calls to ``method`` for ``seconds``, then answer 504 without
        carrying them out (nothing is sent or delivered).

        Why: Telegram sometimes answers late; a bot whose client timeout is shorter than
        ``seconds`` gives up first and must retry. The call is recorded with status
        :data:`HELD` once the hold ends (or the stand-in stops).
        """
        self._queue_transport_fault(method, "hold", seconds, times)

    def drop_next(self, method: str, *, times: int = 1) -> None:
        """Close the connection of the next ``times`` calls to ``method`` without answering
        (nothing is carried out), as a broken network or a crashing proxy would. Recorded with
        status :data:`DROPPED`."""
        self._queue_transport_fault(method, "drop", 0.0, times)

    def throttle_sends(self, seconds: float, *, retry_after: int | None = None) -> None:
        """Refuse every sending request with 429 for the next ``seconds`` (a flood wait).

        Each 429 says ``retry_after`` (default: the seconds left in the window, rounded up), so
        a bot that obeys it sends again only after the window. A send before the retry_after
        of a 429 it was given is a violation, as with :meth:`inject_429`; refused sends count
        in :attr:`SendStats.injected_429s`. ``seconds=0`` ends the window at once.
        """
        if seconds < 0:
            raise ValueError("seconds must not be negative")
        if retry_after is not None and retry_after < 1:
            raise ValueError("retry_after must be at least 1")
        with self._cond:
            self._book.throttle(time.monotonic() + seconds, retry_after)

    def inject_429(self, *, every: int, retry_after: int = 1, limit: int | None = None) -> None:
        """Refuse every ``every``-th sending request with 429 ``retry_after``, ``limit`` times.

        Why: Telegram may throttle a bot that paces itself correctly, so the bot must obey
        ``retry_after``. Counting starts afresh with each call and covers sending requests
        that reach the limit checks (not fail_next faults, not violations); an injected 429
        takes precedence over pacing. ``limit=None`` injects forever, ``limit=0`` stops.

        A sending request that arrives after an injected 429 has been written to the bot and
        before ``retry_after`` seconds have passed since it was answered is a violation: it is
        counted in :attr:`SendStats.retry_after_violations` and refused with 429 for the
        remaining time, as a flood-waiting Telegram would. The whole bot must wait, not only
        that chat. Requests that arrive before the 429 was fully written were sent before the
        bot could know and are not violations; with :attr:`SendLimits.tolerance` set, neither
        are those arriving within ``tolerance`` after it was written (they crossed it on the
        wire) or within ``tolerance`` before the wait ends (timer jitter).
        """
        if every < 1:
            raise ValueError("every must be at least 1")
        if retry_after < 1:
            raise ValueError("retry_after must be at least 1")
        if limit is not None and limit < 0:
            raise ValueError("limit must not be negative")
        with self._cond:
            self._book.inject(every, retry_after, limit)

    # ----------------------------------------------------------------- request handling

    def _queue_transport_fault(self, method: str, kind: str, seconds: float, times: int) -> None:
        if times < 1:
            raise ValueError("times must be at least 1")
        if seconds < 0:
            raise ValueError("seconds must not be negative")
        with self._cond:
            queue = self._transport_faults.setdefault(method.lower(), deque())
            queue.extend([(kind, seconds)] * times)

    def _transport_fault(
        self, path: str, query: str, content_type: str, body: bytes
    ) -> tuple[str, float] | None:
        """Take a queued hold or drop for this request's method (and record the call)."""
        method = path.rpartition("/")[2]
        with self._cond:
            queue = self._transport_faults.get(method.lower())
            if not path.startswith("/bot") or not queue:
                return None
            kind, seconds = queue.popleft()
        try:
            params = _parse_params(query, content_type, body)
        except ValueError:
            params = {}
        if kind == "hold":
            with self._cond:
                self._cond.wait_for(lambda: self._stopping, timeout=seconds)
        with self._cond:
            status = HELD if kind == "hold" else DROPPED
            self._calls.append(RecordedCall(method, params, time.monotonic(), status))
            self._cond.notify_all()
        return kind, seconds

    def _handle(
        self,
        path: str,
        query: str,
        content_type: str,
        body: bytes,
        received_at: float | None = None,
    ) -> _Answer:
        """Answer one HTTP request (``received_at``: monotonic time its headers arrived)."""
        if not path.startswith("/bot"):
            return _Answer(*_ApiError("Not Found", HTTPStatus.NOT_FOUND).response())
        token, _, method = path[len("/bot") :].partition("/")
        if not token or not method or "/" in method:
            return _Answer(*_ApiError("Not Found", HTTPStatus.NOT_FOUND).response())
        parse_error: _ApiError | None = None
        try:
            params = _parse_params(query, content_type, body)
        except ValueError as exc:  # also UnicodeDecodeError and json.JSONDecodeError
            params, parse_error = {}, _ApiError(f"Bad Request: {exc}")
        bot_id = _bot_id_from_token(token)
        lower = method.lower()
        sending = SENDING_METHODS.get(lower)
        chat = _chat_key(params.get("chat_id")) if sending else None
        with self._cond:
            now = time.monotonic()
            arrived = now if received_at is None else received_at
            self._bot_id = bot_id
            fault = self._take_fault(lower)
            polling = False
            poll_args: tuple[int | None, int, float] = (None, 100, 0.0)
            refusal: _Answer | None = None
            if fault is not None:
                status, payload = fault.response()
            elif parse_error is not None:
                status, payload = parse_error.response()
            elif lower == "getupdates" and self._webhook_url:
                status, payload = _ApiError(
                    "Conflict: can't use getUpdates method while webhook is active; "
                    "use deleteWebhook to delete the webhook first",
                    HTTPStatus.CONFLICT,
                ).response()
            elif lower == "getupdates":
                try:
                    poll_args = _poll_args(params, self._max_poll_timeout)
                except _ApiError as exc:
                    status, payload = exc.response()
                else:
                    status, payload, polling = HTTPStatus.OK, None, True
            elif sending and (refusal := self._book.admit(chat, arrived, now)) is not None:
                status, payload = refusal.status, refusal.payload
            else:
                try:
                    result = self._respond(lower, bot_id, params)
                except _ApiError as exc:
                    status, payload = exc.response()
                else:
                    status, payload = HTTPStatus.OK, {"ok": True, "result": result}
                    if sending:
                        self._book.accept(sending, chat, _payload_marker(lower, params), now)
            self._calls.append(RecordedCall(method, params, now, int(status)))
            self._cond.notify_all()
            if polling:
                payload = {"ok": True, "result": self._poll(*poll_args)}
        return _Answer(int(status), payload, refusal.on_sent if refusal is not None else None)

    def _open_retry_window(self, closes: float) -> None:
        """An injected 429 has been written to the bot: it must not send until ``closes``."""
        with self._cond:
            self._book.open_window(time.monotonic(), closes)

    def _take_fault(self, lower: str) -> _Fault | None:
        queue = self._faults.get(lower)
        if not queue:
            return None
        fault = queue[0]
        fault.remaining -= 1
        if fault.remaining <= 0:
            queue.popleft()
        return fault

    def _poll(self, offset: int | None, limit: int, timeout: float) -> list[JSONDict]:
        """getUpdates with the lock held: confirm by offset, then wait for updates or timeout."""
        if offset is not None:
            if offset < 0:
                # Telegram: a negative offset keeps only the last -offset updates.
                self._updates = self._updates[offset:]
            else:
                # Telegram forgets updates below offset: they count as confirmed.
                self._updates = [u for u in self._updates if int(u["update_id"]) >= offset]
        deadline = time.monotonic() + timeout
        while not self._updates and not self._stopping:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            self._cond.wait(remaining)
        return [json.loads(json.dumps(update)) for update in self._updates[:limit]]

    def _respond(self, lower: str, bot_id: int, params: Mapping[str, Any]) -> Any:
        """The ``result`` of a non-polling method, with the lock held."""
        if lower == "getme":
            return _bot_user(bot_id)
        if lower in ("setwebhook", "deletewebhook"):
            self._webhook_url = str(params.get("url", "")) if lower == "setwebhook" else ""
            if _truthy(params.get("drop_pending_updates")):
                self._updates.clear()
            return True
        if lower in ("copymessage", "forwardmessage"):
            return self._copy(lower, bot_id, params)
        if lower not in _MESSAGE_METHODS:
            return True
        markup = params.get("reply_markup")
        _check_markup(markup)
        if lower in ("sendmessage", "editmessagetext"):
            text = params.get("text")
            if not isinstance(text, str) or not text.strip():
                raise _ApiError("Bad Request: message text is empty")
            if _visible_len(text, params.get("parse_mode")) > TEXT_LIMIT:
                raise _ApiError("Bad Request: message is too long")
        caption = params.get("caption")
        if isinstance(caption, str) and _visible_len(caption, params.get("parse_mode")) > (
            CAPTION_LIMIT
        ):
            raise _ApiError("Bad Request: message caption is too long")
        if lower.startswith("edit"):
            return self._edit(lower, bot_id, params, markup)
        return self._send(lower, bot_id, params, markup)

    def _send(
        self, lower: str, bot_id: int, params: Mapping[str, Any], markup: Any
    ) -> JSONDict | bool:
        message = self._bot_message(bot_id, params.get("chat_id"), self._next_message_id)
        self._next_message_id += 1
        if lower == "sendmessage":
            message["text"] = params["text"]
            content_key = (str(params.get("chat_id")), message["message_id"])
            self._contents[content_key] = (params["text"], markup)
        elif lower == "sendphoto":
            size = _upload_size(params.get("photo"))
            number = message["message_id"]
            message["photo"] = [
                {
                    "file_id": f"photo-{number}",
                    "file_unique_id": f"uphoto-{number}",
                    "width": 320,
                    "height": 240,
                    **({"file_size": size} if size is not None else {}),
                }
            ]
        elif lower == "senddocument":
            message["document"] = _document(params.get("document"), message["message_id"])
        if "caption" in params:
            message["caption"] = params["caption"]
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            message["reply_markup"] = markup
        return message

    def _copy(self, lower: str, bot_id: int, params: Mapping[str, Any]) -> JSONDict:
        """copyMessage answers a MessageId, forwardMessage the new Message (as Telegram)."""
        source_id = _as_int(params.get("message_id"), "message_id")
        source_chat = params.get("from_chat_id")
        if source_id is None or source_chat in (None, ""):
            raise _ApiError("Bad Request: message to copy not found")
        message = self._bot_message(bot_id, params.get("chat_id"), self._next_message_id)
        self._next_message_id += 1
        if lower == "copymessage":
            return {"message_id": message["message_id"]}
        original = self._contents.get((str(source_chat), source_id))
        if original is not None:
            message["text"] = original[0]
        return message

    def _edit(
        self, lower: str, bot_id: int, params: Mapping[str, Any], markup: Any
    ) -> JSONDict | bool:
        if params.get("inline_message_id"):
            return True
        message_id = _as_int(params.get("message_id"), "message_id")
        if message_id is None or params.get("chat_id") is None:
            raise _ApiError("Bad Request: message identifier is not specified")
        key = (str(params.get("chat_id")), message_id)
        previous = self._contents.get(key)
        text = params.get("text") if lower == "editmessagetext" else None
        if previous is not None:
            new_content = (text if text is not None else previous[0], markup)
            if new_content == previous:
                raise _ApiError(
                    "Bad Request: message is not modified: specified new message content and "
                    "reply markup are exactly the same as a current content and reply markup "
                    "of the message"
                )
            self._contents[key] = new_content
        message = self._bot_message(bot_id, params.get("chat_id"), message_id)
        message["edit_date"] = message["date"]
        if text is not None:
            message["text"] = text
        elif previous is not None:
            message["text"] = previous[0]
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            message["reply_markup"] = markup
        return message

    def _bot_message(self, bot_id: int, chat_id: Any, message_id: int) -> JSONDict:
        return {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": _chat(chat_id),
            "from": _bot_user(bot_id),
        }

    def _incoming_message(self, sender: JSONDict, chat_id: int | None) -> JSONDict:
        with self._cond:
            message_id = self._next_message_id
            self._next_message_id += 1
        if chat_id is None or chat_id == sender["id"]:
            chat = _private_chat(sender["id"], sender["first_name"])
        else:
            chat = _chat(chat_id)
        return {"message_id": message_id, "date": int(time.time()), "chat": chat, "from": sender}

    def _describe_calls(self) -> str:
        if not self._calls:
            return "  (none)"
        start = time.monotonic()
        lines = []
        shown = self._calls[-40:]
        if len(self._calls) > len(shown):
            lines.append(f"  … {len(self._calls) - len(shown)} earlier calls omitted")
        for call in shown:
            params = json.dumps(call.params, ensure_ascii=False, default=repr)
            if len(params) > 200:
                params = params[:199] + "…"
            lines.append(f"  {call.at - start:+.2f}s {call.method} [{call.status}] {params}")
        return "\n".join(lines)

    def _record_error(self, error: BaseException) -> None:
        with self._cond:
            self._errors.append(error)


class _Server(ThreadingHTTPServer):
    """ThreadingHTTPServer that knows its stand-in, tracks its connections, never prints errors.

    Why track connections: with keep-alive a handler thread waits for the client's next request
    indefinitely; :meth:`close_connections` ends those so a stopped stand-in answers nothing.
    """

    daemon_threads = True
    allow_reuse_address = True
    # A broadcasting bot opens dozens of connections at once; the default backlog of 5 would
    # drop SYNs and stall it for a 1 s TCP retransmission.
    request_queue_size = 256

    def __init__(
        self,
        address: tuple[str, int],
        handler: type[BaseHTTPRequestHandler],
        standin: BotApiStandIn,
    ) -> None:
        self.standin = standin
        self.closing = False
        self._connections_lock = threading.Lock()
        self._busy: dict[_Handler, bool] = {}  # open connection → answering a request now
        super().__init__(address, handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Client hang-ups (e.g. the bot stopping mid long-poll) are normal here: stay quiet."""

    def connection_state(self, handler: _Handler, *, busy: bool | None) -> bool:
        """Record a connection as busy/idle (``None``: gone); ``False`` means close it now."""
        with self._connections_lock:
            if busy is None:
                self._busy.pop(handler, None)
            else:
                self._busy[handler] = busy
            return not self.closing

    def close_connections(self) -> None:
        """Refuse further requests and hang up idle connections (busy ones close after)."""
        with self._connections_lock:
            self.closing = True
            idle = [handler for handler, busy in self._busy.items() if not busy]
        for handler in idle:
            with contextlib.suppress(OSError):  # already closed by the client
                handler.connection.shutdown(socket.SHUT_RDWR)  # wakes its blocked readline()


class _Handler(BaseHTTPRequestHandler):
    """Routes ``/bot<token>/<method>`` to the stand-in over keep-alive HTTP/1.1 connections.

    Why keep-alive: python-telegram-bot (httpx) pools connections as it does with Telegram; a
    new TCP connection and thread per request costs more than the request itself.
    """

    server: _Server
    server_version = "BotApiStandIn/1.1"
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms stalls

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: no request log on stderr."""

    def setup(self) -> None:
        super().setup()
        if not self.server.connection_state(self, busy=False):
            self.close_connection = True

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.connection_state(self, busy=None)

    def parse_request(self) -> bool:
        """Called once a request line has arrived: the connection is busy until answered."""
        self.received_at = time.monotonic()
        self.server.connection_state(self, busy=True)
        return super().parse_request()

    def handle_one_request(self) -> None:
        try:
            super().handle_one_request()
        finally:
            if not self.server.connection_state(self, busy=False):
                self.close_connection = True

    def do_GET(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def _dispatch(self) -> None:
        standin = self.server.standin
        try:
            parts = urlsplit(self.path)
            body = self._read_body()
            content_type = self.headers.get("Content-Type", "")
            fault = standin._transport_fault(parts.path, parts.query, content_type, body)
            if fault is not None and fault[0] == "drop":
                self._hang_up()
                return
            if fault is not None:  # held: the client has given up; answer what a proxy would
                answer = _Answer(
                    *_ApiError("Gateway Timeout", HTTPStatus.GATEWAY_TIMEOUT).response()
                )
                self.close_connection = True
            else:
                answer = standin._handle(
                    parts.path, parts.query, content_type, body, self.received_at
                )
        except Exception as exc:  # a stand-in bug: answer 500 and keep it for inspection
            standin._record_error(exc)
            self.close_connection = True  # the request body may not have been read in full
            answer = _Answer(
                *_ApiError(
                    f"Internal Server Error: {exc!r}", HTTPStatus.INTERNAL_SERVER_ERROR
                ).response()
            )
        data = json.dumps(answer.payload, ensure_ascii=False).encode("utf-8")
        try:
            self.send_response(answer.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            if self.close_connection or self.server.closing:
                self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(data)
        except OSError:
            self.close_connection = True
            return  # the client gave up (timeout or shutdown); nothing to answer
        if answer.on_sent is not None:
            answer.on_sent()

    def _hang_up(self) -> None:
        """Close the connection without a byte of answer (a dropped connection)."""
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    def _read_body(self) -> bytes:
        """The request body, by Content-Length or chunked transfer coding."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks: list[bytes] = []
            while True:
                size = int(self.rfile.readline(65537).split(b";", 1)[0].strip(), 16)
                if size == 0:
                    while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline(65537)  # CRLF after the chunk
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""


# --------------------------------------------------------------------- helpers


def _same_method(recorded: str, wanted: str | None) -> bool:
    """Bot API method names are case-insensitive."""
    return wanted is None or recorded.lower() == wanted.lower()


def _bot_id_from_token(token: str) -> int:
    prefix = token.split(":", 1)[0]
    return int(prefix) if prefix.isdigit() else DEFAULT_BOT_ID


def _bot_user(bot_id: int) -> JSONDict:
    return {
        "id": bot_id,
        "is_bot": True,
        "first_name": "Thi đua",
        "username": "thidua_test_bot",
        "can_join_groups": False,
        "can_read_all_group_messages": False,
        "supports_inline_queries": False,
    }


def _user(
    user_id: int,
    first_name: str,
    last_name: str | None,
    username: str | None,
    language_code: str | None,
) -> JSONDict:
    user: JSONDict = {"id": user_id, "is_bot": False, "first_name": first_name}
    if last_name is not None:
        user["last_name"] = last_name
    if username is not None:
        user["username"] = username
    if language_code is not None:
        user["language_code"] = language_code
    return user


def _private_chat(user_id: int, first_name: str) -> JSONDict:
    return {"id": user_id, "type": "private", "first_name": first_name}


def _chat(chat_id: Any) -> JSONDict:
    """A plausible Chat for a ``chat_id`` parameter (int, digit string or @username)."""
    if isinstance(chat_id, str) and chat_id.startswith("@"):
        return {"id": -1001000000001, "type": "channel", "title": chat_id[1:], "username": chat_id}
    try:
        number = int(chat_id)
    except (TypeError, ValueError):
        raise _ApiError("Bad Request: chat not found") from None
    if number > 0:
        return _private_chat(number, "Test")
    kind = "supergroup" if number <= -1000000000000 else "group"
    return {"id": number, "type": kind, "title": "Test group"}


def _chat_key(value: Any) -> int | None:
    """The numeric chat id a sending request targets (``None`` if unusable: Telegram says 400)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if not isinstance(value, str):
        return None
    if value.startswith("@"):
        return int(_chat(value)["id"])
    try:
        return int(value)
    except ValueError:
        return None


def _payload_marker(lower: str, params: Mapping[str, Any]) -> str:
    """What makes a delivery a duplicate of another to the same chat by the same method."""
    if lower in ("copymessage", "forwardmessage"):
        return f"{params.get('from_chat_id')}/{params.get('message_id')}"
    if lower == "sendmessage":
        return str(params.get("text", ""))
    media = params.get("document" if lower == "senddocument" else "photo")
    if isinstance(media, UploadedFile):
        digest = hashlib.sha1(media.data, usedforsecurity=False).hexdigest()
        media = f"{media.filename or ''}#sha1:{digest}"
    caption = params.get("caption")
    return f"{media}" if caption is None else f"{caption}\n{media}"


def _document(value: Any, number: int) -> JSONDict:
    document: JSONDict = {"file_id": f"document-{number}", "file_unique_id": f"udoc-{number}"}
    if isinstance(value, UploadedFile):
        document["file_name"] = value.filename or "document"
        document["mime_type"] = value.content_type
        document["file_size"] = value.size
    return document


def _upload_size(value: Any) -> int | None:
    return value.size if isinstance(value, UploadedFile) else None


def _poll_args(params: Mapping[str, Any], max_timeout: float) -> tuple[int | None, int, float]:
    """getUpdates' offset, limit (1-100, default 100) and timeout (capped at max_timeout)."""
    offset = _as_int(params.get("offset"), "offset")
    limit = _as_int(params.get("limit"), "limit") or 100
    timeout = min(max(_as_float(params.get("timeout")), 0.0), max_timeout)
    return offset, min(max(limit, 1), 100), timeout


def _check_markup(markup: Any) -> None:
    """Reject inline buttons Telegram would reject, so such bugs surface in tests."""
    if markup is None:
        return
    if not isinstance(markup, dict):
        raise _ApiError("Bad Request: can't parse reply keyboard markup JSON object")
    for row in markup.get("inline_keyboard", []):
        for button in row:
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode("utf-8")) <= (
                CALLBACK_DATA_LIMIT
            ):
                raise _ApiError("Bad Request: BUTTON_DATA_INVALID")


def _visible_len(text: str, parse_mode: Any) -> int:
    """Length Telegram checks limits against; HTML markup is stripped, Markdown is not counted."""
    mode = str(parse_mode or "").lower()
    if mode == "html":
        return len(html.unescape(_TAG.sub("", text)))
    if mode.startswith("markdown"):
        return 0  # can't measure reliably without a Markdown parser: don't reject
    return len(text)


def _utf16_len(text: str) -> int:
    """Telegram entity offsets and lengths count UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def _truthy(value: Any) -> bool:
    return value is True or str(value).lower() in ("true", "1")


def _as_int(value: Any, name: str) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise _ApiError(f'Bad Request: field "{name}" must be a number') from None


def _as_float(value: Any) -> float:
    try:
        return float(value) if value not in (None, "") else 0.0
    except (TypeError, ValueError):
        return 0.0


def _decode_value(name: str, value: str) -> Any:
    """PTB JSON-encodes non-string values in form data; decode objects/arrays back."""
    if name in _FREE_TEXT_FIELDS or value[:1] not in ("{", "["):
        return value
    try:
        decoded = json.loads(value)
    except ValueError:
        return value
    return decoded if isinstance(decoded, dict | list) else value


def _parse_params(query: str, content_type: str, body: bytes) -> dict[str, Any]:
    """Parameters from the query string and a JSON, urlencoded or multipart body."""
    params: dict[str, Any] = {
        name: _decode_value(name, value) for name, value in parse_qsl(query, keep_blank_values=True)
    }
    if not body:
        return params
    headers = _MimeHeaders()
    headers["Content-Type"] = content_type or "application/octet-stream"
    kind = headers.get_content_type()
    if kind == "application/json":
        decoded = json.loads(body.decode("utf-8"))
        if not isinstance(decoded, dict):
            raise ValueError("JSON body must be an object")
        params.update(decoded)
    elif kind == "application/x-www-form-urlencoded":
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
        params.update((name, _decode_value(name, value)) for name, value in pairs)
    elif kind == "multipart/form-data":
        boundary = headers.get_boundary()
        if not boundary:
            raise ValueError("multipart body without boundary")
        params.update(_parse_multipart(body, boundary))
    return params


def _parse_multipart(body: bytes, boundary: str) -> dict[str, Any]:
    """Split a multipart/form-data body; file parts become :class:`UploadedFile`."""
    params: dict[str, Any] = {}
    for chunk in body.split(b"--" + boundary.encode("latin-1"))[1:]:
        if chunk.startswith(b"--"):
            break  # closing delimiter
        part = chunk.removeprefix(b"\r\n").removesuffix(b"\r\n")
        raw_headers, separator, content = part.partition(b"\r\n\r\n")
        if not separator:
            raise ValueError("malformed multipart part")
        headers = HeaderParser().parsestr(raw_headers.decode("utf-8"))
        name = headers.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            raise ValueError("multipart part without a name")
        filename = headers.get_filename()
        if filename is not None or headers.get_content_type() == "application/octet-stream":
            params[name] = UploadedFile(name, filename, headers.get_content_type(), content)
        else:
            params[name] = _decode_value(name, content.decode("utf-8"))
    return params
