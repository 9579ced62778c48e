"""Campaign summaries (`/tonghop`): a bloc head's bloc and an admin's whole organisation.

Seeds, with bulk inserts (COPY on PostgreSQL, executemany on SQLite), a migrated database: 20
blocs × 25 units, members (1 in 50 left), a launched campaign, individual pledges for 90% of
members (1 in 9 pending, the rest approved), 2 targets each (a number and a yes/no), reports with
values for ~70% of approved pledges at the first milestone, covenants in 15 blocs signed by 70%
of their units. Then times `units_in_scope` + `summarise` in a fresh session, as the handler does
(p50/p95 over --runs after warm-up): first with every unit computed from the rows, then with
the figures stored by the refresher (`bot/summary_refresh.py`), then with 1 % of the units
changed since the refresh; and prints the plan of every statement of the stored path.

    .venv/bin/python -m bench.summaries [--quick] [--no-postgres] [--postgres URL]

Targets: bloc summary ≤ 50 ms p95 on SQLite at 100,000 members; organisation summary ≤ 200 ms
p95 on PostgreSQL at 1,000,000 members. Prints met/missed; asserts nothing.
"""

import argparse
import asyncio
import gc
import math
import os
import random
import re
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import event, func, select, text

from bench.reminder_seed import drop_pg_database, launched_campaign, recreate_pg_database
from bench.throughput import machine
from bot.access import Grant, Viewer
from bot.summaries import CampaignSummary, summarise, units_in_scope
from bot.summary_refresh import refresh_all
from bot.text import match_key
from storage import campaigns as campaign_store
from storage.campaign_models import Campaign, TargetType
from storage.catalogue import all_items
from storage.database import Database
from storage.migrate import upgrade
from storage.models import Bloc, BlocKind, MemberSource, MemberStatus, Role, ScopeKind, Unit
from storage.pledge_models import Covenant, CovenantSignature, PledgeKind, PledgeStatus
from storage.progress_models import ReportStatus
from storage.types import utcnow

TODAY = date(2027, 4, 5)  # after the first milestone (Q1, due 2027-03-31): its reports count
BLOCS = 20
UNITS_PER_BLOC = 25
CHUNK = 50_000
SQLITE_BLOC_TARGET_MS = 50.0
PG_ORG_TARGET_MS = 200.0
OVERVIEW_AGE = timedelta(seconds=120)  # twice THIDUA_SUMMARY_REFRESH_SECONDS' default
STALE_UNITS = 5  # 1 % of the 500 units changed since the last refresh
PG_NAME = "bench_summaries"
RUN_BUDGET_SECONDS = 45.0
DEFAULT_SERVER = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
NOW = datetime(2027, 2, 1, 8, 0, tzinfo=UTC)
FOUR = Decimal(4)

MEMBER_COLUMNS = (
    "id",
    "full_name",
    "name_key",
    "unit_id",
    "status",
    "source",
    "created_at",
    "updated_at",
)
PLEDGE_COLUMNS = (
    "id",
    "campaign_id",
    "kind",
    "member_id",
    "unit_id",
    "title_item_id",
    "award_item_id",
    "commitment",
    "status",
    "late",
    "on_behalf",
    "warnings",
    "created_at",
    "updated_at",
    "submitted_at",
)
TARGET_COLUMNS = (
    "id",
    "pledge_id",
    "position",
    "template_id",
    "label",
    "unit",
    "type",
    "planned_number",
    "planned_yes_no",
)
REPORT_COLUMNS = (
    "id",
    "milestone_id",
    "pledge_id",
    "status",
    "late",
    "note",
    "created_at",
    "updated_at",
    "submitted_at",
)
VALUE_COLUMNS = ("id", "report_id", "pledge_target_id", "achieved_number", "achieved_yes_no")


@dataclass(frozen=True)
class Seeded:
    campaign_id: int
    bloc_id: int  # the bloc whose head is timed (it has a covenant)
    members: int
    pledges: int
    reports: int


@dataclass(frozen=True)
class Pledged:
    pledge_id: int
    member_id: int
    unit_id: int
    approved: bool
    reported: bool


def units_of(members: int, unit_ids: Sequence[int]) -> list[int]:
    """Each member's unit (index member_id - 1), at random but reproducible, so statuses, titles
    and reports (chosen from the ids) spread evenly over the units."""
    rng = random.Random(2027)
    return [rng.choice(unit_ids) for _ in range(members)]


def pledges_of(members: int, units: Sequence[int]) -> Iterator[Pledged]:
    """The deterministic plan: who pledged, in which status, and which approved ones reported."""
    pledge_id = 0
    for member_id in range(1, members + 1):
        if member_id % 50 == 7 or member_id % 10 == 9:  # left the roster, or did not pledge
            continue
        pledge_id += 1
        approved = member_id % 10 != 3
        yield Pledged(
            pledge_id,
            member_id,
            units[member_id - 1],
            approved,
            approved and (pledge_id * 7) % 10 < 7,
        )


def member_rows(members: int, units: Sequence[int]) -> Iterator[tuple[Any, ...]]:
    for member_id in range(1, members + 1):
        status = MemberStatus.LEFT if member_id % 50 == 7 else MemberStatus.ACTIVE
        yield (
            member_id,
            f"Cán bộ {member_id}",
            f"can bo {member_id}",
            units[member_id - 1],
            status.value,
            MemberSource.IMPORT.value,
            NOW,
            NOW,
        )


def pledge_rows(
    plan: Iterator[Pledged], campaign_id: int, items: dict[str, int]
) -> Iterator[tuple[Any, ...]]:
    for p in plan:
        status = PledgeStatus.APPROVED if p.approved else PledgeStatus.PENDING
        yield (
            p.pledge_id,
            campaign_id,
            PledgeKind.INDIVIDUAL.value,
            p.member_id,
            p.unit_id,
            items["CSTDCS" if p.member_id % 10 == 0 else "LDTT"],
            items["GIAY_KHEN"] if p.member_id % 7 == 0 else None,
            "Hoàn thành xuất sắc nhiệm vụ",
            status.value,
            False,
            False,
            "[]",
            NOW,
            NOW,
            NOW,
        )


def target_rows(plan: Iterator[Pledged], template_id: int) -> Iterator[tuple[Any, ...]]:
    for p in plan:
        number = TargetType.NUMBER.value
        yield (
            2 * p.pledge_id - 1,
            p.pledge_id,
            1,
            template_id,
            "Số sáng kiến",
            "",
            number,
            FOUR,
            None,
        )
        yield (2 * p.pledge_id, p.pledge_id, 2, None, "Không vi phạm", "", "yes_no", None, True)


def report_rows(plan: Iterator[Pledged], milestone_id: int) -> Iterator[tuple[Any, ...]]:
    report_id = 0
    for p in plan:
        if p.reported:
            report_id += 1
            late = p.pledge_id % 13 == 0
            status = ReportStatus.APPROVED.value
            yield (report_id, milestone_id, p.pledge_id, status, late, "", NOW, NOW, NOW)


def value_rows(plan: Iterator[Pledged]) -> Iterator[tuple[Any, ...]]:
    """Number target: 0–4 of 4 planned (on track from 1 at Q1); yes/no: done for 2 in 3."""
    report_id = 0
    for p in plan:
        if p.reported:
            report_id += 1
            number = Decimal(p.pledge_id % 5)
            yield (2 * report_id - 1, report_id, 2 * p.pledge_id - 1, number, None)
            yield (2 * report_id, report_id, 2 * p.pledge_id, None, p.pledge_id % 3 != 0)


def _chunks(rows: Iterator[tuple[Any, ...]]) -> Iterator[list[tuple[Any, ...]]]:
    chunk: list[tuple[Any, ...]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _sqlite_value(value: Any) -> Any:
    """As SQLAlchemy stores it on SQLite: naive UTC text for timestamps, text for decimals."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, Decimal):
        return str(value)
    return value


async def bulk_insert(
    database: Database, table: str, columns: Sequence[str], rows: Iterator[tuple[Any, ...]]
) -> int:
    """COPY (PostgreSQL) or executemany in 50,000-row transactions (SQLite); rows written."""
    written = 0
    if database.is_sqlite:
        placeholders = ", ".join("?" for _ in columns)
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})"
        for chunk in _chunks(rows):
            sqlite_rows = [tuple(_sqlite_value(v) for v in row) for row in chunk]
            async with database.engine.begin() as connection:
                raw = await connection.get_raw_connection()
                driver: Any = raw.driver_connection
                await driver.executemany(sql, sqlite_rows)
            written += len(chunk)
        return written
    async with database.engine.connect() as connection:
        raw = await connection.get_raw_connection()
        pg: Any = raw.driver_connection
        for chunk in _chunks(rows):
            await pg.copy_records_to_table(table, records=chunk, columns=list(columns))
            written += len(chunk)
    return written


async def seed(database: Database, members: int) -> Seeded:
    await upgrade(database)
    async with database.session() as session:
        blocs = [
            Bloc(name=f"Khối {n:02d}", name_key=f"khoi {n:02d}", kind=BlocKind.KHOI)
            for n in range(1, BLOCS + 1)
        ]
        session.add_all(blocs)
        await session.flush()
        units = [
            Unit(name=f"Đơn vị {b:02d}.{n:02d}", name_key=match_key(f"Don vi {b:02d}.{n:02d}"))
            for b in range(1, BLOCS + 1)
            for n in range(1, UNITS_PER_BLOC + 1)
        ]
        for index, unit in enumerate(units):
            unit.bloc_id = blocs[index // UNITS_PER_BLOC].id
        session.add_all(units)
        await session.flush()
        unit_ids = [u.id for u in units if u.id is not None]
        bloc_ids = [b.id for b in blocs if b.id is not None]
    campaign_id = await launched_campaign(database)
    async with database.session() as session:
        items = {i.code: i.id for i in await all_items(session=session) if i.id is not None}
        [template] = await campaign_store.targets_of(campaign_id, session=session)
        milestones = await campaign_store.milestones_of(campaign_id, session=session)
        covenants = [
            Covenant(campaign_id=campaign_id, bloc_id=bloc_id, text="Giao ước thi đua")
            for index, bloc_id in enumerate(bloc_ids)
            if index % 4 != 3
        ]
        session.add_all(covenants)
        await session.flush()
        by_bloc = {c.bloc_id: c.id for c in covenants if c.id is not None}
        session.add_all(
            CovenantSignature(covenant_id=by_bloc[bloc_id], unit_id=unit_id, signed_by=1)
            for index, (unit_id, bloc_id) in enumerate(
                (u.id, u.bloc_id) for u in units if u.id is not None and u.bloc_id is not None
            )
            if bloc_id in by_bloc and index % 10 < 7
        )
    assert template.id is not None and milestones[0].id is not None
    member_units = units_of(members, unit_ids)
    await bulk_insert(database, "members", MEMBER_COLUMNS, member_rows(members, member_units))
    plan = lambda: pledges_of(members, member_units)  # noqa: E731
    pledges = await bulk_insert(
        database, "pledges", PLEDGE_COLUMNS, pledge_rows(plan(), campaign_id, items)
    )
    await bulk_insert(database, "pledge_targets", TARGET_COLUMNS, target_rows(plan(), template.id))
    reports = await bulk_insert(
        database, "progress_reports", REPORT_COLUMNS, report_rows(plan(), milestones[0].id)
    )
    await bulk_insert(database, "progress_values", VALUE_COLUMNS, value_rows(plan()))
    if not database.is_sqlite:
        tables = ("members", "pledges", "pledge_targets", "progress_reports", "progress_values")
        async with database.engine.connect() as connection:
            raw = await connection.get_raw_connection()
            pg: Any = raw.driver_connection
            for table in tables:
                await pg.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))"
                )
            # Autovacuum's steady state after a bulk load: statistics and the visibility map.
            await pg.execute("VACUUM ANALYZE")
    return Seeded(campaign_id, bloc_ids[0], members, pledges, reports)


ADMIN = Viewer(telegram_user_id=1, grants=(Grant(Role.ADMIN, ScopeKind.ALL, None),))


def bloc_head(bloc_id: int) -> Viewer:
    return Viewer(telegram_user_id=2, grants=(Grant(Role.BLOC_HEAD, ScopeKind.BLOC, bloc_id),))


async def one_summary(
    database: Database, seeded: Seeded, viewer: Viewer, *, exact: bool = False
) -> CampaignSummary:
    """What `/tonghop` does for the figures: load the campaign, the units in scope, summarise.

    An admin's overview, like the handler's, may use stored figures of the last two refresh
    periods for units changed since (`exact` turns that off, as for blocs and exports)."""
    recent = None if exact or not viewer.is_admin else (utcnow(), OVERVIEW_AGE)
    async with database.session() as session:
        campaign = await session.get(Campaign, seeded.campaign_id)
        assert campaign is not None
        units = await units_in_scope(viewer, session=session)
        return await summarise(campaign, units, TODAY, session=session, recent=recent)


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


async def timed(
    database: Database, seeded: Seeded, viewer: Viewer, runs: int, *, exact: bool = False
) -> tuple[float, float, int, CampaignSummary]:
    summary = await one_summary(database, seeded, viewer, exact=exact)
    for _ in range(2):  # warm-up: caches, compiled statements, pooled connection
        start = time.perf_counter()
        await one_summary(database, seeded, viewer, exact=exact)
        one = time.perf_counter() - start
    runs = max(10, min(runs, int(RUN_BUDGET_SECONDS / one)))  # slow cases: fewer runs
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        await one_summary(database, seeded, viewer, exact=exact)
        times.append((time.perf_counter() - start) * 1000)
    return percentile(times, 0.5), percentile(times, 0.95), runs, summary


async def captured(
    database: Database, seeded: Seeded, viewer: Viewer, *, exact: bool = False
) -> list[tuple[str, Sequence[Any]]]:
    """Every statement one summary runs, with its parameters as sent to the driver."""
    found: list[tuple[str, Sequence[Any]]] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            found.append((statement, parameters))

    event.listen(database.engine.sync_engine, "before_cursor_execute", record)
    try:
        await one_summary(database, seeded, viewer, exact=exact)
    finally:
        event.remove(database.engine.sync_engine, "before_cursor_execute", record)
    return found


def readable(statement: str) -> str:
    """The statement with long IN lists folded, for the docs."""
    statement = re.sub(
        r"\((?:\?, ){3,}\?\)", lambda m: f"(…{m.group(0).count('?')} unit ids…)", statement
    )
    return re.sub(
        r"\((?:\$\d+::INTEGER, ){3,}\$\d+::INTEGER\)",
        lambda m: f"(…{m.group(0).count('$')} unit ids…)",
        statement,
    )


def _folded(match: re.Match[str]) -> str:
    return f"'{{…{match.group(0).count(',') + 1} unit ids…}}'"


async def plans(database: Database, statements: list[tuple[str, Sequence[Any]]]) -> str:
    out = []
    async with database.engine.connect() as connection:
        for number, (statement, parameters) in enumerate(statements, 1):
            out.append(f"-- query {number}\n{readable(statement).strip()}")
            if database.is_sqlite:
                result = await connection.exec_driver_sql(
                    "EXPLAIN QUERY PLAN " + statement, tuple(parameters)
                )
                depth: dict[int, int] = {0: 0}
                for row in result.all():
                    fields: Sequence[Any] = tuple(row)
                    node, parent, detail = int(fields[0]), int(fields[1]), fields[3]
                    depth[node] = depth.get(parent, 0) + 1
                    out.append("  " * depth[node] + str(detail))
            else:
                result = await connection.exec_driver_sql(
                    "EXPLAIN (ANALYZE, BUFFERS) " + statement, tuple(parameters)
                )
                out.extend(
                    re.sub(r"'\{(?:\d+,){3,}\d+\}'", _folded, str(row[0])) for row in result.all()
                )
            out.append("")
    return "\n".join(out)


def verdict(p95: float, target: float | None) -> str:
    if target is None:
        return ""
    return f"  target ≤ {target:.0f} ms: {'met' if p95 <= target else 'MISSED'}"


async def run_backend(
    name: str, database: Database, members: int, runs: int, targets: dict[str, float | None]
) -> None:
    start = time.perf_counter()
    seeded = await seed(database, members)
    async with database.session() as session:
        counts = {
            table: (await session.execute(select(func.count()).select_from(text(table)))).scalar()
            for table in ("members", "pledges", "pledge_targets", "progress_reports")
        }
    print(
        f"\n{name}: seeded in {time.perf_counter() - start:.1f} s: "
        + ", ".join(f"{count:,} {table}" for table, count in counts.items())
    )
    gc.freeze()  # as the bot does once started (handlers/lifecycle.py)
    scopes = (("bloc", bloc_head(seeded.bloc_id)), ("organisation", ADMIN))
    computed: dict[str, CampaignSummary] = {}
    for scope, viewer in scopes:  # no stored figures yet: every unit computed from the rows
        p50, p95, done, summary = await timed(database, seeded, viewer, runs)
        computed[scope] = summary
        f = summary.figures
        print(
            f"{name} {scope} summary, computed from the rows ({len(summary.units)} units, "
            f"{f.roster:,} on the roster): p50 {p50:.1f} ms, p95 {p95:.1f} ms over {done} runs."
        )
        print(
            f"  figures: registered {f.registered:,}, approved {f.approved:,}, "
            f"reported {f.reported:,} (late {f.late_reports:,}), targets {f.targets:,}, "
            f"on track {f.on_track:,}; share expected {summary.expected_share}"
        )
    start = time.perf_counter()
    [refreshed] = await refresh_all(database, TODAY)
    print(
        f"{name}: the refresher stored {refreshed.stored} of {refreshed.units} units' figures "
        f"in {time.perf_counter() - start:.2f} s (once; afterwards only changed units)"
    )
    for scope, viewer in scopes:
        p50, p95, done, summary = await timed(database, seeded, viewer, runs)
        pairs = zip(summary.units, computed[scope].units, strict=True)
        same = all(a.figures == b.figures for a, b in pairs)
        print(
            f"{name} {scope} summary, stored figures: p50 {p50:.1f} ms, p95 {p95:.1f} ms over "
            f"{done} runs; every unit's figures equal the computed ones: {same}."
            f"{verdict(p95, targets[scope])}"
        )
        statements = await captured(database, seeded, viewer)
        print(f"\n{name} {scope} summary: {len(statements)} statements and their plans\n")
        print(await plans(database, statements))
    changed = await touch_units(database, STALE_UNITS)
    for label, exact in (("the overview, as /tonghop shows it", False), ("exact", True)):
        p50, p95, done, summary = await timed(database, seeded, ADMIN, runs, exact=exact)
        as_of = f"; as of {summary.as_of:%H:%M:%S} UTC" if summary.as_of else ""
        print(
            f"{name} organisation summary with {changed} units changed since the last refresh, "
            f"{label}: p50 {p50:.1f} ms, p95 {p95:.1f} ms over {done} runs{as_of}."
        )
        if not exact and targets["organisation"] is not None:
            print(verdict(p95, targets["organisation"]))
        statements = await captured(database, seeded, ADMIN, exact=exact)
        print(f"\n{name} organisation summary, {label}: {len(statements)} statements\n")
        print(await plans(database, statements))


async def touch_units(database: Database, count: int) -> int:
    """A roster change in `count` units (a member's status re-written), as the day brings."""
    async with database.session() as session:
        units = (
            (await session.execute(text("SELECT id FROM units ORDER BY id LIMIT :n"), {"n": count}))
            .scalars()
            .all()
        )
        for unit in units:
            await session.execute(
                text(
                    "UPDATE members SET status = status WHERE id = "
                    "(SELECT min(id) FROM members WHERE unit_id = :unit)"
                ),
                {"unit": unit},
            )
    return len(units)


async def main(quick: bool, postgres: str | None, runs: int) -> None:
    print(f"Machine: {machine()}")
    sqlite_members, pg_members = (10_000, 100_000) if quick else (100_000, 1_000_000)
    with tempfile.TemporaryDirectory() as folder:
        database = Database(f"sqlite+aiosqlite:///{Path(folder) / 'summaries.db'}")
        try:
            await run_backend(
                "SQLite",
                database,
                sqlite_members,
                runs,
                {"bloc": SQLITE_BLOC_TARGET_MS, "organisation": None},
            )
        finally:
            await database.dispose()
    if postgres is None:
        return
    url = await recreate_pg_database(postgres, PG_NAME)
    database = Database(url)
    try:
        await run_backend(
            "PostgreSQL",
            database,
            pg_members,
            runs,
            {"bloc": None, "organisation": PG_ORG_TARGET_MS},
        )
    finally:
        await database.dispose()
        await drop_pg_database(postgres, PG_NAME)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10k members on SQLite, 100k on PG")
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    parser.add_argument(
        "--postgres",
        default=os.environ.get("TEST_DATABASE_URL", DEFAULT_SERVER),
        help="PostgreSQL server URL (the bench creates and drops its own database there)",
    )
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    asyncio.run(main(args.quick, None if args.no_postgres else args.postgres, args.runs))
