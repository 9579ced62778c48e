"""How `/tonghop` reads: one line per unit or bloc with its figures, in pages that fit a message.

A page holds whole lines up to `PAGE_LIMIT` characters (below Telegram's 4,096, leaving room for
the heading), so a long bloc is paged with ◀ ▶ buttons, never cut.
"""

from collections.abc import Sequence
from html import escape

from bot.i18n import Translator
from bot.summaries import CampaignSummary, Figures, UnitSummary

PAGE_LIMIT = 3500


def pages(lines: Sequence[str], limit: int = PAGE_LIMIT) -> list[list[str]]:
    """Whole lines, packed in order into pages of at most `limit` characters."""
    found: list[list[str]] = [[]]
    size = 0
    for line in lines:
        if found[-1] and size + len(line) + 1 > limit:
            found.append([])
            size = 0
        found[-1].append(line[:limit])
        size += len(line) + 1
    return found


def figures_line(name: str, figures: Figures, summary: CampaignSummary, t: Translator) -> str:
    parts = [
        t(
            "registered {registered}/{roster} ({percent})",
            registered=t.number(figures.registered),
            roster=t.number(figures.roster),
            percent=t.percent(figures.registered, figures.roster),
        )
    ]
    if figures.titles:
        parts.append(
            ", ".join(f"{code} {t.number(n)}" for code, n in sorted(figures.titles.items()))
        )
    if summary.milestone is not None and figures.approved:
        parts.append(
            t(
                "reports {reported}/{approved}",
                reported=t.number(figures.reported),
                approved=t.number(figures.approved),
            )
        )
        if figures.targets:
            parts.append(
                t("on track {percent}", percent=t.percent(figures.on_track, figures.targets))
            )
    return f"<b>{escape(name)}</b>: " + " · ".join(parts)


def unit_line(unit: UnitSummary, summary: CampaignSummary, today_late: bool, t: Translator) -> str:
    line = figures_line(unit.unit.name, unit.figures, summary, t)
    if unit.covenant_signed is not None:
        line += " · " + (t("covenant ✅") if unit.covenant_signed else t("covenant ✗"))
    if today_late:
        line += " · ⏰ " + t("late")
    return line


def heading(summary: CampaignSummary, scope: str, t: Translator) -> list[str]:
    lines = [t("📊 <b>Summary</b> — {scope}", scope=escape(scope)), escape(summary.campaign.name)]
    if summary.milestone is not None:
        lines.append(
            t(
                "Current report: “{milestone}” (due {date}); expected level {share}",
                milestone=escape(summary.milestone.name),
                date=t.date(summary.milestone.due),
                share=t.share(summary.expected_share * 100),
            )
        )
    return lines
