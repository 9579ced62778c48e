"""Deadline reminders at a decent hour: quiet hours, weekends, VN holidays (lunar ones too),
collapsed steps, escalation on working days, re-planning from "now". Fixed dates, no database."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import holidays
import pytest

from bot.errors import UserFacingError
from bot.reminder_calendar import (
    DEFAULT_QUIET,
    NO_QUIET,
    NoAllowedTime,
    QuietHours,
    ReminderCalendar,
    parse_clock,
    parse_quiet_hours,
)
from bot.reminder_plan import (
    Audience,
    Deadline,
    PlannedStep,
    ReminderRules,
    parse_rules,
    plan_steps,
)

VN = ZoneInfo("Asia/Ho_Chi_Minh")
RULES = ReminderRules()


@pytest.fixture
def calendar() -> ReminderCalendar:
    return ReminderCalendar(VN)


def local(text: str) -> datetime:
    """'dd/mm/yyyy HH:MM' in Vietnam."""
    return datetime.strptime(text, "%d/%m/%Y %H:%M").replace(tzinfo=VN)


def d(text: str) -> date:
    return datetime.strptime(text, "%d/%m/%Y").date()


def rows(steps: list[PlannedStep]) -> list[tuple[str, str, str]]:
    """(task, step, local sending time) for readable expectations."""
    return [
        (step.task, step.step, step.at.astimezone(VN).strftime("%d/%m/%Y %H:%M")) for step in steps
    ]


def plan_one(
    due: str, calendar: ReminderCalendar, rules: ReminderRules = RULES
) -> list[tuple[str, str]]:
    steps = plan_steps([Deadline("reg", d(due))], rules, calendar)
    return [(step, at) for _, step, at in rows(steps)]


# --- quiet hours ---------------------------------------------------------------------------


def test_quiet_hours_wrap_past_midnight() -> None:
    quiet = DEFAULT_QUIET
    assert quiet.contains(time(21, 0))  # start inclusive
    assert quiet.contains(time(23, 59))
    assert quiet.contains(time(0, 0))
    assert quiet.contains(time(6, 59, 59))
    assert not quiet.contains(time(7, 0))  # end exclusive: allowed from 07:00
    assert not quiet.contains(time(12, 0))
    assert not quiet.contains(time(20, 59, 59))


def test_quiet_hours_within_a_day_and_none() -> None:
    lunch = QuietHours(time(11, 30), time(13, 30))
    assert lunch.contains(time(11, 30))
    assert lunch.contains(time(13, 29))
    assert not lunch.contains(time(13, 30))
    assert not lunch.contains(time(0, 0))
    assert not any(NO_QUIET.contains(time(hour, 0)) for hour in range(24))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("21:00-07:00", DEFAULT_QUIET),
        ("21h-7h", DEFAULT_QUIET),
        (" 21:00 – 07:00 ", DEFAULT_QUIET),
        ("21g đến 7g", DEFAULT_QUIET),
        ("22h30-6h15", QuietHours(time(22, 30), time(6, 15))),
        ("12-13", QuietHours(time(12, 0), time(13, 0))),
        ("", NO_QUIET),
        ("none", NO_QUIET),
        ("Không", NO_QUIET),
        ("khong", NO_QUIET),
    ],
)
def test_parse_quiet_hours(text: str, expected: QuietHours) -> None:
    assert parse_quiet_hours(text) == expected


@pytest.mark.parametrize(
    "text", ["21:00", "21:00-", "25:00-07:00", "21:00-07:60", "tối", "21:00-07:00-08:00", "9pm-7am"]
)
def test_parse_quiet_hours_refuses_bad_input(text: str) -> None:
    with pytest.raises(UserFacingError) as caught:
        parse_quiet_hours(text)
    assert caught.value.message == (
        '"{value}" is not a range of hours; write it like 21:00-07:00, or không'
    )
    assert caught.value.params == {"value": text.strip()}


def test_parse_clock() -> None:
    assert parse_clock("08:00") == time(8, 0)
    assert parse_clock("8h30") == time(8, 30)
    assert parse_clock("8g") == time(8, 0)
    assert parse_clock("23:59") == time(23, 59)
    for bad in ("24:00", "8:5", "8:", "08:60", "eight", ""):
        assert parse_clock(bad) is None


# --- the calendar --------------------------------------------------------------------------


def test_weekends_are_not_working_days(calendar: ReminderCalendar) -> None:
    assert calendar.is_working_day(d("19/03/2027"))  # Friday
    assert not calendar.is_working_day(d("20/03/2027"))  # Saturday
    assert not calendar.is_working_day(d("21/03/2027"))  # Sunday
    assert calendar.next_working_day(d("19/03/2027")) == d("22/03/2027")
    assert ReminderCalendar(VN, skip_weekends=False).is_working_day(d("20/03/2027"))


def test_tet_2027_comes_from_the_library(calendar: ReminderCalendar) -> None:
    for day in range(4, 11):
        assert calendar.is_holiday(date(2027, 2, day)), day
    assert not calendar.is_holiday(d("03/02/2027"))
    assert not calendar.is_holiday(d("11/02/2027"))
    assert calendar.holiday_name(d("06/02/2027")) == "Tết Nguyên Đán"
    assert calendar.holiday_name(d("11/02/2027")) is None
    assert calendar.next_working_day(d("03/02/2027")) == d("11/02/2027")


def test_hung_kings_and_the_observed_labour_day(calendar: ReminderCalendar) -> None:
    assert calendar.holiday_name(d("16/04/2027")) == "Ngày Giỗ Tổ Hùng Vương"
    assert calendar.is_holiday(d("30/04/2027"))
    assert calendar.is_holiday(d("01/05/2027"))
    name = calendar.holiday_name(d("03/05/2027"))  # Monday off for the Saturday holiday
    assert name is not None and "nghỉ bù" in name
    assert not calendar.is_working_day(d("03/05/2027"))


def test_holidays_are_built_once_per_year(
    monkeypatch: pytest.MonkeyPatch, calendar: ReminderCalendar
) -> None:
    built: list[object] = []
    real = holidays.country_holidays

    def counting(*args: object, **kwargs: object) -> holidays.HolidayBase:
        built.append(kwargs.get("years"))
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(holidays, "country_holidays", counting)
    for day in range(1, 29):
        calendar.is_holiday(date(2027, 2, day))
    calendar.is_holiday(d("01/01/2028"))
    assert built == [2027, 2028]


def test_is_allowed_reads_the_local_clock(calendar: ReminderCalendar) -> None:
    assert calendar.is_allowed(local("18/03/2027 07:00"))
    assert not calendar.is_allowed(local("18/03/2027 06:59"))
    assert not calendar.is_allowed(local("18/03/2027 21:00"))
    assert not calendar.is_allowed(local("20/03/2027 10:00"))  # Saturday
    # 00:30 UTC is 07:30 in Hanoi; 23:59 UTC the day before is 06:59
    assert calendar.is_allowed(datetime(2027, 3, 18, 0, 30, tzinfo=UTC))
    assert not calendar.is_allowed(datetime(2027, 3, 17, 23, 59, tzinfo=UTC))
    with pytest.raises(ValueError, match="aware"):
        calendar.is_allowed(datetime(2027, 3, 18, 9, 0))


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        ("18/03/2027 10:15", "18/03/2027 10:15"),  # allowed: itself
        ("18/03/2027 05:30", "18/03/2027 07:00"),  # early morning: same day
        ("18/03/2027 21:00", "19/03/2027 07:00"),  # evening: next morning
        ("19/03/2027 22:00", "22/03/2027 07:00"),  # Friday night: Monday
        ("20/03/2027 08:00", "22/03/2027 07:00"),  # Saturday
        ("06/02/2027 08:00", "11/02/2027 07:00"),  # Tết
        ("03/02/2027 21:30", "11/02/2027 07:00"),  # the evening before Tết
        ("01/05/2027 08:00", "04/05/2027 07:00"),  # Labour Day and its observed Monday
    ],
)
def test_next_allowed(calendar: ReminderCalendar, moment: str, expected: str) -> None:
    found = calendar.next_allowed(local(moment))
    assert found == local(expected)
    assert found.tzinfo == VN
    assert calendar.is_allowed(found)


def test_next_allowed_converts_to_the_calendar_zone(calendar: ReminderCalendar) -> None:
    found = calendar.next_allowed(datetime(2027, 3, 18, 14, 0, tzinfo=UTC))  # 21:00 in Hanoi
    assert found == local("19/03/2027 07:00")
    assert found.tzinfo == VN


def test_next_allowed_without_quiet_hours_starts_at_midnight() -> None:
    calendar = ReminderCalendar(VN, NO_QUIET)
    assert calendar.next_allowed(local("20/03/2027 23:00")) == local("22/03/2027 00:00")
    assert calendar.next_allowed(local("22/03/2027 23:30")) == local("22/03/2027 23:30")


def test_next_allowed_gives_up_on_a_calendar_without_working_days() -> None:
    class AlwaysOff(ReminderCalendar):
        def is_holiday(self, day: date) -> bool:
            return True

    calendar = AlwaysOff(VN)
    with pytest.raises(NoAllowedTime):
        calendar.next_allowed(local("18/03/2027 08:00"))
    with pytest.raises(NoAllowedTime):
        calendar.next_working_day(d("18/03/2027"))


# --- the plan ------------------------------------------------------------------------------


def test_an_ordinary_week(calendar: ReminderCalendar) -> None:
    steps = plan_steps([Deadline("reg", d("25/03/2027"))], RULES, calendar)
    assert rows(steps) == [
        ("reg", "d7", "18/03/2027 08:00"),
        ("reg", "d3", "22/03/2027 08:00"),
        ("reg", "d1", "24/03/2027 08:00"),
        ("reg", "d0", "25/03/2027 08:00"),
        ("reg", "late", "26/03/2027 08:00"),
        ("reg", "officer", "29/03/2027 08:00"),
        ("reg", "bloc", "30/03/2027 08:00"),
    ]
    assert [step.audience for step in steps] == [Audience.MEMBER] * 5 + [
        Audience.OFFICER,
        Audience.BLOC_HEAD,
    ]
    assert all(step.deadline == d("25/03/2027") for step in steps)
    assert all(step.at.tzinfo is UTC for step in steps)
    assert steps[0].at == datetime(2027, 3, 18, 1, 0, tzinfo=UTC)


def test_a_step_on_a_holiday_keeps_the_planned_hour(calendar: ReminderCalendar) -> None:
    """The calendar's earliest allowed instant after Tết is 07:00, but a moved reminder goes at
    the planned 08:00; d7 (05/02) and d3 (09/02) fall in Tết and land with d1 on 11/02: one
    reminder, the closest to the deadline."""
    assert calendar.next_allowed(local("05/02/2027 08:00")) == local("11/02/2027 07:00")
    assert plan_one("12/02/2027", calendar) == [
        ("d1", "11/02/2027 08:00"),
        ("d0", "12/02/2027 08:00"),
        ("late", "15/02/2027 08:00"),
        ("officer", "16/02/2027 08:00"),
        ("bloc", "17/02/2027 08:00"),
    ]


def test_a_planned_hour_in_quiet_hours_moves_to_their_end(calendar: ReminderCalendar) -> None:
    early = ReminderRules(days_before=(1, 0), at=time(6, 0), escalate=False)
    assert plan_one("18/03/2027", calendar, early) == [
        ("d1", "17/03/2027 07:00"),  # same morning
        ("d0", "18/03/2027 07:00"),
    ]
    late = ReminderRules(days_before=(1, 0), at=time(22, 0), escalate=True)
    assert plan_one("18/03/2027", calendar, late) == [
        ("d1", "18/03/2027 07:00"),  # 22:00 on the 17th → next morning, still on time
        # d0 at 22:00 on the 18th would be Friday 07:00, after the deadline: dropped
        ("late", "22/03/2027 07:00"),  # Fri 19/03 22:00 → Saturday morning → Monday
        ("officer", "24/03/2027 07:00"),  # Tue 23/03 22:00 → Wed morning
        ("bloc", "26/03/2027 07:00"),  # Thu 25/03 22:00 → Fri morning
    ]


def test_hung_kings_day_deadline(calendar: ReminderCalendar) -> None:
    """16/04/2027 is a Friday holiday: the on-the-day reminder would land on Monday, after the
    deadline, so it is dropped; the escalation starts on Monday."""
    assert plan_one("16/04/2027", calendar) == [
        ("d7", "09/04/2027 08:00"),
        ("d3", "13/04/2027 08:00"),
        ("d1", "15/04/2027 08:00"),
        ("late", "19/04/2027 08:00"),
        ("officer", "20/04/2027 08:00"),
        ("bloc", "21/04/2027 08:00"),
    ]


def test_labour_day_and_its_observed_monday(calendar: ReminderCalendar) -> None:
    """Deadline Tuesday 04/05/2027: d3 (Sat 01/05) and d1 (Mon 03/05, nghỉ bù) move to Tuesday
    08:00 with d0, which alone is kept."""
    assert plan_one("04/05/2027", calendar) == [
        ("d7", "27/04/2027 08:00"),
        ("d0", "04/05/2027 08:00"),
        ("late", "05/05/2027 08:00"),
        ("officer", "06/05/2027 08:00"),
        ("bloc", "07/05/2027 08:00"),
    ]


def test_escalation_skips_the_holidays(calendar: ReminderCalendar) -> None:
    """Deadline 30/04/2027 (a holiday itself): the next working day is Tuesday 04/05."""
    assert plan_one("30/04/2027", calendar)[-3:] == [
        ("late", "04/05/2027 08:00"),
        ("officer", "05/05/2027 08:00"),
        ("bloc", "06/05/2027 08:00"),
    ]


def test_deadline_on_a_sunday(calendar: ReminderCalendar) -> None:
    """14/03/2027: d1 (Saturday) and d0 (Sunday) would both come on Monday, too late."""
    assert plan_one("14/03/2027", calendar) == [
        ("d7", "08/03/2027 08:00"),  # Sunday 07/03 → Monday
        ("d3", "11/03/2027 08:00"),
        ("late", "15/03/2027 08:00"),
        ("officer", "16/03/2027 08:00"),
        ("bloc", "17/03/2027 08:00"),
    ]


def test_two_steps_on_one_instant_keep_the_later(calendar: ReminderCalendar) -> None:
    """Deadline Tuesday 30/11/2027: d3 (Saturday) moves onto d1 (Monday 29/11)."""
    steps = plan_steps([Deadline("rep:4", d("30/11/2027"))], RULES, calendar)
    assert [step.step for step in steps if step.step.startswith("d")] == ["d7", "d1", "d0"]
    assert len({step.at for step in steps}) == len(steps)


def test_no_escalation_when_turned_off(calendar: ReminderCalendar) -> None:
    rules = ReminderRules(escalate=False)
    assert [step for step, _ in plan_one("25/03/2027", calendar, rules)] == [
        "d7",
        "d3",
        "d1",
        "d0",
    ]


def test_not_before_drops_the_past(calendar: ReminderCalendar) -> None:
    deadline = [Deadline("reg", d("25/03/2027"))]
    now = local("22/03/2027 08:00")
    kept = plan_steps(deadline, RULES, calendar, not_before=now)
    assert [step.step for step in kept] == ["d3", "d1", "d0", "late", "officer", "bloc"]
    after = plan_steps(deadline, RULES, calendar, not_before=local("26/03/2027 09:00"))
    assert [step.step for step in after] == ["officer", "bloc"]
    with pytest.raises(ValueError, match="aware"):
        plan_steps(deadline, RULES, calendar, not_before=datetime(2027, 3, 22, 8, 0))


def test_a_task_listed_twice_is_a_bug(calendar: ReminderCalendar) -> None:
    twice = [Deadline("reg", d("25/03/2027")), Deadline("reg", d("26/03/2027"))]
    with pytest.raises(ValueError, match="twice"):
        plan_steps(twice, RULES, calendar)


def test_a_campaign_year(calendar: ReminderCalendar) -> None:
    """Registration by 25/03/2027, reports by 31/03, 15/07, 30/09 and 30/11/2027: every step at
    08:00 on a working day, in time order, ties by task."""
    deadlines = [
        Deadline("reg", d("25/03/2027")),
        Deadline("rep:1", d("31/03/2027")),
        Deadline("rep:2", d("15/07/2027")),
        Deadline("rep:3", d("30/09/2027")),
        Deadline("rep:4", d("30/11/2027")),
    ]
    steps = plan_steps(deadlines, RULES, calendar)
    assert rows(steps) == [
        ("reg", "d7", "18/03/2027 08:00"),
        ("reg", "d3", "22/03/2027 08:00"),
        ("reg", "d1", "24/03/2027 08:00"),
        ("rep:1", "d7", "24/03/2027 08:00"),
        ("reg", "d0", "25/03/2027 08:00"),
        ("reg", "late", "26/03/2027 08:00"),
        ("reg", "officer", "29/03/2027 08:00"),
        ("rep:1", "d3", "29/03/2027 08:00"),  # Sunday 28/03 → Monday
        ("reg", "bloc", "30/03/2027 08:00"),
        ("rep:1", "d1", "30/03/2027 08:00"),
        ("rep:1", "d0", "31/03/2027 08:00"),
        ("rep:1", "late", "01/04/2027 08:00"),
        ("rep:1", "officer", "02/04/2027 08:00"),
        ("rep:1", "bloc", "05/04/2027 08:00"),
        ("rep:2", "d7", "08/07/2027 08:00"),
        ("rep:2", "d3", "12/07/2027 08:00"),
        ("rep:2", "d1", "14/07/2027 08:00"),
        ("rep:2", "d0", "15/07/2027 08:00"),
        ("rep:2", "late", "16/07/2027 08:00"),
        ("rep:2", "officer", "19/07/2027 08:00"),
        ("rep:2", "bloc", "20/07/2027 08:00"),
        ("rep:3", "d7", "23/09/2027 08:00"),
        ("rep:3", "d3", "27/09/2027 08:00"),
        ("rep:3", "d1", "29/09/2027 08:00"),
        ("rep:3", "d0", "30/09/2027 08:00"),
        ("rep:3", "late", "01/10/2027 08:00"),
        ("rep:3", "officer", "04/10/2027 08:00"),
        ("rep:3", "bloc", "05/10/2027 08:00"),
        ("rep:4", "d7", "23/11/2027 08:00"),
        ("rep:4", "d1", "29/11/2027 08:00"),  # d3 (Saturday 27/11) collapsed into it
        ("rep:4", "d0", "30/11/2027 08:00"),
        ("rep:4", "late", "01/12/2027 08:00"),
        ("rep:4", "officer", "02/12/2027 08:00"),
        ("rep:4", "bloc", "03/12/2027 08:00"),
    ]
    for step in steps:
        assert step.at.tzinfo is UTC
        assert calendar.is_allowed(step.at), step
        moment = step.at.astimezone(VN)
        assert moment.weekday() < 5 and not calendar.is_holiday(moment.date()), step
        assert not DEFAULT_QUIET.contains(moment.time()), step
        if step.step.startswith("d"):
            assert moment.date() <= step.deadline, step
        else:
            assert moment.date() > step.deadline, step
    per_task = [(step.task, step.at) for step in steps]
    assert len(set(per_task)) == len(per_task)


# --- parsing the rules ---------------------------------------------------------------------


def test_parse_rules_defaults_and_values() -> None:
    assert parse_rules(None, None, None, None) == ReminderRules()
    rules = parse_rules("0, 1 3;7", "8h30", False, False)
    assert rules == ReminderRules((7, 3, 1, 0), time(8, 30), escalate=False, snoozable=False)
    assert parse_rules([1, 14, 7], "07:45", None, None).days_before == (14, 7, 1)
    assert parse_rules("60", None, None, None).days_before == (60,)
    assert parse_rules("không", None, None, None).days_before == ()
    assert parse_rules([], None, None, None).days_before == ()


@pytest.mark.parametrize(
    ("days", "message", "value"),
    [
        ("7, x", "reminder days must be whole numbers from 0 to {max}, not {value}", "x"),
        ("7, 61", "reminder days must be whole numbers from 0 to {max}, not {value}", "61"),
        ("-1", "reminder days must be whole numbers from 0 to {max}, not {value}", "-1"),
        ("2.5", "reminder days must be whole numbers from 0 to {max}, not {value}", "2.5"),
        ([7, True], "reminder days must be whole numbers from 0 to {max}, not {value}", "True"),
        ([7, 100], "reminder days must be whole numbers from 0 to {max}, not {value}", "100"),
        ("7, 3, 3", '"{value}" is listed twice', "3"),
        ([1, 1], '"{value}" is listed twice', "1"),
    ],
)
def test_parse_rules_refuses_bad_days(days: str | list[int], message: str, value: str) -> None:
    with pytest.raises(UserFacingError) as caught:
        parse_rules(days, None, None, None)
    assert caught.value.message == message
    assert caught.value.params["value"] == value


@pytest.mark.parametrize("at", ["25:00", "08:60", "8:5", "tám giờ", ""])
def test_parse_rules_refuses_a_bad_time(at: str) -> None:
    with pytest.raises(UserFacingError) as caught:
        parse_rules(None, at, None, None)
    assert caught.value.message == '"{value}" is not a time of day; write it like 08:00'
    assert caught.value.params == {"value": at}


def test_parse_rules_refuses_a_flag_that_is_not_yes_or_no() -> None:
    with pytest.raises(UserFacingError) as caught:
        parse_rules(None, None, "sometimes", None)  # type: ignore[arg-type]
    assert caught.value.params == {"value": "sometimes"}
