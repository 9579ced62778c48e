"""Erasing a person's data on request, keeping the counts that summaries are made of.

Rows that exist only because of the person (their Telegram identity, message log, chat flow,
roles, invite use, reminders, leave, title history, evidence files) are deleted. Rows that feed
aggregates (pledges, targets with their planned numbers, reports with their achieved numbers,
acknowledgements, outbox rows of a launch) stay, without any text the person or others typed
about them. The member row stays as an anonymised placeholder, so a unit's roster count, rate
and totals do not move. Every statement only matches rows that still hold something, so a
second erasure changes nothing.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, or_, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col, select

from storage.campaign_models import Broadcast, Campaign, OutboxMessage, OutboxStatus
from storage.models import (
    ChatFlow,
    Invite,
    InviteRedemption,
    Member,
    MessageLog,
    RoleAssignment,
    TelegramUser,
)
from storage.pledge_models import CovenantSignature, Pledge, PledgeEvent, PledgeTarget, TitleHistory
from storage.privacy_models import Erasure, ErasureChannel
from storage.progress_models import Evidence, ProgressReport, ProgressValue, ReportEvent
from storage.reminder_models import MemberLeave, Reminder
from storage.scoring_models import ScoreEvent, ScoringSheet
from storage.types import utcnow

UNKNOWN_SIGNER = 0  # covenant_signatures.signed_by cannot be NULL


@dataclass(frozen=True)
class Placeholders:
    """Neutral texts put where personal ones were (in the organisation's language)."""

    name: str  # "Người đã xoá dữ liệu #12"
    name_key: str
    own_target: str  # the label of a target the person wrote themselves


@dataclass(frozen=True)
class Mentions:
    """How others' messages may name the person: full name and phone in its written forms."""

    texts: tuple[str, ...]


async def _run(session: AsyncSession, statement: Any) -> int:
    result = await session.execute(statement.execution_options(synchronize_session=False))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def erase_telegram_rows(ids: Sequence[int], *, session: AsyncSession) -> int:
    """Delete what a Telegram account left (identity, log, flow, roles) and clear its actor ids."""
    if not ids:
        return 0
    wanted = list(ids)
    # The bot's replies are logged under the private chat's id, which is the user's id.
    changed = await _run(session, delete(MessageLog).where(_in(MessageLog.telegram_user_id, ids)))
    changed += await _run(session, delete(ChatFlow).where(_in(ChatFlow.telegram_user_id, ids)))
    changed += await _run(
        session, delete(RoleAssignment).where(_in(RoleAssignment.telegram_user_id, ids))
    )
    changed += await _run(
        session, delete(InviteRedemption).where(_in(InviteRedemption.telegram_user_id, ids))
    )
    for model, column in (
        (Invite, "created_by"),
        (Campaign, "created_by"),
        (Broadcast, "created_by"),
        (Pledge, "entered_by"),
        (PledgeEvent, "actor"),
        (ProgressReport, "entered_by"),
        (Evidence, "sender"),
        (ReportEvent, "actor"),
        (MemberLeave, "created_by"),
        (ScoringSheet, "published_by"),
        (ScoreEvent, "actor"),
    ):
        changed += await _clear(session, model, column, ids)
    changed += await _run(
        session,
        update(Broadcast)
        .where(_in(Broadcast.admin_chat_id, ids))
        .values(admin_chat_id=None, progress_message_id=None),
    )
    changed += await _run(
        session,
        update(CovenantSignature)
        .where(_in(CovenantSignature.signed_by, ids))
        .values(signed_by=UNKNOWN_SIGNER),
    )
    changed += await _scrub_outbox(_in(OutboxMessage.chat_id, ids), session=session)
    member_holding = select(Member).where(_in(Member.telegram_user_id, wanted))
    for member in (await session.execute(member_holding)).scalars().all():
        member.telegram_user_id = None
        member.linked_at = None
        changed += 1
    await session.flush()
    changed += await _run(session, delete(TelegramUser).where(_in(TelegramUser.id, ids)))
    return changed


async def erase_member_rows(
    member: Member, placeholders: Placeholders, *, session: AsyncSession
) -> int:
    """Anonymise the member record and what hangs off it; keep the rows summaries count."""
    assert member.id is not None
    member_id = member.id
    changed = _anonymise(member, placeholders)
    await session.flush()
    for model in (RoleAssignment, InviteRedemption, TitleHistory, MemberLeave):
        changed += await _run(session, delete(model).where(col(model.member_id) == member_id))
    changed += await _run(
        session,
        delete(Reminder).where(
            col(Reminder.audience) == "member", col(Reminder.subject_id) == member_id
        ),
    )
    changed += await _scrub_outbox(col(OutboxMessage.member_id) == member_id, session=session)
    pledge_ids = select(Pledge.id).where(col(Pledge.member_id) == member_id)
    report_ids = select(ProgressReport.id).where(col(ProgressReport.pledge_id).in_(pledge_ids))
    changed += await _run(
        session,
        update(Pledge)
        .where(col(Pledge.member_id) == member_id, col(Pledge.commitment) != "")
        .values(commitment=""),
    )
    changed += await _clear_warnings(member_id, session=session)
    changed += await _run(
        session,
        update(PledgeTarget)
        .where(
            col(PledgeTarget.pledge_id).in_(pledge_ids),
            col(PledgeTarget.template_id).is_(None),
            col(PledgeTarget.label) != placeholders.own_target,
        )
        .values(label=placeholders.own_target),
    )
    changed += await _clear(session, PledgeTarget, "planned_text", pledge_ids, key="pledge_id")
    changed += await _clear(session, PledgeEvent, "reason", pledge_ids, key="pledge_id")
    changed += await _run(
        session,
        update(ProgressReport)
        .where(col(ProgressReport.id).in_(report_ids), col(ProgressReport.note) != "")
        .values(note=""),
    )
    changed += await _clear(session, ProgressValue, "achieved_text", report_ids, key="report_id")
    changed += await _clear(session, ReportEvent, "reason", report_ids, key="report_id")
    changed += await _run(session, delete(Evidence).where(col(Evidence.report_id).in_(report_ids)))
    return changed


async def redact_mentions(mentions: Mentions, *, session: AsyncSession) -> int:
    """Others' logged messages that name the person (a list an officer got, a phone an admin
    typed): their text and raw payload are dropped, the row (who, when) stays."""
    conditions = [
        col(MessageLog.text).like(f"%{_escaped(text)}%", escape="\\") for text in mentions.texts
    ]
    if not conditions:
        return 0
    return await _run(
        session, update(MessageLog).where(or_(*conditions)).values(text=None, payload={})
    )


async def record(
    member_id: int | None,
    *,
    channel: ErasureChannel,
    erased_by: int | None,
    operator: str,
    rows_changed: int,
    session: AsyncSession,
) -> Erasure:
    erasure = Erasure(
        member_id=member_id,
        channel=channel,
        erased_by=erased_by,
        operator=operator[:64],
        rows_changed=rows_changed,
    )
    session.add(erasure)
    await session.flush()
    return erasure


async def erasures_of(member_id: int, *, session: AsyncSession) -> list[Erasure]:
    query = select(Erasure).where(col(Erasure.member_id) == member_id).order_by(col(Erasure.id))
    return list((await session.execute(query)).scalars().all())


async def redemption_telegram_ids(member_id: int, *, session: AsyncSession) -> set[int]:
    """Telegram accounts that joined through an invite as this member."""
    query = select(InviteRedemption.telegram_user_id).where(
        col(InviteRedemption.member_id) == member_id
    )
    return {int(row) for row in (await session.execute(query)).scalars().all()}


def _anonymise(member: Member, placeholders: Placeholders) -> int:
    wanted: dict[str, Any] = {
        "full_name": placeholders.name,
        "name_key": placeholders.name_key,
        "position": None,
        "phone": None,
        "email": None,
        "joined_on": None,
        "telegram_user_id": None,
        "linked_at": None,
    }
    changed = [name for name, value in wanted.items() if getattr(member, name) != value]
    for name in changed:
        setattr(member, name, wanted[name])
    if changed:
        member.updated_at = utcnow()
    return 1 if changed else 0


async def _clear_warnings(member_id: int, *, session: AsyncSession) -> int:
    """Eligibility warnings name the person's titles and dates; JSON is compared in Python."""
    query = select(Pledge).where(col(Pledge.member_id) == member_id)
    changed = 0
    for pledge in (await session.execute(query)).scalars().all():
        if pledge.warnings:
            pledge.warnings = []
            changed += 1
    await session.flush()
    return changed


async def _scrub_outbox(where: ColumnElement[bool], *, session: AsyncSession) -> int:
    """Messages to the person: unsent ones are cancelled; every one loses its text and chat.

    The rows stay (with their status and member id) so a launch's delivery figures hold.
    """
    changed = await _run(
        session,
        update(OutboxMessage)
        .where(where, col(OutboxMessage.status) == OutboxStatus.PENDING)
        .values(status=OutboxStatus.CANCELLED),
    )
    query = select(OutboxMessage).where(where)
    for row in (await session.execute(query)).scalars().all():
        if row.payload or row.chat_id or row.last_error:
            row.payload = {}
            row.chat_id = 0
            row.last_error = None
            changed += 1
    await session.flush()
    return changed


async def _clear(
    session: AsyncSession, model: Any, column: str, within: Any, *, key: str | None = None
) -> int:
    """Set `column` to NULL where it is set: on rows whose `key` is in `within` (a subquery),
    or, without a key, where the column itself holds one of the ids in `within`."""
    target = getattr(model, column)
    if key is None:
        where = _in(target, within)
    else:
        where = col(getattr(model, key)).in_(within) & col(target).is_not(None)
    return await _run(session, update(model).where(where).values({column: None}))


def _in(column: Any, ids: Sequence[int]) -> ColumnElement[bool]:
    return col(column).in_(list(ids))


def _escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
