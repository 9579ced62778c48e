"""Launching a campaign from chat (the authoring flow and /phongtrao share it).

`bot.campaigns.launch` queues the messages; this wakes the dispatcher and words the answer.
The dispatcher itself sends the admin a progress message with a Stop button.
"""

from html import escape

from bot.campaigns import launch
from bot.flow_engine import FlowEnv
from storage.campaign_models import Campaign


async def launch_now(campaign: Campaign, env: FlowEnv) -> str:
    """Launch and return the admin's answer; raises UserFacingError (e.g. nobody reachable)."""
    t = env.t
    result = await launch(
        campaign,
        catalogs=env.catalogs,
        by=env.user_id,
        admin_chat_id=env.chat_id,
        now=env.now,
        session=env.session,
    )
    env.wake_outbox()
    lines = [
        t("🚀 <b>{name}</b> is launched.", name=escape(campaign.name)),
        t(
            "{queued} messages are queued for {people} people; I will show the progress here.",
            queued=t.number(result.queued),
            people=t.number(len(result.audience.recipients)),
        ),
    ]
    if result.audience.not_linked:
        lines.append(
            t(
                "{count} people of the audience are not linked to Telegram yet: invite them "
                "with /moi.",
                count=t.number(result.audience.not_linked),
            )
        )
    return "\n".join(lines)
