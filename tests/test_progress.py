"""Progress reports: sending and editing (evidence kept), skips, decreases, refusals, lateness and
windows, the officer's decision, one report per milestone and pledge under concurrent taps,
progress against the plan for a member and a unit, and the campaign file's grace days."""

import asyncio
from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import select

from bot import pledges, progress, report_windows, reports
from bot.campaign_builder import create_campaign
from bot.campaign_file import CampaignFileError, load_campaign_file, parse_campaign
from bot.errors import UserFacingError
from bot.pledge_values import TargetValue
from storage import campaigns as campaign_store
from storage import progress as store
from storage.campaign_models import (
    AudienceKind,
    Campaign,
    CampaignKind,
    CampaignMilestone,
    CampaignStatus,
    TargetType,
)
from storage.database import Database
from storage.progress_models import (
    EvidenceKind,
    ProgressReport,
    ReportAction,
    ReportStatus,
)
from tests.support.org_seed import seed_org
from tests.support.pledge_seed import OPEN_DAY, individual, member_id
from tests.support.progress_seed import (
    BINH,
    INITIATIVES,
    MAI,
    MAI_TG,
    OFFICER,
    ON_TIME,
    TRAINING,
    Reporting,
    number,
    seed_reporting,
    yes_no,
)

ROOT = Path(__file__).resolve().parent.parent
Q1_DAY = date(2027, 3, 20)  # inside Quý I's window (01/01 – due 31/03)
MID_YEAR = date(2027, 7, 10)  # inside Sơ kết 6 tháng's window (01/04 – due 15/07)
PHOTO = reports.EvidenceInput("AgAD-photo-1", "uniq-photo-1", EvidenceKind.PHOTO, caption="Ảnh")
DOC = reports.EvidenceInput(
    "BQAD-doc-1",
    "uniq-doc-1",
    EvidenceKind.DOCUMENT,
    mime_type="application/pdf",
    file_name="bien_ban.pdf",
    file_size=48_213,
)


def full_values(seed: Reporting, initiatives: str = "3") -> dict[int, TargetValue | None]:
    return {
        seed.targets[INITIATIVES]: number(INITIATIVES, initiatives),
        seed.targets[ON_TIME]: number(ON_TIME, "60", TargetType.PERCENT),
        seed.targets[TRAINING]: yes_no(TRAINING, True),
    }


async def send(
    database: Database,
    seed: Reporting,
    values: Mapping[int, TargetValue | None],
    *,
    today: date = Q1_DAY,
    milestone: int = 0,
    evidence: tuple[reports.EvidenceInput, ...] = (),
    note: str = "",
    pledge_id: int | None = None,
) -> reports.ReportTransition:
    async with database.session() as session:
        return await reports.submit_report(
            pledge_id or seed.mai_pledge,
            seed.milestones[milestone],
            values,
            note=note,
            evidence=evidence,
            actor=MAI_TG,
            today=today,
            session=session,
        )


async def milestone_row(database: Database, milestone_id: int) -> CampaignMilestone:
    async with database.session() as session:
        found = await session.get(CampaignMilestone, milestone_id)
    assert found is not None
    return found


# --- sending and editing -------------------------------------------------------------------------


async def test_a_report_of_three_targets_with_evidence(database: Database) -> None:
    seed = await seed_reporting(database)

    sent = await send(database, seed, full_values(seed), evidence=(PHOTO,), note="Quý I ổn")

    assert sent.changed and sent.evidence_added == 1
    report = sent.report
    assert report.id is not None and report.status is ReportStatus.SUBMITTED
    assert not report.late and report.entered_by == MAI_TG and report.note == "Quý I ổn"
    async with database.session() as session:
        values = {v.pledge_target_id: v for v in await store.values_of(report.id, session=session)}
        evidence = await store.evidence_of(report.id, session=session)
        events = await store.events_of(report.id, session=session)
    assert values[seed.targets[INITIATIVES]].achieved_number == Decimal(3)
    assert values[seed.targets[ON_TIME]].achieved_number == Decimal(60)
    assert values[seed.targets[TRAINING]].achieved_yes_no is True
    assert [(e.file_id, e.position, e.sender, e.caption) for e in evidence] == [
        ("AgAD-photo-1", 1, MAI_TG, "Ảnh")
    ]
    assert [(e.action, e.from_status, e.to_status, e.actor) for e in events] == [
        (ReportAction.SUBMITTED, None, ReportStatus.SUBMITTED, MAI_TG)
    ]


async def test_editing_the_next_day_keeps_the_evidence_and_appends_new(
    database: Database,
) -> None:
    seed = await seed_reporting(database)
    first = await send(database, seed, full_values(seed), evidence=(PHOTO,))
    async with database.session() as session:
        assert first.report.id is not None
        await reports.approve_report(first.report.id, actor=OFFICER, session=session)

    edited = await send(
        database,
        seed,
        full_values(seed, initiatives="4"),
        today=date(2027, 3, 21),
        evidence=(PHOTO, DOC),  # the photo again (same file_unique_id) and a new document
    )

    assert edited.changed and edited.evidence_added == 1
    assert edited.report.id == first.report.id
    assert edited.report.status is ReportStatus.SUBMITTED and edited.report.decided_at is None
    async with database.session() as session:
        report_id = first.report.id
        evidence = await store.evidence_of(report_id, session=session)
        values = await store.values_of(report_id, session=session)
        events = await store.events_of(report_id, session=session)
        count = (
            await session.execute(select(func.count()).select_from(ProgressReport))
        ).scalar_one()
    assert [(e.kind, e.position) for e in evidence] == [
        (EvidenceKind.PHOTO, 1),
        (EvidenceKind.DOCUMENT, 2),
    ]
    assert evidence[1].file_name == "bien_ban.pdf" and evidence[1].file_size == 48_213
    by_target = {v.pledge_target_id: v.achieved_number for v in values}
    assert by_target[seed.targets[INITIATIVES]] == Decimal(4)
    assert count == 1
    assert [(e.action, e.from_status) for e in events] == [
        (ReportAction.SUBMITTED, None),
        (ReportAction.APPROVED, ReportStatus.SUBMITTED),
        (ReportAction.EDITED, ReportStatus.APPROVED),
    ]


async def test_the_same_report_again_changes_nothing(database: Database) -> None:
    seed = await seed_reporting(database)
    await send(database, seed, full_values(seed), evidence=(PHOTO,), note="x")

    again = await send(database, seed, full_values(seed), evidence=(PHOTO,), note="x")

    assert not again.changed and again.evidence_added == 0
    assert again.note == "This report was already sent with the same content; nothing changed."
    async with database.session() as session:
        assert again.report.id is not None
        assert len(await store.events_of(again.report.id, session=session)) == 1


async def test_concurrent_sends_make_one_report(database: Database) -> None:
    """A double tap or two devices, each in its own unit of work: one report, one event."""
    seed = await seed_reporting(database)

    results = await asyncio.gather(
        send(database, seed, full_values(seed), evidence=(PHOTO,)),
        send(database, seed, full_values(seed), evidence=(PHOTO,)),
    )

    assert sorted(result.changed for result in results) == [False, True]
    assert results[0].report.id == results[1].report.id
    async with database.session() as session:
        reports = (await session.execute(select(ProgressReport))).scalars().all()
        assert len(reports) == 1 and reports[0].id is not None
        assert len(await store.evidence_of(reports[0].id, session=session)) == 1
        assert len(await store.events_of(reports[0].id, session=session)) == 1


# --- skips and decreases -------------------------------------------------------------------------


async def test_a_skipped_target_keeps_its_last_value(database: Database) -> None:
    seed = await seed_reporting(database)
    await send(database, seed, full_values(seed))
    values = full_values(seed, initiatives="5")
    values[seed.targets[ON_TIME]] = None  # "Bỏ qua"

    sent = await send(database, seed, values, today=MID_YEAR, milestone=1)

    assert sent.changed
    mid_year = await milestone_row(database, seed.milestones[1])
    async with database.session() as session:
        assert sent.report.id is not None
        stored = await store.values_of(sent.report.id, session=session)
        previous = await reports.previous_values(seed.mai_pledge, mid_year, session=session)
        rows = await progress.member_progress(seed.mai_pledge, MID_YEAR, session=session)
    assert seed.targets[ON_TIME] not in {v.pledge_target_id for v in stored}
    last = {p.target.label: p.last.number if p.last else None for p in previous}
    assert last == {INITIATIVES: Decimal(5), ON_TIME: Decimal(60), TRAINING: None}
    on_time = next(p for p in previous if p.target.label == ON_TIME)
    assert on_time.last_milestone_id == seed.milestones[0]
    assert on_time.planned.number == Decimal(90)
    achieved = {row.label: row.achieved.number if row.achieved else None for row in rows}
    assert achieved[ON_TIME] == Decimal(60)

    # Editing the mid-year report with the same skip keeps its own values.
    again = await send(database, seed, values, today=date(2027, 7, 11), milestone=1)
    assert not again.changed


async def test_a_lower_cumulative_number_is_a_decrease(database: Database) -> None:
    seed = await seed_reporting(database)
    await send(database, seed, full_values(seed, initiatives="3"))
    mid_year = await milestone_row(database, seed.milestones[1])
    values = full_values(seed, initiatives="2")  # the quarter's 2 typed instead of the total 5
    values[seed.targets[ON_TIME]] = number(ON_TIME, "75", TargetType.PERCENT)

    async with database.session() as session:
        found = await reports.decreases(seed.mai_pledge, mid_year, values, session=session)
        first_report = await reports.decreases(seed.binh_pledge, mid_year, {}, session=session)

    assert [(d.target.label, d.previous, d.new) for d in found] == [
        (INITIATIVES, Decimal(3), Decimal(2))
    ]
    assert first_report == []


# --- refusals ------------------------------------------------------------------------------------


async def test_a_pledge_not_approved_cannot_be_reported(database: Database) -> None:
    seed = await seed_reporting(database)

    with pytest.raises(UserFacingError) as caught:
        await send(database, seed, {}, note="x", pledge_id=seed.nhung_pledge)

    assert caught.value.message == (
        "Only an approved registration can be reported against; yours is awaiting approval."
    )


async def test_wrong_values_and_closed_milestones_are_refused(database: Database) -> None:
    seed = await seed_reporting(database)
    wrong_kind = {seed.targets[TRAINING]: number(TRAINING, "1")}
    with pytest.raises(UserFacingError) as caught:
        await send(database, seed, wrong_kind)
    assert caught.value.message == "The value given for “{label}” is not of the target's kind."
    assert caught.value.params == {"label": TRAINING}

    with pytest.raises(UserFacingError) as caught:
        await send(
            database, seed, {seed.targets[ON_TIME]: number(ON_TIME, "120", TargetType.PERCENT)}
        )
    assert caught.value.params == {"value": "120"}

    with pytest.raises(UserFacingError) as caught:
        await send(database, seed, {}, note="")
    assert caught.value.message.startswith("The report is empty")

    with pytest.raises(UserFacingError) as caught:  # Sơ kết opens on 01/04
        await send(database, seed, full_values(seed), milestone=1)
    assert caught.value.params == {
        "milestone": "Sơ kết 6 tháng",
        "opens": "01/04/2027",
        "closes": "31/12/2027",
    }

    with pytest.raises(UserFacingError) as caught:  # another pledge's target
        await send(database, seed, {999_999: number(INITIATIVES, "1")})
    assert caught.value.message == "That target is not part of this pledge."


# --- lateness ------------------------------------------------------------------------------------


async def test_a_report_after_due_and_grace_is_late(database: Database) -> None:
    seed = await seed_reporting(database, grace_days=5)

    in_grace = await send(database, seed, full_values(seed), today=date(2027, 4, 5))
    assert not in_grace.report.late
    binh = {seed.binh_target: number(INITIATIVES, "1")}
    late = await send(database, seed, binh, today=date(2027, 4, 6), pledge_id=seed.binh_pledge)
    assert late.report.late


async def test_an_on_time_report_is_locked_after_the_grace_until_returned(
    database: Database,
) -> None:
    seed = await seed_reporting(database)  # no grace: on time until 31/03
    sent = await send(database, seed, full_values(seed))
    assert sent.report.id is not None

    with pytest.raises(UserFacingError) as caught:
        await send(database, seed, full_values(seed, "4"), today=date(2027, 4, 2))
    assert caught.value.params == {"milestone": "Quý I", "date": "31/03/2027"}

    async with database.session() as session:
        await reports.return_report(
            sent.report.id, actor=OFFICER, reason="Thiếu minh chứng", session=session
        )
    fixed = await send(database, seed, full_values(seed, "4"), today=date(2027, 4, 2))
    assert fixed.changed and fixed.report.status is ReportStatus.SUBMITTED
    assert not fixed.report.late  # a correction the officer asked for is not late


async def test_a_late_report_stays_editable_while_its_milestone_is_open(
    database: Database,
) -> None:
    seed = await seed_reporting(database)
    late = await send(database, seed, full_values(seed), today=date(2027, 4, 10))
    assert late.report.late
    edited = await send(database, seed, full_values(seed, "4"), today=date(2027, 7, 15))
    assert edited.changed and edited.report.late
    with pytest.raises(UserFacingError):  # Quý I closes with Sơ kết's due date
        await send(database, seed, full_values(seed, "5"), today=date(2027, 7, 16))


def _campaign(grace: int = 0) -> Campaign:
    return Campaign(
        name="Phong trào 2027",
        kind=CampaignKind.REGULAR,
        period_start=date(2027, 1, 1),
        period_end=date(2027, 12, 31),
        registration_opens=date(2027, 1, 15),
        registration_deadline=date(2027, 3, 25),
        audience=AudienceKind.ORGANISATION,
        report_grace_days=grace,
    )


MILESTONES = [
    CampaignMilestone(id=2, campaign_id=1, position=2, name="Sơ kết", due=date(2027, 7, 15)),
    CampaignMilestone(id=1, campaign_id=1, position=1, name="Quý I", due=date(2027, 3, 31)),
    CampaignMilestone(id=3, campaign_id=1, position=3, name="Tổng kết", due=date(2027, 11, 30)),
]


@pytest.mark.parametrize(
    ("grace", "today", "expected"),
    [
        (0, date(2026, 12, 31), []),
        (0, date(2027, 1, 1), [("Quý I", False)]),
        (0, date(2027, 3, 31), [("Quý I", False)]),
        (0, date(2027, 4, 1), [("Quý I", True), ("Sơ kết", False)]),
        (5, date(2027, 4, 5), [("Quý I", False), ("Sơ kết", False)]),
        (5, date(2027, 4, 6), [("Quý I", True), ("Sơ kết", False)]),
        (0, date(2027, 7, 15), [("Quý I", True), ("Sơ kết", False)]),
        (0, date(2027, 7, 16), [("Sơ kết", True), ("Tổng kết", False)]),
        (0, date(2027, 12, 1), [("Tổng kết", True)]),
        (0, date(2027, 12, 31), [("Tổng kết", True)]),
        (0, date(2028, 1, 1), []),
        (60, date(2028, 1, 20), [("Tổng kết", False)]),  # grace beyond the period's end
    ],
)
def test_open_milestones_on_a_frozen_date(
    grace: int, today: date, expected: list[tuple[str, bool]]
) -> None:
    found = report_windows.open_milestones(_campaign(grace), MILESTONES, today)
    assert [(item.milestone.name, item.late) for item in found] == expected


async def test_no_milestone_is_reportable_once_the_campaign_is_closed(database: Database) -> None:
    seed = await seed_reporting(database)
    async with database.session() as session:
        open_now = await report_windows.reportable_milestones(
            seed.campaign_id, Q1_DAY, session=session
        )
        assert [item.milestone.name for item in open_now] == ["Quý I"]
        campaign = await session.get(Campaign, seed.campaign_id)
        assert campaign is not None
        campaign.status = CampaignStatus.CLOSED
    async with database.session() as session:
        assert (
            await report_windows.reportable_milestones(seed.campaign_id, Q1_DAY, session=session)
            == []
        )
    with pytest.raises(UserFacingError):
        await send(database, seed, full_values(seed))


# --- the officer's decision ----------------------------------------------------------------------


async def test_approve_return_and_double_taps(database: Database) -> None:
    seed = await seed_reporting(database)
    sent = await send(database, seed, full_values(seed))
    report_id = sent.report.id
    assert report_id is not None

    async with database.session() as session:
        approved = await reports.approve_report(report_id, actor=OFFICER, session=session)
        again = await reports.approve_report(report_id, actor=OFFICER, session=session)
    assert approved.changed and approved.report.status is ReportStatus.APPROVED
    assert approved.report.decided_at is not None
    assert not again.changed
    assert again.note == "This report is already approved; nothing changed."

    async with database.session() as session:
        with pytest.raises(UserFacingError):
            await reports.return_report(report_id, actor=OFFICER, reason="  ", session=session)
        returned = await reports.return_report(
            report_id, actor=OFFICER, reason="Số liệu chưa khớp", session=session
        )
        twice = await reports.return_report(
            report_id, actor=OFFICER, reason="Số liệu chưa khớp", session=session
        )
        with pytest.raises(UserFacingError) as caught:
            await reports.approve_report(report_id, actor=OFFICER, session=session)
        events = await store.events_of(report_id, session=session)
    assert returned.changed and returned.report.status is ReportStatus.RETURNED
    assert not twice.changed
    assert caught.value.message == "Only a report awaiting approval can be approved."
    assert [(e.action, e.to_status, e.actor, e.reason) for e in events] == [
        (ReportAction.SUBMITTED, ReportStatus.SUBMITTED, MAI_TG, None),
        (ReportAction.APPROVED, ReportStatus.APPROVED, OFFICER, None),
        (ReportAction.RETURNED, ReportStatus.RETURNED, OFFICER, "Số liệu chưa khớp"),
    ]

    # The member sends the same figures again after a return: it goes back to the officer.
    resent = await send(database, seed, full_values(seed), today=date(2027, 3, 25))
    assert resent.changed and resent.report.status is ReportStatus.SUBMITTED


# --- progress against the plan -------------------------------------------------------------------


def test_target_progress_and_on_track() -> None:
    planned = TargetValue("x", "", TargetType.NUMBER, number=Decimal(4))
    assert progress.target_progress(planned, number("x", "3")) == Decimal("75.0")
    assert progress.target_progress(planned, None) is None
    assert progress.target_progress(planned, number("x", "6")) == Decimal("150.0")
    zero = TargetValue("x", "", TargetType.NUMBER, number=Decimal(0))
    assert progress.target_progress(zero, number("x", "1")) is None
    done = TargetValue("y", "", TargetType.YES_NO, yes_no=True)
    assert progress.target_progress(done, yes_no("y", True)) == Decimal(100)
    assert progress.target_progress(done, yes_no("y", False)) == Decimal(0)
    text = TargetValue("z", "", TargetType.TEXT, text="Hoàn thành")
    assert progress.target_progress(text, TargetValue("z", "", TargetType.TEXT, text="Rồi")) is None

    campaign = _campaign()
    assert progress.expected_share(campaign, None, date(2026, 12, 1)) == Decimal(0)
    assert progress.expected_share(campaign, None, date(2027, 12, 31)) == Decimal(1)
    assert progress.expected_share(campaign, MILESTONES[1], date(2027, 1, 5)) == Decimal(
        "0.2466"
    )  # 90 of 365 days at Quý I's due date, whatever today is
    assert progress.on_track(Decimal(25), Decimal("0.2466"))
    assert not progress.on_track(Decimal(24), Decimal("0.2466"))
    assert progress.on_track(None, Decimal("0.5")) is None


async def test_member_progress_percent_and_on_track(database: Database) -> None:
    seed = await seed_reporting(database)
    await send(database, seed, full_values(seed))  # 3 of 4, 60% of 90%, training done

    async with database.session() as session:
        early = await progress.member_progress(seed.mai_pledge, date(2027, 4, 1), session=session)
        year_end = await progress.member_progress(
            seed.mai_pledge, date(2027, 12, 31), session=session
        )
        nothing = await progress.member_progress(seed.binh_pledge, Q1_DAY, session=session)

    assert [(r.label, r.percent, r.on_track) for r in early] == [
        (INITIATIVES, Decimal("75.0"), True),
        (ON_TIME, Decimal("66.7"), True),
        (TRAINING, Decimal(100), True),
    ]
    assert early[0].planned.number == Decimal(4) and early[0].unit == "sáng kiến"
    assert early[0].achieved is not None and early[0].achieved.number == Decimal(3)
    assert [r.on_track for r in year_end] == [False, False, True]
    assert [(r.achieved, r.percent, r.on_track) for r in nothing] == [(None, None, None)]


async def test_a_yes_no_not_done_is_behind_only_when_the_period_is_over(
    database: Database,
) -> None:
    seed = await seed_reporting(database)
    values = full_values(seed)
    values[seed.targets[TRAINING]] = yes_no(TRAINING, False)
    await send(database, seed, values)

    async with database.session() as session:
        mid = await progress.member_progress(seed.mai_pledge, MID_YEAR, session=session)
        end = await progress.member_progress(seed.mai_pledge, date(2027, 12, 31), session=session)
    assert (mid[2].percent, mid[2].on_track) == (Decimal(0), None)
    assert (end[2].percent, end[2].on_track) == (Decimal(0), False)


async def test_unit_progress_shows_who_reported(database: Database) -> None:
    seed = await seed_reporting(database)
    await send(database, seed, full_values(seed), evidence=(PHOTO,))

    async with database.session() as session:
        figures = await progress.unit_progress(
            seed.campaign_id, seed.unit_id, seed.milestones[0], session=session
        )
        reports = await store.reports_of_unit(
            seed.campaign_id, seed.unit_id, seed.milestones[0], session=session
        )
        missing = await store.unreported_pledges(
            seed.campaign_id, seed.unit_id, seed.milestones[0], session=session
        )
        later = await progress.unit_progress(
            seed.campaign_id, seed.unit_id, seed.milestones[1], session=session
        )

    assert figures.expected_share == Decimal("0.2466")
    assert [(m.full_name, m.reported) for m in figures.members] == [(BINH, False), (MAI, True)]
    mai = figures.reported[0]
    assert mai.report_status is ReportStatus.SUBMITTED and not mai.late
    assert mai.average_percent == Decimal("80.6")  # (75 + 66,7 + 100) / 3
    assert mai.on_track is True
    assert [m.full_name for m in figures.missing] == [BINH]
    assert figures.missing[0].average_percent is None
    assert [(r.pledge_id, r.full_name) for r in reports] == [(seed.mai_pledge, MAI)]
    assert [(r.pledge_id, r.full_name) for r in missing] == [(seed.binh_pledge, BINH)]
    # At the next milestone nobody has reported yet; Mai's Quý I figures still count.
    assert [m.full_name for m in later.missing] == [BINH, MAI]
    assert later.missing[1].average_percent == Decimal("80.6")
    assert later.missing[1].on_track is True  # 80,6% ≥ 53,7% expected by 15/07


# --- the campaign file ---------------------------------------------------------------------------

BASE_YAML = """\
name: Phong trào thi đua năm 2027
kind: thường xuyên
period: {start: 01/01/2027, end: 31/12/2027}
registration: {opens: 15/01/2027, deadline: 25/03/2027}
titles: [LĐTT, CSTĐCS]
"""


def test_grace_days_in_the_campaign_file() -> None:
    assert parse_campaign(BASE_YAML).report_grace_days == 0
    assert parse_campaign(BASE_YAML + "reporting: {grace_days: 7}\n").report_grace_days == 7
    assert parse_campaign(BASE_YAML + "reporting:\n  grace_days: 60\n").report_grace_days == 60
    assert load_campaign_file(ROOT / "examples" / "phong_trao_mau.yaml").report_grace_days == 5


@pytest.mark.parametrize(
    ("value", "message", "params"),
    [
        ("61", "must be a whole number of days from 0 to {max}, not {value}", "61"),
        ("-1", "must be a whole number of days from 0 to {max}, not {value}", "-1"),
        ('"2,5"', "must be a whole number of days from 0 to {max}, not {value}", "2,5"),
        ("bảy", '"{value}" is not a number; write it like 1.234,5', "bảy"),
    ],
)
def test_bad_grace_days_are_reported(value: str, message: str, params: str) -> None:
    with pytest.raises(CampaignFileError) as caught:
        parse_campaign(BASE_YAML + f"reporting: {{grace_days: {value}}}\n")
    [problem] = caught.value.problems
    assert problem.path == "reporting.grace_days"
    assert problem.message == message
    assert problem.params["value"] == params


def test_an_unknown_reporting_key_is_reported() -> None:
    with pytest.raises(CampaignFileError) as caught:
        parse_campaign(BASE_YAML + "reporting: {grace: 3}\n")
    assert [p.path for p in caught.value.problems] == ["reporting.grace"]


async def test_the_builder_stores_the_grace_days(database: Database) -> None:
    await seed_org(database)
    spec = parse_campaign(BASE_YAML + "reporting: {grace_days: 10}\n")
    async with database.session() as session:
        campaign = await create_campaign(spec, created_by=None, session=session)
        assert campaign.id is not None
        stored = await campaign_store.get_campaign(campaign.id, session=session)
    assert stored is not None and stored.report_grace_days == 10


async def test_a_pledge_with_reports_can_no_longer_be_edited(database: Database) -> None:
    """Editing would replace its targets and with them the progress reported against them."""
    seed = await seed_reporting(database)
    await send(database, seed, full_values(seed))
    changed = await individual(database, seed.campaign_id, await member_id(database, MAI))
    changed = replace(changed, commitment="Một cam kết mới")
    async with database.session() as session:
        with pytest.raises(UserFacingError, match="already reported"):
            await pledges.confirm(changed, actor=MAI_TG, today=OPEN_DAY, session=session)
    async with database.session() as session:
        assert await store.has_reports(seed.mai_pledge, session=session)
        assert not await store.has_reports(seed.binh_pledge, session=session)
