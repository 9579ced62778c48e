"""The organisation roster as a spreadsheet: read an .xlsx/.csv into checked rows, write the export.

Pure file handling: no database, no Telegram. Messages are English N_-marked templates with
named params, so the caller translates first and formats after (see `bot/i18n.py`).
Sheets come from many offices, so headers are found by meaning (any case, with or without
diacritics, in any order, below title rows) and every problem of a row is reported at once.
"""

import csv
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum
from pathlib import Path

import openpyxl
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from bot.i18n import N_
from bot.phones import InvalidPhone, normalise_phone
from bot.sheet_file import (
    HEADER_SCAN_ROWS,
    SUPPORTED_SUFFIXES,
    SheetFileError,
    cell_at,
    cell_text,
    header_key,
    load_rows,
    path_params,
)
from bot.text import match_key
from storage.models import BlocKind, Role

# Canonical Vietnamese role labels: what the export writes and what error messages suggest.
ROLE_LABELS: dict[Role, str] = {
    Role.MEMBER: "thành viên",
    Role.UNIT_OFFICER: "cán bộ thi đua",
    Role.BLOC_HEAD: "trưởng khối",
    Role.BLOC_DEPUTY: "phó khối",
    Role.ADMIN: "quản trị",
}

# The export file's columns; fixed Vietnamese because they are the file format, not UI text.
EXPORT_HEADERS: tuple[str, ...] = (
    "STT",
    "Khối/Cụm",
    "Đơn vị",
    "Họ và tên",
    "Chức vụ",
    "Số điện thoại",
    "Vai trò",
    "Email",
    "Ngày vào đơn vị",
    "Trạng thái",
    "Đã kết nối Telegram",
    "Kết nối từ",
)
# Written as text so Excel keeps the leading zero and does not reformat dates.
_TEXT_COLUMNS = frozenset({"Số điện thoại", "Ngày vào đơn vị", "Kết nối từ"})

_MIN_WIDTH, _MAX_WIDTH = 6, 40

_ROLE_ALIASES: dict[str, Role] = {
    "thanh vien": Role.MEMBER,
    "can bo thi dua": Role.UNIT_OFFICER,
    "truong khoi": Role.BLOC_HEAD,
    "truong cum": Role.BLOC_HEAD,
    "khoi truong": Role.BLOC_HEAD,
    "cum truong": Role.BLOC_HEAD,
    "pho khoi": Role.BLOC_DEPUTY,
    "pho cum": Role.BLOC_DEPUTY,
    "khoi pho": Role.BLOC_DEPUTY,
    "cum pho": Role.BLOC_DEPUTY,
    "quan tri": Role.ADMIN,
    "quan tri vien": Role.ADMIN,
    **{role.value: role for role in Role},
}

_DATE_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d")
_EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(\.[^@\s.]+)+")
_COLUMN_NUMBER = re.compile(r"\(?\d{1,2}\)?")


# The error every whole-file problem raises (kept under its old name for callers).
RosterFileError = SheetFileError


@dataclass(frozen=True)
class Reason:
    """One thing wrong with a row: an N_ template and its params."""

    message: str
    params: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class RosterRow:
    """A valid roster line, ready to be matched against the database."""

    row_number: int
    bloc_name: str | None
    bloc_kind: BlocKind | None
    unit_name: str
    full_name: str
    position: str | None
    phone: str | None  # E.164
    role: Role
    email: str | None
    joined_on: date | None
    has_left: bool = False  # the `Trạng thái` column says the person left (an edited export)


@dataclass(frozen=True)
class RowProblem:
    """A line that cannot be imported, with every reason so the user fixes it in one pass."""

    row_number: int
    reasons: tuple[Reason, ...]


@dataclass
class RosterFile:
    rows: list[RosterRow]
    problems: list[RowProblem]
    header_row: int


@dataclass(frozen=True)
class ExportRow:
    """One export line, already rendered to text by the caller (dates, phone, labels)."""

    bloc: str
    unit: str
    full_name: str
    position: str
    phone: str
    role: str
    email: str
    joined_on: str
    status: str
    telegram: str
    linked_since: str


class _Field(Enum):
    BLOC = "bloc"
    UNIT = "unit"
    NAME = "name"
    POSITION = "position"
    PHONE = "phone"
    ROLE = "role"
    EMAIL = "email"
    JOINED = "joined"
    STATUS = "status"


_HEADER_ALIASES: dict[str, _Field] = {
    "khoi": _Field.BLOC,
    "cum": _Field.BLOC,
    "khoi/cum": _Field.BLOC,
    "khoi / cum": _Field.BLOC,
    "don vi": _Field.UNIT,
    "ho va ten": _Field.NAME,
    "ho ten": _Field.NAME,
    "chuc vu": _Field.POSITION,
    "so dien thoai": _Field.PHONE,
    "dien thoai": _Field.PHONE,
    "sdt": _Field.PHONE,
    "vai tro": _Field.ROLE,
    "email": _Field.EMAIL,
    "e-mail": _Field.EMAIL,
    "ngay vao don vi": _Field.JOINED,
    "trang thai": _Field.STATUS,
}
# `Trạng thái` values that mean "no longer in the unit" (what the export writes, in vi or en).
_LEFT_STATUSES = frozenset(
    {"da nghi/chuyen di", "da nghi", "da chuyen di", "nghi viec", "left the unit", "left"}
)
# Shown to the user when a required column is missing.
_REQUIRED_HEADERS = {_Field.NAME: "Họ và tên", _Field.UNIT: "Đơn vị"}
# Columns kept as text in 255 characters (members, units, blocs), with the heading to name.
MAX_TEXT_LENGTH = 255
_TEXT_HEADINGS = {
    _Field.BLOC: "Khối/Cụm",
    _Field.UNIT: "Đơn vị",
    _Field.NAME: "Họ và tên",
    _Field.POSITION: "Chức vụ",
    _Field.EMAIL: "Email",
}

_Cells = Sequence[object]


@dataclass(frozen=True)
class _Header:
    row_number: int
    columns: dict[_Field, int]
    bloc_kind: BlocKind  # used when a bloc cell does not start with "Khối"/"Cụm"


# --- reading -----------------------------------------------------------------------------------


def read_roster(path: Path) -> RosterFile:
    """Read the first sheet of an .xlsx or a .csv into valid rows and problem rows."""
    rows = _load_rows(path)
    header = _find_header(rows)
    if header is None:
        raise _missing_columns_error(rows)
    return _parse_rows(rows, header)


def parse_role(text: str) -> Role | None:
    """A role from its Vietnamese label (any case, with or without diacritics) or enum value."""
    return _ROLE_ALIASES.get(match_key(text))


def parse_date(value: object) -> date | None:
    """A date from an Excel date cell or Vietnamese-style text; None when empty.

    Raises ValueError for text that is not a real date (31/02/2026) or an unknown format.
    """
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise ValueError(f"not a date: {value!r}")
    text = value.strip()
    if not text:
        return None
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"not a date: {text!r}")


def _load_rows(path: Path) -> list[_Cells]:
    return load_rows(path, lambda rows: _find_header(rows) is not None)


def _find_header(rows: Sequence[_Cells]) -> _Header | None:
    """The first of the top rows that names both a name and a unit column."""
    for index, cells in enumerate(rows[:HEADER_SCAN_ROWS]):
        columns, bloc_kind = _header_columns(cells)
        if _Field.NAME in columns and _Field.UNIT in columns:
            return _Header(row_number=index + 1, columns=columns, bloc_kind=bloc_kind)
    return None


def _header_columns(cells: _Cells) -> tuple[dict[_Field, int], BlocKind]:
    columns: dict[_Field, int] = {}
    bloc_kind = BlocKind.KHOI
    for index, cell in enumerate(cells):
        key = header_key(cell)
        found = _HEADER_ALIASES.get(key)
        if found is None or found in columns:
            continue
        columns[found] = index
        if found is _Field.BLOC and key == "cum":
            bloc_kind = BlocKind.CUM
    return columns, bloc_kind


def _missing_columns_error(rows: Sequence[_Cells]) -> RosterFileError:
    """Name the required headers missing from the most header-like of the top rows."""
    found: set[_Field] = set()
    for cells in rows[:HEADER_SCAN_ROWS]:
        columns = set(_header_columns(cells)[0])
        if len(columns) > len(found):
            found = columns
    missing = [label for column, label in _REQUIRED_HEADERS.items() if column not in found]
    return RosterFileError(
        N_("The roster has no column {columns}; put the column headings in one row near the top"),
        {"columns": ", ".join(f"“{label}”" for label in missing)},
    )


def _parse_rows(rows: Sequence[_Cells], header: _Header) -> RosterFile:
    result = RosterFile(rows=[], problems=[], header_row=header.row_number)
    seen_phones: dict[str, int] = {}
    for index in range(header.row_number, len(rows)):
        cells = {
            column: cell_at(rows[index], position) for column, position in header.columns.items()
        }
        if all(cell_text(value) == "" for value in cells.values()):
            continue  # blank, or only extra columns such as a pre-numbered STT
        if index == header.row_number and _is_numbering_row(cells.values()):
            continue  # the (1) (2) (3) row that government forms put under the headings
        parsed = _parse_row(index + 1, cells, header.bloc_kind, seen_phones)
        if isinstance(parsed, RosterRow):
            result.rows.append(parsed)
        else:
            result.problems.append(parsed)
    return result


def _parse_row(
    row_number: int,
    cells: dict[_Field, object],
    default_kind: BlocKind,
    seen_phones: dict[str, int],
) -> RosterRow | RowProblem:
    reasons: list[Reason] = []
    full_name = cell_text(cells.get(_Field.NAME))
    if not full_name:
        reasons.append(Reason(N_("no name")))
    unit_name = cell_text(cells.get(_Field.UNIT))
    if not unit_name:
        reasons.append(Reason(N_("no unit")))
    phone = _parse_phone(cells.get(_Field.PHONE), row_number, seen_phones, reasons)
    role = _parse_role_cell(cells.get(_Field.ROLE), reasons)
    email = _parse_email(cells.get(_Field.EMAIL), reasons)
    joined_on = _parse_joined(cells.get(_Field.JOINED), reasons)
    reasons += _too_long(cells)
    if reasons:
        return RowProblem(row_number=row_number, reasons=tuple(reasons))
    bloc_name = cell_text(cells.get(_Field.BLOC)) or None
    return RosterRow(
        row_number=row_number,
        bloc_name=bloc_name,
        bloc_kind=_bloc_kind(bloc_name, default_kind),
        unit_name=unit_name,
        full_name=full_name,
        position=cell_text(cells.get(_Field.POSITION)) or None,
        phone=phone,
        role=role,
        email=email,
        joined_on=joined_on,
        has_left=match_key(cell_text(cells.get(_Field.STATUS))) in _LEFT_STATUSES,
    )


def _too_long(cells: dict[_Field, object]) -> list[Reason]:
    """Texts the database keeps in 255 characters, and their search keys ('ß' becomes 'ss')."""
    found = []
    for column, heading in _TEXT_HEADINGS.items():
        text = cell_text(cells.get(column))
        if max(len(text), len(match_key(text))) > MAX_TEXT_LENGTH:
            message = N_("{column} is longer than {max} characters")
            found.append(Reason(message, {"column": heading, "max": str(MAX_TEXT_LENGTH)}))
    return found


def _bloc_kind(bloc_name: str | None, default_kind: BlocKind) -> BlocKind | None:
    """'Cụm thi đua số 3' is a cụm even under a 'Khối' heading, and vice versa."""
    if bloc_name is None:
        return None
    key = match_key(bloc_name)
    if key.startswith("cum "):
        return BlocKind.CUM
    if key.startswith("khoi "):
        return BlocKind.KHOI
    return default_kind


def _parse_phone(
    raw: object, row_number: int, seen_phones: dict[str, int], reasons: list[Reason]
) -> str | None:
    text = cell_text(raw)
    if not text:
        return None
    try:
        phone = normalise_phone(raw if isinstance(raw, int | float) else text)
    except InvalidPhone:
        reasons.append(Reason(N_("phone number {value} is not valid"), {"value": text}))
        return None
    first_row = seen_phones.setdefault(phone, row_number)
    if first_row != row_number:
        reasons.append(
            Reason(
                N_("phone number {value} is already on row {row}"),
                {"value": text, "row": str(first_row)},
            )
        )
    return phone


def _parse_role_cell(raw: object, reasons: list[Reason]) -> Role:
    text = cell_text(raw)
    if not text:
        return Role.MEMBER
    role = parse_role(text)
    if role is None:
        choices = ", ".join(ROLE_LABELS.values())
        reasons.append(
            Reason(
                N_("unknown role {value}; use one of: {choices}"),
                {"value": text, "choices": choices},
            )
        )
        return Role.MEMBER
    return role


def _parse_email(raw: object, reasons: list[Reason]) -> str | None:
    text = cell_text(raw)
    if not text:
        return None
    if _EMAIL.fullmatch(text) is None:
        reasons.append(Reason(N_("email {value} is not valid"), {"value": text}))
        return None
    return text


def _parse_joined(raw: object, reasons: list[Reason]) -> date | None:
    try:
        return parse_date(cell_text(raw) if isinstance(raw, str) else raw)
    except ValueError:
        reasons.append(
            Reason(
                N_("date {value} is not valid; write it as dd/mm/yyyy"), {"value": cell_text(raw)}
            )
        )
        return None


def _is_numbering_row(values: Iterable[object]) -> bool:
    texts = [cell_text(value) for value in values]
    return all(_COLUMN_NUMBER.fullmatch(text) for text in texts if text)


# --- writing -----------------------------------------------------------------------------------


def write_roster(path: Path, rows: Sequence[ExportRow]) -> None:
    """Write the export as .xlsx or .csv; `read_roster` reads it back into the same people."""
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise RosterFileError(
            N_("{name} is not an .xlsx or .csv file; save the roster from Excel as .xlsx"),
            path_params(path),
        )
    lines = [_export_line(number, row) for number, row in enumerate(rows, start=1)]
    try:
        if suffix == ".xlsx":
            _write_xlsx(path, lines)
        else:
            _write_csv(path, lines)
    except OSError as exc:
        raise RosterFileError(
            N_("Cannot write {name}: {reason}"), {**path_params(path), "reason": str(exc)}
        ) from exc


def _export_line(number: int, row: ExportRow) -> list[str | int]:
    return [
        number,
        row.bloc,
        row.unit,
        row.full_name,
        row.position,
        row.phone,
        row.role,
        row.email,
        row.joined_on,
        row.status,
        row.telegram,
        row.linked_since,
    ]


def _write_xlsx(path: Path, lines: list[list[str | int]]) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None  # a new workbook always has one sheet
    sheet.title = "Danh sách"
    sheet.append(list(EXPORT_HEADERS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for line in lines:
        sheet.append(line)
    for index, header in enumerate(EXPORT_HEADERS, start=1):
        letter = get_column_letter(index)
        if header in _TEXT_COLUMNS:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = "@"
        sheet.column_dimensions[letter].width = _column_width(index - 1, header, lines)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(EXPORT_HEADERS))}{len(lines) + 1}"
    workbook.save(path)


def _column_width(index: int, header: str, lines: list[list[str | int]]) -> int:
    longest = max([len(header), *(len(str(line[index])) for line in lines)])
    return min(max(longest + 2, _MIN_WIDTH), _MAX_WIDTH)


def _write_csv(path: Path, lines: list[list[str | int]]) -> None:
    """UTF-8 with BOM: without it Excel opens Vietnamese text as mojibake."""
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(EXPORT_HEADERS)
        writer.writerows(lines)
