"""Announcements (thông báo) from the Ban TĐKT to an audience: text, photo or document."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.campaigns import Audience, resolve_audience
from bot.errors import UserFacingError
from bot.i18n import N_
from storage import outbox as outbox_store
from storage.campaign_models import AudienceKind, Broadcast

MAX_TEXT = 4096
MAX_CAPTION = 1024


@dataclass(frozen=True)
class Announcement:
    """Exactly one of text, photo or document; photo and document may carry a caption."""

    text: str | None = None
    photo_file_id: str | None = None
    document_file_id: str | None = None
    caption: str | None = None

    def payload(self) -> dict[str, object]:
        if self.photo_file_id:
            return {"method": "sendPhoto", "file_id": self.photo_file_id, "caption": self.caption}
        if self.document_file_id:
            return {
                "method": "sendDocument",
                "file_id": self.document_file_id,
                "caption": self.caption,
            }
        return {"method": "sendMessage", "text": self.text or ""}

    def check(self) -> None:
        if not (self.text or self.photo_file_id or self.document_file_id):
            raise UserFacingError(N_("An announcement needs a text, a photo or a document."))
        if self.text and len(self.text) > MAX_TEXT:
            raise UserFacingError(
                N_("The text is too long: at most {max} characters."), max=MAX_TEXT
            )
        if self.caption and len(self.caption) > MAX_CAPTION:
            raise UserFacingError(
                N_("The caption is too long: at most {max} characters."), max=MAX_CAPTION
            )


@dataclass(frozen=True)
class AnnouncementResult:
    broadcast: Broadcast
    queued: int
    audience: Audience


async def announce(
    announcement: Announcement,
    kind: AudienceKind,
    scopes: list[tuple[str, int]],
    *,
    by: int | None,
    admin_chat_id: int | None,
    now: datetime,
    session: AsyncSession,
) -> AnnouncementResult:
    """Queue one message per reachable member of the audience; an empty audience is refused."""
    announcement.check()
    audience = await resolve_audience(kind, scopes, session=session)
    if not audience.recipients:
        raise UserFacingError(
            N_(
                "Nobody in this audience can be reached yet ({count} people, none linked to "
                "Telegram). Invite them first."
            ),
            count=len(audience.members),
        )
    broadcast = await outbox_store.add_broadcast(
        Broadcast(
            kind="announcement",
            created_by=by,
            admin_chat_id=admin_chat_id,
            total=len(audience.recipients),
            created_at=now,
        ),
        session=session,
    )
    payload = announcement.payload()
    rows = [
        {
            "dedupe_key": f"announce:{broadcast.id}:{member.id}",
            "kind": "announcement",
            "broadcast_id": broadcast.id,
            "member_id": member.id,
            "chat_id": member.telegram_user_id,
            "payload": payload,
        }
        for member in audience.recipients
    ]
    queued = await outbox_store.enqueue(rows, session=session)
    return AnnouncementResult(broadcast=broadcast, queued=queued, audience=audience)
