"""`/dangky` and the launch message's 📝 button: a member registers for a campaign.

Steps: campaign (only when several address the member) → title → form of commendation →
each target's planned value → own targets → commitment → summary → ✅ (Chờ duyệt). A member
who already registered sees their pledge first, to edit or withdraw it.
"""

from bot.access import Viewer
from bot.flow_engine import Flow
from bot.flows import pledge_choose, pledge_summary, pledge_targets, pledge_view
from bot.flows.pledge_draft import CAMPAIGN, NAME_OF_FLOW
from bot.flows.pledge_start import NOT_LINKED
from bot.i18n import N_


def may_pledge(viewer: Viewer) -> bool:
    return viewer.is_linked


def pledge_flow() -> Flow:
    return Flow(
        name=NAME_OF_FLOW,
        title=N_("registration"),
        first_step=CAMPAIGN,
        steps=(
            *pledge_choose.steps(),
            *pledge_targets.steps(),
            *pledge_summary.steps(),
            *pledge_view.steps(),
        ),
        may_use=may_pledge,
        refusal=NOT_LINKED,
        explain_stale=pledge_summary.explain_stale,
    )
