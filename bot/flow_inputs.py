"""Reading what an admin types in chat: dates, milestone lines, target lines, and presets.

Pure functions, no Telegram and no database, so the rules are tested on their own. Problems are
N_ templates with named params, like the campaign file's, so both read the same in Vietnamese.
Defaults match the campaign file (`bot.campaign_file`): the chat and the YAML file must create
the same campaign from the same data.
"""

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from bot.campaign_file import (
    DEFAULT_TEXT_LENGTH,
    PERCENT_MAX,
    PERCENT_MIN,
    TargetSpec,
)
from bot.i18n import N_
from bot.text import collapse_spaces, match_key, without_controls
from storage.campaign_models import TargetType

NAME_LENGTH = 255  # campaigns.name, target_templates.label
SLOGAN_LENGTH = 500
MILESTONE_LENGTH = 120
UNIT_LENGTH = 64
MIN_NAME_LENGTH = 3

_DATE = re.compile(r"([0-9]{1,2})[/.-]([0-9]{1,2})[/.-]([0-9]{4})")
_DATE_ANYWHERE = re.compile(r"[0-9]{1,2}[/.-][0-9]{1,2}[/.-][0-9]{4}")
_MILESTONE = re.compile(
    r"(?P<name>.+?)(?:\s*[-–—:]\s*|\s+)(?P<due>[0-9]{1,2}[/.-][0-9]{1,2}[/.-][0-9]{4})"
)
_BULLET = re.compile(r"^[\s•*·+-]+")

TARGET_WORDS: dict[str, TargetType] = {
    "số": TargetType.NUMBER,
    "phần trăm": TargetType.PERCENT,
    "%": TargetType.PERCENT,
    "có-không": TargetType.YES_NO,
    "có/không": TargetType.YES_NO,
    "có không": TargetType.YES_NO,
    "văn bản": TargetType.TEXT,
    "number": TargetType.NUMBER,
    "percent": TargetType.PERCENT,
    "yes/no": TargetType.YES_NO,
    "yes-no": TargetType.YES_NO,
    "text": TargetType.TEXT,
}
_TARGET_KEYS = {match_key(word): kind for word, kind in TARGET_WORDS.items()}


@dataclass(frozen=True)
class LineProblem:
    """A mistake on one typed line (numbered from 1): an N_ template and its params."""

    line: int
    message: str
    params: dict[str, str] = field(default_factory=dict)


def dmy(value: date) -> str:
    return value.strftime("%d/%m/%Y")


def parse_date(text: str) -> date | None:
    """dd/mm/yyyy, also with '-' or '.' between the parts; None for anything else."""
    found = _DATE.fullmatch(text.strip())
    if found is None:
        return None
    day, month, year = (int(part) for part in found.groups())
    try:
        return date(year, month, day)
    except ValueError:
        return None


def find_dates(text: str) -> list[str]:
    """The date-like parts of a text, to read "01/01/2027 - 31/12/2027" as a whole period."""
    return _DATE_ANYWHERE.findall(text)


def add_months(value: date, months: int) -> date:
    """The same day `months` later, clamped to the month's end (31/01 + 1 → 28/02)."""
    total = value.year * 12 + value.month - 1 + months
    year, month = divmod(total, 12)
    month += 1
    for day in (value.day, 30, 29, 28):
        try:
            return date(year, month, day)
        except ValueError:
            continue
    raise AssertionError("unreachable: every month has 28 days")


def quarter_milestones(start: date, end: date, names: tuple[str, ...]) -> list[tuple[str, date]]:
    """Quarter ends counted from the period's start (a school year gives Nov, Feb, May, Aug)."""
    found: list[tuple[str, date]] = []
    for index, name in enumerate(names, start=1):
        due = min(add_months(start, 3 * index) - timedelta(days=1), end)
        if found and due <= found[-1][1]:
            break  # a short period has fewer quarters
        found.append((name, due))
    return found


def review_milestones(
    start: date, end: date, half_year: str, year_end: str
) -> list[tuple[str, date]]:
    """Sơ kết 6 tháng and tổng kết: reports due mid-month after six and after ten months.

    For a calendar year that is 15/07 and 15/11, the usual dates (DOMAIN.md); a shorter period
    keeps the year-end review on its last day.
    """
    review = min(add_months(start, 6) + timedelta(days=14), end)
    final = min(add_months(start, 10) + timedelta(days=14), end)
    if final <= review:
        final = end
    if review >= final:
        return [(year_end, end)]
    return [(half_year, review), (year_end, final)]


def parse_milestone_lines(
    text: str, start: date, end: date
) -> tuple[list[tuple[str, date]], list[LineProblem]]:
    """`Tên mốc - dd/mm/yyyy` lines; each due date must fall within the period."""
    found: list[tuple[str, date]] = []
    problems: list[LineProblem] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = collapse_spaces(_BULLET.sub("", without_controls(raw)))
        if not line:
            continue
        matched = _MILESTONE.fullmatch(line)
        if matched is None:
            message = N_('"{value}": write it as Name - dd/mm/yyyy, e.g. Quý I - 31/03/2027')
            problems.append(LineProblem(number, message, {"value": line}))
            continue
        name, due_text = matched.group("name"), matched.group("due")
        due = parse_date(due_text)
        if len(name) > MILESTONE_LENGTH:
            message = N_("too long: at most {max} characters")
            problems.append(LineProblem(number, message, {"max": str(MILESTONE_LENGTH)}))
        elif due is None:
            message = N_('"{value}" is not a date; write dd/mm/yyyy')
            problems.append(LineProblem(number, message, {"value": due_text}))
        elif not start <= due <= end:
            message = N_("{due} is outside the period {start} – {end}")
            params = {"due": dmy(due), "start": dmy(start), "end": dmy(end)}
            problems.append(LineProblem(number, message, params))
        else:
            found.append((name, due))
    return found, problems


def merge_milestones(
    current: list[tuple[str, date]], new: list[tuple[str, date]]
) -> list[tuple[str, date]]:
    """Add `new`; a name already listed (ignoring case and diacritics) gets the new date."""
    merged = {match_key(name): (name, due) for name, due in current}
    for name, due in new:
        merged[match_key(name)] = (name, due)
    return sorted(merged.values(), key=lambda item: (item[1], match_key(item[0])))


def parse_target_lines(text: str) -> tuple[list[TargetSpec], list[LineProblem]]:
    """`Nhãn | đơn vị | loại` lines; the unit and type may be left out (type: số)."""
    found: list[TargetSpec] = []
    problems: list[LineProblem] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = _BULLET.sub("", without_controls(raw)).strip()
        if not line:
            continue
        parts = [collapse_spaces(part) for part in line.split("|")]
        if len(parts) > 3 or not parts[0]:
            message = N_(
                '"{value}": write it as Label | unit | type, e.g. Sáng kiến | sáng kiến | số'
            )
            problems.append(LineProblem(number, message, {"value": collapse_spaces(line)}))
            continue
        label = parts[0]
        unit = parts[1] if len(parts) > 1 else ""
        kind_text = parts[2] if len(parts) > 2 else ""
        kind = _TARGET_KEYS.get(match_key(kind_text)) if kind_text else TargetType.NUMBER
        if kind is None:
            allowed = "số, phần trăm, có-không, văn bản"
            message = N_('"{value}" is not one of: {allowed}')
            problems.append(LineProblem(number, message, {"value": kind_text, "allowed": allowed}))
        elif len(label) > NAME_LENGTH or len(unit) > UNIT_LENGTH:
            longest = NAME_LENGTH if len(label) > NAME_LENGTH else UNIT_LENGTH
            message = N_("too long: at most {max} characters")
            problems.append(LineProblem(number, message, {"max": str(longest)}))
        else:
            found.append(target_spec(label, unit, kind))
    return found, problems


def target_spec(label: str, unit: str, kind: TargetType) -> TargetSpec:
    """A target with the campaign file's defaults: percent 0–100 and '%', text up to 500."""
    low: Decimal | None = None
    high: Decimal | None = None
    if kind is TargetType.PERCENT:
        low, high = PERCENT_MIN, PERCENT_MAX
        unit = unit or "%"
    max_length = DEFAULT_TEXT_LENGTH if kind is TargetType.TEXT else None
    return TargetSpec(label, unit, kind, True, low, high, max_length)


def merge_targets(current: list[TargetSpec], new: list[TargetSpec]) -> list[TargetSpec]:
    """Add `new` in order; a label already listed is replaced where it stands."""
    merged = {match_key(target.label): target for target in current}
    for target in new:
        merged[match_key(target.label)] = target
    return list(merged.values())
