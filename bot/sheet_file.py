"""Reading the first sheet of an .xlsx or .csv into rows of cells, for every spreadsheet import.

Shared by the roster and title-history imports. Sheets come from many offices: headers are found
by meaning (any case, with or without diacritics, below title rows), CSV files may use `,`, `;`
or tabs, and whole-number floats lose Excel's '.0'.
"""

import csv
import io
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TypeVar

import openpyxl

from bot.i18n import N_
from bot.text import collapse_spaces, match_key, without_controls

HEADER_SCAN_ROWS = 20
SUPPORTED_SUFFIXES = (".xlsx", ".csv")
_CSV_DELIMITERS = (",", ";", "\t")

Cells = Sequence[object]
Column = TypeVar("Column")


class SheetFileError(Exception):
    """The file as a whole cannot be used; `message` is an N_ template to translate, then format."""

    def __init__(self, message: str, params: dict[str, str] | None = None) -> None:
        self.message = message
        self.params = params or {}
        super().__init__(message.format(**self.params))


def load_rows(path: Path, has_header: Callable[[Sequence[Cells]], bool]) -> list[Cells]:
    """Every row of the first sheet; for a CSV, split by the delimiter under which
    `has_header` recognises a header row (the most frequent one when none does)."""
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise SheetFileError(
            N_("{name} is not an .xlsx or .csv file; save the roster from Excel as .xlsx"),
            path_params(path),
        )
    if not path.is_file():
        raise SheetFileError(N_("Cannot find the file {name}"), path_params(path))
    return _load_xlsx(path) if suffix == ".xlsx" else _load_csv(path, has_header)


def table_cells(
    path: Path,
    find_header: Callable[[Sequence[Cells]], tuple[int, Mapping[Column, int]] | None],
    missing_headings: str,
) -> Iterator[tuple[int, dict[Column, str]]]:
    """The non-empty rows under the file's heading row: (row index, text by column).

    `find_header` gives the first row after the headings and each column's position; a file
    without them raises `SheetFileError(missing_headings)` before any row is given."""
    rows = load_rows(path, lambda found: find_header(found) is not None)
    header = find_header(rows)
    if header is None:
        raise SheetFileError(missing_headings)
    start, columns = header
    for index in range(start, len(rows)):
        cells = {column: cell_text(cell_at(rows[index], at)) for column, at in columns.items()}
        if any(cells.values()):
            yield index, cells


def header_columns(cells: Cells, aliases: Mapping[str, Column]) -> dict[Column, int]:
    """Which column holds each known heading; the first occurrence of a heading wins."""
    columns: dict[Column, int] = {}
    for index, cell in enumerate(cells):
        found = aliases.get(header_key(cell))
        if found is not None and found not in columns:
            columns[found] = index
    return columns


def header_key(cell: object) -> str:
    """'Họ và tên (*)' and 'SĐT:' still count: required-marks and colons are dropped."""
    key = match_key(cell_text(cell))
    return key.removesuffix("(*)").rstrip("*: ")


def cell_at(cells: Cells, position: int) -> object:
    return cells[position] if position < len(cells) else None


def cell_text(value: object) -> str:
    """A cell as trimmed single-spaced text; whole floats lose Excel's '.0'. Control characters
    (a NUL in a CSV) are dropped: invisible, and PostgreSQL refuses NUL in text."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.strftime("%d/%m/%Y")
    return collapse_spaces(without_controls(str(value)))


def path_params(path: Path) -> dict[str, str]:
    return {"name": path.name, "path": str(path)}


def unreadable(path: Path, exc: BaseException) -> SheetFileError:
    reason = str(exc) or type(exc).__name__
    return SheetFileError(
        N_("Cannot read {name}: {reason}"), {**path_params(path), "reason": reason}
    )


def _load_xlsx(path: Path) -> list[Cells]:
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged or fake .xlsx
        raise unreadable(path, exc) from exc
    try:
        if not workbook.worksheets:
            return []
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # some generators write a wrong <dimension>; read every row
        return [tuple(row) for row in sheet.iter_rows(values_only=True)]
    except Exception as exc:  # the sheet XML itself can be damaged
        raise unreadable(path, exc) from exc
    finally:
        workbook.close()


def _load_csv(path: Path, has_header: Callable[[Sequence[Cells]], bool]) -> list[Cells]:
    text = _decode_csv(path)
    sample = "\n".join(text.splitlines()[:HEADER_SCAN_ROWS])
    # Try the most frequent delimiter first; keep the one under which a header row appears.
    delimiters = sorted(_CSV_DELIMITERS, key=lambda delimiter: -sample.count(delimiter))
    parsed: list[list[Cells]] = []
    for delimiter in delimiters:
        try:
            rows: list[Cells] = list(csv.reader(io.StringIO(text), delimiter=delimiter))
        except csv.Error as exc:
            raise unreadable(path, exc) from exc
        if has_header(rows):
            return rows
        parsed.append(rows)
    return parsed[0]


def _decode_csv(path: Path) -> str:
    """UTF-8 with or without BOM; anything else is most likely an old ANSI 'CSV' from Excel."""
    try:
        return path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SheetFileError(
            N_("{name} is not UTF-8 text; in Excel save it as “CSV UTF-8” or as .xlsx"),
            path_params(path),
        ) from exc
    except OSError as exc:
        raise unreadable(path, exc) from exc
