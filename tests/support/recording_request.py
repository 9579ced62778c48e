"""A fake HTTP layer for PTB: answers like the Bot API and records every call, offline."""

import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any

from telegram.request import BaseRequest, RequestData

BOT_ID = 123456
BOT_USER = {
    "id": BOT_ID,
    "is_bot": True,
    "first_name": "Thi đua",
    "username": "thidua_test_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}
TOKEN = f"{BOT_ID}:" + "A" * 35
SENDING_METHODS = {"sendmessage", "editmessagetext", "senddocument", "sendphoto"}


@dataclass(frozen=True)
class Call:
    method: str
    params: dict[str, Any]
    files: dict[str, bytes] = field(default_factory=dict)  # uploaded files by part name

    @property
    def text(self) -> str:
        return str(self.params.get("text", ""))

    @property
    def markup(self) -> dict[str, Any]:
        markup = self.params.get("reply_markup") or {}
        return json.loads(markup) if isinstance(markup, str) else dict(markup)


class RecordingRequest(BaseRequest):
    """Every Bot API call is appended to `calls`; no socket is ever opened."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self._message_ids = itertools.count(1000)
        self._faults: list[tuple[str, int | None, int, dict[str, Any]]] = []
        self.times: list[
            tuple[float, str, int | None, int]
        ] = []  # (monotonic, method, chat, status)

    def fail_next(
        self,
        method: str,
        status: int,
        description: str,
        *,
        chat_id: int | None = None,
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        """The next `times` calls of `method` (to `chat_id`, if given) answer with an error."""
        body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
        if retry_after is not None:
            body["parameters"] = {"retry_after": retry_after}
        for _ in range(times):
            self._faults.append((method.lower(), chat_id, status, body))

    @property
    def read_timeout(self) -> float | None:
        return 1.0

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        api_method = url.rsplit("/", 1)[-1]
        params = dict(request_data.parameters) if request_data else {}
        files = {}
        if request_data is not None and request_data.multipart_data:
            files = {name: part[1] for name, part in request_data.multipart_data.items()}
        self.calls.append(Call(api_method, params, files))
        chat = params.get("chat_id")
        chat_id = int(chat) if chat is not None and str(chat).lstrip("-").isdigit() else None
        for index, (method, fault_chat, status, body) in enumerate(self._faults):
            if method == api_method.lower() and fault_chat in (None, chat_id):
                del self._faults[index]
                self.times.append((time.monotonic(), api_method, chat_id, status))
                return status, json.dumps(body).encode()
        self.times.append((time.monotonic(), api_method, chat_id, 200))
        result = self._result(api_method.lower(), params)
        return 200, json.dumps({"ok": True, "result": result}).encode()

    def _result(self, method: str, params: dict[str, Any]) -> Any:
        if method == "getme":
            return BOT_USER
        if method == "getupdates":
            return []
        if method in SENDING_METHODS:
            chat_id = int(params.get("chat_id", 0))
            chat = {"id": chat_id, "type": "private" if chat_id > 0 else "group"}
            if chat_id < 0:
                chat["title"] = "Group"
            message_id = next(self._message_ids)
            result = {
                "message_id": message_id,
                "date": int(time.time()),
                "chat": chat,
                "from": BOT_USER,
                "text": params.get("text", ""),
            }
            if method == "sendphoto":  # Telegram answers with the sizes it keeps, largest last
                size = {"file_id": f"photo-{message_id}", "file_unique_id": f"p{message_id}"}
                result["photo"] = [{**size, "width": 320, "height": 240}]
            return result
        return True

    def sent(self, method: str = "sendMessage") -> list[Call]:
        return [call for call in self.calls if call.method == method]
