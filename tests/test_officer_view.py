"""/donvi: the unit officer sees the registration rate, who is missing, and reminds them."""

from datetime import UTC, datetime, time

from sqlmodel import col, select

from bot import pledges
from bot.i18n import Catalogs
from bot.settings import Settings
from storage import covenants
from storage import pledges as pledge_store
from storage.campaign_models import OutboxMessage
from storage.database import Database
from storage.models import Unit
from storage.pledge_models import Pledge, PledgeKind, PledgeStatus
from tests.support.flows import button, buttons, link, second_app, shown
from tests.support.harness import BotHarness
from tests.support.org_seed import BINH, CUONG, MAI, NHUNG
from tests.support.pledge_seed import (
    OPEN_DAY,
    collective,
    individual,
    member_id,
    seed_launched,
    unit_id,
)


async def _setup(harness: BotHarness, database: Database) -> int:
    campaign_id = await seed_launched(database)
    harness.app.services.now = lambda: datetime.combine(  # type: ignore[method-assign]
        OPEN_DAY, time(3, 0), tzinfo=UTC
    )
    await link(harness, [NHUNG, MAI, CUONG, BINH])
    return campaign_id


async def _pledge(database: Database, campaign_id: int, name: str) -> None:
    values = await individual(database, campaign_id, await member_id(database, name))
    async with database.session() as session:
        await pledges.confirm(values, actor=None, today=OPEN_DAY, session=session)


async def _reminders(database: Database) -> list[OutboxMessage]:
    async with database.session() as session:
        result = await session.execute(
            select(OutboxMessage).where(OutboxMessage.kind == "reminder")
        )
        return list(result.scalars().all())


async def test_rate_and_missing_list_follow_the_pledges(
    harness: BotHarness, database: Database
) -> None:
    campaign_id = await _setup(harness, database)
    text = shown(await harness.say(NHUNG, "/donvi"))
    assert "Sở Tư pháp" in text and "Đã đăng ký 0/3 (0,0%)" in text
    assert text.index("Trần Văn Bình") < text.index("Lê Thị Mai")  # by Tên: Bình, Mai, Nhung
    assert text.index("Lê Thị Mai") < text.index("Nguyễn Thị Hồng Nhung")
    assert "Phó Giám đốc" in text and "Hoàng Thị Dung" not in text
    await _pledge(database, campaign_id, "Lê Thị Mai")
    text = shown(await harness.say(NHUNG, "/donvi"))
    assert "Đã đăng ký 1/3 (33,3%)" in text and "Lê Thị Mai" not in text
    await _pledge(database, campaign_id, "Trần Văn Bình")
    await _pledge(database, campaign_id, "Nguyễn Thị Hồng Nhung")
    text = shown(await harness.say(NHUNG, "/donvi"))
    assert "Đã đăng ký 3/3 (100,0%)" in text and "Nhắc ngay" not in text


async def test_remind_now_queues_once_a_day(harness: BotHarness, database: Database) -> None:
    campaign_id = await _setup(harness, database)
    await _pledge(database, campaign_id, "Lê Thị Mai")
    calls = await harness.say(CUONG, "/donvi")
    assert "Đã đăng ký 0/3" in shown(calls)  # Thanh tra tỉnh: Cường, Dung, Em
    answer = shown(await harness.press(CUONG, button(calls, "Nhắc ngay")))
    assert "1" in answer and "Cường" not in answer
    [reminder] = await _reminders(database)  # Cường himself: only linked members are reminded
    assert reminder.member_id == await member_id(database, "Phạm Văn Cường")
    assert "Không liên lạc được" in answer and "2" in answer  # Dung and Em are not linked
    assert "25/03/2027" in reminder.payload["text"]
    markup = reminder.payload["reply_markup"]["inline_keyboard"]
    assert markup[0][0]["callback_data"] == f"reg:{campaign_id}"
    again = shown(await harness.press(CUONG, button(calls, "Nhắc ngay")))
    assert "0" in again and len(await _reminders(database)) == 1


async def test_bloc_head_chooses_a_unit(harness: BotHarness, database: Database) -> None:
    await _setup(harness, database)
    calls = await harness.say(BINH, "/donvi")
    labels = [label for label, _ in buttons(calls)]
    assert labels == ["Sở Tư pháp", "Thanh tra tỉnh"]  # Khối Nội chính; not Ủy ban MTTQ
    text = shown(await harness.press(BINH, button(calls, "Thanh tra tỉnh")))
    assert "Đã đăng ký 0/3" in text and "Võ Văn Em" in text
    text = shown(await harness.say(BINH, "/donvi thanh tra"))
    assert "Hoàng Thị Dung" in text


async def test_members_and_other_units_are_refused(harness: BotHarness, database: Database) -> None:
    campaign_id = await _setup(harness, database)
    assert "Chỉ cán bộ thi đua" in shown(await harness.say(MAI, "/donvi"))
    other = await unit_id(database, "Thanh tra tỉnh")
    for user in (NHUNG, MAI):
        for data in (f"dv:r:{campaign_id}:{other}", f"dv:u:{other}", f"dv:c:{campaign_id}:{other}"):
            refused = shown(await harness.press(user, data))
            assert "không quản lý" in refused
    assert await _reminders(database) == []
    assert "không còn hiệu lực" in shown(await harness.press(NHUNG, "dv:r:x:1"))
    own = await unit_id(database, "Sở Tư pháp")
    assert "không còn hiệu lực" in shown(await harness.press(NHUNG, f"dv:r:999:{own}"))


async def _pledge_of(database: Database, campaign_id: int, name: str) -> Pledge:
    member = await member_id(database, name)
    async with database.session() as session:
        result = await session.execute(
            select(Pledge).where(
                Pledge.campaign_id == campaign_id,
                Pledge.member_id == member,
                Pledge.status != PledgeStatus.WITHDRAWN,
            )
        )
        return result.scalar_one()


async def _notices(database: Database) -> list[OutboxMessage]:
    async with database.session() as session:
        result = await session.execute(
            select(OutboxMessage)
            .where(OutboxMessage.kind == "pledge")
            .order_by(col(OutboxMessage.id))
        )
        return list(result.scalars().all())


async def test_review_return_fix_and_approve_all(harness: BotHarness, database: Database) -> None:
    campaign_id = await _setup(harness, database)
    values = await individual(
        database, campaign_id, await member_id(database, "Lê Thị Mai"), title="CSTDCS"
    )
    async with database.session() as session:
        await pledges.confirm(values, actor=MAI, today=OPEN_DAY, session=session)
    await _pledge(database, campaign_id, "Trần Văn Bình")
    unit = await unit_id(database, "Sở Tư pháp")
    mai = await _pledge_of(database, campaign_id, "Lê Thị Mai")
    status = await harness.say(NHUNG, "/donvi")
    assert "Chờ duyệt: 2" in shown(status)
    refused = shown(await harness.press(NHUNG, f"dv:A:{campaign_id}:{unit}"))
    assert "xem danh sách" in refused  # approve-all only after the list was shown
    listing = await harness.press(NHUNG, button(status, "Xem xét"))
    text = shown(listing)
    assert "Lê Thị Mai — Chiến sĩ thi đua cơ sở · ⚠️" in text and "Trần Văn Bình" in text
    view = shown(await harness.press(NHUNG, f"dv:v:{mai.id}"))
    assert "Số sáng kiến" in view and "Tỷ lệ của đơn vị" in view and "15%" in view

    prompt = shown(await harness.press(NHUNG, f"dv:x:{mai.id}"))
    assert "lý do" in prompt and "Lê Thị Mai" in prompt
    done = shown(await harness.say(NHUNG, "Thiếu minh chứng sáng kiến"))
    assert "Đã trả lại" in done
    returned = await _pledge_of(database, campaign_id, "Lê Thị Mai")
    assert returned.status is PledgeStatus.RETURNED
    [notice] = await _notices(database)
    assert notice.chat_id == MAI and "Thiếu minh chứng sáng kiến" in notice.payload["text"]
    assert notice.payload["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == (
        f"reg:{campaign_id}"
    )

    fixed = await individual(database, campaign_id, await member_id(database, "Lê Thị Mai"))
    async with database.session() as session:
        await pledges.confirm(fixed, actor=MAI, today=OPEN_DAY, session=session)
    assert (await _pledge_of(database, campaign_id, "Lê Thị Mai")).status is PledgeStatus.PENDING

    listing = await harness.press(NHUNG, f"dv:l:{campaign_id}:{unit}")
    confirm = await harness.press(NHUNG, button(listing, "Duyệt tất cả"))
    assert "Duyệt 2 bản đăng ký" in shown(confirm)
    approved = shown(await harness.press(NHUNG, button(confirm, "duyệt tất cả")))
    assert "Đã duyệt: 2" in approved
    for name in ("Lê Thị Mai", "Trần Văn Bình"):
        assert (await _pledge_of(database, campaign_id, name)).status is PledgeStatus.APPROVED
    notices = await _notices(database)
    assert len(notices) == 3 and "đã được duyệt" in notices[-1].payload["text"]
    again = shown(await harness.press(NHUNG, button(confirm, "duyệt tất cả")))
    assert "Đã duyệt: 0" in again and len(await _notices(database)) == 3


async def test_approve_one_and_forged_pledge_ids(harness: BotHarness, database: Database) -> None:
    campaign_id = await _setup(harness, database)
    await _pledge(database, campaign_id, "Lê Thị Mai")
    mai = await _pledge_of(database, campaign_id, "Lê Thị Mai")
    for user in (CUONG, MAI):  # officer of another unit, plain member
        for action in ("v", "a", "x"):
            refused = shown(await harness.press(user, f"dv:{action}:{mai.id}"))
            assert "không quản lý" in refused
    assert "không quản lý" in shown(await harness.press(NHUNG, "dv:a:99999"))
    assert (await _pledge_of(database, campaign_id, "Lê Thị Mai")).status is PledgeStatus.PENDING
    assert await _notices(database) == []
    assert "Đã duyệt" in shown(await harness.press(NHUNG, f"dv:a:{mai.id}"))
    assert (await _pledge_of(database, campaign_id, "Lê Thị Mai")).status is PledgeStatus.APPROVED
    assert len(await _notices(database)) == 1
    assert "không còn ở trạng thái chờ duyệt" in shown(await harness.press(NHUNG, f"dv:a:{mai.id}"))
    assert len(await _notices(database)) == 1


async def test_the_return_reason_survives_a_restart(
    harness: BotHarness, database: Database, settings: Settings, catalogs: Catalogs
) -> None:
    campaign_id = await _setup(harness, database)
    await _pledge(database, campaign_id, "Lê Thị Mai")
    mai = await _pledge_of(database, campaign_id, "Lê Thị Mai")
    assert "lý do" in shown(await harness.press(NHUNG, f"dv:x:{mai.id}"))
    app, restarted = await second_app(settings, database, catalogs)
    try:
        assert "Đã trả lại" in shown(await restarted.say(NHUNG, "Sai chỉ tiêu"))
    finally:
        await app.shutdown()
    assert (await _pledge_of(database, campaign_id, "Lê Thị Mai")).status is PledgeStatus.RETURNED
    [notice] = await _notices(database)
    assert "Sai chỉ tiêu" in notice.payload["text"]


async def test_officer_registers_for_a_member_without_telegram(
    harness: BotHarness, database: Database
) -> None:
    campaign_id = await _setup(harness, database)
    em = await member_id(database, "Võ Văn Em")
    cuong = await member_id(database, "Phạm Văn Cường")
    for user, forged in ((NHUNG, em), (MAI, em), (CUONG, cuong)):  # other unit, member, linked
        assert "không thể đăng ký thay" in shown(
            await harness.press(user, f"dv:o:{campaign_id}:{forged}")
        )
    history = await harness.say(CUONG, "/donvi")
    assert [label for label, _ in buttons(history) if "Đăng ký thay" in label] == [
        "✍️ Đăng ký thay Hoàng Thị Dung",
        "✍️ Đăng ký thay Võ Văn Em",
    ]

    async def press(label: str) -> str:
        calls = await harness.press(CUONG, button(history, label))
        history.extend(calls)
        return shown(calls)

    assert "Võ Văn Em" in await press("Đăng ký thay Võ Văn Em")
    await press("Lao động tiên tiến")
    await press("Giấy khen")
    history.extend(await harness.say(CUONG, "3"))
    await press("Xong")
    await press("Bỏ qua")
    assert "Chờ duyệt" in await press("Xác nhận")
    pledge = await _pledge_of(database, campaign_id, "Võ Văn Em")
    assert pledge.on_behalf and pledge.entered_by == CUONG
    assert pledge.status is PledgeStatus.PENDING
    text = shown(await harness.say(CUONG, "/donvi"))
    assert "Đã đăng ký 1/3" in text and "Đăng ký thay Võ Văn Em" not in str(
        buttons(await harness.say(CUONG, "/donvi"))
    )


async def test_the_officer_signs_the_bloc_covenant_once(
    harness: BotHarness, database: Database
) -> None:
    campaign_id = await _setup(harness, database)
    unit = await unit_id(database, "Sở Tư pháp")
    async with database.session() as session:
        bloc = (await session.execute(select(Unit.bloc_id).where(Unit.id == unit))).scalar_one()
        assert bloc is not None
        await covenants.set_covenant(
            campaign_id,
            bloc,
            "Giao ước thi đua Khối các cơ quan Nội chính năm 2027",
            [{"label": "Tỷ lệ hồ sơ đúng hạn", "unit": "%", "planned": "100"}],
            session=session,
        )
    status = await harness.say(NHUNG, "/donvi")
    covenant = await harness.press(NHUNG, button(status, "Giao ước"))
    text = shown(covenant)
    assert "Khối các cơ quan Nội chính" in text and "Tỷ lệ hồ sơ đúng hạn: 100 %" in text
    assert "chưa ký" in text
    assert "không quản lý" in shown(await harness.press(CUONG, button(covenant, "Ký giao ước")))
    signed = shown(await harness.press(NHUNG, button(covenant, "Ký giao ước")))
    assert "Đã ký giao ước cho đơn vị: Nguyễn Thị Hồng Nhung" in signed
    again = shown(await harness.press(BINH, button(covenant, "Ký giao ước")))  # the bloc head
    assert "đã ký giao ước này rồi" in again and "Nguyễn Thị Hồng Nhung" in again


async def test_the_officer_enters_the_units_collective_pledge(
    harness: BotHarness, database: Database
) -> None:
    campaign_id = await _setup(harness, database)
    unit = await unit_id(database, "Sở Tư pháp")
    assert "không quản lý" in shown(await harness.press(CUONG, f"dv:t:{campaign_id}:{unit}"))
    history = await harness.say(NHUNG, "/donvi")

    async def press(label: str) -> str:
        calls = await harness.press(NHUNG, button(history, label))
        history.extend(calls)
        return shown(calls)

    assert "Đăng ký thi đua tập thể của Sở Tư pháp" in await press("Đăng ký tập thể")
    labels = [label for label, _ in buttons(history[-3:])]
    assert labels == ["Tập thể lao động tiên tiến", "Tập thể lao động xuất sắc"]
    await press("Tập thể lao động tiên tiến")
    await press("Bỏ qua")  # no collective form of commendation offered
    history.extend(await harness.say(NHUNG, "5"))
    await press("Xong")
    await press("Bỏ qua")
    assert "Chờ duyệt" in await press("Xác nhận")
    async with database.session() as session:
        [pledge] = await pledge_store.pledges_of_unit(
            campaign_id,
            unit,
            kind=PledgeKind.COLLECTIVE,
            statuses=(PledgeStatus.PENDING,),
            session=session,
        )
    assert pledge.member_id is None and pledge.entered_by == NHUNG
    own = shown(await harness.press(NHUNG, f"reg:{campaign_id}"))  # her own pledge is apart
    assert "Lao động tiên tiến" in own and "Tập thể lao động" not in own
    assert "Đăng ký tập thể: Tập thể lao động tiên tiến — Chờ duyệt" in shown(
        await harness.say(NHUNG, "/donvi")
    )
    summary = [call for call in history if "Kiểm tra đăng ký thi đua tập thể" in shown([call])]
    again = await harness.press(NHUNG, button(summary[-1:], "Xác nhận"))
    assert "đã được gửi (Chờ duyệt)" in shown(again)  # a second tap of ✅, explained


async def test_the_bloc_head_decides_a_units_collective_pledge(
    harness: BotHarness, database: Database
) -> None:
    campaign_id = await _setup(harness, database)
    unit = await unit_id(database, "Sở Tư pháp")
    values = await collective(database, campaign_id, unit)
    async with database.session() as session:
        sent = await pledges.confirm(values, actor=NHUNG, today=OPEN_DAY, session=session)
    pledge_id = sent.pledge.id
    # The unit's own officer cannot approve it, nor can an officer of another unit.
    for user in (NHUNG, CUONG):
        refused = shown(await harness.press(user, f"dv:a:{pledge_id}"))
        assert "Trưởng khối/cụm hoặc quản trị viên" in refused or "không quản lý" in refused
    officer_view = await harness.say(NHUNG, "/donvi")
    assert "Xét duyệt đăng ký tập thể" not in str(buttons(officer_view))

    units = await harness.say(BINH, "/donvi")
    status = await harness.press(BINH, button(units, "Sở Tư pháp"))
    assert "Đăng ký tập thể: Tập thể lao động tiên tiến — Chờ duyệt" in shown(status)
    view = await harness.press(BINH, button(status, "Xét duyệt đăng ký tập thể"))
    assert "🏢 <b>Sở Tư pháp</b>" in shown(view)
    assert "lý do" in shown(await harness.press(BINH, button(view, "Trả lại")))
    assert "Đã trả lại" in shown(await harness.say(BINH, "Thiếu chỉ tiêu cải cách hành chính"))
    [returned] = await _notices(database)
    assert returned.chat_id == NHUNG
    assert "tập thể của Sở Tư pháp" in returned.payload["text"]
    assert "Thiếu chỉ tiêu cải cách hành chính" in returned.payload["text"]

    async with database.session() as session:
        await pledges.confirm(values, actor=NHUNG, today=OPEN_DAY, session=session)
    status = await harness.press(BINH, button(units, "Sở Tư pháp"))
    view = await harness.press(BINH, button(status, "Xét duyệt đăng ký tập thể"))
    assert "Đã duyệt" in shown(await harness.press(BINH, button(view, "Duyệt")))
    notices = await _notices(database)
    assert notices[-1].chat_id == NHUNG and "đã được duyệt" in notices[-1].payload["text"]
    assert "Chờ duyệt" not in shown(await harness.press(BINH, button(view, "Duyệt")))


async def test_the_bloc_head_is_told_when_a_collective_pledge_arrives(
    harness: BotHarness, database: Database
) -> None:
    await _setup(harness, database)
    history = await harness.say(NHUNG, "/donvi")

    async def press(label: str) -> None:
        history.extend(await harness.press(NHUNG, button(history, label)))

    await press("Đăng ký tập thể")
    await press("Tập thể lao động tiên tiến")
    await press("Bỏ qua")
    history.extend(await harness.say(NHUNG, "5"))
    await press("Xong")
    await press("Bỏ qua")
    await press("Xác nhận")
    await press("Xác nhận")  # a double tap: one notice only
    [notice] = await _notices(database)
    assert (
        notice.chat_id == BINH
        and "Sở Tư pháp đã gửi đăng ký thi đua tập thể" in (notice.payload["text"])
    )
