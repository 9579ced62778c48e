"""The weekly digest's rule: a weekday and a time ("mon 08:00", "thứ 2 08:00"; "" for none).

The next digest goes out at that time on that weekday, moved to the next working day at the
same time when it falls on a public holiday (`ReminderCalendar`). Kept per campaign.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from bot.errors import UserFacingError
from bot.i18n import N_
from bot.reminder_calendar import ReminderCalendar, parse_clock
from bot.text import match_key, shortened

WEEKDAYS = {
    **{name: index for index, name in enumerate(("mon", "tue", "wed", "thu", "fri", "sat", "sun"))},
    **{f"thu {n}": n - 2 for n in range(2, 8)},
    **{f"t{n}": n - 2 for n in range(2, 8)},
    "chu nhat": 6,
    "cn": 6,
}
_RULE = re.compile(r"(?P<day>.+?)\s+(?P<at>[0-9]{1,2}(?:[:hg][0-9]{0,2})?)")
_NONE = frozenset({"", "khong", "none", "no", "off"})


@dataclass(frozen=True)
class DigestRule:
    weekday: int  # Monday 0
    at: time


def parse_digest_rule(text: str) -> DigestRule | None:
    key = match_key(text.strip())
    if key in _NONE:
        return None
    found = _RULE.fullmatch(key)
    at = parse_clock(found.group("at")) if found else None
    weekday = WEEKDAYS.get(found.group("day").strip()) if found else None
    if weekday is None or at is None:
        raise UserFacingError(
            N_('"{value}" is not a weekday and a time; write it like mon 08:00 or thứ 2 08:00'),
            value=shortened(text),
        )
    return DigestRule(weekday, at)


def next_digest(rule: DigestRule, calendar: ReminderCalendar, after: datetime) -> datetime:
    """The first digest time strictly after `after` (aware), off holidays and weekends."""
    local = after.astimezone(calendar.tz)
    day: date = local.date() + timedelta(days=(rule.weekday - local.weekday()) % 7)
    moment = datetime.combine(day, rule.at, tzinfo=calendar.tz)
    if moment <= local:
        moment += timedelta(days=7)
    if not calendar.is_working_day(moment.date()):
        moment = datetime.combine(
            calendar.next_working_day(moment.date()), rule.at, tzinfo=calendar.tz
        )
    return calendar.next_allowed(moment)
