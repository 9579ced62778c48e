"""/tonghop: the figures of a campaign for those who lead, within their scope.

An admin sees every bloc and the organisation's total; a bloc head their blocs' units; an officer
their unit. A unit drills down to its members. Long lists are paged with ◀ ▶ (never cut).
Callback data `th:<level>:<campaign>:<id>:<page>` carries ids only, and every press checks the
unit or bloc against the person's scope again: forged data gets a refusal, not the figures.
"""

import asyncio
import tempfile
from datetime import timedelta
from html import escape
from pathlib import Path
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from bot.context import ThiduaContext
from bot.export_charts import registration_chart_png
from bot.export_docx import write_registration_report
from bot.export_xlsx import write_summary_xlsx
from bot.i18n import Translator
from bot.refusals import refuse_press
from bot.replies import send_text, send_upload
from bot.report_windows import RUNNING
from bot.summaries import CampaignSummary, summarise, units_in_scope
from bot.summary_members import member_line, member_rows
from bot.summary_text import figures_line, heading, pages, unit_line
from handlers.flows import flow_env
from storage import campaigns as campaign_store
from storage.campaign_models import Campaign
from storage.models import Unit

PREFIX = "th:"
UNIT_BUTTONS = 20  # per page


async def summary_command(update: Update, context: ThiduaContext) -> None:
    chat = update.effective_chat
    if chat is None:
        return
    t = context.t
    units = await units_in_scope(context.viewer, session=context.db)
    if not units:
        await send_text(
            context,
            chat.id,
            t("Only emulation officers, bloc heads and administrators can see this."),
        )
        return
    campaigns = [
        c for c in await campaign_store.all_campaigns(session=context.db) if c.status in RUNNING
    ]
    if not campaigns:
        await send_text(context, chat.id, t("No campaign is running."))
        return
    if len(campaigns) > 1:
        rows = [
            [InlineKeyboardButton(c.name[:60], callback_data=f"{PREFIX}c:{c.id}:0:0")]
            for c in campaigns
        ]
        await send_text(
            context, chat.id, t("Which campaign?"), reply_markup=InlineKeyboardMarkup(rows)
        )
        return
    await _overview(context, chat.id, campaigns[0], units, 0)


async def on_press(update: Update, context: ThiduaContext) -> None:
    query = update.callback_query
    if query is None:
        return
    t = context.t
    parts = (query.data or "").removeprefix(PREFIX).split(":")
    ids = [int(p) for p in parts[1:] if p.isdigit() and len(p) < 12]
    levels = ("c", "b", "u", *(f"{kind}{level}" for kind in EXPORTS for level in "cbu"))
    if len(parts) != 4 or len(ids) != 3 or parts[0] not in levels:
        await query.answer(t("This button is no longer valid."), show_alert=True)
        return
    units = await units_in_scope(context.viewer, session=context.db)
    if not units:
        refusal = t("Only emulation officers, bloc heads and administrators can see this.")
        await refuse_press(query, refusal, refused="summary")
        return
    campaign = await campaign_store.get_campaign(ids[0], session=context.db)
    if campaign is None:
        await query.answer(t("This button is no longer valid."), show_alert=True)
        return
    chat_id = query.from_user.id
    level, target, page = parts[0], ids[1], ids[2]
    if level[0] in EXPORTS:
        chosen = _chosen(level[1], target, units)
        if not chosen and level[1] == "u":
            await refuse_press(query, t("You do not manage this unit."), refused="unit")
            return
        if not chosen:
            await refuse_press(query, t("You may not see this bloc."), refused="bloc")
            return
        await query.answer(t("Preparing the file…"))
        await _export(context, chat_id, campaign, chosen, level[0])
        return
    if level == "c":
        await query.answer()
        await _overview(context, chat_id, campaign, units, page)
        return
    if level == "b":
        chosen = [u for u in units if u.bloc_id == target]
        if not chosen:
            await refuse_press(query, t("You may not see this bloc."), refused="bloc")
            return
        await query.answer()
        await _units(context, chat_id, campaign, chosen, page, f"{PREFIX}b:{campaign.id}:{target}")
        return
    unit = next((u for u in units if u.id == target), None)
    if unit is None:
        await refuse_press(query, t("You do not manage this unit."), refused="unit")
        return
    await query.answer()
    await _members(context, chat_id, campaign, unit, page)


EXPORTS = {"x": "xlsx", "w": "docx", "g": "png"}


def _chosen(level: str, target: int, units: list[Unit]) -> list[Unit]:
    """The units an export covers, within the person's scope (a forged id gives none)."""
    if level == "b":
        return [u for u in units if u.bloc_id == target]
    if level == "u":
        return [u for u in units if u.id == target]
    return units


def _export_row(
    campaign_id: int, level: str, target: int, t: Translator
) -> list[InlineKeyboardButton]:
    labels = {"x": t("📥 Excel"), "w": t("📄 Word report"), "g": t("📊 Chart")}
    return [
        InlineKeyboardButton(
            labels[kind], callback_data=f"{PREFIX}{kind}{level}:{campaign_id}:{target}:0"
        )
        for kind in EXPORTS
    ]


async def _export(
    context: ThiduaContext, chat_id: int, campaign: Campaign, units: list[Unit], kind: str
) -> None:
    """Build the file for these units and send it as a document."""
    t = context.t
    summary = await _summary(context, chat_id, campaign, units)
    today = flow_env(context, chat_id).today
    scope = ", ".join(b.name for b in summary.blocs) if len(units) > 1 else units[0].name
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"tong-hop-{campaign.id}.{EXPORTS[kind]}"
        if kind == "x":
            await write_summary_xlsx(path, campaign, summary, session=context.db, t=t)
        elif kind == "w":
            await asyncio.to_thread(
                write_registration_report,
                path,
                campaign,
                summary,
                scope_name=scope,
                issuer=t("EMULATION AND COMMENDATION COUNCIL"),
                place=context.app.services.settings.place,
                today=today,
                t=t,
            )
        else:
            path.write_bytes(await asyncio.to_thread(registration_chart_png, summary, t))
        caption = t("📎 {campaign} — {scope}", campaign=escape(campaign.name), scope=escape(scope))
        await send_upload(context, chat_id, path.read_bytes(), path.name, caption)


async def _summary(
    context: ThiduaContext, chat_id: int, campaign: Campaign, units: list[Unit]
) -> CampaignSummary:
    return await summarise(campaign, units, flow_env(context, chat_id).today, session=context.db)


async def _overview(
    context: ThiduaContext, chat_id: int, campaign: Campaign, units: list[Unit], page: int
) -> None:
    """Admins: one line per bloc and the total; others: their units."""
    t = context.t
    if not context.viewer.is_admin:
        await _units(context, chat_id, campaign, units, page, f"{PREFIX}c:{campaign.id}:0")
        return
    env = flow_env(context, chat_id)
    age = timedelta(seconds=2 * context.app.services.settings.summary_refresh_seconds)
    summary = await summarise(campaign, units, env.today, session=context.db, recent=(env.now, age))
    lines = heading(summary, t("the whole organisation"), t)
    if summary.as_of is not None:
        moment = t.datetime(summary.as_of.astimezone(env.tz))
        lines.append(t("Figures of the busiest units as of {moment}.", moment=moment))
    lines += ["", figures_line(t("Total"), summary.figures, summary, t), ""]
    lines += [figures_line(bloc.name, bloc.figures, summary, t) for bloc in summary.blocs]
    rows = [
        [
            InlineKeyboardButton(
                bloc.name[:60], callback_data=f"{PREFIX}b:{campaign.id}:{bloc.bloc_id or 0}:0"
            )
        ]
        for bloc in summary.blocs
    ]
    await _send_page(context, chat_id, lines, 0, rows, None, t)


async def _units(
    context: ThiduaContext,
    chat_id: int,
    campaign: Campaign,
    units: list[Unit],
    page: int,
    base: str,
) -> None:
    t = context.t
    summary = await _summary(context, chat_id, campaign, units)
    today = flow_env(context, chat_id).today
    scope = ", ".join(b.name for b in summary.blocs) if summary.blocs else ""
    lines = [*heading(summary, scope, t), ""]
    listed = [
        (u, unit_line(u, summary, u.is_late(campaign, summary.milestone, today), t))
        for u in summary.units
    ]
    lines += [line for _, line in listed]
    lines += ["", figures_line(t("Total"), summary.figures, summary, t)]
    all_pages = pages(lines)
    page = min(max(page, 0), len(all_pages) - 1)
    shown = set(all_pages[page])
    rows = [
        [
            InlineKeyboardButton(
                u.unit.name[:60], callback_data=f"{PREFIX}u:{campaign.id}:{u.unit.id}:0"
            )
        ]
        for u, line in listed
        if line in shown
    ][:UNIT_BUTTONS]
    bloc_ids = {u.bloc_id for u in units}
    if len(bloc_ids) == 1 and None not in bloc_ids:
        rows.append(_export_row(campaign.id or 0, "b", next(iter(bloc_ids)) or 0, t))
    else:
        rows.append(_export_row(campaign.id or 0, "c", 0, t))
    await _send_page(context, chat_id, lines, page, rows, base, t)


async def _members(
    context: ThiduaContext, chat_id: int, campaign: Campaign, unit: Unit, page: int
) -> None:
    t = context.t
    assert campaign.id is not None and unit.id is not None
    summary = await _summary(context, chat_id, campaign, [unit])
    today = flow_env(context, chat_id).today
    members = await member_rows(campaign.id, unit.id, summary.milestone, today, session=context.db)
    lines = [*heading(summary, unit.name, t), ""]
    if summary.units:
        lines.append(
            unit_line(
                summary.units[0],
                summary,
                summary.units[0].is_late(campaign, summary.milestone, today),
                t,
            )
        )
        lines.append("")
    lines += [member_line(index, row, t) for index, row in enumerate(members, start=1)]
    rows = [_export_row(campaign.id, "u", unit.id, t)]
    await _send_page(context, chat_id, lines, page, rows, f"{PREFIX}u:{campaign.id}:{unit.id}", t)


async def _send_page(
    context: ThiduaContext,
    chat_id: int,
    lines: list[str],
    page: int,
    rows: list[list[InlineKeyboardButton]],
    base: str | None,
    t: Translator,
) -> None:
    all_pages = pages(lines)
    page = min(max(page, 0), len(all_pages) - 1)
    text = "\n".join(all_pages[page])
    if len(all_pages) > 1 and base is not None:
        text += "\n\n" + t("Page {page} of {pages}", page=page + 1, pages=len(all_pages))
        nav = []
        if page > 0:
            nav.append(InlineKeyboardButton("◀", callback_data=f"{base}:{page - 1}"))
        if page + 1 < len(all_pages):
            nav.append(InlineKeyboardButton("▶", callback_data=f"{base}:{page + 1}"))
        rows = [*rows, nav]
    await send_text(
        context, chat_id, text, reply_markup=InlineKeyboardMarkup(rows) if rows else None
    )


def handlers() -> list[BaseHandler[Any, Any, Any]]:
    return [
        CommandHandler(["tonghop", "summary"], summary_command, filters=filters.ChatType.PRIVATE),
        CallbackQueryHandler(on_press, pattern=f"^{PREFIX}"),
    ]
