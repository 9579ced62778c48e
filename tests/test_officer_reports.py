"""/donvi → 📈: the officer sees who reported, views the evidence, approves or returns; the unit's
chart; the unit's collective report, decided by the bloc head."""

from datetime import date

from sqlmodel import col, select

from bot import pledges, reports
from bot.i18n import Catalogs
from bot.settings import Settings
from storage.campaign_models import OutboxMessage
from storage.database import Database
from storage.progress_models import EvidenceKind, ProgressReport, ReportStatus
from tests.support.flows import button, buttons, link, make_admin, second_app, shown
from tests.support.harness import BotHarness
from tests.support.org_seed import ADMIN, BINH, CUONG, MAI, NHUNG
from tests.support.pledge_seed import OPEN_DAY, collective
from tests.support.progress_seed import INITIATIVES, Reporting, number, seed_reporting
from tests.support.recording_request import Call
from tests.test_report_flow import QUARTER_DAY, on

PHOTOS = ("photo-1", "photo-2")


async def _setup(harness: BotHarness, database: Database) -> Reporting:
    seeded = await seed_reporting(database)
    on(harness, QUARTER_DAY)
    await link(harness, [MAI, BINH, NHUNG, CUONG])
    return seeded


async def _mai_reports(database: Database, seeded: Reporting) -> int:
    evidence = [
        reports.EvidenceInput(file_id=f, file_unique_id=f"u-{f}", kind=EvidenceKind.PHOTO)
        for f in PHOTOS
    ]
    async with database.session() as session:
        result = await reports.submit_report(
            seeded.mai_pledge,
            seeded.milestones[0],
            {seeded.targets[INITIATIVES]: number(INITIATIVES, "2")},
            note="Hai sáng kiến đã được công nhận",
            evidence=evidence,
            actor=MAI,
            today=QUARTER_DAY,
            session=session,
        )
    assert result.report.id is not None
    return result.report.id


async def _notices(database: Database) -> list[OutboxMessage]:
    async with database.session() as session:
        query = select(OutboxMessage).where(OutboxMessage.kind == "report")
        return list((await session.execute(query.order_by(col(OutboxMessage.id)))).scalars())


async def _report(database: Database, report_id: int) -> ProgressReport:
    async with database.session() as session:
        report = await session.get(ProgressReport, report_id)
        assert report is not None
        return report


async def _unit_view(harness: BotHarness, user_id: int) -> list[Call]:
    status = await harness.say(user_id, "/donvi")
    if "Sở Tư pháp" in str(buttons(status)) and "Báo cáo tiến độ" not in str(buttons(status)):
        status = await harness.press(user_id, button(status, "Sở Tư pháp"))
    return await harness.press(user_id, button(status, "Báo cáo tiến độ"))


async def test_the_officer_sees_the_evidence_and_approves(
    harness: BotHarness, database: Database
) -> None:
    seeded = await _setup(harness, database)
    report_id = await _mai_reports(database, seeded)
    unit = await _unit_view(harness, NHUNG)
    text = shown(unit)
    assert "báo cáo “Quý I” (hạn 31/03/2027)" in text
    assert "Đã báo cáo 1/2 (50,0%)" in text and "Trần Văn Bình" in text.split("Chưa báo cáo")[1]
    view = await harness.press(NHUNG, button(unit, "Lê Thị Mai"))
    assert "Hai sáng kiến đã được công nhận" in shown(view) and "Chờ duyệt" in shown(view)
    assert "2 sáng kiến</b> / 4 sáng kiến (50,0%)" in shown(view)
    files = await harness.press(NHUNG, button(view, "Xem minh chứng (2)"))
    sent = [call for call in files if call.method == "sendPhoto"]
    assert [call.params["photo"] for call in sent] == list(PHOTOS)
    assert "1/2 — Lê Thị Mai" in str(sent[0].params["caption"])

    assert "Đã duyệt báo cáo của Lê Thị Mai" in shown(
        await harness.press(NHUNG, button(view, "Duyệt"))
    )
    assert (await _report(database, report_id)).status is ReportStatus.APPROVED
    again = shown(await harness.press(NHUNG, button(view, "Duyệt")))
    assert "đã được duyệt" in again
    [notice] = await _notices(database)
    assert notice.chat_id == MAI and "Báo cáo “Quý I” đã được duyệt" in notice.payload["text"]

    chart = await harness.press(NHUNG, button(unit, "Biểu đồ đơn vị"))
    [document] = [call for call in chart if call.method == "sendDocument"]
    png = next(iter(document.files.values()))
    assert png.startswith(b"\x89PNG") and len(png) > 5_000


async def test_a_returned_report_reaches_the_member_who_corrects_it(
    harness: BotHarness, database: Database, settings: Settings, catalogs: Catalogs
) -> None:
    seeded = await _setup(harness, database)
    report_id = await _mai_reports(database, seeded)
    view = await harness.press(NHUNG, f"dr:v:{report_id}")
    assert "lý do trả lại" in shown(await harness.press(NHUNG, button(view, "Trả lại")))
    app, restarted = await second_app(settings, database, catalogs)  # the question survives
    try:
        done = shown(await restarted.say(NHUNG, "Thiếu quyết định công nhận sáng kiến"))
    finally:
        await app.shutdown()
    assert "Đã trả lại" in done
    assert (await _report(database, report_id)).status is ReportStatus.RETURNED
    [notice] = await _notices(database)
    assert "Thiếu quyết định công nhận sáng kiến" in notice.payload["text"]
    correct = notice.payload["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    assert correct == f"rep:{seeded.campaign_id}:{seeded.milestones[0]}"
    flow = shown(await harness.press(MAI, correct))
    assert "Chỉ tiêu 1/3" in flow and "Lần báo cáo trước: 2 sáng kiến" in flow


async def test_other_units_and_members_cannot_see_or_decide(
    harness: BotHarness, database: Database
) -> None:
    seeded = await _setup(harness, database)
    report_id = await _mai_reports(database, seeded)
    for user in (CUONG, MAI):  # officer of another unit; the member herself
        for action in ("v", "e", "a", "x"):
            refused = shown(await harness.press(user, f"dr:{action}:{report_id}"))
            assert "không quản lý" in refused
        unit_press = f"dr:u:{seeded.milestones[0]}:{seeded.unit_id}"
        assert "không quản lý" in shown(await harness.press(user, unit_press))
    assert "không còn hiệu lực" in shown(await harness.press(NHUNG, "dr:v:1:2"))
    assert (await _report(database, report_id)).status is ReportStatus.SUBMITTED


async def test_the_units_collective_report_is_decided_by_the_bloc_head(
    harness: BotHarness, database: Database
) -> None:
    seeded = await _setup(harness, database)
    values = await collective(database, seeded.campaign_id, seeded.unit_id)
    async with database.session() as session:
        sent = await pledges.confirm(values, actor=NHUNG, today=OPEN_DAY, session=session)
        assert sent.pledge.id is not None
        await pledges.approve(sent.pledge.id, actor=BINH, session=session)
    unit = await _unit_view(harness, NHUNG)
    assert "Báo cáo tập thể: chưa gửi" in shown(unit)
    history = await harness.press(NHUNG, button(unit, "Báo cáo của tập thể đơn vị"))
    assert "Chỉ tiêu 1/1" in shown(history)
    history += await harness.say(NHUNG, "3")
    history += await harness.press(NHUNG, button(history, "Không có minh chứng"))
    history += await harness.press(NHUNG, button(history, "Bỏ qua"))
    assert "của Sở Tư pháp" in shown(history[-1:])
    assert "Chờ duyệt" in shown(await harness.press(NHUNG, button(history, "Xác nhận")))
    unit = await _unit_view(harness, NHUNG)
    assert "Báo cáo tập thể: Chờ duyệt" in shown(unit)
    view = await harness.press(NHUNG, button(unit, "Báo cáo tập thể"))
    assert "Duyệt" not in str(buttons(view)) and "Trưởng khối/cụm" in shown(view)
    [collective_report] = [r for r in await _all_reports(database) if r.entered_by == NHUNG]
    assert "Trưởng khối/cụm" in shown(await harness.press(NHUNG, f"dr:a:{collective_report.id}"))

    unit = await _unit_view(harness, BINH)
    view = await harness.press(BINH, button(unit, "Báo cáo tập thể"))
    assert "Đã duyệt" in shown(await harness.press(BINH, button(view, "Duyệt")))
    [notice] = await _notices(database)
    assert notice.chat_id == NHUNG and "đã được duyệt" in notice.payload["text"]


async def _all_reports(database: Database) -> list[ProgressReport]:
    async with database.session() as session:
        return list((await session.execute(select(ProgressReport))).scalars())


async def test_nothing_to_review_before_the_first_milestone_opens(
    harness: BotHarness, database: Database
) -> None:
    await _setup(harness, database)
    on(harness, date(2026, 12, 20))  # before the campaign period
    assert "chưa có kỳ báo cáo nào" in shown(await _unit_view(harness, NHUNG))


async def test_an_admin_opens_a_milestones_reports_once(
    harness: BotHarness, database: Database
) -> None:
    seeded = await _setup(harness, database)
    await make_admin(database, ADMIN)
    listing = await harness.say(ADMIN, "/phongtrao")
    preview = await harness.press(ADMIN, button(listing, "📣 Quý I"))
    text = shown(preview)
    assert "Đã mở kỳ báo cáo “Quý I”" in text and "trước ngày 31/03/2027" in text
    assert "gửi tới 2 người" in text  # Mai and Bình are approved; Nhung is not
    assert "Đã xếp gửi: 2" in shown(await harness.press(ADMIN, button(preview, "Gửi ngay")))
    assert "Đã xếp gửi: 0 (đã gửi trước đó: 2)" in shown(
        await harness.press(ADMIN, button(preview, "Gửi ngay"))
    )
    async with database.session() as session:
        query = select(OutboxMessage).where(OutboxMessage.kind == "milestone")
        rows = list((await session.execute(query)).scalars())
    assert sorted(row.chat_id for row in rows) == sorted([MAI, BINH])
    data = rows[0].payload["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    assert data == f"rep:{seeded.campaign_id}:{seeded.milestones[0]}"
    assert "Chỉ tiêu 1/3" in shown(await harness.press(MAI, data))
    refused = shown(await harness.press(MAI, f"cpmsgo:{seeded.milestones[0]}"))
    assert "Chỉ quản trị viên" in refused
