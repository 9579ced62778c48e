"""✍️ Self-scoring: the unit's officer chooses a criterion, types the points (Vietnamese numbers
such as 2,5), optionally adds a note or a photo/document as evidence, and it is saved.

A flow so the answers survive a restart. Every step re-checks that the person is still the
unit's officer and that the sheet is still open; after publication it says so and ends.
"""

from decimal import Decimal
from html import escape

from bot import scoring
from bot.access import Viewer
from bot.errors import UserFacingError
from bot.flow_engine import Flow, FlowEnv, FlowInput, FlowState, Outcome, Say, Step
from bot.flows import scoring_common as common
from bot.i18n import N_
from storage import scoring as store
from storage.scoring_models import SheetStatus

NAME_OF_FLOW = "scoring_self"
CHOOSE, POINTS, NOTE = "scc", "scp", "scn"
SKIP = "skip"


def may_self_score_any(viewer: Viewer) -> bool:
    return bool(viewer.unit_ids_managed())


async def _checked(state: FlowState, env: FlowEnv) -> common.Place | Outcome:
    """The flow's sheet and unit, or the outcome that ends the flow and says why."""
    t = env.t
    place = await common.place_of(state, env)
    if place is None or not scoring.may_self_score(env.viewer, place.unit, place.sheet):
        return Outcome(end=True, say=[Say(t("You do not manage this unit."))])
    if place.sheet.status is SheetStatus.PUBLISHED:
        return Outcome(end=True, say=[Say(t(scoring.PUBLISHED))], answer=t(scoring.PUBLISHED))
    if place.sheet.status is not SheetStatus.OPEN:
        return Outcome(end=True, say=[Say(t(scoring.NOT_OPEN))])
    return place


async def _choose_prompt(state: FlowState, env: FlowEnv) -> list[Say]:
    t = env.t
    place = await common.place_of(state, env)
    if place is None or place.sheet.id is None:
        return [Say(t("This button is no longer valid."))]
    criteria = await store.criteria_of(place.sheet.id, session=env.session)
    rows = [[common.criterion_button(state, criterion)] for criterion in criteria]
    text = t("✍️ {unit}: which criterion do you score? (/huy to stop)", unit=escape(place.unit.name))
    return [Say(text, rows)]


async def _choose(state: FlowState, value: str, env: FlowEnv) -> Outcome:
    return await common.choose_criterion(state, value, env, await _checked(state, env), POINTS)


async def _points_prompt(state: FlowState, env: FlowEnv) -> list[Say]:
    t = env.t
    place = await common.place_of(state, env)
    criterion = await common.chosen_criterion(state, env, place.sheet) if place else None
    if criterion is None:
        return [Say(t("This button is no longer valid."))]
    line = common.criterion_line(t, criterion)
    return [Say(line + "\n" + t("Type the points (for example 18 or 2,5). (/huy to stop)"))]


async def _points(state: FlowState, received: FlowInput, env: FlowEnv) -> Outcome:
    checked = await _checked(state, env)
    if isinstance(checked, Outcome):
        return checked
    return await common.take_points(state, received, env, checked.sheet, then=NOTE, back=CHOOSE)


async def _note_prompt(state: FlowState, env: FlowEnv) -> list[Say]:
    t = env.t
    text = t(
        "Add a note, or send a photo or document as evidence (its caption becomes the note)."
        " Or press “No note”."
    )
    return [Say(text, [[state.button(t("➡️ No note"), SKIP)]])]


async def _note(state: FlowState, received: FlowInput, env: FlowEnv) -> Outcome:
    if received.other is not None or not (received.text or received.photo or received.document):
        return Outcome(say=[Say(env.t("Please send text, a photo or a document."))], reprompt=False)
    evidence = received.photo or received.document
    return await _save(state, env, note=received.text, evidence=evidence)


async def _skip(state: FlowState, value: str, env: FlowEnv) -> Outcome:
    if value != SKIP:
        return Outcome(answer=env.t("This button is no longer valid."))
    return await _save(state, env, note=None, evidence=None)


async def _save(
    state: FlowState, env: FlowEnv, *, note: str | None, evidence: str | None
) -> Outcome:
    t = env.t
    checked = await _checked(state, env)
    if isinstance(checked, Outcome):
        return checked
    assert checked.sheet.id is not None and checked.unit.id is not None
    try:
        await scoring.self_score(
            checked.sheet.id,
            int(state.data.get(common.CRITERION_KEY, 0)),
            checked.unit.id,
            Decimal(str(state.data.get(common.POINTS_KEY, "0"))),
            viewer=env.viewer,
            note=note,
            evidence=evidence,
            session=env.session,
        )
    except UserFacingError as exc:
        return Outcome(end=True, say=[Say("⚠️ " + t(exc.message, **exc.params))])
    view = await common.unit_view(checked.sheet, checked.unit, env.viewer, t, session=env.session)
    return Outcome(end=True, say=[Say(t("✅ Score saved.")), view], answer=t("✅ Score saved."))


def scoring_self_flow() -> Flow:
    return Flow(
        name=NAME_OF_FLOW,
        title=N_("self-scoring"),
        first_step=CHOOSE,
        steps=(
            Step(CHOOSE, _choose_prompt, None, _choose),
            Step(POINTS, _points_prompt, _points, None),
            Step(NOTE, _note_prompt, _note, _skip),
        ),
        may_use=may_self_score_any,
        refusal=N_("Only the unit's emulation officer scores its own sheet."),
        explain_stale=common.explain_stale,
    )
