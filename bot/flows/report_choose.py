"""Report step 0, when several reports are open: which pledge and milestone (late ones marked)."""

from bot.flow_engine import FlowEnv, FlowState, Outcome, Say, Step
from bot.flows import report_draft as draft
from bot.report_windows import reportable_milestones
from bot.text import ascii_digits
from storage import campaigns as campaign_store
from storage import pledges as pledge_store


def _choices(state: FlowState) -> list[tuple[int, int]]:
    raw = state.data.get("choices") or []
    return [
        (int(pair[0]), int(pair[1])) for pair in raw if isinstance(pair, list) and len(pair) == 2
    ]


async def _prompt(state: FlowState, env: FlowEnv) -> list[Say]:
    t = env.t
    rows = []
    for index, (pledge_id, milestone_id) in enumerate(_choices(state)):
        pledge = await pledge_store.get_pledge(pledge_id, session=env.session)
        campaign = (
            await campaign_store.get_campaign(pledge.campaign_id, session=env.session)
            if pledge
            else None
        )
        if pledge is None or campaign is None:
            continue
        opened = await reportable_milestones(campaign.id or 0, env.today, session=env.session)
        option = next((o for o in opened if o.milestone.id == milestone_id), None)
        if option is None:
            continue
        label = f"{option.milestone.name} — {campaign.name}"
        if option.late:
            label += " · " + t("late")
        rows.append([state.button(label[:60], str(index))])
    if not rows:
        return [Say(t("No report is open now."))]
    return [Say(t("Which report?"), rows)]


async def _button(state: FlowState, value: str, env: FlowEnv) -> Outcome:
    t = env.t
    choices = _choices(state)
    if not ascii_digits(value) or len(value) > 9 or int(value) >= len(choices):
        return Outcome(answer=t("This button is no longer valid."), reprompt=False)
    pledge_id, milestone_id = choices[int(value)]
    state.data.update(pledge=pledge_id, milestone=milestone_id, idx=0)
    found = await draft.subject(state, env)
    if found.report is not None:
        state.data["note"] = found.report.note
    return Outcome(goto=draft.VALUES)


def steps() -> tuple[Step, ...]:
    return (Step(draft.CHOOSE, _prompt, None, _button),)
