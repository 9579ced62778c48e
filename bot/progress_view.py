"""What `/tiendo` and the officer's report views say and draw: texts and chart inputs.

Texts are built from `bot.progress` figures in the reader's language; charts are described as
`ChartBar`s and drawn by `bot.progress_chart` in a worker thread (rendering is CPU-bound), one at
a time so a burst of /tiendo cannot starve the event loop's thread of the GIL for long.
"""

import asyncio
import threading
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from html import escape

from matplotlib.figure import Figure
from sqlalchemy.ext.asyncio import AsyncSession

from bot.flows import pledge_draft
from bot.i18n import Translator
from bot.pledge_values import TargetValue, value_of
from bot.progress import MemberProgress, TargetProgress, UnitProgress, target_progress
from bot.progress_chart import ChartBar, ChartTexts, member_figure, render_png, unit_figure
from bot.reports import STATUS_NAMES, achieved_of
from storage import pledges as pledge_store
from storage import progress as progress_store
from storage.campaign_models import Campaign, TargetType
from storage.progress_models import ProgressReport

_RENDERING = threading.Lock()  # taken in the worker thread: no event loop is bound to it


def chart_texts(t: Translator) -> ChartTexts:
    return ChartTexts(
        planned=t("Planned"),
        achieved=t("Achieved"),
        expected=t("Expected by today"),
        axis=t("% of plan"),
        empty=t("Nothing reported yet"),
    )


def _value(value: TargetValue | None, t: Translator) -> str:
    return escape(pledge_draft.value_text(value, t)) if value is not None else "—"


def _mark(on_track: bool | None) -> str:
    return {True: " ✅", False: " ⚠️"}.get(on_track, "") if on_track is not None else ""


def target_lines(rows: Sequence[TargetProgress], t: Translator) -> list[str]:
    """ "• Số sáng kiến: 2 / 3 (66,7%) ✅" per target; ✅ on track, ⚠️ behind."""
    lines = []
    for row in rows:
        line = f"• {escape(row.label)}: <b>{_value(row.achieved, t)}</b> / {_value(row.planned, t)}"
        if row.percent is not None:
            line += f" ({t.share(row.percent)})"
        lines.append(line + _mark(row.on_track))
    return lines


def member_text(
    campaign: Campaign, rows: Sequence[TargetProgress], expected: Decimal, t: Translator
) -> str:
    lines = [
        t("📊 <b>Your progress</b> — {campaign}", campaign=escape(campaign.name)),
        t(
            "Expected by today: {share} of the plan (share of the campaign period elapsed).",
            share=t.share(expected * 100),
        ),
        "",
        *target_lines(rows, t),
    ]
    if not any(row.achieved is not None for row in rows):
        lines += ["", t("Nothing reported yet. Send /baocao to report.")]
    else:
        lines += ["", t("✅ on track · ⚠️ behind the expected level")]
    return "\n".join(lines)


def target_bars(rows: Sequence[TargetProgress]) -> list[ChartBar]:
    """Number, percent and yes/no targets with a plan above zero (text ones are not drawn)."""
    bars = []
    for row in rows:
        if row.type is TargetType.TEXT:
            continue
        if row.type is TargetType.YES_NO:
            done = row.achieved is not None and row.achieved.yes_no == row.planned.yes_no
            bars.append(ChartBar(row.label, Decimal(1), Decimal(1 if done else 0)))
            continue
        planned = row.planned.number
        if planned is None or planned <= 0:
            continue
        achieved = row.achieved.number if row.achieved and row.achieved.number else Decimal(0)
        bars.append(ChartBar(row.label, planned, max(achieved, Decimal(0)), row.unit))
    return bars


def member_bars(members: Sequence[MemberProgress]) -> list[ChartBar]:
    """Each member's average share of plan, drawn as achieved out of 100."""
    return [
        ChartBar(m.full_name, Decimal(100), max(m.average_percent or Decimal(0), Decimal(0)), "%")
        for m in members
    ]


async def member_chart(title: str, bars: list[ChartBar], expected: Decimal, t: Translator) -> bytes:
    return await _draw(member_figure, title, bars, expected, t)


async def unit_chart(title: str, bars: list[ChartBar], expected: Decimal, t: Translator) -> bytes:
    return await _draw(unit_figure, title, bars, expected, t)


async def _draw(
    figure_of: Callable[..., Figure],
    title: str,
    bars: list[ChartBar],
    expected: Decimal,
    t: Translator,
) -> bytes:
    texts, locale = chart_texts(t), t.locale

    def draw() -> bytes:
        with _RENDERING:
            figure = figure_of(title, bars, float(expected), locale=locale, texts=texts)
            return render_png(figure)

    return await asyncio.to_thread(draw)


def unit_text(
    unit_name: str,
    progress: UnitProgress,
    t: Translator,
    on_leave: Mapping[int, date] | None = None,
) -> str:
    """Who reported (status, average share of plan, late) and who has not, at a milestone;
    someone on leave is marked as such, not as late."""
    reported, members = len(progress.reported), len(progress.members)
    lines = [
        t(
            "📈 <b>{unit}</b> — report “{milestone}” (due {date})",
            unit=escape(unit_name),
            milestone=escape(progress.milestone.name),
            date=t.date(progress.milestone.due),
        ),
        t(
            "Reported {reported}/{total} ({percent}) · expected level {share}",
            reported=t.number(reported),
            total=t.number(members),
            percent=t.percent(reported, members),
            share=t.share(progress.expected_share * 100),
        ),
    ]
    if progress.reported:
        lines += ["", t("<b>Reported</b>")]
        for index, member in enumerate(progress.reported, start=1):
            status = t(STATUS_NAMES[member.report_status]) if member.report_status else ""
            share = t.share(member.average_percent) if member.average_percent is not None else "—"
            late = " · " + t("late") if member.late else ""
            lines.append(
                f"{index}. {escape(member.full_name)} — {share}{_mark(member.on_track)}"
                f" · {status}{late}"
            )
    if progress.missing:
        lines += ["", t("<b>Not reported yet</b>")]
        for member in progress.missing:
            back = (on_leave or {}).get(member.member_id)
            away = " · " + t("🏖 on leave until {date}", date=t.date(back)) if back else ""
            lines.append(f"• {escape(member.full_name)}{away}")
    return "\n".join(lines)


async def report_text(
    report: ProgressReport, owner: str, t: Translator, *, session: AsyncSession
) -> str:
    """One report for the officer: values against the plan, note, evidence count, status."""
    assert report.id is not None
    targets = await pledge_store.targets_of(report.pledge_id, session=session)
    values = {
        v.pledge_target_id: v for v in await progress_store.values_of(report.id, session=session)
    }
    evidence = await progress_store.evidence_of(report.id, session=session)
    status = t(STATUS_NAMES[report.status])
    if report.late:
        status += " · " + t("late")
    lines = [f"📈 <b>{escape(owner)}</b> — {status}", ""]
    for target in targets:
        row = values.get(target.id or 0)
        achieved = achieved_of(target, row) if row else None
        planned = value_of(target)
        line = f"• {escape(target.label)}: <b>{_value(achieved, t)}</b> / {_value(planned, t)}"
        percent = target_progress(planned, achieved)
        if percent is not None:
            line += f" ({t.share(percent)})"
        if row is None:
            line += " · " + t("unchanged")
        lines.append(line)
    if report.note:
        lines.append(t("✍️ Note: {note}", note=escape(report.note)))
    lines.append(t("📎 Evidence: {count} file(s).", count=t.number(len(evidence))))
    return "\n".join(lines)
