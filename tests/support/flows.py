"""Helpers for chat-flow tests: an admin, buttons found by their label, photos and documents."""

from typing import Any

from sqlmodel import select

from bot.app import ThiduaApplication, build_application
from bot.i18n import Catalogs
from bot.settings import Settings
from storage import people
from storage.database import Database
from storage.models import ChatFlow, GrantSource, Role, ScopeKind
from tests.support.harness import BotHarness
from tests.support.org_seed import BINH, CUONG, DUNG, HOA, MAI, NHUNG
from tests.support.recording_request import Call, RecordingRequest

PHONES = {
    NHUNG: "0912345678",
    BINH: "0987654321",
    MAI: "0356789012",
    CUONG: "0901234567",
    DUNG: "0383456789",
    HOA: "0978123456",
}


async def make_admin(database: Database, user_id: int) -> None:
    async with database.session() as session:
        await people.grant_to_telegram_id(
            user_id, Role.ADMIN, ScopeKind.ALL, None, GrantSource.GRANT, session=session
        )


async def link(harness: BotHarness, user_ids: list[int]) -> None:
    for user_id in user_ids:
        calls = await harness.share_contact(user_id, PHONES[user_id])
        assert "Chào mừng" in harness.texts(calls)


def shown(calls: list[Call]) -> str:
    """Every text the person saw: messages, edits, captions and button answers."""
    parts = []
    for call in calls:
        if call.method in ("sendMessage", "editMessageText", "answerCallbackQuery"):
            parts.append(call.text)
        elif call.method in ("sendPhoto", "sendDocument"):
            parts.append(str(call.params.get("caption") or ""))
    return "\n".join(parts)


def buttons(calls: list[Call]) -> list[tuple[str, str]]:
    """(label, callback_data) of every inline button in the calls, newest message last."""
    found = []
    for call in calls:
        for row in call.markup.get("inline_keyboard", []):
            found += [(b["text"], b["callback_data"]) for b in row if "callback_data" in b]
    return found


def button(calls: list[Call], label: str) -> str:
    """The callback data of the newest button whose label contains `label`."""
    matches = [data for text, data in buttons(calls) if label in text]
    assert matches, f"no button {label!r} in {[text for text, _ in buttons(calls)]}"
    return matches[-1]


async def flow_row(database: Database, user_id: int) -> ChatFlow | None:
    async with database.session() as session:
        return (
            await session.execute(select(ChatFlow).where(ChatFlow.telegram_user_id == user_id))
        ).scalar_one_or_none()


def media_update(
    harness: BotHarness,
    user_id: int,
    *,
    photo: str | None = None,
    document: str | None = None,
    caption: str | None = None,
    file_name: str = "ke_hoach.pdf",
    mime_type: str = "application/pdf",
    file_size: int | None = None,
    other: str | None = None,
) -> dict[str, Any]:
    update = harness.updates.message_update(user_id, "x")
    message = update["message"]
    del message["text"]
    if photo:
        message["photo"] = [
            {"file_id": f"{photo}-small", "file_unique_id": "ps", "width": 90, "height": 90},
            {
                "file_id": photo,
                "file_unique_id": f"u-{photo}"[:64],
                "width": 1280,
                "height": 960,
                "file_size": file_size or 150_000,
            },
        ]
    if document:
        message["document"] = {
            "file_id": document,
            "file_unique_id": f"u-{document}"[:64],
            "file_name": file_name,
            "mime_type": mime_type,
            "file_size": file_size or 250_000,
        }
    if other == "video":
        message["video"] = {
            "file_id": "video-1",
            "file_unique_id": "uv1",
            "width": 640,
            "height": 480,
            "duration": 5,
        }
    if other == "sticker":
        message["sticker"] = {
            "file_id": "st-1",
            "file_unique_id": "us1",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
        }
    if caption:
        message["caption"] = caption
    return update


async def second_app(
    settings: Settings, database: Database, catalogs: Catalogs
) -> tuple[ThiduaApplication, BotHarness]:
    """Another application on the same database: what the bot is after a restart."""
    request = RecordingRequest()
    app = build_application(settings, request=request, database=database, catalogs=catalogs)
    await app.initialize()
    return app, BotHarness(app, request)
