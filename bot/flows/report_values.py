"""Report step 1: for each target of the pledge, the cumulative value achieved so far.

The plan and the last reported value are shown; the member types the new total (checked like
at registration: Vietnamese numbers, 0–100 percentages, có/không, text lengths), or skips to
keep the last value. A total lower than the last one is asked again as a question (usually the
period's figure was typed instead of the running total) before it is kept.
"""

from html import escape

from bot.errors import UserFacingError
from bot.flow_engine import FlowEnv, FlowInput, FlowState, Outcome, Say, Step
from bot.flows import pledge_draft
from bot.flows import report_draft as draft
from bot.flows.widgets import Rows
from bot.i18n import Translator
from bot.reports import PreviousValue
from storage.campaign_models import TargetType

SKIP = "skip"


def after(state: FlowState, step: str) -> str:
    """The next step; back to the summary when the member came from ✏️."""
    if state.data.get("editing"):
        return draft.SUMMARY
    order = (draft.VALUES, draft.FILES, draft.NOTE, draft.SUMMARY)
    return order[order.index(step) + 1]


def _expected(previous: PreviousValue, t: Translator) -> str:
    kind = previous.target.type
    if kind is TargetType.PERCENT:
        return t("Type the percentage reached so far, from 0 to 100, e.g. 85%.")
    if kind is TargetType.YES_NO:
        return t("Press Yes or No (or type có / không).")
    if kind is TargetType.TEXT:
        return t("Describe in words what was achieved so far.")
    return t("Type the total achieved so far (cumulative), e.g. 12, 1.000 or 2,5.")


async def _current(state: FlowState, env: FlowEnv) -> tuple[list[PreviousValue], int]:
    found = await draft.targets(state, env, await draft.subject(state, env))
    index = int(state.data.get("idx") or 0)
    return found, index


async def _prompt(state: FlowState, env: FlowEnv) -> list[Say]:
    t = env.t
    try:
        found, index = await _current(state, env)
    except UserFacingError as exc:
        return [Say("⚠️ " + escape(t(exc.message, **exc.params)))]
    if not 0 <= index < len(found):
        return [Say(t("The pledge's targets changed; send /huy and start again."))]
    previous = found[index]
    target = previous.target
    unit = f" ({escape(target.unit)})" if target.unit else ""
    lines = [
        t("<b>Target {number} of {total}</b>", number=index + 1, total=len(found)),
        f"<b>{escape(target.label)}</b>{unit}",
        t("Pledged: {value}", value=escape(draft.shown_value(previous.planned, t))),
    ]
    if previous.last is not None:
        last = escape(draft.shown_value(previous.last, t))
        lines.append(t("Last reported: {value}", value=last))
    lines.append(_expected(previous, t))
    rows: Rows = []
    if target.type is TargetType.YES_NO:
        rows.append(
            [
                state.button(t("✅ Yes"), f"{draft.YES}:{index}"),
                state.button(t("❌ No"), f"{draft.NO}:{index}"),
            ]
        )
    typed = draft.values(state).get(str(target.id))
    if typed is not None:
        shown = draft.shown_value(draft.typed_value(previous, typed), t)[:40]
        rows.append([state.button(t("↩️ Keep: {value}", value=shown), f"keep:{index}")])
    skip = (
        t("⏭ Skip (keep {value})", value=draft.shown_value(previous.last, t)[:30])
        if previous.last is not None
        else t("⏭ Skip")
    )
    rows.append([state.button(skip, f"{SKIP}:{index}")])
    return [Say("\n".join(lines), rows)]


async def _next(state: FlowState, env: FlowEnv, index: int, total: int) -> Outcome:
    state.data.pop("pending", None)
    if index + 1 < total:
        state.data["idx"] = index + 1
        return Outcome(goto=draft.VALUES, reprompt=True)
    state.data["idx"] = 0
    return Outcome(goto=after(state, draft.VALUES))


def _is_lower(previous: PreviousValue, raw: str) -> bool:
    new = draft.typed_value(previous, raw)
    last = previous.last
    return (
        last is not None
        and last.number is not None
        and new.number is not None
        and new.number < last.number
    )


async def _accept(
    state: FlowState, env: FlowEnv, found: list[PreviousValue], index: int, raw: str
) -> Outcome:
    previous = found[index]
    if _is_lower(previous, raw):
        state.data["pending"] = raw
        return Outcome(goto=draft.DECREASE)
    draft.values(state)[str(previous.target.id)] = raw
    return await _next(state, env, index, len(found))


async def _input(state: FlowState, received: FlowInput, env: FlowEnv) -> Outcome:
    t = env.t
    try:
        found, index = await _current(state, env)
    except UserFacingError as exc:
        return Outcome(end=True, say=[Say("⚠️ " + escape(t(exc.message, **exc.params)))])
    if not 0 <= index < len(found):
        return Outcome(goto=after(state, draft.VALUES))
    text, refused = pledge_draft.typed_text(received, t, _expected(found[index], t))
    if text is None:
        return refused
    try:
        draft.typed_value(found[index], text)
    except UserFacingError as exc:
        return pledge_draft.refusal(t, exc)
    return await _accept(state, env, found, index, text.strip())


async def _button(state: FlowState, value: str, env: FlowEnv) -> Outcome:
    """`yes:<i>`, `no:<i>`, `keep:<i>`, `skip:<i>`; a button of another target is refused."""
    t = env.t
    try:
        found, index = await _current(state, env)
    except UserFacingError as exc:
        return Outcome(end=True, say=[Say("⚠️ " + escape(t(exc.message, **exc.params)))])
    action, _, number = value.partition(":")
    if not 0 <= index < len(found) or number != str(index):
        return Outcome(answer=t("This button is no longer valid."), reprompt=False)
    key = str(found[index].target.id)
    if action in (draft.YES, draft.NO) and found[index].target.type is TargetType.YES_NO:
        return await _accept(state, env, found, index, action)
    if action == SKIP:
        draft.values(state).pop(key, None)
        return await _next(state, env, index, len(found))
    if action == "keep" and key in draft.values(state):
        return await _next(state, env, index, len(found))
    return Outcome(answer=t("This button is no longer valid."), reprompt=False)


# --- a lower total: confirm or type again --------------------------------------------------------


async def _decrease_prompt(state: FlowState, env: FlowEnv) -> list[Say]:
    t = env.t
    found, index = await _current(state, env)
    raw = str(state.data.get("pending") or "")
    if not 0 <= index < len(found) or not raw:
        return [Say(t("The pledge's targets changed; send /huy and start again."))]
    previous = found[index]
    text = t(
        "⚠️ {value} is lower than the last reported total ({last}) for “{label}”. Values are"
        " cumulative: the total achieved since the start of the campaign. Keep {value}?",
        value=escape(draft.shown_value(draft.typed_value(previous, raw), t)),
        last=escape(draft.shown_value(previous.last, t)),
        label=escape(previous.target.label),
    )
    rows = [
        [state.button(t("✅ Yes, keep it"), f"y:{index}")],
        [state.button(t("✏️ Type it again"), f"n:{index}")],
    ]
    return [Say(text, rows)]


async def _decrease_button(state: FlowState, value: str, env: FlowEnv) -> Outcome:
    t = env.t
    found, index = await _current(state, env)
    action, _, number = value.partition(":")
    raw = str(state.data.get("pending") or "")
    if not 0 <= index < len(found) or number != str(index) or not raw:
        return Outcome(answer=t("This button is no longer valid."), reprompt=False)
    if action == "y":
        draft.values(state)[str(found[index].target.id)] = raw
        return await _next(state, env, index, len(found))
    state.data.pop("pending", None)
    return Outcome(goto=draft.VALUES)


async def _decrease_input(state: FlowState, received: FlowInput, env: FlowEnv) -> Outcome:
    """Typing a new value instead of pressing a button is taken as the new answer."""
    state.data.pop("pending", None)
    state.step = draft.VALUES
    return await _input(state, received, env)


def steps() -> tuple[Step, ...]:
    return (
        Step(draft.VALUES, _prompt, _input, _button),
        Step(draft.DECREASE, _decrease_prompt, _decrease_input, _decrease_button),
    )
