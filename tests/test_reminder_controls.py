"""/nhacnho: a member sees their coming reminders, snoozes one (never past the deadline), and
declares leave, which their officer then sees."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from sqlmodel import col, select

from bot.reminder_calendar import ReminderCalendar
from bot.reminder_planner import plan_campaign
from storage.campaign_models import Campaign
from storage.database import Database
from storage.reminder_models import MemberLeave, Reminder
from tests.support.flows import button, buttons, link, make_admin, shown
from tests.support.harness import BotHarness
from tests.support.org_seed import ADMIN, MAI, NHUNG
from tests.support.pledge_seed import member_id, seed_launched

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


async def _setup(harness: BotHarness, database: Database, *, snoozable: bool = True) -> int:
    campaign_id = await seed_launched(database)
    now = datetime.combine(date(2027, 3, 10), time(3, 0), tzinfo=UTC)
    harness.app.services.now = lambda: now  # type: ignore[method-assign]
    await link(harness, [MAI, NHUNG])
    async with database.session() as session:
        campaign = await session.get(Campaign, campaign_id)
        assert campaign is not None
        campaign.reminders_snoozable = snoozable
        await plan_campaign(campaign, calendar=ReminderCalendar(TZ), now=now, session=session)
    return campaign_id


async def _mai_reminders(database: Database, step: str) -> Reminder:
    mai = await member_id(database, "Lê Thị Mai")
    async with database.session() as session:
        query = select(Reminder).where(
            Reminder.subject_id == mai, Reminder.step == step, Reminder.task == "reg"
        )
        return (await session.execute(query)).scalar_one()


async def test_the_member_sees_and_snoozes_a_reminder(
    harness: BotHarness, database: Database
) -> None:
    await _setup(harness, database)
    listing = await harness.say(MAI, "/nhacnho")
    text = shown(listing)
    assert "Lịch nhắc hạn của bạn" in text
    assert (
        "thứ Năm, 18/03/2027 08:00: đăng ký thi đua" in text and "hạn thứ Năm, 25/03/2027" in text
    )
    moved = shown(await harness.press(MAI, button(listing, "1. 💤 hoãn 3 ngày")))
    assert "Đã hoãn đến thứ Hai, 22/03/2027 08:00" in moved  # 21/03 is a Sunday
    d7 = await _mai_reminders(database, "d7")
    assert d7.snoozed and d7.due_at.astimezone(TZ).date() == date(2027, 3, 22)
    d0 = await _mai_reminders(database, "d0")
    refused = shown(await harness.press(MAI, f"nn:s:{d0.id}:1"))
    assert "không thể hoãn lần nhắc này quá hạn" in refused
    assert "không phải của bạn" in shown(await harness.press(NHUNG, f"nn:s:{d7.id}:1"))


async def test_a_campaign_can_forbid_snoozing(harness: BotHarness, database: Database) -> None:
    await _setup(harness, database, snoozable=False)
    listing = await harness.say(MAI, "/nhacnho")
    assert not [label for label, _ in buttons(listing) if "hoãn" in label]
    d7 = await _mai_reminders(database, "d7")
    assert "không được hoãn" in shown(await harness.press(MAI, f"nn:s:{d7.id}:1"))


async def test_leave_is_declared_shown_to_the_officer_and_cancelled(
    harness: BotHarness, database: Database
) -> None:
    await _setup(harness, database)
    listing = await harness.say(MAI, "/nhacnho")
    assert "ngày đầu và ngày cuối nghỉ phép" in shown(
        await harness.press(MAI, button(listing, "Tôi nghỉ phép"))
    )
    assert "ví dụ 20/03/2027 - 27/03/2027" in shown(await harness.say(MAI, "tuần sau"))
    assert "ngày cuối 15/03/2027 trước ngày đầu" in shown(
        await harness.say(MAI, "20/03/2027 - 15/03/2027")
    ).replace("Ngày", "ngày")
    noted = shown(await harness.say(MAI, "20/03/2027 - 27/03/2027"))
    assert "Đã ghi nhận: nghỉ phép từ 20/03/2027 đến 27/03/2027" in noted
    officer = shown(await harness.say(NHUNG, "/donvi"))
    assert "Lê Thị Mai — Chuyên viên · 🏖 nghỉ đến 27/03/2027" not in officer  # not yet on leave
    listing = await harness.say(MAI, "/nhacnho")
    assert "🏖 nghỉ phép: 20/03/2027 – 27/03/2027" in shown(listing)
    assert "Đã hủy" in shown(await harness.press(MAI, button(listing, "Hủy nghỉ phép")))
    async with database.session() as session:
        assert list((await session.execute(select(MemberLeave))).scalars()) == []


async def test_the_officer_sees_who_is_on_leave(harness: BotHarness, database: Database) -> None:
    await _setup(harness, database)
    mai = await member_id(database, "Lê Thị Mai")
    async with database.session() as session:
        session.add(MemberLeave(member_id=mai, starts=date(2027, 3, 8), ends=date(2027, 3, 19)))
    officer = shown(await harness.say(NHUNG, "/donvi"))
    assert "Lê Thị Mai — Chuyên viên · 🏖 nghỉ đến 19/03/2027" in officer
    async with database.session() as session:
        rows = (await session.execute(select(Reminder).order_by(col(Reminder.id)))).scalars()
        assert any(r.subject_id == mai for r in rows)


async def test_an_admin_changes_the_rules_in_chat_and_they_are_replanned(
    harness: BotHarness, database: Database
) -> None:
    campaign_id = await _setup(harness, database)
    await make_admin(database, ADMIN)
    listing = await harness.say(ADMIN, "/phongtrao")
    menu = await harness.press(ADMIN, button(listing, "⏰"))
    assert "Nhắc trước mỗi hạn (ngày): 7, 3, 1, 0" in shown(menu)
    assert "ví dụ 7, 3, 1, 0" in shown(await harness.press(ADMIN, button(menu, "Số ngày")))
    assert "từ 0 đến 60" in shown(await harness.say(ADMIN, "5, 90"))
    saved = shown(await harness.say(ADMIN, "5, 2"))
    assert "Đã lưu" in saved and "Nhắc trước mỗi hạn (ngày): 5, 2" in saved
    async with database.session() as session:
        campaign = await session.get(Campaign, campaign_id)
        assert campaign is not None and campaign.reminder_days == "5,2"
        steps = {r.step for r in (await session.execute(select(Reminder))).scalars()}
    assert {"d5", "d2"} <= steps and "d7" not in steps
    history = await harness.say(ADMIN, "/phongtrao")
    menu = await harness.press(ADMIN, button(history, "⏰"))
    toggled = await harness.press(ADMIN, button(menu, "hoãn nhắc"))
    assert "Cho phép hoãn nhắc: Không" in shown(toggled)
    assert "Chỉ quản trị viên" in shown(await harness.press(MAI, f"cprr:{campaign_id}"))
