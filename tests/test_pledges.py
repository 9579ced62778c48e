"""Pledge registration: lifecycle and audit trail, refused transitions, deadlines, one live
pledge per member (even under concurrent confirms), value parsing, registration figures."""

import asyncio
from dataclasses import replace
from decimal import Decimal

import pytest
from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from bot import pledges
from bot.errors import UserFacingError
from bot.pledge_values import TargetShape, own_target_shape, parse_target_value
from bot.registration_status import unit_registration
from storage import covenants
from storage import pledges as store
from storage.campaign_models import Campaign, CampaignStatus, TargetType
from storage.database import Database
from storage.models import Member, MemberStatus, Unit
from storage.pledge_models import Pledge, PledgeAction, PledgeKind, PledgeStatus
from tests.support.org_seed import BINH, MTTQ, NHUNG, THANH_TRA, TU_PHAP
from tests.support.pledge_seed import (
    LATE_DAY,
    OPEN_DAY,
    codes,
    collective,
    individual,
    member_id,
    seed_launched,
    unit_id,
)

MAI = "Lê Thị Mai"
OFFICER = NHUNG  # Telegram id of Sở Tư pháp's emulation officer
MEMBER_TG = 503


# --- lifecycle ---------------------------------------------------------------------------------


async def test_lifecycle_with_audit_trail(database: Database) -> None:
    campaign_id = await seed_launched(database)
    mai = await member_id(database, MAI)
    values = await individual(database, campaign_id, mai, award="GIAY_KHEN")

    async with database.session() as session:
        done = await pledges.confirm(values, actor=MEMBER_TG, today=OPEN_DAY, session=session)
        pledge_id = done.pledge.id
        assert done.changed and done.pledge.status is PledgeStatus.PENDING
        assert done.pledge.entered_by == MEMBER_TG and not done.pledge.on_behalf
        assert done.pledge.submitted_at is not None and not done.pledge.late
    assert pledge_id is not None
    async with database.session() as session:
        returned = await pledges.return_pledge(
            pledge_id, actor=OFFICER, reason="Chỉ tiêu sáng kiến quá thấp", session=session
        )
        assert returned.pledge.status is PledgeStatus.RETURNED
        assert returned.pledge.decided_at is not None
    async with database.session() as session:
        fixed = await pledges.save_draft(
            replace(values, targets=(replace(values.targets[0], number=Decimal(3)),)),
            actor=MEMBER_TG,
            today=OPEN_DAY,
            session=session,
        )
        assert fixed.changed and fixed.pledge.status is PledgeStatus.PENDING
        assert fixed.pledge.id == pledge_id
    async with database.session() as session:
        approved = await pledges.approve(pledge_id, actor=OFFICER, session=session)
        assert approved.pledge.status is PledgeStatus.APPROVED
        targets = await store.targets_of(pledge_id, session=session)
        events = await store.events_of(pledge_id, session=session)

    assert [t.planned_number for t in targets] == [Decimal(3)]
    assert [(e.action, e.from_status, e.to_status, e.actor, e.reason) for e in events] == [
        (PledgeAction.CREATED, None, PledgeStatus.DRAFT, MEMBER_TG, None),
        (PledgeAction.SUBMITTED, PledgeStatus.DRAFT, PledgeStatus.PENDING, MEMBER_TG, None),
        (
            PledgeAction.RETURNED,
            PledgeStatus.PENDING,
            PledgeStatus.RETURNED,
            OFFICER,
            "Chỉ tiêu sáng kiến quá thấp",
        ),
        (PledgeAction.EDITED, PledgeStatus.RETURNED, PledgeStatus.PENDING, MEMBER_TG, None),
        (PledgeAction.APPROVED, PledgeStatus.PENDING, PledgeStatus.APPROVED, OFFICER, None),
    ]


async def test_repeated_actions_change_nothing_and_say_so(database: Database) -> None:
    campaign_id = await seed_launched(database)
    values = await individual(database, campaign_id, await member_id(database, MAI))
    async with database.session() as session:
        first = await pledges.confirm(values, actor=MEMBER_TG, today=OPEN_DAY, session=session)
        again = await pledges.confirm(values, actor=MEMBER_TG, today=OPEN_DAY, session=session)
        assert first.pledge.id is not None
        resubmit = await pledges.submit(
            first.pledge.id, actor=MEMBER_TG, today=OPEN_DAY, session=session
        )
        await pledges.approve(first.pledge.id, actor=OFFICER, session=session)
        approve_again = await pledges.approve(first.pledge.id, actor=OFFICER, session=session)
        events = await store.events_of(first.pledge.id, session=session)

    assert first.changed and not again.changed and not resubmit.changed
    assert again.note == resubmit.note == "This pledge was already submitted; nothing changed."
    assert not approve_again.changed
    assert approve_again.note == "This pledge is already approved; nothing changed."
    assert [e.action for e in events] == [
        PledgeAction.CREATED,
        PledgeAction.SUBMITTED,
        PledgeAction.APPROVED,
    ]


async def test_draft_is_not_registered_until_submitted(database: Database) -> None:
    campaign_id = await seed_launched(database)
    values = await individual(database, campaign_id, await member_id(database, MAI))
    tu_phap = await unit_id(database, TU_PHAP)
    async with database.session() as session:
        draft = await pledges.save_draft(values, actor=MEMBER_TG, today=OPEN_DAY, session=session)
        assert draft.pledge.status is PledgeStatus.DRAFT and draft.pledge.warnings == []
        status = await unit_registration(campaign_id, tu_phap, session=session)
        assert status.registered == 0
        assert draft.pledge.id is not None
        await pledges.submit(draft.pledge.id, actor=MEMBER_TG, today=OPEN_DAY, session=session)
        status = await unit_registration(campaign_id, tu_phap, session=session)
    assert status.registered == 1


async def test_withdraw_then_a_new_pledge_may_follow(database: Database) -> None:
    campaign_id = await seed_launched(database)
    values = await individual(database, campaign_id, await member_id(database, MAI))
    async with database.session() as session:
        first = await pledges.confirm(values, actor=MEMBER_TG, today=OPEN_DAY, session=session)
        assert first.pledge.id is not None
        gone = await pledges.withdraw(
            first.pledge.id, actor=MEMBER_TG, today=OPEN_DAY, session=session
        )
        twice = await pledges.withdraw(
            first.pledge.id, actor=MEMBER_TG, today=OPEN_DAY, session=session
        )
        second = await pledges.confirm(values, actor=MEMBER_TG, today=OPEN_DAY, session=session)
    assert gone.pledge.status is PledgeStatus.WITHDRAWN and not twice.changed
    assert second.changed and second.pledge.id != first.pledge.id
    assert second.pledge.status is PledgeStatus.PENDING


async def test_officer_enters_a_pledge_on_behalf(database: Database) -> None:
    campaign_id = await seed_launched(database)
    values = await individual(database, campaign_id, await member_id(database, "Võ Văn Em"))
    async with database.session() as session:
        done = await pledges.confirm(
            values, actor=OFFICER, today=OPEN_DAY, on_behalf=True, session=session
        )
    assert done.pledge.on_behalf and done.pledge.entered_by == OFFICER


async def test_approve_all_approves_only_pending_pledges_of_the_unit(database: Database) -> None:
    campaign_id = await seed_launched(database)
    tu_phap = await unit_id(database, TU_PHAP)
    async with database.session() as session:
        for name in (MAI, "Trần Văn Bình"):
            values = await individual(database, campaign_id, await member_id(database, name))
            await pledges.confirm(values, actor=MEMBER_TG, today=OPEN_DAY, session=session)
        draft = await pledges.save_draft(
            await individual(
                database, campaign_id, await member_id(database, "Nguyễn Thị Hồng Nhung")
            ),
            actor=NHUNG,
            today=OPEN_DAY,
            session=session,
        )
        other = await pledges.confirm(
            await individual(database, campaign_id, await member_id(database, "Hoàng Thị Dung")),
            actor=505,
            today=OPEN_DAY,
            session=session,
        )
        approved = await pledges.approve_all(campaign_id, tu_phap, actor=OFFICER, session=session)
    assert len(approved) == 2
    assert all(p.status is PledgeStatus.APPROVED and p.unit_id == tu_phap for p in approved)
    assert draft.pledge.status is PledgeStatus.DRAFT
    assert other.pledge.status is PledgeStatus.PENDING


# --- refusals ----------------------------------------------------------------------------------


async def _pledge_in(database: Database, campaign_id: int, status: PledgeStatus) -> int:
    values = await individual(database, campaign_id, await member_id(database, MAI))
    async with database.session() as session:
        if status is PledgeStatus.DRAFT:
            result = await pledges.save_draft(
                values, actor=MEMBER_TG, today=OPEN_DAY, session=session
            )
        else:
            result = await pledges.confirm(values, actor=MEMBER_TG, today=OPEN_DAY, session=session)
        pledge_id = result.pledge.id
        assert pledge_id is not None
        if status is PledgeStatus.RETURNED:
            await pledges.return_pledge(pledge_id, actor=OFFICER, reason="Sửa", session=session)
        elif status is PledgeStatus.APPROVED:
            await pledges.approve(pledge_id, actor=OFFICER, session=session)
        elif status is PledgeStatus.WITHDRAWN:
            await pledges.withdraw(pledge_id, actor=MEMBER_TG, today=OPEN_DAY, session=session)
    return pledge_id


REFUSED = [
    ("approve", PledgeStatus.DRAFT, "Only a pledge awaiting approval can be approved."),
    ("approve", PledgeStatus.RETURNED, "Only a pledge awaiting approval can be approved."),
    ("approve", PledgeStatus.WITHDRAWN, "Only a pledge awaiting approval can be approved."),
    ("return", PledgeStatus.DRAFT, "Only a pledge awaiting approval can be returned."),
    ("return", PledgeStatus.APPROVED, "Only a pledge awaiting approval can be returned."),
    ("return", PledgeStatus.RETURNED, "Only a pledge awaiting approval can be returned."),
    ("return", PledgeStatus.WITHDRAWN, "Only a pledge awaiting approval can be returned."),
    ("submit", PledgeStatus.WITHDRAWN, "This pledge was withdrawn; start a new one."),
]


@pytest.mark.parametrize(("action", "status", "message"), REFUSED)
async def test_refused_transitions_change_nothing(
    database: Database, action: str, status: PledgeStatus, message: str
) -> None:
    campaign_id = await seed_launched(database)
    pledge_id = await _pledge_in(database, campaign_id, status)
    async with database.session() as session:
        events_before = len(await store.events_of(pledge_id, session=session))

    async def attempt() -> None:
        async with database.session() as session:
            if action == "approve":
                await pledges.approve(pledge_id, actor=OFFICER, session=session)
            elif action == "return":
                await pledges.return_pledge(pledge_id, actor=OFFICER, reason="x", session=session)
            else:
                await pledges.submit(pledge_id, actor=MEMBER_TG, today=OPEN_DAY, session=session)

    with pytest.raises(UserFacingError) as caught:
        await attempt()
    assert caught.value.message == message
    async with database.session() as session:
        pledge = await store.get_pledge(pledge_id, session=session)
        assert pledge is not None and pledge.status is status
        assert len(await store.events_of(pledge_id, session=session)) == events_before


@pytest.mark.parametrize("reason", ["", "   ", "x" * 1001])
async def test_return_needs_a_reason_that_fits(database: Database, reason: str) -> None:
    campaign_id = await seed_launched(database)
    pledge_id = await _pledge_in(database, campaign_id, PledgeStatus.PENDING)
    async with database.session() as session:
        with pytest.raises(UserFacingError) as caught:
            await pledges.return_pledge(pledge_id, actor=OFFICER, reason=reason, session=session)
        pledge = await store.get_pledge(pledge_id, session=session)
    assert "reason" in caught.value.message
    assert pledge is not None and pledge.status is PledgeStatus.PENDING


async def test_titles_and_forms_must_be_offered_for_the_kind(database: Database) -> None:
    campaign_id = await seed_launched(database)
    mai = await member_id(database, MAI)
    tu_phap = await unit_id(database, TU_PHAP)
    cases = [
        (await individual(database, campaign_id, mai, title="CSTD_TINH"), "to individuals"),
        (await individual(database, campaign_id, mai, title="TTLDTT"), "to individuals"),
        (await collective(database, campaign_id, tu_phap, title="LDTT"), "to units"),
        (await individual(database, campaign_id, mai, award="BK_TTG"), "form of commendation"),
    ]
    async with database.session() as session:
        for values, expected in cases:
            with pytest.raises(UserFacingError) as caught:
                await pledges.save_draft(values, actor=MEMBER_TG, today=OPEN_DAY, session=session)
            assert expected in caught.value.message
        count = (await session.execute(select(func.count()).select_from(Pledge))).scalar_one()
    assert count == 0


async def test_a_required_target_needs_a_value(database: Database) -> None:
    campaign_id = await seed_launched(database)
    values = await individual(database, campaign_id, await member_id(database, MAI))
    async with database.session() as session:
        with pytest.raises(UserFacingError) as caught:
            await pledges.save_draft(
                replace(values, targets=()), actor=MEMBER_TG, today=OPEN_DAY, session=session
            )
    assert caught.value.message == "The target “{label}” needs a value."
    assert caught.value.params == {"label": "Số sáng kiến được công nhận"}


async def test_someone_who_left_cannot_pledge(database: Database) -> None:
    campaign_id = await seed_launched(database)
    mai = await member_id(database, MAI)
    async with database.session() as session:
        member = await session.get(Member, mai)
        assert member is not None
        member.status = MemberStatus.LEFT
    values = await individual(database, campaign_id, mai)
    async with database.session() as session:
        with pytest.raises(UserFacingError, match="not in the unit's roster"):
            await pledges.confirm(values, actor=MEMBER_TG, today=OPEN_DAY, session=session)


# --- deadlines and campaign state ---------------------------------------------------------------


async def test_after_the_deadline_without_late_registration_is_refused(database: Database) -> None:
    campaign_id = await seed_launched(database)
    pledge_id = await _pledge_in(database, campaign_id, PledgeStatus.PENDING)
    values = await individual(database, campaign_id, await member_id(database, "Trần Văn Bình"))
    edited = await individual(
        database, campaign_id, await member_id(database, MAI), initiatives="9"
    )
    async with database.session() as session:
        with pytest.raises(UserFacingError) as caught:
            await pledges.confirm(values, actor=BINH, today=LATE_DAY, session=session)
        assert caught.value.params == {"date": "25/03/2027"}
        assert "does not accept late registrations" in caught.value.message
        with pytest.raises(UserFacingError, match="deadline"):
            await pledges.save_draft(edited, actor=MEMBER_TG, today=LATE_DAY, session=session)
        with pytest.raises(UserFacingError, match="deadline"):
            await pledges.withdraw(pledge_id, actor=MEMBER_TG, today=LATE_DAY, session=session)
        # the officer still decides after the deadline
        approved = await pledges.approve(pledge_id, actor=OFFICER, session=session)
    assert approved.pledge.status is PledgeStatus.APPROVED


async def test_late_registration_is_accepted_and_marked(database: Database) -> None:
    campaign_id = await seed_launched(database, late_registration=True)
    values = await individual(database, campaign_id, await member_id(database, MAI))
    async with database.session() as session:
        on_time = await pledges.confirm(values, actor=MEMBER_TG, today=OPEN_DAY, session=session)
        assert not on_time.pledge.late
        edited = await pledges.save_draft(
            replace(values, commitment="Thêm cam kết"),
            actor=MEMBER_TG,
            today=LATE_DAY,
            session=session,
        )
    assert edited.changed and edited.pledge.late
    assert edited.pledge.status is PledgeStatus.PENDING


@pytest.mark.parametrize(
    "status",
    [CampaignStatus.DRAFT, CampaignStatus.REGISTRATION_CLOSED, CampaignStatus.CLOSED],
)
async def test_only_a_launched_campaign_takes_registrations(
    database: Database, status: CampaignStatus
) -> None:
    campaign_id = await seed_launched(database)
    async with database.session() as session:
        campaign = await session.get(Campaign, campaign_id)
        assert campaign is not None
        campaign.status = status
    values = await individual(database, campaign_id, await member_id(database, MAI))
    async with database.session() as session:
        with pytest.raises(UserFacingError) as caught:
            await pledges.confirm(values, actor=MEMBER_TG, today=OPEN_DAY, session=session)
    assert caught.value.message == "This campaign is not open for registration."


async def test_registration_before_it_opens_is_refused(database: Database) -> None:
    campaign_id = await seed_launched(database)
    values = await individual(database, campaign_id, await member_id(database, MAI))
    async with database.session() as session:
        with pytest.raises(UserFacingError) as caught:
            await pledges.confirm(
                values, actor=MEMBER_TG, today=OPEN_DAY.replace(month=1, day=2), session=session
            )
    assert caught.value.params == {"date": "15/01/2027"}


async def test_decisions_stop_when_the_campaign_is_closed(database: Database) -> None:
    campaign_id = await seed_launched(database)
    pledge_id = await _pledge_in(database, campaign_id, PledgeStatus.PENDING)
    async with database.session() as session:
        campaign = await session.get(Campaign, campaign_id)
        assert campaign is not None
        campaign.status = CampaignStatus.CLOSED
    async with database.session() as session:
        with pytest.raises(UserFacingError, match="closed"):
            await pledges.approve(pledge_id, actor=OFFICER, session=session)


# --- one live pledge ---------------------------------------------------------------------------


async def test_concurrent_confirms_make_one_pledge(database: Database) -> None:
    """Two devices (or a double tap) confirming at once, each in its own unit of work."""
    campaign_id = await seed_launched(database)
    values = await individual(database, campaign_id, await member_id(database, MAI))

    async def tap() -> pledges.Transition:
        async with database.session() as session:
            return await pledges.confirm(values, actor=MEMBER_TG, today=OPEN_DAY, session=session)

    results = await asyncio.gather(tap(), tap())

    assert sorted(result.changed for result in results) == [False, True]
    assert results[0].pledge.id == results[1].pledge.id
    async with database.session() as session:
        rows = (await session.execute(select(Pledge))).scalars().all()
        assert len(rows) == 1 and rows[0].status is PledgeStatus.PENDING
        assert rows[0].id is not None
        assert len(await store.targets_of(rows[0].id, session=session)) == 1
        actions = [e.action for e in await store.events_of(rows[0].id, session=session)]
    assert actions == [PledgeAction.CREATED, PledgeAction.SUBMITTED]


async def test_concurrent_collective_pledges_of_a_unit_make_one(database: Database) -> None:
    campaign_id = await seed_launched(database)
    values = await collective(database, campaign_id, await unit_id(database, THANH_TRA))

    async def tap(actor: int) -> pledges.Transition:
        async with database.session() as session:
            return await pledges.confirm(values, actor=actor, today=OPEN_DAY, session=session)

    results = await asyncio.gather(tap(504), tap(505))

    assert sum(result.changed for result in results) == 1
    async with database.session() as session:
        count = (await session.execute(select(func.count()).select_from(Pledge))).scalar_one()
    assert count == 1


async def test_concurrent_submits_of_a_draft_submit_it_once(database: Database) -> None:
    campaign_id = await seed_launched(database)
    values = await individual(database, campaign_id, await member_id(database, MAI))
    async with database.session() as session:
        draft = await pledges.save_draft(values, actor=MEMBER_TG, today=OPEN_DAY, session=session)
    pledge_id = draft.pledge.id
    assert pledge_id is not None

    async def tap() -> pledges.Transition:
        async with database.session() as session:
            return await pledges.submit(pledge_id, actor=MEMBER_TG, today=OPEN_DAY, session=session)

    results = await asyncio.gather(tap(), tap())

    assert sorted(result.changed for result in results) == [False, True]
    async with database.session() as session:
        actions = [e.action for e in await store.events_of(pledge_id, session=session)]
    assert actions == [PledgeAction.CREATED, PledgeAction.SUBMITTED]


async def test_insert_reports_a_live_pledge_and_keeps_the_session_usable(
    database: Database,
) -> None:
    """The safety net under the owner lock: the unique index answers, the savepoint undoes."""
    campaign_id = await seed_launched(database)
    values = await individual(database, campaign_id, await member_id(database, MAI))
    async with database.session() as session:
        first = await pledges.save_draft(values, actor=MEMBER_TG, today=OPEN_DAY, session=session)
        duplicate = Pledge(
            campaign_id=campaign_id,
            kind=PledgeKind.INDIVIDUAL,
            member_id=first.pledge.member_id,
            unit_id=first.pledge.unit_id,
            title_item_id=first.pledge.title_item_id,
        )
        inserted = await store.insert_pledge(duplicate, [], session=session)
        count = (await session.execute(select(func.count()).select_from(Pledge))).scalar_one()
    assert inserted is False and count == 1


async def test_the_database_refuses_a_second_live_pledge(database: Database) -> None:
    campaign_id = await seed_launched(database)
    mai = await member_id(database, MAI)
    tu_phap = await unit_id(database, TU_PHAP)
    async with database.session() as session:
        title = (await codes(session=session))["LDTT"]

    def row(status: PledgeStatus) -> Pledge:
        return Pledge(
            campaign_id=campaign_id,
            kind=PledgeKind.INDIVIDUAL,
            member_id=mai,
            unit_id=tu_phap,
            title_item_id=title,
            status=status,
        )

    async with database.session() as session:  # withdrawn ones do not count
        session.add_all([row(PledgeStatus.WITHDRAWN), row(PledgeStatus.WITHDRAWN)])
        session.add(row(PledgeStatus.PENDING))
    with pytest.raises(IntegrityError):
        async with database.session() as session:
            session.add(row(PledgeStatus.DRAFT))


# --- values ------------------------------------------------------------------------------------

NUMBER = TargetShape("Số sáng kiến", "sáng kiến", TargetType.NUMBER, min_value=Decimal(0))
BOUNDED = TargetShape("Số buổi", "buổi", TargetType.NUMBER, Decimal(1), Decimal(1000))
PERCENT = TargetShape("Tỷ lệ hồ sơ đúng hạn", "%", TargetType.PERCENT)
YES_NO = TargetShape("Không vi phạm kỷ luật", "", TargetType.YES_NO)
TEXT = TargetShape("Nội dung", "", TargetType.TEXT, max_length=20)


@pytest.mark.parametrize(
    ("shape", "raw", "expected"),
    [
        (NUMBER, "12", Decimal(12)),
        (NUMBER, "1.000", Decimal(1000)),
        (NUMBER, " 2,5 ", Decimal("2.5")),
        (BOUNDED, "1.000", Decimal(1000)),
        (PERCENT, "85%", Decimal(85)),
        (PERCENT, "99,5", Decimal("99.5")),
        (PERCENT, "0", Decimal(0)),
        (PERCENT, "100%", Decimal(100)),
    ],
)
def test_numbers_are_read_the_vietnamese_way(
    shape: TargetShape, raw: str, expected: Decimal
) -> None:
    value = parse_target_value(shape, raw)
    assert value.number == expected and value.text is None and value.yes_no is None
    assert (value.label, value.unit, value.type) == (shape.label, shape.unit, shape.type)


@pytest.mark.parametrize(
    ("shape", "raw", "message"),
    [
        (NUMBER, "mười", "“{value}” is not a number; write it like 12, 1.000 or 2,5."),
        (NUMBER, "2.5", "“{value}” is not a number; write it like 12, 1.000 or 2,5."),
        (NUMBER, "-1", "“{label}” must be at least {min}; {value} is less."),
        (BOUNDED, "1.001", "“{label}” must be at most {max}; {value} is more."),
        (
            PERCENT,
            "nhiều",
            "“{value}” is not a percentage; write a number from 0 to 100, e.g. 85 or 85%.",
        ),
        (PERCENT, "120%", "{value}% is not a percentage between 0 and 100; write e.g. 85%."),
        (PERCENT, "-5", "{value}% is not a percentage between 0 and 100; write e.g. 85%."),
        (YES_NO, "có lẽ", "“{value}” is not yes or no; answer có or không."),
        (TEXT, "", "Write the target in words, e.g. “Hoàn thành trước 30/11”."),
        (TEXT, "x" * 21, "The text is too long: {length} characters, at most {max}."),
    ],
)
def test_wrong_values_say_what_is_expected(shape: TargetShape, raw: str, message: str) -> None:
    with pytest.raises(UserFacingError) as caught:
        parse_target_value(shape, raw)
    assert caught.value.message == message
    message.format(**caught.value.params)  # every placeholder has its parameter


def test_bounds_are_shown_in_vietnamese_number_style() -> None:
    with pytest.raises(UserFacingError) as caught:
        parse_target_value(BOUNDED, "1.500,5")
    assert caught.value.params == {"label": "Số buổi", "max": "1.000", "value": "1.500,5"}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("có", True),
        ("Có", True),
        ("co", True),
        ("yes", True),
        ("x", True),
        ("X", True),
        ("không", False),
        ("Không.", False),
        ("khong", False),
        ("no", False),
        ("ko", False),
    ],
)
def test_yes_no_words(raw: str, expected: bool) -> None:
    assert parse_target_value(YES_NO, raw).yes_no is expected


def test_text_values_keep_what_was_written() -> None:
    assert parse_target_value(TEXT, "  Đúng hạn 100%  ").text == "Đúng hạn 100%"


def test_a_members_own_target_needs_a_name() -> None:
    shape = own_target_shape("  Số   bài viết ", " bài ", TargetType.NUMBER)
    assert (shape.label, shape.unit, shape.template_id) == ("Số bài viết", "bài", None)
    assert parse_target_value(shape, "4").number == Decimal(4)
    with pytest.raises(UserFacingError):
        own_target_shape(" ", "bài", TargetType.NUMBER)


# --- registration figures ----------------------------------------------------------------------


async def test_unit_registration_counts_and_missing_list(database: Database) -> None:
    campaign_id = await seed_launched(database)
    thanh_tra = await unit_id(database, THANH_TRA)
    async with database.session() as session:
        session.add_all(
            [
                Member(
                    full_name="Nguyễn Văn An",
                    name_key="nguyen van an",
                    unit_id=thanh_tra,
                    position="Thanh tra viên",
                ),
                Member(full_name="Bùi Thị Ánh", name_key="bui thi anh", unit_id=thanh_tra),
                Member(
                    full_name="Đỗ Văn Cũ",
                    name_key="do van cu",
                    unit_id=thanh_tra,
                    status=MemberStatus.LEFT,
                ),
            ]
        )
    async with database.session() as session:
        before = await unit_registration(campaign_id, thanh_tra, session=session)
        for name in ("Phạm Văn Cường", "Hoàng Thị Dung"):
            values = await individual(database, campaign_id, await member_id(database, name))
            await pledges.confirm(values, actor=504, today=OPEN_DAY, session=session)
        after = await unit_registration(campaign_id, thanh_tra, session=session)
        other = await unit_registration(campaign_id, await unit_id(database, MTTQ), session=session)

    assert (before.registered, before.roster) == (0, 5)
    assert (after.registered, after.roster) == (2, 5)
    assert round(after.rate(), 1) == 40.0
    # sorted by Tên: An, Ánh, Em
    assert [(m.full_name, m.position) for m in after.missing] == [
        ("Nguyễn Văn An", "Thanh tra viên"),
        ("Bùi Thị Ánh", None),
        ("Võ Văn Em", "Lái xe"),
    ]
    assert (other.registered, other.roster, other.rate()) == (0, 1, 0.0)


# --- covenants ---------------------------------------------------------------------------------


async def test_a_unit_signs_its_blocs_covenant_once(database: Database) -> None:
    campaign_id = await seed_launched(database)
    tu_phap, thanh_tra = await unit_id(database, TU_PHAP), await unit_id(database, THANH_TRA)
    async with database.session() as session:
        bloc_id = (await session.get(Unit, tu_phap)).bloc_id  # type: ignore[union-attr]
        assert bloc_id is not None
        covenant = await covenants.set_covenant(
            campaign_id,
            bloc_id,
            "Giao ước thi đua Khối các cơ quan Nội chính năm 2027",
            [{"label": "Tỷ lệ hồ sơ đúng hạn", "unit": "%", "planned": "100"}],
            session=session,
        )
        again = await covenants.set_covenant(
            campaign_id, bloc_id, "Giao ước (sửa)", [], session=session
        )
    assert again.id == covenant.id and again.text == "Giao ước (sửa)"
    assert covenant.id is not None
    covenant_id = covenant.id

    async def press(unit: int, officer: int) -> bool:
        async with database.session() as session:
            return (await covenants.sign(covenant_id, unit, officer, session=session))[1]

    first = await asyncio.gather(press(tu_phap, NHUNG), press(tu_phap, BINH))
    second = await press(thanh_tra, 504)
    async with database.session() as session:
        signed = await covenants.signatures_of(covenant_id, session=session)
    assert sorted(first) == [False, True] and second
    assert [s.unit_id for s in signed] == [tu_phap, thanh_tra]
    assert signed[0].signed_by in {NHUNG, BINH} and signed[1].signed_by == 504
