"""Whose pledge the flow is writing: the person's own, a member's entered by their officer, or
a unit's collective one; headings and answers name it, so an officer never reads "your".

The ✅ button's value names the owner too (`ok:<campaign>`, `ok:<campaign>:m<member>`,
`ok:<campaign>:u<unit>`): a second tap after the flow ended is explained for the right pledge.
"""

from dataclasses import dataclass
from enum import StrEnum
from html import escape

from bot.flow_engine import FlowEnv, FlowState
from bot.flows import pledge_draft as draft
from bot.flows.widgets import parse_int
from storage import org as org_store
from storage import people
from storage import pledges as pledge_store
from storage.pledge_models import Pledge, PledgeKind


class OwnerKind(StrEnum):
    OWN = "own"
    ON_BEHALF = "m"
    COLLECTIVE = "u"


@dataclass(frozen=True)
class Owner:
    kind: OwnerKind
    name: str  # escaped for HTML; empty for the person's own pledge


async def owner_of(state: FlowState, env: FlowEnv) -> Owner:
    if draft.is_collective(state):
        unit = await org_store.get_unit(
            int(state.data.get(draft.COLLECTIVE) or 0), session=env.session
        )
        return Owner(OwnerKind.COLLECTIVE, escape(unit.name if unit else "?"))
    for_id = state.data.get(draft.ON_BEHALF)
    if for_id:
        member = await people.get_member(int(for_id), session=env.session)
        return Owner(OwnerKind.ON_BEHALF, escape(member.full_name if member else "?"))
    return Owner(OwnerKind.OWN, "")


def confirm_value(state: FlowState) -> str:
    """The ✅ button's value for this flow's pledge."""
    base = f"{draft.CONFIRM}:{draft.campaign_id(state)}"
    if draft.is_collective(state):
        return f"{base}:{OwnerKind.COLLECTIVE}{int(state.data.get(draft.COLLECTIVE) or 0)}"
    if state.data.get(draft.ON_BEHALF):
        return f"{base}:{OwnerKind.ON_BEHALF}{int(state.data.get(draft.ON_BEHALF) or 0)}"
    return base


async def pledge_of_confirm(value: str, env: FlowEnv) -> Pledge | None:
    """The live pledge an old ✅ button was for, if this person may still see it."""
    campaign_part, _, owner_part = value.removeprefix(f"{draft.CONFIRM}:").partition(":")
    campaign_id = parse_int(campaign_part, "")
    if not value.startswith(f"{draft.CONFIRM}:") or campaign_id is None:
        return None
    if not owner_part:
        member = env.viewer.member
        if member is None or member.id is None:
            return None
        return await pledge_store.live_pledge(
            campaign_id, PledgeKind.INDIVIDUAL, member_id=member.id, session=env.session
        )
    owner_id = parse_int(owner_part[1:], "")
    if owner_id is None:
        return None
    if owner_part[0] == OwnerKind.ON_BEHALF:
        member = await draft.on_behalf_member(owner_id, env)
        if member is None:
            return None
        return await pledge_store.live_pledge(
            campaign_id, PledgeKind.INDIVIDUAL, member_id=owner_id, session=env.session
        )
    if owner_part[0] == OwnerKind.COLLECTIVE:
        unit = await org_store.get_unit(owner_id, session=env.session)
        if unit is None or not env.viewer.may_manage_unit(owner_id, unit.bloc_id):
            return None
        return await pledge_store.live_pledge(
            campaign_id, PledgeKind.COLLECTIVE, unit_id=owner_id, session=env.session
        )
    return None
