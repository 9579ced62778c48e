"""What `create_campaign` would store for a spec, as a `CampaignView`, without storing anything.

The chat flow previews the launch message with `launch_text` before the campaign exists, so
the admin sees exactly what members will get. Names are resolved by the builder's own rules
(`resolve_item`, the last campaign of the `copy_from` name), so preview and result agree.
"""

from sqlalchemy.ext.asyncio import AsyncSession

from bot.campaign_builder import resolve_item
from bot.campaign_file import CampaignSpec
from bot.campaign_text import CampaignView
from bot.text import match_key
from storage import campaigns as store
from storage.campaign_models import (
    Campaign,
    CampaignMilestone,
    CatalogueItem,
    CatalogueKind,
    TargetTemplate,
)
from storage.catalogue import all_items, items_by_ids

UNSAVED = 0  # the campaign id shown in a preview: no campaign has it


async def preview_view(spec: CampaignSpec, *, session: AsyncSession) -> CampaignView:
    source = await _source(spec.copy_from, session) if spec.copy_from else None
    campaign = Campaign(
        name=spec.name,
        slogan=spec.slogan,
        kind=spec.kind,
        period_start=spec.period_start,
        period_end=spec.period_end,
        registration_opens=spec.registration_opens,
        registration_deadline=spec.registration_deadline,
        late_registration=spec.late_registration,
        registration_required=spec.registration_required,
        audience=spec.audience,
        copied_from_id=source.id if source else None,
    )
    milestones = [
        CampaignMilestone(campaign_id=UNSAVED, position=index, name=m.name, due=m.due)
        for index, m in enumerate(spec.milestones, start=1)
    ]
    return CampaignView(
        campaign=campaign,
        milestones=milestones,
        options=await _options(spec, source, session),
        targets=await _targets(spec, source, session),
        owner_name=None,
    )


async def _source(name: str, session: AsyncSession) -> Campaign | None:
    wanted = match_key(name)
    matches = [c for c in await store.all_campaigns(session=session) if match_key(c.name) == wanted]
    return matches[-1] if matches else None


async def _options(
    spec: CampaignSpec, source: Campaign | None, session: AsyncSession
) -> list[CatalogueItem]:
    if source is not None and source.id is not None and not spec.titles and not spec.awards:
        return await store.options_of(source.id, session=session)
    catalogue = await all_items(session=session)
    ids: list[int] = []
    for refs, kind in ((spec.titles, CatalogueKind.TITLE), (spec.awards, CatalogueKind.AWARD)):
        for ref in refs:
            item = resolve_item(ref, kind, catalogue)
            if item is not None and item.id is not None:
                ids.append(item.id)
    return await items_by_ids(list(dict.fromkeys(ids)), session=session)


async def _targets(
    spec: CampaignSpec, source: Campaign | None, session: AsyncSession
) -> list[TargetTemplate]:
    targets = [
        TargetTemplate(
            campaign_id=UNSAVED,
            position=index,
            label=t.label,
            unit=t.unit,
            type=t.type,
            required=t.required,
            min_value=t.min_value,
            max_value=t.max_value,
            max_length=t.max_length,
        )
        for index, t in enumerate(spec.targets, start=1)
    ]
    if not targets and source is not None and source.id is not None:
        return await store.targets_of(source.id, session=session)
    return targets
