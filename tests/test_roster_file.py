"""Reading roster spreadsheets as offices really send them, and writing the export back."""

import csv
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from bot.roster_file import (
    EXPORT_HEADERS,
    ROLE_LABELS,
    ExportRow,
    Reason,
    RosterFile,
    RosterFileError,
    RosterRow,
    RowProblem,
    parse_date,
    parse_role,
    read_roster,
    write_roster,
)
from storage.models import BlocKind, Role

NOI_CHINH = "Khối các cơ quan Nội chính"
CUM_1 = "Cụm thi đua số 1"


def make_xlsx(path: Path, rows: list[list[object]]) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def make_csv(path: Path, lines: list[list[str]], delimiter: str = ",", bom: bool = True) -> Path:
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as handle:
        csv.writer(handle, delimiter=delimiter).writerows(lines)
    return path


def by_name(roster: RosterFile) -> dict[str, RosterRow]:
    return {row.full_name: row for row in roster.rows}


def problem_on(roster: RosterFile, row_number: int) -> RowProblem:
    matches = [problem for problem in roster.problems if problem.row_number == row_number]
    assert len(matches) == 1, roster.problems
    return matches[0]


def messages(problem: RowProblem) -> list[str]:
    return [reason.message for reason in problem.reasons]


# --- reading .xlsx -------------------------------------------------------------------------------


def test_xlsx_with_title_rows_and_shuffled_plain_headers(tmp_path: Path) -> None:
    path = make_xlsx(
        tmp_path / "danh_sach.xlsx",
        [
            ["DANH SÁCH CÁN BỘ THAM GIA PHONG TRÀO THI ĐUA NĂM 2026"],
            ["(Kèm theo Công văn số 15/BTĐKT ngày 10/01/2026)"],
            ["SDT", "HO VA TEN", "STT", "DON VI", "KHOI", "VAI TRO", "CHUC VU", "NGAY VAO DON VI"],
            [
                "0912 345 678",
                "Nguyễn Thị Hồng Nhung",
                1,
                "Sở Tư pháp",
                NOI_CHINH,
                "Trưởng khối",
                "Phó Giám đốc",
                datetime(2019, 8, 1),
            ],
            [912345679, "Trần Văn Bình", 2, "Công an tỉnh", NOI_CHINH, "", "Cán bộ", None],
        ],
    )

    roster = read_roster(path)

    assert roster.header_row == 3
    assert roster.problems == []
    assert roster.rows[0] == RosterRow(
        row_number=4,
        bloc_name=NOI_CHINH,
        bloc_kind=BlocKind.KHOI,
        unit_name="Sở Tư pháp",
        full_name="Nguyễn Thị Hồng Nhung",
        position="Phó Giám đốc",
        phone="+84912345678",
        role=Role.BLOC_HEAD,
        email=None,
        joined_on=date(2019, 8, 1),
    )
    assert roster.rows[1].row_number == 5
    assert roster.rows[1].phone == "+84912345679"
    assert roster.rows[1].role is Role.MEMBER


def test_all_phone_forms_give_the_same_e164(tmp_path: Path) -> None:
    path = make_xlsx(
        tmp_path / "sdt.xlsx",
        [
            ["Họ và tên", "Đơn vị", "Số điện thoại"],
            ["Nguyễn Văn An", "Sở Tư pháp", "0912 345 678"],
            ["Lê Thị Bích", "Sở Nội vụ", "+84 912 345 678"],
            ["Phạm Minh Châu", "Sở Tài chính", "84912345678"],
            ["Hoàng Văn Dũng", "Sở Y tế", 912345678],
        ],
    )

    roster = read_roster(path)

    # The same number four times: the first parses, the other three are duplicates of row 2.
    assert [row.phone for row in roster.rows] == ["+84912345678"]
    assert [problem.row_number for problem in roster.problems] == [3, 4, 5]
    for problem in roster.problems:
        assert problem.reasons[0].message == "phone number {value} is already on row {row}"
        assert problem.reasons[0].params["row"] == "2"


@pytest.mark.parametrize("raw", ["0912 345 678", "+84 912 345 678", "84912345678", 912345678])
def test_each_phone_form_alone_normalises(tmp_path: Path, raw: object) -> None:
    path = make_xlsx(
        tmp_path / "sdt.xlsx",
        [["Họ và tên", "Đơn vị", "Điện thoại"], ["Nguyễn Văn An", "Sở Tư pháp", raw]],
    )

    assert read_roster(path).rows[0].phone == "+84912345678"


def test_bad_rows_report_every_reason_and_good_rows_still_parse(tmp_path: Path) -> None:
    path = make_xlsx(
        tmp_path / "loi.xlsx",
        [
            ["Khối", "Đơn vị", "Họ và tên", "Số điện thoại", "Vai trò", "Ngày vào đơn vị", "Email"],
            [NOI_CHINH, "Sở Tư pháp", "Nguyễn Thị Hồng Nhung", "0912345678", "", "", ""],
            [NOI_CHINH, "Công an tỉnh", "", "0987654321", "", "", ""],
            [NOI_CHINH, "Tòa án nhân dân tỉnh", "Trần Văn Bình", "12345", "", "", ""],
            [NOI_CHINH, "", "Lê Văn Cường", "0356789012", "giám đốc", "31/02/2026", "cuong@"],
            [NOI_CHINH, "Viện kiểm sát nhân dân tỉnh", "Phạm Thị Dung", "0912 345 678", "", "", ""],
            [NOI_CHINH, "Sở Nội vụ", "Đỗ Minh Đức", "0901234567", "phó khối", "05/09/2021", ""],
        ],
    )

    roster = read_roster(path)

    assert [row.full_name for row in roster.rows] == ["Nguyễn Thị Hồng Nhung", "Đỗ Minh Đức"]
    assert [row.row_number for row in roster.rows] == [2, 7]
    assert roster.rows[1].role is Role.BLOC_DEPUTY
    assert roster.rows[1].joined_on == date(2021, 9, 5)
    assert [problem.row_number for problem in roster.problems] == [3, 4, 5, 6]

    assert messages(problem_on(roster, 3)) == ["no name"]
    bad_phone = problem_on(roster, 4).reasons
    assert bad_phone == (Reason("phone number {value} is not valid", {"value": "12345"}),)

    several = problem_on(roster, 5)
    assert messages(several) == [
        "no unit",
        "unknown role {value}; use one of: {choices}",
        "email {value} is not valid",
        "date {value} is not valid; write it as dd/mm/yyyy",
    ]
    role_reason = several.reasons[1]
    assert role_reason.params["value"] == "giám đốc"
    assert role_reason.params["choices"] == ", ".join(ROLE_LABELS.values())
    assert several.reasons[3].params == {"value": "31/02/2026"}

    duplicate = problem_on(roster, 6).reasons
    assert duplicate == (
        Reason(
            "phone number {value} is already on row {row}", {"value": "0912 345 678", "row": "2"}
        ),
    )


def test_blank_rows_and_numbering_row_are_skipped(tmp_path: Path) -> None:
    path = make_xlsx(
        tmp_path / "trong.xlsx",
        [
            ["STT", "Họ và tên", "Đơn vị"],
            ["(1)", "(2)", "(3)"],
            [1, "Nguyễn Thị Hồng Nhung", "Sở Tư pháp"],
            [None, None, None],
            [2, "  ", ""],
            [3, "Trần   Văn  Bình ", " Ủy ban MTTQ tỉnh"],
        ],
    )

    roster = read_roster(path)

    assert roster.problems == []
    assert [(row.row_number, row.full_name) for row in roster.rows] == [
        (3, "Nguyễn Thị Hồng Nhung"),
        (6, "Trần Văn Bình"),
    ]
    assert roster.rows[1].unit_name == "Ủy ban MTTQ tỉnh"
    assert roster.rows[1].bloc_name is None
    assert roster.rows[1].bloc_kind is None


def test_header_beyond_the_scanned_rows_is_not_found(tmp_path: Path) -> None:
    rows: list[list[object]] = [[f"Dòng tiêu đề {n}"] for n in range(20)]
    rows.append(["Họ và tên", "Đơn vị"])
    path = make_xlsx(tmp_path / "xa.xlsx", rows)

    with pytest.raises(RosterFileError) as caught:
        read_roster(path)

    assert caught.value.params["columns"] == "“Họ và tên”, “Đơn vị”"


# --- blocs ---------------------------------------------------------------------------------------


def test_cum_header_and_kind_from_cell_prefix(tmp_path: Path) -> None:
    path = make_csv(
        tmp_path / "cum.csv",
        [
            ["Cụm", "Đơn vị", "Họ và tên"],
            ["Cụm thi đua các huyện phía Bắc", "UBND huyện Phù Ninh", "Nguyễn Văn An"],
            ["Các huyện miền núi", "UBND huyện Tân Sơn", "Lê Thị Bích"],
            [NOI_CHINH, "Sở Tư pháp", "Phạm Minh Châu"],
        ],
    )

    rows = by_name(read_roster(path))

    assert rows["Nguyễn Văn An"].bloc_kind is BlocKind.CUM
    assert rows["Lê Thị Bích"].bloc_kind is BlocKind.CUM  # no prefix: the header decides
    assert rows["Phạm Minh Châu"].bloc_kind is BlocKind.KHOI  # "Khối ..." wins over the header


def test_khoi_cum_header_infers_kind_from_cell(tmp_path: Path) -> None:
    path = make_csv(
        tmp_path / "khoi_cum.csv",
        [
            ["Khối/Cụm", "Đơn vị", "Họ và tên"],
            [CUM_1, "UBND thành phố Việt Trì", "Nguyễn Văn An"],
            [NOI_CHINH, "Sở Tư pháp", "Lê Thị Bích"],
            ["Văn hóa - Xã hội", "Sở Y tế", "Phạm Minh Châu"],
        ],
    )

    rows = by_name(read_roster(path))

    assert rows["Nguyễn Văn An"].bloc_kind is BlocKind.CUM
    assert rows["Lê Thị Bích"].bloc_kind is BlocKind.KHOI
    assert rows["Phạm Minh Châu"].bloc_kind is BlocKind.KHOI


# --- reading .csv --------------------------------------------------------------------------------


CSV_LINES = [
    ["DANH SÁCH CÁN BỘ ỦY BAN MTTQ TỈNH"],
    ["STT", "Họ tên", "Đơn vị", "Chức vụ", "Số điện thoại", "Vai trò", "E-mail", "Ghi chú"],
    [
        "1",
        "Nguyễn Thị Hồng Nhung",
        "Ủy ban MTTQ tỉnh",
        "Chủ tịch",
        "0987654321",
        "Quản trị",
        "",
        "",
    ],
    ["2", "Trần Văn Bình", "Ủy ban MTTQ tỉnh", "", "0383456789", "can bo thi dua", "b@mttq.vn", ""],
]


def test_csv_with_bom_and_semicolons(tmp_path: Path) -> None:
    path = make_csv(tmp_path / "mttq.csv", CSV_LINES, delimiter=";")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")

    roster = read_roster(path)

    assert roster.header_row == 2
    assert roster.problems == []
    first, second = roster.rows
    assert (first.row_number, first.full_name, first.position) == (
        3,
        "Nguyễn Thị Hồng Nhung",
        "Chủ tịch",
    )
    assert first.role is Role.ADMIN
    assert first.phone == "+84987654321"
    assert second.role is Role.UNIT_OFFICER
    assert second.email == "b@mttq.vn"
    assert second.position is None


def test_csv_without_bom_comma(tmp_path: Path) -> None:
    path = make_csv(tmp_path / "mttq.csv", CSV_LINES, bom=False)
    assert not path.read_bytes().startswith(b"\xef\xbb\xbf")

    roster = read_roster(path)

    assert [row.full_name for row in roster.rows] == ["Nguyễn Thị Hồng Nhung", "Trần Văn Bình"]
    assert roster.rows[1].phone == "+84383456789"


def test_csv_with_tabs(tmp_path: Path) -> None:
    path = make_csv(tmp_path / "tab.csv", CSV_LINES, delimiter="\t", bom=False)

    assert len(read_roster(path).rows) == 2


def test_csv_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "ansi.csv"
    # "Họ và tên,Đơn vị" as an old Windows-1258 "CSV (Comma delimited)" from Excel stores it.
    path.write_bytes(b"H\xd2 v\xe0 t\xean,\xd0\xf5n v\xec\xf2\nNguy\xean V\xe3n An,S\xf5\n")

    with pytest.raises(RosterFileError) as caught:
        read_roster(path)

    assert "UTF-8" in caught.value.message
    assert caught.value.params["name"] == "ansi.csv"


# --- file-level errors ---------------------------------------------------------------------------


def test_missing_required_column(tmp_path: Path) -> None:
    path = make_xlsx(
        tmp_path / "thieu.xlsx",
        [["STT", "Họ và tên", "Số điện thoại"], [1, "Nguyễn Văn An", "0912345678"]],
    )

    with pytest.raises(RosterFileError) as caught:
        read_roster(path)

    assert caught.value.message.startswith("The roster has no column {columns}")
    assert caught.value.params == {"columns": "“Đơn vị”"}


def test_no_header_at_all_names_both_columns(tmp_path: Path) -> None:
    path = make_csv(tmp_path / "rong.csv", [["a", "b"], ["c", "d"]])

    with pytest.raises(RosterFileError) as caught:
        read_roster(path)

    assert caught.value.params == {"columns": "“Họ và tên”, “Đơn vị”"}


@pytest.mark.parametrize("name", ["danh_sach.xls", "danh_sach.ods", "danh_sach.txt"])
def test_unsupported_extension(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"whatever")

    with pytest.raises(RosterFileError) as caught:
        read_roster(path)

    assert caught.value.params["name"] == name
    assert ".xlsx" in caught.value.message


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(RosterFileError) as caught:
        read_roster(tmp_path / "khong_co.xlsx")

    assert caught.value.message == "Cannot find the file {name}"
    assert caught.value.params["name"] == "khong_co.xlsx"


def test_corrupt_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "hong.xlsx"
    path.write_bytes(b"this is not a zip file")

    with pytest.raises(RosterFileError) as caught:
        read_roster(path)

    assert caught.value.message == "Cannot read {name}: {reason}"
    assert caught.value.params["reason"]
    assert str(caught.value).startswith("Cannot read hong.xlsx: ")


# --- parse_role / parse_date ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "role"),
    [
        ("Thành viên", Role.MEMBER),
        ("CÁN BỘ THI ĐUA", Role.UNIT_OFFICER),
        ("truong  cum", Role.BLOC_HEAD),
        ("Khối trưởng", Role.BLOC_HEAD),
        ("Phó Cụm", Role.BLOC_DEPUTY),
        ("cụm phó", Role.BLOC_DEPUTY),
        ("Quản trị viên", Role.ADMIN),
        ("unit_officer", Role.UNIT_OFFICER),
        ("admin", Role.ADMIN),
        ("giám đốc", None),
    ],
)
def test_parse_role(text: str, role: Role | None) -> None:
    assert parse_role(text) is role


def test_role_labels_parse_back() -> None:
    assert {parse_role(label) for label in ROLE_LABELS.values()} == set(Role)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("15/03/2024", date(2024, 3, 15)),
        ("5/3/2024", date(2024, 3, 5)),
        ("15-03-2024", date(2024, 3, 15)),
        ("15.03.2024", date(2024, 3, 15)),
        ("2024-03-15", date(2024, 3, 15)),
        (datetime(2024, 3, 15, 8, 30), date(2024, 3, 15)),
        (date(2024, 3, 15), date(2024, 3, 15)),
        ("", None),
        (None, None),
    ],
)
def test_parse_date(value: object, expected: date | None) -> None:
    assert parse_date(value) == expected


@pytest.mark.parametrize("value", ["31/02/2026", "15/13/2024", "hôm qua", "15/03/24", 45366])
def test_parse_date_rejects(value: object) -> None:
    with pytest.raises(ValueError, match="date"):
        parse_date(value)


# --- writing and the round trip ------------------------------------------------------------------


EXPORT_ROWS = [
    ExportRow(
        bloc=NOI_CHINH,
        unit="Sở Tư pháp",
        full_name="Nguyễn Thị Hồng Nhung",
        position="Phó Giám đốc",
        phone="0912 345 678",
        role="trưởng khối",
        email="nhung.ntk@sotuphap.gov.vn",
        joined_on="01/08/2019",
        status="Đang công tác",
        telegram="Có",
        linked_since="12/01/2026",
    ),
    ExportRow(
        bloc=CUM_1,
        unit="UBND thành phố Việt Trì",
        full_name="Trần Văn Bình",
        position="",
        phone="0356 789 012",
        role="cán bộ thi đua",
        email="",
        joined_on="",
        status="Đang công tác",
        telegram="Không",
        linked_since="",
    ),
    ExportRow(
        bloc="",
        unit="Ủy ban MTTQ tỉnh",
        full_name="Lê Thị Bích",
        position="Chuyên viên",
        phone="",
        role="thành viên",
        email="",
        joined_on="",
        status="Đang công tác",
        telegram="Không",
        linked_since="",
    ),
]

EXPECTED_ROWS = [
    RosterRow(
        row_number=2,
        bloc_name=NOI_CHINH,
        bloc_kind=BlocKind.KHOI,
        unit_name="Sở Tư pháp",
        full_name="Nguyễn Thị Hồng Nhung",
        position="Phó Giám đốc",
        phone="+84912345678",
        role=Role.BLOC_HEAD,
        email="nhung.ntk@sotuphap.gov.vn",
        joined_on=date(2019, 8, 1),
    ),
    RosterRow(
        row_number=3,
        bloc_name=CUM_1,
        bloc_kind=BlocKind.CUM,
        unit_name="UBND thành phố Việt Trì",
        full_name="Trần Văn Bình",
        position=None,
        phone="+84356789012",
        role=Role.UNIT_OFFICER,
        email=None,
        joined_on=None,
    ),
    RosterRow(
        row_number=4,
        bloc_name=None,
        bloc_kind=None,
        unit_name="Ủy ban MTTQ tỉnh",
        full_name="Lê Thị Bích",
        position="Chuyên viên",
        phone=None,
        role=Role.MEMBER,
        email=None,
        joined_on=None,
    ),
]


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_export_import_round_trip(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"xuat{suffix}"

    write_roster(path, EXPORT_ROWS)
    roster = read_roster(path)

    assert roster.header_row == 1
    assert roster.problems == []
    assert roster.rows == EXPECTED_ROWS


def test_xlsx_export_layout(tmp_path: Path) -> None:
    path = tmp_path / "xuat.xlsx"

    write_roster(path, EXPORT_ROWS)

    sheet = openpyxl.load_workbook(path).worksheets[0]
    assert [cell.value for cell in sheet[1]] == list(EXPORT_HEADERS)
    assert all(cell.font.b for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:L4"
    assert [sheet.cell(row=r, column=1).value for r in (2, 3, 4)] == [1, 2, 3]
    phone = sheet.cell(row=2, column=6)
    assert phone.value == "0912 345 678"
    assert phone.number_format == "@"
    assert sheet.cell(row=2, column=9).number_format == "@"
    assert sheet.column_dimensions["D"].width > sheet.column_dimensions["A"].width


def test_csv_export_has_bom_and_commas(tmp_path: Path) -> None:
    path = tmp_path / "xuat.csv"

    write_roster(path, EXPORT_ROWS)

    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    lines = raw.decode("utf-8-sig").splitlines()
    assert lines[0] == ",".join(EXPORT_HEADERS)
    assert lines[1].startswith("1,Khối các cơ quan Nội chính,Sở Tư pháp,")
    assert len(lines) == 4


def test_empty_export_still_has_headers(tmp_path: Path) -> None:
    path = tmp_path / "rong.xlsx"

    write_roster(path, [])

    sheet = openpyxl.load_workbook(path).worksheets[0]
    assert [cell.value for cell in sheet[1]] == list(EXPORT_HEADERS)
    assert read_roster(path).rows == []


def test_write_unsupported_extension(tmp_path: Path) -> None:
    with pytest.raises(RosterFileError) as caught:
        write_roster(tmp_path / "xuat.pdf", EXPORT_ROWS)

    assert caught.value.params["name"] == "xuat.pdf"
    assert not (tmp_path / "xuat.pdf").exists()
