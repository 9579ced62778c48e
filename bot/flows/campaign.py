"""`/phatdong`: an admin writes a campaign step by step in chat, previews it and launches it."""

from bot.access import Viewer
from bot.flow_engine import Flow
from bot.flows import campaign_basics, campaign_finish, campaign_plan
from bot.flows.campaign_draft import NAME
from bot.i18n import N_

NAME_OF_FLOW = "campaign"


def may_author(viewer: Viewer) -> bool:
    return viewer.is_admin


def campaign_flow() -> Flow:
    return Flow(
        name=NAME_OF_FLOW,
        title=N_("campaign draft"),
        first_step=NAME,
        steps=(*campaign_basics.steps(), *campaign_plan.steps(), *campaign_finish.steps()),
        may_use=may_author,
        refusal=N_("Only administrators can launch campaigns."),
    )
