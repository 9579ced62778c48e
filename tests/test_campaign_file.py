"""The campaign YAML file: the sample parses, every rule reports its own path, all at once."""

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.campaign_file import (
    MAX_DOCUMENT_BYTES,
    CampaignFileError,
    CampaignSpec,
    CatalogueItemSpec,
    DocumentSpec,
    MilestoneSpec,
    Problem,
    TargetSpec,
    load_campaign_file,
    parse_campaign,
    parse_vn_number,
)
from bot.i18n import Catalogs
from storage.campaign_models import (
    AudienceKind,
    CampaignKind,
    CatalogueKind,
    TargetType,
    TitleScope,
)

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "phong_trao_mau.yaml"
REMOVE = object()  # an override that deletes the key

NOT_A_DATE = '"{value}" is not a date; write dd/mm/yyyy'
REQUIRED = "is required"
LISTED_TWICE = '"{value}" is listed twice'
NOT_ONE_OF = '"{value}" is not one of: {allowed}'
NOT_A_NUMBER = '"{value}" is not a number; write it like 1.234,5'
NOT_A_MAPPING = "must be a set of keys (key: value)"
TARGET_WORDS = "số, phần trăm, có/không, văn bản, number, percent, yes/no, yes_no, text"
PERCENT_RANGE = "a percentage must be from 0 to 100, not {value}"

# The smallest valid campaign; tests override one part at a time.
BASE: dict[str, Any] = {
    "name": "Phong trào thi đua năm 2027",
    "kind": "thường xuyên",
    "period": {"start": "01/01/2027", "end": "31/12/2027"},
    "registration": {"opens": "15/01/2027", "deadline": "25/03/2027"},
    "titles": ["LĐTT", "CSTĐCS"],
}


def campaign_yaml(**overrides: Any) -> str:
    data = {**BASE, **overrides}
    data = {key: value for key, value in data.items() if value is not REMOVE}
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def parse(**overrides: Any) -> CampaignSpec:
    return parse_campaign(campaign_yaml(**overrides))


def problems_in(text: str, base_dir: Path | None = None) -> list[Problem]:
    with pytest.raises(CampaignFileError) as caught:
        parse_campaign(text, base_dir=base_dir)
    assert caught.value.problems, "an error without problems tells the admin nothing"
    return caught.value.problems


def problems(**overrides: Any) -> list[Problem]:
    return problems_in(campaign_yaml(**overrides))


def only_problem(**overrides: Any) -> Problem:
    found = problems(**overrides)
    assert len(found) == 1, found
    return found[0]


def paths(found: list[Problem]) -> list[str]:
    return [problem.path for problem in found]


def target(**fields: Any) -> dict[str, Any]:
    return {"label": "Số sáng kiến", **fields}


# --- the sample file ----------------------------------------------------------------------------


def test_the_sample_file_parses_into_the_expected_campaign() -> None:
    spec = load_campaign_file(EXAMPLE)
    assert spec.name == 'Phong trào thi đua "Đoàn kết, sáng tạo" năm 2027'
    assert spec.slogan == "Đoàn kết, sáng tạo, nâng cao hiệu quả công tác"
    assert spec.kind is CampaignKind.REGULAR
    assert spec.owner_bloc == "Khối các cơ quan Nội chính"
    assert (spec.period_start, spec.period_end) == (date(2027, 1, 1), date(2027, 12, 31))
    assert (spec.registration_opens, spec.registration_deadline) == (
        date(2027, 1, 15),
        date(2027, 3, 25),
    )
    assert spec.late_registration is False
    assert spec.registration_required is True
    assert spec.milestones[1] == MilestoneSpec("Sơ kết 6 tháng", date(2027, 7, 15))
    assert [milestone.due for milestone in spec.milestones] == sorted(
        milestone.due for milestone in spec.milestones
    )
    assert spec.audience is AudienceKind.BLOCS
    assert spec.audience_blocs == ("Khối các cơ quan Nội chính",)
    assert spec.audience_units == ()
    assert spec.titles == ("LĐTT", "CSTĐCS", "TTLĐTT", "TTLĐXS", "CD_XS")
    assert spec.awards == ("Giấy khen", "Bằng khen của Bộ, ban, ngành, tỉnh")
    assert spec.copy_from is None


def test_the_sample_targets_items_and_documents() -> None:
    spec = load_campaign_file(EXAMPLE)
    assert spec.targets[0] == TargetSpec(
        label="Số sáng kiến được công nhận",
        unit="sáng kiến",
        type=TargetType.NUMBER,
        required=True,
        min_value=Decimal(0),
        max_value=Decimal(10),
        max_length=None,
    )
    percent = spec.targets[1]
    assert (percent.type, percent.unit, percent.min_value, percent.max_value) == (
        TargetType.PERCENT,
        "%",
        Decimal(90),
        Decimal(100),
    )
    assert spec.targets[2].max_value == Decimal(1000)  # written 1.000: a thousand, not one
    assert spec.targets[3].type is TargetType.YES_NO
    assert (spec.targets[4].type, spec.targets[4].required, spec.targets[4].max_length) == (
        TargetType.TEXT,
        False,
        500,
    )
    assert spec.new_catalogue_items == (
        CatalogueItemSpec(
            code="CD_XS",
            name="Công đoàn viên xuất sắc",
            kind=CatalogueKind.TITLE,
            scope=TitleScope.INDIVIDUAL,
            requirement="Đạt Lao động tiên tiến và tích cực trong hoạt động công đoàn",
        ),
    )
    assert spec.documents == (DocumentSpec(ROOT / "examples" / "ke_hoach_2027.txt"),)


def test_the_one_line_style_from_the_docs_parses(tmp_path: Path) -> None:
    (tmp_path / "ke_hoach_2027.pdf").write_bytes(b"%PDF-1.4 sample")
    text = """
name: Phong trào thi đua "Đoàn kết, sáng tạo" năm 2027
kind: Theo chuyên đề
period: {start: 01/01/2027, end: 31/12/2027}
registration: {opens: 15/01/2027, deadline: 25/03/2027, late: false, required: true}
milestones:
  - {name: Quý I, due: 31/03/2027}
audience: toàn bộ
titles: [LĐTT, CSTĐCS, TTLĐXS]
new_titles:
  - {code: BK_CD, name: Bằng khen Công đoàn tỉnh, kind: hình thức khen thưởng}
targets:
  - {label: Tỷ lệ hồ sơ đúng hạn, unit: "%", type: phần trăm, min: 0, max: "99,5"}
  - {label: Nội dung khác, type: văn bản, max_length: 1.000, required: false}
documents: [ke_hoach_2027.pdf]
copy_from: Phong trào thi đua năm 2026
"""
    spec = parse_campaign(text, base_dir=tmp_path)
    assert spec.kind is CampaignKind.THEMATIC
    assert spec.audience is AudienceKind.ORGANISATION
    assert spec.owner_bloc is None
    assert spec.targets[0].max_value == Decimal("99.5")
    assert spec.targets[1].max_length == 1000
    assert spec.new_catalogue_items[0].scope is TitleScope.BOTH  # an award's default
    assert spec.documents == (DocumentSpec(tmp_path / "ke_hoach_2027.pdf"),)
    assert spec.copy_from == "Phong trào thi đua năm 2026"


def test_defaults_for_optional_keys() -> None:
    spec = parse()
    assert (spec.slogan, spec.owner_bloc, spec.copy_from) == ("", None, None)
    assert (spec.late_registration, spec.registration_required) == (False, True)
    assert spec.audience is AudienceKind.ORGANISATION
    assert (spec.milestones, spec.awards, spec.targets, spec.documents) == ((), (), (), ())


# --- many mistakes at once ----------------------------------------------------------------------


MANY_MISTAKES = """\
name: Phong trào thi đua năm 2027
kind: thường xuyên
period: {start: 01/01/2027, end: 31/12/2027}
registration: {opens: 15/03/2027, deadline: 01/03/2027}
milestone: []
milestones:
  - {name: Quý I, due: 31/03/2027}
  - {name: Sơ kết 6 tháng, due: 15/07/2027}
  - {name: Tổng kết, due: 31/02/2027}
titles: [LĐTT]
targets:
  - {label: Số sáng kiến, type: số}
  - {label: Số tiền tiết kiệm, type: tiền}
"""


def test_a_file_with_many_mistakes_reports_all_of_them() -> None:
    found = problems_in(MANY_MISTAKES)
    assert paths(found) == [
        "milestone",
        "registration.deadline",
        "milestones[2].due",
        "targets[1].type",
    ]
    assert found[1] == Problem(
        "registration.deadline",
        "the deadline {deadline} is before the opening date {opens}",
        {"deadline": "01/03/2027", "opens": "15/03/2027"},
    )
    assert found[2] == Problem("milestones[2].due", NOT_A_DATE, {"value": "31/02/2027"})
    assert found[3].message == NOT_ONE_OF
    assert found[3].params["value"] == "tiền"
    assert "phần trăm" in found[3].params["allowed"]
    assert found[0].params["suggestion"] == "milestones"


def test_problems_render_with_the_translator_as_path_then_message(catalogs: Catalogs) -> None:
    t = catalogs.get("en")
    lines = [f"{p.path}: {t(p.message, **p.params)}" for p in problems_in(MANY_MISTAKES)]
    assert 'milestones[2].due: "31/02/2027" is not a date; write dd/mm/yyyy' in lines


def test_the_error_text_lists_every_problem_in_english() -> None:
    with pytest.raises(CampaignFileError) as caught:
        parse_campaign(MANY_MISTAKES)
    text = str(caught.value)
    assert text.count("\n") == 3
    assert 'targets[1].type: "tiền" is not one of' in text


# --- the whole file -----------------------------------------------------------------------------


def test_yaml_syntax_error_reports_its_line() -> None:
    text = "name: Phong trào\nkind: thường xuyên\ntitles: [LĐTT, CSTĐCS\nperiod: x\n"
    [problem] = problems_in(text)
    assert problem.path == ""
    assert problem.message == "Invalid YAML at line {line}: {error}"
    assert problem.params["line"] == "4"
    assert "expected ','" in problem.params["error"]


def test_a_tab_in_the_indentation_is_a_syntax_error_with_a_line() -> None:
    [problem] = problems_in("name: A\nperiod:\n\tstart: 01/01/2027\n")
    assert (problem.path, problem.params["line"]) == ("", "3")


@pytest.mark.parametrize("text", ["", "# only a comment\n", "- name: A\n", "just text\n"])
def test_a_file_that_is_not_a_set_of_keys_is_one_problem(text: str) -> None:
    assert problems_in(text) == [
        Problem("", "The file must hold keys such as name:, kind:, period:, one per line", {})
    ]


def test_a_key_written_twice_is_reported_with_its_line() -> None:
    text = campaign_yaml() + "name: Tên khác\n"
    line = str(text.count("\n"))
    assert problems_in(text) == [
        Problem("", 'Line {line}: the key "{key}" is written twice', {"line": line, "key": "name"})
    ]


def test_a_missing_file_cannot_be_read(tmp_path: Path) -> None:
    with pytest.raises(CampaignFileError) as caught:
        load_campaign_file(tmp_path / "khong_co.yaml")
    [problem] = caught.value.problems
    assert (problem.path, problem.message) == ("", "Cannot read {name}: {error}")
    assert problem.params["name"] == "khong_co.yaml"


def test_a_file_not_in_utf8_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "phong_trao.yaml"
    path.write_bytes("name: Phong trào thi đua\n".encode("cp1258"))
    with pytest.raises(CampaignFileError) as caught:
        load_campaign_file(path)
    assert caught.value.problems == [
        Problem("", "{name} is not UTF-8 text; save it as UTF-8", {"name": "phong_trao.yaml"})
    ]


def test_a_utf8_bom_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "phong_trao.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + campaign_yaml().encode())
    assert load_campaign_file(path).name == BASE["name"]


# --- required keys and types --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "path"),
    [
        ({"name": REMOVE}, "name"),
        ({"kind": REMOVE}, "kind"),
        ({"period": {"end": "31/12/2027"}}, "period.start"),
        ({"period": {"start": "01/01/2027"}}, "period.end"),
        ({"registration": {"deadline": "25/03/2027"}}, "registration.opens"),
        ({"registration": {"opens": "15/01/2027"}}, "registration.deadline"),
        ({"name": None}, "name"),
    ],
)
def test_a_required_key_that_is_missing(overrides: dict[str, Any], path: str) -> None:
    assert only_problem(**overrides) == Problem(path, REQUIRED, {})


def test_a_missing_period_reports_both_of_its_dates() -> None:
    assert problems(period=REMOVE) == [
        Problem("period.start", REQUIRED, {}),
        Problem("period.end", REQUIRED, {}),
    ]


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"name": "   "}, Problem("name", "must not be empty", {})),
        ({"name": ["A"]}, Problem("name", "must be text, not {value}", {"value": "[…]"})),
        ({"slogan": True}, Problem("slogan", "must be text, not {value}", {"value": "true"})),
        (
            {"name": "x" * 256},
            Problem("name", "too long: at most {max} characters", {"max": "255"}),
        ),
        ({"period": "2027"}, Problem("period", NOT_A_MAPPING, {})),
        (
            {"milestones": "Quý I"},
            Problem("milestones", "must be a list: [a, b] or one “- item” per line", {}),
        ),
        ({"milestones": ["Quý I"]}, Problem("milestones[0]", NOT_A_MAPPING, {})),
        ({"targets": [None]}, Problem("targets[0]", NOT_A_MAPPING, {})),
        (
            {"kind": "hằng năm"},
            Problem(
                "kind",
                NOT_ONE_OF,
                {"value": "hằng năm", "allowed": "thường xuyên, theo chuyên đề, regular, thematic"},
            ),
        ),
    ],
)
def test_wrong_types_and_values(overrides: dict[str, Any], expected: Problem) -> None:
    assert only_problem(**overrides) == expected


@pytest.mark.parametrize(
    ("word", "kind"),
    [
        ("thường xuyên", CampaignKind.REGULAR),
        ("THUONG XUYEN", CampaignKind.REGULAR),
        ("Regular", CampaignKind.REGULAR),
        ("theo chuyen de", CampaignKind.THEMATIC),
        ("thematic", CampaignKind.THEMATIC),
    ],
)
def test_kind_words_match_ignoring_case_and_diacritics(word: str, kind: CampaignKind) -> None:
    assert parse(kind=word).kind is kind


def test_text_values_have_their_spaces_collapsed() -> None:
    assert parse(name="  Phong trào   năm 2027 ").name == "Phong trào năm 2027"


def test_numbers_typed_as_names_stay_text() -> None:
    """YAML would read `titles: [2027]` as a number; here every value stays as written."""
    spec = parse_campaign(campaign_yaml().replace("- CSTĐCS", "- 007"))
    assert spec.titles == ("LĐTT", "007")


# --- unknown keys --------------------------------------------------------------------------------


def test_an_unknown_top_level_key_suggests_the_close_one_and_lists_all() -> None:
    problem = only_problem(milestone=[])
    assert problem.path == "milestone"
    assert problem.message == 'unknown key "{key}"; did you mean "{suggestion}"? Allowed: {allowed}'
    assert problem.params["key"] == "milestone"
    assert problem.params["suggestion"] == "milestones"
    assert problem.params["allowed"].startswith("name, slogan, kind, owner, period, registration")


def test_an_unknown_key_without_a_close_one_lists_the_allowed_keys() -> None:
    problem = only_problem(period={"start": "01/01/2027", "end": "31/12/2027", "ghi_chu": "x"})
    assert problem == Problem(
        "period.ghi_chu",
        'unknown key "{key}"; allowed: {allowed}',
        {"key": "ghi_chu", "allowed": "start, end"},
    )


def test_unknown_keys_inside_list_items_have_the_item_path() -> None:
    found = problems(targets=[{"lable": "Số sáng kiến"}])
    assert paths(found) == ["targets[0].lable", "targets[0].label"]
    assert found[0].params["suggestion"] == "label"
    assert found[1].message == REQUIRED


def test_an_unquoted_decimal_comma_on_one_line_is_explained() -> None:
    text = campaign_yaml() + "targets:\n  - {label: Số giờ, min: 0, max: 2,5}\n"
    [problem] = problems_in(text)
    assert problem.path == "targets[0].5"
    assert '"2,5"' in problem.message
    assert problem.params == {"key": "5"}


# --- dates ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    ["31/02/2027", "2027/03/31", "31/3/27", "31.03.2027", "ngày 31/03/2027", "", "32/01/2027"],
)
def test_invalid_and_impossible_dates(value: str) -> None:
    assert only_problem(period={"start": value, "end": "31/12/2027"}) == Problem(
        "period.start", NOT_A_DATE, {"value": value}
    )


def test_dates_may_be_yaml_dates_or_short_day_month() -> None:
    text = campaign_yaml(
        period={"start": date(2027, 1, 1), "end": date(2027, 12, 31)},
        registration={"opens": "1/2/2027", "deadline": "2027-03-25"},
    )
    assert "start: 2027-01-01\n" in text  # unquoted: YAML itself makes a date of it
    spec = parse_campaign(text)
    assert (spec.period_start, spec.period_end) == (date(2027, 1, 1), date(2027, 12, 31))
    assert (spec.registration_opens, spec.registration_deadline) == (
        date(2027, 2, 1),
        date(2027, 3, 25),
    )


def test_a_date_with_a_time_is_refused() -> None:
    text = campaign_yaml().replace("start: 01/01/2027", "start: 2027-01-01 08:00:00")
    [problem] = problems_in(text)
    assert (problem.path, problem.message) == ("period.start", NOT_A_DATE)


def test_the_period_must_not_end_before_it_starts() -> None:
    assert only_problem(period={"start": "31/12/2027", "end": "01/01/2027"}) == Problem(
        "period.end",
        "the end {end} is before the start {start}",
        {"end": "01/01/2027", "start": "31/12/2027"},
    )


def test_registration_may_open_and_close_on_the_same_day_before_the_period() -> None:
    spec = parse(registration={"opens": "15/12/2026", "deadline": "15/12/2026"})
    assert spec.registration_opens == spec.registration_deadline == date(2026, 12, 15)


def test_the_deadline_must_not_be_after_the_end_of_the_period() -> None:
    assert only_problem(registration={"opens": "15/01/2027", "deadline": "05/01/2028"}) == Problem(
        "registration.deadline",
        "the deadline {deadline} is after the end of the period {end}",
        {"deadline": "05/01/2028", "end": "31/12/2027"},
    )


# --- booleans ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [(True, True), (False, False), ("có", True), ("Không", False), ("KHONG", False), ("co", True)],
)
def test_booleans_are_yaml_booleans_or_co_khong(value: object, expected: bool) -> None:
    registration = {**BASE["registration"], "late": value, "required": value}
    spec = parse(registration=registration)
    assert (spec.late_registration, spec.registration_required) == (expected, expected)


def test_yaml_yes_and_no_are_booleans_too() -> None:
    text = campaign_yaml().replace("deadline: 25/03/2027", "deadline: 25/03/2027\n  late: yes")
    assert parse_campaign(text).late_registration is True


def test_a_word_that_is_not_yes_or_no() -> None:
    registration = {**BASE["registration"], "late": "có thể"}
    assert only_problem(registration=registration) == Problem(
        "registration.late", '"{value}" is not yes or no; write có or không', {"value": "có thể"}
    )


# --- milestones ----------------------------------------------------------------------------------


def test_a_milestone_outside_the_period() -> None:
    milestones = [{"name": "Quý I", "due": "31/03/2027"}, {"name": "Tổng kết", "due": "15/01/2028"}]
    assert only_problem(milestones=milestones) == Problem(
        "milestones[1].due",
        "{due} is outside the period {start} – {end}",
        {"due": "15/01/2028", "start": "01/01/2027", "end": "31/12/2027"},
    )


def test_milestone_names_are_unique_ignoring_case_and_diacritics() -> None:
    milestones = [
        {"name": "Sơ kết 6 tháng", "due": "15/07/2027"},
        {"name": "so ket 6 thang", "due": "20/07/2027"},
    ]
    assert only_problem(milestones=milestones) == Problem(
        "milestones[1].name", LISTED_TWICE, {"value": "so ket 6 thang"}
    )


def test_a_milestone_needs_a_name_and_a_date() -> None:
    found = problems(milestones=[{}])
    assert found == [
        Problem("milestones[0].name", REQUIRED, {}),
        Problem("milestones[0].due", REQUIRED, {}),
    ]


def test_milestones_are_not_checked_against_an_impossible_period() -> None:
    found = problems(
        period={"start": "31/12/2027", "end": "01/01/2027"},
        milestones=[{"name": "Quý I", "due": "31/03/2027"}],
    )
    assert paths(found) == ["period.end"]


# --- titles and awards ---------------------------------------------------------------------------


@pytest.mark.parametrize("titles", [[], REMOVE, None])
def test_at_least_one_title(titles: object) -> None:
    assert only_problem(titles=titles) == Problem(
        "titles", "list at least one title (or copy them with copy_from)", {}
    )


def test_titles_may_be_left_to_copy_from_last_year() -> None:
    spec = parse(titles=REMOVE, copy_from="Phong trào thi đua năm 2026")
    assert (spec.titles, spec.copy_from) == ((), "Phong trào thi đua năm 2026")


def test_titles_are_not_duplicated_ignoring_case_and_diacritics() -> None:
    assert only_problem(titles=["LĐTT", "CSTĐCS", "ldtt"]) == Problem(
        "titles[2]", LISTED_TWICE, {"value": "ldtt"}
    )


def test_titles_and_awards_must_be_non_empty_text() -> None:
    found = problems(titles=["LĐTT", "", None], awards=[{"name": "Giấy khen"}])
    assert found == [
        Problem("titles[1]", "must not be empty", {}),
        Problem("titles[2]", REQUIRED, {}),
        Problem("awards[0]", "must be text, not {value}", {"value": "{…}"}),
    ]


def test_titles_keep_vietnamese_names_and_codes_as_typed() -> None:
    spec = parse(titles=["LĐTT", "Chiến sĩ thi đua cơ sở"], awards=["Giấy khen"])
    assert spec.titles == ("LĐTT", "Chiến sĩ thi đua cơ sở")
    assert spec.awards == ("Giấy khen",)


# --- audience ------------------------------------------------------------------------------------


@pytest.mark.parametrize("word", ["toàn bộ", "TOAN BO", "all", "organisation"])
def test_the_whole_organisation(word: str) -> None:
    spec = parse(audience=word)
    assert (spec.audience, spec.audience_blocs, spec.audience_units) == (
        AudienceKind.ORGANISATION,
        (),
        (),
    )


def test_an_audience_of_blocs_or_of_units() -> None:
    blocs = parse(audience={"blocs": ["Khối Nội chính", "Cụm thi đua số 1"]})
    assert (blocs.audience, blocs.audience_blocs) == (
        AudienceKind.BLOCS,
        ("Khối Nội chính", "Cụm thi đua số 1"),
    )
    units = parse(audience={"units": ["Sở Tư pháp"]})
    assert (units.audience, units.audience_units, units.audience_blocs) == (
        AudienceKind.UNITS,
        ("Sở Tư pháp",),
        (),
    )


@pytest.mark.parametrize(
    ("audience", "expected"),
    [
        (
            {"blocs": ["A"], "units": ["B"]},
            Problem(
                "audience", "write either blocs: [...] or units: [...], exactly one of them", {}
            ),
        ),
        ({"blocs": []}, Problem("audience.blocs", "list at least one name", {})),
        (
            {"units": "Sở Tư pháp"},
            Problem("audience.units", "must be a list: [a, b] or one “- item” per line", {}),
        ),
        (
            {"units": ["Sở Tư pháp", "sở tư pháp"]},
            Problem("audience.units[1]", LISTED_TWICE, {"value": "sở tư pháp"}),
        ),
        (
            "một số đơn vị",
            Problem(
                "audience",
                '"{value}" is not an audience; write {allowed}, or blocs: [...] or units: [...]',
                {"value": "một số đơn vị", "allowed": "toàn bộ, all, organisation"},
            ),
        ),
    ],
)
def test_audience_mistakes(audience: object, expected: Problem) -> None:
    assert only_problem(audience=audience) == expected


# --- targets -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("word", "kind"),
    [
        ("số", TargetType.NUMBER),
        ("number", TargetType.NUMBER),
        ("Phần trăm", TargetType.PERCENT),
        ("percent", TargetType.PERCENT),
        ("có/không", TargetType.YES_NO),
        ("co/khong", TargetType.YES_NO),
        ("yes/no", TargetType.YES_NO),
        ("yes_no", TargetType.YES_NO),
        ("văn bản", TargetType.TEXT),
        ("TEXT", TargetType.TEXT),
    ],
)
def test_target_type_words(word: str, kind: TargetType) -> None:
    assert parse(targets=[target(type=word)]).targets[0].type is kind


def test_target_defaults() -> None:
    number, percent, text = parse(
        targets=[
            target(),
            {"label": "Tỷ lệ", "type": "phần trăm"},
            {"label": "Khác", "type": "văn bản"},
        ]
    ).targets
    assert (number.type, number.required, number.unit, number.min_value, number.max_value) == (
        TargetType.NUMBER,
        True,
        "",
        None,
        None,
    )
    assert (percent.unit, percent.min_value, percent.max_value) == ("%", Decimal(0), Decimal(100))
    assert (text.max_length, text.min_value) == (500, None)


def test_target_bounds_accept_vietnamese_numbers() -> None:
    spec = parse(
        targets=[
            target(min="1.000", max="2.500,5"),
            {"label": "Tỷ lệ", "type": "percent", "min": "85%"},
        ]
    )
    assert (spec.targets[0].min_value, spec.targets[0].max_value) == (
        Decimal(1000),
        Decimal("2500.5"),
    )
    assert spec.targets[1].min_value == Decimal(85)


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"label": None}, Problem("targets[0].label", REQUIRED, {})),
        (
            {"type": "tiền"},
            Problem(
                "targets[0].type",
                NOT_ONE_OF,
                {
                    "value": "tiền",
                    "allowed": TARGET_WORDS,
                },
            ),
        ),
        ({"min": "abc"}, Problem("targets[0].min", NOT_A_NUMBER, {"value": "abc"})),
        ({"max": "2.5"}, Problem("targets[0].max", NOT_A_NUMBER, {"value": "2.5"})),
        (
            {"min": 10, "max": 5},
            Problem(
                "targets[0].max", "min {min} is greater than max {max}", {"min": "10", "max": "5"}
            ),
        ),
        (
            {"type": "phần trăm", "min": -1},
            Problem("targets[0].min", PERCENT_RANGE, {"value": "-1"}),
        ),
        (
            {"type": "phần trăm", "max": "120%"},
            Problem("targets[0].max", PERCENT_RANGE, {"value": "120"}),
        ),
        (
            {"type": "có/không", "max": 1},
            Problem("targets[0].max", "only number and percent targets have min and max", {}),
        ),
        (
            {"type": "văn bản", "min": 0},
            Problem("targets[0].min", "only number and percent targets have min and max", {}),
        ),
        (
            {"type": "số", "max_length": 100},
            Problem("targets[0].max_length", "only text targets have max_length", {}),
        ),
        (
            {"type": "văn bản", "max_length": 0},
            Problem(
                "targets[0].max_length",
                "must be a whole number from 1 to {max}, not {value}",
                {"max": "2000", "value": "0"},
            ),
        ),
        (
            {"type": "văn bản", "max_length": 2001},
            Problem(
                "targets[0].max_length",
                "must be a whole number from 1 to {max}, not {value}",
                {"max": "2000", "value": "2.001"},
            ),
        ),
        (
            {"type": "văn bản", "max_length": "2,5"},
            Problem(
                "targets[0].max_length",
                "must be a whole number from 1 to {max}, not {value}",
                {"max": "2000", "value": "2,5"},
            ),
        ),
        (
            {"required": "tùy"},
            Problem(
                "targets[0].required",
                '"{value}" is not yes or no; write có or không',
                {"value": "tùy"},
            ),
        ),
        (
            {"unit": "x" * 65},
            Problem("targets[0].unit", "too long: at most {max} characters", {"max": "64"}),
        ),
    ],
)
def test_target_rules(fields: dict[str, Any], expected: Problem) -> None:
    assert only_problem(targets=[target(**fields)]) == expected


def test_a_percentage_with_only_a_floor_keeps_the_ceiling_of_100() -> None:
    percent = parse(targets=[target(type="phần trăm", min="95")]).targets[0]
    assert (percent.min_value, percent.max_value) == (Decimal(95), Decimal(100))


def test_target_labels_are_unique() -> None:
    assert only_problem(targets=[target(), target(label="SỐ SÁNG KIẾN")]) == Problem(
        "targets[1].label", LISTED_TWICE, {"value": "SỐ SÁNG KIẾN"}
    )


def test_a_text_target_accepts_the_longest_answer_allowed() -> None:
    spec = parse(targets=[target(type="văn bản", max_length=2000)])
    assert spec.targets[0].max_length == 2000


# --- new catalogue items --------------------------------------------------------------------------


def item(**fields: Any) -> dict[str, Any]:
    return {
        "code": "CD_XS",
        "name": "Công đoàn viên xuất sắc",
        "kind": "danh hiệu",
        "scope": "cá nhân",
        **fields,
    }


@pytest.mark.parametrize("code", ["CĐ_XS", "A", "X" * 33, "CD-XS", "CD XS"])
def test_codes_must_be_short_ascii(code: str) -> None:
    problem = only_problem(new_titles=[item(code=code)])
    assert problem.path == "new_titles[0].code"
    assert problem.message.startswith('"{value}" is not a code')
    assert problem.params == {"value": code}


def test_codes_are_unique_ignoring_case() -> None:
    assert only_problem(new_titles=[item(), item(code="cd_xs", name="Khác")]) == Problem(
        "new_titles[1].code", LISTED_TWICE, {"value": "cd_xs"}
    )


def test_a_title_needs_a_scope_an_award_defaults_to_both() -> None:
    assert only_problem(new_titles=[item(scope=None)]) == Problem(
        "new_titles[0].scope", REQUIRED, {}
    )
    spec = parse(new_titles=[{"code": "GK_CD", "name": "Giấy khen Công đoàn", "kind": "award"}])
    assert spec.new_catalogue_items[0] == CatalogueItemSpec(
        "GK_CD", "Giấy khen Công đoàn", CatalogueKind.AWARD, TitleScope.BOTH, ""
    )


@pytest.mark.parametrize(
    ("words", "kind", "scope"),
    [
        (("danh hieu", "tap the"), CatalogueKind.TITLE, TitleScope.COLLECTIVE),
        (("title", "individual"), CatalogueKind.TITLE, TitleScope.INDIVIDUAL),
        (("Hình thức khen thưởng", "cả hai"), CatalogueKind.AWARD, TitleScope.BOTH),
        (("award", "collective"), CatalogueKind.AWARD, TitleScope.COLLECTIVE),
    ],
)
def test_catalogue_words(words: tuple[str, str], kind: CatalogueKind, scope: TitleScope) -> None:
    found = parse(new_titles=[item(kind=words[0], scope=words[1])]).new_catalogue_items[0]
    assert (found.kind, found.scope) == (kind, scope)


def test_an_item_reports_all_its_mistakes() -> None:
    found = problems(new_titles=[{"code": "CĐ", "kind": "giải", "scope": "hai"}])
    assert paths(found) == [
        "new_titles[0].code",
        "new_titles[0].name",
        "new_titles[0].kind",
        "new_titles[0].scope",
    ]


# --- documents -----------------------------------------------------------------------------------


def test_documents_are_found_next_to_the_campaign_file(tmp_path: Path) -> None:
    (tmp_path / "tai_lieu").mkdir()
    (tmp_path / "tai_lieu" / "ke_hoach.pdf").write_bytes(b"%PDF")
    path = tmp_path / "phong_trao.yaml"
    path.write_text(campaign_yaml(documents=["tai_lieu/ke_hoach.pdf"]), encoding="utf-8")
    spec = load_campaign_file(path)
    assert spec.documents == (DocumentSpec(tmp_path / "tai_lieu" / "ke_hoach.pdf"),)


def test_a_missing_a_repeated_and_a_too_big_document(tmp_path: Path) -> None:
    (tmp_path / "ke_hoach.pdf").write_bytes(b"%PDF")
    with (tmp_path / "phim.mp4").open("wb") as big:
        big.truncate(MAX_DOCUMENT_BYTES + 1)  # sparse: no 20 MB written
    text = campaign_yaml(documents=["ke_hoach.pdf", "khong_co.pdf", "./ke_hoach.pdf", "phim.mp4"])
    assert problems_in(text, base_dir=tmp_path) == [
        Problem("documents[1]", 'cannot find the file "{value}"', {"value": "khong_co.pdf"}),
        Problem("documents[2]", LISTED_TWICE, {"value": "./ke_hoach.pdf"}),
        Problem(
            "documents[3]",
            '"{value}" is {size} MB; a document may be at most {max} MB',
            {"value": "phim.mp4", "size": "21", "max": "20"},
        ),
    ]


def test_a_document_of_exactly_twenty_megabytes_is_accepted(tmp_path: Path) -> None:
    with (tmp_path / "ke_hoach.pdf").open("wb") as plan:
        plan.truncate(MAX_DOCUMENT_BYTES)
    spec = parse_campaign(campaign_yaml(documents=["ke_hoach.pdf"]), base_dir=tmp_path)
    assert len(spec.documents) == 1


def test_a_folder_is_not_a_document(tmp_path: Path) -> None:
    (tmp_path / "tai_lieu").mkdir()
    [problem] = problems_in(campaign_yaml(documents=["tai_lieu"]), base_dir=tmp_path)
    assert (problem.path, problem.message) == ("documents[0]", 'cannot find the file "{value}"')


# --- Vietnamese numbers --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0", "0"),
        ("10", "10"),
        ("1000", "1000"),
        ("1.000", "1000"),
        ("12.345.678", "12345678"),
        ("2,5", "2.5"),
        ("0,75", "0.75"),
        ("1.234,5", "1234.5"),
        ("1234,5", "1234.5"),
        ("85%", "85"),
        ("85 %", "85"),
        ("99,5%", "99.5"),
        ("-3", "-3"),
        ("-1.500,25", "-1500.25"),
        ("  42  ", "42"),
    ],
)
def test_parse_vn_number(text: str, expected: str) -> None:
    assert parse_vn_number(text) == Decimal(expected)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "abc",
        "1.2.3,4,5",
        "1,000.5",  # English style: refused rather than guessed
        "2.5",  # a dot must group three digits
        "1.00",
        "1.2345",
        "1000.000",
        "1 000",
        "1,2,3",
        ",5",
        "5,",
        "+5",
        "1e3",
        "NaN",
        "Infinity",
        "%",
        "85%%",
        "--1",
        "١٢",  # Arabic-Indic digits are digits to Python, not to an admin
    ],
)
def test_parse_vn_number_rejects(text: str) -> None:
    with pytest.raises(ValueError, match="not a Vietnamese number"):
        parse_vn_number(text)


# --- reminders ------------------------------------------------------------------------------------


def test_reminder_rules_default_and_from_the_file() -> None:
    from datetime import time

    assert parse().reminder_rules.days_before == (7, 3, 1, 0)
    spec = parse(reminders={"days_before": "10, 5, 0", "at": "07:30", "snooze": "không"})
    rules = spec.reminder_rules
    assert rules.days_before == (10, 5, 0) and rules.at == time(7, 30)
    assert not rules.snoozable and rules.escalate
    unquoted = campaign_yaml() + "reminders:\n  at: 8:30\n  days_before: 3\n"
    rules = parse_campaign(unquoted).reminder_rules  # YAML 1.1 would read 8:30 as 510
    assert rules.at == time(8, 30) and rules.days_before == (3,)
    assert parse(reminders={"days_before": [3, 1]}).reminder_rules.days_before == (3, 1)


def test_bad_reminder_rules_name_the_key() -> None:
    found = problems(reminders={"days_before": "7, x", "at": "25:00", "escalate": "đôi khi"})
    assert sorted(paths(found)) == [
        "reminders.at",
        "reminders.days_before",
        "reminders.escalate",
    ]
    assert paths(problems(reminders={"every": 3})) == ["reminders.every"]


def test_the_weekly_digest_rule() -> None:
    assert parse().digest_rule == "mon 08:00"
    assert parse(reminders={"digest": "thứ 6 16:30"}).digest_rule == "thứ 6 16:30"
    assert parse(reminders={"digest": "không"}).digest_rule == "không"
    assert paths(problems(reminders={"digest": "sometimes"})) == ["reminders.digest"]
