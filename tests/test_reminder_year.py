"""A campaign year on a frozen clock: exactly the expected reminder log (who, what, when), and
nothing at night, on a weekend or on a public holiday.

Sở Tư pháp only: Nhung (its officer), Bình (the bloc head) and Mai. Mai registers on 20/03,
is approved on 22/03 and reports Quý I on 30/03 at 10:00; nobody else does anything. A third
milestone, due Monday 19/04/2027, puts its d3 on Giỗ Tổ Hùng Vương (Friday 16/04).
"""

from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from bot import pledges, reports
from bot.i18n import Catalogs
from bot.reminder_calendar import ReminderCalendar
from bot.reminder_planner import plan_campaign
from bot.reminder_sweep import sweep
from storage import campaigns as campaign_store
from storage import pledges as pledge_store
from storage import reminders as reminder_store
from storage.campaign_models import (
    AudienceKind,
    Campaign,
    CampaignAudienceScope,
    CampaignMilestone,
    OutboxMessage,
)
from storage.database import Database
from storage.pledge_models import PledgeKind
from storage.reminder_models import Reminder
from tests.support.org_seed import BINH, MAI, NHUNG, link_by_name
from tests.support.pledge_seed import individual, member_id, seed_launched, unit_id
from tests.support.progress_seed import INITIATIVES, number

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
CALENDAR = ReminderCalendar(TZ)
PEOPLE = {NHUNG: "Nhung", BINH: "Bình", MAI: "Mai"}
NAMES = {"Nguyễn Thị Hồng Nhung": NHUNG, "Trần Văn Bình": BINH, "Lê Thị Mai": MAI}

EXPECTED = [
    # (day, who, task, step): every reminder at 08:00 local
    ("18/03", "Bình", "reg", "d7"),
    ("18/03", "Mai", "reg", "d7"),
    ("18/03", "Nhung", "reg", "d7"),
    ("22/03", "Bình", "reg", "d3"),
    ("22/03", "Nhung", "reg", "d3"),
    ("24/03", "Bình", "reg", "d1"),
    ("24/03", "Mai", "Quý I", "d7"),
    ("24/03", "Nhung", "reg", "d1"),
    ("25/03", "Bình", "reg", "d0"),
    ("25/03", "Nhung", "reg", "d0"),
    ("29/03", "Mai", "Quý I", "d3"),  # 28/03 is a Sunday
    ("29/03", "Nhung", "reg", "officer"),
    ("30/03", "Bình", "reg", "bloc"),
    ("30/03", "Mai", "Quý I", "d1"),  # she reports at 10:00 that day: no d0
    ("12/04", "Mai", "Tháng 4", "d7"),
    ("19/04", "Mai", "Tháng 4", "d0"),  # d3 (Giỗ Tổ) and d1 (Sunday) fold into d0
    ("20/04", "Mai", "Tháng 4", "late"),
    ("21/04", "Nhung", "Tháng 4", "officer"),
    ("22/04", "Bình", "Tháng 4", "bloc"),
    ("08/07", "Mai", "Sơ kết 6 tháng", "d7"),
    ("12/07", "Mai", "Sơ kết 6 tháng", "d3"),
    ("14/07", "Mai", "Sơ kết 6 tháng", "d1"),
    ("15/07", "Mai", "Sơ kết 6 tháng", "d0"),
    ("16/07", "Mai", "Sơ kết 6 tháng", "late"),
    ("19/07", "Nhung", "Sơ kết 6 tháng", "officer"),
    ("20/07", "Bình", "Sơ kết 6 tháng", "bloc"),
]


def local(day: date, hour: int = 8) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=TZ).astimezone(UTC)


async def _seed(database: Database) -> int:
    campaign_id = await seed_launched(database)
    unit = await unit_id(database, "Sở Tư pháp")
    async with database.session() as session:
        campaign = await session.get(Campaign, campaign_id)
        assert campaign is not None
        campaign.audience = AudienceKind.UNITS
        session.add(
            CampaignAudienceScope(campaign_id=campaign_id, scope_kind="unit", scope_id=unit)
        )
        session.add(
            CampaignMilestone(
                campaign_id=campaign_id, position=3, name="Tháng 4", due=date(2027, 4, 19)
            )
        )
        await link_by_name(session, NAMES)
    return campaign_id


async def _script(
    database: Database, campaign_id: int
) -> list[tuple[datetime, Callable[[], Awaitable[None]]]]:
    mai = await member_id(database, "Lê Thị Mai")
    values = await individual(database, campaign_id, mai)

    async def register() -> None:
        async with database.session() as session:
            await pledges.confirm(values, actor=MAI, today=date(2027, 3, 20), session=session)

    async def approve() -> None:
        async with database.session() as session:
            pledge = await pledges_of(session, campaign_id, mai)
            await pledges.approve(pledge, actor=NHUNG, session=session)

    async def report_quarter() -> None:
        async with database.session() as session:
            pledge = await pledges_of(session, campaign_id, mai)
            milestones = await campaign_store.milestones_of(campaign_id, session=session)
            quarter = next(m for m in milestones if m.name == "Quý I")
            [target] = [
                t
                for t in await pledge_store.targets_of(pledge, session=session)
                if t.label == INITIATIVES
            ]
            await reports.submit_report(
                pledge,
                quarter.id or 0,
                {target.id or 0: number(INITIATIVES, "1")},
                actor=MAI,
                today=date(2027, 3, 30),
                session=session,
            )

    return [
        (local(date(2027, 3, 20), 9), register),
        (local(date(2027, 3, 22), 14), approve),
        (local(date(2027, 3, 30), 10), report_quarter),
    ]


async def pledges_of(session: AsyncSession, campaign_id: int, member: int) -> int:
    pledge = await pledge_store.live_pledge(
        campaign_id, PledgeKind.INDIVIDUAL, member_id=member, session=session
    )  # type: ignore[arg-type]
    assert pledge is not None and pledge.id is not None
    return pledge.id


async def test_a_campaign_year_gives_exactly_the_expected_reminders(
    database: Database, catalogs: Catalogs
) -> None:
    campaign_id = await _seed(database)
    actions = await _script(database, campaign_id)
    now = local(date(2027, 2, 1), 0)
    end = local(date(2027, 12, 31), 23)
    async with database.session() as session:  # at launch
        campaign = await session.get(Campaign, campaign_id)
        assert campaign is not None
        await plan_campaign(campaign, calendar=CALENDAR, now=now, session=session)
    planned_on: date | None = None
    while now < end:
        async with database.session() as session:
            due = await reminder_store.next_due(session=session)
        upcoming = [at for at, _ in actions]
        if actions and (due is None or upcoming[0] <= due):
            now, action = actions.pop(0)
            await action()
            continue
        if due is None or due > end:
            break
        now = due
        async with database.session() as session:
            if planned_on != now.astimezone(TZ).date():  # the daily re-plan changes nothing
                campaign = await session.get(Campaign, campaign_id)
                assert campaign is not None
                await plan_campaign(campaign, calendar=CALENDAR, now=now, session=session)
                planned_on = now.astimezone(TZ).date()
            await sweep(now, catalogs=catalogs, calendar=CALENDAR, session=session)

    log = await _log(database)
    assert log == EXPECTED
    async with database.session() as session:
        rows = list(
            (
                await session.execute(select(OutboxMessage).where(OutboxMessage.kind == "reminder"))
            ).scalars()
        )
        times = [r.created_at for r in rows]
    assert len(times) == len(EXPECTED)


async def _log(database: Database) -> list[tuple[str, str, str, str]]:
    async with database.session() as session:
        outbox = (
            await session.execute(
                select(OutboxMessage)
                .where(OutboxMessage.kind == "reminder")
                .order_by(col(OutboxMessage.id))
            )
        ).scalars()
        milestones = {
            m.id: m.name for m in (await session.execute(select(CampaignMilestone))).scalars()
        }
        entries = []
        for row in outbox:
            reminder_id = int(row.dedupe_key.split(":")[1])
            reminder = await session.get(Reminder, reminder_id)
            assert reminder is not None
            when = reminder.due_at.astimezone(TZ)
            assert when.time() == time(8, 0) and CALENDAR.is_working_day(when.date())
            assert CALENDAR.is_allowed(when)
            task = "reg" if reminder.task == "reg" else milestones[int(reminder.task[4:])]
            entries.append((f"{when:%d/%m}", PEOPLE[row.chat_id], task, reminder.step))
    return sorted(entries, key=lambda e: (e[0][3:], e[0][:2], e[1], e[2], e[3]))
