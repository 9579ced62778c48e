"""Where `/dangky` and the launch message's 📝 button begin: which campaign, and which step.

A campaign named by a button must be launched and address the member; with none named, the
only campaign addressing them is taken, or they choose. A member who already pledged sees their
pledge (and may edit or withdraw it while registration is open; read-only afterwards).
"""

from bot.campaigns import is_in_audience
from bot.errors import UserFacingError
from bot.flow_engine import FlowEngine, FlowEnv, Reply, Say
from bot.flows import pledge_draft as draft
from bot.flows.pledge_view import stored_text
from bot.i18n import N_
from bot.pledge_checks import registration_lateness
from storage import campaigns as campaign_store
from storage import pledges as pledge_store
from storage.campaign_models import Campaign, CampaignStatus
from storage.models import Member
from storage.pledge_models import Pledge, PledgeKind

NOT_LINKED = N_(
    "Only members of the roster can register. Send /start and share your phone number first."
)


async def addressed_campaigns(member: Member | None, env: FlowEnv) -> list[Campaign]:
    """Launched campaigns whose audience includes the member, oldest first."""
    if member is None:
        return []
    found = []
    for campaign in await campaign_store.all_campaigns(session=env.session):
        if campaign.status is CampaignStatus.LAUNCHED and await is_in_audience(
            campaign, member, session=env.session
        ):
            found.append(campaign)
    return found


async def live_pledge(campaign_id: int, env: FlowEnv) -> Pledge | None:
    member = env.viewer.member
    if member is None or member.id is None:
        return None
    return await pledge_store.live_pledge(
        campaign_id, PledgeKind.INDIVIDUAL, member_id=member.id, session=env.session
    )


async def has_live_pledge(campaign_id: int, env: FlowEnv) -> bool:
    return await live_pledge(campaign_id, env) is not None


async def begin(engine: FlowEngine, env: FlowEnv, campaign_id: int | None) -> Reply:
    """Start (or resume) the member's pledge flow; a refusal says why in Vietnamese."""
    t = env.t
    member = env.viewer.member
    if member is None:
        return Reply([Say(t(NOT_LINKED))], answer=t(NOT_LINKED), alert=True)
    addressed = await addressed_campaigns(member, env)
    if campaign_id is not None:
        campaign = await campaign_store.get_campaign(campaign_id, session=env.session)
        if campaign is None:
            return _refused(t("This button is no longer valid."), env)
        if campaign.id not in {c.id for c in addressed}:
            if campaign.status is not CampaignStatus.LAUNCHED:
                return _refused(t("This campaign is not open for registration."), env)
            return _refused(t("This campaign is not addressed to you."), env)
    elif len(addressed) == 1:
        campaign = addressed[0]
    elif not addressed:
        return _refused(t("No campaign is open for your registration now."), env)
    else:
        return await engine.start(draft.NAME_OF_FLOW, env, step=draft.CAMPAIGN)
    assert campaign.id is not None
    # not one entered for another member, nor the unit's collective pledge
    known = {"campaign": campaign.id, draft.ON_BEHALF: None, draft.COLLECTIVE: None}
    pledge = await live_pledge(campaign.id, env)
    try:
        registration_lateness(campaign, draft.today(env))
    except UserFacingError as exc:
        reason = t(exc.message, **exc.params)
        if pledge is None:
            return _refused(reason, env)
        shown = await stored_text(pledge, campaign, env)
        return Reply([Say(shown + "\n\n🔒 " + reason)])
    step = draft.VIEW if pledge is not None else draft.TITLE
    return await engine.start(draft.NAME_OF_FLOW, env, step=step, data=known)


def _refused(text: str, env: FlowEnv) -> Reply:
    """A message for `/dangky`, and the same text as the pressed button's alert."""
    return Reply([Say("⛔ " + text)], answer=text, alert=True)
