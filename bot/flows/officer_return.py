"""↩️ Return a pledge: the officer's next text message is the reason the member receives.

A flow (not an in-memory wait) so the question survives a restart. Every step re-checks that
the person still manages the pledge's unit and that it still awaits approval.
"""

from html import escape

from bot.access import Viewer
from bot.errors import UserFacingError
from bot.flow_engine import Flow, FlowEnv, FlowInput, FlowState, Outcome, Say, Step
from bot.i18n import N_
from bot.pledges import return_pledge
from bot.unit_review import notify_member, owner_name
from storage import campaigns as campaign_store
from storage import org as org_store
from storage import pledges as pledge_store
from storage.pledge_models import Pledge, PledgeKind, PledgeStatus

NAME_OF_FLOW = "officer_return"
REASON = "orsn"
PLEDGE_KEY = "pledge"


def may_manage_any(viewer: Viewer) -> bool:
    return viewer.is_admin or bool(viewer.unit_ids_managed() or viewer.bloc_ids_led())


async def managed_pledge(pledge_id: int, env: FlowEnv) -> Pledge | None:
    """The pledge if this person may decide on it, else None.

    An individual pledge is decided by whoever manages its unit; a collective one only above the
    unit (`Viewer.may_decide_collective`).
    """
    pledge = await pledge_store.get_pledge(pledge_id, session=env.session)
    if pledge is None:
        return None
    unit = await org_store.get_unit(pledge.unit_id, session=env.session)
    if unit is None:
        return None
    if pledge.kind is PledgeKind.COLLECTIVE:
        return pledge if env.viewer.may_decide_collective(unit.bloc_id) else None
    return pledge if env.viewer.may_manage_unit(pledge.unit_id, unit.bloc_id) else None


async def _prompt(state: FlowState, env: FlowEnv) -> list[Say]:
    t = env.t
    pledge = await managed_pledge(int(state.data.get(PLEDGE_KEY, 0)), env)
    name = await owner_name(pledge, session=env.session) if pledge else "?"
    return [
        Say(
            t(
                "↩️ Write the reason for returning the registration of {name}; they will read it."
                " (/huy to cancel)",
                name=escape(name),
            )
        )
    ]


async def _reason(state: FlowState, received: FlowInput, env: FlowEnv) -> Outcome:
    t = env.t
    pledge = await managed_pledge(int(state.data.get(PLEDGE_KEY, 0)), env)
    if pledge is None or pledge.id is None or pledge.status is not PledgeStatus.PENDING:
        return Outcome(end=True, say=[Say(t("This registration is no longer awaiting approval."))])
    if not received.is_text or not (received.text or "").strip():
        return Outcome(say=[Say(t("Please type the reason as a text message."))])
    try:
        result = await return_pledge(
            pledge.id, actor=env.user_id, reason=received.text or "", session=env.session
        )
    except UserFacingError as exc:
        return Outcome(say=[Say("⚠️ " + escape(t(exc.message, **exc.params)))])
    campaign = await campaign_store.get_campaign(pledge.campaign_id, session=env.session)
    assert campaign is not None
    await notify_member(
        result.pledge,
        campaign,
        catalogs=env.catalogs,
        reason=(received.text or "").strip(),
        session=env.session,
    )
    env.wake_outbox()
    name = await owner_name(pledge, session=env.session)
    return Outcome(
        end=True,
        say=[Say(t("↩️ Returned to {name}, with your reason.", name=escape(name)))],
    )


def officer_return_flow() -> Flow:
    return Flow(
        name=NAME_OF_FLOW,
        title=N_("returning a registration"),
        first_step=REASON,
        steps=(Step(REASON, _prompt, _reason, None),),
        may_use=may_manage_any,
        refusal=N_("Only emulation officers, bloc heads and administrators can see this."),
    )
