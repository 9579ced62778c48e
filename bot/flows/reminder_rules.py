"""⏰ An admin changes a campaign's reminder rules in chat: days before each deadline, the hour,
escalation after the deadline, and whether members may snooze. The reminders are re-planned at
once, so the change applies to everything not yet sent.
"""

from html import escape

from bot.campaign_builder import rule_columns
from bot.errors import UserFacingError
from bot.flow_engine import Flow, FlowEnv, FlowInput, FlowState, Outcome, Say, Step
from bot.i18n import N_, Translator
from bot.reminder_plan import ReminderRules, parse_rules
from bot.reminder_planner import campaign_rules, plan_campaign
from storage import campaigns as campaign_store
from storage.campaign_models import Campaign

NAME_OF_FLOW = "reminder_rules"
MENU, DAYS, AT = "rrm", "rrd", "rra"


def rules_text(campaign: Campaign, rules: ReminderRules, t: Translator) -> str:
    days = ", ".join(str(d) for d in rules.days_before) or t("none")
    yes, no = t("Yes"), t("No")
    return "\n".join(
        [
            t("⏰ <b>Reminders</b> — {campaign}", campaign=escape(campaign.name)),
            t("Days before each deadline: {days}", days=days),
            t("Hour: {at}", at=rules.at.strftime("%H:%M")),
            t(
                "After the deadline, officer and bloc head lists: {value}",
                value=yes if rules.escalate else no,
            ),
            t("Members may snooze: {value}", value=yes if rules.snoozable else no),
        ]
    )


async def _campaign(state: FlowState, env: FlowEnv) -> Campaign | None:
    return await campaign_store.get_campaign(
        int(state.data.get("campaign") or 0), session=env.session
    )


async def _save(campaign: Campaign, rules: ReminderRules, env: FlowEnv) -> None:
    for key, value in rule_columns(rules).items():
        setattr(campaign, key, value)
    await plan_campaign(campaign, calendar=env.reminder_calendar, now=env.now, session=env.session)


async def _menu_prompt(state: FlowState, env: FlowEnv) -> list[Say]:
    t = env.t
    campaign = await _campaign(state, env)
    if campaign is None:
        return [Say(t("This campaign no longer exists."))]
    rows = [
        [state.button(t("📅 Days before"), "d"), state.button(t("🕗 Hour"), "a")],
        [state.button(t("🔁 Escalation on/off"), "e"), state.button(t("💤 Snooze on/off"), "s")],
        [state.button(t("Close"), "x")],
    ]
    return [Say(rules_text(campaign, campaign_rules(campaign), t), rows)]


async def _menu_button(state: FlowState, value: str, env: FlowEnv) -> Outcome:
    t = env.t
    campaign = await _campaign(state, env)
    if campaign is None or value == "x":
        return Outcome(end=True, answer=t("Closed."))
    rules = campaign_rules(campaign)
    if value == "d":
        return Outcome(goto=DAYS)
    if value == "a":
        return Outcome(goto=AT)
    if value in ("e", "s"):
        changed = ReminderRules(
            rules.days_before,
            rules.at,
            not rules.escalate if value == "e" else rules.escalate,
            not rules.snoozable if value == "s" else rules.snoozable,
        )
        await _save(campaign, changed, env)
        return Outcome(edit=True, answer=t("Saved; reminders re-planned."))
    return Outcome(answer=t("This button is no longer valid."), reprompt=False)


async def _typed(state: FlowState, received: FlowInput, env: FlowEnv, what: str) -> Outcome:
    t = env.t
    campaign = await _campaign(state, env)
    if campaign is None:
        return Outcome(end=True, say=[Say(t("This campaign no longer exists."))])
    if not received.is_text:
        return Outcome(say=[Say("⚠️ " + t("Please type it as a text message."))])
    rules = campaign_rules(campaign)
    try:
        typed = parse_rules(
            received.text if what == DAYS else None,
            received.text if what == AT else None,
            rules.escalate,
            rules.snoozable,
        )
    except UserFacingError as exc:
        return Outcome(say=[Say("⚠️ " + escape(t(exc.message, **exc.params)))])
    changed = ReminderRules(
        typed.days_before if what == DAYS else rules.days_before,
        typed.at if what == AT else rules.at,
        rules.escalate,
        rules.snoozable,
    )
    await _save(campaign, changed, env)
    return Outcome(goto=MENU, say=[Say(t("Saved; reminders re-planned."))])


async def _days_prompt(state: FlowState, env: FlowEnv) -> list[Say]:
    return [
        Say(
            env.t(
                "Type the days before each deadline, e.g. 7, 3, 1, 0 (0 is the day itself;"
                " không for none)."
            )
        )
    ]


async def _days_input(state: FlowState, received: FlowInput, env: FlowEnv) -> Outcome:
    return await _typed(state, received, env, DAYS)


async def _at_prompt(state: FlowState, env: FlowEnv) -> list[Say]:
    return [Say(env.t("Type the hour of the reminders, e.g. 08:00."))]


async def _at_input(state: FlowState, received: FlowInput, env: FlowEnv) -> Outcome:
    return await _typed(state, received, env, AT)


def reminder_rules_flow() -> Flow:
    return Flow(
        name=NAME_OF_FLOW,
        title=N_("reminder rules"),
        first_step=MENU,
        steps=(
            Step(MENU, _menu_prompt, None, _menu_button),
            Step(DAYS, _days_prompt, _days_input, None),
            Step(AT, _at_prompt, _at_input, None),
        ),
        may_use=lambda viewer: viewer.is_admin,
        refusal=N_("Only administrators can manage campaigns."),
    )
