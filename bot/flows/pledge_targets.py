"""Pledge steps 4–5: a planned value for each target of the campaign, the member's own
targets, and the free-text commitment.

Values are checked by `bot.pledge_values` (Vietnamese numbers, 0–100 percentages, có/không,
text lengths); a refusal says what is expected with an example and asks the same target again.
"""

from html import escape

from bot.campaign_file import parse_vn_number
from bot.errors import UserFacingError
from bot.flow_engine import FlowEnv, FlowInput, FlowState, Outcome, Say, Step
from bot.flows import pledge_draft as draft
from bot.flows.widgets import Rows
from bot.i18n import Translator
from bot.pledge_values import check_commitment, parse_target_value, parse_yes_no, shape_of
from storage.campaign_models import TargetTemplate, TargetType

KEEP, SKIP, DONE, CLEAR = "keep", "skip", "done", "clear"


def _keep_row(state: FlowState, t: Translator, shown: str | None) -> Rows:
    if not shown:
        return []
    return [[state.button(t("↩️ Keep: {value}", value=shown[:40]), KEEP)]]


# --- 4a. the campaign's targets --------------------------------------------------------------


async def _current(state: FlowState, env: FlowEnv) -> tuple[TargetTemplate, int, int] | None:
    found = await draft.templates(state, env)
    index = int(state.data.get("idx") or 0)
    if not 0 <= index < len(found):
        return None
    return found[index], index, len(found)


def _expected(template: TargetTemplate, t: Translator) -> str:
    if template.type is TargetType.PERCENT:
        return t("Type a percentage from 0 to 100, e.g. 85%.")
    if template.type is TargetType.YES_NO:
        return t("Press Yes or No (or type có / không).")
    if template.type is TargetType.TEXT:
        return t(
            "Type the target in words, at most {max} characters.",
            max=template.max_length or 500,
        )
    return t("Type the planned number, e.g. 12, 1.000 or 2,5.")


async def _values_prompt(state: FlowState, env: FlowEnv) -> list[Say]:
    t = env.t
    found = await _current(state, env)
    if found is None:
        return [Say(t("The campaign's targets changed; send /huy and start again."))]
    template, index, total = found
    unit = f" ({escape(template.unit)})" if template.unit else ""
    lines = [
        t("<b>Target {number} of {total}</b>", number=index + 1, total=total),
        f"<b>{escape(template.label)}</b>{unit}",
        _expected(template, t),
    ]
    kept = draft.values(state).get(str(template.id))
    rows: Rows = []
    if template.type is TargetType.YES_NO:
        rows.append(
            [state.button(t("✅ Yes"), f"yes:{index}"), state.button(t("❌ No"), f"no:{index}")]
        )
    if kept is not None:
        value = parse_target_value(shape_of(template), kept)
        shown = draft.value_text(value, t)[:40]
        rows.append([state.button(t("↩️ Keep: {value}", value=shown), f"{KEEP}:{index}")])
    if not template.required:
        rows.append([state.button(t("⏭ Skip"), f"{SKIP}:{index}")])
    return [Say("\n".join(lines), rows)]


async def _next_target(state: FlowState, env: FlowEnv, index: int) -> Outcome:
    total = len(await draft.templates(state, env))
    if index + 1 < total:
        state.data["idx"] = index + 1
        return Outcome(goto=draft.VALUES, reprompt=True)
    state.data["idx"] = 0
    return Outcome(goto=draft.after(state, draft.VALUES))


async def _values_input(state: FlowState, received: FlowInput, env: FlowEnv) -> Outcome:
    t = env.t
    found = await _current(state, env)
    if found is None:
        return Outcome(goto=draft.after(state, draft.VALUES))
    template, index, _ = found
    text, refused = draft.typed_text(received, t, _expected(template, t))
    if text is None:
        return refused
    try:
        parse_target_value(shape_of(template), text)
    except UserFacingError as exc:
        return draft.refusal(t, exc)
    draft.values(state)[str(template.id)] = text.strip()
    return await _next_target(state, env, index)


async def _values_button(state: FlowState, value: str, env: FlowEnv) -> Outcome:
    """`yes:<i>`, `no:<i>`, `keep:<i>`, `skip:<i>`: a button of an earlier target is refused."""
    found = await _current(state, env)
    if found is None:
        return Outcome(goto=draft.after(state, draft.VALUES))
    template, index, _ = found
    action, _, number = value.partition(":")
    typed = draft.values(state)
    key = str(template.id)
    if number != str(index):
        action = ""
    if action in ("yes", "no") and template.type is TargetType.YES_NO:
        typed[key] = action
    elif action == SKIP and not template.required:
        typed.pop(key, None)
    elif action != KEEP or key not in typed:
        return Outcome(answer=env.t("This button is no longer valid."), reprompt=False)
    return await _next_target(state, env, index)


# --- 4b. the member's own targets ------------------------------------------------------------


async def _own_prompt(state: FlowState, env: FlowEnv) -> list[Say]:
    t = env.t
    own = draft.own_targets(state)
    lines = [
        t("<b>Your own targets</b> (optional)"),
        t("To add one, type: name | unit | planned value"),
        t("e.g. Số bài viết tuyên truyền | bài | 4"),
        t("Press Done when you have none (more)."),
    ]
    if own:
        lines.append(t("Added:"))
        for entry in own:
            value = parse_target_value(draft.own_shape(entry), entry["raw"])
            lines.append(draft.target_line(value, t))
    rows = [[state.button(t("✔️ Done"), DONE)]]
    if own:
        rows.append([state.button(t("🗑 Remove my own targets"), CLEAR)])
    return [Say("\n".join(lines), rows)]


def _kind_of(unit: str, raw: str) -> TargetType:
    """A member's target takes the type its value shows: 85% or a % unit, a number, có/không."""
    if unit.strip() == "%" or raw.strip().endswith("%"):
        return TargetType.PERCENT
    try:
        parse_vn_number(raw)
    except ValueError:
        pass
    else:
        return TargetType.NUMBER
    try:
        parse_yes_no(raw)
    except UserFacingError:
        return TargetType.TEXT
    return TargetType.YES_NO


async def _own_input(state: FlowState, received: FlowInput, env: FlowEnv) -> Outcome:
    t = env.t
    expected = t(
        "Type a target as: name | unit | planned value, e.g. Số bài viết tuyên truyền | bài | 4; "
        "or press Done."
    )
    text, refused = draft.typed_text(received, t, expected)
    if text is None:
        return refused
    own = draft.own_targets(state)
    if len(own) >= draft.MAX_OWN_TARGETS:
        return Outcome(say=[Say("⚠️ " + t("At most {max} own targets.", max=draft.MAX_OWN_TARGETS))])
    parts = [part.strip() for part in text.split("|")]
    if len(parts) != 3:
        return Outcome(say=[Say("⚠️ " + expected)])
    label, unit, raw = parts
    entry = {"label": label, "unit": unit, "type": _kind_of(unit, raw).value, "raw": raw}
    try:
        parse_target_value(draft.own_shape(entry), raw)
    except UserFacingError as exc:
        return draft.refusal(t, exc)
    own.append(entry)
    return Outcome()


async def _own_button(state: FlowState, value: str, env: FlowEnv) -> Outcome:
    if value == CLEAR:
        state.data["own"] = []
        return Outcome()
    if value != DONE:
        return Outcome(answer=env.t("This button is no longer valid."), reprompt=False)
    return Outcome(goto=draft.after(state, draft.OWN))


# --- 5. commitment ---------------------------------------------------------------------------


async def _commitment_prompt(state: FlowState, env: FlowEnv) -> list[Say]:
    t = env.t
    kept = str(state.data.get("commitment") or "")
    text = "\n".join(
        [
            t("<b>Your commitment</b> (nội dung cam kết, optional)"),
            t("Type it in a few lines, e.g. Hoàn thành xuất sắc nhiệm vụ được giao; or skip."),
        ]
    )
    rows = [*_keep_row(state, t, kept), [state.button(t("⏭ Skip"), SKIP)]]
    return [Say(text, rows)]


async def _commitment_input(state: FlowState, received: FlowInput, env: FlowEnv) -> Outcome:
    t = env.t
    text, refused = draft.typed_text(received, t, t("Type your commitment as a message, or skip."))
    if text is None:
        return refused
    try:
        state.data["commitment"] = check_commitment(text)
    except UserFacingError as exc:
        return draft.refusal(t, exc)
    return Outcome(goto=draft.SUMMARY)


async def _commitment_button(state: FlowState, value: str, env: FlowEnv) -> Outcome:
    if value == SKIP:
        state.data["commitment"] = ""
    elif value != KEEP:
        return Outcome(answer=env.t("This button is no longer valid."), reprompt=False)
    return Outcome(goto=draft.SUMMARY)


def steps() -> tuple[Step, ...]:
    return (
        Step(draft.VALUES, _values_prompt, _values_input, _values_button),
        Step(draft.OWN, _own_prompt, _own_input, _own_button),
        Step(draft.COMMITMENT, _commitment_prompt, _commitment_input, _commitment_button),
    )
