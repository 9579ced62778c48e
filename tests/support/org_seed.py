"""A small organisation for tests, loaded through the real roster import."""

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import select

from bot.roster_file import RosterRow
from bot.roster_import import ImportReport, apply_roster
from storage import people
from storage.database import Database
from storage.models import BlocKind, Member, Role

NOI_CHINH = "Khối các cơ quan Nội chính"
CUM_1 = "Cụm thi đua số 1"
TU_PHAP = "Sở Tư pháp"
THANH_TRA = "Thanh tra tỉnh"
MTTQ = "Ủy ban MTTQ tỉnh"

# Telegram user ids the tests use for each person.
NHUNG, BINH, MAI, CUONG, DUNG, HOA, STRANGER, ADMIN = 501, 502, 503, 504, 505, 506, 900, 999


def _row(
    number: int,
    bloc: str,
    unit: str,
    name: str,
    position: str,
    phone: str | None,
    role: Role = Role.MEMBER,
    joined: date | None = None,
) -> RosterRow:
    kind = BlocKind.CUM if bloc.startswith("Cụm") else BlocKind.KHOI
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


ROWS = [
    _row(
        2,
        NOI_CHINH,
        TU_PHAP,
        "Nguyễn Thị Hồng Nhung",
        "Chuyên viên",
        "+84912345678",
        Role.UNIT_OFFICER,
        date(2020, 3, 1),
    ),
    _row(3, NOI_CHINH, TU_PHAP, "Trần Văn Bình", "Phó Giám đốc", "+84987654321", Role.BLOC_HEAD),
    _row(4, NOI_CHINH, TU_PHAP, "Lê Thị Mai", "Chuyên viên", "+84356789012"),
    _row(
        5,
        NOI_CHINH,
        THANH_TRA,
        "Phạm Văn Cường",
        "Chánh Văn phòng",
        "+84901234567",
        Role.UNIT_OFFICER,
    ),
    _row(6, NOI_CHINH, THANH_TRA, "Hoàng Thị Dung", "Thanh tra viên", "+84383456789"),
    _row(7, NOI_CHINH, THANH_TRA, "Võ Văn Em", "Lái xe", None),
    _row(8, CUM_1, MTTQ, "Đặng Thị Hoa", "Phó Chủ tịch", "+84978123456"),
]


async def seed_org(database: Database) -> ImportReport:
    async with database.session() as session:
        return await apply_roster(list(ROWS), year=2026, session=session)


async def link_by_name(session: AsyncSession, telegram_ids: dict[str, int]) -> None:
    """As if these members (by full name) had shared their phone with the bot."""
    for user_id in telegram_ids.values():
        await people.upsert_telegram_user(
            user_id,
            first_name="Test",
            last_name=None,
            username=None,
            language_code="vi",
            session=session,
        )
    await session.flush()
    for member in (await session.execute(select(Member))).scalars():
        member.telegram_user_id = telegram_ids.get(member.full_name)
