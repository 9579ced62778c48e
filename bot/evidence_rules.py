"""Which files are accepted as evidence (minh chứng), and why the others are not.

Evidence is kept by Telegram file id and shown again by re-sending that id, so nothing is
downloaded now. The size limit is the Bot API's download limit (20 MB): a file over it could
never be fetched for an export or an archive later, so it is refused at once with the reason.
Photos, PDFs, office documents, plain images and text are taken; videos, voice messages,
stickers and archives are refused with what to send instead.
"""

from dataclasses import asdict
from typing import Any

from bot.errors import UserFacingError
from bot.flow_engine import FlowInput
from bot.i18n import N_, Translator
from bot.reports import EvidenceInput
from storage.progress_models import MAX_CAPTION_LENGTH, EvidenceKind

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_FILES_PER_REPORT = 20
ACCEPTED_MIME_PREFIXES = ("image/", "text/")
ACCEPTED_MIME_TYPES = frozenset(
    {
        "application/pdf",
        "application/msword",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.ms-excel",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.ms-powerpoint",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "application/vnd.oasis.opendocument.text",
        "application/vnd.oasis.opendocument.spreadsheet",
    }
)
ACCEPTED_SUFFIXES = (".pdf", ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx", ".odt", ".ods")
WRONG_KIND = N_(
    "A {kind} cannot be kept as evidence. Send a photo, or a document (PDF, Word, Excel,"
    " PowerPoint, an image)."
)
KIND_NAMES = {
    "video": N_("video"),
    "video_note": N_("video message"),
    "voice": N_("voice message"),
    "audio": N_("audio file"),
    "sticker": N_("sticker"),
    "animation": N_("animation"),
    "location": N_("location"),
}


def as_data(item: EvidenceInput) -> dict[str, Any]:
    """The accepted file as kept in the flow's data until the report is confirmed."""
    return asdict(item)


def from_data(data: dict[str, Any]) -> EvidenceInput:
    return EvidenceInput(**{**data, "kind": EvidenceKind(data["kind"])})


def _accepted_document(mime_type: str | None, file_name: str | None) -> bool:
    if mime_type and (
        mime_type in ACCEPTED_MIME_TYPES or mime_type.startswith(ACCEPTED_MIME_PREFIXES)
    ):
        return True
    return bool(file_name) and str(file_name).lower().endswith(ACCEPTED_SUFFIXES)


def evidence_file(received: FlowInput) -> EvidenceInput | None:
    """The evidence in a message; None for plain text; UserFacingError for what cannot be kept."""
    if received.other is not None:
        kind = KIND_NAMES.get(received.other, N_("file"))
        raise UserFacingError(WRONG_KIND, kind=kind)
    file_id = received.photo or received.document
    if file_id is None:
        return None
    if received.file_size is not None and received.file_size > MAX_FILE_BYTES:
        raise UserFacingError(
            N_(
                "This file is {size} MB; evidence can be at most 20 MB. Send a smaller file or a"
                " photo of the page."
            ),
            size=f"{received.file_size / 1024 / 1024:.1f}".replace(".", ","),
        )
    if received.document is not None and not _accepted_document(
        received.mime_type, received.document_name
    ):
        raise UserFacingError(WRONG_KIND, kind=N_("file of this type"))
    caption = (received.text or "").strip()[:MAX_CAPTION_LENGTH] or None
    return EvidenceInput(
        file_id=file_id,
        file_unique_id=received.file_unique_id or file_id[-64:],
        kind=EvidenceKind.PHOTO if received.photo else EvidenceKind.DOCUMENT,
        mime_type=received.mime_type,
        file_name=received.document_name,
        file_size=received.file_size,
        caption=caption,
    )


def refusal_text(exc: UserFacingError, t: Translator) -> str:
    """The refusal in the person's language, with the kind of file named in it too."""
    params = {key: t(str(value)) if key == "kind" else value for key, value in exc.params.items()}
    return t(exc.message, **params)
