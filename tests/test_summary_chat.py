"""/tonghop in chat: each leader sees their scope, drills into a unit, pages long lists; forged
buttons for someone else's bloc or unit are refused."""

from datetime import UTC, date, datetime, time

from storage.database import Database
from tests.support.flows import button, link, make_admin, shown
from tests.support.harness import BotHarness
from tests.support.org_seed import ADMIN, BINH, CUONG, HOA, MAI, NHUNG
from tests.support.pledge_seed import unit_id
from tests.support.progress_seed import seed_reporting


async def _setup(harness: BotHarness, database: Database) -> None:
    await seed_reporting(database)
    now = datetime.combine(date(2027, 4, 5), time(3, 0), tzinfo=UTC)
    harness.app.services.now = lambda: now  # type: ignore[method-assign]
    await link(harness, [NHUNG, BINH, MAI, CUONG, HOA])
    await make_admin(database, ADMIN)


async def test_the_bloc_head_sees_the_bloc_and_drills_into_a_unit(
    harness: BotHarness, database: Database
) -> None:
    await _setup(harness, database)
    view = await harness.say(BINH, "/tonghop")
    text = shown(view)
    assert "Tổng hợp" in text and "Khối các cơ quan Nội chính" in text
    assert "<b>Sở Tư pháp</b>: đăng ký 3/3 (100,0%)" in text
    assert "<b>Thanh tra tỉnh</b>: đăng ký 0/3 (0,0%)" in text and "⏰ muộn" in text
    assert "Ủy ban MTTQ" not in text  # another cluster
    assert "báo cáo 0/2" in text  # Quý I: Mai and Bình approved, nobody reported
    unit = shown(await harness.press(BINH, button(view, "Sở Tư pháp")))
    assert "Lê Thị Mai — Lao động tiên tiến (Đã duyệt) · chưa báo cáo" in unit
    assert "Nguyễn Thị Hồng Nhung — Lao động tiên tiến (Chờ duyệt)" in unit


async def test_scopes_and_forged_buttons(harness: BotHarness, database: Database) -> None:
    await _setup(harness, database)
    admin = shown(await harness.say(ADMIN, "/tonghop"))
    assert (
        "toàn bộ cơ quan, đơn vị" in admin and "Tổng cộng" in admin and "Cụm thi đua số 1" in admin
    )
    officer = shown(await harness.say(NHUNG, "/tonghop"))
    assert "Sở Tư pháp" in officer and "Thanh tra tỉnh" not in officer
    assert "Chỉ cán bộ thi đua" in shown(await harness.say(MAI, "/tonghop"))
    thanh_tra = await unit_id(database, "Thanh tra tỉnh")
    forged = shown(await harness.press(NHUNG, f"th:u:1:{thanh_tra}:0"))
    assert "không quản lý" in forged and "Dung" not in forged
    assert "không được xem" in shown(await harness.press(CUONG, "th:b:1:999:0"))
    assert "không còn hiệu lực" in shown(await harness.press(NHUNG, "th:x:1:1"))


async def test_a_long_list_is_paged_never_cut() -> None:
    from bot.summary_text import pages

    lines = [f"{index}. {'Nguyễn Văn ' * 10}" for index in range(300)]
    found = pages(lines)
    assert len(found) > 1 and all(len("\n".join(page)) <= 3500 for page in found)
    assert [line for page in found for line in page] == lines


async def test_the_bloc_head_exports_the_three_files(
    harness: BotHarness, database: Database
) -> None:
    from io import BytesIO

    from docx import Document
    from openpyxl import load_workbook

    await _setup(harness, database)
    view = await harness.say(BINH, "/tonghop")
    files = {}
    for label, suffix in (("Excel", "xlsx"), ("Word", "docx"), ("Biểu đồ", "png")):
        calls = await harness.press(BINH, button(view, label))
        [document] = [c for c in calls if c.method == "sendDocument"]
        files[suffix] = next(iter(document.files.values()))
    book = load_workbook(BytesIO(files["xlsx"]), read_only=True)
    summary = book.worksheets[0]
    names = [row[1] for row in summary.iter_rows(min_row=2, values_only=True)]
    assert "Sở Tư pháp" in names and "Thanh tra tỉnh" in names and "Ủy ban MTTQ tỉnh" not in names
    report = Document(BytesIO(files["docx"]))
    cells = [c.text for table in report.tables for row in table.rows for c in row.cells]
    text = "\n".join([p.text for p in report.paragraphs] + cells)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "Sở Tư pháp" in text
    assert files["png"].startswith(b"\x89PNG")
    thanh_tra = await unit_id(database, "Thanh tra tỉnh")
    forged = shown(await harness.press(NHUNG, f"th:xu:1:{thanh_tra}:0"))
    assert "không quản lý" in forged
