"""The campaign's figures as an Excel workbook, for those who lead and the emulation office.

Sheets: the summary per unit, the individual registrations in the official list layout, the
collective registrations, progress per target, and the bloc scores where a scoring sheet exists.

The workbook is openpyxl's write-only kind and the individual list is streamed from the database
(`storage/exports.py`): each row goes to the file as it is read, so memory stays flat for
100,000 registrations (docs/benchmarks.md, "Exports"). Writing is blocking file I/O: the bot
runs it in a worker thread or from the CLI, never on the event loop for a large organisation.
"""

from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from sqlalchemy.ext.asyncio import AsyncSession

from bot.flows.pledge_draft import STATUS_NAMES
from bot.i18n import N_, Translator
from bot.pledges import REGISTERED
from bot.summaries import CampaignSummary, Figures
from storage import exports as store
from storage.campaign_models import Campaign, CatalogueItem, TargetType
from storage.catalogue import all_items

PERCENT = "0.0%"
INTEGER = "#,##0"
DECIMAL = "#,##0.##"
HEADER_FONT = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")

SUMMARY_SHEET = N_("Summary by unit")
INDIVIDUAL_SHEET = N_("Individual registrations")
COLLECTIVE_SHEET = N_("Collective registrations")
PROGRESS_SHEET = N_("Progress by target")
SCORES_SHEET = N_("Bloc scores")


async def write_summary_xlsx(
    path: Path,
    campaign: Campaign,
    summary: CampaignSummary,
    *,
    session: AsyncSession,
    t: Translator,
) -> None:
    """Write the workbook of `summary`'s units to `path` (overwritten)."""
    assert campaign.id is not None
    unit_ids = [u.unit.id for u in summary.units if u.unit.id is not None]
    items = {item.code: item for item in await all_items(session=session)}
    book = Workbook(write_only=True)
    _summary_sheet(book, summary, items, t)
    await _individual_sheet(book, campaign.id, unit_ids, session=session, t=t)
    collective = await store.collective_registrations(
        campaign.id, unit_ids, REGISTERED, session=session
    )
    sheet = _sheet(
        book,
        t(COLLECTIVE_SHEET),
        [(t("Unit"), 40), (t("Title"), 36), (t("Form of commendation"), 36), (t("Status"), 18)],
    )
    for row in collective:
        sheet.append([row.unit_name, row.title, row.award, t(STATUS_NAMES[row.status])])
    milestone_id = summary.milestone.id if summary.milestone else None
    progress = await store.target_progress(campaign.id, milestone_id, unit_ids, session=session)
    _progress_sheet(book, summary, progress, t)
    totals = await store.unit_score_totals(campaign.id, unit_ids, session=session)
    if totals:
        _scores_sheet(book, summary, totals, t)
    book.save(path)


def _sheet(book: Workbook, title: str, columns: Sequence[tuple[str, float]]) -> WriteOnlyWorksheet:
    """A sheet with its widths set and a bold header row, frozen (widths must come first)."""
    sheet: WriteOnlyWorksheet = book.create_sheet(title[:31])
    for index, (_, width) in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    header = []
    for name, _ in columns:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = HEADER_FONT
        cell.alignment = WRAP
        header.append(cell)
    sheet.append(header)
    return sheet


def _cell(sheet: WriteOnlyWorksheet, value: Any, number_format: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    cell.number_format = number_format
    return cell


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _summary_sheet(
    book: Workbook, summary: CampaignSummary, items: dict[str, CatalogueItem], t: Translator
) -> None:
    codes = sorted(
        (code for code, count in summary.figures.titles.items() if count),
        key=lambda code: (-(items[code].rank if code in items else 0), code),
    )
    columns = [
        (t("Bloc/cluster"), 30),
        (t("Unit"), 36),
        (t("Roster"), 10),
        (t("Registered"), 12),
        (t("Registration rate"), 12),
        (t("Covenant"), 12),
        *[(items[code].name if code in items else code, 14) for code in codes],
        (t("Reported"), 12),
        (t("Late reports"), 12),
        (t("Targets on track"), 14),
    ]
    sheet = _sheet(book, t(SUMMARY_SHEET), columns)

    def line(bloc: str, unit: str, figures: Figures, covenant: str) -> list[Any]:
        return [
            bloc,
            unit,
            _cell(sheet, figures.roster, INTEGER),
            _cell(sheet, figures.registered, INTEGER),
            _cell(sheet, _share(figures.registered, figures.roster), PERCENT),
            covenant,
            *[_cell(sheet, figures.titles.get(code, 0), INTEGER) for code in codes],
            _cell(sheet, figures.reported, INTEGER),
            _cell(sheet, figures.late_reports, INTEGER),
            _cell(sheet, _share(figures.on_track, figures.targets), PERCENT),
        ]

    for unit in summary.units:
        signed = unit.covenant_signed
        covenant = "" if signed is None else t("Signed") if signed else t("Not signed")
        sheet.append(line(unit.bloc_name or "", unit.unit.name, unit.figures, covenant))
    total = line("", "", summary.figures, "")
    total[0] = WriteOnlyCell(sheet, value=t("Total"))
    for cell in total:
        if not isinstance(cell, str):
            cell.font = HEADER_FONT
    sheet.append(total)


async def _individual_sheet(
    book: Workbook,
    campaign_id: int,
    unit_ids: Sequence[int],
    *,
    session: AsyncSession,
    t: Translator,
) -> None:
    """The official list: STT, Họ và tên, Chức vụ, Đơn vị, Danh hiệu, Hình thức, status."""
    sheet = _sheet(
        book,
        t(INDIVIDUAL_SHEET),
        [
            (t("No."), 7),
            (t("Full name"), 30),
            (t("Position"), 24),
            (t("Unit"), 36),
            (t("Title registered"), 30),
            (t("Form of commendation"), 30),
            (t("Status"), 18),
        ],
    )
    statuses = {status: t(STATUS_NAMES[status]) for status in REGISTERED}
    number = 0
    async for row in store.stream_individual_registrations(
        campaign_id, unit_ids, REGISTERED, session=session
    ):
        number += 1
        sheet.append(
            [
                number,
                row.full_name,
                row.position or None,  # an empty cell is not written at all
                row.unit_name,
                row.title,
                row.award or None,
                statuses[row.status],
            ]
        )


def _progress_sheet(
    book: Workbook,
    summary: CampaignSummary,
    progress: Sequence[store.TargetProgress],
    t: Translator,
) -> None:
    milestone = summary.milestone.name if summary.milestone else "—"
    sheet = _sheet(
        book,
        t(PROGRESS_SHEET),
        [
            (t("Target"), 44),
            (t("Unit of measure"), 14),
            (t("Pledges"), 12),
            (t("Planned"), 14),
            (t("Achieved at {milestone}", milestone=milestone), 18),
            (t("% of plan"), 12),
        ],
    )
    for target in progress:
        if target.type is TargetType.TEXT:
            planned: Any = None
            achieved: Any = None
        else:
            planned, achieved = _number(target.planned), _number(target.achieved)
        unit = target.unit or ("%" if target.type is TargetType.PERCENT else "")
        if target.type is TargetType.YES_NO:
            unit = t("pledges done")
        share = target.share
        sheet.append(
            [
                target.label,
                unit,
                _cell(sheet, target.pledges, INTEGER),
                _cell(sheet, planned, DECIMAL),
                _cell(sheet, achieved, DECIMAL),
                _cell(sheet, float(share) if share is not None else None, PERCENT),
            ]
        )


def _scores_sheet(
    book: Workbook,
    summary: CampaignSummary,
    totals: Sequence[store.UnitTotal],
    t: Translator,
) -> None:
    """Each unit's total on its bloc's scoring sheet, ranked within the sheet."""
    names = {u.unit.id: (u.bloc_name or "", u.unit.name) for u in summary.units}
    sheet = _sheet(
        book,
        t(SCORES_SHEET),
        [
            (t("Scoring sheet"), 36),
            (t("Bloc/cluster"), 30),
            (t("Unit"), 36),
            (t("Points"), 12),
            (t("Rank"), 8),
        ],
    )
    ordered = sorted(totals, key=lambda total: (total.bloc_id, -total.points))
    rank, previous = 0, (-1, Decimal(-1))
    for position, total in enumerate(ordered):
        first_of_sheet = position == 0 or ordered[position - 1].bloc_id != total.bloc_id
        if first_of_sheet:
            rank = 1
        elif (total.bloc_id, total.points) != previous:
            rank = position + 1 - _sheet_start(ordered, total.bloc_id)
        previous = (total.bloc_id, total.points)
        bloc, unit = names.get(total.unit_id, ("", ""))
        sheet.append(
            [
                total.sheet_title,
                bloc,
                unit,
                _cell(sheet, _number(total.points), DECIMAL),
                _cell(sheet, rank, INTEGER),
            ]
        )


def _sheet_start(ordered: Sequence[store.UnitTotal], bloc_id: int) -> int:
    return next(index for index, total in enumerate(ordered) if total.bloc_id == bloc_id)


def _number(value: Decimal) -> int | float:
    """Excel stores floats; whole numbers stay integers so they show without decimals."""
    return int(value) if value == value.to_integral_value() else float(value)
