"""Eligibility warnings from the rule rows, and quota figures for officers before approving."""

from datetime import date
from decimal import Decimal

from sqlmodel import select

from bot import pledges
from bot.eligibility import PledgeWarning, check_eligibility
from bot.quotas import quota_figures, quota_warnings
from storage import campaigns as campaign_store
from storage import pledges as store
from storage.campaign_models import CampaignOption
from storage.database import Database
from storage.models import Member
from storage.pledge_models import (
    EligibilityCheck,
    EligibilityRule,
    PledgeStatus,
    QuotaRule,
    TitleSource,
)
from storage.pledge_rules import DEFAULT_ELIGIBILITY_RULES, ensure_default_rules
from tests.support.org_seed import MTTQ, THANH_TRA, TU_PHAP
from tests.support.pledge_seed import (
    OPEN_DAY,
    codes,
    collective,
    individual,
    member_id,
    seed_launched,
    unit_id,
)

NAMES = {
    "LDTT": "Lao động tiên tiến",
    "CSTDCS": "Chiến sĩ thi đua cơ sở",
    "CSTD_TINH": "Chiến sĩ thi đua cấp Bộ, ban, ngành, tỉnh",
    "CSTD_TQ": "Chiến sĩ thi đua toàn quốc",
}
PERIOD_START = date(2027, 1, 1)


def _check(
    title: str,
    history: dict[int, set[str]] | None = None,
    joined_on: date | None = None,
    rules: tuple[EligibilityRule, ...] = DEFAULT_ELIGIBILITY_RULES,
) -> list[PledgeWarning]:
    return check_eligibility(
        title,
        rules=rules,
        year=2027,
        history=history or {},
        joined_on=joined_on,
        period_start=PERIOD_START,
        names=NAMES,
    )


# --- the rules, without a database ---------------------------------------------------------------


def test_provincial_title_with_three_consecutive_years_only_asks_for_evidence() -> None:
    history = {2024: {"CSTDCS", "LDTT"}, 2025: {"CSTDCS"}, 2026: {"CSTDCS"}}
    warnings = _check("CSTD_TINH", history)
    assert [w.code for w in warnings] == ["CSTD_TINH_EVIDENCE"]
    assert "sáng kiến" in warnings[0].params["criteria"]


def test_provincial_title_with_a_gap_names_the_missing_year() -> None:
    history = {2022: {"CSTDCS"}, 2023: {"CSTDCS"}, 2024: {"CSTDCS"}, 2026: {"CSTDCS"}}
    warnings = _check("CSTD_TINH", history)
    assert [w.code for w in warnings] == ["CSTD_TINH_3_YEARS", "CSTD_TINH_EVIDENCE"]
    assert warnings[0].params == {
        "title": NAMES["CSTD_TINH"],
        "required": NAMES["CSTDCS"],
        "count": "3",
        "years": "2025",
    }
    assert warnings[0].message.format(**warnings[0].params).endswith("in 2025.")


def test_provincial_title_without_history_misses_all_three_years() -> None:
    warnings = _check("CSTD_TINH", {2027: {"CSTDCS"}})  # the pledge year itself does not count
    assert warnings[0].params["years"] == "2024, 2025, 2026"


def test_national_title_needs_the_provincial_one_twice() -> None:
    assert _check("CSTD_TQ", {2020: {"CSTD_TINH"}, 2023: {"CSTD_TINH"}}) == []
    warnings = _check("CSTD_TQ", {2023: {"CSTD_TINH"}, 2027: {"CSTD_TINH"}})
    assert [w.code for w in warnings] == ["CSTD_TQ_2_TIMES"]
    assert (warnings[0].params["count"], warnings[0].params["found"]) == ("2", "1")


def test_joined_less_than_six_months_before_the_period_warns_for_ldtt() -> None:
    warnings = _check("LDTT", joined_on=date(2026, 10, 1))
    assert [w.code for w in warnings] == ["LDTT_6_MONTHS"]
    assert warnings[0].params == {
        "joined": "01/10/2026",
        "months": "6",
        "start": "01/01/2027",
        "title": NAMES["LDTT"],
    }
    assert _check("LDTT", joined_on=date(2026, 7, 1)) == []  # exactly six months
    assert _check("LDTT", joined_on=None) == []  # an unknown date is not guessed


def test_cstdcs_always_asks_the_officer_to_check_evidence() -> None:
    warnings = _check("CSTDCS", joined_on=date(2026, 12, 1))
    assert [w.code for w in warnings] == ["CSTDCS_6_MONTHS", "CSTDCS_EVIDENCE"]
    assert "hoàn thành xuất sắc nhiệm vụ" in warnings[1].params["criteria"]


def test_rules_are_data_an_organisation_changes() -> None:
    two_years = EligibilityRule(
        code="CSTD_TINH_2",
        title_code="CSTD_TINH",
        kind=EligibilityCheck.PREVIOUS_TITLE,
        required_code="CSTDCS",
        count=2,
    )
    switched_off = EligibilityRule(
        code="X", title_code="CSTD_TINH", kind=EligibilityCheck.EVIDENCE, note="x", active=False
    )
    history = {2025: {"CSTDCS"}, 2026: {"CSTDCS"}}
    assert _check("CSTD_TINH", history, rules=(two_years, switched_off)) == []
    assert _check("GDVH") == []  # a title without rules


def test_a_warning_survives_json() -> None:
    warning = _check("LDTT", joined_on=date(2026, 12, 1))[0]
    assert PledgeWarning.from_json(warning.as_json()) == warning


# --- stored with the pledge -------------------------------------------------------------------


async def _set_joined(database: Database, member: int, joined: date) -> None:
    async with database.session() as session:
        row = await session.get(Member, member)
        assert row is not None
        row.joined_on = joined


async def test_warnings_are_stored_when_the_pledge_is_submitted(database: Database) -> None:
    campaign_id = await seed_launched(database)
    mai = await member_id(database, "Lê Thị Mai")
    await _set_joined(database, mai, date(2026, 11, 15))
    values = await individual(database, campaign_id, mai)
    async with database.session() as session:
        draft = await pledges.save_draft(values, actor=503, today=OPEN_DAY, session=session)
        assert draft.pledge.warnings == []
        assert draft.pledge.id is not None
        done = await pledges.submit(draft.pledge.id, actor=503, today=OPEN_DAY, session=session)
    assert done.pledge.status is PledgeStatus.PENDING  # a warning never blocks
    assert [w["code"] for w in done.pledge.warnings] == ["LDTT_6_MONTHS"]
    assert done.pledge.warnings[0]["params"]["joined"] == "15/11/2026"


async def test_a_switched_off_rule_gives_no_warning(database: Database) -> None:
    campaign_id = await seed_launched(database)
    mai = await member_id(database, "Lê Thị Mai")
    await _set_joined(database, mai, date(2026, 11, 15))
    async with database.session() as session:
        rule = (
            await session.execute(
                select(EligibilityRule).where(EligibilityRule.code == "LDTT_6_MONTHS")
            )
        ).scalar_one()
        rule.active = False
    values = await individual(database, campaign_id, mai)
    async with database.session() as session:
        done = await pledges.confirm(values, actor=503, today=OPEN_DAY, session=session)
    assert done.pledge.warnings == []


async def test_provincial_title_reads_the_title_history(database: Database) -> None:
    campaign_id = await seed_launched(database)
    mai = await member_id(database, "Lê Thị Mai")
    async with database.session() as session:
        items = await codes(session=session)
        await campaign_store.add(
            [CampaignOption(campaign_id=campaign_id, item_id=items["CSTD_TINH"])], session=session
        )
        for year in (2024, 2026):
            assert await store.add_title(mai, year, "CSTDCS", TitleSource.IMPORT, session=session)
        assert not await store.add_title(mai, 2026, "CSTDCS", TitleSource.BOT, session=session)
    values = await individual(database, campaign_id, mai, title="CSTD_TINH")
    async with database.session() as session:
        done = await pledges.confirm(values, actor=503, today=OPEN_DAY, session=session)
    first = done.pledge.warnings[0]
    assert (first["code"], first["params"]["years"]) == ("CSTD_TINH_3_YEARS", "2025")


async def test_default_rules_are_seeded_once_and_edits_are_kept(database: Database) -> None:
    await seed_launched(database)  # seeds the rules
    async with database.session() as session:
        rule = (
            await session.execute(select(QuotaRule).where(QuotaRule.code == "CSTDCS_15"))
        ).scalar_one()
        rule.max_share = Decimal("0.25")
    async with database.session() as session:
        assert await ensure_default_rules(session=session) == 0
        rules = (await session.execute(select(QuotaRule))).scalars().all()
    assert {r.code: r.max_share for r in rules} == {
        "CSTDCS_15": Decimal("0.25"),
        "TTLDXS_20": Decimal("0.20"),
    }


# --- quotas ------------------------------------------------------------------------------------


async def _pledge_many(database: Database, campaign_id: int, unit: int, titles: list[str]) -> None:
    async with database.session() as session:
        for index, title in enumerate(titles):
            member = Member(
                full_name=f"Người số {index}", name_key=f"nguoi so {index}", unit_id=unit
            )
            session.add(member)
            await session.flush()
            assert member.id is not None
            values = await individual(database, campaign_id, member.id, title=title)
            await pledges.confirm(values, actor=None, today=OPEN_DAY, session=session)


async def test_cstdcs_over_fifteen_percent_of_ldtt_warns(database: Database) -> None:
    campaign_id = await seed_launched(database)
    tu_phap = await unit_id(database, TU_PHAP)
    await _pledge_many(database, campaign_id, tu_phap, ["LDTT"] * 8 + ["CSTDCS"] * 2)
    async with database.session() as session:
        figures = await quota_figures(campaign_id, tu_phap, session=session)
        warnings = await quota_warnings(campaign_id, tu_phap, session=session)
        elsewhere = await quota_warnings(
            campaign_id, await unit_id(database, THANH_TRA), session=session
        )

    cstdcs = next(f for f in figures if f.rule.code == "CSTDCS_15")
    assert (cstdcs.numerator, cstdcs.denominator, cstdcs.share) == (2, 10, Decimal("0.2"))
    assert cstdcs.exceeded
    assert [w.code for w in warnings] == ["quota:CSTDCS_15"]
    text = warnings[0].message.format(**warnings[0].params)
    assert text == "Chiến sĩ thi đua cơ sở 2/10 Lao động tiên tiến = 20% > 15%"
    assert elsewhere == []  # a unit rule counts only the unit's own registrations


async def test_within_the_quota_there_is_no_warning(database: Database) -> None:
    campaign_id = await seed_launched(database)
    tu_phap = await unit_id(database, TU_PHAP)
    await _pledge_many(database, campaign_id, tu_phap, ["LDTT"] * 9 + ["CSTDCS"])
    async with database.session() as session:
        figures = await quota_figures(campaign_id, tu_phap, session=session)
        warnings = await quota_warnings(campaign_id, tu_phap, session=session)
    assert [(f.rule.code, f.numerator, f.denominator) for f in figures] == [
        ("CSTDCS_15", 1, 10),
        ("TTLDXS_20", 0, 0),
    ]
    assert warnings == []


async def test_organisation_quota_counts_collective_pledges_of_every_unit(
    database: Database,
) -> None:
    campaign_id = await seed_launched(database)
    units = [await unit_id(database, name) for name in (TU_PHAP, THANH_TRA, MTTQ)]
    async with database.session() as session:
        for unit, title in zip(units, ("TTLDXS", "TTLDTT", "TTLDTT"), strict=True):
            values = await collective(database, campaign_id, unit, title=title)
            await pledges.confirm(values, actor=None, today=OPEN_DAY, session=session)
        warnings = await quota_warnings(campaign_id, units[1], session=session)
        rule = (
            await session.execute(select(QuotaRule).where(QuotaRule.code == "TTLDXS_20"))
        ).scalar_one()
        rule.max_share = Decimal("0.40")
        relaxed = await quota_warnings(campaign_id, units[1], session=session)
    assert warnings[0].params["count"] == "1" and warnings[0].params["total"] == "3"
    assert warnings[0].params["share"] == "33,3%"
    assert relaxed == []
