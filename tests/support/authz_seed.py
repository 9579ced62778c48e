"""One organisation with something of everyone's in it, for the authorisation matrix.

The data the matrix aims at lives in Thanh tra tỉnh (bloc: Khối các cơ quan Nội chính):
Dung's approved pledge and her report at Quý I, Em's pledge awaiting approval, the unit's
covenant and scoring sheet. Sở Tư pháp (same bloc) and Ủy ban MTTQ tỉnh (Cụm thi đua số 1)
hold the "other" people: the officer of another unit (Nhung), the bloc head of another bloc
(Hoa, given that grant here) and another member (Mai), whose data must never leak.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path

from sqlmodel import select

from bot import pledges, reports
from bot.scoring import import_sheet
from bot.scoring_file import load_sheet_file
from storage import campaigns as campaign_store
from storage import covenants, people
from storage import outbox as outbox_store
from storage import pledges as pledge_store
from storage.campaign_models import Broadcast, Campaign
from storage.database import Database
from storage.models import Bloc, GrantSource, Role, ScopeKind
from storage.progress_models import EvidenceKind
from storage.reminder_models import MemberLeave, Reminder
from tests.support.campaign_seed import seed_campaign
from tests.support.flows import make_admin
from tests.support.org_seed import (
    ADMIN,
    BINH,
    CUM_1,
    CUONG,
    DUNG,
    HOA,
    MAI,
    NHUNG,
    NOI_CHINH,
    STRANGER,
    THANH_TRA,
    TU_PHAP,
    link_by_name,
)
from tests.support.pledge_seed import OPEN_DAY, individual, member_id, seed_launched, unit_id
from tests.support.progress_seed import INITIATIVES, number

TODAY = date(2027, 3, 20)  # registration open (deadline 25/03), Quý I reports open (due 31/03)
NOW = datetime.combine(TODAY, time(3, 0), tzinfo=UTC)
SHEET_FILE = Path(__file__).parents[2] / "examples" / "cham_diem_mau.yaml"

DUNG_NAME, EM_NAME, MAI_NAME = "Hoàng Thị Dung", "Võ Văn Em", "Lê Thị Mai"
DUNG_NOTE = "Báo cáo quý I của Thanh tra"
EM_COMMITMENT = "Cam kết của Thanh tra tỉnh"
DRAFT_NAME = "Phong trào thi đua dự thảo năm 2028"

# The seven people of the matrix, by role relative to Thanh tra tỉnh.
STRANGER_ROLE, MEMBER, OTHER_OFFICER, OFFICER, OTHER_BLOC_HEAD, BLOC_HEAD, ADMIN_ROLE = (
    "stranger",
    "member",
    "officer of another unit",
    "officer",
    "bloc head of another bloc",
    "bloc head",
    "admin",
)
ROLES = (
    STRANGER_ROLE,
    MEMBER,
    OTHER_OFFICER,
    OFFICER,
    OTHER_BLOC_HEAD,
    BLOC_HEAD,
    ADMIN_ROLE,
)
USERS = {
    STRANGER_ROLE: STRANGER,
    MEMBER: DUNG,
    OTHER_OFFICER: NHUNG,
    OFFICER: CUONG,
    OTHER_BLOC_HEAD: HOA,
    BLOC_HEAD: BINH,
    ADMIN_ROLE: ADMIN,
}
LINKED = {
    "Nguyễn Thị Hồng Nhung": NHUNG,
    "Trần Văn Bình": BINH,
    MAI_NAME: MAI,
    "Phạm Văn Cường": CUONG,
    DUNG_NAME: DUNG,
    "Đặng Thị Hoa": HOA,
}


@dataclass(frozen=True)
class World:
    """The ids the matrix's callback data is built from."""

    campaign: int
    draft: int
    unit: int  # Thanh tra tỉnh
    other_unit: int  # Sở Tư pháp
    bloc: int  # Khối các cơ quan Nội chính
    other_bloc: int  # Cụm thi đua số 1
    dung_pledge: int  # approved
    em_pledge: int  # awaiting approval, entered by the officer
    mai_pledge: int  # Sở Tư pháp, approved
    milestone: int  # Quý I
    report: int  # Dung's, awaiting review, with a photo
    sheet: int
    broadcast: int
    dung_reminder: int
    mai_reminder: int
    dung_leave: int
    mai_leave: int
    em_member: int

    def ids(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


async def _bloc_id(database: Database, name: str) -> int:
    async with database.session() as session:
        found = (await session.execute(select(Bloc.id).where(Bloc.name == name))).scalar_one()
        return int(found)


async def _confirm(database: Database, campaign_id: int, name: str, actor: int) -> int:
    values = await individual(
        database,
        campaign_id,
        await member_id(database, name),
        commitment=EM_COMMITMENT if name == EM_NAME else "Hoàn thành xuất sắc nhiệm vụ",
    )
    async with database.session() as session:
        done = await pledges.confirm(values, actor=actor, today=OPEN_DAY, session=session)
        assert done.pledge.id is not None
        return done.pledge.id


async def _approve(database: Database, pledge_id: int, actor: int) -> None:
    async with database.session() as session:
        await pledges.approve(pledge_id, actor=actor, session=session)


async def _report(database: Database, pledge_id: int, milestone_id: int) -> int:
    async with database.session() as session:
        [target] = await pledge_store.targets_of(pledge_id, session=session)
        assert target.id is not None
        result = await reports.submit_report(
            pledge_id,
            milestone_id,
            {target.id: number(INITIATIVES, "1")},
            note=DUNG_NOTE,
            evidence=[
                reports.EvidenceInput(
                    file_id="photo-dung", file_unique_id="u-photo-dung", kind=EvidenceKind.PHOTO
                )
            ],
            actor=DUNG,
            today=TODAY,
            session=session,
        )
        assert result.report.id is not None
        return result.report.id


async def _reminder(database: Database, campaign_id: int, milestone_id: int, member: int) -> int:
    """A reminder 7 days before Sơ kết 6 tháng (15/07/2027): the member may snooze it a day."""
    async with database.session() as session:
        row = Reminder(
            campaign_id=campaign_id,
            task=f"rep:{milestone_id}",
            step="d7",
            audience="member",
            subject_id=member,
            deadline=date(2027, 7, 15),
            due_at=datetime.combine(date(2027, 7, 8), time(1, 0), tzinfo=UTC),
        )
        session.add(row)
        await session.flush()
        assert row.id is not None
        return row.id


async def _leave(database: Database, member: int) -> int:
    async with database.session() as session:
        leave = MemberLeave(member_id=member, starts=date(2027, 4, 5), ends=date(2027, 4, 9))
        session.add(leave)
        await session.flush()
        assert leave.id is not None
        return leave.id


async def seed_world(database: Database) -> World:
    """Everything the matrix presses on."""
    campaign_id = await seed_launched(database)
    draft_id = await seed_campaign(database, name=DRAFT_NAME)
    unit = await unit_id(database, THANH_TRA)
    bloc, other_bloc = await _bloc_id(database, NOI_CHINH), await _bloc_id(database, CUM_1)
    async with database.session() as session:
        await link_by_name(session, LINKED)
    await make_admin(database, ADMIN)
    async with database.session() as session:
        await people.grant_to_telegram_id(
            HOA, Role.BLOC_HEAD, ScopeKind.BLOC, other_bloc, GrantSource.GRANT, session=session
        )
        campaign = await session.get(Campaign, campaign_id)
        assert campaign is not None
        campaign.reminders_snoozable = True
        campaign.report_grace_days = 0
    dung = await _confirm(database, campaign_id, DUNG_NAME, DUNG)
    mai = await _confirm(database, campaign_id, MAI_NAME, MAI)
    em = await _confirm(database, campaign_id, EM_NAME, CUONG)
    await _approve(database, dung, CUONG)
    await _approve(database, mai, NHUNG)
    async with database.session() as session:
        milestones = await campaign_store.milestones_of(campaign_id, session=session)
        quarter, half_year = milestones[0].id, milestones[1].id
        assert quarter is not None and half_year is not None
        spec = load_sheet_file(SHEET_FILE)
        sheet, _ = await import_sheet(
            campaign_id, NOI_CHINH, spec, title=spec.title or "", session=session
        )
        assert sheet.id is not None
        await covenants.set_covenant(
            campaign_id,
            bloc,
            "Giao ước thi đua Khối các cơ quan Nội chính năm 2027",
            [{"label": "Tỷ lệ hồ sơ đúng hạn", "unit": "%", "planned": "100"}],
            session=session,
        )
        broadcast = await outbox_store.add_broadcast(
            Broadcast(kind="announcement", created_by=ADMIN, admin_chat_id=ADMIN, total=1),
            session=session,
        )
        assert broadcast.id is not None
    report = await _report(database, dung, quarter)
    dung_member = await member_id(database, DUNG_NAME)
    mai_member = await member_id(database, MAI_NAME)
    return World(
        campaign=campaign_id,
        draft=draft_id,
        unit=unit,
        other_unit=await unit_id(database, TU_PHAP),
        bloc=bloc,
        other_bloc=other_bloc,
        dung_pledge=dung,
        em_pledge=em,
        mai_pledge=mai,
        milestone=quarter,
        report=report,
        sheet=sheet.id,
        broadcast=broadcast.id,
        dung_reminder=await _reminder(database, campaign_id, half_year, dung_member),
        mai_reminder=await _reminder(database, campaign_id, half_year, mai_member),
        dung_leave=await _leave(database, dung_member),
        mai_leave=await _leave(database, mai_member),
        em_member=await member_id(database, EM_NAME),
    )
