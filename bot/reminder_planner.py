"""Turn a campaign's dates into reminder rows (`reminders`), and re-plan when they change.

The steps come from `bot.reminder_plan` (the rules, pure); this module writes them set-based:
for each planned slot (task, step) the pending rows are moved to the new time and the missing
ones inserted (members of the audience; units for the officer's list; blocs for the bloc head's),
and slots no longer planned lose their pending rows. Sent and closed rows are never touched, so
re-planning after a date change never sends anything twice. Planning runs at launch, at start-up
and once a day (new members join, statuses change), and is idempotent.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.campaigns import audience_unit_ids
from bot.digest_plan import next_digest, parse_digest_rule
from bot.reminder_calendar import ReminderCalendar
from bot.reminder_plan import (
    REGISTRATION_TASK,
    Audience,
    Deadline,
    PlannedStep,
    ReminderRules,
    milestone_task,
    parse_rules,
    plan_steps,
)
from bot.report_windows import RUNNING, milestone_windows
from storage import campaigns as campaign_store
from storage import org as org_store
from storage import reminders as store
from storage.campaign_models import Campaign, CampaignStatus


@dataclass(frozen=True)
class PlanResult:
    slots: int
    added: int
    moved: int
    dropped: int


def campaign_rules(campaign: Campaign) -> ReminderRules:
    return parse_rules(
        campaign.reminder_days,
        campaign.reminder_at,
        campaign.reminder_escalate,
        campaign.reminders_snoozable,
    )


DIGEST_TASK = "digest"


async def _plan_digest(
    campaign: Campaign,
    unit_ids: list[int],
    bloc_ids: list[int],
    calendar: ReminderCalendar,
    now: datetime,
    session: AsyncSession,
) -> set[tuple[str, str]]:
    """This week's digest rows for units (their officers) and blocs (their heads).

    The next occurrence is looked up from a day back, so an hourly re-plan right after the
    digest time keeps this week's slot until the sweeper has sent it.
    """
    assert campaign.id is not None
    rule = parse_digest_rule(campaign.digest_rule)
    if rule is None or campaign.status not in RUNNING:
        return set()
    at = next_digest(rule, calendar, now - timedelta(days=1))
    week = f"{at.astimezone(calendar.tz):%G%V}"
    day = at.astimezone(calendar.tz).date()
    planned = set()
    for step, audience, subjects in (
        (f"u{week}", "digest_unit", unit_ids),  # u202714: week 14 of 2027, to officers
        (f"b{week}", "digest_bloc", bloc_ids),
    ):
        await store.add_subject_slot(
            campaign.id, DIGEST_TASK, step, audience, day, at, subjects, session=session
        )
        planned.add((DIGEST_TASK, step))
    return planned


async def deadlines_of(campaign: Campaign, *, session: AsyncSession) -> list[Deadline]:
    """Registration while it is open; each milestone's on-time limit (due + grace) while running."""
    assert campaign.id is not None
    found = []
    if campaign.status is CampaignStatus.LAUNCHED:
        found.append(Deadline(REGISTRATION_TASK, campaign.registration_deadline))
    if campaign.status in RUNNING:
        milestones = await campaign_store.milestones_of(campaign.id, session=session)
        for window in milestone_windows(campaign, milestones):
            assert window.milestone.id is not None
            found.append(Deadline(milestone_task(window.milestone.id), window.on_time_until))
    return found


def _wanted(step: PlannedStep, campaign: Campaign) -> bool:
    """After the registration deadline a member can only act if late registration is allowed."""
    return not (
        step.task == REGISTRATION_TASK and step.step == "late" and not campaign.late_registration
    )


async def plan_campaign(
    campaign: Campaign, *, calendar: ReminderCalendar, now: datetime, session: AsyncSession
) -> PlanResult:
    assert campaign.id is not None
    deadlines = await deadlines_of(campaign, session=session)
    steps = [
        step
        for step in plan_steps(deadlines, campaign_rules(campaign), calendar, not_before=now)
        if _wanted(step, campaign)
    ]
    unit_ids = await audience_unit_ids(campaign, session=session)
    units = (
        await org_store.units_by_ids(set(unit_ids), session=session)
        if unit_ids is not None
        else await org_store.all_units(session=session)
    )
    all_unit_ids = sorted(unit.id for unit in units if unit.id is not None)
    bloc_ids = sorted({unit.bloc_id for unit in units if unit.bloc_id is not None})
    added = moved = 0
    for step in steps:
        moved += await store.retime_slot(
            campaign.id, step.task, step.step, step.deadline, step.at, session=session
        )
        if step.audience is Audience.MEMBER:
            added += await store.add_member_slot(
                campaign.id, step.task, step.step, step.deadline, step.at, unit_ids, session=session
            )
        else:
            subjects = all_unit_ids if step.audience is Audience.OFFICER else bloc_ids
            added += await store.add_subject_slot(
                campaign.id,
                step.task,
                step.step,
                str(step.audience),
                step.deadline,
                step.at,
                subjects,
                session=session,
            )
    planned = {(step.task, step.step) for step in steps}
    planned |= await _plan_digest(campaign, all_unit_ids, bloc_ids, calendar, now, session)
    dropped = 0
    for task, name in await store.pending_slots(campaign.id, session=session) - planned:
        dropped += await store.drop_slot(campaign.id, task, name, session=session)
    return PlanResult(slots=len(steps), added=added, moved=moved, dropped=dropped)
