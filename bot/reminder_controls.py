"""What a member may do with their reminders: see what is coming, snooze one, declare leave.

Snoozing moves one reminder 1 or 3 days (to the reminder hour on a working day), never past its
deadline, and only when the campaign allows it. Leave (nghỉ phép / công tác) holds every
reminder that falls inside it (the sweeper moves them to the first working day after) and shows
the member as on leave to their officer. No Telegram here.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import UserFacingError
from bot.flow_inputs import dmy, find_dates, parse_date
from bot.i18n import N_
from bot.pledges import REGISTERED
from bot.reminder_calendar import ReminderCalendar
from bot.reminder_plan import REGISTRATION_TASK, place
from bot.reminder_planner import campaign_rules
from storage import campaigns as campaign_store
from storage import pledges as pledge_store
from storage import progress as progress_store
from storage import reminders as store
from storage.models import Member
from storage.reminder_models import MemberLeave, Reminder, ReminderStatus

SNOOZE_DAYS = (1, 3)
MAX_LEAVE_DAYS = 366
SHOWN = 8


@dataclass(frozen=True)
class Upcoming:
    reminder: Reminder
    campaign_name: str
    milestone_name: str | None  # None: the registration deadline
    snoozable: bool


async def upcoming(member: Member, now: datetime, *, session: AsyncSession) -> list[Upcoming]:
    """The member's next reminders for tasks still to do, soonest first."""
    assert member.id is not None
    found = []
    for row in await store.upcoming_for_member(member.id, now, SHOWN * 3, session=session):
        campaign = await campaign_store.get_campaign(row.campaign_id, session=session)
        if campaign is None or await _done(row, member.id, session):
            continue
        milestone = None
        if row.task != REGISTRATION_TASK:
            milestone = await campaign_store.get_milestone(
                int(row.task.removeprefix("rep:")), session=session
            )
        found.append(
            Upcoming(
                row,
                campaign.name,
                milestone.name if milestone else None,
                campaign.reminders_snoozable and row.step.startswith("d"),
            )
        )
    return found[:SHOWN]


async def _done(row: Reminder, member_id: int, session: AsyncSession) -> bool:
    if row.task == REGISTRATION_TASK:
        registered = await pledge_store.registered_member_ids(
            row.campaign_id, [member_id], REGISTERED, session=session
        )
        return member_id in registered
    approved = await pledge_store.approved_pledge_ids(row.campaign_id, [member_id], session=session)
    if member_id not in approved:
        return False
    milestone_id = int(row.task.removeprefix("rep:"))
    reported = await progress_store.reported_pledge_ids(
        milestone_id, [approved[member_id]], session=session
    )
    return bool(reported)


async def someone_elses(
    reminder_id: int | None, leave_id: int | None, member: Member, *, session: AsyncSession
) -> bool:
    """Whether the reminder or leave a button names exists and is another person's: a forged
    press, refused and logged (a missing one is only stale)."""
    if reminder_id is not None:
        row = await store.get_reminder(reminder_id, session=session)
        return row is not None and (row.audience != "member" or row.subject_id != member.id)
    if leave_id is not None:
        leave = await store.get_leave(leave_id, session=session)
        return leave is not None and leave.member_id != member.id
    return False


async def snooze(
    reminder_id: int,
    member: Member,
    days: int,
    *,
    calendar: ReminderCalendar,
    session: AsyncSession,
) -> Reminder:
    """Move the member's own pending reminder by `days`; refused past its deadline."""
    row = await store.get_reminder(reminder_id, session=session)
    if (
        row is None
        or row.audience != "member"
        or row.subject_id != member.id
        or row.status is not ReminderStatus.PENDING
    ):
        raise UserFacingError(N_("This reminder is no longer planned."))
    campaign = await campaign_store.get_campaign(row.campaign_id, session=session)
    if campaign is None or not campaign.reminders_snoozable or not row.step.startswith("d"):
        raise UserFacingError(N_("This campaign's reminders cannot be snoozed."))
    if days not in SNOOZE_DAYS:
        raise UserFacingError(N_("This button is no longer valid."))
    local_day = row.due_at.astimezone(calendar.tz).date()
    moved = place(local_day + timedelta(days=days), campaign_rules(campaign), calendar)
    if moved.date() > row.deadline:
        raise UserFacingError(
            N_("The deadline is {date}: this reminder cannot be moved past it."),
            date=dmy(row.deadline),
        )
    row.due_at = moved
    row.snoozed = True
    return row


def parse_leave(text: str, today: date) -> tuple[date, date]:
    """ "20/03/2027 - 27/03/2027" (or one date for a single day), not over, at most a year."""
    parts = find_dates(text)
    dates = [parse_date(part) for part in parts]
    if not parts or len(parts) > 2 or any(day is None for day in dates):
        raise UserFacingError(
            N_("Write the first and last day of the leave, e.g. 20/03/2027 - 27/03/2027.")
        )
    starts, ends = dates[0], dates[-1]
    assert starts is not None and ends is not None
    if ends < starts:
        raise UserFacingError(
            N_("The last day {end} is before the first day {start}."),
            start=dmy(starts),
            end=dmy(ends),
        )
    if ends < today:
        raise UserFacingError(N_("This leave is already over ({end})."), end=dmy(ends))
    if (ends - starts).days >= MAX_LEAVE_DAYS:
        raise UserFacingError(N_("A leave can last at most a year."))
    return starts, ends


async def declare_leave(
    member: Member, starts: date, ends: date, kind: str, by: int, *, session: AsyncSession
) -> MemberLeave:
    assert member.id is not None
    leave = MemberLeave(member_id=member.id, starts=starts, ends=ends, kind=kind, created_by=by)
    return await store.add_leave(leave, session=session)
