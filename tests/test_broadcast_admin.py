"""The admin's side of a broadcast and the members' answers: progress, report, stop, «Đã nhận»."""

from datetime import UTC, datetime

from sqlmodel import select
from telegram import Bot

from bot import broadcast_progress
from bot.broadcast_progress import ProgressReporter
from bot.campaigns import launch
from bot.i18n import Catalogs
from storage import campaigns as campaign_store
from storage.campaign_models import (
    AudienceKind,
    Broadcast,
    BroadcastStatus,
    OutboxMessage,
    OutboxStatus,
)
from storage.database import Database
from storage.models import GrantSource, Role, ScopeKind
from storage.people import grant_to_telegram_id
from tests.support.campaign_seed import seed_campaign
from tests.support.harness import BotHarness
from tests.support.org_seed import ADMIN, CUONG, HOA, MAI, NHUNG, STRANGER, seed_org
from tests.support.recording_request import TOKEN, RecordingRequest
from tests.test_outbox import PHONES, _dispatcher, _drain


async def _setup(harness: BotHarness, database: Database, people: list[int]) -> int:
    await seed_org(database)
    for user_id in people:
        await harness.share_contact(user_id, PHONES[user_id])
    async with database.session() as session:
        await grant_to_telegram_id(
            ADMIN, Role.ADMIN, ScopeKind.ALL, None, GrantSource.GRANT, session=session
        )
    return await seed_campaign(database)


async def _launch(database: Database, catalogs: Catalogs, campaign_id: int) -> int:
    async with database.session() as session:
        campaign = await campaign_store.get_campaign(campaign_id, session=session)
        assert campaign is not None
        result = await launch(
            campaign,
            catalogs=catalogs,
            by=ADMIN,
            admin_chat_id=ADMIN,
            now=datetime.now(UTC),
            session=session,
        )
        assert result.broadcast.id is not None
        return result.broadcast.id


async def test_progress_message_then_delivery_report(
    harness: BotHarness, database: Database, catalogs: Catalogs, monkeypatch: object
) -> None:
    campaign_id = await _setup(harness, database, [NHUNG, MAI, HOA])
    await _launch(database, catalogs, campaign_id)
    request = RecordingRequest()
    request.fail_next("sendMessage", 403, "Forbidden: bot was blocked by the user", chat_id=MAI)
    reporter = ProgressReporter(database, Bot(TOKEN, request=request), catalogs)
    monkeypatch.setattr(broadcast_progress, "EDIT_EVERY_SECONDS", 0.0)  # type: ignore[attr-defined]
    await reporter()  # before sending: the progress message appears, with a stop button
    first = [call for call in request.sent() if int(call.params["chat_id"]) == ADMIN]
    assert "Đang gửi: đã gửi 0/3" in first[0].text
    assert first[0].markup["inline_keyboard"][0][0]["callback_data"].startswith("bcstop:")
    await _drain(_dispatcher(database, request))
    await reporter()
    edits = request.sent("editMessageText")
    assert "Đã gửi xong: đã gửi 2/3 · 1 đã chặn bot · 0 lỗi" in edits[-1].text
    report = [call for call in request.sent() if int(call.params["chat_id"]) == ADMIN][-1]
    assert "Báo cáo kết quả gửi tin" in report.text
    assert "Đã nhận tin: 2/3" in report.text and "Đã chặn bot hoặc ngừng dùng Telegram: 1" in (
        report.text
    )
    assert f"/baocaogui {campaign_id}" in report.text
    async with database.session() as session:
        broadcast = (await session.execute(select(Broadcast))).scalars().one()
        assert broadcast.status == BroadcastStatus.DONE and broadcast.report_sent
    await reporter()  # nothing more once reported
    assert len([c for c in request.sent() if int(c.params["chat_id"]) == ADMIN]) == 2


async def test_stop_cancels_what_is_pending_and_only_admins_may(
    harness: BotHarness, database: Database, catalogs: Catalogs
) -> None:
    campaign_id = await _setup(harness, database, [NHUNG, MAI, HOA, CUONG])
    broadcast_id = await _launch(database, catalogs, campaign_id)
    refused = await harness.press(MAI, f"bcstop:{broadcast_id}")
    assert "Chỉ quản trị viên" in harness.texts(refused)
    forged = await harness.press(ADMIN, "bcstop:99999")
    assert "Chỉ quản trị viên" in harness.texts(forged)
    stopped = await harness.press(ADMIN, f"bcstop:{broadcast_id}")
    assert "Đã dừng: 4 tin sẽ không được gửi." in harness.texts(stopped)
    async with database.session() as session:
        rows = (await session.execute(select(OutboxMessage))).scalars().all()
    assert {row.status for row in rows} == {OutboxStatus.CANCELLED}
    again = await harness.press(ADMIN, f"bcstop:{broadcast_id}")
    assert "đã kết thúc" in harness.texts(again)


async def test_received_button_is_recorded_once_for_audience_members_only(
    harness: BotHarness, database: Database, catalogs: Catalogs
) -> None:
    await seed_org(database)
    for user_id in (NHUNG, CUONG):
        await harness.share_contact(user_id, PHONES[user_id])
    from storage.org import all_units

    async with database.session() as session:
        units = {unit.name: unit.id for unit in await all_units(session=session)}
    campaign_id = await seed_campaign(
        database, audience=AudienceKind.UNITS, scopes=[("unit", units["Sở Tư pháp"])]
    )
    before_launch = await harness.press(NHUNG, f"ack:{campaign_id}")
    assert "không dành cho bạn" in harness.texts(before_launch)
    await _launch(database, catalogs, campaign_id)
    first = await harness.press(NHUNG, f"ack:{campaign_id}")
    assert "bot đã ghi nhận" in harness.texts(first)
    second = await harness.press(NHUNG, f"ack:{campaign_id}")
    assert "đã xác nhận phong trào này trước đó" in harness.texts(second)
    outsider = await harness.press(CUONG, f"ack:{campaign_id}")  # Thanh tra tỉnh: not addressed
    assert "không dành cho bạn" in harness.texts(outsider)
    stranger = await harness.press(STRANGER, f"ack:{campaign_id}")
    assert "không còn hiệu lực" in harness.texts(stranger)
    forged = await harness.press(NHUNG, "ack:99999")
    assert "không còn hiệu lực" in harness.texts(forged)
    async with database.session() as session:
        assert await campaign_store.acknowledgement_count(campaign_id, session=session) == 1
    # 📝 starts the pledge flow (tests/test_pledge_flow.py); before the window opens it says when.
    harness.app.services.now = lambda: datetime(2027, 1, 2, tzinfo=UTC)  # type: ignore[method-assign]
    register = await harness.press(NHUNG, f"reg:{campaign_id}")
    assert "Đăng ký thi đua bắt đầu từ ngày 15/01/2027" in harness.texts(register)


async def test_delivery_by_unit_for_admins(
    harness: BotHarness, database: Database, catalogs: Catalogs
) -> None:
    campaign_id = await _setup(harness, database, [NHUNG, MAI, CUONG])
    await _launch(database, catalogs, campaign_id)
    await _drain(_dispatcher(database, RecordingRequest()))
    await harness.press(NHUNG, f"ack:{campaign_id}")
    text = harness.texts(await harness.say(ADMIN, f"/baocaogui {campaign_id}"))
    assert "Sở Tư pháp: đã nhận tin 2/2, đã xác nhận 1 (50,0%)" in text
    assert "Thanh tra tỉnh: đã nhận tin 1/1, đã xác nhận 0 (0,0%)" in text
    assert "Tổng cộng: đã nhận tin 3/3, đã xác nhận 1 (33,3%)" in text
    member = harness.texts(await harness.say(MAI, f"/baocaogui {campaign_id}"))
    assert "Chỉ quản trị viên" in member
    usage = harness.texts(await harness.say(ADMIN, "/baocaogui abc"))
    assert "Cách dùng" in usage
