"""Pledge steps 1–3: the campaign (when several address the member), the title, the form.

Every choice is a button whose value is checked against what the campaign offers now, so a
forged or outdated id changes nothing.
"""

from html import escape

from bot.flow_engine import FlowEnv, FlowState, Outcome, Say, Step
from bot.flows import pledge_draft as draft
from bot.flows.pledge_start import addressed_campaigns, has_live_pledge
from bot.flows.widgets import parse_int, short
from storage.campaign_models import CatalogueKind

SKIP = "skip"


def _stale(env: FlowEnv) -> Outcome:
    return Outcome(answer=env.t("This button is no longer valid."), reprompt=False)


# --- 1. campaign -----------------------------------------------------------------------------


async def _campaign_prompt(state: FlowState, env: FlowEnv) -> list[Say]:
    t = env.t
    member = await draft.subject(state, env)
    found = await addressed_campaigns(member, env) if member else []
    rows = [[state.button(short(c.name), f"c:{c.id}")] for c in found]
    text = t("📝 <b>Register (đăng ký thi đua)</b>\nWhich campaign do you register for?")
    return [Say(text, rows)]


async def _campaign_button(state: FlowState, value: str, env: FlowEnv) -> Outcome:
    chosen = parse_int(value, "c:")
    member = await draft.subject(state, env)
    found = await addressed_campaigns(member, env) if member else []
    if chosen is None or chosen not in {c.id for c in found}:
        return _stale(env)
    state.data["campaign"] = chosen
    if await has_live_pledge(chosen, env):
        return Outcome(goto=draft.VIEW)
    return Outcome(goto=draft.TITLE)


# --- 2. title --------------------------------------------------------------------------------


async def _title_prompt(state: FlowState, env: FlowEnv) -> list[Say]:
    t = env.t
    campaign = await draft.open_campaign(state, env)
    titles = await draft.choices(state, env, CatalogueKind.TITLE)
    lines = [
        t("📝 <b>Register (đăng ký thi đua)</b>"),
        f"<i>{escape(campaign.name)}</i>" if campaign else "",
        t("Choose the title (danh hiệu) you register for:"),
    ]
    for item in titles:
        requirement = f" — {escape(item.requirement)}" if item.requirement else ""
        lines.append(f"• <b>{escape(item.name)}</b>{requirement}")
    lines.append(t("Send /huy at any time to cancel."))
    rows = [[state.button(short(item.name), f"t:{item.id}")] for item in titles]
    return [Say("\n".join(line for line in lines if line), rows)]


async def _title_button(state: FlowState, value: str, env: FlowEnv) -> Outcome:
    chosen = parse_int(value, "t:")
    titles = await draft.choices(state, env, CatalogueKind.TITLE)
    if chosen is None or chosen not in {item.id for item in titles}:
        return _stale(env)
    state.data["title"] = chosen
    if state.data.get("editing") or await draft.choices(state, env, CatalogueKind.AWARD):
        return Outcome(goto=draft.after(state, draft.TITLE))
    return Outcome(goto=await enter_values(state, env))


# --- 3. form of commendation -----------------------------------------------------------------


async def _award_prompt(state: FlowState, env: FlowEnv) -> list[Say]:
    t = env.t
    awards = await draft.choices(state, env, CatalogueKind.AWARD)
    text = t("Propose a form of commendation (hình thức khen thưởng), or skip:")
    rows = [[state.button(short(item.name), f"a:{item.id}")] for item in awards]
    rows.append([state.button(t("⏭ Skip"), SKIP)])
    return [Say(text, rows)]


async def _award_button(state: FlowState, value: str, env: FlowEnv) -> Outcome:
    if value == SKIP:
        state.data["award"] = None
    else:
        chosen = parse_int(value, "a:")
        awards = await draft.choices(state, env, CatalogueKind.AWARD)
        if chosen is None or chosen not in {item.id for item in awards}:
            return _stale(env)
        state.data["award"] = chosen
    if state.data.get("editing"):
        return Outcome(goto=draft.SUMMARY)
    return Outcome(goto=await enter_values(state, env))


async def enter_values(state: FlowState, env: FlowEnv) -> str:
    """Start the targets at the first one; straight on when the campaign has none."""
    state.data["idx"] = 0
    if await draft.templates(state, env):
        return draft.VALUES
    return draft.after(state, draft.VALUES)


def steps() -> tuple[Step, ...]:
    return (
        Step(draft.CAMPAIGN, _campaign_prompt, None, _campaign_button),
        Step(draft.TITLE, _title_prompt, None, _title_button),
        Step(draft.AWARD, _award_prompt, None, _award_button),
    )
