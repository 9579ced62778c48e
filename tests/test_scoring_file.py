"""Reading scoring sheets: the shipped YAML example, .xlsx and .csv tables, and every mistake
reported at its row or path."""

import asyncio
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from bot.cli import main
from bot.i18n import Catalogs
from bot.scoring_file import (
    ScoringFileError,
    load_sheet_file,
    parse_points,
    parse_sheet_yaml,
    read_sheet_table,
)
from bot.sheet_file import SheetFileError
from storage import migrate
from storage.database import Database
from storage.scoring_models import CriterionKind
from tests.support.org_seed import NOI_CHINH
from tests.support.pledge_seed import seed_launched

EXAMPLE = Path(__file__).parent.parent / "examples" / "cham_diem_mau.yaml"


def test_the_shipped_example_is_a_100_point_sheet_with_bonus_and_penalty() -> None:
    spec = load_sheet_file(EXAMPLE)
    assert spec.scale == 100
    assert 6 <= len(spec.criteria) <= 10
    kinds = {criterion.kind for criterion in spec.criteria}
    assert kinds == {CriterionKind.NORMAL, CriterionKind.BONUS, CriterionKind.PENALTY}
    assert Decimal("2.5") in {criterion.max_points for criterion in spec.criteria}
    assert spec.title and "Nội chính" in spec.title


def test_vietnamese_points() -> None:
    assert parse_points("2,5") == Decimal("2.5")
    assert parse_points("1.000") == Decimal(1000)
    assert parse_points("18") == Decimal(18)
    assert parse_points("2.5") is None  # '.' only groups thousands
    assert parse_points("1,234") is None  # finer than a hundredth
    assert parse_points("abc") is None


def _xlsx(path: Path, rows: list[list[object]]) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["BẢNG CHẤM ĐIỂM THI ĐUA NĂM 2027"])
    sheet.append(["STT", "Tiêu chí", "Điểm tối đa", "Loại"])
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def test_xlsx_sheet_is_read_below_a_title_row(tmp_path: Path) -> None:
    path = _xlsx(
        tmp_path / "cham_diem.xlsx",
        [
            [1, "Thực hiện nhiệm vụ chuyên môn", 60, "Thường"],
            [2, "Công tác thi đua, khen thưởng", 40, ""],
            [3, "Mô hình mới, cách làm hay", "2,5", "Cộng"],
            [4, "Vi phạm kỷ luật", 5.0, "Điểm trừ"],
        ],
    )
    spec = read_sheet_table(path)
    assert spec.scale == 100 and spec.title is None
    assert [c.kind for c in spec.criteria] == [
        CriterionKind.NORMAL,
        CriterionKind.NORMAL,
        CriterionKind.BONUS,
        CriterionKind.PENALTY,
    ]
    assert spec.criteria[2].max_points == Decimal("2.5")
    assert spec.criteria[3].max_points == Decimal(5)


def test_csv_1000_point_sheet(tmp_path: Path) -> None:
    path = tmp_path / "cham_diem.csv"
    path.write_text(
        "STT;Tiêu chí;Điểm tối đa;Loại\n1;Nhiệm vụ chính trị;600;thường\n"
        "2;Phong trào thi đua;400;thường\n3;Sáng kiến;50;cộng\n",
        encoding="utf-8",
    )
    spec = read_sheet_table(path)
    assert spec.scale == 1000 and len(spec.criteria) == 3


def test_bad_rows_are_listed_with_their_numbers(tmp_path: Path, catalogs: Catalogs) -> None:
    path = _xlsx(
        tmp_path / "sai.xlsx",
        [
            [1, "Nhiệm vụ chuyên môn", 60, "thường"],
            [2, "", "mười", "thường"],
            [3, "Khen thưởng", "2.5", "khác"],
            [4, "Thi đua", 40, "thường"],
        ],
    )
    with pytest.raises(ScoringFileError) as caught:
        read_sheet_table(path)
    assert [row.row_number for row in caught.value.rows] == [4, 5]
    lines = caught.value.lines(catalogs.default)
    assert lines[0].startswith("Dòng 4:") and "không có nội dung" in lines[0]
    assert "mười" in lines[0]
    assert "2.5" in lines[1] and "khác" in lines[1]


def test_the_scale_must_add_up(catalogs: Catalogs) -> None:
    text = """
title: Thử
scale: 100
criteria:
  - label: Nhiệm vụ chuyên môn
    max: 60
  - label: Thi đua
    max: 30
    kind: thường
  - label: Thưởng
    max: 5
    kind: cộng
"""
    with pytest.raises(ScoringFileError) as caught:
        parse_sheet_yaml(text)
    assert "90 điểm, không phải 100" in "\n".join(caught.value.lines(catalogs.default))


def test_yaml_problems_have_paths(catalogs: Catalogs) -> None:
    text = """
scale: 50
criteria:
  - label: Nhiệm vụ
    max: "-3"
  - just text
"""
    with pytest.raises(ScoringFileError) as caught:
        parse_sheet_yaml(text)
    paths = [problem.path for problem in caught.value.problems]
    assert "scale" in paths and "criteria[1]" in paths and "criteria[2]" in paths


def test_a_table_without_headings_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "khong_tieu_de.csv"
    path.write_text("a,b,c\n1,2,3\n", encoding="utf-8")
    with pytest.raises(SheetFileError):
        read_sheet_table(path)


def test_cli_imports_the_example_and_lists_bad_rows(no_env_file: Path, tmp_path: Path) -> None:
    """`thidua scoring import CAMPAIGN_ID BLOC FILE` on a migrated SQLite database."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"

    async def prepare() -> int:
        database = Database(url)
        try:
            await migrate.upgrade(database)
            return await seed_launched(database)
        finally:
            await database.dispose()

    campaign_id = asyncio.run(prepare())
    runner = CliRunner()
    env = {"DATABASE_URL": url, "TELEGRAM_BOT_TOKEN": "123:abc"}
    args = ["scoring", "import", str(campaign_id), NOI_CHINH]
    result = runner.invoke(main, [*args, str(EXAMPLE)], env=env)
    assert result.exit_code == 0, result.output
    assert "9 tiêu chí, thang 100 điểm" in result.stdout
    again = runner.invoke(main, [*args, str(EXAMPLE)], env=env)
    assert again.exit_code == 0 and "Đã thay bảng chấm điểm" in again.stdout
    bad = tmp_path / "sai.csv"
    bad.write_text("STT,Tiêu chí,Điểm tối đa,Loại\n1,Nhiệm vụ,100,thường\n2,,x,\n", "utf-8")
    failed = runner.invoke(main, [*args, str(bad)], env=env)
    assert failed.exit_code == 1 and "Dòng 3:" in failed.stderr
    unknown = runner.invoke(main, ["scoring", "import", "999", NOI_CHINH, str(EXAMPLE)], env=env)
    assert unknown.exit_code != 0 and "999" in unknown.stderr
