"""Property-based tests of every parser of what people type (issue 8, security).

For any text at all (unicode, control characters, emoji, numbers with many separators, very long
strings) each parser returns a valid value — one the database columns can hold — or refuses it
with its clear, translated error; never another exception. Where a value can be written back
(numbers, dates, phones, hours), formatting then parsing gives the same value.
"""

from collections.abc import Iterator
from datetime import date, time, timedelta
from decimal import Decimal

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from pydantic import ValidationError

from bot.campaign_file import format_vn_number, parse_vn_number
from bot.digest_plan import WEEKDAYS, parse_digest_rule
from bot.errors import UserFacingError
from bot.flow_inputs import (
    MILESTONE_LENGTH,
    NAME_LENGTH,
    UNIT_LENGTH,
    dmy,
    parse_date,
    parse_milestone_lines,
    parse_target_lines,
)
from bot.flows.widgets import parse_int
from bot.i18n import N_, Catalogs
from bot.lookup import _pick
from bot.phones import InvalidPhone, display_phone, normalise_phone
from bot.pledge_values import (
    MAX_COMMITMENT_LENGTH,
    MAX_LABEL_LENGTH,
    MAX_UNIT_LENGTH,
    TargetShape,
    TargetValue,
    check_commitment,
    own_target_shape,
    parse_target_value,
    parse_yes_no,
    shape_of,
)
from bot.reminder_calendar import NO_QUIET, QuietHours, parse_clock, parse_quiet_hours
from bot.reminder_controls import MAX_LEAVE_DAYS, parse_leave
from bot.reminder_plan import MAX_DAYS_BEFORE, parse_rules
from bot.reports import report_shape
from bot.roster_file import parse_date as parse_roster_date
from bot.roster_file import parse_role
from bot.scoring_file import format_points, parse_points
from bot.settings import Settings
from bot.text import collapse_spaces, match_key, name_sort_key
from storage.campaign_models import TargetTemplate, TargetType
from storage.models import Unit
from storage.pledge_models import PledgeTarget
from storage.progress_models import MAX_ACHIEVED_TEXT_LENGTH
from tests.support.properties import (
    STRING_PARSERS,
    InputCounter,
    any_text,
    assert_clear,
    numbery,
    report_counts,
)

COUNTER = InputCounter()
# The columns the parsed values go into (storage/*_models.py): Numeric(18, 4) for target values,
# Numeric(10, 2) for points, VARCHAR(1000) for a pledge's text, VARCHAR(64) for reminder days.
NUMERIC_18_4 = Decimal(10) ** 14
PLANNED_TEXT_LENGTH = 1000
REMINDER_DAYS_LENGTH = 64
PERIOD = (date(2027, 1, 1), date(2027, 12, 31))
VI = Catalogs().get("vi")


@pytest.fixture(scope="module", autouse=True)
def count_inputs(pytestconfig: pytest.Config) -> Iterator[InputCounter]:
    yield from report_counts(COUNTER, "Property tests of typed input", pytestconfig)


def refused(exc: UserFacingError) -> None:
    """A refusal a person reads in chat: translated, and short even when the input was not."""
    assert len(assert_clear(exc.message, exc.params)) <= 600


def storable_text(value: str, limit: int) -> None:
    """What reaches a VARCHAR column: within its size and without NUL, which PostgreSQL refuses."""
    assert len(value) <= limit
    assert "\x00" not in value


def storable_number(value: Decimal) -> None:
    """Numeric(18, 4): finite, fewer than 15 digits before the comma, at most 4 after it."""
    assert value.is_finite()
    assert abs(value) < NUMERIC_18_4
    assert value == value.quantize(Decimal("0.0001"))


# --- numbers ---------------------------------------------------------------------------------


@STRING_PARSERS
@given(any_text)
@example("9" * 5000)
@example("1.000.000,5%")
@example("٣")
def test_a_vietnamese_number_is_read_or_refused(text: str) -> None:
    COUNTER.tried("parse_vn_number")
    try:
        value = parse_vn_number(text)
    except ValueError:
        return
    assert value.is_finite()
    assert parse_vn_number(format_vn_number(value)) == value


@STRING_PARSERS
@given(st.decimals(allow_nan=False, allow_infinity=False, places=4, max_value=10**15))
def test_a_number_written_the_vietnamese_way_reads_back(value: Decimal) -> None:
    COUNTER.tried("format_vn_number")
    assert parse_vn_number(format_vn_number(value)) == value
    if abs(value) < 10**12:  # babel's vi pattern keeps three decimals
        rounded = value.quantize(Decimal("0.001"))
        assert parse_vn_number(VI.number(rounded)) == rounded


@STRING_PARSERS
@given(st.integers(0, 100), st.sampled_from(["%", " %", "", "  %"]))
def test_a_percent_as_typed_is_its_number(whole: int, sign: str) -> None:
    COUNTER.tried("parse_vn_number percent")
    shape = TargetShape("Tỷ lệ", "%", TargetType.PERCENT)
    parsed = parse_target_value(shape, f"{whole}{sign}")
    assert parsed.number == whole


def _templates() -> st.SearchStrategy[TargetTemplate]:
    """Targets as a campaign stores them: any type, bounds or none, text lengths up to 2000."""
    bound = st.one_of(st.none(), st.decimals(-1000, 10**6, places=2))
    return st.builds(
        TargetTemplate,
        id=st.just(1),
        campaign_id=st.just(1),
        position=st.just(1),
        label=st.just("Chỉ tiêu"),
        unit=st.sampled_from(["", "bài", "%"]),
        type=st.sampled_from(list(TargetType)),
        min_value=bound,
        max_value=bound,
        max_length=st.one_of(st.none(), st.integers(1, 2000)),
    )


def _check_value(value: TargetValue, shape: TargetShape, text_column: int) -> None:
    assert value.has_value()
    if shape.type is TargetType.YES_NO:
        assert value.yes_no is not None
    elif shape.type is TargetType.TEXT:
        assert value.text is not None
        storable_text(value.text, text_column)
    else:
        assert value.number is not None
        storable_number(value.number)
        if shape.type is TargetType.PERCENT:
            assert 0 <= value.number <= 100
        if shape.min_value is not None:
            assert value.number >= shape.min_value
        if shape.max_value is not None:
            assert value.number <= shape.max_value


@STRING_PARSERS
@given(_templates(), any_text)
@example(TargetTemplate(type=TargetType.PERCENT, label="Tỷ lệ"), "9" * 5000)
@example(TargetTemplate(type=TargetType.NUMBER, label="Số bài"), "9" * 20)
@example(TargetTemplate(type=TargetType.NUMBER, label="Số bài"), "2,123456")
@example(TargetTemplate(type=TargetType.TEXT, label="Nội dung", max_length=2000), "a" * 1500)
@example(TargetTemplate(type=TargetType.TEXT, label="Nội dung", max_length=500), "Xong\x00")
def test_a_planned_value_is_stored_as_typed_or_refused(template: TargetTemplate, text: str) -> None:
    COUNTER.tried("parse_target_value (pledge)")
    shape = shape_of(template)
    try:
        value = parse_target_value(shape, text)
    except UserFacingError as exc:
        refused(exc)
        return
    _check_value(value, shape, PLANNED_TEXT_LENGTH)


@STRING_PARSERS
@given(st.sampled_from(list(TargetType)), any_text)
@example(TargetType.NUMBER, "-1")
@example(TargetType.TEXT, "a" * 2001)
def test_a_reported_value_is_stored_as_typed_or_refused(kind: TargetType, text: str) -> None:
    COUNTER.tried("parse_target_value (report)")
    shape = report_shape(PledgeTarget(pledge_id=1, position=1, label="Chỉ tiêu", type=kind))
    try:
        value = parse_target_value(shape, text)
    except UserFacingError as exc:
        refused(exc)
        return
    _check_value(value, shape, MAX_ACHIEVED_TEXT_LENGTH)


@STRING_PARSERS
@given(any_text)
@example("Có")
@example("KHÔNG!")
def test_yes_or_no_is_a_bool_or_a_clear_question(text: str) -> None:
    COUNTER.tried("parse_yes_no")
    try:
        answer = parse_yes_no(text)
    except UserFacingError as exc:
        refused(exc)
        return
    assert isinstance(answer, bool)


@STRING_PARSERS
@given(
    st.sampled_from(["có", "Có", "CÓ", "yes", "x", "✓", "không", "Không", "KO", "no", "-"]),
    st.sampled_from(["", " ", ".", "!", "  "]),
)
def test_yes_and_no_words_in_any_case_are_understood(word: str, tail: str) -> None:
    COUNTER.tried("parse_yes_no words")
    expected = match_key(word) in {"co", "yes", "x", "✓"}
    assert parse_yes_no(f" {word}{tail}") is expected


@STRING_PARSERS
@given(any_text, any_text, st.sampled_from(list(TargetType)))
def test_an_own_target_has_a_name_that_fits(label: str, unit: str, kind: TargetType) -> None:
    COUNTER.tried("own_target_shape")
    try:
        shape = own_target_shape(label, unit, kind)
    except UserFacingError as exc:
        refused(exc)
        return
    assert shape.label
    storable_text(shape.label, MAX_LABEL_LENGTH)
    storable_text(shape.unit, MAX_UNIT_LENGTH)


@STRING_PARSERS
@given(any_text)
def test_a_commitment_fits_its_column(text: str) -> None:
    COUNTER.tried("check_commitment")
    try:
        kept = check_commitment(text)
    except UserFacingError as exc:
        refused(exc)
        return
    storable_text(kept, MAX_COMMITMENT_LENGTH)


# --- scoring points --------------------------------------------------------------------------


@STRING_PARSERS
@given(any_text)
@example("9" * 5000)
@example("99.999.999,99")
def test_points_are_a_number_the_column_holds_or_none(text: str) -> None:
    COUNTER.tried("parse_points")
    points = parse_points(text)
    if points is None:
        return
    assert abs(points) < 10**8
    assert points == points.quantize(Decimal("0.01"))
    assert parse_points(format_points(points)) == points


# --- dates -----------------------------------------------------------------------------------


@STRING_PARSERS
@given(any_text)
@example("31/02/2027")
@example("1/1/0000")
def test_a_typed_date_is_a_date_or_none(text: str) -> None:
    COUNTER.tried("flow_inputs.parse_date")
    found = parse_date(text)
    assert found is None or isinstance(found, date)


@STRING_PARSERS
@given(st.dates(min_value=date(1000, 1, 1)), st.sampled_from(["/", "-", "."]))
def test_a_date_written_dd_mm_yyyy_reads_back(day: date, separator: str) -> None:
    COUNTER.tried("flow_inputs.parse_date round trip")
    assert parse_date(dmy(day)) == day
    assert parse_date(VI.date(day)) == day
    assert parse_date(f" {day.day}{separator}{day.month}{separator}{day.year:04d} ") == day


@STRING_PARSERS
@given(any_text)
@example("01/01/2027 - 31/12/2027\n\x00")
def test_milestone_lines_are_milestones_in_the_period_or_line_problems(text: str) -> None:
    COUNTER.tried("parse_milestone_lines")
    found, problems = parse_milestone_lines(text, *PERIOD)
    lines = len(text.splitlines())
    for name, due in found:
        assert PERIOD[0] <= due <= PERIOD[1]
        assert name
        storable_text(name, MILESTONE_LENGTH)
    for problem in problems:
        assert 1 <= problem.line <= lines
        assert_clear(problem.message, problem.params)


@STRING_PARSERS
@given(any_text)
@example("Sáng kiến | sáng kiến | số\n" + "x" * 300)
def test_target_lines_are_targets_or_line_problems(text: str) -> None:
    COUNTER.tried("parse_target_lines")
    found, problems = parse_target_lines(text)
    for target in found:
        storable_text(target.label, NAME_LENGTH)
        storable_text(target.unit, UNIT_LENGTH)
    for problem in problems:
        assert_clear(problem.message, problem.params)


@STRING_PARSERS
@given(any_text)
@example("20/03/2027 - 27/03/2027")
@example("01/01/0001 - 31/12/9999")
def test_a_leave_is_a_period_or_a_clear_refusal(text: str) -> None:
    COUNTER.tried("parse_leave")
    today = date(2027, 3, 1)
    try:
        starts, ends = parse_leave(text, today)
    except UserFacingError as exc:
        refused(exc)
        return
    assert starts <= ends and ends >= today
    assert (ends - starts) < timedelta(days=MAX_LEAVE_DAYS)


@STRING_PARSERS
@given(any_text)
@example("31/02/2026")
@example("2026-13-01")
def test_a_roster_date_is_a_date_none_or_a_value_error(text: str) -> None:
    COUNTER.tried("roster_file.parse_date")
    try:
        found = parse_roster_date(text)
    except ValueError:
        return
    assert found is None or isinstance(found, date)


# --- phones ----------------------------------------------------------------------------------


@STRING_PARSERS
@given(st.one_of(any_text, st.integers(), st.floats()))
@example("0912345678²")
@example("+84 912 345 678")
@example(912345678.0)
@example(float("nan"))
def test_a_phone_is_e164_or_invalid(raw: str | int | float) -> None:
    COUNTER.tried("normalise_phone")
    try:
        phone = normalise_phone(raw)
    except InvalidPhone:
        return
    assert phone.startswith("+") and phone[1:].isascii() and phone[1:].isdigit()
    storable_text(phone, 20)
    assert normalise_phone(phone) == phone  # idempotent
    assert normalise_phone(display_phone(phone)) == phone  # as shown, read back


@STRING_PARSERS
@given(
    st.sampled_from(["91", "90", "98", "38", "24", "28", "70", "86"]),
    st.text("0123456789", min_size=7, max_size=8),
    st.sampled_from(["0", "+84", "84", "0084", "+84 "]),
)
def test_a_vietnamese_phone_in_any_form_is_one_person(prefix: str, rest: str, lead: str) -> None:
    COUNTER.tried("normalise_phone forms")
    try:
        phone = normalise_phone("0" + prefix + rest)
    except InvalidPhone:
        return  # not an allocated range
    assert normalise_phone(lead + prefix + rest) == phone
    assert normalise_phone(display_phone(phone)) == phone


# --- names -----------------------------------------------------------------------------------


@STRING_PARSERS
@given(any_text)
def test_names_match_and_sort_whatever_is_typed(text: str) -> None:
    COUNTER.tried("match_key/name_sort_key")
    key = match_key(text)
    assert match_key(key) == key  # idempotent: stored keys match typed keys
    assert key == collapse_spaces(key)
    name_sort_key(text)  # never raises, even for emoji and control characters


@STRING_PARSERS
@given(any_text)
@example("²")
@example("1" * 5000)
def test_a_unit_is_found_by_what_an_admin_types_or_a_clear_refusal(text: str) -> None:
    COUNTER.tried("lookup.find_unit")
    units = [
        Unit(id=1, name="Sở Tư pháp", name_key=match_key("Sở Tư pháp")),
        Unit(id=2, name="Sở Tài chính", name_key=match_key("Sở Tài chính")),
        Unit(id=12, name="Thanh tra tỉnh", name_key=match_key("Thanh tra tỉnh")),
    ]
    try:
        found = _pick(units, text, N_("No unit named {name}."))
    except UserFacingError as exc:
        refused(exc)
        return
    assert found in units


@STRING_PARSERS
@given(any_text)
def test_a_role_is_known_or_none(text: str) -> None:
    COUNTER.tried("parse_role")
    parse_role(text)


# --- buttons (callback data a modified client can forge) -------------------------------------


@STRING_PARSERS
@given(st.sampled_from(["t:", "p:", "c:", ""]), any_text)
@example("t:", "²")
@example("t:", "٣")
def test_a_button_id_is_a_small_number_or_none(prefix: str, rest: str) -> None:
    COUNTER.tried("widgets.parse_int")
    value = parse_int(prefix + rest, prefix)
    assert value is None or 0 <= value < 2**31  # a 32-bit id column


# --- hours, weekdays, reminder days ----------------------------------------------------------


@STRING_PARSERS
@given(any_text)
@example("²-7")
@example("٢١:٠٠-07:00")
def test_quiet_hours_are_a_range_or_a_clear_refusal(text: str) -> None:
    COUNTER.tried("parse_quiet_hours")
    try:
        quiet = parse_quiet_hours(text)
    except UserFacingError as exc:
        refused(exc)
        return
    assert isinstance(quiet, QuietHours)


@STRING_PARSERS
@given(st.times(), st.times(), st.sampled_from(["-", " - ", "–", " đến ", " to "]))
def test_quiet_hours_written_out_read_back(start: time, end: time, dash: str) -> None:
    COUNTER.tried("parse_quiet_hours round trip")
    start, end = start.replace(second=0, microsecond=0), end.replace(second=0, microsecond=0)
    quiet = parse_quiet_hours(f"{start:%H:%M}{dash}{end:%H:%M}")
    assert quiet == QuietHours(start, end) or (start == end and quiet.start == quiet.end)
    assert parse_quiet_hours("không") == NO_QUIET
    assert parse_clock(f"{start.hour}h{start.minute:02d}") == start


@STRING_PARSERS
@given(any_text)
@example("thứ 2 ²:00")
@example("thứ   6     16:30" + " " * 40)
def test_a_digest_rule_is_a_weekday_and_time_or_a_clear_refusal(text: str) -> None:
    COUNTER.tried("parse_digest_rule")
    try:
        rule = parse_digest_rule(text)
    except UserFacingError as exc:
        refused(exc)
        return
    assert rule is None or (0 <= rule.weekday <= 6 and isinstance(rule.at, time))


@STRING_PARSERS
@given(st.sampled_from(sorted(WEEKDAYS)), st.times())
def test_a_digest_rule_written_out_reads_back(day: str, at: time) -> None:
    COUNTER.tried("parse_digest_rule round trip")
    at = at.replace(second=0, microsecond=0)
    rule = parse_digest_rule(f"{day} {at:%H:%M}")
    assert rule is not None and rule.weekday == WEEKDAYS[day] and rule.at == at


@STRING_PARSERS
@given(any_text, st.one_of(st.none(), any_text))
@example(", ".join(str(n) for n in range(61)), None)
@example("7, 3, 1, 0", "08:00")
def test_reminder_days_fit_the_campaign_or_a_clear_refusal(days: str, at: str | None) -> None:
    COUNTER.tried("reminder_plan.parse_rules")
    try:
        rules = parse_rules(days, at, None, None)
    except UserFacingError as exc:
        refused(exc)
        return
    assert list(rules.days_before) == sorted(set(rules.days_before), reverse=True)
    assert all(0 <= days <= MAX_DAYS_BEFORE for days in rules.days_before)
    stored = ",".join(str(days) for days in rules.days_before)  # campaigns.reminder_days
    assert len(stored) <= REMINDER_DAYS_LENGTH


# --- settings --------------------------------------------------------------------------------


@STRING_PARSERS
@given(any_text.filter(lambda text: "\x00" not in text), numbery)
@example("21:00-07:00", "123456789,²")
def test_settings_are_usable_or_name_the_variable(quiet: str, admins: str) -> None:
    COUNTER.tried("Settings")
    try:
        settings = Settings(  # type: ignore[call-arg]
            _env_file=None, THIDUA_QUIET_HOURS=quiet, THIDUA_ADMIN_IDS=admins
        )
    except ValidationError:
        return
    assert all(isinstance(user_id, int) for user_id in settings.admin_ids)
    assert settings.reminder_calendar.quiet is not None
