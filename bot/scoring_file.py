"""Reading a bloc's scoring sheet (bảng chấm điểm) from YAML, .xlsx or .csv.

Pure parsing: no database. Blocs send their sheets as Excel tables (`STT, Tiêu chí, Điểm tối đa,
Loại`) or as YAML (`examples/cham_diem_mau.yaml`). Every mistake is reported at once, at its row
or path, as an N_ template with params. Points are written the Vietnamese way (`2,5`,
`1.000`), so YAML numbers stay text (the campaign file's loader) and go through
`parse_vn_number`.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import yaml

from bot.campaign_file import Problem, _Loader, format_vn_number, parse_vn_number
from bot.i18n import N_, Translator
from bot.roster_file import Reason, RowProblem
from bot.sheet_file import (
    HEADER_SCAN_ROWS,
    Cells,
    header_columns,
    table_cells,
)
from bot.text import collapse_spaces, match_key, without_controls
from storage.scoring_models import MAX_LABEL_LENGTH, CriterionKind

SCALES = (100, 1000)
MAX_CODE_LENGTH = 16
MAX_CRITERIA = 200

# What people write in the "Loại" column or `kind:`, matched without case or diacritics.
KIND_WORDS: dict[str, CriterionKind] = {
    "": CriterionKind.NORMAL,
    "normal": CriterionKind.NORMAL,
    "thuong": CriterionKind.NORMAL,  # "thường"
    "chuan": CriterionKind.NORMAL,
    "tieu chi": CriterionKind.NORMAL,
    "bonus": CriterionKind.BONUS,
    "cong": CriterionKind.BONUS,
    "diem cong": CriterionKind.BONUS,
    "thuong them": CriterionKind.BONUS,
    "penalty": CriterionKind.PENALTY,
    "tru": CriterionKind.PENALTY,
    "diem tru": CriterionKind.PENALTY,
}

_HEADINGS = {
    "stt": "code",
    "ma": "code",
    "tieu chi": "label",
    "noi dung": "label",
    "noi dung tieu chi": "label",
    "diem toi da": "max",
    "diem chuan": "max",
    "diem": "max",
    "loai": "kind",
}


@dataclass(frozen=True)
class CriterionSpec:
    code: str
    label: str
    kind: CriterionKind
    max_points: Decimal


@dataclass(frozen=True)
class SheetSpec:
    title: str | None  # None: the importer names it
    scale: int
    criteria: tuple[CriterionSpec, ...]


@dataclass
class ScoringFileError(Exception):
    """The file cannot be used: every problem (YAML paths) and bad row (spreadsheets)."""

    problems: list[Problem] = field(default_factory=list)
    rows: list[RowProblem] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__("; ".join(p.english() for p in self.problems) or "bad rows")

    def lines(self, t: Translator) -> list[str]:
        """Each problem translated, for the CLI and for chat."""
        found = [
            (f"{p.path}: " if p.path else "") + t(p.message, **p.params) for p in self.problems
        ]
        for row in self.rows:
            reasons = "; ".join(t(reason.message, **reason.params) for reason in row.reasons)
            found.append(t("Row {row}: {reasons}", row=row.row_number, reasons=reasons))
        return found


def load_sheet_file(path: Path) -> SheetSpec:
    """A checked sheet from .yaml, .xlsx or .csv; raises ScoringFileError or SheetFileError."""
    if path.suffix.lower() in (".yaml", ".yml"):
        try:
            text = path.read_bytes().decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise _whole(N_("{name} is not UTF-8 text; save it as UTF-8"), name=path.name) from exc
        except OSError as exc:
            error = exc.strerror or str(exc)
            raise _whole(N_("Cannot read {name}: {error}"), name=path.name, error=error) from exc
        return parse_sheet_yaml(text)
    return read_sheet_table(path)


# --- YAML --------------------------------------------------------------------------------------


def parse_sheet_yaml(text: str) -> SheetSpec:
    """`title:`, `scale:` (100 or 1000) and `criteria:` — a list of code/label/max/kind."""
    try:
        loader = _Loader(text)
    except yaml.YAMLError as exc:  # the reader refuses control characters straight away
        raise _whole(N_("Invalid YAML: {error}"), error=str(exc)) from exc
    try:
        data = loader.get_single_data()
    except yaml.YAMLError as exc:
        raise _whole(N_("Invalid YAML: {error}"), error=str(exc)) from exc
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        raise _whole(N_("The file must hold the keys title:, scale: and criteria:"))
    problems: list[Problem] = []
    title = _line(data.get("title")) or None
    if title is not None and len(title) > MAX_LABEL_LENGTH:
        problems.append(_too_long("title", MAX_LABEL_LENGTH))
    scale = _scale(data.get("scale"), problems)
    raw = data.get("criteria")
    if not isinstance(raw, list) or not raw:
        problems.append(Problem("criteria", N_("list the criteria, one “- label: …” each")))
        raw = []
    criteria: list[CriterionSpec] = []
    for index, item in enumerate(raw, start=1):
        path = f"criteria[{index}]"
        if not isinstance(item, dict):
            problems.append(Problem(path, N_("write label:, max: and kind: for each criterion")))
            continue
        reasons: list[Reason] = []
        code = _line(item.get("code")) or str(index)
        parsed = _criterion(code, item.get("label"), item.get("max"), item.get("kind"), reasons)
        problems += [Problem(path, reason.message, reason.params) for reason in reasons]
        if parsed is not None:
            criteria.append(parsed)
    problems += [Problem("", reason.message, reason.params) for reason in _totals(criteria, scale)]
    if problems:
        raise ScoringFileError(problems=problems)
    return SheetSpec(title, scale or _sum_normal(criteria), tuple(criteria))


def _scale(value: object, problems: list[Problem]) -> int | None:
    if value is None:
        return None
    try:
        number = parse_vn_number(_line(value))
    except ValueError:
        number = Decimal(-1)
    if number not in SCALES:
        problems.append(Problem("scale", N_("the scale is 100 or 1.000 points")))
        return None
    return int(number)


# --- spreadsheets ------------------------------------------------------------------------------


def read_sheet_table(path: Path) -> SheetSpec:
    """Rows under the heading `STT, Tiêu chí, Điểm tối đa, Loại`; bad rows by their number."""
    missing = N_(
        "The file has no columns “STT”, “Tiêu chí”, “Điểm tối đa” and “Loại”; put the"
        " column headings in one row near the top"
    )
    criteria: list[CriterionSpec] = []
    bad: list[RowProblem] = []
    for index, cells in table_cells(path, _find_header, missing):
        reasons: list[Reason] = []
        code = cells.get("code") or str(len(criteria) + len(bad) + 1)
        parsed = _criterion(code, cells.get("label"), cells.get("max"), cells.get("kind"), reasons)
        if parsed is None:
            bad.append(RowProblem(index + 1, tuple(reasons)))
        else:
            criteria.append(parsed)
    problems = [Problem("", reason.message, reason.params) for reason in _totals(criteria, None)]
    if not criteria and not bad:
        problems.append(Problem("", N_("there are no criteria under the column headings")))
    if bad or problems:
        raise ScoringFileError(problems=problems, rows=bad)
    return SheetSpec(None, _sum_normal(criteria), tuple(criteria))


def _find_header(rows: Sequence[Cells]) -> tuple[int, dict[str, int]] | None:
    for index, cells in enumerate(rows[:HEADER_SCAN_ROWS]):
        columns = header_columns(cells, _HEADINGS)
        if {"label", "max"} <= set(columns):
            return index + 1, columns
    return None


# --- shared checks -----------------------------------------------------------------------------


def _criterion(
    code: str, label: object, maximum: object, kind: object, reasons: list[Reason]
) -> CriterionSpec | None:
    code = _line(code).rstrip(".")
    if not code or len(code) > MAX_CODE_LENGTH:
        reasons.append(Reason(N_("the number (STT) is empty or longer than 16 characters")))
    text = _line(label)
    if not text:
        reasons.append(Reason(N_("the criterion has no text")))
    elif len(text) > MAX_LABEL_LENGTH:
        reasons.append(Reason(N_("the criterion is longer than {max} characters"), {"max": "255"}))
    points = parse_points(_line(maximum))
    if points is None or points <= 0:
        reasons.append(
            Reason(
                N_("maximum points {value} are not a positive number such as 10 or 2,5"),
                {"value": _shown(maximum)},
            )
        )
    found = KIND_WORDS.get(match_key(_line(kind))) if _is_scalar(kind) else None
    if found is None:
        reasons.append(
            Reason(
                N_("unknown kind {value}; write “thường”, “cộng” or “trừ”"),
                {"value": _shown(kind)},
            )
        )
    if reasons or points is None or found is None:
        return None
    return CriterionSpec(code, text, found, points)


def _totals(criteria: list[CriterionSpec], scale: int | None) -> list[Reason]:
    """The normal criteria must add up to the scale: 100 or 1,000 points."""
    if not criteria:
        return []
    reasons = []
    if len(criteria) > MAX_CRITERIA:
        reasons.append(Reason(N_("at most {max} criteria"), {"max": str(MAX_CRITERIA)}))
    total = _sum_normal(criteria)
    wanted = {scale} if scale is not None else set(SCALES)
    if total not in wanted:
        reasons.append(
            Reason(
                N_("the criteria add up to {total} points, not {scale}"),
                {
                    "total": format_points(Decimal(total)),
                    "scale": format_points(Decimal(scale or 100)),
                },
            )
        )
    return reasons


def _sum_normal(criteria: Sequence[CriterionSpec]) -> int:
    total = sum((c.max_points for c in criteria if c.kind is CriterionKind.NORMAL), Decimal(0))
    return int(total) if total == int(total) else -1


def parse_points(text: str) -> Decimal | None:
    """'2,5' → 2.5, '1.000' → 1000, '10' → 10; at most two decimals; None if not a number."""
    try:
        value = parse_vn_number(text)
    except ValueError:
        return None
    if abs(value) >= 10**8 or value != value.quantize(Decimal("0.01")):
        return None  # beyond the column (Numeric(10, 2)) or finer than a hundredth
    return value


def format_points(value: Decimal) -> str:
    """Points as people write them: 2.5 → '2,5', 1000 → '1.000'."""
    return format_vn_number(value)


def _is_scalar(value: object) -> bool:
    return not isinstance(value, (list, dict))


def _line(value: object) -> str:
    """A YAML value or a cell as one line of text; a list or mapping where text belongs is
    empty (and so refused), never its whole rendering."""
    if value is None or not _is_scalar(value):
        return ""
    return collapse_spaces(without_controls(str(value)))


def _shown(value: object) -> str:
    """A wrong value quoted in a message, short."""
    if not _is_scalar(value):
        return "[…]"
    text = _line(value)
    return text if len(text) <= 40 else text[:39] + "…"


def _too_long(path: str, limit: int) -> Problem:
    return Problem(path, N_("longer than {max} characters"), {"max": str(limit)})


def _whole(message: str, **params: str) -> ScoringFileError:
    return ScoringFileError(problems=[Problem("", message, params)])
