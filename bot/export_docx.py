"""Word reports in the Vietnamese administrative format (Nghị định 30/2020/NĐ-CP, simplified).

The issuing body beside the national header (a borderless two-column table), the place and date
in words, the title, sections I–IV and a signature block, in Times New Roman 13/14 pt. The
figures come from a `CampaignSummary`; what only a person can write (shortcomings, the way
forward) is left as a "(Đơn vị bổ sung)" line for the author to fill in.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Length, Pt
from docx.table import Table
from docx.text.paragraph import Paragraph
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import Translator
from bot.pledges import REGISTERED
from bot.summaries import CampaignSummary
from storage import summaries as summary_store
from storage.campaign_models import Campaign, CampaignMilestone, TargetType
from storage.exports import TargetProgress

FONT = "Times New Roman"
BODY_PT = 14
SMALL_PT = 13
TABLE_PT = 12


@dataclass(frozen=True)
class PreviousYear:
    """The campaign this one was copied from, counted over the same units."""

    name: str
    roster: int
    registered: int


async def previous_year(
    campaign: Campaign, summary: CampaignSummary, *, session: AsyncSession
) -> PreviousYear | None:
    """Registrations in the campaign this one was copied from (`copied_from_id`), same units.

    The roster is today's (the roster keeps no history), so the rate compares like with like
    only as far as the units kept their people.
    """
    if campaign.copied_from_id is None:
        return None
    previous = await session.get(Campaign, campaign.copied_from_id)
    if previous is None or previous.id is None:
        return None
    unit_ids = [u.unit.id for u in summary.units if u.unit.id is not None]
    titles = await summary_store.titles_by_unit(previous.id, unit_ids, REGISTERED, session=session)
    registered = sum(sum(codes.values()) for codes in titles.values())
    return PreviousYear(previous.name, summary.figures.roster, registered)


def is_final(summary: CampaignSummary, milestones: Sequence[CampaignMilestone]) -> bool:
    """Tổng kết when the current milestone is the last one (or there are none), else sơ kết."""
    if not milestones:
        return True
    if summary.milestone is None:
        return False
    last = max(milestones, key=lambda m: (m.position, m.due))
    return summary.milestone.id == last.id


def date_in_words(place: str, today: date, t: Translator) -> str:
    """ "Hà Nội, ngày 05 tháng 4 năm 2027": days below 10 and months below 3 take a leading 0."""
    month = f"{today.month:02d}" if today.month < 3 else str(today.month)
    return t(
        "{place}, day {day} month {month} year {year}",
        place=place,
        day=f"{today.day:02d}",
        month=month,
        year=today.year,
    )


def write_registration_report(
    path: Path,
    campaign: Campaign,
    summary: CampaignSummary,
    *,
    scope_name: str,
    issuer: str,
    place: str,
    today: date,
    t: Translator,
    previous: PreviousYear | None = None,
) -> None:
    """ "Báo cáo tổng hợp kết quả đăng ký thi đua" for the units of `summary`."""
    document = _document()
    _heading(document, issuer, place, today, t)
    _title(document, t("REPORT"), t("Summary of emulation registration results"), campaign, t)
    _situation(document, campaign, summary, scope_name, t)
    _section(document, t("II. RESULTS"))
    _registration_results(document, summary, previous, t)
    _unit_table(document, summary, t, progress=False)
    _shortcomings(document, t)
    _section(document, t("IV. THE WAY FORWARD"))
    incomplete = [u.unit.name for u in summary.units if not u.figures.complete]
    if incomplete:
        _body(
            document,
            t(
                "Urge the units that have not finished registering: {units}.",
                units=", ".join(incomplete),
            ),
        )
    _body(document, t("(To be completed by the unit)"), italic=True)
    _signature(document, t)
    document.save(str(path))


def write_review_report(
    path: Path,
    campaign: Campaign,
    summary: CampaignSummary,
    *,
    scope_name: str,
    issuer: str,
    place: str,
    today: date,
    t: Translator,
    final: bool,
    progress: Sequence[TargetProgress] = (),
    previous: PreviousYear | None = None,
) -> None:
    """ "Báo cáo sơ kết/tổng kết phong trào thi đua": sơ kết at a milestone, tổng kết at the
    last (`final`, see `is_final`)."""
    document = _document()
    _heading(document, issuer, place, today, t)
    subtitle = (
        t("Final review of the emulation campaign")
        if final
        else t("Interim review of the emulation campaign")
    )
    _title(document, t("REPORT"), subtitle, campaign, t)
    _situation(document, campaign, summary, scope_name, t)
    _section(document, t("II. RESULTS"))
    _registration_results(document, summary, previous, t)
    _progress_results(document, summary, progress, t)
    _unit_table(document, summary, t, progress=True)
    _shortcomings(document, t)
    _section(document, t("IV. THE WAY FORWARD"))
    _body(document, t("(To be completed by the unit)"), italic=True)
    _signature(document, t)
    document.save(str(path))


def _document() -> DocumentObject:
    document = Document()
    normal = document.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(BODY_PT)
    fonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), FONT)
    fonts.set(qn("w:cs"), FONT)
    for section in document.sections:
        section.page_width, section.page_height = Cm(21), Cm(29.7)
        section.top_margin, section.bottom_margin = Cm(2), Cm(2)
        section.left_margin, section.right_margin = Cm(3), Cm(2)
    return document


def _line(
    paragraph: Paragraph,
    text: str,
    *,
    bold: bool = False,
    italic: bool = False,
    size: int = BODY_PT,
    align: WD_ALIGN_PARAGRAPH | None = WD_ALIGN_PARAGRAPH.CENTER,
) -> Paragraph:
    run = paragraph.add_run(text)
    run.bold, run.italic, run.font.size = bold, italic, Pt(size)
    run.font.name = FONT
    if align is not None:
        paragraph.alignment = align
    paragraph.paragraph_format.space_after = Pt(0)
    return paragraph


def _heading(document: DocumentObject, issuer: str, place: str, today: date, t: Translator) -> None:
    """The issuing body (left) beside the national header (right), borderless."""
    table = _two_columns(document, Cm(6), Cm(10))
    left, right = table.rows[0].cells
    _line(left.paragraphs[0], issuer.upper(), bold=True, size=SMALL_PT)
    _line(left.add_paragraph(), "———", size=SMALL_PT)
    _line(left.add_paragraph(), t("No.:      /BC-TĐKT"), size=SMALL_PT)
    _line(right.paragraphs[0], t("SOCIALIST REPUBLIC OF VIETNAM"), bold=True, size=SMALL_PT)
    _line(right.add_paragraph(), t("Independence - Freedom - Happiness"), bold=True)
    _line(right.add_paragraph(), "———————————", size=SMALL_PT)
    _line(right.add_paragraph(), date_in_words(place, today, t), italic=True)


def _two_columns(document: DocumentObject, left: Length, right: Length) -> Table:
    """A borderless two-column layout table whose widths hold in LibreOffice too.

    Word reads each cell's width; LibreOffice reads the table grid, so both are set, or the
    national header wraps onto a second line there.
    """
    table = document.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for column, width in zip(table.columns, (left, right), strict=True):
        column.width = width
        for cell in column.cells:
            cell.width = width
    return table


def _title(
    document: DocumentObject, kind: str, subtitle: str, campaign: Campaign, t: Translator
) -> None:
    _line(document.add_paragraph(), "")
    _line(document.add_paragraph(), kind, bold=True)
    _line(document.add_paragraph(), subtitle, bold=True)
    _line(document.add_paragraph(), f"“{campaign.name}”", bold=True)
    _line(document.add_paragraph(), "———", size=SMALL_PT)


def _section(document: DocumentObject, text: str) -> None:
    paragraph = _line(document.add_paragraph(), text, bold=True, align=WD_ALIGN_PARAGRAPH.LEFT)
    paragraph.paragraph_format.space_before = Pt(6)


def _body(document: DocumentObject, text: str, *, italic: bool = False) -> None:
    paragraph = _line(
        document.add_paragraph(), text, italic=italic, align=WD_ALIGN_PARAGRAPH.JUSTIFY
    )
    paragraph.paragraph_format.first_line_indent = Cm(1)
    paragraph.paragraph_format.space_after = Pt(3)


def _situation(
    document: DocumentObject,
    campaign: Campaign,
    summary: CampaignSummary,
    scope_name: str,
    t: Translator,
) -> None:
    _section(document, t("I. SITUATION"))
    _body(
        document,
        t(
            "The emulation campaign “{campaign}” covers {units} units of {scope} "
            "from {start} to {end}; registration closed on {deadline}.",
            campaign=campaign.name,
            units=t.number(len(summary.units)),
            scope=scope_name,
            start=t.date(campaign.period_start),
            end=t.date(campaign.period_end),
            deadline=t.date(campaign.registration_deadline),
        ),
    )


def _registration_results(
    document: DocumentObject,
    summary: CampaignSummary,
    previous: PreviousYear | None,
    t: Translator,
) -> None:
    figures = summary.figures
    _body(
        document,
        t(
            "1. Registration: {registered} of {roster} people registered ({percent}).",
            registered=t.number(figures.registered),
            roster=t.number(figures.roster),
            percent=t.percent(figures.registered, figures.roster),
        ),
    )
    if figures.titles:
        titles = "; ".join(
            f"{code}: {t.number(count)}" for code, count in sorted(figures.titles.items())
        )
        _body(document, t("By title: {titles}.", titles=titles))
    if previous is not None:
        _body(
            document,
            t(
                "Compared with “{previous}”: {before} registered then ({before_percent}), "
                "{now} now ({now_percent}).",
                previous=previous.name,
                before=t.number(previous.registered),
                before_percent=t.percent(previous.registered, previous.roster),
                now=t.number(figures.registered),
                now_percent=t.percent(figures.registered, figures.roster),
            ),
        )


def _progress_results(
    document: DocumentObject,
    summary: CampaignSummary,
    progress: Sequence[TargetProgress],
    t: Translator,
) -> None:
    figures = summary.figures
    milestone = summary.milestone.name if summary.milestone else "—"
    _body(
        document,
        t(
            "2. Progress at {milestone}: {reported} of {approved} approved registrations "
            "reported ({late} late); {on_track} of {targets} targets on track "
            "(expected by now: {expected}).",
            milestone=milestone,
            reported=t.number(figures.reported),
            approved=t.number(figures.approved),
            late=t.number(figures.late_reports),
            on_track=t.number(figures.on_track),
            targets=t.number(figures.targets),
            expected=t.share(summary.expected_share * 100),
        ),
    )
    measurable = [p for p in progress if p.type is not TargetType.TEXT]
    if not measurable:
        return
    table = _grid(
        document, [t("Target"), t("Pledges"), t("Planned"), t("Achieved"), t("% of plan")]
    )
    for target in measurable:
        share = target.share
        _row(
            table,
            [
                target.label,
                t.number(target.pledges),
                t.number(round(target.planned, 2)),
                t.number(round(target.achieved, 2)),
                t.share(share * 100) if share is not None else "—",
            ],
        )


def _unit_table(
    document: DocumentObject, summary: CampaignSummary, t: Translator, *, progress: bool
) -> None:
    _body(document, t("Figures per unit:"))
    headers = [t("No."), t("Unit"), t("Roster"), t("Registered"), t("Rate"), t("Covenant")]
    if progress:
        headers += [t("Reported"), t("Late reports"), t("Targets on track")]
    table = _grid(document, headers)
    for number, unit in enumerate(summary.units, start=1):
        figures = unit.figures
        signed = unit.covenant_signed
        cells = [
            str(number),
            unit.unit.name,
            t.number(figures.roster),
            t.number(figures.registered),
            t.percent(figures.registered, figures.roster),
            "—" if signed is None else t("Signed") if signed else t("Not signed"),
        ]
        if progress:
            cells += [
                t.number(figures.reported),
                t.number(figures.late_reports),
                t.percent(figures.on_track, figures.targets),
            ]
        _row(table, cells)
    total = summary.figures
    cells = [
        "",
        t("Total"),
        t.number(total.roster),
        t.number(total.registered),
        t.percent(total.registered, total.roster),
        "",
    ]
    if progress:
        cells += [
            t.number(total.reported),
            t.number(total.late_reports),
            t.percent(total.on_track, total.targets),
        ]
    _row(table, cells, bold=True)


def _grid(document: DocumentObject, headers: Sequence[str]) -> Table:
    table = document.add_table(rows=0, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _row(table, headers, bold=True)
    return table


def _row(table: Table, values: Sequence[str], *, bold: bool = False) -> None:
    cells = table.add_row().cells
    for cell, value in zip(cells, values, strict=True):
        _line(cell.paragraphs[0], value, bold=bold, size=TABLE_PT)


def _shortcomings(document: DocumentObject, t: Translator) -> None:
    _section(document, t("III. SHORTCOMINGS AND LIMITATIONS"))
    _body(document, t("(To be completed by the unit)"), italic=True)


def _signature(document: DocumentObject, t: Translator) -> None:
    document.add_paragraph()
    table = _two_columns(document, Cm(7), Cm(9))
    left, right = table.rows[0].cells
    _line(
        left.paragraphs[0],
        t("Recipients:"),
        bold=True,
        italic=True,
        size=TABLE_PT,
        align=WD_ALIGN_PARAGRAPH.LEFT,
    )
    for text in (t("- As above;"), t("- Filed: Clerical office.")):
        _line(left.add_paragraph(), text, size=11, align=WD_ALIGN_PARAGRAPH.LEFT)
    _line(right.paragraphs[0], t("SIGNATORY"), bold=True)
    _line(right.add_paragraph(), t("(Position of the signatory)"), italic=True)
    for _ in range(3):
        _line(right.add_paragraph(), "")
    _line(right.add_paragraph(), t("(Full name)"), bold=True)
