"""Where the bot keeps data about a person, and the queries that gather it for `/dulieu`.

`PERSON_COLUMNS` names every column that points at a person (a roster member id or a Telegram
id). It is the map both the export and the erasure (`storage/erasure.py`) follow, and a test
checks that every such column of every table is on it, so a new table cannot be forgotten.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import or_
from sqlalchemy import select as sa_select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import SQLModel, col, select

from storage.campaign_models import Acknowledgement, Campaign, CampaignMilestone, OutboxMessage
from storage.models import (
    Bloc,
    ChatFlow,
    InviteRedemption,
    Member,
    MessageLog,
    RoleAssignment,
    TelegramUser,
    Unit,
)
from storage.pledge_models import Pledge, PledgeEvent, PledgeTarget, TitleHistory
from storage.progress_models import Evidence, ProgressReport, ProgressValue, ReportEvent
from storage.reminder_models import MemberLeave, Reminder

# table → (column, what it holds): "member" a roster member id, "telegram" a Telegram user or
# private chat id. Rows *about* the person are exported whole and erased or scrubbed; columns
# that only record them as the actor on someone else's row are listed in the export and cleared.
PERSON_COLUMNS: dict[str, dict[str, str]] = {
    "telegram_users": {"id": "telegram"},
    "members": {"id": "member", "telegram_user_id": "telegram"},
    "role_assignments": {"member_id": "member", "telegram_user_id": "telegram"},
    "invites": {"created_by": "telegram"},
    "invite_redemptions": {"member_id": "member", "telegram_user_id": "telegram"},
    "message_log": {"telegram_user_id": "telegram", "chat_id": "telegram"},
    "chat_flows": {"telegram_user_id": "telegram"},
    "campaigns": {"created_by": "telegram"},
    "acknowledgements": {"member_id": "member"},
    "broadcasts": {"created_by": "telegram", "admin_chat_id": "telegram"},
    "outbox": {"member_id": "member", "chat_id": "telegram"},
    "pledges": {"member_id": "member", "entered_by": "telegram"},
    "pledge_events": {"actor": "telegram"},
    "title_history": {"member_id": "member"},
    "covenant_signatures": {"signed_by": "telegram"},
    "progress_reports": {"entered_by": "telegram"},
    "report_evidence": {"sender": "telegram"},
    "report_events": {"actor": "telegram"},
    "reminders": {"subject_id": "member"},  # a member when audience = "member"
    "member_leaves": {"member_id": "member", "created_by": "telegram"},
    "scoring_sheets": {"published_by": "telegram"},
    "score_events": {"actor": "telegram"},
    "erasures": {"member_id": "member", "erased_by": "telegram"},  # the audit, kept on purpose
}

# Columns that record a person as the one who acted on a row that is not about them.
ACTOR_COLUMNS: tuple[tuple[str, str], ...] = (
    ("invites", "created_by"),
    ("campaigns", "created_by"),
    ("broadcasts", "created_by"),
    ("pledges", "entered_by"),
    ("pledge_events", "actor"),
    ("covenant_signatures", "signed_by"),
    ("progress_reports", "entered_by"),
    ("report_evidence", "sender"),
    ("report_events", "actor"),
    ("member_leaves", "created_by"),
    ("scoring_sheets", "published_by"),
    ("score_events", "actor"),
)


@dataclass(frozen=True)
class ActorRef:
    """ "Row `row_id` of `table` names you in `column`" — without the rest of that row."""

    table: str
    column: str
    row_id: int


@dataclass
class StoredData:
    """Everything stored about one Telegram account and the roster member linked to it."""

    telegram_user_id: int | None
    telegram_user: TelegramUser | None = None
    member: Member | None = None
    unit: Unit | None = None
    bloc: Bloc | None = None
    roles: list[RoleAssignment] = field(default_factory=list)
    invite_redemptions: list[InviteRedemption] = field(default_factory=list)
    chat_flows: list[ChatFlow] = field(default_factory=list)
    acknowledgements: list[Acknowledgement] = field(default_factory=list)
    pledges: list[Pledge] = field(default_factory=list)
    pledge_targets: list[PledgeTarget] = field(default_factory=list)
    pledge_events: list[PledgeEvent] = field(default_factory=list)
    title_history: list[TitleHistory] = field(default_factory=list)
    reports: list[ProgressReport] = field(default_factory=list)
    progress_values: list[ProgressValue] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    report_events: list[ReportEvent] = field(default_factory=list)
    reminders: list[Reminder] = field(default_factory=list)
    leaves: list[MemberLeave] = field(default_factory=list)
    outbox: list[OutboxMessage] = field(default_factory=list)
    messages: list[MessageLog] = field(default_factory=list)
    actions: list[ActorRef] = field(default_factory=list)
    campaigns: dict[int, Campaign] = field(default_factory=dict)  # names for the summary
    milestones: dict[int, CampaignMilestone] = field(default_factory=dict)

    def tables(self) -> dict[str, list[SQLModel]]:
        """The rows about the person, by table name, for the JSON export."""
        single = [row for row in (self.telegram_user,) if row is not None]
        member = [row for row in (self.member,) if row is not None]
        return {
            "telegram_users": list(single),
            "members": list(member),
            "role_assignments": list(self.roles),
            "invite_redemptions": list(self.invite_redemptions),
            "chat_flows": list(self.chat_flows),
            "acknowledgements": list(self.acknowledgements),
            "pledges": list(self.pledges),
            "pledge_targets": list(self.pledge_targets),
            "pledge_events": list(self.pledge_events),
            "title_history": list(self.title_history),
            "progress_reports": list(self.reports),
            "progress_values": list(self.progress_values),
            "report_evidence": list(self.evidence),
            "report_events": list(self.report_events),
            "reminders": list(self.reminders),
            "member_leaves": list(self.leaves),
            "outbox": list(self.outbox),
            "message_log": list(self.messages),
        }


async def _all(session: AsyncSession, query: Any) -> list[Any]:
    return list((await session.execute(query)).scalars().all())


async def gather(
    telegram_user_id: int | None, member: Member | None, *, session: AsyncSession
) -> StoredData:
    """Every row about this person; `member` is their roster record, if any."""
    found = StoredData(telegram_user_id=telegram_user_id)
    ids = [telegram_user_id] if telegram_user_id is not None else []
    if ids:
        found.telegram_user = await session.get(TelegramUser, telegram_user_id)
        found.chat_flows = await _all(
            session, select(ChatFlow).where(col(ChatFlow.telegram_user_id).in_(ids))
        )
        found.messages = await _all(
            session,
            select(MessageLog)
            .where(col(MessageLog.telegram_user_id).in_(ids))
            .order_by(col(MessageLog.id)),
        )
        found.actions = await actions_of(ids, session=session)
    member_id = member.id if member is not None else None
    found.roles = await _all(session, _by_person(RoleAssignment, member_id, ids))
    found.invite_redemptions = await _all(session, _by_person(InviteRedemption, member_id, ids))
    found.outbox = await _outbox_of(member_id, ids, session=session)
    if member is None or member_id is None:
        return found
    found.member = member
    found.unit = await session.get(Unit, member.unit_id)
    if found.unit is not None and found.unit.bloc_id is not None:
        found.bloc = await session.get(Bloc, found.unit.bloc_id)
    await _member_rows(found, member_id, session=session)
    return found


def _by_person(model: Any, member_id: int | None, ids: Sequence[int]) -> Any:
    """Rows held by the member or by one of the Telegram ids."""
    conditions: list[ColumnElement[bool]] = [col(model.telegram_user_id).in_(list(ids))]
    if member_id is not None:
        conditions.append(col(model.member_id) == member_id)
    return select(model).where(or_(*conditions)).order_by(col(model.id))


async def _outbox_of(
    member_id: int | None, ids: Sequence[int], *, session: AsyncSession
) -> list[OutboxMessage]:
    conditions: list[ColumnElement[bool]] = [col(OutboxMessage.chat_id).in_(list(ids))]
    if member_id is not None:
        conditions.append(col(OutboxMessage.member_id) == member_id)
    query = select(OutboxMessage).where(or_(*conditions)).order_by(col(OutboxMessage.id))
    return await _all(session, query)


async def _member_rows(found: StoredData, member_id: int, *, session: AsyncSession) -> None:
    found.acknowledgements = await _all(
        session, select(Acknowledgement).where(col(Acknowledgement.member_id) == member_id)
    )
    found.pledges = await _all(
        session, select(Pledge).where(col(Pledge.member_id) == member_id).order_by(col(Pledge.id))
    )
    pledge_ids = [p.id for p in found.pledges if p.id is not None]
    found.pledge_targets = await _all(
        session,
        select(PledgeTarget)
        .where(col(PledgeTarget.pledge_id).in_(pledge_ids))
        .order_by(col(PledgeTarget.pledge_id), col(PledgeTarget.position)),
    )
    found.pledge_events = await _all(
        session,
        select(PledgeEvent)
        .where(col(PledgeEvent.pledge_id).in_(pledge_ids))
        .order_by(col(PledgeEvent.id)),
    )
    found.title_history = await _all(
        session,
        select(TitleHistory)
        .where(col(TitleHistory.member_id) == member_id)
        .order_by(col(TitleHistory.year)),
    )
    found.reports = await _all(
        session,
        select(ProgressReport)
        .where(col(ProgressReport.pledge_id).in_(pledge_ids))
        .order_by(col(ProgressReport.id)),
    )
    report_ids = [r.id for r in found.reports if r.id is not None]
    found.progress_values = await _all(
        session,
        select(ProgressValue)
        .where(col(ProgressValue.report_id).in_(report_ids))
        .order_by(col(ProgressValue.id)),
    )
    found.evidence = await _all(
        session,
        select(Evidence).where(col(Evidence.report_id).in_(report_ids)).order_by(col(Evidence.id)),
    )
    found.report_events = await _all(
        session,
        select(ReportEvent)
        .where(col(ReportEvent.report_id).in_(report_ids))
        .order_by(col(ReportEvent.id)),
    )
    found.reminders = await _all(
        session,
        select(Reminder)
        .where(col(Reminder.audience) == "member", col(Reminder.subject_id) == member_id)
        .order_by(col(Reminder.due_at), col(Reminder.id)),
    )
    found.leaves = await _all(
        session,
        select(MemberLeave)
        .where(col(MemberLeave.member_id) == member_id)
        .order_by(col(MemberLeave.starts)),
    )
    campaign_ids = {p.campaign_id for p in found.pledges} | {
        a.campaign_id for a in found.acknowledgements
    }
    campaign_ids |= {r.campaign_id for r in found.reminders}
    campaigns = await _all(session, select(Campaign).where(col(Campaign.id).in_(campaign_ids)))
    found.campaigns = {c.id: c for c in campaigns if c.id is not None}
    milestone_ids = [r.milestone_id for r in found.reports]
    milestones = await _all(
        session, select(CampaignMilestone).where(col(CampaignMilestone.id).in_(milestone_ids))
    )
    found.milestones = {m.id: m for m in milestones if m.id is not None}


async def actions_of(ids: Sequence[int], *, session: AsyncSession) -> list[ActorRef]:
    """Rows that name one of these Telegram ids as the one who acted (not rows about them)."""
    refs: list[ActorRef] = []
    tables = SQLModel.metadata.tables
    for table_name, column_name in ACTOR_COLUMNS:
        table = tables[table_name]
        column = table.c[column_name]
        query = sa_select(table.c.id).where(column.in_(list(ids))).order_by(table.c.id)
        for row_id in (await session.execute(query)).scalars().all():
            refs.append(ActorRef(table_name, column_name, int(row_id)))
    return refs
