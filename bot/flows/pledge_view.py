"""The member's stored pledge: shown with its status, then ✏️ edit or 🗑 withdraw while open.

Editing copies the stored pledge into the flow's data and opens the "what to change" menu;
confirming it again goes back to "Chờ duyệt" (`bot.pledges.save_draft` decides that).
"""

from html import escape

from bot.errors import UserFacingError
from bot.flow_engine import FlowEnv, FlowState, Outcome, Say, Step
from bot.flows import pledge_draft as draft
from bot.flows.pledge_owner import Owner, OwnerKind, owner_of
from bot.i18n import Translator
from bot.pledge_values import value_of
from bot.pledges import withdraw
from storage import pledges as pledge_store
from storage.campaign_models import Campaign
from storage.catalogue import items_by_ids
from storage.models import Member
from storage.pledge_models import Pledge, PledgeAction, PledgeKind, PledgeStatus


async def stored_text(
    pledge: Pledge, campaign: Campaign, env: FlowEnv, owner: Owner | None = None
) -> str:
    """The pledge as stored, with its status, lateness, return reason and warnings."""
    t = env.t
    assert pledge.id is not None
    ids = [pledge.title_item_id, *([pledge.award_item_id] if pledge.award_item_id else [])]
    names = draft.item_names(await items_by_ids(ids, session=env.session))
    targets = [
        value_of(row) for row in await pledge_store.targets_of(pledge.id, session=env.session)
    ]
    status = t(draft.STATUS_NAMES[pledge.status])
    if pledge.late:
        status += " · " + t("late registration")
    lines = [
        _heading(owner or Owner(OwnerKind.OWN, ""), status, t),
        *draft.pledge_lines(
            t,
            campaign=campaign,
            title=names.get(pledge.title_item_id, "?"),
            award=names.get(pledge.award_item_id) if pledge.award_item_id else None,
            targets=targets,
            commitment=pledge.commitment,
        ),
    ]
    if pledge.status is PledgeStatus.RETURNED:
        events = await pledge_store.events_of(pledge.id, session=env.session)
        reasons = [e.reason for e in events if e.action is PledgeAction.RETURNED and e.reason]
        if reasons:
            lines.append(t("Returned because: {reason}", reason=escape(reasons[-1])))
    lines += warning_lines(pledge.warnings or [], env)
    return "\n".join(lines)


def _heading(owner: Owner, status: str, t: Translator) -> str:
    if owner.kind is OwnerKind.COLLECTIVE:
        return t(
            "🏢 <b>Collective registration of {unit}</b> — {status}", unit=owner.name, status=status
        )
    if owner.kind is OwnerKind.ON_BEHALF:
        return t("📝 <b>Registration of {name}</b> — {status}", name=owner.name, status=status)
    return t("📝 <b>Your registration</b> — {status}", status=status)


def warning_lines(warnings: list[dict[str, object]], env: FlowEnv) -> list[str]:
    t = env.t
    if not warnings:
        return []
    lines = ["", t("⚠️ Notes for the officer (they do not block the registration):")]
    for warning in warnings:
        params = warning.get("params")
        shown = t(str(warning.get("message", "")), **(params if isinstance(params, dict) else {}))
        lines.append("• " + escape(shown))
    return lines


async def _pledge(state: FlowState, env: FlowEnv) -> tuple[Pledge, Campaign] | None:
    campaign = await draft.open_campaign(state, env)
    if campaign is None or campaign.id is None:
        return None
    if draft.is_collective(state):
        unit_id = await draft.collective_unit(state, env)
        if unit_id is None:
            return None
        pledge = await pledge_store.live_pledge(
            campaign.id, PledgeKind.COLLECTIVE, unit_id=unit_id, session=env.session
        )
        return (pledge, campaign) if pledge is not None else None
    member: Member | None = await draft.subject(state, env)
    if member is None:
        return None
    pledge = await pledge_store.live_pledge(
        campaign.id, PledgeKind.INDIVIDUAL, member_id=member.id, session=env.session
    )
    return (pledge, campaign) if pledge is not None else None


async def _view_prompt(state: FlowState, env: FlowEnv) -> list[Say]:
    t = env.t
    found = await _pledge(state, env)
    owner = await owner_of(state, env)
    if found is None and owner.kind is not OwnerKind.OWN:
        return [Say(t("There is no such registration now; /donvi shows the unit."))]
    if found is None:
        return [Say(t("You have no registration for this campaign now. Send /dangky to register."))]
    pledge, campaign = found
    text = await stored_text(pledge, campaign, env, owner)
    if state.data.get("withdrawing"):
        rows = [
            [state.button(t("🗑 Yes, withdraw it"), "wy")],
            [state.button(t("↩️ No, keep it"), "wn")],
        ]
        return [Say(text + "\n\n" + t("Withdraw this registration?"), rows)]
    rows = [
        [state.button(t("✏️ Edit"), "ed"), state.button(t("🗑 Withdraw"), "w")],
        [state.button(t("Close"), "x")],
    ]
    return [Say(text, rows)]


async def _view_button(state: FlowState, value: str, env: FlowEnv) -> Outcome:
    t = env.t
    found = await _pledge(state, env)
    if value == "x" or found is None:
        return Outcome(end=True, answer=t("Closed.") if value == "x" else None)
    pledge, _ = found
    assert pledge.id is not None
    if value in ("w", "wn"):
        state.data["withdrawing"] = value == "w"
        return Outcome(edit=True)
    if value == "wy":
        try:
            await withdraw(
                pledge.id, actor=env.user_id, today=draft.today(env), session=env.session
            )
        except UserFacingError as exc:
            return draft.refusal(t, exc)
        owner = await owner_of(state, env)
        text = (
            t("🗑 Your registration is withdrawn. Send /dangky to register again.")
            if owner.kind is OwnerKind.OWN
            else t("🗑 The registration is withdrawn; /donvi can start a new one.")
        )
        return Outcome(end=True, say=[Say(text)])
    if value == "ed":
        await load_into(state, pledge, env)
        return Outcome(goto=draft.EDIT)
    return Outcome(answer=t("This button is no longer valid."), reprompt=False)


async def load_into(state: FlowState, pledge: Pledge, env: FlowEnv) -> None:
    """Copy the stored pledge into the flow's data, so every answer can be kept or changed."""
    assert pledge.id is not None
    state.data.update(
        title=pledge.title_item_id,
        award=pledge.award_item_id,
        commitment=pledge.commitment,
        editing=True,
        withdrawing=False,
    )
    typed: dict[str, str] = {}
    own: list[dict[str, str]] = []
    for row in await pledge_store.targets_of(pledge.id, session=env.session):
        value = value_of(row)
        if row.template_id is not None:
            typed[str(row.template_id)] = draft.as_data(value)
        else:
            own.append(
                {
                    "label": row.label,
                    "unit": row.unit,
                    "type": row.type,
                    "raw": draft.as_data(value),
                }
            )
    state.data["values"] = typed
    state.data["own"] = own


def steps() -> tuple[Step, ...]:
    return (Step(draft.VIEW, _view_prompt, None, _view_button),)
