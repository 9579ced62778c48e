"""`thidua titles import`: members' past titles by year from a spreadsheet, into title_history.

Columns (Vietnamese headings, found like the roster's): `Họ và tên` with `Đơn vị`, or
`Số điện thoại`, to find the member; `Năm`; `Danh hiệu` as a catalogue code (LDTT, CSTDCS) or
the title's name, matched without diacritics. Importing the same file twice adds nothing; every
bad row is reported with its number and all its reasons.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import N_
from bot.phones import InvalidPhone, normalise_phone
from bot.roster_file import Reason, RowProblem
from bot.sheet_file import (
    HEADER_SCAN_ROWS,
    Cells,
    header_columns,
    table_cells,
)
from bot.text import ascii_digits, match_key
from storage import org as org_store
from storage import people
from storage import pledges as store
from storage.campaign_models import CatalogueItem, CatalogueKind
from storage.catalogue import all_items, ensure_default_catalogue
from storage.pledge_models import TitleSource

MIN_YEAR, MAX_YEAR = 1945, 2100


class _Column(Enum):
    NAME = "name"
    UNIT = "unit"
    PHONE = "phone"
    YEAR = "year"
    TITLE = "title"


_ALIASES: dict[str, _Column] = {
    "ho va ten": _Column.NAME,
    "ho ten": _Column.NAME,
    "don vi": _Column.UNIT,
    "so dien thoai": _Column.PHONE,
    "dien thoai": _Column.PHONE,
    "sdt": _Column.PHONE,
    "nam": _Column.YEAR,
    "danh hieu": _Column.TITLE,
    "danh hieu thi dua": _Column.TITLE,
}


@dataclass(frozen=True)
class TitleRow:
    row_number: int
    full_name: str
    unit_name: str
    phone: str | None  # E.164
    year: int
    title: str


@dataclass
class TitlesReport:
    added: int = 0
    unchanged: int = 0
    rejected: list[RowProblem] = field(default_factory=list)


def read_titles(path: Path) -> tuple[list[TitleRow], list[RowProblem]]:
    """The file's valid rows and its problem rows; no database needed."""
    missing = N_(
        "The file has no columns “Họ và tên”, “Đơn vị” (or “Số điện thoại”), “Năm” and "
        "“Danh hiệu”; put the column headings in one row near the top"
    )
    valid: list[TitleRow] = []
    problems: list[RowProblem] = []
    for index, cells in table_cells(path, _find_header, missing):
        parsed = _parse_row(index + 1, cells)
        if isinstance(parsed, TitleRow):
            valid.append(parsed)
        else:
            problems.append(parsed)
    return valid, problems


async def apply_titles(rows: Sequence[TitleRow], *, session: AsyncSession) -> TitlesReport:
    """Record each row's title for its member and year; idempotent."""
    await ensure_default_catalogue(session=session)
    titles = _title_lookup(await all_items(session=session))
    report = TitlesReport()
    for row in rows:
        reasons: list[Reason] = []
        item = titles.get(match_key(row.title))
        if item is None:
            reasons.append(
                Reason(
                    N_(
                        "unknown title {value}; write a catalogue code such as LDTT or CSTDCS, "
                        "or the title's name"
                    ),
                    {"value": row.title},
                )
            )
        member_id = await _find_member(row, reasons, session)
        if reasons or member_id is None or item is None:
            report.rejected.append(RowProblem(row.row_number, tuple(reasons)))
            continue
        if await store.add_title(
            member_id, row.year, item.code, TitleSource.IMPORT, session=session
        ):
            report.added += 1
        else:
            report.unchanged += 1
    return report


def _find_header(rows: Sequence[Cells]) -> tuple[int, dict[_Column, int]] | None:
    for index, cells in enumerate(rows[:HEADER_SCAN_ROWS]):
        columns = header_columns(cells, _ALIASES)
        finds_member = _Column.PHONE in columns or {_Column.NAME, _Column.UNIT} <= set(columns)
        if finds_member and {_Column.YEAR, _Column.TITLE} <= set(columns):
            return index + 1, columns
    return None


def _parse_row(row_number: int, cells: dict[_Column, str]) -> TitleRow | RowProblem:
    reasons: list[Reason] = []
    name, unit = cells.get(_Column.NAME, ""), cells.get(_Column.UNIT, "")
    phone_text = cells.get(_Column.PHONE, "")
    phone: str | None = None
    if phone_text:
        try:
            phone = normalise_phone(phone_text)
        except InvalidPhone:
            reasons.append(Reason(N_("phone number {value} is not valid"), {"value": phone_text}))
    elif not name or not unit:
        reasons.append(Reason(N_("give the name and unit, or the phone number")))
    year_text = cells.get(_Column.YEAR, "")
    year = int(year_text) if ascii_digits(year_text) and len(year_text) == 4 else 0
    if not MIN_YEAR <= year <= MAX_YEAR:
        reasons.append(
            Reason(N_("year {value} is not valid; write it like 2025"), {"value": year_text})
        )
    title = cells.get(_Column.TITLE, "")
    if not title:
        reasons.append(Reason(N_("no title")))
    if reasons:
        return RowProblem(row_number, tuple(reasons))
    return TitleRow(row_number, name, unit, phone, year, title)


def _title_lookup(items: Sequence[CatalogueItem]) -> dict[str, CatalogueItem]:
    """Titles by code and by name, both without diacritics: 'CSTĐCS' and 'cstdcs' match."""
    lookup: dict[str, CatalogueItem] = {}
    for item in items:
        if item.kind is CatalogueKind.TITLE:
            lookup.setdefault(match_key(item.code), item)
            lookup.setdefault(match_key(item.name), item)
    return lookup


async def _find_member(row: TitleRow, reasons: list[Reason], session: AsyncSession) -> int | None:
    if row.phone is not None:
        member = await people.member_by_phone(row.phone, session=session)
        if member is None:
            reasons.append(Reason(N_("nobody with phone number {value}"), {"value": row.phone}))
        return member.id if member is not None else None
    unit = await org_store.find_unit(match_key(row.unit_name), session=session)
    if unit is None or unit.id is None:
        reasons.append(Reason(N_("no unit named {value}"), {"value": row.unit_name}))
        return None
    found = await people.members_named_in_unit(match_key(row.full_name), unit.id, session=session)
    params = {"name": row.full_name, "unit": unit.name}
    if not found:
        reasons.append(Reason(N_("nobody named {name} in {unit}"), params))
        return None
    if len(found) > 1:
        reasons.append(
            Reason(N_("several people named {name} in {unit}; give the phone number"), params)
        )
        return None
    return found[0].id
