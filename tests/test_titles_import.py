"""`thidua titles import`: reading the sheet, matching members and titles, idempotence, and the
command's counts, row problems and exit status."""

import asyncio
import csv
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner, Result
from sqlmodel import select

from bot.cli import main
from bot.sheet_file import SheetFileError
from bot.titles_import import TitleRow, apply_titles, read_titles
from storage import pledges as store
from storage.database import Database
from storage.models import Member
from storage.pledge_models import TitleHistory, TitleSource
from tests.support.org_seed import THANH_TRA, TU_PHAP, seed_org

HEADER = ["STT", "Họ và tên", "Đơn vị", "Số điện thoại", "Năm", "Danh hiệu"]


def write_csv(path: Path, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerows([["DANH SÁCH DANH HIỆU THI ĐUA CÁC NĂM"], [], header, *rows])
    return path


def write_xlsx(path: Path, rows: list[list[object]]) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Họ và tên (*)", "Đơn vị", "Năm", "Danh hiệu thi đua"])
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


# --- reading -----------------------------------------------------------------------------------


def test_read_finds_the_header_below_a_title_and_reports_bad_rows(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "dh.csv",
        [
            ["1", "Lê Thị Mai", TU_PHAP, "", "2025", "LĐTT"],
            ["2", "", "", "0912 345 678", "2024", "Chiến sĩ thi đua cơ sở"],
            ["3", "Trần Văn Bình", TU_PHAP, "", "năm ngoái", ""],
            ["4", "Lê Thị Mai", "", "", "2025", "LDTT"],
            ["5", "", "", "12345", "2025", "LDTT"],
            ["", "", "", "", "", ""],
        ],
    )
    rows, problems = read_titles(path)

    assert rows == [
        TitleRow(4, "Lê Thị Mai", TU_PHAP, None, 2025, "LĐTT"),
        TitleRow(5, "", "", "+84912345678", 2024, "Chiến sĩ thi đua cơ sở"),
    ]
    assert [(p.row_number, [r.message for r in p.reasons]) for p in problems] == [
        (6, ["year {value} is not valid; write it like 2025", "no title"]),
        (7, ["give the name and unit, or the phone number"]),
        (8, ["phone number {value} is not valid"]),
    ]


def test_read_an_xlsx_with_numbers_as_years(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "dh.xlsx", [["Lê Thị Mai", TU_PHAP, 2025, "CSTDCS"]])
    rows, problems = read_titles(path)
    assert rows == [TitleRow(2, "Lê Thị Mai", TU_PHAP, None, 2025, "CSTDCS")]
    assert problems == []


def test_a_file_without_the_columns_is_refused(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "dh.csv", [["Lê Thị Mai", "2025"]], header=["Họ và tên", "Năm"])
    with pytest.raises(SheetFileError) as caught:
        read_titles(path)
    assert "Danh hiệu" in caught.value.message


# --- applying ----------------------------------------------------------------------------------


async def _history(database: Database) -> set[tuple[str, int, str, TitleSource]]:
    async with database.session() as session:
        result = await session.execute(
            select(
                Member.full_name, TitleHistory.year, TitleHistory.code, TitleHistory.source
            ).join(Member, Member.id == TitleHistory.member_id)  # type: ignore[arg-type]
        )
        return {(name, year, code, source) for name, year, code, source in result.all()}


async def test_apply_matches_members_and_titles_and_is_idempotent(database: Database) -> None:
    await seed_org(database)
    rows = [
        TitleRow(2, "Lê Thị Mai", TU_PHAP, None, 2024, "LĐTT"),
        TitleRow(3, "le thi  mai", "so tu phap", None, 2025, "chien si thi dua co so"),
        TitleRow(4, "", "", "+84912345678", 2025, "CSTĐCS"),  # Nhung, by phone
        TitleRow(5, "Võ Văn Em", THANH_TRA, None, 2025, "Lao động tiên tiến"),
    ]
    async with database.session() as session:
        first = await apply_titles(rows, session=session)
    async with database.session() as session:
        second = await apply_titles(rows, session=session)

    assert (first.added, first.unchanged, first.rejected) == (4, 0, [])
    assert (second.added, second.unchanged, second.rejected) == (0, 4, [])
    assert await _history(database) == {
        ("Lê Thị Mai", 2024, "LDTT", TitleSource.IMPORT),
        ("Lê Thị Mai", 2025, "CSTDCS", TitleSource.IMPORT),
        ("Nguyễn Thị Hồng Nhung", 2025, "CSTDCS", TitleSource.IMPORT),
        ("Võ Văn Em", 2025, "LDTT", TitleSource.IMPORT),
    }
    async with database.session() as session:
        mai = (
            await session.execute(select(Member.id).where(Member.full_name == "Lê Thị Mai"))
        ).scalar_one()
        assert await store.title_history_of(mai, session=session) == {
            2024: {"LDTT"},
            2025: {"CSTDCS"},
        }


async def test_apply_rejects_rows_it_cannot_match(database: Database) -> None:
    await seed_org(database)
    async with database.session() as session:  # a namesake in the same unit
        unit_id = (
            await session.execute(select(Member.unit_id).where(Member.full_name == "Lê Thị Mai"))
        ).scalar_one()
        session.add(Member(full_name="Lê Thị Mai", name_key="le thi mai", unit_id=unit_id))
    rows = [
        TitleRow(2, "Lê Thị Mai", TU_PHAP, None, 2025, "LDTT"),
        TitleRow(3, "Trần Văn Bình", "Sở Xây dựng", None, 2025, "LDTT"),
        TitleRow(4, "Người Lạ", TU_PHAP, None, 2025, "LDTT"),
        TitleRow(5, "", "", "+84911111111", 2025, "LDTT"),
        TitleRow(6, "Trần Văn Bình", TU_PHAP, None, 2025, "Giấy khen"),
        TitleRow(7, "Trần Văn Bình", TU_PHAP, None, 2025, "Anh hùng"),
        TitleRow(8, "Trần Văn Bình", TU_PHAP, None, 2025, "LDTT"),
    ]
    async with database.session() as session:
        report = await apply_titles(rows, session=session)

    assert report.added == 1
    assert [(p.row_number, [r.message for r in p.reasons]) for p in report.rejected] == [
        (2, ["several people named {name} in {unit}; give the phone number"]),
        (3, ["no unit named {value}"]),
        (4, ["nobody named {name} in {unit}"]),
        (5, ["nobody with phone number {value}"]),
        (6, [_UNKNOWN]),  # a form of commendation is not a title
        (7, [_UNKNOWN]),
    ]
    assert await _history(database) == {("Trần Văn Bình", 2025, "LDTT", TitleSource.IMPORT)}


_UNKNOWN = (
    "unknown title {value}; write a catalogue code such as LDTT or CSTDCS, or the title's name"
)


# --- the command -------------------------------------------------------------------------------


def _cli(db_url: str, *args: str) -> Result:
    return CliRunner().invoke(main, list(args), env={"DATABASE_URL": db_url})


def test_command_round_trip_with_counts_problems_and_exit_status(
    no_env_file: Path,
) -> None:
    db_url = f"sqlite+aiosqlite:///{no_env_file}/t.db"
    assert _cli(db_url, "db", "upgrade").exit_code == 0
    asyncio.run(_seed(db_url))
    good = [
        ["1", "Lê Thị Mai", TU_PHAP, "", "2025", "LĐTT"],
        ["2", "", "", "0912 345 678", "2024", "CSTĐCS"],
    ]
    bad = [
        ["3", "Người Lạ", TU_PHAP, "", "2025", "LĐTT"],
        ["4", "Lê Thị Mai", TU_PHAP, "", "x", "LĐTT"],
    ]

    mixed = _cli(db_url, "titles", "import", str(write_csv(no_env_file / "a.csv", good + bad)))
    assert mixed.exit_code == 1
    assert mixed.stdout.splitlines() == ["Danh hiệu: 2 thêm mới, 0 đã có, 2 bị từ chối"]
    assert mixed.stderr.splitlines() == [
        "Dòng 6: không có ai tên Người Lạ trong Sở Tư pháp",
        "Dòng 7: năm x không hợp lệ; hãy viết như 2025",
    ]

    again = _cli(db_url, "titles", "import", str(write_csv(no_env_file / "b.csv", good)))
    assert again.exit_code == 0, again.output
    assert again.stdout.splitlines() == ["Danh hiệu: 0 thêm mới, 2 đã có, 0 bị từ chối"]

    missing = _cli(db_url, "titles", "import", str(no_env_file / "khong_co.xlsx"))
    assert missing.exit_code == 1 and "Traceback" not in missing.output
    assert missing.stderr.strip() == "Không tìm thấy tệp khong_co.xlsx"


async def _seed(db_url: str) -> None:
    database = Database(db_url)
    try:
        await seed_org(database)
    finally:
        await database.dispose()
