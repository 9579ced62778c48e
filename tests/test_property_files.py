"""Property-based tests of the file imports (issue 8, security): campaign and scoring YAML,
roster, title-history and scoring spreadsheets.

Generated documents (random structures, wrong types, missing keys, huge values, YAML's own
traps) and generated workbooks (empty cells, numbers, dates, formulas, long strings, wrong
headings) give a checked result or a list of clear problems, never another exception. What an
importer accepts fits the database columns; the roster and title imports are applied to SQLite and
PostgreSQL, and a refused file leaves the database as it was.
"""

import csv
import itertools
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml
from hypothesis import event, example, given
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from sqlalchemy import func
from sqlmodel import select

from bot.campaign_file import (
    CampaignFileError,
    CampaignSpec,
    Problem,
    _Loader,
    parse_campaign,
)
from bot.digest_plan import parse_digest_rule
from bot.roster_file import EXPORT_HEADERS, RosterRow, RowProblem, read_roster
from bot.roster_import import apply_roster
from bot.scoring_file import (
    ScoringFileError,
    SheetSpec,
    parse_sheet_yaml,
    read_sheet_table,
)
from bot.sheet_file import SheetFileError
from bot.text import match_key
from bot.titles_import import apply_titles, read_titles
from storage.database import Database
from storage.models import Bloc, Member, Unit
from storage.pledge_models import TitleHistory
from tests.support.properties import (
    FILE_IMPORTS,
    STRING_PARSERS,
    InputCounter,
    any_text,
    assert_clear,
    report_counts,
)

COUNTER = InputCounter()
EXAMPLES = Path(__file__).parent.parent / "examples"
NUMERIC_18_4 = Decimal(10) ** 14
_names = itertools.count()


@pytest.fixture(scope="module", autouse=True)
def count_inputs(pytestconfig: pytest.Config) -> Iterator[InputCounter]:
    yield from report_counts(COUNTER, "Property tests of imported files", pytestconfig)


@pytest.fixture(scope="module")
def documents_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where a campaign file's documents are looked for: holds one small plan."""
    folder = tmp_path_factory.mktemp("campaign")
    (folder / "ke_hoach.txt").write_text("Kế hoạch", encoding="utf-8")
    for document in EXAMPLES.glob("*.txt"):  # the sample campaign's plan
        (folder / document.name).write_bytes(document.read_bytes())
    return folder


def fits(value: str | None, limit: int) -> None:
    """A text for a VARCHAR(limit) column: short enough, and without NUL (PostgreSQL refuses)."""
    if value is not None:
        assert len(value) <= limit
        assert "\x00" not in value


def clear_problems(problems: list[Problem]) -> None:
    assert problems, "a refusal with nothing to fix"
    for problem in problems:
        assert_clear(problem.message, problem.params)


def clear_rows(rows: list[RowProblem]) -> None:
    for row in rows:
        assert row.row_number >= 1 and row.reasons
        for reason in row.reasons:
            assert_clear(reason.message, reason.params)


# --- YAML documents --------------------------------------------------------------------------

_YAML_WORDS = [
    "có",
    "không",
    "01/01/2027",
    "31/12/2027",
    "2027-02-30",
    "31/02/2027",
    "85%",
    "1.000",
    "2,5",
    "-1",
    "toàn bộ",
    "thường xuyên",
    "số",
    "văn bản",
    "phần trăm",
    "danh hiệu",
    "cá nhân",
    "LĐTT",
    "thứ 2 08:00",
    "7, 3, 1, 0",
    "08:00",
    "ke_hoach.txt",
    "../../etc/passwd",
    "x" * 300,
    "9" * 40,
    "ß" * 200,
    "Tên\x00ẩn",
]
_CAMPAIGN_KEYS = [
    "name",
    "slogan",
    "kind",
    "owner",
    "period",
    "start",
    "end",
    "registration",
    "opens",
    "deadline",
    "late",
    "required",
    "reporting",
    "grace_days",
    "reminders",
    "days_before",
    "at",
    "escalate",
    "snooze",
    "digest",
    "milestones",
    "due",
    "audience",
    "blocs",
    "units",
    "titles",
    "awards",
    "new_titles",
    "code",
    "scope",
    "requirement",
    "targets",
    "label",
    "unit",
    "type",
    "min",
    "max",
    "max_length",
    "documents",
    "copy_from",
    "criteria",
    "title",
    "scale",
]
_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**20), 10**20),
    st.floats(),
    st.dates(),
    st.text(max_size=20),
    st.sampled_from(_YAML_WORDS),
)
_keys = st.one_of(st.sampled_from(_CAMPAIGN_KEYS), st.text(max_size=8), st.integers(0, 9))
yaml_values = st.recursive(
    _scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(_keys, inner, max_size=6)),
    max_leaves=25,
)
yaml_documents = st.one_of(
    st.dictionaries(st.sampled_from(_CAMPAIGN_KEYS), yaml_values, max_size=12), yaml_values
)

# YAML's own traps, each once per run: a timestamp that is no date, numbers only a tag makes,
# nesting deeper than Python recurses, an alias bomb, a NUL escape, a key written twice.
_BOMB = "a: &a [x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + n)}: &{chr(98 + n)} [{', '.join([f'*{chr(97 + n)}'] * 8)}]\n" for n in range(8)
)
YAML_TRAPS = [
    "period: {start: 2027-13-45}\n",
    "targets: [{label: a, min: !!float .nan, max: !!float .inf}]\n",
    "reporting: {grace_days: !!float .inf}\n",
    "reporting: {grace_days: !!int " + "9" * 5000 + "}\n",
    "reporting: {grace_days: !!int 0x" + "f" * 5000 + "}\n",
    "[" * 5000 + "]" * 5000,
    "- " * 2000 + "x\n",
    _BOMB + "title: *i\ncriteria: [{label: *i, max: *i, kind: *i}]\nreminders: {days_before: *i}\n",
    'name: "Phong trào\\0"\ndocuments: ["ke\\0hoach.txt", "' + "ồ" * 250 + '"]\n',
    "name: a\nname: b\n",
    "reminders: {digest: [a, b], days_before: [[1, 2], 3]}\n",
    "reminders: {days_before: " + ", ".join(str(n) for n in range(61)) + "}\n",
    "targets: [{label: a, max: 1.000.000.000.000.000}]\n",
    "\ufeffname: x\n\t- y",
    "!!python/object/apply:os.system ['true']\n",
]


def dump(document: object) -> str:
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False)


def sample(name: str) -> dict[str, Any]:
    """An example file read as the importers read it (numbers stay text)."""
    loader = _Loader((EXAMPLES / name).read_text(encoding="utf-8"))
    try:
        data = loader.get_single_data()
    finally:
        loader.dispose()
    assert isinstance(data, dict)
    return data


def _paths(value: object, prefix: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    found: list[tuple[object, ...]] = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*prefix, index))
    return found


@st.composite
def mutated(draw: st.DrawFn, name: str) -> dict[str, Any]:
    """The example file with one to three values replaced by anything, or removed."""
    document = sample(name)
    for _ in range(draw(st.integers(1, 2))):
        paths = _paths(document)
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent: Any = document
        for step in path[:-1]:
            parent = parent[step]
        if draw(st.booleans()) and isinstance(parent, dict):
            del parent[path[-1]]
        else:
            parent[path[-1]] = draw(st.one_of(st.sampled_from(_YAML_WORDS), yaml_values))
    return document


def campaign_fits(spec: CampaignSpec) -> None:
    """Everything `thidua campaign create` stores fits its column (storage/campaign_models.py)."""
    fits(spec.name, 255)
    fits(spec.slogan, 500)
    fits(spec.owner_bloc, 255)
    fits(spec.copy_from, 255)
    assert spec.period_start <= spec.period_end
    assert spec.registration_opens <= spec.registration_deadline <= spec.period_end
    for milestone in spec.milestones:
        fits(milestone.name, 120)
        assert spec.period_start <= milestone.due <= spec.period_end
    for name in (*spec.titles, *spec.awards, *spec.audience_blocs, *spec.audience_units):
        fits(name, 255)
    for item in spec.new_catalogue_items:
        fits(item.code, 32)
        fits(item.name, 255)
        fits(item.requirement, 500)
    for target in spec.targets:
        fits(target.label, 255)
        fits(target.unit, 64)
        for bound in (target.min_value, target.max_value):
            assert bound is None or (bound.is_finite() and abs(bound) < NUMERIC_18_4)
    for document in spec.documents:
        assert document.path.is_file()
    fits(spec.digest_rule, 32)
    parse_digest_rule(spec.digest_rule)
    fits(",".join(str(days) for days in spec.reminder_rules.days_before), 64)
    assert 0 <= spec.report_grace_days <= 60


def check_campaign(text: str, documents_dir: Path) -> None:
    try:
        spec = parse_campaign(text, base_dir=documents_dir)
    except CampaignFileError as exc:
        event("campaign refused")
        clear_problems(exc.problems)
        return
    event("campaign accepted")
    campaign_fits(spec)


@STRING_PARSERS
@given(st.one_of(any_text, st.sampled_from(YAML_TRAPS)))
@example("")
@example("name: [")
def test_any_text_is_a_campaign_or_its_problems(documents_dir: Path, text: str) -> None:
    COUNTER.tried("parse_campaign (text)")
    check_campaign(text, documents_dir)


@FILE_IMPORTS
@given(yaml_documents)
def test_a_generated_campaign_document_is_checked(documents_dir: Path, document: object) -> None:
    COUNTER.tried("parse_campaign (documents)")
    check_campaign(dump(document), documents_dir)


@FILE_IMPORTS
@given(mutated("phong_trao_mau.yaml"))
def test_the_sample_campaign_with_wrong_values_is_checked(
    documents_dir: Path, document: dict[str, Any]
) -> None:
    COUNTER.tried("parse_campaign (sample mutated)")
    check_campaign(dump(document), documents_dir)


@pytest.mark.parametrize("trap", YAML_TRAPS)
def test_yaml_traps_are_problems_not_crashes(documents_dir: Path, trap: str) -> None:
    """Each trap once more on its own, so a regression names the trap."""
    with pytest.raises(CampaignFileError) as caught:
        parse_campaign(trap, base_dir=documents_dir)
    clear_problems(caught.value.problems)
    with pytest.raises(ScoringFileError) as sheet:
        parse_sheet_yaml(trap)
    clear_problems(sheet.value.problems)


# --- scoring sheets --------------------------------------------------------------------------


def sheet_fits(spec: SheetSpec) -> None:
    """What `thidua scoring import` stores (storage/scoring_models.py): codes in 16 characters,
    labels in 255, points Numeric(10, 2), the normal criteria adding up to the scale."""
    fits(spec.title, 255)
    assert spec.scale in (100, 1000)
    assert 1 <= len(spec.criteria) <= 200
    for criterion in spec.criteria:
        fits(criterion.code, 16)
        fits(criterion.label, 255)
        points = criterion.max_points
        assert 0 < points < 10**8 and points == points.quantize(Decimal("0.01"))


def check_sheet_yaml(text: str) -> None:
    try:
        spec = parse_sheet_yaml(text)
    except ScoringFileError as exc:
        event("sheet refused")
        clear_problems(exc.problems)
        return
    event("sheet accepted")
    sheet_fits(spec)


@STRING_PARSERS
@given(st.one_of(any_text, st.sampled_from(YAML_TRAPS)))
def test_any_text_is_a_scoring_sheet_or_its_problems(text: str) -> None:
    COUNTER.tried("parse_sheet_yaml (text)")
    check_sheet_yaml(text)


@FILE_IMPORTS
@given(st.one_of(yaml_documents, mutated("cham_diem_mau.yaml")))
def test_a_generated_scoring_sheet_is_checked(document: object) -> None:
    COUNTER.tried("parse_sheet_yaml (documents)")
    check_sheet_yaml(dump(document))


# --- spreadsheets ----------------------------------------------------------------------------

ROSTER_HEADINGS = list(EXPORT_HEADERS[:10])  # the columns the bot itself writes
TITLE_HEADINGS = ["STT", "Họ và tên", "Đơn vị", "Số điện thoại", "Năm", "Danh hiệu"]
SHEET_HEADINGS = ["STT", "Tiêu chí", "Điểm tối đa", "Loại"]
WRONG_HEADINGS = ["Tên", "Phòng ban", "", None, "Họ và tên (*)", "SĐT:", "Ghi chú", "=A1", 7]

UNITS = ["Sở Tư pháp", "Thanh tra tỉnh", "Sở Tài chính", "Ban Dân vận", "Đơn vị " + "x" * 260]
BLOCS = ["Khối các cơ quan Nội chính", "Cụm thi đua số 1", None, "", "Khối " + "ß" * 200]
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Đặng"]
GIVEN = ["An", "Bình", "Mai", "Hoa", "Dũng", "Ánh"]
FORMULAS = ["=SUM(A1:A3)", "=1/0", '=HYPERLINK("http://127.0.0.1","x")', "=A2&B2"]

xlsx_text = st.text(max_size=30).map(lambda text: ILLEGAL_CHARACTERS_RE.sub("", text))
any_cell = st.one_of(
    st.none(),
    st.integers(-(10**15), 10**15),
    st.floats(allow_nan=False, allow_infinity=False),
    st.datetimes(min_value=datetime(1900, 3, 1), max_value=datetime(2100, 1, 1)),
    xlsx_text,
    st.sampled_from([*FORMULAS, "x" * 5000, "0912 345 678", "31/02/2026", "(1)", "thành viên"]),
)
# Per heading: values an office would write, and odd ones (too long, malformed, wrong type).
CLEAN: dict[str, st.SearchStrategy[object]] = {
    "STT": st.integers(1, 500),
    "Khối/Cụm": st.sampled_from(BLOCS[:3]),
    # Few names and units, so title rows find their people, and namesakes meet.
    "Đơn vị": st.sampled_from(UNITS[:2]),
    "Họ và tên": st.builds(
        lambda f, g: f"{f} Văn {g}", st.sampled_from(FAMILY[:2]), st.sampled_from(GIVEN[:3])
    ),
    "Chức vụ": st.sampled_from(["Chuyên viên", "Phó Giám đốc", None]),
    "Số điện thoại": st.one_of(
        st.builds(lambda n: f"09{n:08d}", st.integers(0, 99_999_999)),
        st.builds(lambda n: 900_000_000 + n, st.integers(0, 99_999_999)),
        st.just(None),
    ),
    "Vai trò": st.sampled_from(["thành viên", "cán bộ thi đua", "trưởng khối", "", None]),
    "Email": st.sampled_from(["mai@sotp.gov.vn", None]),
    "Ngày vào đơn vị": st.one_of(st.dates(date(1950, 1, 1), date(2030, 1, 1)), st.none()),
    "Trạng thái": st.sampled_from(["", "Đã nghỉ", "đang công tác"]),
    "Năm": st.one_of(st.integers(2000, 2030), st.sampled_from(["2025", 2024.0])),
    "Danh hiệu": st.sampled_from(["LĐTT", "CSTDCS", "Chiến sĩ thi đua cơ sở"]),
    "Tiêu chí": st.sampled_from(["Thực hiện nhiệm vụ", "Cải cách hành chính", "Tiết kiệm"]),
    "Điểm tối đa": st.sampled_from([10, 20, 25, 50, 100, "2,5", 12.5]),
    "Loại": st.sampled_from(["thường", "cộng", "trừ", "", None]),
}
ODD: dict[str, st.SearchStrategy[object]] = {
    "Khối/Cụm": st.sampled_from(BLOCS[3:]),
    "Đơn vị": st.sampled_from([UNITS[4], "", "ß" * 200]),
    "Họ và tên": st.sampled_from(["Nguyễn " * 60, "ß" * 200, "Lê Thị\tMai", "", "=A1"]),
    "Chức vụ": st.just("C" * 300),
    "Số điện thoại": st.sampled_from(["+84 912 345 678", "12345", "0912345678²", 10**30, 1.5]),
    "Vai trò": st.sampled_from(["phó cụm", "x", "quản trị"]),
    "Email": st.sampled_from(["không có", "a@" + "b" * 300 + ".vn"]),
    "Ngày vào đơn vị": st.sampled_from(["31/02/2026", "2026-13-01", "hôm qua", 45000]),
    "Năm": st.sampled_from(["năm ngoái", "²⁰²⁵", "1900", 2025.5, "9" * 5000]),
    "Danh hiệu": st.sampled_from(["Danh hiệu lạ", "", "ldtt"]),
    "Tiêu chí": st.sampled_from(["T" * 300, None]),
    "Điểm tối đa": st.sampled_from(["1.000", "-5", "0", "1,234", "abc", 10**12, 0.001]),
    "Loại": st.sampled_from(["khác", "Điểm cộng"]),
}


@dataclass(frozen=True)
class Workbook:
    """A generated sheet: optional title rows, a heading row, and data rows."""

    rows: list[list[object]]
    as_csv: bool
    delimiter: str


def _cell(draw: st.DrawFn, heading: object, clean_row: bool) -> object:
    """A plausible cell in a clean row; else plausible, odd or anything at all."""
    clean = CLEAN.get(str(heading))
    if clean is not None and (clean_row or draw(st.integers(0, 2)) == 0):
        return draw(clean)
    odd = ODD.get(str(heading))
    if odd is not None and draw(st.booleans()):
        return draw(odd)
    return draw(any_cell)


@st.composite
def workbooks(draw: st.DrawFn, headings: list[str], required: list[str]) -> Workbook:
    """Most sheets have the required headings (shuffled with some others, maybe a wrong one,
    below title rows); one in five has any headings at all."""
    if draw(st.integers(0, 4)) == 0:
        header: list[object] = draw(
            st.lists(st.sampled_from([*headings, *WRONG_HEADINGS]), min_size=1, max_size=8)
        )
    else:
        others = [heading for heading in headings if heading not in required]
        extra = draw(st.lists(st.sampled_from(others), unique=True))
        wrong = draw(st.lists(st.sampled_from(WRONG_HEADINGS), max_size=1))
        header = draw(st.permutations([*required, *extra, *wrong]))
    titles = draw(st.lists(st.lists(any_cell, max_size=3), max_size=2))
    data: list[list[object]] = []
    for _ in range(draw(st.integers(0, 12))):
        clean_row = draw(st.booleans())
        row = [_cell(draw, heading, clean_row) for heading in header]
        data.append(row if clean_row else row[: draw(st.integers(0, len(row) + 1))])
    return Workbook(
        rows=[*titles, list(header), *data],
        as_csv=draw(st.booleans()),
        delimiter=draw(st.sampled_from([",", ";", "\t"])),
    )


def write(workbook: Workbook, folder: Path) -> Path:
    """The workbook as .xlsx, or as a UTF-8 CSV (where a NUL or any text can appear)."""
    path = folder / f"f{next(_names)}.{'csv' if workbook.as_csv else 'xlsx'}"
    if workbook.as_csv:
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle, delimiter=workbook.delimiter)
            writer.writerows(
                [["" if cell is None else cell for cell in row] for row in workbook.rows]
            )
        return path
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in workbook.rows:
        sheet.append(row)
    book.save(path)
    return path


def roster_row_fits(row: RosterRow) -> None:
    """A member, unit and bloc as stored (storage/models.py), their search keys included."""
    for text in (row.full_name, row.unit_name, row.bloc_name, row.position, row.email):
        fits(text, 255)
        if text is not None:
            fits(match_key(text), 255)
    assert row.full_name and row.unit_name
    fits(row.phone, 20)


def with_people(titles: Workbook, people: list[RosterRow]) -> Workbook:
    """The title sheet with a row for each person just imported, under its own headings, so
    titles are recorded as well as refused."""
    headers = [row for row in titles.rows if any(heading in TITLE_HEADINGS for heading in row)]
    if not headers:
        return titles
    header = headers[0]
    known = {
        "Họ và tên": lambda person: person.full_name,
        "Đơn vị": lambda person: person.unit_name,
        "Số điện thoại": lambda person: person.phone,
        "Năm": lambda person: 2020 + person.row_number % 6,
        "Danh hiệu": lambda person: ("LĐTT", "CSTĐCS")[person.row_number % 2],
    }
    added = [
        [known[str(h)](person) if str(h) in known else None for h in header] for person in people
    ]
    return replace(titles, rows=[*titles.rows, *added])


@dataclass(frozen=True)
class Counts:
    blocs: int
    units: int
    members: int
    titles: int


async def counts(database: Database) -> Counts:
    async with database.session() as session:
        found = [
            (await session.execute(select(func.count()).select_from(table))).scalar_one()
            for table in (Bloc, Unit, Member, TitleHistory)
        ]
    return Counts(*found)


@FILE_IMPORTS
@given(
    workbooks(ROSTER_HEADINGS, ["Họ và tên", "Đơn vị"]),
    workbooks(TITLE_HEADINGS, ["Họ và tên", "Đơn vị", "Năm", "Danh hiệu"]),
)
async def test_a_roster_and_title_history_are_imported_or_refused_row_by_row(
    database: Database, tmp_path: Path, roster: Workbook, titles: Workbook
) -> None:
    """The database only changes by what the import reports, on SQLite and PostgreSQL."""
    COUNTER.tried("read_roster + apply_roster")
    before = await counts(database)
    try:
        parsed = read_roster(write(roster, tmp_path))
    except SheetFileError as exc:
        event("roster refused as a whole")
        assert_clear(exc.message, exc.params)
        assert await counts(database) == before  # refused as a whole: nothing written
        return
    event(f"roster rows accepted: {min(len(parsed.rows), 3)}+")
    event(f"roster rows refused: {min(len(parsed.problems), 3)}+")
    for row in parsed.rows:
        roster_row_fits(row)
    clear_rows(parsed.problems)
    async with database.session() as session:
        report = await apply_roster(
            parsed.rows, year=2027, session=session, rejected_in_file=len(parsed.problems)
        )
    clear_rows(report.rejected)
    after = await counts(database)
    assert after.members == before.members + report.created
    assert after.units == before.units + report.units_created
    assert after.blocs == before.blocs + report.blocs_created
    if parsed.problems or report.rejected:
        assert report.left == 0  # nobody is marked as left while a row may be theirs

    COUNTER.tried("read_titles + apply_titles")
    try:
        rows, problems = read_titles(write(with_people(titles, parsed.rows), tmp_path))
    except SheetFileError as exc:
        assert_clear(exc.message, exc.params)
        assert await counts(database) == after
        return
    clear_rows(problems)
    assert all(1945 <= row.year <= 2100 for row in rows)
    async with database.session() as session:
        recorded = await apply_titles(rows, session=session)
    clear_rows(recorded.rejected)
    event(f"titles added: {min(recorded.added, 2)}+")
    assert recorded.added + recorded.unchanged + len(recorded.rejected) == len(rows)
    assert (await counts(database)).titles == after.titles + recorded.added


@FILE_IMPORTS
@given(workbooks(SHEET_HEADINGS, ["Tiêu chí", "Điểm tối đa"]))
def test_a_scoring_table_is_a_sheet_or_its_bad_rows(tmp_path: Path, workbook: Workbook) -> None:
    COUNTER.tried("read_sheet_table")
    try:
        spec = read_sheet_table(write(workbook, tmp_path))
    except SheetFileError as exc:
        assert_clear(exc.message, exc.params)
        return
    except ScoringFileError as exc:
        refused_table(exc)
        return
    sheet_fits(spec)


def refused_table(exc: ScoringFileError) -> None:
    """A refused scoring table says what is wrong: with the file, or row by row."""
    assert exc.problems or exc.rows
    for problem in exc.problems:
        assert_clear(problem.message, problem.params)
    clear_rows(exc.rows)


@pytest.mark.parametrize("content", [b"", b"PK\x03\x04broken", b"\xff\xfe\x00garbage", b"<xml/>"])
def test_a_damaged_spreadsheet_is_one_clear_line(tmp_path: Path, content: bytes) -> None:
    for suffix in (".xlsx", ".csv"):
        path = tmp_path / f"damaged{suffix}"
        path.write_bytes(content)
        for read in (read_roster, read_titles, read_sheet_table):
            try:
                read(path)
            except SheetFileError as exc:
                assert_clear(exc.message, exc.params)
            except ScoringFileError as exc:
                refused_table(exc)


# --- regressions found by these properties, each kept as an explicit example -----------------


def _csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


async def test_roster_texts_the_database_cannot_hold_are_row_problems(
    database: Database, tmp_path: Path
) -> None:
    """PostgreSQL refused names over 255 characters (also 'ß' × 200, whose key is 400) and NUL."""
    path = _csv(
        tmp_path / "ds.csv",
        [
            ["Họ và tên", "Đơn vị", "Chức vụ"],
            ["Nguyễn " * 60, "Sở Tư pháp", ""],
            ["ß" * 200, "Sở Tư pháp", ""],
            ["Lê Thị Mai", "Sở Tư pháp", "C" * 300],
            ["Trần\x00 Văn Bình", "Sở Tư pháp\x00", "Chuyên viên"],
        ],
    )
    parsed = read_roster(path)
    assert [problem.row_number for problem in parsed.problems] == [2, 3, 4]
    assert [row.full_name for row in parsed.rows] == ["Trần Văn Bình"]
    clear_rows(parsed.problems)
    async with database.session() as session:
        report = await apply_roster(parsed.rows, year=2027, session=session)
    assert report.created == 1


@pytest.mark.parametrize("year", ["²⁰²⁵", "9" * 5000, "٢٠٢٥"])
def test_a_title_year_in_other_digits_is_a_row_problem(tmp_path: Path, year: str) -> None:
    """'²'.isdigit() is true and int('²') raised; 5,000 digits passed int()'s limit."""
    path = _csv(
        tmp_path / "dh.csv",
        [["Họ và tên", "Đơn vị", "Năm", "Danh hiệu"], ["Lê Thị Mai", "Sở Tư pháp", year, "LĐTT"]],
    )
    rows, problems = read_titles(path)
    assert rows == [] and [problem.row_number for problem in problems] == [2]
    clear_rows(problems)


def test_a_scoring_table_without_criteria_is_refused(tmp_path: Path) -> None:
    """It gave an empty sheet with a scale of 0."""
    path = _csv(tmp_path / "cd.csv", [["STT", "Tiêu chí", "Điểm tối đa", "Loại"]])
    with pytest.raises(ScoringFileError) as caught:
        read_sheet_table(path)
    refused_table(caught.value)
