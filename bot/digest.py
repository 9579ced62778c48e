"""The weekly digest (tổng hợp tuần) an officer gets for their unit and a bloc head for their
bloc: the figures, the week's new registrations and reports, and who or which units are still
missing; buttons open `/tonghop` at that unit or bloc and its chart."""

from datetime import date, datetime, timedelta
from html import escape

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.campaigns import audience_unit_ids
from bot.i18n import Translator
from bot.summaries import CampaignSummary, summarise
from bot.summary_members import member_rows
from bot.summary_text import figures_line
from storage import org as org_store
from storage import summaries as store
from storage.campaign_models import Campaign
from storage.models import Unit

LISTED = 20


async def digest_scope(
    campaign: Campaign, level: str, subject_id: int, *, session: AsyncSession
) -> tuple[str, list[Unit]]:
    """The name and units a digest covers: one unit ("u"), or a bloc's units in the campaign."""
    if level == "u":
        unit = await org_store.get_unit(subject_id, session=session)
        return (unit.name, [unit]) if unit is not None else ("", [])
    bloc = await org_store.get_bloc(subject_id, session=session)
    audience = await audience_unit_ids(campaign, session=session)
    units = [
        u
        for u in await org_store.units_in_blocs({subject_id}, session=session)
        if audience is None or u.id in audience
    ]
    return (bloc.name if bloc else ""), units


def digest_chart_payload(
    campaign: Campaign, scope: str, level: str, target: int, t: Translator
) -> dict[str, object]:
    """The digest's chart, drawn by the outbox sender when it sends (`bot/digest_chart.py`)."""
    assert campaign.id is not None
    return {
        "method": "sendChart",
        "chart": {"campaign_id": campaign.id, "level": level, "target": target},
        "locale": t.locale,
        "caption": t(
            "📊 {campaign} — {scope}", campaign=escape(campaign.name), scope=escape(scope)
        ),
    }


async def digest_payload(
    campaign: Campaign,
    units: list[Unit],
    scope: str,
    level: str,
    target: int,
    now: datetime,
    today: date,
    t: Translator,
    *,
    session: AsyncSession,
) -> dict[str, object]:
    """One digest message; `level` is "u" (a unit, with its missing members) or "b" (a bloc)."""
    assert campaign.id is not None
    summary: CampaignSummary = await summarise(campaign, units, today, session=session)
    ids = [u.id for u in units if u.id is not None]
    week = await store.week_counts(campaign.id, ids, now - timedelta(days=7), session=session)
    new_pledges = sum(p for p, _ in week.values())
    new_reports = sum(r for _, r in week.values())
    lines = [
        t("📰 <b>Weekly summary</b> — {scope}", scope=escape(scope)),
        escape(campaign.name),
        "",
        figures_line(scope, summary.figures, summary, t),
        t(
            "This week: {pledges} new registrations, {reports} reports.",
            pledges=t.number(new_pledges),
            reports=t.number(new_reports),
        ),
    ]
    if level == "u" and units and units[0].id is not None:
        rows = await member_rows(
            campaign.id, units[0].id, summary.milestone, today, session=session
        )
        missing = [r.name for r in rows if r.title is None and r.on_leave_until is None]
        unreported = [r.name for r in rows if r.reported is False and r.on_leave_until is None]
        if missing:
            lines.append(t("Not registered: {names}", names=escape(_names(missing, t))))
        if unreported:
            lines.append(t("Not reported: {names}", names=escape(_names(unreported, t))))
    else:
        below = [
            f"{u.unit.name} ({t.percent(u.figures.registered, u.figures.roster)})"
            for u in summary.units
            if not u.figures.complete or u.figures.reported < u.figures.approved
        ]
        if below:
            lines.append(t("Units still missing someone: {names}", names=escape(_names(below, t))))
    buttons = [
        InlineKeyboardButton(
            t("📊 Open the summary"), callback_data=f"th:{level}:{campaign.id}:{target}:0"
        ),
        InlineKeyboardButton(t("📊 Chart"), callback_data=f"th:g{level}:{campaign.id}:{target}:0"),
    ]
    return {
        "method": "sendMessage",
        "text": "\n".join(lines),
        "reply_markup": InlineKeyboardMarkup([buttons]).to_dict(),
    }


def _names(names: list[str], t: Translator) -> str:
    shown = ", ".join(names[:LISTED])
    if len(names) > LISTED:
        shown += " " + t("and {count} more", count=t.number(len(names) - LISTED))
    return shown
