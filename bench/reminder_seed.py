"""Databases for the reminder benchmark: a launched campaign, its planned steps, bulk rows.

Rows are written straight into `reminders` (COPY on PostgreSQL, executemany on SQLite) with
exactly the slots and times the planner would choose, so the bot's own plan job finds nothing
to move when it runs against them.
"""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import asyncpg
from sqlalchemy import insert, update
from sqlalchemy.engine import make_url

from bot.reminder_calendar import ReminderCalendar
from bot.reminder_plan import REGISTRATION_TASK, Audience, PlannedStep, plan_steps
from bot.reminder_planner import campaign_rules, deadlines_of
from storage import campaigns as campaign_store
from storage.campaign_models import Campaign, CampaignMilestone, CampaignStatus
from storage.database import Database
from storage.reminder_models import Reminder, ReminderStatus
from tests.support.campaign_seed import seed_campaign

COLUMNS = (
    "campaign_id",
    "task",
    "step",
    "audience",
    "subject_id",
    "deadline",
    "due_at",
    "status",
    "snoozed",
)
CHUNK = 50_000


@dataclass(frozen=True)
class Backend:
    name: str  # "SQLite" or "PostgreSQL"
    url: str  # SQLAlchemy URL of the benchmark's own database

    @property
    def is_sqlite(self) -> bool:
        return self.url.startswith("sqlite")


def _asyncpg_dsn(url: str, database: str) -> str:
    parsed = make_url(url).set(drivername="postgresql", database=database)
    return parsed.render_as_string(hide_password=False)


async def recreate_pg_database(server_url: str, name: str) -> str:
    """Drop and create database `name` on the server of `server_url`; its SQLAlchemy URL."""
    admin = await asyncpg.connect(_asyncpg_dsn(server_url, make_url(server_url).database or ""))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


async def drop_pg_database(server_url: str, name: str) -> None:
    admin = await asyncpg.connect(_asyncpg_dsn(server_url, make_url(server_url).database or ""))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


async def launched_campaign(database: Database) -> int:
    """The test campaign (registration, Q1, half-year) plus a year-end milestone, launched."""
    campaign_id = await seed_campaign(database)
    async with database.session() as session:
        await campaign_store.add(
            [
                CampaignMilestone(
                    campaign_id=campaign_id, position=3, name="Tổng kết năm", due=date(2027, 11, 30)
                )
            ],
            session=session,
        )
        campaign = await session.get(Campaign, campaign_id)
        assert campaign is not None
        campaign.status = CampaignStatus.LAUNCHED
    return campaign_id


async def member_steps(
    database: Database, campaign_id: int, calendar: ReminderCalendar, now: datetime
) -> list[PlannedStep]:
    """The member slots the planner would write now (as `plan_campaign` filters them)."""
    async with database.session() as session:
        campaign = await session.get(Campaign, campaign_id)
        assert campaign is not None
        deadlines = await deadlines_of(campaign, session=session)
        steps = plan_steps(deadlines, campaign_rules(campaign), calendar, not_before=now)
        late_ok = campaign.late_registration
    return [
        step
        for step in steps
        if step.audience is Audience.MEMBER
        and not (step.task == REGISTRATION_TASK and step.step == "late" and not late_ok)
    ]


def reminder_rows(
    campaign_id: int, steps: Sequence[PlannedStep], member_ids: Sequence[int]
) -> Iterator[tuple[Any, ...]]:
    """One pending row per (member, step), in the column order of `COLUMNS`."""
    for step in steps:
        for member_id in member_ids:
            yield (
                campaign_id,
                step.task,
                step.step,
                "member",
                member_id,
                step.deadline,
                step.at,
                ReminderStatus.PENDING.value,
                False,
            )


def _chunks(rows: Iterator[tuple[Any, ...]]) -> Iterator[list[tuple[Any, ...]]]:
    chunk: list[tuple[Any, ...]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


async def bulk_insert(database: Database, rows: Iterator[tuple[Any, ...]]) -> int:
    """COPY (PostgreSQL) or executemany in 50,000-row transactions (SQLite); rows written."""
    written = 0
    if database.is_sqlite:
        table = Reminder.__table__  # type: ignore[attr-defined]
        for chunk in _chunks(rows):
            async with database.engine.begin() as connection:
                await connection.execute(
                    insert(table), [dict(zip(COLUMNS, row, strict=True)) for row in chunk]
                )
            written += len(chunk)
        return written
    async with database.engine.connect() as connection:
        raw = await connection.get_raw_connection()
        driver: Any = raw.driver_connection
        for chunk in _chunks(rows):
            await driver.copy_records_to_table("reminders", records=chunk, columns=list(COLUMNS))
            written += len(chunk)
    async with database.engine.begin() as connection:
        await connection.exec_driver_sql("ANALYZE reminders")
    return written


async def make_due(
    database: Database, campaign_id: int, step: PlannedStep, member_ids: Sequence[int], at: datetime
) -> None:
    """Move these members' rows of one slot to `at` (committed)."""
    async with database.session() as session:
        await session.execute(
            update(Reminder)
            .where(
                Reminder.campaign_id == campaign_id,  # type: ignore[arg-type]
                Reminder.task == step.task,  # type: ignore[arg-type]
                Reminder.step == step.step,  # type: ignore[arg-type]
                Reminder.subject_id.in_(list(member_ids)),  # type: ignore[attr-defined]
            )
            .values(due_at=at)
        )
