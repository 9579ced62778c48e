"""Launch broadcasts through the durable outbox: pacing, Telegram's errors, crash recovery."""

import asyncio
from datetime import UTC, datetime

import pytest
from sqlmodel import select
from telegram import Bot

from bot.campaigns import launch
from bot.dispatcher import Dispatcher
from bot.errors import UserFacingError
from bot.i18n import Catalogs
from bot.pacing import SendLimits
from storage import campaigns as campaign_store
from storage.campaign_models import AudienceKind, CampaignStatus, OutboxMessage, OutboxStatus
from storage.database import Database
from storage.models import Member, MemberStatus
from tests.support.campaign_seed import seed_campaign
from tests.support.harness import BotHarness
from tests.support.org_seed import BINH, CUONG, DUNG, HOA, MAI, NHUNG, seed_org
from tests.support.recording_request import TOKEN, RecordingRequest

PHONES = {
    NHUNG: "0912345678",
    BINH: "0987654321",
    MAI: "0356789012",
    CUONG: "0901234567",
    DUNG: "0383456789",
    HOA: "0978123456",
}


async def _link_all(harness: BotHarness, people: list[int]) -> None:
    for user_id in people:
        calls = await harness.share_contact(user_id, PHONES[user_id])
        assert "Chào mừng" in harness.texts(calls)


async def _launch(database: Database, catalogs: Catalogs, campaign_id: int) -> int:
    async with database.session() as session:
        campaign = await campaign_store.get_campaign(campaign_id, session=session)
        assert campaign is not None
        result = await launch(
            campaign,
            catalogs=catalogs,
            by=None,
            admin_chat_id=None,
            now=datetime.now(UTC),
            session=session,
        )
        return result.queued


async def _rows(database: Database) -> list[OutboxMessage]:
    async with database.session() as session:
        return list(
            (await session.execute(select(OutboxMessage).order_by(OutboxMessage.id)))
            .scalars()
            .all()
        )


def _dispatcher(
    database: Database, request: RecordingRequest, per_chat_interval: float = 0.01
) -> Dispatcher:
    """Fast limits so tests stay quick; the pacing test asks for Telegram's real 1 s per chat."""
    bot = Bot(TOKEN, request=request)
    limits = SendLimits(overall_per_second=200, per_chat_interval=per_chat_interval)
    return Dispatcher(database, bot, limits=limits, backoff=lambda attempt: 0.05)


async def _drain(dispatcher: Dispatcher, rounds: int = 20) -> None:
    for _ in range(rounds):
        if not await dispatcher.drain_once():
            await asyncio.sleep(0.06)  # retries come back after their (short) backoff
            if not await dispatcher.drain_once():
                return


async def test_launch_queues_each_reachable_member_once(
    harness: BotHarness, database: Database, catalogs: Catalogs
) -> None:
    await seed_org(database)
    await _link_all(harness, [NHUNG, MAI, HOA])
    campaign_id = await seed_campaign(database)
    assert await _launch(database, catalogs, campaign_id) == 3
    rows = await _rows(database)
    assert sorted(row.chat_id for row in rows) == sorted([NHUNG, MAI, HOA])
    text = rows[0].payload["text"]
    assert "Phát động phong trào thi đua" in text and "Đoàn kết, sáng tạo" in text
    assert "Lao động tiên tiến" in text and "Quý I: 31/03/2027" in text
    buttons = rows[0].payload["reply_markup"]["inline_keyboard"]
    assert buttons[0][0]["callback_data"] == f"reg:{campaign_id}"
    assert buttons[1][0]["callback_data"] == f"ack:{campaign_id}"
    # Launching again is refused and queues nothing more.
    with pytest.raises(UserFacingError):
        await _launch(database, catalogs, campaign_id)
    assert len(await _rows(database)) == 3


async def test_launch_to_chosen_units_only(
    harness: BotHarness, database: Database, catalogs: Catalogs
) -> None:
    await seed_org(database)
    await _link_all(harness, [NHUNG, CUONG, HOA])
    from storage.org import all_units

    async with database.session() as session:
        units = {unit.name: unit.id for unit in await all_units(session=session)}
    campaign_id = await seed_campaign(
        database, audience=AudienceKind.UNITS, scopes=[("unit", units["Thanh tra tỉnh"])]
    )
    assert await _launch(database, catalogs, campaign_id) == 1
    assert [row.chat_id for row in await _rows(database)] == [CUONG]


async def test_an_audience_nobody_can_hear_is_refused_before_launch(
    database: Database, catalogs: Catalogs
) -> None:
    await seed_org(database)  # nobody linked yet
    campaign_id = await seed_campaign(database)
    with pytest.raises(UserFacingError) as refused:
        await _launch(database, catalogs, campaign_id)
    assert "Invite them first" in refused.value.message
    async with database.session() as session:
        campaign = await campaign_store.get_campaign(campaign_id, session=session)
        assert campaign is not None and campaign.status == CampaignStatus.DRAFT


async def test_dispatcher_delivers_and_settles_every_row(
    harness: BotHarness, database: Database, catalogs: Catalogs
) -> None:
    await seed_org(database)
    await _link_all(harness, [NHUNG, MAI, HOA, CUONG])
    await _launch(database, catalogs, await seed_campaign(database))
    request = RecordingRequest()
    await _drain(_dispatcher(database, request))
    assert sorted(int(call.params["chat_id"]) for call in request.sent()) == sorted(
        [NHUNG, MAI, HOA, CUONG]
    )
    rows = await _rows(database)
    assert {row.status for row in rows} == {OutboxStatus.SENT}
    assert all(row.telegram_message_id and row.sent_at for row in rows)


async def test_429_waits_exactly_retry_after_then_retries(
    harness: BotHarness, database: Database, catalogs: Catalogs
) -> None:
    await seed_org(database)
    await _link_all(harness, [NHUNG, MAI])
    await _launch(database, catalogs, await seed_campaign(database))
    request = RecordingRequest()
    request.fail_next("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
    dispatcher = _dispatcher(database, request)
    await _drain(dispatcher)
    await asyncio.sleep(1.05)
    await _drain(dispatcher)
    sends = [entry for entry in request.times if entry[1] == "sendMessage"]
    assert [status for *_, status in sends] == [429, 200, 200]
    assert sends[1][0] - sends[0][0] >= 1.0  # nothing at all was sent during retry_after
    assert {row.status for row in await _rows(database)} == {OutboxStatus.SENT}


async def test_403_marks_the_member_unreachable_and_400_fails_with_the_reason(
    harness: BotHarness, database: Database, catalogs: Catalogs
) -> None:
    await seed_org(database)
    await _link_all(harness, [NHUNG, MAI, HOA])
    await _launch(database, catalogs, await seed_campaign(database))
    request = RecordingRequest()
    request.fail_next("sendMessage", 403, "Forbidden: bot was blocked by the user", chat_id=MAI)
    request.fail_next("sendMessage", 400, "Bad Request: chat not found", chat_id=HOA)
    await _drain(_dispatcher(database, request))
    rows = {row.chat_id: row for row in await _rows(database)}
    assert rows[NHUNG].status == OutboxStatus.SENT
    assert rows[MAI].status == OutboxStatus.UNREACHABLE
    assert rows[HOA].status == OutboxStatus.FAILED
    assert "chat not found" in (rows[HOA].last_error or "").lower()
    async with database.session() as session:
        mai = await session.execute(select(Member).where(Member.telegram_user_id == MAI))
        assert mai.scalars().one().status == MemberStatus.UNREACHABLE
    # Writing to the bot again makes her reachable.
    await harness.say(MAI, "/start")
    async with database.session() as session:
        mai = await session.execute(select(Member).where(Member.telegram_user_id == MAI))
        assert mai.scalars().one().status == MemberStatus.ACTIVE


async def test_server_errors_retry_with_backoff_then_give_up_with_the_reason(
    harness: BotHarness, database: Database, catalogs: Catalogs
) -> None:
    await seed_org(database)
    await _link_all(harness, [NHUNG, MAI])
    await _launch(database, catalogs, await seed_campaign(database))
    request = RecordingRequest()
    request.fail_next("sendMessage", 502, "Bad Gateway", chat_id=NHUNG, times=2)
    request.fail_next("sendMessage", 500, "Internal Server Error", chat_id=MAI, times=10)
    await _drain(_dispatcher(database, request), rounds=40)
    rows = {row.chat_id: row for row in await _rows(database)}
    assert rows[NHUNG].status == OutboxStatus.SENT and rows[NHUNG].attempts == 3
    assert rows[MAI].status == OutboxStatus.FAILED and rows[MAI].attempts == 5
    assert "Internal Server Error" in (rows[MAI].last_error or "")


async def test_per_chat_pacing_spaces_two_messages_to_one_person(
    harness: BotHarness, database: Database, catalogs: Catalogs
) -> None:
    """A plan document and the launch text to the same person go at least 1 s apart."""
    await seed_org(database)
    await _link_all(harness, [NHUNG])
    campaign_id = await seed_campaign(database)
    from storage.campaign_models import CampaignDocument

    async with database.session() as session:
        await campaign_store.add(
            [CampaignDocument(campaign_id=campaign_id, file_name="ke_hoach.pdf", content=b"%PDF")],
            session=session,
        )
    await _launch(database, catalogs, campaign_id)
    request = RecordingRequest()
    dispatcher = _dispatcher(database, request, per_chat_interval=1.0)
    await _drain(dispatcher)
    await asyncio.sleep(1.0)
    await _drain(dispatcher)
    sends = [entry for entry in request.times if entry[1] in ("sendDocument", "sendMessage")]
    assert [entry[1] for entry in sends] == ["sendDocument", "sendMessage"]
    assert sends[1][0] - sends[0][0] >= 0.95


async def test_a_row_in_flight_at_a_crash_is_sent_again_and_named(
    harness: BotHarness, database: Database, catalogs: Catalogs
) -> None:
    await seed_org(database)
    await _link_all(harness, [NHUNG, MAI])
    await _launch(database, catalogs, await seed_campaign(database))
    async with database.session() as session:
        first = await session.execute(select(OutboxMessage).order_by(OutboxMessage.id))
        row = first.scalars().first()
        assert row is not None
        row.status = OutboxStatus.SENDING  # what a kill -9 between the two writes leaves
    request = RecordingRequest()
    dispatcher = _dispatcher(database, request)
    task = asyncio.create_task(dispatcher.run())
    for _ in range(50):
        await asyncio.sleep(0.05)
        if len(request.sent()) == 2:
            break
    dispatcher.stop()
    await task
    assert len(dispatcher.recovered) == 1
    assert sorted(int(call.params["chat_id"]) for call in request.sent()) == sorted([NHUNG, MAI])
    from storage.outbox import resent_after_restart

    async with database.session() as session:
        broadcast_id = row.broadcast_id
        assert broadcast_id is not None
        assert await resent_after_restart(broadcast_id, session=session) == [row.chat_id]
