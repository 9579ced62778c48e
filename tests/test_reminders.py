"""Reminders: planned from campaign dates, swept once, never after the task is done, held on
leave, escalated to the officer and the bloc head; safe across a crash and two sweepers."""

import asyncio
import io
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from PIL import Image
from sqlmodel import col, select
from telegram import Bot

from bot import pledges
from bot.digest_chart import DigestCharts
from bot.dispatcher import Dispatcher
from bot.i18n import Catalogs
from bot.pacing import SendLimits
from bot.reminder_calendar import ReminderCalendar
from bot.reminder_planner import plan_campaign
from bot.reminder_service import ReminderService
from bot.reminder_sweep import sweep
from bot.settings import Settings
from storage import outbox as outbox_store
from storage.campaign_models import Campaign, OutboxMessage, OutboxStatus
from storage.database import Database
from storage.reminder_models import MemberLeave, Reminder, ReminderStatus
from tests.support.org_seed import BINH, CUONG, DUNG, HOA, MAI, NHUNG, link_by_name
from tests.support.pledge_seed import individual, member_id, seed_launched
from tests.support.recording_request import TOKEN, RecordingRequest

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
CALENDAR = ReminderCalendar(TZ)
NAMES = {
    "Nguyễn Thị Hồng Nhung": NHUNG,
    "Trần Văn Bình": BINH,
    "Lê Thị Mai": MAI,
    "Phạm Văn Cường": CUONG,
    "Hoàng Thị Dung": DUNG,
    "Đặng Thị Hoa": HOA,
}


def local(day: date, hour: int = 8) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=TZ).astimezone(UTC)


async def _seed(database: Database, *, digest: str = "") -> int:
    """The seed campaign with linked members; weekly digests off unless asked for."""
    campaign_id = await seed_launched(database)
    async with database.session() as session:
        await link_by_name(session, NAMES)
        campaign = await session.get(Campaign, campaign_id)
        assert campaign is not None
        campaign.digest_rule = digest
    return campaign_id


async def _plan(database: Database, campaign_id: int, now: datetime) -> None:
    async with database.session() as session:
        campaign = await session.get(Campaign, campaign_id)
        assert campaign is not None
        await plan_campaign(campaign, calendar=CALENDAR, now=now, session=session)


async def _sweep(database: Database, catalogs: Catalogs, now: datetime) -> dict[str, int]:
    async with database.session() as session:
        result = await sweep(now, catalogs=catalogs, calendar=CALENDAR, session=session)
    return dict(result.counts)


async def _sweep_then_die(database: Database, catalogs: Catalogs, now: datetime) -> None:
    """The process dies after claiming and queueing, before the commit."""
    async with database.session() as session:
        await sweep(now, catalogs=catalogs, calendar=CALENDAR, session=session)
        raise RuntimeError("killed before commit")


async def _outbox(database: Database) -> list[OutboxMessage]:
    async with database.session() as session:
        query = select(OutboxMessage).where(OutboxMessage.kind == "reminder")
        return list((await session.execute(query.order_by(col(OutboxMessage.id)))).scalars())


async def _reminders(database: Database, **where: object) -> list[Reminder]:
    async with database.session() as session:
        query = select(Reminder)
        for key, value in where.items():
            query = query.where(getattr(Reminder, key) == value)
        return list((await session.execute(query.order_by(col(Reminder.id)))).scalars())


async def test_registration_reminders_go_only_to_who_has_not_registered(
    database: Database, catalogs: Catalogs
) -> None:
    campaign_id = await _seed(database)
    await _plan(database, campaign_id, local(date(2027, 2, 1)))
    d7 = await _reminders(database, task="reg", step="d7")
    assert len(d7) == 7 and {r.due_at for r in d7} == {local(date(2027, 3, 18))}
    values = await individual(database, campaign_id, await member_id(database, "Lê Thị Mai"))
    async with database.session() as session:
        await pledges.confirm(values, actor=MAI, today=date(2027, 3, 1), session=session)
    counts = await _sweep(database, catalogs, local(date(2027, 3, 18)))
    assert counts == {"sent": 5, "done": 1, "skipped: not reachable": 1}  # Em has no Telegram
    sent = await _outbox(database)
    assert MAI not in {row.chat_id for row in sent}
    text = str(sent[0].payload["text"])
    assert "thứ Năm, 25/03/2027" in text and "còn 7 ngày" in text
    markup = sent[0].payload["reply_markup"]
    assert markup["inline_keyboard"][0][0]["callback_data"] == f"reg:{campaign_id}"
    assert await _sweep(database, catalogs, local(date(2027, 3, 18), 9)) == {}  # nothing twice


async def test_a_reminder_never_goes_out_after_its_task_is_done(
    database: Database, catalogs: Catalogs
) -> None:
    campaign_id = await _seed(database)
    await _plan(database, campaign_id, local(date(2027, 2, 1)))
    values = await individual(database, campaign_id, await member_id(database, "Lê Thị Mai"))
    async with database.session() as session:  # planned already; she registers before it is due
        await pledges.confirm(values, actor=MAI, today=date(2027, 3, 20), session=session)
    await _sweep(database, catalogs, local(date(2027, 3, 22)))  # d3 of 25/03
    mai = await member_id(database, "Lê Thị Mai")
    [d3] = [r for r in await _reminders(database, step="d3", task="reg") if r.subject_id == mai]
    assert d3.status is ReminderStatus.DONE
    assert MAI not in {row.chat_id for row in await _outbox(database)}


async def test_on_leave_the_reminder_is_held_and_the_officer_sees_it(
    database: Database, catalogs: Catalogs
) -> None:
    campaign_id = await _seed(database)
    mai = await member_id(database, "Lê Thị Mai")
    async with database.session() as session:
        session.add(MemberLeave(member_id=mai, starts=date(2027, 3, 15), ends=date(2027, 3, 23)))
    await _plan(database, campaign_id, local(date(2027, 2, 1)))
    await _sweep(database, catalogs, local(date(2027, 3, 18)))
    [d7] = [r for r in await _reminders(database, step="d7", task="reg") if r.subject_id == mai]
    assert d7.status is ReminderStatus.PENDING and d7.due_at == local(date(2027, 3, 24))
    await _sweep(database, catalogs, local(date(2027, 3, 24)))
    assert MAI in {row.chat_id for row in await _outbox(database)}  # after the leave, once
    d7 = (await _reminders(database, id=d7.id))[0]
    assert d7.status is ReminderStatus.SENT


async def test_escalation_lists_for_the_officer_and_the_bloc_head(
    database: Database, catalogs: Catalogs
) -> None:
    campaign_id = await _seed(database)
    async with database.session() as session:
        campaign = await session.get(Campaign, campaign_id)
        assert campaign is not None
        campaign.late_registration = True
    await _plan(database, campaign_id, local(date(2027, 2, 1)))
    steps = {(r.step, r.due_at) for r in await _reminders(database, task="reg")}
    assert ("late", local(date(2027, 3, 26))) in steps
    assert ("officer", local(date(2027, 3, 29))) in steps  # Friday → Monday
    assert ("bloc", local(date(2027, 3, 30))) in steps
    await _sweep(database, catalogs, local(date(2027, 3, 30)))
    rows = await _outbox(database)
    officer = [r for r in rows if r.chat_id == NHUNG and "chưa đăng ký" in str(r.payload["text"])]
    assert officer and "Lê Thị Mai" in str(officer[-1].payload["text"])
    bloc = [r for r in rows if r.chat_id == BINH and "chưa đạt 100%" in str(r.payload["text"])]
    assert bloc and "Sở Tư pháp — 0/3 (0,0%)" in str(bloc[-1].payload["text"])


async def test_replanning_after_a_date_change_moves_only_pending_rows(
    database: Database, catalogs: Catalogs
) -> None:
    campaign_id = await _seed(database)
    await _plan(database, campaign_id, local(date(2027, 2, 1)))
    await _sweep(database, catalogs, local(date(2027, 3, 18)))  # d7 sent
    async with database.session() as session:
        campaign = await session.get(Campaign, campaign_id)
        assert campaign is not None
        campaign.registration_deadline = date(2027, 4, 2)
    await _plan(database, campaign_id, local(date(2027, 3, 19)))
    d7 = await _reminders(database, task="reg", step="d7")
    assert {r.status for r in d7} != {ReminderStatus.PENDING}  # sent ones stay as they were
    d3 = await _reminders(database, task="reg", step="d3")
    assert {r.due_at for r in d3} == {local(date(2027, 3, 30))}
    assert {r.deadline for r in d3} == {date(2027, 4, 2)}


async def test_a_crash_between_claim_and_send_loses_nothing_and_sends_once(
    database: Database, catalogs: Catalogs
) -> None:
    campaign_id = await _seed(database)
    await _plan(database, campaign_id, local(date(2027, 2, 1)))
    with pytest.raises(RuntimeError, match="killed"):
        await _sweep_then_die(database, catalogs, local(date(2027, 3, 18)))
    assert await _outbox(database) == []
    assert await _sweep(database, catalogs, local(date(2027, 3, 18))) == {
        "sent": 6,
        "skipped: not reachable": 1,
    }
    assert len(await _outbox(database)) == 6


async def test_two_sweepers_at_once_send_each_reminder_once(
    database: Database, catalogs: Catalogs
) -> None:
    campaign_id = await _seed(database)
    await _plan(database, campaign_id, local(date(2027, 2, 1)))
    now = local(date(2027, 4, 5))  # d7 … d0 of registration are all due by now
    results = await asyncio.gather(*(_sweep(database, catalogs, now) for _ in range(2)))
    rows = await _outbox(database)
    keys = [row.dedupe_key for row in rows]
    assert len(keys) == len(set(keys))
    sent = await _reminders(database, status=ReminderStatus.SENT)
    assert len(rows) == len(sent) and sum(r.get("sent", 0) for r in results) == len(sent)


async def test_the_bot_plans_each_campaign_and_sweeps_until_a_batch_is_short(
    database: Database, catalogs: Catalogs, settings: Settings
) -> None:
    await _seed(database)
    service = ReminderService(settings, database, catalogs, None)
    await service.plan()
    assert len(await _reminders(database, task="reg", step="d7")) == 7
    [result] = await service.sweep()  # today (2026) nothing of the 2027 campaign is due
    assert result.claimed == 0


async def test_the_digest_chart_is_drawn_when_sent_and_attached_as_a_photo(
    database: Database, catalogs: Catalogs
) -> None:
    """The digest's text, then its chart as a photo; officers of one unit share one drawing."""
    campaign_id = await _seed(database, digest="thứ 2 08:00")
    monday = local(date(2027, 3, 29))
    await _plan(database, campaign_id, local(date(2027, 3, 28), 20))
    await _sweep(database, catalogs, monday)
    request = RecordingRequest()
    bot = Bot(TOKEN, request=request)
    await bot.initialize()
    renderer = DigestCharts(database, catalogs, ZoneInfo("Asia/Ho_Chi_Minh"))
    limits = SendLimits(per_chat_interval=0)
    dispatcher = Dispatcher(database, bot, limits=limits, charts=renderer)
    while await dispatcher.drain_once():
        pass
    photos = request.sent("sendPhoto")
    assert sorted(int(call.params["chat_id"]) for call in photos) == sorted([NHUNG, CUONG, BINH])
    uploads = [call for call in photos if call.files]
    assert len(uploads) == 3  # two units' charts, one bloc's
    for call in uploads:
        [png] = call.files.values()
        assert Image.open(io.BytesIO(png)).format == "PNG"
    captions = {int(call.params["chat_id"]): str(call.params["caption"]) for call in photos}
    assert "Sở Tư pháp" in captions[NHUNG]
    assert "Khối các cơ quan Nội chính" in captions[BINH]
    async with database.session() as session:
        queued = (await session.execute(select(OutboxMessage))).scalars().all()
    [nhung_chart] = [r for r in queued if r.chat_id == NHUNG and "chart" in r.payload]
    async with database.session() as session:  # a second reader of the same chart: no redraw
        await outbox_store.enqueue(
            [{"dedupe_key": "again", "kind": "digest", "chat_id": HOA,
              "payload": nhung_chart.payload}],
            session=session,
        )  # fmt: skip
    while await dispatcher.drain_once():
        pass
    [again] = [c for c in request.sent("sendPhoto") if c.params["chat_id"] in (HOA, str(HOA))]
    assert not again.files and str(again.params["photo"]).startswith("photo-")
    for chat in (NHUNG, CUONG, BINH):
        sent = [c for c in request.calls if c.params.get("chat_id") in (chat, str(chat))]
        kinds = [
            "digest" if "Tổng hợp tuần" in c.text else c.method
            for c in sent
            if c.method == "sendPhoto" or "Tổng hợp tuần" in c.text
        ]
        assert kinds == ["digest", "sendPhoto"]  # the text first, then its chart
    async with database.session() as session:
        statuses = (await session.execute(select(OutboxMessage.status))).scalars().all()
    assert set(statuses) == {OutboxStatus.SENT}


async def test_the_weekly_digest_goes_to_officers_and_bloc_heads_once(
    database: Database, catalogs: Catalogs
) -> None:
    campaign_id = await _seed(database, digest="thứ 2 08:00")
    monday = local(date(2027, 3, 29))
    await _plan(database, campaign_id, local(date(2027, 3, 28), 20))
    digests = await _reminders(database, task="digest")
    assert {r.due_at for r in digests} == {monday} and {r.step for r in digests} == {
        "u202713",
        "b202713",
    }
    await _sweep(database, catalogs, monday)
    await _sweep(database, catalogs, monday + timedelta(hours=1))  # nothing twice
    async with database.session() as session:
        query = select(OutboxMessage).where(OutboxMessage.kind == "digest")
        rows = list((await session.execute(query)).scalars())
    texts = [row for row in rows if row.payload["method"] == "sendMessage"]
    charts = [row for row in rows if row.payload["method"] == "sendChart"]
    by_chat = {row.chat_id: str(row.payload["text"]) for row in texts}
    assert sorted(by_chat) == sorted([NHUNG, CUONG, BINH])
    assert sorted(row.chat_id for row in charts) == sorted([NHUNG, CUONG, BINH])
    assert "Tổng hợp tuần" in by_chat[NHUNG] and "Chưa đăng ký: " in by_chat[NHUNG]
    assert "Lê Thị Mai" in by_chat[NHUNG] and "Hoàng Thị Dung" not in by_chat[NHUNG]
    assert "Khối các cơ quan Nội chính" in by_chat[BINH] and "Thanh tra tỉnh" in by_chat[BINH]
    await _plan(database, campaign_id, monday + timedelta(days=1))  # next week planned
    steps = {
        r.step for r in await _reminders(database, task="digest", status=ReminderStatus.PENDING)
    }
    assert steps == {"u202714", "b202714"}
