"""The reminder sweeper: claim due rows in small batches and hand them to the outbox, once.

Each claimed row is closed in the same transaction that queues its outbox row (key
`reminder:<id>[:<chat>]`), so a crash or a restart between the two undoes both and the row is
claimed again: nothing is lost and nothing is sent twice. On PostgreSQL two sweepers skip each
other's locked rows (`FOR UPDATE SKIP LOCKED`); on SQLite the single writer serialises them, and
the outbox key would refuse a second copy anyway.

Before sending, each row is checked against what is true now: a task already done closes it
(`done`), never sends; a member on leave has it held until the first working day after the
leave; nobody missing closes an officer's or bloc head's list; someone unreachable, or a step
before the deadline that could only go out after it, is `skipped` with the reason.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from html import escape

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton

from bot.campaigns import audience_unit_ids, member_locales
from bot.digest import digest_chart_payload, digest_payload, digest_scope
from bot.i18n import Catalogs, Translator
from bot.pledges import REGISTERED
from bot.progress import unit_progress
from bot.registration_status import unit_registration
from bot.reminder_calendar import ReminderCalendar
from bot.reminder_plan import REGISTRATION_TASK, place
from bot.reminder_planner import campaign_rules
from bot.reminder_text import bloc_list, member_registration, member_report, officer_list
from bot.report_windows import RUNNING
from bot.user_language import translator_for
from storage import campaigns as campaign_store
from storage import org as org_store
from storage import outbox as outbox_store
from storage import people
from storage import pledges as pledge_store
from storage import progress as progress_store
from storage import reminders as store
from storage.campaign_models import Campaign, CampaignMilestone, CampaignStatus
from storage.models import MemberStatus
from storage.reminder_models import Reminder, ReminderStatus
from storage.types import utcnow

BATCH = 500


@dataclass
class SweepResult:
    claimed: int = 0
    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    # rows to close, by (status, note): one UPDATE per outcome, not one per row
    closing: dict[tuple[ReminderStatus, str | None], list[int]] = field(
        default_factory=lambda: defaultdict(list)
    )

    def count(self, outcome: str) -> None:
        self.counts[outcome] += 1


@dataclass(frozen=True)
class SweepContext:
    now: datetime
    today: date
    catalogs: Catalogs
    calendar: ReminderCalendar
    session: AsyncSession


async def sweep(
    now: datetime,
    *,
    catalogs: Catalogs,
    calendar: ReminderCalendar,
    session: AsyncSession,
    batch: int = BATCH,
) -> SweepResult:
    """One batch of due reminders: each sent, closed or held; call again while it is full."""
    rows = await store.claim_due(now, batch, session=session)
    result = SweepResult(claimed=len(rows))
    if not rows:
        return result
    ctx = SweepContext(now, now.astimezone(calendar.tz).date(), catalogs, calendar, session)
    by_campaign: dict[int, list[Reminder]] = defaultdict(list)
    for row in rows:
        by_campaign[row.campaign_id].append(row)
    for campaign_id, reminders in by_campaign.items():
        campaign = await campaign_store.get_campaign(campaign_id, session=session)
        if campaign is None or campaign.status not in RUNNING:
            for row in reminders:
                _close(row, ReminderStatus.SKIPPED, "campaign not running", result)
            continue
        await _members(campaign, [r for r in reminders if r.audience == "member"], ctx, result)
        for row in reminders:
            if row.audience == "officer":
                await _officer(campaign, row, ctx, result)
            elif row.audience == "bloc_head":
                await _bloc(campaign, row, ctx, result)
            elif row.audience in ("digest_unit", "digest_bloc"):
                await _digest(campaign, row, ctx, result)
    await store.close_rows(result.closing, utcnow(), session=session)
    return result


def _close(row: Reminder, status: ReminderStatus, note: str | None, result: SweepResult) -> None:
    assert row.id is not None
    result.closing[(status, note)].append(row.id)
    result.count(status.value if note is None else f"{status.value}: {note}")


def _milestone_id(task: str) -> int | None:
    number = task.removeprefix("rep:")
    return int(number) if task.startswith("rep:") and number.isdigit() else None


async def _milestone(task: str, session: AsyncSession) -> CampaignMilestone | None:
    milestone_id = _milestone_id(task)
    return (
        await campaign_store.get_milestone(milestone_id, session=session) if milestone_id else None
    )


def _too_late(row: Reminder, ctx: SweepContext) -> bool:
    """A countdown step that could only go out after its deadline day: the escalation's job."""
    return row.step.startswith("d") and ctx.today > row.deadline


async def _members(
    campaign: Campaign, rows: list[Reminder], ctx: SweepContext, result: SweepResult
) -> None:
    if not rows:
        return
    assert campaign.id is not None
    session = ctx.session
    members = await people.members_by_ids([r.subject_id for r in rows], session=session)
    leaves = await store.leaves_on(list(members), ctx.today, session=session)
    registered = await pledge_store.registered_member_ids(
        campaign.id, list(members), REGISTERED, session=session
    )
    approved = await pledge_store.approved_pledge_ids(campaign.id, list(members), session=session)
    locales = await member_locales(list(members.values()), session)
    reported: dict[str, set[int]] = {}
    texts: dict[tuple[str, str, bool, date], dict[str, object]] = {}  # same words for many
    queued = []
    for row in rows:
        member = members.get(row.subject_id)
        if member is None or member.status is MemberStatus.LEFT:
            _close(row, ReminderStatus.SKIPPED, "left", result)
            continue
        milestone = await _milestone(row.task, session)
        if row.task == REGISTRATION_TASK:
            if campaign.status is not CampaignStatus.LAUNCHED:
                _close(row, ReminderStatus.SKIPPED, "registration closed", result)
                continue
            done = member.id in registered
        elif milestone is None or member.id not in approved:
            _close(row, ReminderStatus.SKIPPED, "no approved pledge", result)
            continue
        else:
            if row.task not in reported:
                reported[row.task] = await progress_store.reported_pledge_ids(
                    milestone.id or 0, list(approved.values()), session=session
                )
            done = approved[member.id or 0] in reported[row.task]
        if done:
            _close(row, ReminderStatus.DONE, None, result)
            continue
        if _too_late(row, ctx):
            _close(row, ReminderStatus.SKIPPED, "past the deadline", result)
            continue
        leave = leaves.get(member.id or 0)
        if leave is not None:
            row.due_at = place(
                leave.ends + timedelta(days=1), campaign_rules(campaign), ctx.calendar
            )
            result.count("held: on leave")
            continue
        if member.telegram_user_id is None or member.status is MemberStatus.UNREACHABLE:
            _close(row, ReminderStatus.SKIPPED, "not reachable", result)
            continue
        locale = locales.get(member.telegram_user_id) or ctx.catalogs.default_locale
        late = row.step == "late"
        key = (locale, row.task, late, row.deadline)
        if key not in texts:
            t = ctx.catalogs.get(locale)
            if milestone is None:
                texts[key] = member_registration(
                    campaign.name, row.deadline, ctx.today, late, campaign.id, t
                )
            else:
                ids = (campaign.id, milestone.id or 0)
                texts[key] = member_report(
                    campaign.name, milestone.name, row.deadline, ctx.today, late, ids, t
                )
        payload = texts[key]
        queued.append(_outbox_row(row, member.telegram_user_id, payload, member.id))
        _close(row, ReminderStatus.SENT, None, result)
    await outbox_store.enqueue(queued, session=session)


def _outbox_row(
    row: Reminder, chat_id: int, payload: dict[str, object], member_id: int | None
) -> dict[str, object]:
    suffix = "" if row.audience == "member" else f":{chat_id}"
    return {
        "dedupe_key": f"reminder:{row.id}{suffix}",
        "kind": "reminder",
        "campaign_id": row.campaign_id,
        "member_id": member_id,
        "chat_id": chat_id,
        "payload": payload,
    }


async def _translator(user_id: int, ctx: SweepContext) -> Translator:
    return await translator_for(user_id, ctx.catalogs, ctx.session)


@dataclass(frozen=True)
class UnitFigure:
    name: str
    done: int
    total: int
    missing: list[tuple[int, str]]  # member id, name


async def _unit_figure(
    campaign: Campaign, unit_id: int, milestone: CampaignMilestone | None, session: AsyncSession
) -> UnitFigure | None:
    assert campaign.id is not None
    unit = await org_store.get_unit(unit_id, session=session)
    if unit is None:
        return None
    if milestone is None:
        status = await unit_registration(campaign.id, unit_id, session=session)
        missing = [(m.member_id, m.full_name) for m in status.missing]
        return UnitFigure(unit.name, status.registered, status.roster, missing)
    progress = await unit_progress(campaign.id, unit_id, milestone.id or 0, session=session)
    missing = [(m.member_id, m.full_name) for m in progress.missing]
    return UnitFigure(unit.name, len(progress.reported), len(progress.members), missing)


def _what(campaign: Campaign, milestone: CampaignMilestone | None, t: Translator) -> str:
    if milestone is None:
        return t("registered for “{campaign}”", campaign=escape(campaign.name))
    return t("reported “{milestone}”", milestone=escape(milestone.name))


async def _officer(
    campaign: Campaign, row: Reminder, ctx: SweepContext, result: SweepResult
) -> None:
    milestone = await _milestone(row.task, ctx.session)
    figure = await _unit_figure(campaign, row.subject_id, milestone, ctx.session)
    if figure is None:
        _close(row, ReminderStatus.SKIPPED, "no such unit", result)
        return
    leaves = await store.leaves_on([m for m, _ in figure.missing], ctx.today, session=ctx.session)
    missing = [name for member_id, name in figure.missing if member_id not in leaves]
    on_leave = [name for member_id, name in figure.missing if member_id in leaves]
    if not missing:
        _close(row, ReminderStatus.DONE, None, result)
        return
    if milestone is None:
        data = f"dv:c:{campaign.id}:{row.subject_id}"
    else:
        data = f"dr:u:{milestone.id}:{row.subject_id}"

    def render(t: Translator) -> dict[str, object]:
        button = InlineKeyboardButton(t("📋 Open the unit's list"), callback_data=data)
        what = _what(campaign, milestone, t)
        return officer_list(figure.name, what, row.deadline, missing, on_leave, button, t)

    officers = await people.unit_officer_ids(row.subject_id, session=ctx.session)
    await _send_list(row, officers, render, "no officer", ctx, result)


async def _bloc(campaign: Campaign, row: Reminder, ctx: SweepContext, result: SweepResult) -> None:
    bloc = await org_store.get_bloc(row.subject_id, session=ctx.session)
    if bloc is None:
        _close(row, ReminderStatus.SKIPPED, "no such bloc", result)
        return
    milestone = await _milestone(row.task, ctx.session)
    audience = await audience_unit_ids(campaign, session=ctx.session)
    units = await org_store.units_in_blocs({row.subject_id}, session=ctx.session)
    below = []
    for unit in units:
        if unit.id is None or (audience is not None and unit.id not in audience):
            continue
        figure = await _unit_figure(campaign, unit.id, milestone, ctx.session)
        if figure is not None and figure.total and figure.done < figure.total:
            below.append((figure.name, figure.done, figure.total))
    if not below:
        _close(row, ReminderStatus.DONE, None, result)
        return

    def render(t: Translator) -> dict[str, object]:
        return bloc_list(bloc.name, _what(campaign, milestone, t), row.deadline, below, t)

    leaders = await people.bloc_leader_ids(row.subject_id, session=ctx.session)
    await _send_list(row, leaders, render, "no bloc head", ctx, result)


async def _send_list(
    row: Reminder,
    recipients: list[int],
    render: Callable[[Translator], dict[str, object]],
    nobody: str,
    ctx: SweepContext,
    result: SweepResult,
) -> None:
    """An officer's or bloc head's list, to each of them in their language."""
    if not recipients:
        _close(row, ReminderStatus.SKIPPED, nobody, result)
        return
    queued = [
        _outbox_row(row, chat_id, render(await _translator(chat_id, ctx)), None)
        for chat_id in recipients
    ]
    await outbox_store.enqueue(queued, session=ctx.session)
    _close(row, ReminderStatus.SENT, None, result)


async def _digest(
    campaign: Campaign, row: Reminder, ctx: SweepContext, result: SweepResult
) -> None:
    """The weekly digest of a unit (to its officers) or a bloc (to its heads), once per week."""
    level = "u" if row.audience == "digest_unit" else "b"
    scope, units = await digest_scope(campaign, level, row.subject_id, session=ctx.session)
    if level == "u":
        recipients = await people.unit_officer_ids(row.subject_id, session=ctx.session)
    else:
        recipients = await people.bloc_leader_ids(row.subject_id, session=ctx.session)
    if not units or not recipients:
        _close(row, ReminderStatus.SKIPPED, "nobody to tell", result)
        return
    payloads: dict[str, dict[str, object]] = {}
    queued = []
    for chat_id in recipients:
        t = await _translator(chat_id, ctx)
        if t.locale not in payloads:
            payloads[t.locale] = await digest_payload(
                campaign,
                units,
                scope,
                level,
                row.subject_id,
                ctx.now,
                ctx.today,
                t,
                session=ctx.session,
            )
        queued.append({**_outbox_row(row, chat_id, payloads[t.locale], None), "kind": "digest"})
        chart = digest_chart_payload(campaign, scope, level, row.subject_id, t)
        queued.append(
            {
                **_outbox_row(row, chat_id, chart, None),
                "kind": "digest",
                "dedupe_key": f"reminder:{row.id}:{chat_id}:chart",
            }
        )
    await outbox_store.enqueue(queued, session=ctx.session)
    _close(row, ReminderStatus.SENT, None, result)
