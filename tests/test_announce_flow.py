"""/thongbao: an admin sends a text, photo or document to an audience through the outbox."""

from typing import Any

from sqlmodel import select

from bot.text import match_key
from storage import org as org_store
from storage.campaign_models import Broadcast, OutboxMessage
from storage.database import Database
from tests.support.flows import button, buttons, flow_row, link, make_admin, media_update, shown
from tests.support.harness import BotHarness
from tests.support.org_seed import ADMIN, CUONG, HOA, MAI, NHUNG, seed_org
from tests.support.recording_request import Call


class Admin:
    def __init__(self, harness: BotHarness) -> None:
        self.harness = harness
        self.calls: list[Call] = []
        self.history: list[Call] = []

    def _seen(self, calls: list[Call]) -> str:
        self.calls = calls
        self.history += calls
        return shown(calls)

    async def say(self, text: str) -> str:
        return self._seen(await self.harness.say(ADMIN, text))

    async def press(self, label: str) -> str:
        return self._seen(await self.harness.press(ADMIN, button(self.history, label)))

    async def send(self, update: dict[str, Any]) -> str:
        return self._seen(await self.harness.feed(update))


async def _admin(harness: BotHarness, database: Database) -> Admin:
    await seed_org(database)
    await make_admin(database, ADMIN)
    return Admin(harness)


async def _rows(database: Database) -> list[OutboxMessage]:
    async with database.session() as session:
        result = await session.execute(select(OutboxMessage).order_by(OutboxMessage.id))
        return list(result.scalars().all())


async def test_a_text_announcement_to_everyone_keeps_the_formatting(
    harness: BotHarness, database: Database
) -> None:
    admin = await _admin(harness, database)
    await link(harness, [NHUNG, MAI])
    started = await admin.say("/thongbao")
    assert "Thông báo mới" in started and "Gửi tới đối tượng nào" in started
    assert "Bây giờ hãy gửi nội dung thông báo" in await admin.press("Toàn bộ")
    update = harness.updates.message_update(ADMIN, "Họp giao ban thi đua lúc 8h & mang hồ sơ")
    update["message"]["entities"] = [{"type": "bold", "offset": 0, "length": 3}]
    preview = await admin.send(update)
    expected = "<b>Họp</b> giao ban thi đua lúc 8h &amp; mang hồ sơ"
    assert admin.calls[-2].method == "sendMessage" and admin.calls[-2].text == expected
    assert "Đối tượng: toàn bộ cơ quan, đơn vị" in preview
    assert "Hiện gửi được tới 2/7 người (5 người chưa liên kết Telegram)" in preview
    sent = await admin.press("Gửi")
    assert "Đã xếp hàng 2 tin cho 2 người" in sent
    rows = await _rows(database)
    assert sorted(row.chat_id for row in rows) == sorted([NHUNG, MAI])
    assert all(row.kind == "announcement" for row in rows)
    assert {str(row.payload) for row in rows} == {str({"method": "sendMessage", "text": expected})}
    async with database.session() as session:
        [broadcast] = (await session.execute(select(Broadcast))).scalars().all()
    assert (broadcast.kind, broadcast.admin_chat_id, broadcast.total) == ("announcement", ADMIN, 2)
    assert await flow_row(database, ADMIN) is None


async def test_a_photo_to_chosen_units_with_pages(harness: BotHarness, database: Database) -> None:
    admin = await _admin(harness, database)
    async with database.session() as session:
        for number in range(1, 8):
            name = f"Đơn vị thử {number}"
            await org_store.add_unit(name, match_key(name), None, session=session)
    await link(harness, [NHUNG, CUONG, HOA])
    await admin.say("/thongbao")
    first_page = await admin.press("Chọn đơn vị")
    labels = [label for label, _data in buttons(admin.calls)]
    assert "Trang 1/2" in first_page and "▶️" in labels and "◀️" not in labels
    assert len([label for label in labels if label.startswith("▫️")]) == 8
    second_page = await admin.press("▶️")
    labels = [label for label, _data in buttons(admin.calls)]
    assert "Trang 2/2" in second_page and "◀️" in labels
    assert len([label for label in labels if label.startswith("▫️")]) == 2
    await admin.press("Thanh tra tỉnh")
    assert "Đã chọn: 2" in await admin.press("Ủy ban MTTQ tỉnh")
    assert "Bây giờ hãy gửi" in await admin.press("Xong")
    preview = await admin.send(
        media_update(harness, ADMIN, photo="PHOTO-L", caption="Hội nghị sơ kết 6 tháng")
    )
    [photo] = [call for call in admin.calls if call.method == "sendPhoto"]
    assert photo.params["photo"] == "PHOTO-L"
    assert photo.params["caption"] == "Hội nghị sơ kết 6 tháng"
    assert "đơn vị: Thanh tra tỉnh, Ủy ban MTTQ tỉnh" in preview
    assert "Hiện gửi được tới 2/4 người" in preview
    await admin.press("Gửi")
    rows = await _rows(database)
    assert sorted(row.chat_id for row in rows) == sorted([CUONG, HOA])
    assert rows[0].payload == {
        "method": "sendPhoto",
        "file_id": "PHOTO-L",
        "caption": "Hội nghị sơ kết 6 tháng",
    }


async def test_content_and_audience_can_be_changed_before_sending(
    harness: BotHarness, database: Database
) -> None:
    admin = await _admin(harness, database)
    await link(harness, [MAI])
    await admin.say("/thongbao")
    await admin.press("Chọn khối/cụm")
    await admin.press("Cụm thi đua số 1")
    await admin.press("Xong")
    sticker = harness.updates.message_update(ADMIN, "x")
    del sticker["message"]["text"]
    sticker["message"]["sticker"] = {
        "file_id": "s1",
        "file_unique_id": "u1",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
        "type": "regular",
    }
    assert "Vui lòng gửi một tin nhắn chữ, một ảnh hoặc một tệp tài liệu" in await admin.send(
        sticker
    )
    preview = await admin.send(
        media_update(harness, ADMIN, document="KH-1", caption="Kế hoạch tổ chức phong trào")
    )
    [document] = [call for call in admin.calls if call.method == "sendDocument"]
    assert document.params["document"] == "KH-1"
    assert "khối/cụm: Cụm thi đua số 1" in preview and "Hiện gửi được tới 0/1" in preview
    await admin.press("Đổi nội dung")
    await admin.say("Nhắc nộp báo cáo quý I")
    back = await admin.press("Đổi đối tượng")
    assert "Hiện tại: khối/cụm: Cụm thi đua số 1" in back
    again = await admin.press("Toàn bộ")  # the content is kept: straight to the preview
    assert admin.calls[-2].text == "Nhắc nộp báo cáo quý I"
    assert "Hiện gửi được tới 1/7" in again
    assert "Đã hủy. Chưa gửi gì." in await admin.press("Hủy")
    assert await _rows(database) == [] and await flow_row(database, ADMIN) is None


async def test_an_audience_nobody_can_hear_is_refused(
    harness: BotHarness, database: Database
) -> None:
    admin = await _admin(harness, database)  # nobody linked
    await admin.say("/thongbao")
    await admin.press("Toàn bộ")
    await admin.say("Thông báo lịch tổng kết")
    refused = await admin.press("Gửi")
    assert "Chưa thể gửi tới ai trong đối tượng này (7 người" in refused
    assert await _rows(database) == []
    async with database.session() as session:
        assert (await session.execute(select(Broadcast))).scalars().all() == []
    row = await flow_row(database, ADMIN)
    assert row is not None and row.step == "ap" and row.data["content"]["text"]


async def test_members_cannot_announce_and_huy_ends_the_flow(
    harness: BotHarness, database: Database
) -> None:
    admin = await _admin(harness, database)
    await link(harness, [NHUNG])
    assert "Chỉ quản trị viên mới được gửi thông báo" in harness.texts(
        await harness.say(NHUNG, "/thongbao")
    )
    await admin.say("/thongbao")
    everyone = button(admin.history, "Toàn bộ")
    forged = shown(await harness.press(NHUNG, everyone))
    assert "Chỉ quản trị viên mới được gửi thông báo" in forged
    assert await flow_row(database, NHUNG) is None
    assert "Đã hủy" in await admin.say("/huy")
    assert "không còn hiệu lực" in shown(await harness.press(ADMIN, everyone))
    assert await _rows(database) == []
