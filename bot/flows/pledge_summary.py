"""Pledge step 6: the summary exactly as it will be stored, with its eligibility warnings,
then ✅ confirm (→ Chờ duyệt), ✏️ back to any step, or ✖️ cancel.

Confirming goes through `bot.pledges.confirm`, which keeps one live pledge per member however
often "Xác nhận" is pressed; a press on an old summary is explained, never applied twice.
"""

from html import escape

from bot.collective_review import notify_reviewers
from bot.eligibility import eligibility_warnings
from bot.errors import UserFacingError
from bot.flow_engine import FlowEnv, FlowState, Outcome, Say, Step
from bot.flows import pledge_draft as draft
from bot.flows.pledge_choose import enter_values
from bot.flows.pledge_owner import OwnerKind, confirm_value, owner_of, pledge_of_confirm
from bot.flows.pledge_view import warning_lines
from bot.i18n import N_
from bot.pledge_checks import registration_lateness
from bot.pledge_values import PledgeInput
from bot.pledges import confirm
from storage.campaign_models import CatalogueKind
from storage.catalogue import all_items
from storage.pledge_models import Pledge, PledgeKind, PledgeStatus


async def _summary(state: FlowState, env: FlowEnv) -> tuple[PledgeInput, str]:
    """The pledge to store and its text; raises UserFacingError when something no longer fits."""
    t = env.t
    campaign = await draft.open_campaign(state, env)
    if campaign is None:
        raise UserFacingError(N_("This campaign is not open for registration."))
    values = await draft.pledge_input(state, env)
    names = draft.item_names(await all_items(session=env.session))
    member = None if values.unit_id else await draft.subject(state, env)
    unit_id = values.unit_id or (member.unit_id if member is not None else None)
    assert unit_id is not None
    late = registration_lateness(campaign, draft.today(env))
    owner = await owner_of(state, env)
    headings = {
        OwnerKind.OWN: t("📋 <b>Check your registration</b>"),
        OwnerKind.ON_BEHALF: t("📋 <b>Check the registration of {name}</b>", name=owner.name),
        OwnerKind.COLLECTIVE: t(
            "📋 <b>Check the collective registration of {unit}</b>", unit=owner.name
        ),
    }
    lines = [
        headings[owner.kind],
        *draft.pledge_lines(
            t,
            campaign=campaign,
            title=names.get(values.title_item_id, "?"),
            award=names.get(values.award_item_id) if values.award_item_id else None,
            targets=values.targets,
            commitment=values.commitment,
        ),
    ]
    if late:
        lines.append(t("⏰ The deadline has passed: this registration is marked late."))
    preview = Pledge(
        campaign_id=values.campaign_id,
        kind=values.kind,
        member_id=values.member_id,
        unit_id=unit_id,
        title_item_id=values.title_item_id,
    )
    warnings = await eligibility_warnings(preview, campaign=campaign, session=env.session)
    lines += warning_lines([w.as_json() for w in warnings], env)
    return values, "\n".join(lines)


async def _summary_prompt(state: FlowState, env: FlowEnv) -> list[Say]:
    t = env.t
    try:
        _, text = await _summary(state, env)
    except UserFacingError as exc:
        cancel = [[state.button(t("✖️ Cancel"), "x")]]
        return [Say("⚠️ " + escape(t(exc.message, **exc.params)), cancel)]
    rows = [
        [state.button(t("✅ Confirm"), confirm_value(state))],
        [state.button(t("✏️ Edit"), "ed"), state.button(t("✖️ Cancel"), "x")],
    ]
    return [Say(text, rows)]


async def _summary_button(state: FlowState, value: str, env: FlowEnv) -> Outcome:
    t = env.t
    if value == "x":
        return Outcome(end=True, say=[Say(t("Cancelled. Nothing was saved."))])
    if value == "ed":
        state.data["editing"] = True
        return Outcome(goto=draft.EDIT)
    if value != confirm_value(state):
        return Outcome(answer=t("This button is no longer valid."), reprompt=False)
    try:
        values, _ = await _summary(state, env)
        campaign = await draft.open_campaign(state, env)
        assert campaign is not None
        result = await confirm(
            values,
            actor=env.user_id,
            today=draft.today(env),
            on_behalf=bool(state.data.get(draft.ON_BEHALF)),
            session=env.session,
        )
    except UserFacingError as exc:
        return draft.refusal(t, exc)
    if result.note is not None:
        return Outcome(end=True, say=[Say("ℹ️ " + t(result.note))])
    owner = await owner_of(state, env)
    if owner.kind is OwnerKind.COLLECTIVE and result.changed:
        await notify_reviewers(result.pledge, campaign, catalogs=env.catalogs, session=env.session)
        env.wake_outbox()
    status = t(draft.STATUS_NAMES[result.pledge.status])
    texts = {
        OwnerKind.OWN: t(
            "✅ Registration sent. Status: {status}. Your unit's emulation officer will review"
            " it; send /dangky to see, edit or withdraw it.",
            status=status,
        ),
        OwnerKind.ON_BEHALF: t(
            "✅ The registration of {name} was saved, marked as entered by you. Status: {status}."
            " It is now in the unit's review list (/donvi).",
            name=owner.name,
            status=status,
        ),
        OwnerKind.COLLECTIVE: t(
            "✅ The collective registration of {unit} was sent. Status: {status}. The bloc head"
            " decides it; /donvi shows where it stands.",
            unit=owner.name,
            status=status,
        ),
    }
    return Outcome(end=True, say=[Say(texts[owner.kind])], answer=t("Sent."))


async def explain_stale(value: str, env: FlowEnv) -> str | None:
    """A second tap of ✅ after the pledge was sent says so, instead of "no longer valid"."""
    pledge = await pledge_of_confirm(value, env)
    if pledge is None or pledge.status is PledgeStatus.DRAFT:
        return None
    status = env.t(draft.STATUS_NAMES[pledge.status])
    if pledge.kind is PledgeKind.COLLECTIVE or pledge.on_behalf:
        return env.t(
            "This registration was already sent ({status}); nothing changed. /donvi shows it.",
            status=status,
        )
    return env.t(
        "Your registration was already sent ({status}); nothing changed. Send /dangky to see it.",
        status=status,
    )


# --- ✏️ what to change -----------------------------------------------------------------------


async def _edit_prompt(state: FlowState, env: FlowEnv) -> list[Say]:
    t = env.t
    rows = [[state.button(t("🏅 Title"), draft.TITLE)]]
    if await draft.choices(state, env, CatalogueKind.AWARD):
        rows.append([state.button(t("🎖 Form of commendation"), draft.AWARD)])
    if await draft.templates(state, env):
        rows.append([state.button(t("🎯 Targets"), draft.VALUES)])
    rows += [
        [state.button(t("➕ My own targets"), draft.OWN)],
        [state.button(t("✍️ Commitment"), draft.COMMITMENT)],
        [state.button(t("📋 Back to the summary"), draft.SUMMARY)],
    ]
    return [Say(t("What do you want to change?"), rows)]


async def _edit_button(state: FlowState, value: str, env: FlowEnv) -> Outcome:
    if value == draft.VALUES:
        return Outcome(goto=await enter_values(state, env))
    if value in (draft.TITLE, draft.AWARD, draft.OWN, draft.COMMITMENT, draft.SUMMARY):
        return Outcome(goto=value)
    return Outcome(answer=env.t("This button is no longer valid."), reprompt=False)


def steps() -> tuple[Step, ...]:
    return (
        Step(draft.SUMMARY, _summary_prompt, None, _summary_button),
        Step(draft.EDIT, _edit_prompt, None, _edit_button),
    )
