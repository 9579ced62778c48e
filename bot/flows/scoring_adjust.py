"""✏️ Adjusting a unit's score: the bloc head chooses a criterion, types the final points and a
mandatory reason; the unit's officer is told through the outbox, reason included.

Every step re-checks that the person still leads the sheet's bloc and that it is still open.
"""

from decimal import Decimal
from html import escape

from sqlalchemy.ext.asyncio import AsyncSession

from bot import scoring
from bot.access import Viewer
from bot.errors import UserFacingError
from bot.flow_engine import Flow, FlowEnv, FlowInput, FlowState, Outcome, Say, Step
from bot.flows import scoring_common as common
from bot.i18n import N_, Catalogs
from bot.user_language import translator_for
from storage import outbox as outbox_store
from storage import people
from storage import scoring as store
from storage.models import Unit
from storage.scoring_models import ScoreEvent, ScoringCriterion, ScoringSheet, SheetStatus

NAME_OF_FLOW = "scoring_adjust"
CHOOSE, POINTS, REASON = "sca", "scv", "scr"


def may_lead_any(viewer: Viewer) -> bool:
    return viewer.is_admin or bool(viewer.bloc_ids_led())


async def _checked(state: FlowState, env: FlowEnv) -> common.Place | Outcome:
    t = env.t
    place = await common.place_of(state, env)
    if place is None or not scoring.may_lead(env.viewer, place.sheet.bloc_id):
        return Outcome(end=True, say=[Say(t("You do not lead this bloc."))])
    if place.sheet.status is SheetStatus.PUBLISHED:
        return Outcome(end=True, say=[Say(t(scoring.PUBLISHED))], answer=t(scoring.PUBLISHED))
    if place.sheet.status is not SheetStatus.OPEN:
        return Outcome(end=True, say=[Say(t(scoring.NOT_OPEN))])
    return place


async def _choose_prompt(state: FlowState, env: FlowEnv) -> list[Say]:
    t = env.t
    place = await common.place_of(state, env)
    if place is None:
        return [Say(t("This button is no longer valid."))]
    view = await scoring.unit_sheet(place.sheet, place.unit, session=env.session)
    rows = [[common.criterion_button(state, criterion)] for criterion, _ in view.lines]
    text = t(
        "✏️ {unit}: which criterion do you adjust? (/huy to stop)", unit=escape(place.unit.name)
    )
    return [Say(text, rows)]


async def _choose(state: FlowState, value: str, env: FlowEnv) -> Outcome:
    return await common.choose_criterion(state, value, env, await _checked(state, env), POINTS)


async def _points_prompt(state: FlowState, env: FlowEnv) -> list[Say]:
    t = env.t
    place = await common.place_of(state, env)
    criterion = await common.chosen_criterion(state, env, place.sheet) if place else None
    if place is None or criterion is None or criterion.id is None or place.unit.id is None:
        return [Say(t("This button is no longer valid."))]
    score = await store.score_of(criterion.id, place.unit.id, session=env.session)
    lines = [
        common.criterion_line(t, criterion),
        t(
            "self: {own} · final: {final}",
            own=common.points(t, score.self_points if score else None),
            final=common.points(t, scoring.effective(score)),
        ),
        t("Type the final points (for example 18 or 2,5). (/huy to stop)"),
    ]
    return [Say("\n".join(lines))]


async def _points(state: FlowState, received: FlowInput, env: FlowEnv) -> Outcome:
    checked = await _checked(state, env)
    if isinstance(checked, Outcome):
        return checked
    return await common.take_points(state, received, env, checked.sheet, then=REASON, back=CHOOSE)


async def _reason_prompt(state: FlowState, env: FlowEnv) -> list[Say]:
    t = env.t
    return [Say(t("Write the reason for the adjustment; the unit will read it. (/huy to stop)"))]


async def _reason(state: FlowState, received: FlowInput, env: FlowEnv) -> Outcome:
    t = env.t
    checked = await _checked(state, env)
    if isinstance(checked, Outcome):
        return checked
    if not received.is_text or not (received.text or "").strip():
        return Outcome(say=[Say(t("Please type the reason as a text message."))], reprompt=False)
    assert checked.sheet.id is not None and checked.unit.id is not None
    try:
        score, event = await scoring.adjust(
            checked.sheet.id,
            int(state.data.get(common.CRITERION_KEY, 0)),
            checked.unit.id,
            Decimal(str(state.data.get(common.POINTS_KEY, "0"))),
            viewer=env.viewer,
            reason=received.text or "",
            session=env.session,
        )
    except UserFacingError as exc:
        return Outcome(say=[Say("⚠️ " + t(exc.message, **exc.params))], reprompt=False)
    criterion = await store.get_criterion(score.criterion_id, session=env.session)
    assert criterion is not None
    await notify_unit(
        checked.sheet, checked.unit, criterion, event, catalogs=env.catalogs, session=env.session
    )
    env.wake_outbox()
    view = await common.unit_view(checked.sheet, checked.unit, env.viewer, t, session=env.session)
    done = t("✏️ Adjusted; {unit} is told, with your reason.", unit=escape(checked.unit.name))
    return Outcome(end=True, say=[Say(done), view])


async def notify_unit(
    sheet: ScoringSheet,
    unit: Unit,
    criterion: ScoringCriterion,
    event: ScoreEvent,
    *,
    catalogs: Catalogs,
    session: AsyncSession,
) -> int:
    """Tell the unit's officers their score changed, with the reason; once per event."""
    assert unit.id is not None and event.id is not None
    rows = []
    for user_id in await people.unit_officer_ids(unit.id, session=session):
        t = await translator_for(user_id, catalogs, session)
        text = t(
            "✏️ The bloc head adjusted {unit}'s score on “{criterion}” in “{sheet}”:"
            " {old} → {new}.\nReason: {reason}",
            unit=escape(unit.name),
            criterion=escape(f"{criterion.code}. {criterion.label}"),
            sheet=escape(sheet.title),
            old=common.points(t, event.old_points),
            new=common.points(t, event.new_points),
            reason=escape(event.reason or ""),
        )
        rows.append(
            {
                "dedupe_key": f"scoring:{event.id}:to{user_id}",
                "kind": "scoring",
                "campaign_id": sheet.campaign_id,
                "chat_id": user_id,
                "payload": {"method": "sendMessage", "text": text},
            }
        )
    return await outbox_store.enqueue(rows, session=session) if rows else 0


def scoring_adjust_flow() -> Flow:
    return Flow(
        name=NAME_OF_FLOW,
        title=N_("adjusting a score"),
        first_step=CHOOSE,
        steps=(
            Step(CHOOSE, _choose_prompt, None, _choose),
            Step(POINTS, _points_prompt, _points, None),
            Step(REASON, _reason_prompt, _reason, None),
        ),
        may_use=may_lead_any,
        refusal=N_("Only the bloc head, the deputy or an administrator adjusts scores."),
        explain_stale=common.explain_stale,
    )
