"""Start-up and stop as `thidua run` does them, offline: admins, catalogue, menus, the outbox."""

from sqlmodel import select

from handlers.lifecycle import on_startup, on_stop
from storage.campaign_models import CatalogueItem
from storage.database import Database
from storage.key_values import BOT_USERNAME, get_value
from storage.models import RoleAssignment
from tests.support.harness import BotHarness


async def test_startup_then_stop(harness: BotHarness, database: Database) -> None:
    harness.app.services.settings.admin_ids_raw = "999, 998"
    await on_startup(harness.app)
    try:
        outbox = harness.app.services.outbox
        assert outbox is not None and outbox.bot.username == "thidua_test_bot"
        menus = [call for call in harness.request.calls if call.method == "setMyCommands"]
        assert len(menus) == 2  # Vietnamese default, and English for English clients
        async with database.session() as session:
            admins = (await session.execute(select(RoleAssignment))).scalars().all()
            assert sorted(grant.telegram_user_id or 0 for grant in admins) == [998, 999]
            codes = (await session.execute(select(CatalogueItem.code))).scalars().all()
            assert {"LDTT", "CSTDCS", "TTLDXS", "GIAY_KHEN", "BK_TTG"} <= set(codes)
            assert await get_value(BOT_USERNAME, session=session) == "thidua_test_bot"
    finally:
        await on_stop(harness.app)
    assert outbox.dispatcher.stopping.is_set()
    # Restarting with a shorter admin list revokes the admin role of the one removed.
    harness.app.services.settings.admin_ids_raw = "999"
    await on_startup(harness.app)
    await on_stop(harness.app)
    async with database.session() as session:
        admins = (await session.execute(select(RoleAssignment))).scalars().all()
        assert [grant.telegram_user_id for grant in admins] == [999]
