"""/baocao and /tiendo: a member reports progress with evidence, in Vietnamese, and sees a chart."""

from datetime import UTC, date, datetime, time
from io import BytesIO

from matplotlib.image import imread
from sqlmodel import select

from bot.i18n import Catalogs
from bot.settings import Settings
from storage import progress as progress_store
from storage.database import Database
from storage.progress_models import Evidence, ProgressReport, ReportStatus
from tests.support.flows import button, flow_row, link, media_update, second_app, shown
from tests.support.harness import BotHarness
from tests.support.org_seed import BINH, MAI, NHUNG
from tests.support.progress_seed import Reporting, seed_reporting
from tests.support.recording_request import Call

QUARTER_DAY = date(2027, 3, 20)  # Quý I is due 31/03/2027; the period started 01/01/2027


def at(day: date) -> datetime:
    return datetime.combine(day, time(3, 0), tzinfo=UTC)


def on(harness: BotHarness, day: date) -> None:
    harness.app.services.now = lambda: at(day)  # type: ignore[method-assign]


async def _setup(harness: BotHarness, database: Database, day: date = QUARTER_DAY) -> Reporting:
    seeded = await seed_reporting(database)
    on(harness, day)
    await link(harness, [MAI, BINH, NHUNG])
    return seeded


async def _reports(database: Database) -> list[ProgressReport]:
    async with database.session() as session:
        return list((await session.execute(select(ProgressReport))).scalars().all())


async def _evidence(database: Database) -> list[Evidence]:
    async with database.session() as session:
        return list((await session.execute(select(Evidence))).scalars().all())


class Chat:
    """One person's side of the chat: what they typed and pressed, and what they saw."""

    def __init__(self, harness: BotHarness, user_id: int) -> None:
        self.harness, self.user_id = harness, user_id
        self.history: list[Call] = []
        self.actions = 0

    def _seen(self, calls: list[Call]) -> str:
        self.actions += 1
        self.history += calls
        return shown(calls)

    async def say(self, text: str) -> str:
        return self._seen(await self.harness.say(self.user_id, text))

    async def press(self, label: str) -> str:
        return self._seen(await self.harness.press(self.user_id, button(self.history, label)))

    async def send(self, **media: object) -> str:
        update = media_update(self.harness, self.user_id, **media)  # type: ignore[arg-type]
        return self._seen(await self.harness.feed(update))


async def test_report_three_targets_with_two_photos_then_edit_the_next_day(
    harness: BotHarness, database: Database
) -> None:
    seeded = await _setup(harness, database)
    mai = Chat(harness, MAI)
    first = await mai.say("/baocao")
    assert "Chỉ tiêu 1/3" in first and "Số sáng kiến được công nhận" in first
    assert "Đăng ký: 4" in first
    assert "⚠️" in await mai.say("hai")  # not a number: asked again
    assert "Chỉ tiêu 2/3" in await mai.say("2")
    assert "từ 0 đến 100" in await mai.say("120%")
    assert "Chỉ tiêu 3/3" in await mai.say("85%")
    assert "Minh chứng" in await mai.press("Có")
    assert "Đã nhận (1)" in await mai.send(photo="photo-1", caption="Quyết định công nhận")
    assert "Đã nhận (2)" in await mai.send(photo="photo-2")
    assert "đã nhận" in await mai.send(photo="photo-2")  # the same file twice is kept once
    assert "Ghi chú" in await mai.press("Xong")
    summary = await mai.say("Đã hoàn thành 2 sáng kiến trong quý I")
    assert "Kiểm tra báo cáo" in summary
    assert "Số sáng kiến được công nhận: <b>2 sáng kiến</b> / 4 sáng kiến (50,0%)" in summary
    assert "Tỷ lệ hồ sơ đúng hạn: <b>85%</b> / 90% (94,4%)" in summary
    assert "Minh chứng: 2 tệp (2 mới)" in summary
    assert "Chờ duyệt" in await mai.press("Xác nhận")
    assert mai.actions <= 12, mai.actions
    again = await harness.press(MAI, button(mai.history, "Xác nhận"))
    assert "đã được gửi" in shown(again)  # a second tap changes nothing
    [report] = await _reports(database)
    assert report.status is ReportStatus.SUBMITTED and not report.late
    assert report.note == "Đã hoàn thành 2 sáng kiến trong quý I"
    evidence = await _evidence(database)
    assert [e.file_id for e in evidence] == ["photo-1", "photo-2"]
    assert evidence[0].caption == "Quyết định công nhận" and evidence[0].sender == MAI

    progress = await harness.say(MAI, "/tiendo")
    text = shown(progress)
    assert "Tiến độ của bạn" in text and "<b>2 sáng kiến</b> / 4 sáng kiến (50,0%)" in text
    [photo] = [call for call in progress if call.method == "sendPhoto"]
    image = imread(BytesIO(next(iter(photo.files.values()))), format="png")
    assert image.shape[1] >= 600 and image.shape[0] >= 300

    on(harness, date(2027, 3, 21))  # the next day: change one value, keep the rest
    mai = Chat(harness, MAI)
    assert "Lần báo cáo trước: 2" in await mai.say("/baocao")
    await mai.say("3")
    assert "Chỉ tiêu 3/3" in await mai.press("Bỏ qua")
    await mai.press("Bỏ qua")
    assert "Đã nhận (1)" in await mai.send(document="minh-chung.pdf")
    assert "Đã đính kèm báo cáo này: 2" in shown(mai.history[-8:])
    await mai.press("Xong")
    summary = await mai.press("Giữ")
    assert (
        "3 sáng kiến</b> / 4 sáng kiến (75,0%)" in summary
        and "85%</b> / 90% (94,4%) · giữ nguyên" in summary
    )
    assert "Minh chứng: 3 tệp (1 mới)" in summary
    await mai.press("Xác nhận")
    [report] = await _reports(database)
    assert report.id is not None
    async with database.session() as session:
        values = await progress_store.values_of(report.id, session=session)
    by_target = {v.pledge_target_id: v for v in values}
    assert by_target[seeded.targets["Số sáng kiến được công nhận"]].achieved_number == 3
    assert [e.file_id for e in await _evidence(database)] == [
        "photo-1",
        "photo-2",
        "minh-chung.pdf",
    ]


async def test_a_lower_total_is_confirmed_and_odd_files_are_refused(
    harness: BotHarness, database: Database
) -> None:
    await _setup(harness, database)
    mai = Chat(harness, MAI)
    await mai.say("/baocao")
    await mai.say("3")
    await mai.press("Bỏ qua")
    await mai.press("Bỏ qua")
    await mai.press("Không có minh chứng")
    await mai.press("Bỏ qua")
    await mai.press("Xác nhận")
    on(harness, date(2027, 3, 25))
    mai = Chat(harness, MAI)
    await mai.say("/baocao")
    warning = await mai.say("1")
    assert "thấp hơn tổng đã báo cáo lần trước (3 sáng kiến)" in warning
    assert "Chỉ tiêu 1/3" in await mai.press("Nhập lại")
    await mai.say("1")
    assert "Chỉ tiêu 2/3" in await mai.press("Đúng")
    await mai.press("Bỏ qua")
    await mai.press("Bỏ qua")
    assert "Không thể lưu video" in await mai.send(other="video")
    assert "nhãn dán" in await mai.send(other="sticker")
    big = await mai.send(document="big.pdf", file_size=25 * 1024 * 1024)
    assert "25,0 MB" in big and "tối đa 20 MB" in big
    odd = await mai.send(
        document="x.exe", mime_type="application/x-msdos-program", file_name="x.exe"
    )
    assert "tệp loại này" in odd
    await mai.press("Không có minh chứng")
    summary = await mai.press("Bỏ qua")
    assert "1 sáng kiến</b> / 4 sáng kiến (25,0%)" in summary
    assert "Minh chứng: 0 tệp (0 mới)" in summary


async def test_only_an_approved_pledge_can_be_reported(
    harness: BotHarness, database: Database
) -> None:
    await _setup(harness, database)
    refused = shown(await harness.say(NHUNG, "/baocao"))
    assert "đang chờ duyệt" in refused
    assert await flow_row(database, NHUNG) is None


async def test_the_report_survives_a_restart_mid_flow(
    harness: BotHarness, database: Database, settings: Settings, catalogs: Catalogs
) -> None:
    await _setup(harness, database)
    mai = Chat(harness, MAI)
    await mai.say("/baocao")
    await mai.say("2")
    await mai.say("85%")
    await mai.press("Có")
    await mai.send(photo="photo-1")
    app, restarted = await second_app(settings, database, catalogs)
    try:
        restarted.app.services.now = lambda: at(QUARTER_DAY)  # type: ignore[method-assign]
        calls = await restarted.press(MAI, button(mai.history, "Xong"))
        assert "Ghi chú" in shown(calls)
        calls = await restarted.press(MAI, button(calls, "Bỏ qua"))
        summary = shown(calls)
        assert (
            "2 sáng kiến</b> / 4 sáng kiến (50,0%)" in summary
            and "Minh chứng: 1 tệp (1 mới)" in summary
        )
    finally:
        await app.shutdown()


async def test_a_missed_milestone_is_reported_late(harness: BotHarness, database: Database) -> None:
    await _setup(harness, database, day=date(2027, 4, 5))  # Quý I was due 31/03
    mai = Chat(harness, MAI)
    choice = await mai.say("/baocao")
    assert "Báo cáo nào" in choice
    await mai.press("Quý I")
    await mai.say("1")
    await mai.press("Bỏ qua")
    await mai.press("Bỏ qua")
    await mai.press("Không có minh chứng")
    summary = await mai.press("Bỏ qua")
    assert "báo cáo này bị ghi nhận là muộn" in summary
    assert "muộn" in await mai.press("Xác nhận")
    [report] = await _reports(database)
    assert report.late
