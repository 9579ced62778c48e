"""Exports of a campaign's figures: the Excel workbook, the Word reports, the charts, the CLI."""

import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner, Result
from docx import Document
from PIL import Image

from bot import reports
from bot.access import Grant, Viewer
from bot.cli import main
from bot.export_charts import progress_chart_png, registration_chart_png
from bot.export_docx import (
    date_in_words,
    is_final,
    write_registration_report,
    write_review_report,
)
from bot.export_xlsx import write_summary_xlsx
from bot.i18n import Catalogs, Translator
from bot.summaries import CampaignSummary, summarise, units_in_scope
from storage import campaigns as campaign_store
from storage import exports as export_store
from storage.campaign_models import Campaign
from storage.database import Database
from storage.models import Role, ScopeKind
from storage.scoring_models import CriterionKind, ScoringCriterion, ScoringSheet, UnitScore
from tests.support.office import convert_to_pdf
from tests.support.progress_seed import (
    BINH,
    INITIATIVES,
    MAI,
    MAI_TG,
    NHUNG_NAME,
    Reporting,
    number,
    seed_reporting,
)

QUARTER_DAY = date(2027, 4, 5)  # Quý I (31/03) is the current milestone
ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "phong_trao_mau.yaml"
ROSTER = ROOT / "examples" / "danh_sach_mau.csv"
ADMIN = Viewer(999, grants=(Grant(Role.ADMIN, ScopeKind.ALL, None),))


@pytest.fixture
def vi(catalogs: Catalogs) -> Translator:
    return catalogs.get("vi")


async def _reported(database: Database) -> tuple[Reporting, Campaign, CampaignSummary]:
    seed = await seed_reporting(database)
    async with database.session() as session:
        await reports.submit_report(
            seed.mai_pledge,
            seed.milestones[0],
            {seed.targets[INITIATIVES]: number(INITIATIVES, "3")},
            actor=MAI_TG,
            today=QUARTER_DAY,
            session=session,
        )
        campaign = await session.get(Campaign, seed.campaign_id)
        assert campaign is not None
        units = await units_in_scope(ADMIN, session=session)
        summary = await summarise(campaign, units, QUARTER_DAY, session=session)
    return seed, campaign, summary


async def test_workbook_matches_the_database(
    database: Database, vi: Translator, tmp_path: Path
) -> None:
    _, campaign, summary = await _reported(database)
    out = tmp_path / "tong_hop.xlsx"
    async with database.session() as session:
        await write_summary_xlsx(out, campaign, summary, session=session, t=vi)
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == [
        "Tổng hợp theo đơn vị",
        "Đăng ký cá nhân",
        "Đăng ký tập thể",
        "Tiến độ theo chỉ tiêu",
    ]
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2"
    units = book["Tổng hợp theo đơn vị"]
    header = [cell.value for cell in units[1]]
    assert header[:6] == ["Khối/Cụm", "Đơn vị", "Tổng số", "Đã đăng ký", "Tỷ lệ %", "Giao ước"]
    assert "Lao động tiên tiến" in header
    assert header[-3:] == ["Đã báo cáo", "Báo cáo muộn", "Chỉ tiêu đúng tiến độ %"]
    rows = {row[1]: row for row in units.iter_rows(min_row=2, values_only=True)}
    tu_phap = rows["Sở Tư pháp"]
    assert tu_phap[2:4] == (3, 3) and tu_phap[4] == pytest.approx(1.0)
    assert tu_phap[header.index("Lao động tiên tiến")] == 3
    assert tu_phap[header.index("Đã báo cáo")] == 1
    assert rows["Thanh tra tỉnh"][3] == 0
    total = units.cell(row=units.max_row, column=1)
    assert total.value == "Tổng cộng"
    assert units.cell(row=units.max_row, column=4).value == summary.figures.registered == 3
    assert units.cell(row=2, column=5).number_format == "0.0%"

    people = book["Đăng ký cá nhân"]
    assert [cell.value for cell in people[1]] == [
        "STT",
        "Họ và tên",
        "Chức vụ",
        "Đơn vị",
        "Danh hiệu đăng ký",
        "Hình thức khen thưởng",
        "Trạng thái",
    ]
    listed = list(people.iter_rows(min_row=2, values_only=True))
    assert [row[0] for row in listed] == [1, 2, 3]
    assert {row[1] for row in listed} == {MAI, BINH, NHUNG_NAME}
    by_name = {row[1]: row for row in listed}
    assert by_name[MAI][3] == "Sở Tư pháp" and by_name[MAI][6] == "Đã duyệt"
    assert by_name[NHUNG_NAME][6] == "Chờ duyệt"

    progress = book["Tiến độ theo chỉ tiêu"]
    assert progress.cell(row=1, column=1).value == "Chỉ tiêu"
    [target] = list(progress.iter_rows(min_row=2, values_only=True))
    assert target[0] == INITIATIVES
    assert target[2] == 2  # Mai's and Bình's approved pledges
    assert target[3] == 6 and target[4] == 3  # planned 4 + 2, Mai achieved 3
    assert target[5] == pytest.approx(0.5)


async def test_target_progress_counts_planned_and_achieved(database: Database) -> None:
    seed, _, summary = await _reported(database)
    assert summary.milestone is not None
    async with database.session() as session:
        [target] = await export_store.target_progress(
            seed.campaign_id, summary.milestone.id, [seed.unit_id], session=session
        )
        [nothing] = await export_store.target_progress(
            seed.campaign_id, None, [seed.unit_id], session=session
        )
    assert (target.pledges, target.planned, target.achieved) == (2, 6, 3)
    assert (nothing.planned, nothing.achieved) == (6, 0)


async def test_word_reports(database: Database, vi: Translator, tmp_path: Path) -> None:
    _, campaign, summary = await _reported(database)
    async with database.session() as session:
        assert campaign.id is not None
        milestones = await campaign_store.milestones_of(campaign.id, session=session)
        progress = await export_store.target_progress(
            campaign.id,
            summary.milestone.id if summary.milestone else None,
            [u.unit.id for u in summary.units if u.unit.id],
            session=session,
        )
    registration = tmp_path / "dang_ky.docx"
    write_registration_report(
        registration,
        campaign,
        summary,
        scope_name="toàn tỉnh",
        issuer="Hội đồng Thi đua - Khen thưởng tỉnh",
        place="Hà Nội",
        today=QUARTER_DAY,
        t=vi,
    )
    text = _docx_text(registration)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Độc lập - Tự do - Hạnh phúc" in text
    assert "HỘI ĐỒNG THI ĐUA - KHEN THƯỞNG TỈNH" in text
    assert "Hà Nội, ngày 05 tháng 4 năm 2027" in text
    assert "Tổng hợp kết quả đăng ký thi đua" in text
    assert "Sở Tư pháp" in text and "Thanh tra tỉnh" in text
    assert "(Đơn vị bổ sung)" in text and "NGƯỜI KÝ" in text
    for heading in ("I. TÌNH HÌNH", "II. KẾT QUẢ", "III. TỒN TẠI", "IV. PHƯƠNG HƯỚNG"):
        assert heading in text
    assert "3/7" in text or "3 trên 7" in text or "100,0%" in text
    document = Document(str(registration))
    assert document.styles["Normal"].font.name == "Times New Roman"
    assert not is_final(summary, milestones)  # Quý I is not the last milestone
    review = tmp_path / "so_ket.docx"
    write_review_report(
        review,
        campaign,
        summary,
        scope_name="toàn tỉnh",
        issuer="Hội đồng Thi đua - Khen thưởng tỉnh",
        place="Hà Nội",
        today=QUARTER_DAY,
        t=vi,
        final=False,
        progress=progress,
    )
    text = _docx_text(review)
    assert "Sơ kết phong trào thi đua" in text and INITIATIVES in text and "Quý I" in text
    assert "50,0%" in text  # 3 achieved of 6 planned


def test_date_in_words(vi: Translator) -> None:
    assert date_in_words("Hà Nội", date(2027, 4, 5), vi) == "Hà Nội, ngày 05 tháng 4 năm 2027"
    assert date_in_words("Huế", date(2027, 2, 15), vi) == "Huế, ngày 15 tháng 02 năm 2027"
    assert date_in_words("Huế", date(2027, 12, 1), vi) == "Huế, ngày 01 tháng 12 năm 2027"


async def test_charts_open(database: Database, vi: Translator) -> None:
    seed, _, summary = await _reported(database)
    async with database.session() as session:
        progress = await export_store.target_progress(
            seed.campaign_id,
            summary.milestone.id if summary.milestone else None,
            [seed.unit_id],
            session=session,
        )
    for png in (registration_chart_png(summary, vi), progress_chart_png(summary, progress, vi)):
        image = Image.open(io.BytesIO(png))
        assert image.format == "PNG" and image.width > 100


def _docx_text(path: Path) -> str:
    document = Document(str(path))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                parts.extend(p.text for p in cell.paragraphs)
    return "\n".join(parts)


@pytest.fixture
def run(no_env_file: Path):  # type: ignore[no-untyped-def]
    runner = CliRunner()
    db_url = f"sqlite+aiosqlite:///{no_env_file / 'thidua.db'}"

    def invoke(*args: str) -> Result:
        return runner.invoke(main, list(args), env={"DATABASE_URL": db_url})

    assert invoke("db", "upgrade").exit_code == 0
    assert invoke("org", "import", str(ROSTER)).exit_code == 0
    assert invoke("campaign", "create", str(EXAMPLE)).exit_code == 0
    return invoke


def test_cli_writes_reports(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    summary = run("report", "summary", "1", "--on", "05/04/2027")
    assert summary.exit_code == 0, summary.output
    assert "Sở Tư pháp" in summary.stdout and "Tổng cộng" in summary.stdout
    bloc = run("report", "summary", "1", "--bloc", "noi chinh")
    assert bloc.exit_code == 0, bloc.output
    assert "Sở Tư pháp" in bloc.stdout
    xlsx = tmp_path / "out.xlsx"
    result = run("report", "xlsx", "1", str(xlsx), "--bloc", "Nội chính")
    assert result.exit_code == 0, result.output
    assert "Tổng hợp theo đơn vị" in openpyxl.load_workbook(xlsx).sheetnames
    for kind in ("registration", "review"):
        docx = tmp_path / f"{kind}.docx"
        result = run(
            "report", "docx", "1", str(docx), "--kind", kind, "--place", "Huế",
            "--issuer", "UBND tỉnh", "--on", "05/04/2027",
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        text = _docx_text(docx)
        assert "Huế, ngày 05 tháng 4 năm 2027" in text and "UBND TỈNH" in text
    for kind in ("registration", "progress"):
        png = tmp_path / f"{kind}.png"
        result = run("report", "chart", "1", str(png), "--kind", kind)
        assert result.exit_code == 0, result.output
        assert Image.open(png).format == "PNG"


def test_cli_errors_are_one_line(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    missing = run("report", "xlsx", "99", str(tmp_path / "x.xlsx"))
    assert missing.exit_code == 1
    assert missing.stderr.strip() == (
        "Không có phong trào mã 99: xem danh sách bằng thidua campaign list."
    )
    bloc = run("report", "summary", "1", "--bloc", "không có khối này")
    assert bloc.exit_code == 1 and len(bloc.stderr.strip().splitlines()) == 1
    assert "Không có khối/cụm nào tên" in bloc.stderr
    assert "Traceback" not in bloc.output and not (tmp_path / "x.xlsx").exists()


async def test_scores_sheet_when_a_bloc_is_scored(
    database: Database, vi: Translator, tmp_path: Path
) -> None:
    seed, campaign, summary = await _reported(database)
    tu_phap = next(u.unit for u in summary.units if u.unit.id == seed.unit_id)
    assert tu_phap.bloc_id is not None and campaign.id is not None
    async with database.session() as session:
        sheet = ScoringSheet(campaign_id=campaign.id, bloc_id=tu_phap.bloc_id, title="Bảng điểm")
        session.add(sheet)
        await session.flush()
        assert sheet.id is not None
        normal = ScoringCriterion(
            sheet_id=sheet.id, position=1, code="1", label="Công tác", max_points=Decimal(100)
        )
        penalty = ScoringCriterion(
            sheet_id=sheet.id,
            position=2,
            code="T",
            label="Điểm trừ",
            kind=CriterionKind.PENALTY,
            max_points=Decimal(10),
        )
        session.add_all([normal, penalty])
        await session.flush()
        assert normal.id is not None and penalty.id is not None
        session.add_all(
            [
                UnitScore(
                    sheet_id=sheet.id,
                    criterion_id=normal.id,
                    unit_id=seed.unit_id,
                    self_points=Decimal(90),
                    final_points=Decimal("85.5"),
                ),
                UnitScore(
                    sheet_id=sheet.id,
                    criterion_id=penalty.id,
                    unit_id=seed.unit_id,
                    self_points=Decimal(2),
                ),
            ]
        )
        await session.flush()
        out = tmp_path / "diem.xlsx"
        await write_summary_xlsx(out, campaign, summary, session=session, t=vi)
    scores = openpyxl.load_workbook(out)["Chấm điểm thi đua"]
    assert [c.value for c in scores[1]] == [
        "Bảng chấm điểm",
        "Khối/Cụm",
        "Đơn vị",
        "Tổng điểm",
        "Xếp hạng",
    ]
    [row] = list(scores.iter_rows(min_row=2, values_only=True))
    assert row[0] == "Bảng điểm" and row[2] == "Sở Tư pháp"
    assert row[3] == pytest.approx(83.5) and row[4] == 1


async def test_files_open_in_libreoffice(
    database: Database, vi: Translator, tmp_path: Path
) -> None:
    """The workbook and both Word reports convert to PDF headless, with the database's figures."""
    _, campaign, summary = await _reported(database)
    workbook = tmp_path / "tong_hop.xlsx"
    registration = tmp_path / "dang_ky.docx"
    review = tmp_path / "so_ket.docx"
    async with database.session() as session:
        await write_summary_xlsx(workbook, campaign, summary, session=session, t=vi)
        assert campaign.id is not None and summary.milestone is not None
        progress = await export_store.target_progress(
            campaign.id,
            summary.milestone.id,
            [u.unit.id for u in summary.units if u.unit.id],
            session=session,
        )
    common = {"scope_name": "toàn tỉnh", "issuer": "UBND tỉnh", "place": "Huế"}
    write_registration_report(registration, campaign, summary, today=QUARTER_DAY, t=vi, **common)
    write_review_report(
        review, campaign, summary, today=QUARTER_DAY, t=vi, final=False, progress=progress,
        **common,
    )  # fmt: skip
    texts = convert_to_pdf([workbook, registration, review], tmp_path / "pdf")

    sheet = texts[workbook]
    assert "Tổng hợp" in sheet or "Đơn vị" in sheet
    assert "Sở Tư pháp" in sheet and "Thanh tra tỉnh" in sheet and MAI in sheet
    assert "Tổng cộng" in sheet and INITIATIVES in sheet
    figures = summary.figures
    assert (figures.registered, figures.reported) == (3, 1)
    assert "100,0%" in sheet or "100.0%" in sheet  # Sở Tư pháp: 3 of 3 registered

    letter = texts[registration]
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in letter
    assert "Huế, ngày 05 tháng 4 năm 2027" in letter
    assert f"{figures.registered}/{figures.roster}" in letter
    assert "NGƯỜI KÝ" in letter
    assert "Sơ kết phong trào thi đua" in texts[review] and "50,0%" in texts[review]
