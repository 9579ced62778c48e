"""What a pledge holds before it is stored, and the checking of each target's typed value.

Values arrive as text from a phone: Vietnamese numbers (`1.000`, `2,5`, `85%`), yes/no words
(có/không, yes/no, x). Every refusal is an English N_ template that says what was expected, with
an example, so the chat can ask again.
"""

from dataclasses import dataclass, replace
from decimal import Decimal

from bot.campaign_file import format_vn_number, parse_vn_number
from bot.errors import UserFacingError
from bot.i18n import N_
from bot.text import collapse_spaces, match_key, shortened, without_controls
from storage.campaign_models import TargetTemplate, TargetType
from storage.pledge_models import PledgeKind, PledgeTarget

DEFAULT_TEXT_LENGTH = 500
MAX_LABEL_LENGTH = 255
MAX_UNIT_LENGTH = 64
MAX_COMMITMENT_LENGTH = 2000
MAX_PLANNED_TEXT_LENGTH = 1000  # pledge_targets.planned_text; a template may allow more
# Target values are Numeric(18, 4): at most 14 digits before the comma and 4 after it.
MAX_NUMBER = Decimal(10) ** 14
DECIMAL_PLACES = 4
_HUNDRED = Decimal(100)

_YES = frozenset({"co", "c", "yes", "y", "x", "dat", "✓", "✔", "1", "true"})
_NO = frozenset({"khong", "k", "ko", "no", "n", "0", "false", "-"})


@dataclass(frozen=True)
class TargetShape:
    """What a target accepts: from the campaign's template, or a member's own target."""

    label: str
    unit: str
    type: TargetType
    min_value: Decimal | None = None
    max_value: Decimal | None = None
    max_length: int | None = None
    template_id: int | None = None


@dataclass(frozen=True)
class TargetValue:
    """A target with its planned value; exactly one of number, text and yes_no is set."""

    label: str
    unit: str
    type: TargetType
    template_id: int | None = None
    number: Decimal | None = None
    text: str | None = None
    yes_no: bool | None = None

    def has_value(self) -> bool:
        return self.number is not None or bool(self.text) or self.yes_no is not None


@dataclass(frozen=True)
class PledgeInput:
    """Everything the member (or officer) entered; `unit_id` only for a collective pledge."""

    campaign_id: int
    kind: PledgeKind
    title_item_id: int
    member_id: int | None = None
    unit_id: int | None = None
    award_item_id: int | None = None
    targets: tuple[TargetValue, ...] = ()
    commitment: str = ""


def shape_of(template: TargetTemplate) -> TargetShape:
    return TargetShape(
        label=template.label,
        unit=template.unit,
        type=template.type,
        min_value=template.min_value,
        max_value=template.max_value,
        max_length=(
            None
            if template.max_length is None
            else min(template.max_length, MAX_PLANNED_TEXT_LENGTH)
        ),
        template_id=template.id,
    )


def own_target_shape(label: str, unit: str, kind: TargetType) -> TargetShape:
    """A target the member adds: a name is required, lengths are those of the columns."""
    label, unit = collapse_spaces(without_controls(label)), collapse_spaces(without_controls(unit))
    if not label:
        raise UserFacingError(N_("A target needs a name, e.g. “Số sáng kiến”."))
    if len(label) > MAX_LABEL_LENGTH:
        raise UserFacingError(
            N_("The target's name is too long: at most {max} characters."), max=MAX_LABEL_LENGTH
        )
    if len(unit) > MAX_UNIT_LENGTH:
        raise UserFacingError(
            N_("The unit of measure is too long: at most {max} characters."), max=MAX_UNIT_LENGTH
        )
    return TargetShape(label=label, unit=unit, type=kind)


def parse_target_value(shape: TargetShape, raw: str) -> TargetValue:
    """The typed value checked against the target's type and bounds."""
    text = raw.strip()
    base = TargetValue(
        label=shape.label, unit=shape.unit, type=shape.type, template_id=shape.template_id
    )
    if shape.type is TargetType.YES_NO:
        return replace(base, yes_no=parse_yes_no(text))
    if shape.type is TargetType.TEXT:
        return replace(base, text=_checked_text(text, shape.max_length or DEFAULT_TEXT_LENGTH))
    return replace(base, number=_checked_number(shape, text))


def parse_yes_no(text: str) -> bool:
    key = match_key(text).rstrip(".!")
    if key in _YES:
        return True
    if key in _NO:
        return False
    raise UserFacingError(N_("“{value}” is not yes or no; answer có or không."), value=_shown(text))


def check_commitment(text: str) -> str:
    """The free-text commitment (nội dung cam kết): optional, at most 2,000 characters."""
    text = without_controls(text).strip()
    if len(text) > MAX_COMMITMENT_LENGTH:
        raise UserFacingError(
            N_("The commitment is too long: {length} characters, at most {max}."),
            length=len(text),
            max=MAX_COMMITMENT_LENGTH,
        )
    return text


def _checked_number(shape: TargetShape, text: str) -> Decimal:
    percent = shape.type is TargetType.PERCENT
    try:
        value = parse_vn_number(text)
    except ValueError:
        if percent:
            raise UserFacingError(
                N_("“{value}” is not a percentage; write a number from 0 to 100, e.g. 85 or 85%."),
                value=_shown(text),
            ) from None
        raise UserFacingError(
            N_("“{value}” is not a number; write it like 12, 1.000 or 2,5."), value=_shown(text)
        ) from None
    if abs(value) >= MAX_NUMBER:
        raise UserFacingError(
            N_("“{value}” is too large: at most 14 digits before the comma."), value=_shown(text)
        )
    if value != value.quantize(Decimal(1).scaleb(-DECIMAL_PLACES)):
        raise UserFacingError(
            N_("“{value}” has more than 4 digits after the comma; round it, e.g. 2,5."),
            value=_shown(text),
        )
    if percent and not Decimal(0) <= value <= _HUNDRED:
        raise UserFacingError(
            N_("{value}% is not a percentage between 0 and 100; write e.g. 85%."),
            value=format_vn_number(value),
        )
    if shape.min_value is not None and value < shape.min_value:
        raise UserFacingError(
            N_("“{label}” must be at least {min}; {value} is less."),
            label=shape.label,
            min=format_vn_number(shape.min_value),
            value=format_vn_number(value),
        )
    if shape.max_value is not None and value > shape.max_value:
        raise UserFacingError(
            N_("“{label}” must be at most {max}; {value} is more."),
            label=shape.label,
            max=format_vn_number(shape.max_value),
            value=format_vn_number(value),
        )
    return value


def _checked_text(text: str, max_length: int) -> str:
    text = without_controls(text).strip()
    if not text:
        raise UserFacingError(
            N_("Write the target in words, e.g. “Hoàn thành trước 30/11”."),
        )
    if len(text) > max_length:
        raise UserFacingError(
            N_("The text is too long: {length} characters, at most {max}."),
            length=len(text),
            max=max_length,
        )
    return text


def _shown(text: str) -> str:
    """What the person typed, shortened so an error never repeats a whole essay."""
    return shortened(text)


def target_rows(values: tuple[TargetValue, ...]) -> list[PledgeTarget]:
    """The rows to store, numbered in the order entered."""
    return [
        PledgeTarget(
            pledge_id=0,  # set when the pledge is stored
            position=position,
            template_id=value.template_id,
            label=value.label,
            unit=value.unit,
            type=value.type,
            planned_number=value.number,
            planned_text=value.text or None,
            planned_yes_no=value.yes_no,
        )
        for position, value in enumerate(values, start=1)
    ]


def value_of(target: PledgeTarget) -> TargetValue:
    """A stored target as the value object, for comparing with what was entered again."""
    return TargetValue(
        label=target.label,
        unit=target.unit,
        type=target.type,
        template_id=target.template_id,
        number=target.planned_number,
        text=target.planned_text,
        yes_no=target.planned_yes_no,
    )
