"""The launch message of a campaign that is not stored yet, exactly as members would get it.

The chat flow shows it before the admin launches or saves. Rather than re-implement the
builder's rules, the campaign is really built (`create_campaign`) inside a savepoint, rendered,
and the savepoint rolled back: the preview and the stored result cannot differ.
"""

from sqlalchemy.ext.asyncio import AsyncSession

from bot.campaign_builder import create_campaign
from bot.campaign_file import CampaignSpec
from bot.campaign_text import launch_text
from bot.campaigns import load_view
from bot.i18n import Translator

UNSAVED = 0  # the campaign id on the preview's buttons: no campaign has it


async def preview_text(
    spec: CampaignSpec, t: Translator, *, created_by: int | None, session: AsyncSession
) -> str:
    """`launch_text` of what `create_campaign(spec)` stores; raises CampaignFileError like it."""
    savepoint = await session.begin_nested()
    try:
        campaign = await create_campaign(spec, created_by=created_by, session=session)
        return launch_text(await load_view(campaign, session=session), t)
    finally:
        await savepoint.rollback()
