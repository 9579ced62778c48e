"""Which deadline reminders (nhắc hạn) a campaign gets, and when: pure dates, no I/O.

The registration deadline ("reg") and each milestone's report ("rep:<milestone id>") follow the
same rules (`ReminderRules`), on a `ReminderCalendar` (quiet hours, weekends, VN holidays):

- **Before and on the day.** For each N in `days_before` (step "dN"), the local day `due - N`
  at `rules.at`, placed as below. A step placed after the end of the deadline day is dropped:
  what comes after the deadline is the escalation's job. When two steps of one task land on the
  same instant (d3 on a Saturday and d1 on the Sunday both go to Monday 08:00), only the one
  closer to the deadline is kept, so nobody gets two reminders at once. Placing never reorders
  steps (a later planned time never lands earlier), so only such ties need resolving.
- **Escalation** (`rules.escalate`). "late" to the member on the first working day after the
  deadline, "officer" (the unit officer: their members still missing) on the next working day
  after "late", "bloc" (the bloc head: units below 100%) on the next working day after
  "officer"; each at `rules.at`, placed as below.
- **Placing** a step keeps the planned hour where it can. A day that is not a working day
  (weekend, holiday, observed day off) moves to the next working day *at `rules.at`*, not to
  the end of quiet hours: 07:00 is only the earliest allowed time, 08:00 is the hour people
  expect. Only a time that is itself in quiet hours (`at` = 22:00, say) moves to the end of
  quiet hours: the same morning when it is before them, else the next working day.
- **The past.** With `not_before` (now, when re-planning), every step planned before it is
  dropped, escalations included, so a changed date never sends a burst of stale reminders.
- The deadline in each step stays the real one; only the sending time moves.
- The result is sorted by sending time, then task, then step (d7 … d0, late, officer, bloc).
  Times are aware UTC, as the database stores them.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from bot.errors import UserFacingError
from bot.i18n import N_
from bot.reminder_calendar import ReminderCalendar, parse_clock
from bot.text import match_key, shortened

MAX_DAYS_BEFORE = 60
MAX_REMINDER_DAYS = 10  # campaigns.reminder_days holds the list as text in 64 characters
REGISTRATION_TASK = "reg"
ESCALATION_STEPS = ("late", "officer", "bloc")

_DAY_SEPARATORS = re.compile(r"[,;\s]+")
_DAY_NUMBER = re.compile(r"[0-9]{1,3}")
_NO_DAYS_WORDS = frozenset({"", "none", "no", "khong"})


class Audience(StrEnum):
    MEMBER = "member"
    OFFICER = "officer"
    BLOC_HEAD = "bloc_head"


_ESCALATION_AUDIENCE = {
    "late": Audience.MEMBER,
    "officer": Audience.OFFICER,
    "bloc": Audience.BLOC_HEAD,
}


@dataclass(frozen=True)
class ReminderRules:
    days_before: tuple[int, ...] = (7, 3, 1, 0)  # 0 = on the day; sorted descending
    at: time = time(8, 0)  # local
    escalate: bool = True  # after the deadline: member, then officer, then bloc head
    snoozable: bool = True


@dataclass(frozen=True)
class Deadline:
    task: str  # "reg" for registration, "rep:<milestone id>" for a milestone report
    due: date  # the real deadline, shown in the text


@dataclass(frozen=True)
class PlannedStep:
    task: str
    step: str  # "d7", "d3", "d1", "d0", then "late", "officer", "bloc"
    audience: Audience
    deadline: date
    at: datetime  # aware UTC: when to send, after moving out of quiet hours, weekends, holidays


def milestone_task(milestone_id: int) -> str:
    return f"rep:{milestone_id}"


def parse_rules(
    days: str | Sequence[int] | None,
    at: str | None,
    escalate: bool | None,
    snoozable: bool | None,
) -> ReminderRules:
    """Rules from the campaign file or the chat; None keeps a default.

    `days` is "7, 3, 1, 0" or a list of whole numbers 0–60; empty, "none" or "không" means no
    reminder before the deadline (the escalation may still run).
    """
    defaults = ReminderRules()
    return ReminderRules(
        days_before=defaults.days_before if days is None else _parse_days(days),
        at=defaults.at if at is None else _parse_at(at),
        escalate=_parse_flag(escalate, defaults.escalate),
        snoozable=_parse_flag(snoozable, defaults.snoozable),
    )


def _parse_days(days: str | Sequence[int]) -> tuple[int, ...]:
    if isinstance(days, str):
        if match_key(days) in _NO_DAYS_WORDS:
            return ()
        items: Sequence[object] = [part for part in _DAY_SEPARATORS.split(days.strip()) if part]
    else:
        items = list(days)
    if len(items) > MAX_REMINDER_DAYS:
        message = N_("at most {max} reminder days, e.g. 7, 3, 1, 0")
        raise UserFacingError(message, max=str(MAX_REMINDER_DAYS))
    seen: set[int] = set()
    for item in items:
        number = _day_number(item)
        if number in seen:
            raise UserFacingError(N_('"{value}" is listed twice'), value=str(number))
        seen.add(number)
    return tuple(sorted(seen, reverse=True))


def _day_number(item: object) -> int:
    """One entry of the list: a whole number of days from 0 to MAX_DAYS_BEFORE."""
    number: int | None = None
    if isinstance(item, int) and not isinstance(item, bool):
        number = item
    elif isinstance(item, str) and _DAY_NUMBER.fullmatch(item.strip()):
        number = int(item.strip())
    if number is None or not 0 <= number <= MAX_DAYS_BEFORE:
        message = N_("reminder days must be whole numbers from 0 to {max}, not {value}")
        raise UserFacingError(message, max=str(MAX_DAYS_BEFORE), value=shortened(str(item)))
    return number


def _parse_at(text: str) -> time:
    found = parse_clock(text) if isinstance(text, str) else None
    if found is None:
        message = N_('"{value}" is not a time of day; write it like 08:00')
        raise UserFacingError(message, value=shortened(str(text)))
    return found


def _parse_flag(value: bool | None, default: bool) -> bool:
    if value is None:
        return default
    if not isinstance(value, bool):
        raise UserFacingError(N_('"{value}" is not yes or no; write có or không'), value=str(value))
    return value


def plan_steps(
    deadlines: Sequence[Deadline],
    rules: ReminderRules,
    calendar: ReminderCalendar,
    *,
    not_before: datetime | None = None,
) -> list[PlannedStep]:
    """Every reminder step of every deadline, placed on allowed times (see the module doc)."""
    if not_before is not None and not_before.utcoffset() is None:
        raise ValueError(f"not_before must be aware, got {not_before!r}")
    tasks = [deadline.task for deadline in deadlines]
    if len(set(tasks)) != len(tasks):
        raise ValueError(f"a task is listed twice: {tasks}")
    steps: list[PlannedStep] = []
    for deadline in deadlines:
        steps += _before_steps(deadline, rules, calendar)
        if rules.escalate:
            steps += _escalation_steps(deadline, rules, calendar)
    if not_before is not None:
        steps = [step for step in steps if step.at >= not_before]
    return sorted(steps, key=lambda step: (step.at, step.task, _step_rank(step.step)))


def place(day: date, rules: ReminderRules, calendar: ReminderCalendar) -> datetime:
    """`rules.at` on `day`, or on the next working day when `day` is not one; then out of
    quiet hours if `rules.at` is in them. Aware, in the calendar's zone."""
    if not calendar.is_working_day(day):
        day = calendar.next_working_day(day)
    return calendar.next_allowed(datetime.combine(day, rules.at, tzinfo=calendar.tz))


def _before_steps(
    deadline: Deadline, rules: ReminderRules, calendar: ReminderCalendar
) -> list[PlannedStep]:
    """d-steps up to the deadline day; on a tie the later step (closer to the deadline) wins."""
    by_instant: dict[datetime, PlannedStep] = {}
    for days in sorted(rules.days_before, reverse=True):
        moment = place(deadline.due - timedelta(days=days), rules, calendar)
        if moment.date() > deadline.due:
            continue
        step = _step(deadline, f"d{days}", Audience.MEMBER, moment)
        by_instant[step.at] = step
    return list(by_instant.values())


def _escalation_steps(
    deadline: Deadline, rules: ReminderRules, calendar: ReminderCalendar
) -> list[PlannedStep]:
    """late, officer, bloc: each on the working day after the one before it."""
    steps: list[PlannedStep] = []
    previous = deadline.due
    for name in ESCALATION_STEPS:
        moment = place(calendar.next_working_day(previous), rules, calendar)
        steps.append(_step(deadline, name, _ESCALATION_AUDIENCE[name], moment))
        previous = moment.date()
    return steps


def _step(deadline: Deadline, name: str, audience: Audience, moment: datetime) -> PlannedStep:
    return PlannedStep(
        task=deadline.task,
        step=name,
        audience=audience,
        deadline=deadline.due,
        at=moment.astimezone(UTC),
    )


def _step_rank(step: str) -> tuple[int, int]:
    """d7 … d0 in countdown order, then the escalation in its order."""
    if step in ESCALATION_STEPS:
        return (1, ESCALATION_STEPS.index(step))
    return (0, -int(step.removeprefix("d")))
