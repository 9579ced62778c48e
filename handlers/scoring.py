"""/chamdiem: bloc scoring in chat (see docs/scoring.md).

An officer sees their unit's sheet and self-scores through a flow; the bloc head sees the bloc's
units with totals, drills into one, adjusts a score (with a reason, through a flow), publishes,
and sees the ranking with the suggested leading unit. Buttons carry `cd:<action>:<ids>`, and
every press is authorised again: a forged id for another unit or bloc is refused.
"""

from typing import Any

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from bot import scoring
from bot.context import ThiduaContext
from bot.errors import UserFacingError
from bot.flow_engine import Say
from bot.flows import scoring_adjust, scoring_self
from bot.flows import scoring_common as common
from bot.refusals import refuse_press
from bot.replies import send_text
from handlers.flows import flow_env, send_say, shared_engine
from storage import org as org_store
from storage import scoring as store
from storage.models import Unit
from storage.scoring_models import ScoringSheet, SheetStatus

PREFIX = common.PREFIX
# action → how many ids: s bloc overview, u a unit's sheet, e self-score, a adjust,
# p publish (asks), P publish (confirmed), r ranking
ACTIONS = {"s": 1, "u": 2, "e": 2, "a": 2, "p": 1, "P": 1, "r": 1}


async def scoring_command(update: Update, context: ThiduaContext) -> None:
    chat = update.effective_chat
    if chat is None:
        return
    t = context.t
    viewer = context.viewer
    if not (viewer.is_admin or viewer.bloc_ids_led() or viewer.unit_ids_managed()):
        await send_text(
            context,
            chat.id,
            t("Only emulation officers, bloc heads and administrators can see this."),
        )
        return
    led = await store.sheets_of_blocs(
        None if viewer.is_admin else viewer.bloc_ids_led(), session=context.db
    )
    own_units = await org_store.units_by_ids(viewer.unit_ids_managed(), session=context.db)
    own_blocs = {unit.bloc_id for unit in own_units if unit.bloc_id is not None}
    choices: list[tuple[str, str, ScoringSheet, Unit | None]] = []
    for sheet in led:
        choices.append((sheet.title, f"s:{sheet.id}", sheet, None))
    for sheet in await store.sheets_of_blocs(own_blocs, session=context.db):
        for unit in own_units:
            if unit.bloc_id == sheet.bloc_id and not scoring.may_lead(viewer, sheet.bloc_id):
                choices.append(
                    (f"{unit.name} — {sheet.title}", f"u:{sheet.id}:{unit.id}", sheet, unit)
                )
    if not choices:
        await send_text(context, chat.id, t("There is no scoring sheet for you yet."))
        return
    if len(choices) == 1:
        _, _, only_sheet, only_unit = choices[0]
        await send_say(context, chat.id, await _view(context, only_sheet, only_unit))
        return
    rows = [
        [InlineKeyboardButton(label[:60], callback_data=PREFIX + data)]
        for label, data, _, _ in choices
    ]
    await send_text(
        context, chat.id, t("Which scoring sheet?"), reply_markup=InlineKeyboardMarkup(rows)
    )


async def _view(context: ThiduaContext, sheet: ScoringSheet, unit: Unit | None) -> Say:
    if unit is None:
        return await common.bloc_view(sheet, context.viewer, context.t, session=context.db)
    return await common.unit_view(sheet, unit, context.viewer, context.t, session=context.db)


async def on_press(update: Update, context: ThiduaContext) -> None:
    query = update.callback_query
    chat = update.effective_chat
    if query is None or chat is None:
        return
    t = context.t
    parts = (query.data or "").removeprefix(PREFIX).split(":")
    action = parts[0]
    numbers = [int(part) for part in parts[1:] if part.isdigit() and len(part) < 12]
    expected = ACTIONS.get(action)
    sheet = await store.get_sheet(numbers[0], session=context.db) if numbers else None
    if expected is None or len(numbers) != expected or len(parts) != expected + 1 or sheet is None:
        await query.answer(t("This button is no longer valid."), show_alert=True)
        return
    if expected == 2:
        await _unit_press(query, context, chat.id, action, sheet, numbers[1])
        return
    if action == "r":
        await _ranking_press(query, context, chat.id, sheet)
        return
    if not scoring.may_lead(context.viewer, sheet.bloc_id):
        await refuse_press(query, t("You do not lead this bloc."), refused="bloc")
        return
    if action == "s":
        await query.answer()
        await send_say(context, chat.id, await _view(context, sheet, None))
        return
    if sheet.status is SheetStatus.PUBLISHED:
        await query.answer(t(scoring.PUBLISHED), show_alert=True)
        return
    if action == "p":
        await _publish_ask(query, context, chat.id, sheet)
    else:
        await _publish_confirmed(query, context, chat.id, sheet)


async def _unit_press(
    query: CallbackQuery,
    context: ThiduaContext,
    chat_id: int,
    action: str,
    sheet: ScoringSheet,
    unit_id: int,
) -> None:
    t = context.t
    viewer = context.viewer
    unit = await org_store.get_unit(unit_id, session=context.db)
    if unit is None or not scoring.may_see_unit(viewer, unit, sheet):
        await refuse_press(query, t("You do not manage this unit."), refused="unit")
        return
    if action == "u":
        await query.answer()
        await send_say(context, chat_id, await _view(context, sheet, unit))
        return
    allowed = (
        scoring.may_self_score(viewer, unit, sheet)
        if action == "e"
        else scoring.may_lead(viewer, sheet.bloc_id)
    )
    if not allowed:
        refusal = (
            t("Only the unit's emulation officer scores its own sheet.")
            if action == "e"
            else t("Only the bloc head, the deputy or an administrator adjusts scores.")
        )
        await refuse_press(query, refusal, refused="unit score")
        return
    if sheet.status is SheetStatus.PUBLISHED:
        await query.answer(t(scoring.PUBLISHED), show_alert=True)
        return
    if sheet.status is not SheetStatus.OPEN:
        await query.answer(t(scoring.NOT_OPEN), show_alert=True)
        return
    await query.answer()
    name = scoring_self.NAME_OF_FLOW if action == "e" else scoring_adjust.NAME_OF_FLOW
    data = {common.SHEET_KEY: sheet.id, common.UNIT_KEY: unit.id}
    reply = await shared_engine().start(name, flow_env(context, chat_id), data=data)
    for say in reply.messages:
        await send_say(context, chat_id, say)


async def _ranking_press(
    query: CallbackQuery, context: ThiduaContext, chat_id: int, sheet: ScoringSheet
) -> None:
    """Leaders see it any time; the bloc's officers once it is published."""
    t = context.t
    viewer = context.viewer
    own = await org_store.units_by_ids(viewer.unit_ids_managed(), session=context.db)
    in_bloc = any(unit.bloc_id == sheet.bloc_id for unit in own)
    published = sheet.status is SheetStatus.PUBLISHED
    if not (scoring.may_lead(viewer, sheet.bloc_id) or (in_bloc and published)):
        await refuse_press(query, t("You do not lead this bloc."), refused="bloc")
        return
    await query.answer()
    await send_say(context, chat_id, await common.ranking_view(sheet, t, session=context.db))


async def _publish_ask(
    query: CallbackQuery, context: ThiduaContext, chat_id: int, sheet: ScoringSheet
) -> None:
    t = context.t
    if not scoring.may_publish(context.viewer, sheet.bloc_id):
        await refuse_press(
            query,
            t("Only the bloc head or an administrator publishes the result."),
            refused="publish",
        )
        return
    await query.answer()
    ranking = await common.ranking_view(sheet, t, session=context.db)
    text = ranking.text + "\n\n" + t("Publish this result? Afterwards no score can be changed.")
    button = InlineKeyboardButton(t("📢 Yes, publish"), callback_data=f"{PREFIX}P:{sheet.id}")
    await send_text(context, chat_id, text, reply_markup=InlineKeyboardMarkup([[button]]))


async def _publish_confirmed(
    query: CallbackQuery, context: ThiduaContext, chat_id: int, sheet: ScoringSheet
) -> None:
    t = context.t
    assert sheet.id is not None
    try:
        published = await scoring.publish(sheet.id, viewer=context.viewer, session=context.db)
    except UserFacingError as exc:
        await query.answer(t(exc.message, **exc.params), show_alert=True)
        return
    await query.answer(t("📢 Published."))
    await send_text(context, chat_id, t("📢 Published: the result is locked."))
    await send_say(context, chat_id, await common.ranking_view(published, t, session=context.db))


def handlers() -> list[BaseHandler[Any, Any, Any]]:
    return [
        CommandHandler(["chamdiem", "scoring"], scoring_command, filters=filters.ChatType.PRIVATE),
        CallbackQueryHandler(on_press, pattern=f"^{PREFIX}"),
    ]
