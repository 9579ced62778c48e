"""A campaign for tests, stored directly (the YAML and chat flows have their own tests)."""

from datetime import date

from storage import campaigns as store
from storage.campaign_models import (
    AudienceKind,
    Campaign,
    CampaignAudienceScope,
    CampaignKind,
    CampaignMilestone,
    CampaignOption,
    TargetTemplate,
    TargetType,
)
from storage.catalogue import all_items, ensure_default_catalogue
from storage.database import Database
from storage.migrate import upgrade
from tests.support.mass_seed import seed_linked_members


async def seed_campaign(
    database: Database,
    *,
    audience: AudienceKind = AudienceKind.ORGANISATION,
    scopes: list[tuple[str, int]] | None = None,
    name: str = 'Phong trào thi đua "Đoàn kết, sáng tạo" năm 2027',
) -> int:
    async with database.session() as session:
        await ensure_default_catalogue(session=session)
        campaign = Campaign(
            name=name,
            slogan="Đoàn kết, sáng tạo, nâng cao hiệu quả công tác",
            kind=CampaignKind.REGULAR,
            period_start=date(2027, 1, 1),
            period_end=date(2027, 12, 31),
            registration_opens=date(2027, 1, 15),
            registration_deadline=date(2027, 3, 25),
            audience=audience,
        )
        await store.add([campaign], session=session)
        assert campaign.id is not None
        items = {item.code: item for item in await all_items(session=session)}
        await store.add(
            [
                CampaignMilestone(
                    campaign_id=campaign.id, position=1, name="Quý I", due=date(2027, 3, 31)
                ),
                CampaignMilestone(
                    campaign_id=campaign.id,
                    position=2,
                    name="Sơ kết 6 tháng",
                    due=date(2027, 7, 15),
                ),
                *(
                    CampaignOption(campaign_id=campaign.id, item_id=items[code].id)
                    for code in ("LDTT", "CSTDCS", "GIAY_KHEN")
                ),
                TargetTemplate(
                    campaign_id=campaign.id,
                    position=1,
                    label="Số sáng kiến được công nhận",
                    unit="sáng kiến",
                    type=TargetType.NUMBER,
                ),
                *(
                    CampaignAudienceScope(
                        campaign_id=campaign.id, scope_kind=kind, scope_id=scope_id
                    )
                    for kind, scope_id in scopes or []
                ),
            ],
            session=session,
        )
        return campaign.id


async def prepare_broadcast(url: str, recipients: int) -> list[int]:
    """A migrated database with `recipients` linked members and a draft campaign to launch."""
    database = Database(url)
    await upgrade(database)
    chats = await seed_linked_members(database, recipients)
    await seed_campaign(database)
    await database.dispose()
    return chats
