"""PNG charts of a campaign summary: registration rate per unit, and each target's share of plan.

Built with `bot/progress_chart.py` (matplotlib's object API): CPU-bound, so callers draw in a
worker thread (`asyncio.to_thread`), never on the event loop.
"""

from collections.abc import Sequence
from decimal import Decimal

from bot.i18n import Translator
from bot.progress_chart import ChartBar, ChartTexts, render_png, unit_figure
from bot.summaries import CampaignSummary
from storage.exports import TargetProgress


def _texts(t: Translator, *, planned: str, achieved: str) -> ChartTexts:
    return ChartTexts(
        planned=planned,
        achieved=achieved,
        expected=t("Expected by today"),
        axis=t("% of plan"),
        empty=t("Nothing to show yet"),
    )


def registration_chart_png(summary: CampaignSummary, t: Translator) -> bytes:
    """Registered members as a share of each unit's roster (units with nobody listed left out)."""
    bars = [
        ChartBar(unit.unit.name, Decimal(unit.figures.roster), Decimal(unit.figures.registered))
        for unit in summary.units
        if unit.figures.roster > 0
    ]
    figure = unit_figure(
        t("Registration: {campaign}", campaign=summary.campaign.name),
        bars,
        None,
        locale=t.locale,
        texts=_texts(t, planned=t("Roster"), achieved=t("Registered")),
    )
    return render_png(figure)


def progress_chart_png(
    summary: CampaignSummary, progress: Sequence[TargetProgress], t: Translator
) -> bytes:
    """Each campaign target's achievement as a share of plan, with the share expected by now."""
    bars = [
        ChartBar(target.label, target.planned, target.achieved, target.unit)
        for target in progress
        if target.planned > 0
    ]
    milestone = summary.milestone.name if summary.milestone else "—"
    expected = float(summary.expected_share) if summary.milestone else None
    figure = unit_figure(
        t(
            "Progress by target: {campaign} ({milestone})",
            campaign=summary.campaign.name,
            milestone=milestone,
        ),
        bars,
        expected,
        locale=t.locale,
        texts=_texts(t, planned=t("Planned"), achieved=t("Achieved")),
    )
    return render_png(figure)
