"""Applying a roster to the database: create, update, mark as left, roles, matching people.

Every test runs on SQLite and, when TEST_DATABASE_URL is set, on PostgreSQL too.
"""

import dataclasses
from datetime import date
from pathlib import Path
from typing import TypeVar

import pytest
from sqlalchemy import func
from sqlmodel import SQLModel, select

from bot.roster_file import Reason, RosterRow, RowProblem, read_roster
from bot.roster_import import ImportReport, apply_roster
from bot.text import match_key
from storage import people
from storage.database import Database
from storage.models import (
    Bloc,
    BlocKind,
    BlocLeadership,
    GrantSource,
    Member,
    MemberSource,
    MemberStatus,
    Role,
    RoleAssignment,
    ScopeKind,
    Unit,
)
from tests.support.org_seed import CUM_1, MTTQ, NOI_CHINH, ROWS, THANH_TRA, TU_PHAP

YEAR = 2026
NHUNG = "Nguyễn Thị Hồng Nhung"
BINH = "Trần Văn Bình"
MAI = "Lê Thị Mai"
CUONG = "Phạm Văn Cường"
DUNG = "Hoàng Thị Dung"
EM = "Võ Văn Em"
HOA = "Đặng Thị Hoa"
NO_BLOC_UNIT = "Văn phòng Đoàn ĐBQH"

M = TypeVar("M", bound=SQLModel)


# --- helpers -------------------------------------------------------------------------------------


def row(
    number: int,
    unit: str,
    name: str,
    phone: str | None = None,
    *,
    bloc: str | None = NOI_CHINH,
    position: str | None = "Chuyên viên",
    role: Role = Role.MEMBER,
    joined: date | None = None,
) -> RosterRow:
    kind = None if bloc is None else BlocKind.CUM if bloc.startswith("Cụm") else BlocKind.KHOI
    return RosterRow(
        row_number=number,
        bloc_name=bloc,
        bloc_kind=kind,
        unit_name=unit,
        full_name=name,
        position=position,
        phone=phone,
        role=role,
        email=None,
        joined_on=joined,
    )


def seed_rows() -> list[RosterRow]:
    return list(ROWS)


def replaced(rows: list[RosterRow], name: str, **changes: object) -> list[RosterRow]:
    """The rows with the one for `name` changed."""
    assert any(r.full_name == name for r in rows), name
    return [dataclasses.replace(r, **changes) if r.full_name == name else r for r in rows]  # type: ignore[arg-type]


def without(rows: list[RosterRow], name: str) -> list[RosterRow]:
    kept = [r for r in rows if r.full_name != name]
    assert len(kept) == len(rows) - 1, name
    return kept


async def apply(database: Database, rows: list[RosterRow], year: int = YEAR) -> ImportReport:
    async with database.session() as session:
        return await apply_roster(rows, year=year, session=session)


async def all_of(database: Database, model: type[M]) -> list[M]:
    async with database.session() as session:
        return list((await session.execute(select(model))).scalars().all())


async def count(database: Database, model: type[SQLModel]) -> int:
    async with database.session() as session:
        return int((await session.execute(select(func.count()).select_from(model))).scalar_one())


async def table_counts(database: Database) -> dict[str, int]:
    models: list[type[SQLModel]] = [Bloc, Unit, Member, RoleAssignment, BlocLeadership]
    return {model.__name__: await count(database, model) for model in models}


async def member_named(database: Database, name: str) -> Member:
    found = [m for m in await all_of(database, Member) if m.full_name == name]
    assert len(found) == 1, f"{len(found)} members named {name}"
    return found[0]


async def unit_named(database: Database, name: str) -> Unit:
    [unit] = [u for u in await all_of(database, Unit) if u.name == name]
    return unit


async def bloc_named(database: Database, name: str) -> Bloc:
    [bloc] = [b for b in await all_of(database, Bloc) if b.name == name]
    return bloc


async def roles_of(database: Database, name: str) -> set[tuple[Role, ScopeKind, int | None]]:
    member = await member_named(database, name)
    return {
        (grant.role, grant.scope_kind, grant.scope_id)
        for grant in await all_of(database, RoleAssignment)
        if grant.member_id == member.id and grant.source == GrantSource.ROSTER
    }


async def leadership(database: Database, bloc: str, year: int = YEAR) -> BlocLeadership | None:
    bloc_id = (await bloc_named(database, bloc)).id
    rows = [
        lead
        for lead in await all_of(database, BlocLeadership)
        if lead.bloc_id == bloc_id and lead.year == year
    ]
    return rows[0] if rows else None


async def add_invited_member(database: Database, name: str, unit: str) -> Member:
    """A person who joined through an invite link and is not in the roster yet."""
    unit_id = (await unit_named(database, unit)).id
    assert unit_id is not None
    async with database.session() as session:
        await people.upsert_telegram_user(
            777,
            first_name=name,
            last_name=None,
            username=None,
            language_code="vi",
            session=session,
        )
        await session.flush()  # the Telegram user row must exist before a member points at it
        member = Member(
            full_name=name,
            name_key=match_key(name),
            unit_id=unit_id,
            source=MemberSource.INVITE,
            telegram_user_id=777,
        )
        return await people.add_member(member, session=session)


# --- first import --------------------------------------------------------------------------------


async def test_first_import_creates_blocs_units_and_members(database: Database) -> None:
    report = await apply(database, seed_rows())

    assert report == ImportReport(
        blocs_created=2,
        blocs_total=2,
        units_created=3,
        units_total=3,
        created=7,
        updated=0,
        unchanged=0,
        left=0,
        rejected=[],
    )
    blocs = {bloc.name: bloc for bloc in await all_of(database, Bloc)}
    assert {name: bloc.kind for name, bloc in blocs.items()} == {
        NOI_CHINH: BlocKind.KHOI,
        CUM_1: BlocKind.CUM,
    }
    assert blocs[NOI_CHINH].name_key == "khoi cac co quan noi chinh"
    units = {unit.name: unit for unit in await all_of(database, Unit)}
    assert {name: unit.bloc_id for name, unit in units.items()} == {
        TU_PHAP: blocs[NOI_CHINH].id,
        THANH_TRA: blocs[NOI_CHINH].id,
        MTTQ: blocs[CUM_1].id,
    }
    members = {member.full_name: member for member in await all_of(database, Member)}
    assert len(members) == 7
    nhung = members[NHUNG]
    assert nhung.unit_id == units[TU_PHAP].id
    assert nhung.name_key == "nguyen thi hong nhung"
    assert nhung.phone == "+84912345678"
    assert nhung.position == "Chuyên viên"
    assert nhung.joined_on == date(2020, 3, 1)
    assert nhung.status == MemberStatus.ACTIVE
    assert nhung.source == MemberSource.IMPORT
    assert nhung.telegram_user_id is None
    assert members[EM].phone is None
    assert members[EM].unit_id == units[THANH_TRA].id
    assert members[HOA].unit_id == units[MTTQ].id
    assert members[HOA].position == "Phó Chủ tịch"


async def test_import_from_a_file_stores_phones_as_e164(database: Database, tmp_path: Path) -> None:
    path = tmp_path / "ds.csv"
    path.write_text(
        "Khối/Cụm,Đơn vị,Họ và tên,Chức vụ,Số điện thoại,Ngày vào đơn vị\n"
        f"{NOI_CHINH},{TU_PHAP},{NHUNG},Chuyên viên,0912 345 678,01/03/2020\n"
        f"{CUM_1},{MTTQ},{HOA},Phó Chủ tịch,84978123456,\n"
        f"{CUM_1},{MTTQ},{DUNG},Chuyên viên,+84 383 456 789,\n",
        encoding="utf-8",
    )
    parsed = read_roster(path)
    assert parsed.problems == []

    report = await apply(database, parsed.rows)

    assert report.created == 3
    phones = {member.full_name: member.phone for member in await all_of(database, Member)}
    assert phones == {NHUNG: "+84912345678", HOA: "+84978123456", DUNG: "+84383456789"}
    kinds = {bloc.name: bloc.kind for bloc in await all_of(database, Bloc)}
    assert kinds == {NOI_CHINH: BlocKind.KHOI, CUM_1: BlocKind.CUM}
    assert (await member_named(database, NHUNG)).joined_on == date(2020, 3, 1)


# --- re-import -----------------------------------------------------------------------------------


async def test_reimporting_the_same_rows_changes_nothing(database: Database) -> None:
    await apply(database, seed_rows())
    before = {member.id: member.updated_at for member in await all_of(database, Member)}
    counts = await table_counts(database)

    report = await apply(database, seed_rows())

    assert report == ImportReport(
        blocs_created=0,
        blocs_total=2,
        units_created=0,
        units_total=3,
        created=0,
        updated=0,
        unchanged=7,
        left=0,
        rejected=[],
    )
    assert await table_counts(database) == counts
    assert counts == {
        "Bloc": 2,
        "Unit": 3,
        "Member": 7,
        "RoleAssignment": 3,  # Nhung and Cường officers, Bình bloc head
        "BlocLeadership": 1,
    }
    after = {member.id: member.updated_at for member in await all_of(database, Member)}
    assert after == before


async def test_a_changed_row_updates_only_that_person(database: Database) -> None:
    await apply(database, seed_rows())
    ids_before = {member.full_name: member.id for member in await all_of(database, Member)}
    rows = replaced(seed_rows(), MAI, position="Phó Chánh Văn phòng")
    # Em had no phone: matched by name in his unit, he gets one.
    rows = replaced(rows, EM, phone="+84911222333")
    # Dung is matched by her phone and moves to Tư pháp.
    rows = replaced(rows, DUNG, unit_name=TU_PHAP)

    report = await apply(database, rows)

    assert (report.created, report.updated, report.unchanged, report.left) == (0, 3, 4, 0)
    assert report.rejected == []
    members = {member.full_name: member for member in await all_of(database, Member)}
    assert {name: member.id for name, member in members.items()} == ids_before
    assert members[MAI].position == "Phó Chánh Văn phòng"
    assert members[EM].phone == "+84911222333"
    assert members[DUNG].unit_id == (await unit_named(database, TU_PHAP)).id
    assert members[DUNG].phone == "+84383456789"
    assert members[NHUNG].position == "Chuyên viên"
    assert await count(database, Member) == 7


async def test_a_person_matched_by_phone_gets_the_new_name(database: Database) -> None:
    await apply(database, seed_rows())
    mai_id = (await member_named(database, MAI)).id

    report = await apply(database, replaced(seed_rows(), MAI, full_name="Lê Thị Tuyết Mai"))

    assert (report.created, report.updated, report.unchanged) == (0, 1, 6)
    renamed = await member_named(database, "Lê Thị Tuyết Mai")
    assert renamed.id == mai_id
    assert renamed.name_key == "le thi tuyet mai"


# --- leaving and coming back ---------------------------------------------------------------------


async def test_a_person_missing_from_an_import_is_marked_left_then_comes_back(
    database: Database,
) -> None:
    await apply(database, seed_rows())
    mai_id = (await member_named(database, MAI)).id

    report = await apply(database, without(seed_rows(), MAI))

    assert (report.created, report.updated, report.unchanged, report.left) == (0, 0, 6, 1)
    mai = await member_named(database, MAI)
    assert mai.id == mai_id
    assert mai.status == MemberStatus.LEFT
    assert await count(database, Member) == 7
    others = [m for m in await all_of(database, Member) if m.id != mai_id]
    assert {m.status for m in others} == {MemberStatus.ACTIVE}

    # Still missing: she is not counted as leaving twice.
    again = await apply(database, without(seed_rows(), MAI))
    assert (again.left, again.unchanged) == (0, 6)

    back = await apply(database, seed_rows())

    assert (back.created, back.updated, back.unchanged, back.left) == (0, 1, 6, 0)
    mai = await member_named(database, MAI)
    assert mai.id == mai_id
    assert mai.status == MemberStatus.ACTIVE
    assert await count(database, Member) == 7


async def test_a_person_who_left_loses_their_roster_roles(database: Database) -> None:
    """The new roster no longer names Nhung: once marked as left she loses the roster's grants,
    so a linked officer who left no longer manages the unit (invites, member lists)."""
    await apply(database, seed_rows())

    report = await apply(database, without(seed_rows(), NHUNG))

    assert report.left == 1
    assert (await member_named(database, NHUNG)).status == MemberStatus.LEFT
    assert await roles_of(database, NHUNG) == set(), "a member who left keeps the officer role"


# --- roles ---------------------------------------------------------------------------------------


async def test_roster_roles_are_scoped_to_the_unit_or_bloc(database: Database) -> None:
    await apply(database, seed_rows())
    tu_phap = await unit_named(database, TU_PHAP)
    thanh_tra = await unit_named(database, THANH_TRA)
    noi_chinh = await bloc_named(database, NOI_CHINH)

    assert await roles_of(database, NHUNG) == {(Role.UNIT_OFFICER, ScopeKind.UNIT, tu_phap.id)}
    assert await roles_of(database, CUONG) == {(Role.UNIT_OFFICER, ScopeKind.UNIT, thanh_tra.id)}
    assert await roles_of(database, BINH) == {(Role.BLOC_HEAD, ScopeKind.BLOC, noi_chinh.id)}
    assert await roles_of(database, MAI) == set()
    grants = await all_of(database, RoleAssignment)
    assert {grant.source for grant in grants} == {GrantSource.ROSTER}
    assert all(grant.telegram_user_id is None for grant in grants)
    lead = await leadership(database, NOI_CHINH)
    assert lead is not None
    assert (lead.head_unit_id, lead.deputy_unit_id) == (tu_phap.id, None)
    assert await leadership(database, CUM_1) is None


async def test_a_bloc_deputy_names_the_deputy_unit(database: Database) -> None:
    await apply(database, seed_rows())

    report = await apply(database, replaced(seed_rows(), CUONG, role=Role.BLOC_DEPUTY))

    assert (report.updated, report.unchanged) == (1, 6)
    noi_chinh = await bloc_named(database, NOI_CHINH)
    thanh_tra = await unit_named(database, THANH_TRA)
    tu_phap = await unit_named(database, TU_PHAP)
    # The officer role of the previous import is gone, not kept beside the new one.
    assert await roles_of(database, CUONG) == {(Role.BLOC_DEPUTY, ScopeKind.BLOC, noi_chinh.id)}
    lead = await leadership(database, NOI_CHINH)
    assert lead is not None
    assert (lead.head_unit_id, lead.deputy_unit_id) == (tu_phap.id, thanh_tra.id)


async def test_changing_roles_replaces_the_roster_roles(database: Database) -> None:
    await apply(database, seed_rows())
    rows = replaced(seed_rows(), NHUNG, role=Role.MEMBER)
    rows = replaced(rows, BINH, role=Role.UNIT_OFFICER)
    rows = replaced(rows, CUONG, role=Role.BLOC_HEAD)

    report = await apply(database, rows)

    # Only the roles changed, yet each of them counts as an update.
    assert (report.created, report.updated, report.unchanged) == (0, 3, 4)
    tu_phap = await unit_named(database, TU_PHAP)
    thanh_tra = await unit_named(database, THANH_TRA)
    noi_chinh = await bloc_named(database, NOI_CHINH)
    assert await roles_of(database, NHUNG) == set()
    assert await roles_of(database, BINH) == {(Role.UNIT_OFFICER, ScopeKind.UNIT, tu_phap.id)}
    assert await roles_of(database, CUONG) == {(Role.BLOC_HEAD, ScopeKind.BLOC, noi_chinh.id)}
    assert await count(database, RoleAssignment) == 2
    lead = await leadership(database, NOI_CHINH)
    assert lead is not None and lead.head_unit_id == thanh_tra.id
    assert await count(database, BlocLeadership) == 1


async def test_roles_from_an_invite_survive_a_roster_role_change(database: Database) -> None:
    await apply(database, seed_rows())
    nhung = await member_named(database, NHUNG)
    assert nhung.id is not None
    async with database.session() as session:
        await people.replace_member_roles(
            nhung.id,
            GrantSource.INVITE,
            [(Role.UNIT_OFFICER, ScopeKind.UNIT, 999)],
            session=session,
        )

    await apply(database, replaced(seed_rows(), NHUNG, role=Role.MEMBER))

    remaining = [g for g in await all_of(database, RoleAssignment) if g.member_id == nhung.id]
    assert [(g.source, g.scope_id) for g in remaining] == [(GrantSource.INVITE, 999)]


async def test_leadership_is_recorded_for_the_import_year(database: Database) -> None:
    await apply(database, seed_rows(), year=2026)
    rows = replaced(seed_rows(), BINH, role=Role.MEMBER)
    rows = replaced(rows, CUONG, role=Role.BLOC_HEAD)

    await apply(database, rows, year=2027)

    tu_phap = await unit_named(database, TU_PHAP)
    thanh_tra = await unit_named(database, THANH_TRA)
    lead_2026 = await leadership(database, NOI_CHINH, 2026)
    lead_2027 = await leadership(database, NOI_CHINH, 2027)
    assert lead_2026 is not None and lead_2026.head_unit_id == tu_phap.id
    assert lead_2027 is not None and lead_2027.head_unit_id == thanh_tra.id


@pytest.mark.parametrize("role", [Role.BLOC_HEAD, Role.BLOC_DEPUTY])
async def test_a_bloc_role_in_a_unit_without_a_bloc_is_rejected(
    database: Database, role: Role
) -> None:
    rows = [
        *seed_rows(),
        row(9, NO_BLOC_UNIT, "Bùi Văn Giang", "+84904111222", bloc=None, role=role),
        row(10, NO_BLOC_UNIT, "Ngô Thị Hạnh", "+84904333444", bloc=None),
    ]

    report = await apply(database, rows)

    reason = Reason("a bloc head or deputy must be in a unit that belongs to a bloc")
    assert report.rejected == [RowProblem(9, (reason,))]
    assert (report.created, report.units_created) == (8, 4)
    names = {member.full_name for member in await all_of(database, Member)}
    assert "Bùi Văn Giang" not in names
    assert "Ngô Thị Hạnh" in names
    assert (await unit_named(database, NO_BLOC_UNIT)).bloc_id is None
    assert not [
        g for g in await all_of(database, RoleAssignment) if g.role == role and g.scope_id is None
    ]


async def test_a_rejected_row_does_not_mark_its_person_as_left(database: Database) -> None:
    """The person is still in the roster; only their row needs fixing, so they are not marked
    as left (their rejected row may be a typo)."""
    await apply(database, seed_rows())
    mai_id = (await member_named(database, MAI)).id
    rows = [
        *without(seed_rows(), MAI),
        row(4, NO_BLOC_UNIT, MAI, "+84356789012", bloc=None, role=Role.BLOC_HEAD),
    ]

    report = await apply(database, rows)

    assert [problem.row_number for problem in report.rejected] == [4]
    mai = await member_named(database, MAI)
    assert mai.id == mai_id
    assert (report.left, mai.status) == (0, MemberStatus.ACTIVE), (
        "a person whose row was rejected is marked as left"
    )


# --- matching people -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("second_name", "second_phone"),
    [
        pytest.param(NHUNG, None, id="same-name-in-unit"),
        pytest.param("Nguyễn Hồng Nhung", "+84912345678", id="same-phone"),
    ],
)
async def test_two_rows_for_the_same_existing_person_reject_the_second(
    database: Database, second_name: str, second_phone: str | None
) -> None:
    await apply(database, seed_rows())
    rows = [
        *seed_rows(),
        row(9, TU_PHAP, second_name, second_phone, position="Trưởng phòng"),
    ]

    report = await apply(database, rows)

    assert report.rejected == [RowProblem(9, (Reason("same person as row {row}", {"row": "2"}),))]
    assert (report.created, report.updated, report.unchanged, report.left) == (0, 0, 7, 0)
    nhung = await member_named(database, NHUNG)
    assert nhung.position == "Chuyên viên"  # the rejected row changed nothing
    assert await count(database, Member) == 7


async def test_namesakes_in_one_unit_with_different_phones_are_two_people(
    database: Database,
) -> None:
    rows = [
        row(2, TU_PHAP, "Nguyễn Văn An", "+84912000001", position="Chuyên viên"),
        row(3, TU_PHAP, "Nguyễn Văn An", "+84912000002", position="Lái xe"),
    ]

    report = await apply(database, rows)

    assert report.created == 2 and report.rejected == []
    members = await all_of(database, Member)
    assert sorted((m.full_name, m.phone, m.position) for m in members) == [
        ("Nguyễn Văn An", "+84912000001", "Chuyên viên"),
        ("Nguyễn Văn An", "+84912000002", "Lái xe"),
    ]

    again = await apply(database, rows)

    assert (again.created, again.updated, again.unchanged, again.left) == (0, 0, 2, 0)
    assert await count(database, Member) == 2


async def test_a_namesake_added_later_is_a_new_person(database: Database) -> None:
    await apply(database, seed_rows())
    namesake = row(9, TU_PHAP, MAI, "+84912000009", position="Kế toán")

    report = await apply(database, [*seed_rows(), namesake])

    assert (report.created, report.updated, report.unchanged) == (1, 0, 7)
    mais = sorted(
        (m.phone, m.position) for m in await all_of(database, Member) if m.full_name == MAI
    )
    assert mais == [("+84356789012", "Chuyên viên"), ("+84912000009", "Kế toán")]


async def test_an_invited_member_is_adopted_by_the_roster(database: Database) -> None:
    await apply(database, seed_rows())
    invited = await add_invited_member(database, "Đỗ Thị Lan", TU_PHAP)
    lan = row(9, TU_PHAP, "Đỗ Thị Lan", "+84912000010", position="Văn thư")

    report = await apply(database, [*seed_rows(), lan])

    assert (report.created, report.updated, report.unchanged, report.left) == (0, 1, 7, 0)
    adopted = await member_named(database, "Đỗ Thị Lan")
    assert adopted.id == invited.id
    assert adopted.source == MemberSource.IMPORT
    assert adopted.phone == "+84912000010"
    assert adopted.position == "Văn thư"
    assert adopted.telegram_user_id == 777  # still linked to the same Telegram account
    assert await count(database, Member) == 8

    # From now on the roster owns the record: missing from an import, it is marked as left.
    later = await apply(database, seed_rows())
    assert later.left == 1
    assert (await member_named(database, "Đỗ Thị Lan")).status == MemberStatus.LEFT


async def test_invited_members_missing_from_an_import_are_not_marked_left(
    database: Database,
) -> None:
    await apply(database, seed_rows())
    invited = await add_invited_member(database, "Đỗ Thị Lan", THANH_TRA)

    report = await apply(database, seed_rows())

    assert (report.created, report.updated, report.unchanged, report.left) == (0, 0, 7, 0)
    kept = await member_named(database, "Đỗ Thị Lan")
    assert kept.id == invited.id
    assert kept.status == MemberStatus.ACTIVE
    assert kept.source == MemberSource.INVITE
