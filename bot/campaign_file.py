"""The campaign file: an admin writes a campaign as YAML, this module checks it into a spec.

Pure parsing and validation: no database, no Telegram. Titles, awards, blocs and units stay as
typed; the database layer resolves them. Every problem of the file is reported at once, each at
its own path (`milestones[2].due`), as an English N_ template with named params: the caller
renders `f"{path}: {t(message, **params)}"` (see `bot/i18n.py`). The schema is in
`docs/campaign-file.md`; `examples/phong_trao_mau.yaml` is a complete sample.
"""

import contextlib
import difflib
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from enum import Enum
from pathlib import Path
from typing import Any, ClassVar, TypeVar

import yaml

from bot.digest_plan import parse_digest_rule
from bot.errors import UserFacingError
from bot.i18n import N_
from bot.reminder_plan import MAX_DAYS_BEFORE, ReminderRules, parse_rules
from bot.text import collapse_spaces, match_key, without_controls
from storage.campaign_models import (
    AudienceKind,
    CampaignKind,
    CatalogueKind,
    TargetType,
    TitleScope,
)

MAX_DOCUMENT_MB = 20  # Telegram bots may upload 50 MB; plans are small, and big ones are mistakes
MAX_DOCUMENT_BYTES = MAX_DOCUMENT_MB * 1024 * 1024
DEFAULT_TEXT_LENGTH = 500
MAX_TEXT_LENGTH = 2000
MAX_GRACE_DAYS = 60  # beyond two months a "grace" swallows the next quarter's milestone
MAX_NESTING = 50  # lists and keys inside each other; a campaign needs 4, and deeper breaks Python
MAX_INTEGER = 10**30  # only an explicit !!int tag makes a number; beyond this it is a mistake
# Target bounds are Numeric(18, 4): at most 14 digits before the comma.
MAX_NUMBER = Decimal(10) ** 14
PERCENT_MIN, PERCENT_MAX = Decimal(0), Decimal(100)

# Column sizes of the tables in `storage/campaign_models.py`: refuse now, not at insert time.
_NAME_LENGTH = 255
_SLOGAN_LENGTH = 500
_MILESTONE_LENGTH = 120
_UNIT_LENGTH = 64
_REQUIREMENT_LENGTH = 500
_DIGEST_LENGTH = 32

_CODE = re.compile(r"[A-Za-z0-9_]{2,32}")
_DMY = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})")
_ISO = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")
# Vietnamese number: '.' groups thousands (exactly three digits a group), ',' is the decimal mark.
_VN_NUMBER = re.compile(r"(-?)([0-9]{1,3}(?:\.[0-9]{3})+|[0-9]+)(?:,([0-9]+))?\s*(%?)")

_E = TypeVar("_E", bound=Enum)
_T = TypeVar("_T")


# --- public types ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One mistake at one place in the file; `message` is an N_ template, `params` its values."""

    path: str
    message: str
    params: dict[str, str] = field(default_factory=dict)

    def english(self) -> str:
        """The untranslated text, for logs and exceptions (users see the translated one)."""
        text = self.message.format(**self.params)
        return f"{self.path}: {text}" if self.path else text


class CampaignFileError(Exception):
    """The file cannot be used; `problems` lists every mistake so the admin fixes all in one go."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(problem.english() for problem in problems))


@dataclass(frozen=True)
class MilestoneSpec:
    name: str
    due: date


@dataclass(frozen=True)
class TargetSpec:
    """A measurable target (chỉ tiêu) every pledge carries."""

    label: str
    unit: str
    type: TargetType
    required: bool
    min_value: Decimal | None
    max_value: Decimal | None
    max_length: int | None


@dataclass(frozen=True)
class CatalogueItemSpec:
    """A title or form of commendation the organisation adds to the catalogue itself."""

    code: str
    name: str
    kind: CatalogueKind
    scope: TitleScope
    requirement: str


@dataclass(frozen=True)
class DocumentSpec:
    path: Path  # absolute; checked to exist and to be small enough


@dataclass(frozen=True)
class CampaignSpec:
    """A checked campaign file. With `copy_from`, empty titles/awards/targets mean "copy them"."""

    name: str
    slogan: str
    kind: CampaignKind
    owner_bloc: str | None
    period_start: date
    period_end: date
    registration_opens: date
    registration_deadline: date
    late_registration: bool
    registration_required: bool
    milestones: tuple[MilestoneSpec, ...]
    audience: AudienceKind
    audience_blocs: tuple[str, ...]
    audience_units: tuple[str, ...]
    titles: tuple[str, ...]
    awards: tuple[str, ...]
    targets: tuple[TargetSpec, ...]
    new_catalogue_items: tuple[CatalogueItemSpec, ...]
    documents: tuple[DocumentSpec, ...]
    copy_from: str | None
    report_grace_days: int = 0  # a milestone's report is on time until due + this many days
    reminder_rules: ReminderRules = field(default_factory=ReminderRules)  # deadline reminders
    digest_rule: str = "mon 08:00"  # the weekly digest's weekday and time; "" for none


# --- accepted words (Vietnamese and English, matched without case or diacritics) ----------------

_KIND_WORDS = {
    "thường xuyên": CampaignKind.REGULAR,
    "theo chuyên đề": CampaignKind.THEMATIC,
    "regular": CampaignKind.REGULAR,
    "thematic": CampaignKind.THEMATIC,
}
_TARGET_WORDS = {
    "số": TargetType.NUMBER,
    "phần trăm": TargetType.PERCENT,
    "có/không": TargetType.YES_NO,
    "văn bản": TargetType.TEXT,
    "number": TargetType.NUMBER,
    "percent": TargetType.PERCENT,
    "yes/no": TargetType.YES_NO,
    "yes_no": TargetType.YES_NO,
    "text": TargetType.TEXT,
}
_CATALOGUE_WORDS = {
    "danh hiệu": CatalogueKind.TITLE,
    "hình thức khen thưởng": CatalogueKind.AWARD,
    "title": CatalogueKind.TITLE,
    "award": CatalogueKind.AWARD,
}
_SCOPE_WORDS = {
    "cá nhân": TitleScope.INDIVIDUAL,
    "tập thể": TitleScope.COLLECTIVE,
    "cả hai": TitleScope.BOTH,
    "individual": TitleScope.INDIVIDUAL,
    "collective": TitleScope.COLLECTIVE,
    "both": TitleScope.BOTH,
}
_WHOLE_ORGANISATION = ("toàn bộ", "all", "organisation")
_TRUE_WORDS, _FALSE_WORDS = frozenset({"co", "true"}), frozenset({"khong", "false"})

# --- allowed keys, per mapping -------------------------------------------------------------------

_ROOT_KEYS = (
    "name",
    "slogan",
    "kind",
    "owner",
    "period",
    "registration",
    "reporting",
    "reminders",
    "milestones",
    "audience",
    "titles",
    "awards",
    "new_titles",
    "targets",
    "documents",
    "copy_from",
)
_PERIOD_KEYS = ("start", "end")
_REGISTRATION_KEYS = ("opens", "deadline", "late", "required")
_REPORTING_KEYS = ("grace_days",)
_REMINDER_KEYS = ("days_before", "at", "escalate", "snooze", "digest")
_MILESTONE_KEYS = ("name", "due")
_AUDIENCE_KEYS = ("blocs", "units")
_ITEM_KEYS = ("code", "name", "kind", "scope", "requirement")
_TARGET_KEYS = ("label", "unit", "type", "required", "min", "max", "max_length")


# --- numbers -------------------------------------------------------------------------------------


def parse_vn_number(text: str) -> Decimal:
    """A number written the Vietnamese way: '1.000' → 1000, '2,5' → 2.5, '85%' → 85.

    Strict, because '1.000' means a thousand here and one in English: '.' may only group
    thousands (three digits a group), ',' is the only decimal mark, a leading '-' and a trailing
    '%' are allowed. Anything else ('1,000.5', '2.5', '1.2.3', '1 000', '1e3', '') raises
    ValueError rather than being guessed.
    """
    found = _VN_NUMBER.fullmatch(text.strip())
    if found is None:
        raise ValueError(f"not a Vietnamese number: {text!r}")
    sign, whole, fraction, _percent = found.groups()
    digits = whole.replace(".", "") + (f".{fraction}" if fraction else "")
    try:
        return Decimal(sign + digits)
    except InvalidOperation as exc:  # unreachable with the pattern above; kept as a guard
        raise ValueError(f"not a Vietnamese number: {text!r}") from exc


# --- reading the file ----------------------------------------------------------------------------


class _Loader(yaml.SafeLoader):
    """Safe YAML that keeps numbers as text and remembers keys written twice.

    Numbers stay text because YAML reads '1.000' as 1.0 and '1:30' as 90: parse_vn_number
    decides instead. A repeated key would silently replace the first one's value.
    """

    yaml_implicit_resolvers: ClassVar[dict[str, list[tuple[str, re.Pattern[str]]]]] = {
        first: [
            (tag, pattern)
            for tag, pattern in resolvers
            if tag.rsplit(":", 1)[-1] in {"bool", "null", "timestamp", "merge"}
        ]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.repeated_keys: list[tuple[str, int]] = []
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        """Refuse deep nesting as a YAML error, before Python's recursion limit is reached."""
        self._depth += 1
        try:
            if self._depth > MAX_NESTING:
                mark = self.peek_event().start_mark
                problem = f"lists and keys nested more than {MAX_NESTING} deep"
                raise yaml.composer.ComposerError(None, None, problem, mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_object(self, node: Any, deep: bool = False) -> Any:
        """A value YAML cannot build (2027-02-30, a 5,000-digit !!int) is a YAML error too."""
        try:
            value = super().construct_object(node, deep=deep)
        except (ValueError, OverflowError) as exc:
            raise yaml.constructor.ConstructorError(
                None, None, f"cannot read this value: {exc}", node.start_mark
            ) from exc
        if isinstance(value, int) and not -MAX_INTEGER < value < MAX_INTEGER:
            problem = "this number is too long"
            raise yaml.constructor.ConstructorError(None, None, problem, node.start_mark)
        return value

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        seen: set[str] = set()
        for key_node, _value in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.tag.endswith(":str"):
                if key_node.value in seen:
                    self.repeated_keys.append((key_node.value, key_node.start_mark.line + 1))
                seen.add(key_node.value)
        return super().construct_mapping(node, deep=deep)


def load_campaign_file(path: Path) -> CampaignSpec:
    """Read and check a campaign file; documents are found next to it."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _file_error(N_("{name} is not UTF-8 text; save it as UTF-8"), name=path.name) from exc
    except OSError as exc:
        error = exc.strerror or str(exc)
        raise _file_error(N_("Cannot read {name}: {error}"), name=path.name, error=error) from exc
    return parse_campaign(text, base_dir=path.resolve().parent)


def parse_campaign(text: str, base_dir: Path | None = None) -> CampaignSpec:
    """Check campaign YAML; relative document paths are resolved against `base_dir` (else cwd)."""
    try:
        loader = _Loader(text)
    except yaml.YAMLError as exc:  # the reader refuses control characters straight away
        raise _file_error(N_("Invalid YAML: {error}"), error=str(exc)) from exc
    try:
        data = loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        line = str(exc.problem_mark.line + 1) if exc.problem_mark else "?"
        raise _file_error(
            N_("Invalid YAML at line {line}: {error}"), line=line, error=str(exc.problem or exc)
        ) from exc
    except yaml.YAMLError as exc:
        raise _file_error(N_("Invalid YAML: {error}"), error=str(exc)) from exc
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        raise _file_error(N_("The file must hold keys such as name:, kind:, period:, one per line"))
    checker = _Checker()
    for key, key_line in loader.repeated_keys:
        message = N_('Line {line}: the key "{key}" is written twice')
        checker.add("", message, line=str(key_line), key=key)
    spec = _campaign(checker, data, base_dir or Path.cwd())
    if checker.problems or spec is None:
        raise CampaignFileError(checker.problems)
    return spec


def _file_error(message: str, **params: str) -> CampaignFileError:
    return CampaignFileError([Problem("", message, params)])


# --- the checker: reads values and records problems ----------------------------------------------


class _Checker:
    """Collects problems; each reader returns None (or a default) where the value is unusable."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, path: str, message: str, **params: str) -> None:
        self.problems.append(Problem(path, message, params))

    def mapping(
        self, value: dict[object, object], path: str, allowed: tuple[str, ...]
    ) -> dict[str, object]:
        """The mapping with str keys; keys not `allowed` are reported (likely typos)."""
        data = {str(key): item for key, item in value.items()}
        for key in data:
            if key not in allowed:
                self._unknown_key(_join(path, key), key, allowed)
        return data

    def _unknown_key(self, path: str, key: str, allowed: tuple[str, ...]) -> None:
        names = ", ".join(allowed)
        if key.isdigit():  # `{max: 2,5}`: inside braces the comma split the number
            message = N_(
                'unknown key "{key}": on one line, put a number with a comma in quotes: max: "2,5"'
            )
            self.add(path, message, key=key)
            return
        close = difflib.get_close_matches(key.lower(), allowed, n=1, cutoff=0.7)
        if close:
            message = N_('unknown key "{key}"; did you mean "{suggestion}"? Allowed: {allowed}')
            self.add(path, message, key=key, suggestion=close[0], allowed=names)
        else:
            self.add(path, N_('unknown key "{key}"; allowed: {allowed}'), key=key, allowed=names)

    def text(self, value: object, path: str, max_length: int, required: bool = False) -> str | None:
        """One line of text, spaces collapsed; None when absent or wrong."""
        if value is None:
            if required:
                self.add(path, N_("is required"))
            return None
        if not isinstance(value, str):
            self.add(path, N_("must be text, not {value}"), value=_display(value))
            return None
        cleaned = collapse_spaces(without_controls(value))
        if not cleaned:
            self.add(path, N_("must not be empty"))
            return None
        if len(cleaned) > max_length:
            self.add(path, N_("too long: at most {max} characters"), max=str(max_length))
            return None
        return cleaned

    def list(self, value: object, path: str) -> list[object]:
        if value is None:
            return []
        if not isinstance(value, list):
            self.add(path, N_("must be a list: [a, b] or one “- item” per line"))
            return []
        return value

    def date(self, value: object, path: str) -> date | None:
        if value is None:
            self.add(path, N_("is required"))
            return None
        parsed = _parse_date(value)
        if parsed is None:
            self.add(path, N_('"{value}" is not a date; write dd/mm/yyyy'), value=_display(value))
        return parsed

    def boolean(self, value: object, path: str, default: bool) -> bool:
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and match_key(value) in _TRUE_WORDS | _FALSE_WORDS:
            return match_key(value) in _TRUE_WORDS
        self.add(path, N_('"{value}" is not yes or no; write có or không'), value=_display(value))
        return default

    def choice(self, value: object, path: str, words: Mapping[str, _E]) -> _E | None:
        """An enum from one of `words`, ignoring case and diacritics."""
        if value is None:
            self.add(path, N_("is required"))
            return None
        found = _lookup(words, value)
        if found is None:
            allowed = ", ".join(words)
            self.add(
                path,
                N_('"{value}" is not one of: {allowed}'),
                value=_display(value),
                allowed=allowed,
            )
        return found

    def number(self, value: object, path: str) -> Decimal | None:
        if value is None:
            return None
        found: Decimal | None = None
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            found = Decimal(str(value))  # only an explicit !!int / !!float tag gets here
        elif isinstance(value, str):
            with contextlib.suppress(ValueError):
                found = parse_vn_number(value)
        if found is None or not found.is_finite():  # !!float .nan and .inf are not numbers
            message = N_('"{value}" is not a number; write it like 1.234,5')
            self.add(path, message, value=_display(value))
            return None
        if abs(found) >= MAX_NUMBER:
            message = N_('"{value}" is too large: at most 14 digits before the comma')
            self.add(path, message, value=_display(value))
            return None
        return found

    def unique(self, path: str, value: str, seen: set[str], key: str | None = None) -> bool:
        """False (and a problem) when `value` came before; by default case and diacritics
        do not count, so "LĐTT" and "ldtt" are the same."""
        key = match_key(value) if key is None else key
        if key in seen:
            self.add(path, N_('"{value}" is listed twice'), value=value)
            return False
        seen.add(key)
        return True

    def section(
        self, value: object, path: str, allowed: tuple[str, ...]
    ) -> dict[str, object] | None:
        """A mapping such as `period`: absent is empty (so its required keys are reported),
        another type is one problem and None (its keys would only repeat it)."""
        return {} if value is None else self.item(value, path, allowed)

    def item(self, value: object, path: str, allowed: tuple[str, ...]) -> dict[str, object] | None:
        """One entry of a list of mappings (a milestone, a target); None when it is not one."""
        if not isinstance(value, dict):
            self.add(path, N_("must be a set of keys (key: value)"))
            return None
        return self.mapping(value, path, allowed)


def _lookup(words: Mapping[str, _E], value: object) -> _E | None:
    if not isinstance(value, str):
        return None
    keys = {match_key(word): found for word, found in words.items()}
    return keys.get(match_key(value))


def _parse_date(value: object) -> date | None:
    """dd/mm/yyyy or d/m/yyyy text, yyyy-mm-dd (YAML makes a date of it unless quoted)."""
    if isinstance(value, datetime):
        return None  # a time of day in a date field is a mistake, not something to drop
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        return None
    text = value.strip()
    if found := _DMY.fullmatch(text):
        day, month, year = (int(part) for part in found.groups())
    elif found := _ISO.fullmatch(text):
        year, month, day = (int(part) for part in found.groups())
    else:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _display(value: object) -> str:
    """A short rendering of a wrong value for a message, without dumping big structures."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, list):
        return "[…]"
    if isinstance(value, dict):
        return "{…}"
    text = str(value)
    return text if len(text) <= 60 else text[:59] + "…"


def _join(parent: str, key: str) -> str:
    return f"{parent}.{key}" if parent else key


def _dmy(value: date) -> str:
    return value.strftime("%d/%m/%Y")


def _present(value: _T | None) -> _T:
    """A value the checks proved present (called only when no problem was found)."""
    assert value is not None
    return value


# --- sections ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Schedule:
    period_start: date
    period_end: date
    registration_opens: date
    registration_deadline: date
    late_registration: bool
    registration_required: bool
    milestones: tuple[MilestoneSpec, ...]


@dataclass(frozen=True)
class _Offer:
    """What members may pick and report against."""

    titles: tuple[str, ...]
    awards: tuple[str, ...]
    targets: tuple[TargetSpec, ...]
    new_catalogue_items: tuple[CatalogueItemSpec, ...]
    copy_from: str | None


def _campaign(check: _Checker, raw: dict[object, object], base_dir: Path) -> CampaignSpec | None:
    """Read every section (so every problem is found), then build the spec if none was."""
    data = check.mapping(raw, "", _ROOT_KEYS)
    name = check.text(data.get("name"), "name", _NAME_LENGTH, required=True)
    slogan = check.text(data.get("slogan"), "slogan", _SLOGAN_LENGTH)
    kind = check.choice(data.get("kind"), "kind", _KIND_WORDS)
    owner = check.text(data.get("owner"), "owner", _NAME_LENGTH)
    schedule = _schedule(check, data)
    grace_days = _reporting(check, data.get("reporting"))
    reminder_rules = _reminders(check, data.get("reminders"))
    digest_rule = _digest(check, data.get("reminders"))
    audience, blocs, units = _audience(check, data.get("audience"))
    offer = _offer(check, data)
    documents = _documents(check, data.get("documents"), base_dir)
    if check.problems:
        return None
    when = _present(schedule)
    return CampaignSpec(
        name=_present(name),
        slogan=slogan or "",
        kind=_present(kind),
        owner_bloc=owner,
        period_start=when.period_start,
        period_end=when.period_end,
        registration_opens=when.registration_opens,
        registration_deadline=when.registration_deadline,
        late_registration=when.late_registration,
        registration_required=when.registration_required,
        milestones=when.milestones,
        audience=audience,
        audience_blocs=blocs,
        audience_units=units,
        titles=offer.titles,
        awards=offer.awards,
        targets=offer.targets,
        new_catalogue_items=offer.new_catalogue_items,
        documents=documents,
        copy_from=offer.copy_from,
        report_grace_days=grace_days,
        reminder_rules=reminder_rules,
        digest_rule=digest_rule,
    )


def _schedule(check: _Checker, data: dict[str, object]) -> _Schedule | None:
    start, end = _period(check, data.get("period"))
    opens, deadline, late, required = _registration(check, data.get("registration"), end)
    milestones = _milestones(check, data.get("milestones"), start, end)
    if start is None or end is None or opens is None or deadline is None:
        return None
    return _Schedule(start, end, opens, deadline, late, required, milestones)


def _offer(check: _Checker, data: dict[str, object]) -> _Offer:
    """Titles, awards and targets; with copy_from, leaving them out means "as last time"."""
    copy_from = check.text(data.get("copy_from"), "copy_from", _NAME_LENGTH)
    titles = _references(check, data.get("titles"), "titles")
    if not titles and copy_from is None and not _has_problem_under(check, "titles"):
        check.add("titles", N_("list at least one title (or copy them with copy_from)"))
    return _Offer(
        titles=titles,
        awards=_references(check, data.get("awards"), "awards"),
        targets=_targets(check, data.get("targets")),
        new_catalogue_items=_catalogue_items(check, data.get("new_titles")),
        copy_from=copy_from,
    )


def _period(check: _Checker, raw: object) -> tuple[date | None, date | None]:
    data = check.section(raw, "period", _PERIOD_KEYS)
    if data is None:
        return None, None
    start = check.date(data.get("start"), "period.start")
    end = check.date(data.get("end"), "period.end")
    if start and end and end < start:
        check.add(
            "period.end",
            N_("the end {end} is before the start {start}"),
            end=_dmy(end),
            start=_dmy(start),
        )
        return start, None  # dates checked against an impossible period would only add noise
    return start, end


def _registration(
    check: _Checker, raw: object, period_end: date | None
) -> tuple[date | None, date | None, bool, bool]:
    data = check.section(raw, "registration", _REGISTRATION_KEYS)
    if data is None:
        return None, None, False, True
    opens = check.date(data.get("opens"), "registration.opens")
    deadline = check.date(data.get("deadline"), "registration.deadline")
    late = check.boolean(data.get("late"), "registration.late", default=False)
    required = check.boolean(data.get("required"), "registration.required", default=True)
    if opens and deadline and deadline < opens:
        message = N_("the deadline {deadline} is before the opening date {opens}")
        check.add("registration.deadline", message, deadline=_dmy(deadline), opens=_dmy(opens))
    if deadline and period_end and deadline > period_end:
        message = N_("the deadline {deadline} is after the end of the period {end}")
        check.add("registration.deadline", message, deadline=_dmy(deadline), end=_dmy(period_end))
    return opens, deadline, late, required


def _reporting(check: _Checker, raw: object) -> int:
    """`reporting: {grace_days: N}`: days after a milestone's due date a report is still on
    time; 0 (the default) means the due date itself is the last day."""
    data = check.section(raw, "reporting", _REPORTING_KEYS)
    if data is None or data.get("grace_days") is None:
        return 0
    path = "reporting.grace_days"
    value = check.number(data["grace_days"], path)
    if value is None:
        return 0
    if value != value.to_integral_value() or not 0 <= value <= MAX_GRACE_DAYS:
        message = N_("must be a whole number of days from 0 to {max}, not {value}")
        check.add(path, message, max=str(MAX_GRACE_DAYS), value=_number_text(value))
        return 0
    return int(value)


def _reminders(check: _Checker, raw: object) -> ReminderRules:
    """`reminders: {days_before: 7, 3, 1, 0, at: "08:00", escalate: có, snooze: có}`; every key
    optional, the defaults are the organisation's usual rules (bot/reminder_plan.py)."""
    data = check.section(raw, "reminders", _REMINDER_KEYS)
    if data is None:
        return ReminderRules()
    escalate = check.boolean(data.get("escalate"), "reminders.escalate", default=True)
    snooze = check.boolean(data.get("snooze"), "reminders.snooze", default=True)
    days, at = data.get("days_before"), data.get("at")  # numbers stay text (see _Loader)
    rules = ReminderRules(escalate=escalate, snoozable=snooze)
    if isinstance(days, list) and not all(isinstance(item, (str, int)) for item in days):
        message = N_("reminder days must be whole numbers from 0 to {max}, not {value}")
        check.add("reminders.days_before", message, max=str(MAX_DAYS_BEFORE), value=_display(days))
        days = None
    try:
        if days is not None:
            listed = days if isinstance(days, (str, list)) else str(days)
            rules = replace(rules, days_before=parse_rules(listed, None, None, None).days_before)
    except UserFacingError as exc:
        check.add("reminders.days_before", exc.message, **_texts(exc.params))
    try:
        if at is not None:
            rules = replace(rules, at=parse_rules(None, str(at), None, None).at)
    except UserFacingError as exc:
        check.add("reminders.at", exc.message, **_texts(exc.params))
    return rules


def _digest(check: _Checker, raw: object) -> str:
    """`reminders: {digest: thứ 2 08:00}`; `không` turns the weekly digest off."""
    if not isinstance(raw, dict) or raw.get("digest") is None:
        return "mon 08:00"
    if not isinstance(raw["digest"], str):
        message = N_(
            '"{value}" is not a weekday and a time; write it like mon 08:00 or thứ 2 08:00'
        )
        check.add("reminders.digest", message, value=_display(raw["digest"]))
        return "mon 08:00"
    text = collapse_spaces(without_controls(raw["digest"]))
    if len(text) > _DIGEST_LENGTH:
        check.add("reminders.digest", N_("too long: at most {max} characters"), max="32")
        return "mon 08:00"
    try:
        parse_digest_rule(text)
    except UserFacingError as exc:
        check.add("reminders.digest", exc.message, **_texts(exc.params))
    return text


def _texts(params: Mapping[str, object]) -> dict[str, str]:
    return {name: str(value) for name, value in params.items()}


def _milestones(
    check: _Checker, raw: object, start: date | None, end: date | None
) -> tuple[MilestoneSpec, ...]:
    found: list[MilestoneSpec] = []
    names: set[str] = set()
    for index, item in enumerate(check.list(raw, "milestones")):
        path = f"milestones[{index}]"
        data = check.item(item, path, _MILESTONE_KEYS)
        if data is None:
            continue
        name = check.text(data.get("name"), f"{path}.name", _MILESTONE_LENGTH, required=True)
        if name:
            check.unique(f"{path}.name", name, names)
        due = check.date(data.get("due"), f"{path}.due")
        if due and start and end and not start <= due <= end:
            message = N_("{due} is outside the period {start} – {end}")
            check.add(f"{path}.due", message, due=_dmy(due), start=_dmy(start), end=_dmy(end))
        if name and due:
            found.append(MilestoneSpec(name=name, due=due))
    return tuple(found)


def _audience(
    check: _Checker, raw: object
) -> tuple[AudienceKind, tuple[str, ...], tuple[str, ...]]:
    """`toàn bộ` (the default), `{blocs: [...]}` or `{units: [...]}`."""
    whole = (AudienceKind.ORGANISATION, (), ())
    if raw is None or (isinstance(raw, str) and _is_whole_organisation(raw)):
        return whole
    if not isinstance(raw, dict):
        allowed = ", ".join(_WHOLE_ORGANISATION)
        message = N_(
            '"{value}" is not an audience; write {allowed}, or blocs: [...] or units: [...]'
        )
        check.add("audience", message, value=_display(raw), allowed=allowed)
        return whole
    data = check.mapping(raw, "audience", _AUDIENCE_KEYS)
    present = [key for key in _AUDIENCE_KEYS if key in data]
    if len(present) != 1:
        check.add("audience", N_("write either blocs: [...] or units: [...], exactly one of them"))
        return whole
    key = present[0]
    names = _references(check, data[key], f"audience.{key}")
    if not names and not _has_problem_under(check, f"audience.{key}"):
        check.add(f"audience.{key}", N_("list at least one name"))
    if key == "blocs":
        return AudienceKind.BLOCS, names, ()
    return AudienceKind.UNITS, (), names


def _is_whole_organisation(text: str) -> bool:
    return match_key(text) in {match_key(word) for word in _WHOLE_ORGANISATION}


def _references(check: _Checker, raw: object, path: str) -> tuple[str, ...]:
    """Names or codes as typed (titles, awards, blocs, units): non-empty text, no repeats."""
    found: list[str] = []
    seen: set[str] = set()
    for index, item in enumerate(check.list(raw, path)):
        name = check.text(item, f"{path}[{index}]", _NAME_LENGTH, required=True)
        if name:
            check.unique(f"{path}[{index}]", name, seen)
            found.append(name)
    return tuple(found)


def _catalogue_items(check: _Checker, raw: object) -> tuple[CatalogueItemSpec, ...]:
    found: list[CatalogueItemSpec] = []
    codes: set[str] = set()
    for index, item in enumerate(check.list(raw, "new_titles")):
        path = f"new_titles[{index}]"
        data = check.item(item, path, _ITEM_KEYS)
        if data is None:
            continue
        spec = _catalogue_item(check, data, path, codes)
        if spec is not None:
            found.append(spec)
    return tuple(found)


def _catalogue_item(
    check: _Checker, data: dict[str, object], path: str, codes: set[str]
) -> CatalogueItemSpec | None:
    code = _code(check, data.get("code"), f"{path}.code", codes)
    name = check.text(data.get("name"), f"{path}.name", _NAME_LENGTH, required=True)
    kind = check.choice(data.get("kind"), f"{path}.kind", _CATALOGUE_WORDS)
    scope = _scope(check, data.get("scope"), f"{path}.scope", kind)
    requirement = check.text(data.get("requirement"), f"{path}.requirement", _REQUIREMENT_LENGTH)
    if not (code and name and kind and scope):
        return None
    return CatalogueItemSpec(code, name, kind, scope, requirement or "")


def _code(check: _Checker, raw: object, path: str, codes: set[str]) -> str | None:
    """ASCII so it can be typed anywhere; unique ignoring case, as people will type it."""
    code = check.text(raw, path, _NAME_LENGTH, required=True)
    if code and not _CODE.fullmatch(code):
        message = N_('"{value}" is not a code: use 2 to 32 letters A–Z, digits or _, no diacritics')
        check.add(path, message, value=code)
        return None
    if code and not check.unique(path, code, codes, key=code.upper()):
        return None
    return code


def _scope(
    check: _Checker, raw: object, path: str, kind: CatalogueKind | None
) -> TitleScope | None:
    """A title is for people or for collectives (the law says which); awards default to both."""
    if raw is None and kind is CatalogueKind.AWARD:
        return TitleScope.BOTH
    return check.choice(raw, path, _SCOPE_WORDS)


def _targets(check: _Checker, raw: object) -> tuple[TargetSpec, ...]:
    found: list[TargetSpec] = []
    labels: set[str] = set()
    for index, item in enumerate(check.list(raw, "targets")):
        path = f"targets[{index}]"
        data = check.item(item, path, _TARGET_KEYS)
        if data is None:
            continue
        label = check.text(data.get("label"), f"{path}.label", _NAME_LENGTH, required=True)
        if label:
            check.unique(f"{path}.label", label, labels)
        spec = _target(check, data, path, label)
        if spec is not None:
            found.append(spec)
    return tuple(found)


def _target(
    check: _Checker, data: dict[str, object], path: str, label: str | None
) -> TargetSpec | None:
    """One target; `type` defaults to number, the commonest measurable target."""
    raw_type = data.get("type")
    kind = (
        TargetType.NUMBER
        if raw_type is None
        else check.choice(raw_type, f"{path}.type", _TARGET_WORDS)
    )
    unit = check.text(data.get("unit"), f"{path}.unit", _UNIT_LENGTH)
    required = check.boolean(data.get("required"), f"{path}.required", default=True)
    if kind is None:
        return None
    low, high = _target_bounds(check, data, path, kind)
    max_length = _target_length(check, data.get("max_length"), path, kind)
    if label is None:
        return None
    if unit is None and kind is TargetType.PERCENT:
        unit = "%"
    return TargetSpec(label, unit or "", kind, required, low, high, max_length)


def _target_bounds(
    check: _Checker, data: dict[str, object], path: str, kind: TargetType
) -> tuple[Decimal | None, Decimal | None]:
    """min/max for number and percent targets; a percentage is 0–100 unless narrowed."""
    if kind not in (TargetType.NUMBER, TargetType.PERCENT):
        for key in ("min", "max"):
            if data.get(key) is not None:
                check.add(f"{path}.{key}", N_("only number and percent targets have min and max"))
        return None, None
    low = check.number(data.get("min"), f"{path}.min")
    high = check.number(data.get("max"), f"{path}.max")
    if kind is TargetType.PERCENT:
        low = _percent_bound(check, low, f"{path}.min", PERCENT_MIN)
        high = _percent_bound(check, high, f"{path}.max", PERCENT_MAX)
    if low is not None and high is not None and low > high:
        message = N_("min {min} is greater than max {max}")
        check.add(f"{path}.max", message, min=_number_text(low), max=_number_text(high))
    return low, high


def _percent_bound(
    check: _Checker, value: Decimal | None, path: str, default: Decimal
) -> Decimal | None:
    if value is None:
        return None if _has_problem(check, path) else default
    if not PERCENT_MIN <= value <= PERCENT_MAX:
        check.add(
            path, N_("a percentage must be from 0 to 100, not {value}"), value=_number_text(value)
        )
        return None
    return value


def _target_length(check: _Checker, raw: object, path: str, kind: TargetType) -> int | None:
    """Text answers are capped (default 500) so a pledge fits in a message and a report cell."""
    if kind is not TargetType.TEXT:
        if raw is not None:
            check.add(f"{path}.max_length", N_("only text targets have max_length"))
        return None
    if raw is None:
        return DEFAULT_TEXT_LENGTH
    value = check.number(raw, f"{path}.max_length")
    if value is None:
        return None
    if value != value.to_integral_value() or not 1 <= value <= MAX_TEXT_LENGTH:
        message = N_("must be a whole number from 1 to {max}, not {value}")
        check.add(
            f"{path}.max_length", message, max=str(MAX_TEXT_LENGTH), value=_number_text(value)
        )
        return None
    return int(value)


def _documents(check: _Checker, raw: object, base_dir: Path) -> tuple[DocumentSpec, ...]:
    """Files next to the campaign file (or absolute paths): present and small enough to send."""
    found: list[DocumentSpec] = []
    seen: set[str] = set()
    for index, item in enumerate(check.list(raw, "documents")):
        path = f"documents[{index}]"
        name = check.text(item, path, _NAME_LENGTH, required=True)
        if name is None:
            continue
        try:
            resolved = (base_dir / name).resolve()
        except (OSError, ValueError):  # a name with a NUL in it, or a broken path
            check.add(path, N_('cannot find the file "{value}"'), value=name)
            continue
        if check.unique(path, name, seen, key=str(resolved)) and _document_ok(
            check, resolved, name, path
        ):
            found.append(DocumentSpec(path=resolved))
    return tuple(found)


def _document_ok(check: _Checker, resolved: Path, name: str, path: str) -> bool:
    try:
        size = resolved.stat().st_size if resolved.is_file() else None
    except OSError:  # e.g. a name longer than the disk allows
        size = None
    if size is None:
        check.add(path, N_('cannot find the file "{value}"'), value=name)
        return False
    if size > MAX_DOCUMENT_BYTES:
        message = N_('"{value}" is {size} MB; a document may be at most {max} MB')
        megabytes = str(math.ceil(size / (1024 * 1024)))
        check.add(path, message, value=name, size=megabytes, max=str(MAX_DOCUMENT_MB))
        return False
    return True


def _has_problem(check: _Checker, path: str) -> bool:
    return any(problem.path == path for problem in check.problems)


def _has_problem_under(check: _Checker, path: str) -> bool:
    """A problem at `path` or inside it (`titles[2]`), so one mistake is not reported twice."""
    return any(
        problem.path == path or problem.path.startswith((f"{path}[", f"{path}."))
        for problem in check.problems
    )


def format_vn_number(value: Decimal) -> str:
    """Vietnamese style for messages about numbers people wrote: 1234.5 → '1.234,5'."""
    if not value.is_finite():
        return str(value)  # only a YAML !!float tag makes these; the checks refuse them
    sign = "-" if value < 0 else ""
    # copy_abs, not abs(): abs() rounds to the context's 28 digits.
    whole, _, fraction = f"{value.copy_abs():f}".partition(".")
    # Grouped as text: int() refuses more than 4,300 digits, and people can type that many.
    head = len(whole) % 3 or 3
    groups = [whole[:head]] + [whole[at : at + 3] for at in range(head, len(whole), 3)]
    fraction = fraction.rstrip("0")
    return sign + ".".join(groups) + (f",{fraction}" if fraction else "")


_number_text = format_vn_number
