"""Campaign authoring, the end: the preview members would get, then launch, save, edit or cancel.

The preview is `launch_text` of what `create_campaign` stores (`bot.campaign_preview`),
so it reads exactly like the launch message. Saving goes through `create_campaign`, the same
path as the YAML file; launching then uses `bot.campaigns.launch` like `thidua campaign launch`.
"""

from html import escape

from bot.campaign_builder import create_campaign
from bot.campaign_file import CampaignFileError
from bot.campaign_preview import UNSAVED, preview_text
from bot.campaign_text import launch_buttons
from bot.chat_launch import launch_now
from bot.errors import UserFacingError
from bot.flow_engine import FlowEnv, FlowInput, FlowState, Outcome, Say, Step
from bot.flows import audience
from bot.flows.campaign_draft import (
    AUDIENCE,
    EDIT,
    KIND,
    MILESTONES,
    NAME,
    OPENS,
    PERIOD_START,
    PREVIEW,
    SLOGAN,
    TARGETS,
    TITLES,
    Draft,
    first_gap,
    to_spec,
)
from bot.flows.campaign_plan import attach_document
from bot.flows.widgets import Rows
from bot.i18n import N_, Translator
from storage import campaigns as campaign_store
from storage.campaign_models import Campaign, CampaignDocument

NOBODY_REACHABLE = N_(
    "Nobody in this campaign's audience can be reached yet ({count} people, none linked to "
    "Telegram). Invite them first."
)


def problems_text(t: Translator, error: CampaignFileError) -> str:
    lines = [t("⚠️ The campaign cannot be saved yet:")]
    lines += [
        "• " + t(p.message, **{k: escape(v) for k, v in p.params.items()}) for p in error.problems
    ]
    lines.append(t("Press ✏️ Edit to fix it."))
    return "\n".join(lines)


def _demo_buttons(state: FlowState, t: Translator) -> Rows:
    """The launch message's own buttons, answering "this is a preview" instead of acting."""
    return [
        [state.button(button.text, "demo") for button in row]
        for row in launch_buttons(UNSAVED, t).inline_keyboard
    ]


async def _actions(state: FlowState, env: FlowEnv) -> Say:
    t = env.t
    draft = Draft.of(state)
    lines = await audience.preview_lines(state.data, t, env.session)
    if draft.documents:
        names = ", ".join(escape(name) for _file_id, name in draft.documents)
        lines.append(t("Documents sent before it: {names}", names=names))
    rows = [
        [state.button(t("🚀 Launch now"), "go"), state.button(t("💾 Save as draft"), "save")],
        [state.button(t("✏️ Edit"), "edit"), state.button(t("✖️ Cancel"), "x")],
    ]
    return Say("\n".join(lines), rows)


async def _preview_prompt(state: FlowState, env: FlowEnv) -> list[Say]:
    t = env.t
    draft = Draft.of(state)
    try:
        spec = await to_spec(draft, env.session)
        text = await preview_text(spec, t, created_by=env.user_id, session=env.session)
    except CampaignFileError as exc:
        return [Say(problems_text(t, exc), [[state.button(t("✏️ Edit"), "edit")]])]
    documents = [Say("", document=file_id) for file_id, _name in draft.documents]
    launch = Say(text, _demo_buttons(state, t))
    return [*documents, launch, await _actions(state, env)]


async def _store(state: FlowState, env: FlowEnv) -> Campaign:
    """Create the draft campaign and its plan documents; CampaignFileError if it cannot be."""
    draft = Draft.of(state)
    spec = await to_spec(draft, env.session)
    campaign = await create_campaign(spec, created_by=env.user_id, session=env.session)
    assert campaign.id is not None
    documents = [
        CampaignDocument(campaign_id=campaign.id, file_name=name, telegram_file_id=file_id)
        for file_id, name in draft.documents
    ]
    await campaign_store.add(documents, session=env.session)
    return campaign


async def _preview_button(state: FlowState, value: str, env: FlowEnv) -> Outcome:
    t = env.t
    if value == "demo":
        return Outcome(
            answer=t("This is a preview: members will get these buttons."), reprompt=False
        )
    if value == "edit":
        return Outcome(goto=EDIT)
    if value == "x":
        return Outcome(end=True, say=[Say(t("Cancelled. Nothing was saved."))])
    if value not in ("go", "save") or first_gap(Draft.of(state)) is not None:
        return Outcome(answer=t("This button is no longer valid."), reprompt=False)
    if value == "go":
        reach = await audience.reach(state.data, env.session)
        if reach is None or not reach.recipients:
            refusal = t(NOBODY_REACHABLE, count=t.number(len(reach.members) if reach else 0))
            hint = t("Save it as a draft, or change the audience with ✏️ Edit.")
            return Outcome(say=[Say(f"⚠️ {refusal}\n{hint}")], reprompt=False)
    try:
        campaign = await _store(state, env)
    except CampaignFileError as exc:
        return Outcome(say=[Say(problems_text(t, exc))], reprompt=False)
    if value == "save":
        text = t(
            "💾 Saved as a draft: <b>{name}</b>. Launch it later from /phongtrao.",
            name=escape(campaign.name),
        )
        return Outcome(end=True, say=[Say(text)])
    try:
        text = await launch_now(campaign, env)
    except UserFacingError as exc:
        reason = t(exc.message, **exc.params)
        text = t("💾 Saved as a draft, but not launched: {reason}", reason=reason)
    return Outcome(end=True, say=[Say(text)])


async def _preview_input(state: FlowState, received: FlowInput, env: FlowEnv) -> Outcome:
    if received.document:
        return Outcome(
            say=[attach_document(state, received, env), await _actions(state, env)],
            reprompt=False,
        )
    hint = env.t("Please choose with the buttons, or send the plan (kế hoạch) as a document.")
    return Outcome(say=[Say(hint), await _actions(state, env)], reprompt=False)


# --- ✏️ Edit: go back to a section; what was entered stays --------------------------------------


async def _edit_prompt(state: FlowState, env: FlowEnv) -> list[Say]:
    t = env.t
    copying = Draft.of(state).copy_from is not None

    rows: Rows = [
        [state.button(t("Name"), NAME), state.button(t("Slogan"), SLOGAN)],
        [state.button(t("Kind"), KIND), state.button(t("Period"), PERIOD_START)],
        [state.button(t("Registration"), OPENS), state.button(t("Milestones"), MILESTONES)],
        [state.button(t("Audience"), AUDIENCE), state.button(t("Titles and forms"), TITLES)],
    ]
    if not copying:
        rows.append([state.button(t("Targets"), TARGETS)])
    rows.append([state.button(t("↩️ Back to the preview"), PREVIEW)])
    text = t("✏️ What do you want to change? Everything else stays as it is.")
    return [Say(text, rows)]


EDITABLE = {NAME, SLOGAN, KIND, PERIOD_START, OPENS, MILESTONES, AUDIENCE, TITLES, TARGETS}


async def _edit_button(state: FlowState, value: str, env: FlowEnv) -> Outcome:
    draft = Draft.of(state)
    if value == PREVIEW:
        return Outcome(goto=PREVIEW)
    if value not in EDITABLE or (value == TARGETS and draft.copy_from is not None):
        return Outcome(answer=env.t("This button is no longer valid."), reprompt=False)
    draft.editing = True
    draft.page = 0
    audience.state_of(state.data).update(picking=False, page=0)
    return Outcome(goto=value)


def steps() -> tuple[Step, ...]:
    return (
        Step(PREVIEW, _preview_prompt, _preview_input, _preview_button),
        Step(EDIT, _edit_prompt, None, _edit_button),
    )
