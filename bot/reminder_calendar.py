"""When a reminder may reach someone: not at night, not on weekends, not on a public holiday.

Pure rules, no database and no Telegram, so they are tested on fixed dates. Holidays come from
the maintained `holidays` library (its Vietnamese calendar has the lunar ones, Tết and Giỗ Tổ
Hùng Vương, and the observed days off, "nghỉ bù"), so nobody keeps a list of dates by hand.
Names are asked for in Vietnamese (the library offers `vi`, `en_US` and `th` for VN).

Quiet hours are a local clock range `start`–`end` that may wrap past midnight: with the default
21:00–07:00 a reminder may go from 07:00 (inclusive) to 21:00 (exclusive).
"""

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays

from bot.errors import UserFacingError
from bot.i18n import N_
from bot.text import match_key, shortened

COUNTRY = "VN"
HOLIDAY_LANGUAGE = "vi"
DEFAULT_TIMEZONE = ZoneInfo("Asia/Ho_Chi_Minh")
# The longest run of days off we accept before deciding the calendar is broken (Tết with the
# weekends around it is about 10 days).
MAX_SEARCH_DAYS = 60

_CLOCK = re.compile(r"(?P<hour>[0-9]{1,2})(?::(?P<minute>[0-9]{2})|[hg](?P<minute_h>[0-9]{2})?)?")
_RANGE = re.compile(r"(?P<start>\S+?)\s*(?:[-–—]|đến|to)\s*(?P<end>\S+)")
_NO_QUIET_WORDS = frozenset({"", "none", "no", "off", "khong", "tat"})


@dataclass(frozen=True)
class QuietHours:
    """Local hours with no reminders; `start == end` means none at all."""

    start: time
    end: time

    def contains(self, moment: time) -> bool:
        """True from `start` (inclusive) to `end` (exclusive), across midnight when it wraps."""
        clock = moment.replace(tzinfo=None)
        if self.start == self.end:
            return False
        if self.start < self.end:
            return self.start <= clock < self.end
        return clock >= self.start or clock < self.end

    @property
    def earliest(self) -> time:
        """The first allowed clock time of a day: where a reminder moved to another day lands."""
        return self.end if self.contains(time(0, 0)) else time(0, 0)


DEFAULT_QUIET = QuietHours(start=time(21, 0), end=time(7, 0))
NO_QUIET = QuietHours(start=time(0, 0), end=time(0, 0))


class NoAllowedTime(RuntimeError):
    """No working day within MAX_SEARCH_DAYS: a broken calendar, never a normal outcome."""


def parse_clock(text: str) -> time | None:
    """ "08:00", "8:00", "8h", "8h30", "8g30" or "8" → a time; None for anything else."""
    found = _CLOCK.fullmatch(text.strip().lower())
    if found is None:
        return None
    hour = int(found["hour"])
    minute = int(found["minute"] or found["minute_h"] or 0)
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def parse_quiet_hours(text: str) -> QuietHours:
    """ "21:00-07:00" or "21h-7h"; empty, "none" or "không" turns quiet hours off."""
    if match_key(text) in _NO_QUIET_WORDS:
        return NO_QUIET
    found = _RANGE.fullmatch(text.strip())
    start = parse_clock(found["start"]) if found else None
    end = parse_clock(found["end"]) if found else None
    if start is None or end is None:
        message = N_('"{value}" is not a range of hours; write it like 21:00-07:00, or không')
        raise UserFacingError(message, value=shortened(text.strip()))
    return QuietHours(start=start, end=end)


class ReminderCalendar:
    """When a reminder may be delivered: not in quiet hours, not on weekends, not on VN public
    holidays."""

    def __init__(
        self, tz: ZoneInfo, quiet: QuietHours = DEFAULT_QUIET, *, skip_weekends: bool = True
    ) -> None:
        self.tz = tz
        self.quiet = quiet
        self.skip_weekends = skip_weekends
        self._years: dict[int, holidays.HolidayBase] = {}

    def _holidays(self, year: int) -> holidays.HolidayBase:
        """One library calendar per year, built on first use: planning touches one or two."""
        found = self._years.get(year)
        if found is None:
            found = holidays.country_holidays(COUNTRY, years=year, language=HOLIDAY_LANGUAGE)
            self._years[year] = found
        return found

    def is_holiday(self, day: date) -> bool:
        return day in self._holidays(day.year)

    def holiday_name(self, day: date) -> str | None:
        """The Vietnamese name, e.g. "Tết Nguyên Đán"; several on one day are joined by "; "."""
        name: str | None = self._holidays(day.year).get(day)
        return name

    def is_working_day(self, day: date) -> bool:
        if self.skip_weekends and day.weekday() >= 5:
            return False
        return not self.is_holiday(day)

    def is_allowed(self, moment: datetime) -> bool:
        """Judged on the local date and clock, whatever zone `moment` is written in."""
        local = self._local(moment)
        return self.is_working_day(local.date()) and not self.quiet.contains(local.time())

    def next_allowed(self, moment: datetime) -> datetime:
        """`moment` itself if allowed, else the first allowed instant after it: the end of quiet
        hours the same morning, or the first allowed clock time of the next working day."""
        local = self._local(moment)
        limit = local.date() + timedelta(days=MAX_SEARCH_DAYS)
        candidate = local.replace(tzinfo=None)
        while candidate.date() <= limit:
            if not self.is_working_day(candidate.date()):
                day = self.next_working_day(candidate.date())
                candidate = datetime.combine(day, self.quiet.earliest)
            elif self.quiet.contains(candidate.time()):
                candidate = self._after_quiet(candidate)
            else:
                placed = candidate.replace(tzinfo=self.tz)
                return local if placed == local else placed
        raise NoAllowedTime(f"no allowed time within {MAX_SEARCH_DAYS} days of {moment}")

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after `day`."""
        for offset in range(1, MAX_SEARCH_DAYS + 1):
            candidate = day + timedelta(days=offset)
            if self.is_working_day(candidate):
                return candidate
        raise NoAllowedTime(f"no working day within {MAX_SEARCH_DAYS} days after {day}")

    def _after_quiet(self, local: datetime) -> datetime:
        """Where quiet hours containing `local` (naive, local) end: today or tomorrow."""
        ends_today = datetime.combine(local.date(), self.quiet.end)
        if local < ends_today:
            return ends_today
        return datetime.combine(local.date() + timedelta(days=1), self.quiet.end)

    def _local(self, moment: datetime) -> datetime:
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ValueError(f"an aware datetime is needed, got {moment!r}")
        return moment.astimezone(self.tz)
