"""/phatdong: an admin writes a campaign in chat; it must equal the file path's campaign."""

import html
from datetime import date
from decimal import Decimal
from typing import Any

from sqlmodel import select

from bot.campaign_builder import create_campaign
from bot.campaign_file import CampaignSpec, MilestoneSpec, TargetSpec, parse_campaign
from bot.campaign_text import launch_text
from bot.campaigns import load_view
from bot.flow_inputs import parse_target_lines, quarter_milestones, review_milestones
from bot.i18n import Catalogs
from bot.settings import Settings
from storage import campaigns as store
from storage.campaign_models import (
    AudienceKind,
    Campaign,
    CampaignDocument,
    CampaignKind,
    CampaignStatus,
    CatalogueItem,
    OutboxMessage,
    TargetType,
)
from storage.database import Database
from tests.support.campaign_seed import seed_campaign
from tests.support.flows import (
    button,
    buttons,
    flow_row,
    link,
    make_admin,
    media_update,
    second_app,
    shown,
)
from tests.support.harness import BotHarness
from tests.support.org_seed import ADMIN, HOA, MAI, NHUNG, seed_org
from tests.support.recording_request import Call

NAME = 'Phong trào thi đua "Đoàn kết, sáng tạo" năm 2027'
SLOGAN = "Đoàn kết, sáng tạo, nâng cao hiệu quả công tác"
TARGET_LINES = (
    "Sáng kiến được công nhận | sáng kiến | số\nTỷ lệ hồ sơ giải quyết đúng hạn | % | phần trăm"
)


class Admin:
    """The admin's side of the chat: what they type and press, and what the bot showed last."""

    def __init__(self, harness: BotHarness) -> None:
        self.harness = harness
        self.calls: list[Call] = []  # of the last action
        self.history: list[Call] = []  # of the whole chat: buttons are found here, newest first

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

    async def until_milestones(self) -> None:
        await self.say("/phatdong")
        await self.say(NAME)
        await self.say(SLOGAN)
        await self.press("Thường xuyên")
        await self.say("01/01/2027")
        await self.say("31/12/2027")
        await self.say("15/01/2027")
        assert "Các mốc báo cáo" in await self.say("25/03/2027")

    async def until_preview(self, *, everyone: bool = True) -> str:
        """A short campaign: quarters, the chosen audience, LĐTT + CSTĐCS + Giấy khen, targets."""
        await self.until_milestones()
        await self.press("Quý I–IV")
        await self.press("Xong")
        if everyone:
            await self.press("Toàn bộ")
        else:
            await self.press("Chọn đơn vị")
            await self.press("Sở Tư pháp")
            await self.press("Thanh tra tỉnh")
            await self.press("Xong")
        await self.press("Lao động tiên tiến")
        await self.press("Chiến sĩ thi đua cơ sở")
        await self.press("Xong")
        await self.press("Giấy khen")
        await self.press("Xong")
        await self.say(TARGET_LINES)
        return await self.press("Xong")

    def preview_text(self) -> str:
        [launch] = [c for c in self.calls if c.method == "sendMessage" and "📣" in c.text]
        return launch.text


async def _admin(harness: BotHarness, database: Database) -> Admin:
    await seed_org(database)
    await make_admin(database, ADMIN)
    return Admin(harness)


async def _campaigns(database: Database) -> list[Campaign]:
    async with database.session() as session:
        return await store.all_campaigns(session=session)


async def _outbox(database: Database) -> list[OutboxMessage]:
    async with database.session() as session:
        return list((await session.execute(select(OutboxMessage))).scalars().all())


async def _stored(database: Database, campaign_id: int) -> dict[str, object]:
    """Everything a campaign stores, without ids and timestamps, to compare two campaigns."""
    async with database.session() as session:
        campaign = await store.get_campaign(campaign_id, session=session)
        assert campaign is not None
        fields = campaign.model_dump(exclude={"id", "created_at", "created_by", "launched_at"})
        return {
            "fields": fields,
            "milestones": [
                (m.position, m.name, m.due)
                for m in await store.milestones_of(campaign_id, session=session)
            ],
            "options": sorted(i.code for i in await store.options_of(campaign_id, session=session)),
            "targets": [
                (t.position, t.label, t.unit, t.type, t.required, t.min_value, t.max_value)
                for t in await store.targets_of(campaign_id, session=session)
            ],
            "audience": sorted(
                (a.scope_kind, a.scope_id)
                for a in await store.audience_scopes(campaign_id, session=session)
            ),
        }


HAND_BUILT = CampaignSpec(
    name=NAME,
    slogan=SLOGAN,
    kind=CampaignKind.REGULAR,
    owner_bloc=None,
    period_start=date(2027, 1, 1),
    period_end=date(2027, 12, 31),
    registration_opens=date(2027, 1, 15),
    registration_deadline=date(2027, 3, 25),
    late_registration=False,
    registration_required=True,
    milestones=(
        MilestoneSpec("Quý I", date(2027, 3, 31)),
        MilestoneSpec("Quý II", date(2027, 6, 30)),
        MilestoneSpec("Sơ kết 6 tháng", date(2027, 7, 15)),
        MilestoneSpec("Quý III", date(2027, 9, 30)),
        MilestoneSpec("Quý IV", date(2027, 12, 31)),
    ),
    audience=AudienceKind.UNITS,
    audience_blocs=(),
    audience_units=("Sở Tư pháp", "Thanh tra tỉnh"),
    titles=("LDTT", "CSTDCS"),
    awards=("GIAY_KHEN",),
    targets=(
        TargetSpec(
            "Sáng kiến được công nhận", "sáng kiến", TargetType.NUMBER, True, None, None, None
        ),
        TargetSpec(
            "Tỷ lệ hồ sơ giải quyết đúng hạn",
            "%",
            TargetType.PERCENT,
            True,
            Decimal(0),
            Decimal(100),
            None,
        ),
    ),
    new_catalogue_items=(),
    documents=(),
    copy_from=None,
)

SAME_AS_YAML = f"""
name: '{NAME}'
slogan: {SLOGAN}
kind: thường xuyên
period: {{start: 01/01/2027, end: 31/12/2027}}
registration: {{opens: 15/01/2027, deadline: 25/03/2027}}
milestones:
  - {{name: Quý I, due: 31/03/2027}}
  - {{name: Quý II, due: 30/06/2027}}
  - {{name: Sơ kết 6 tháng, due: 15/07/2027}}
  - {{name: Quý III, due: 30/09/2027}}
  - {{name: Quý IV, due: 31/12/2027}}
audience: {{units: [Sở Tư pháp, Thanh tra tỉnh]}}
titles: [LDTT, CSTDCS]
awards: [GIAY_KHEN]
targets:
  - {{label: Sáng kiến được công nhận, unit: sáng kiến, type: số}}
  - {{label: Tỷ lệ hồ sơ giải quyết đúng hạn, type: phần trăm}}
"""


async def test_a_campaign_written_in_chat_equals_the_one_from_a_spec(
    harness: BotHarness, database: Database, catalogs: Catalogs
) -> None:
    admin = await _admin(harness, database)
    await admin.until_milestones()
    assert "Quý IV: 31/12/2027" in await admin.press("Quý I–IV")
    assert "Đã thêm 1" in await admin.say("Sơ kết 6 tháng - 15/07/2027")
    attached = await admin.send(media_update(harness, ADMIN, document="PLAN-1"))
    assert "Đã đính kèm ke_hoach.pdf" in attached
    assert "Gửi tới đối tượng nào" in await admin.press("Xong")
    await admin.press("Chọn đơn vị")
    assert "Đã chọn: 1" in await admin.press("Sở Tư pháp")
    assert "Đã chọn: 2" in await admin.press("Thanh tra tỉnh")
    await admin.press("Xong")
    await admin.press("Lao động tiên tiến")
    await admin.press("Chiến sĩ thi đua cơ sở")
    await admin.press("Xong")
    await admin.press("Giấy khen")
    await admin.press("Xong")
    assert "Đã thêm 2" in await admin.say(TARGET_LINES)
    preview = await admin.press("Xong")
    assert "Trên đây là đúng nội dung" in preview
    documents = [c for c in admin.calls if c.method == "sendDocument"]
    assert [c.params["document"] for c in documents] == ["PLAN-1"]
    preview_text = admin.preview_text()
    assert "đúng hạn (%)" in preview_text and "Quý I: 31/03/2027" in preview_text
    assert "Đã lưu nháp" in await admin.press("Lưu nháp")
    assert await flow_row(database, ADMIN) is None

    [chat_made] = await _campaigns(database)
    assert chat_made.id is not None and chat_made.created_by == ADMIN
    assert parse_campaign(SAME_AS_YAML) == HAND_BUILT  # the YAML file says the same
    async with database.session() as session:
        from_spec = await create_campaign(HAND_BUILT, created_by=None, session=session)
        assert from_spec.id is not None
        spec_id = from_spec.id
    chat = await _stored(database, chat_made.id)
    assert chat == await _stored(database, spec_id)
    assert chat["fields"]["status"] == CampaignStatus.DRAFT  # type: ignore[index]
    async with database.session() as session:
        view = await load_view(chat_made, session=session)
        [document] = await store.documents_of(chat_made.id, session=session)
    assert preview_text == launch_text(view, catalogs.get("vi"))
    assert (document.file_name, document.telegram_file_id) == ("ke_hoach.pdf", "PLAN-1")


async def test_bad_dates_are_asked_again_and_nothing_is_lost(
    harness: BotHarness, database: Database
) -> None:
    admin = await _admin(harness, database)
    await admin.say("/phatdong")
    await admin.say(NAME)
    await admin.press("Bỏ qua")
    await admin.press("Theo chuyên đề")
    bad = await admin.say("32/01/2027")
    assert '"32/01/2027" không phải ngày hợp lệ' in bad and "dd/mm/yyyy" in bad
    assert "không phải ngày hợp lệ" in await admin.say("ngày mai")
    await admin.say("01/06/2027")
    before = await admin.say("31/05/2027")
    assert "Ngày kết thúc (31/05/2027) trước ngày bắt đầu (01/06/2027)" in before
    row = await flow_row(database, ADMIN)
    assert row is not None and row.step == "pe"
    assert row.data["name"] == NAME and row.data["slogan"] == ""
    assert row.data["kind"] == "thematic" and row.data["period_start"] == "2027-06-01"
    assert "ngày mở đăng ký" not in before
    assert "Ngày nào bắt đầu nhận đăng ký" in await admin.say("30/11/2027")
    # Both ends in one message; a reversed pair keeps the start and asks the end again.
    await admin.say("/huy")
    await admin.say("/phatdong")
    await admin.say(NAME)
    await admin.press("Bỏ qua")
    await admin.press("Thường xuyên")
    reversed_pair = await admin.say("31/12/2027 - 01/01/2027")
    assert "trước ngày bắt đầu" in reversed_pair
    assert "Phong trào bắt đầu từ 31/12/2027" in reversed_pair
    row = await flow_row(database, ADMIN)
    assert row is not None and row.step == "pe" and row.data["period_start"] == "2027-12-31"


async def test_the_registration_window_names_the_rule_it_breaks(
    harness: BotHarness, database: Database
) -> None:
    admin = await _admin(harness, database)
    await admin.say("/phatdong")
    await admin.say(NAME)
    await admin.press("Bỏ qua")
    await admin.press("Thường xuyên")
    await admin.say("01/01/2027 - 31/12/2027")
    after_end = await admin.say("05/01/2028")
    assert "Không thể mở đăng ký (05/01/2028) sau khi phong trào đã kết thúc" in after_end
    await admin.say("15/01/2027")
    early = await admin.say("10/01/2027")
    assert "Hạn đăng ký (10/01/2027) trước ngày mở đăng ký (15/01/2027)" in early
    late = await admin.say("15/01/2028")
    assert "Hạn đăng ký (15/01/2028) sau ngày kết thúc phong trào (31/12/2027)" in late
    row = await flow_row(database, ADMIN)
    assert row is not None and row.step == "rd"
    assert row.data["registration_opens"] == "2027-01-15"
    assert "Các mốc báo cáo" in await admin.say("15/01/2027")  # the opening day itself is fine


async def test_milestone_lines_and_presets(harness: BotHarness, database: Database) -> None:
    admin = await _admin(harness, database)
    await admin.until_milestones()
    reply = await admin.say(
        "Kiểm tra giữa kỳ - 30/04/2027\nkhông có ngày\n• Báo cáo tháng 13 - 31/13/2027\n"
        "Tổng kết năm sau - 15/01/2028"
    )
    assert "Đã thêm 1" in reply
    assert 'Dòng 2: "không có ngày": hãy viết theo dạng Tên mốc - dd/mm/yyyy' in reply
    assert 'Dòng 3: "31/13/2027" không phải ngày hợp lệ' in reply
    assert "Dòng 4: 15/01/2028 nằm ngoài thời gian 01/01/2027 – 31/12/2027" in reply
    presets = await admin.press("Sơ kết 6 tháng + Tổng kết")
    assert "Sơ kết 6 tháng: 15/07/2027" in presets and "Tổng kết: 15/11/2027" in presets
    # Typing a listed name again moves its date instead of adding a second one.
    moved = await admin.say("tổng kết - 20/11/2027")
    assert "tổng kết: 20/11/2027" in moved and "15/11/2027" not in moved
    row = await flow_row(database, ADMIN)
    assert row is not None
    assert row.data["milestones"] == [
        ["Kiểm tra giữa kỳ", "2027-04-30"],
        ["Sơ kết 6 tháng", "2027-07-15"],
        ["tổng kết", "2027-11-20"],
    ]
    cleared = await admin.press("Xóa hết")
    assert "Các mốc đã nhập" not in cleared
    photo = await admin.send(media_update(harness, ADMIN, photo="P1"))
    assert "không gửi dạng ảnh" in photo


async def test_edit_from_the_preview_keeps_everything_else(
    harness: BotHarness, database: Database
) -> None:
    admin = await _admin(harness, database)
    await admin.until_preview()
    assert "Bạn muốn sửa phần nào" in await admin.press("Sửa")
    await admin.press("Tên")
    again = await admin.say("Phong trào thi đua chuyển đổi số 2027")
    assert "Trên đây là đúng nội dung" in again  # straight back to the preview
    preview = admin.preview_text()
    assert "chuyển đổi số 2027" in preview and "Quý IV: 31/12/2027" in preview
    assert "Lao động tiên tiến" in preview and "Sáng kiến được công nhận" in preview
    # A shorter period makes Quý IV fall outside it: the flow stops at the milestones.
    await admin.press("Sửa")
    await admin.press("Thời gian")
    assert "Phong trào bắt đầu từ 01/01/2027" in await admin.press("Giữ nguyên")
    milestones = await admin.say("30/11/2027")
    assert "Quý IV: 31/12/2027 ⚠️" in milestones
    assert "nằm ngoài thời gian" in await admin.press("Xong")
    await admin.press("Xóa hết")
    await admin.say("Quý IV - 30/11/2027")
    assert "Trên đây là đúng nội dung" in await admin.press("Xong")
    assert "Quý IV: 30/11/2027" in admin.preview_text()
    assert "💾" in await admin.press("Lưu nháp")
    [campaign] = await _campaigns(database)
    assert campaign.name == "Phong trào thi đua chuyển đổi số 2027"
    assert campaign.period_end == date(2027, 11, 30)
    assert campaign.slogan == SLOGAN


async def test_a_restart_mid_flow_resumes_at_the_same_step(
    harness: BotHarness, database: Database, settings: Settings, catalogs: Catalogs
) -> None:
    admin = await _admin(harness, database)
    await admin.say("/phatdong")
    await admin.say(NAME)
    await admin.say(SLOGAN)
    kind_buttons = admin.calls
    await harness.app.shutdown()  # the bot stops…
    app, restarted = await second_app(settings, database, catalogs)  # …and starts again
    try:
        pressed = await restarted.press(ADMIN, button(kind_buttons, "Thường xuyên"))
        assert "Gõ ngày bắt đầu phong trào" in shown(pressed)
        resumed = shown(await restarted.say(ADMIN, "/phatdong"))
        assert "Bạn đang làm dở" in resumed and "Gõ ngày bắt đầu" in resumed
        assert "Phong trào bắt đầu từ 01/01/2027" in shown(await restarted.say(ADMIN, "01/01/2027"))
        row = await flow_row(database, ADMIN)
        assert row is not None and row.step == "pe" and row.data["name"] == NAME
    finally:
        await app.shutdown()


async def test_stale_and_forged_buttons_change_nothing(
    harness: BotHarness, database: Database
) -> None:
    admin = await _admin(harness, database)
    await link(harness, [MAI])
    await admin.say("/phatdong")
    await admin.say(NAME)
    await admin.say(SLOGAN)
    kind = button(admin.calls, "Thường xuyên")
    await admin.press("Thường xuyên")
    stale = shown(await harness.press(ADMIN, kind))  # that step is over
    assert "Nút này không còn hiệu lực" in stale
    assert len(kind.encode()) <= 64 and kind.startswith("f:ck.")
    before = await flow_row(database, ADMIN)
    assert before is not None and before.step == "ps"
    other_tag = "0000" if before.data["_tag"] != "0000" else "1111"
    forged_tag = shown(await harness.press(ADMIN, f"f:ps.{other_tag}:keep"))
    assert "không còn hiệu lực" in forged_tag
    after = await flow_row(database, ADMIN)
    assert after is not None and (after.step, after.data) == (before.step, before.data)
    # A member who forges an admin flow's button is refused and gets no flow.
    refused = shown(await harness.press(MAI, kind.replace("f:ck", "f:ps")))
    assert "Chỉ quản trị viên mới được phát động phong trào" in refused
    assert await flow_row(database, MAI) is None
    # A forged unit id in the audience picker is refused.
    await admin.say("01/01/2027 - 31/12/2027")
    await admin.say("15/01/2027")
    await admin.say("25/03/2027")
    await admin.press("Xong")
    await admin.press("Chọn đơn vị")
    toggle = button(admin.calls, "Sở Tư pháp")
    forged_unit = toggle.rsplit(":", 1)[0] + ":99999"
    assert "không còn hiệu lực" in shown(await harness.press(ADMIN, forged_unit))
    row = await flow_row(database, ADMIN)
    assert row is not None and row.data["audience"]["ids"] == []
    # After /huy every button of the flow is stale.
    await admin.say("/huy")
    assert "không còn hiệu lực" in shown(await harness.press(ADMIN, toggle))
    assert "không còn hiệu lực" in shown(await harness.press(ADMIN, "f:zz:1"))


async def test_non_admins_are_refused(harness: BotHarness, database: Database) -> None:
    await seed_org(database)
    await link(harness, [NHUNG])
    for command in ("/phatdong", "/thongbao", "/phongtrao"):
        text = harness.texts(await harness.say(NHUNG, command))
        assert "Chỉ quản trị viên" in text
    assert await flow_row(database, NHUNG) is None
    # Their plain text still gets the usual answer.
    assert "/help" in harness.texts(await harness.say(NHUNG, "Tên phong trào mới"))


async def test_launch_from_the_preview_queues_the_outbox(
    harness: BotHarness, database: Database
) -> None:
    admin = await _admin(harness, database)
    await link(harness, [NHUNG, MAI, HOA])
    await admin.until_milestones()
    await admin.send(media_update(harness, ADMIN, document="PLAN-2", file_name="kh.pdf"))
    await admin.press("Quý I–IV")
    await admin.press("Xong")
    await admin.press("Toàn bộ")
    await admin.press("Lao động tiên tiến")
    await admin.press("Xong")
    await admin.press("Xong")
    await admin.press("Bỏ qua")
    preview = admin.preview_text()
    assert "Hiện gửi được tới 3/7 người (4 người chưa liên kết Telegram)" in shown(admin.calls)
    demo = shown(await harness.press(ADMIN, button(admin.calls, "Đăng ký thi đua")))
    assert "Đây là bản xem trước" in demo
    launched = await admin.press("Phát động")
    assert "Đã phát động" in launched and "Đã xếp hàng 6 tin cho 3 người" in launched
    [campaign] = await _campaigns(database)
    assert campaign.status == CampaignStatus.LAUNCHED and campaign.launched_at is not None
    rows = await _outbox(database)
    assert sorted(r.chat_id for r in rows) == sorted([NHUNG, MAI, HOA] * 2)
    texts = [r.payload for r in rows if r.payload["method"] == "sendMessage"]
    assert {p["text"] for p in texts} == {preview}
    assert all(
        p["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == f"reg:{campaign.id}"
        for p in texts
    )
    docs = [r.payload for r in rows if r.payload["method"] == "sendDocument"]
    async with database.session() as session:
        [document] = (await session.execute(select(CampaignDocument))).scalars().all()
    assert document.telegram_file_id == "PLAN-2"
    assert {p["document_id"] for p in docs} == {document.id}
    assert await flow_row(database, ADMIN) is None


async def test_an_audience_nobody_can_hear_is_refused_before_launch(
    harness: BotHarness, database: Database
) -> None:
    admin = await _admin(harness, database)  # nobody linked
    await admin.until_preview()
    refused = await admin.press("Phát động")
    assert "Chưa thể gửi tới ai trong đối tượng của phong trào (7 người" in refused
    assert await _campaigns(database) == [] and await _outbox(database) == []
    row = await flow_row(database, ADMIN)
    assert row is not None and row.step == "pv"
    assert "Đã lưu nháp" in await admin.press("Lưu nháp")
    assert [c.status for c in await _campaigns(database)] == [CampaignStatus.DRAFT]


async def test_copy_titles_forms_and_targets_from_the_previous_campaign(
    harness: BotHarness, database: Database
) -> None:
    admin = await _admin(harness, database)
    source_id = await seed_campaign(database, name="Phong trào thi đua năm 2026")
    await admin.until_milestones()
    await admin.press("Xong")
    offer = await admin.press("Toàn bộ")
    assert "Sao chép danh hiệu, hình thức khen thưởng và chỉ tiêu của «Phong trào" in offer
    preview = await admin.press("Sao chép từ phong trào trước")
    assert "Trên đây là đúng nội dung" in preview  # the targets come with the copy
    text = admin.preview_text()
    assert "Chiến sĩ thi đua cơ sở" in text and "Số sáng kiến được công nhận" in text
    await admin.press("Lưu nháp")
    [copy] = [c for c in await _campaigns(database) if c.id != source_id]
    assert copy.id is not None and copy.copied_from_id == source_id
    copied, source = await _stored(database, copy.id), await _stored(database, source_id)
    assert copied["options"] == source["options"] == ["CSTDCS", "GIAY_KHEN", "LDTT"]
    assert copied["targets"] == source["targets"]


async def test_drafts_are_listed_and_launched_from_phongtrao(
    harness: BotHarness, database: Database
) -> None:
    admin = await _admin(harness, database)
    await link(harness, [NHUNG, HOA])
    await admin.until_preview()
    await admin.press("Lưu nháp")
    listing = await admin.say("/phongtrao")
    assert f"<b>{html.escape(NAME)}</b>: bản nháp, 01/01/2027 – 31/12/2027" in listing
    [campaign] = await _campaigns(database)
    assert f"cplaunch:{campaign.id}" in [data for _, data in buttons(admin.calls)]
    # A member pressing the launch buttons is refused and nothing is queued.
    for data in (f"cplaunch:{campaign.id}", f"cpgo:{campaign.id}"):
        assert "Chỉ quản trị viên" in shown(await harness.press(NHUNG, data))
    assert await _outbox(database) == []
    preview = await admin.press("🚀")
    assert "Phát động phong trào thi đua" in preview and "Hiện gửi được tới 2/7" in preview
    assert "Đã phát động" in await admin.press("Phát động")
    assert sorted(r.chat_id for r in await _outbox(database)) == sorted([NHUNG, HOA])
    again = shown(await harness.press(ADMIN, f"cpgo:{campaign.id}"))
    assert "Phong trào này đã được phát động" in again
    assert len(await _outbox(database)) == 2
    assert "không còn hiệu lực" in shown(await harness.press(ADMIN, "cpgo:424242"))


async def test_huy_ends_the_flow_and_commands_still_work(
    harness: BotHarness, database: Database
) -> None:
    admin = await _admin(harness, database)
    await admin.say("/phatdong")
    await admin.say(NAME)
    assert "/phatdong" in await admin.say("/help")  # a command, not the slogan
    row = await flow_row(database, ADMIN)
    assert row is not None and row.step == "cs"
    assert "Đã hủy" in await admin.say("/huy")
    assert await flow_row(database, ADMIN) is None
    assert "Không có thao tác nào" in await admin.say("/huy")
    # No flow: the fallback's usual answer (this admin is IT staff, not in the roster).
    assert "Bạn chưa được liên kết" in await admin.say("Đoàn kết")
    # Starting /thongbao replaces an unfinished campaign, and says so.
    await admin.say("/phatdong")
    switched = await admin.say("/thongbao")
    assert "Đã hủy phong trào đang làm dở" in switched and "Gửi tới đối tượng nào" in switched


def test_presets_and_lines_follow_the_period() -> None:
    quarters = ("Quý I", "Quý II", "Quý III", "Quý IV")
    school_year = quarter_milestones(date(2026, 9, 1), date(2027, 8, 31), quarters)
    assert [due for _name, due in school_year] == [
        date(2026, 11, 30),
        date(2027, 2, 28),
        date(2027, 5, 31),
        date(2027, 8, 31),
    ]
    short = quarter_milestones(date(2027, 3, 1), date(2027, 7, 31), quarters)
    assert short == [("Quý I", date(2027, 5, 31)), ("Quý II", date(2027, 7, 31))]
    reviews = review_milestones(date(2027, 1, 1), date(2027, 12, 31), "Sơ kết", "Tổng kết")
    assert reviews == [("Sơ kết", date(2027, 7, 15)), ("Tổng kết", date(2027, 11, 15))]
    targets, problems = parse_target_lines(
        "Tỷ lệ đảng viên | | phần trăm\nCó sáng kiến | | có-không\nGhi chú | | văn bản\n"
        "Số giờ | giờ | nhiệt độ\nA | b | c | d"
    )
    assert [(t.label, t.unit, t.type) for t in targets] == [
        ("Tỷ lệ đảng viên", "%", TargetType.PERCENT),
        ("Có sáng kiến", "", TargetType.YES_NO),
        ("Ghi chú", "", TargetType.TEXT),
    ]
    assert targets[2].max_length == 500 and targets[0].max_value == 100
    assert [(p.line, p.params.get("value")) for p in problems] == [
        (4, "nhiệt độ"),
        (5, "A | b | c | d"),
    ]


async def test_problems_found_when_saving_are_shown_and_nothing_is_lost(
    harness: BotHarness, database: Database
) -> None:
    admin = await _admin(harness, database)
    await admin.until_preview()
    async with database.session() as session:  # meanwhile, someone retires a chosen title
        item = (
            await session.execute(select(CatalogueItem).where(CatalogueItem.code == "LDTT"))
        ).scalar_one()
        item.active = False
    refused = await admin.press("Lưu nháp")
    assert "Chưa lưu được phong trào" in refused
    assert '"LDTT" không có trong danh mục danh hiệu' in refused and "✏️ Sửa" in refused
    assert await _campaigns(database) == []
    row = await flow_row(database, ADMIN)
    assert row is not None and row.step == "pv" and row.data["name"] == NAME
