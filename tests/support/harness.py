"""Drive the real application offline: feed Telegram-shaped updates, read what it sent."""

from typing import Any

from telegram import Update

from bot.app import ThiduaApplication
from tests.support.bot_api_standin import BotApiStandIn
from tests.support.recording_request import Call, RecordingRequest


class BotHarness:
    """One bot, many simulated people. Each action returns the calls it caused."""

    def __init__(self, app: ThiduaApplication, request: RecordingRequest) -> None:
        self.app = app
        self.request = request
        self.updates = BotApiStandIn()  # not started: used only to build update dicts
        self._update_ids = iter(range(1, 10**9))

    async def feed(self, update: dict[str, Any]) -> list[Call]:
        update = {"update_id": next(self._update_ids), **update}
        before = len(self.request.calls)
        await self.app.process_update(Update.de_json(update, self.app.bot))
        return self.request.calls[before:]

    async def say(self, user_id: int, text: str, **kwargs: Any) -> list[Call]:
        return await self.feed(self.updates.message_update(user_id, text, **kwargs))

    async def share_contact(self, user_id: int, phone: str, **kwargs: Any) -> list[Call]:
        return await self.feed(self.updates.contact_update(user_id, phone, **kwargs))

    async def press(self, user_id: int, data: str) -> list[Call]:
        return await self.feed(self.updates.callback_update(user_id, data))

    @staticmethod
    def texts(calls: list[Call]) -> str:
        """All message texts and callback answers of the calls, joined for assertions."""
        parts = [call.text for call in calls if call.method == "sendMessage"]
        parts += [
            str(call.params.get("text", ""))
            for call in calls
            if call.method == "answerCallbackQuery"
        ]
        return "\n".join(parts)
