"""Time and memory of the Excel export (`thidua report xlsx`) with 100,000 individual registrations.

Seeds a temporary SQLite database (or a fresh schema on PostgreSQL with --postgres URL): 100,000
linked members over 200 units, one campaign, one registration per member (nine in ten approved,
one target each). Then, as `thidua report xlsx` does it: the summary, then the workbook.

- time: the summary and the workbook, without tracing, best of --repeat runs (target ≤ 10 s);
- memory: tracemalloc's peak during a traced run, for all units and for a tenth of them — flat
  when rows are streamed (a workbook built in memory would grow tenfold) — and the process's RSS
  growth over the untraced runs.

    .venv/bin/python -m bench.exports [--registrations 100000] [--repeat 2] [--postgres URL]

Prints what it measured and on what machine; asserts nothing.
"""

import argparse
import asyncio
import resource
import tempfile
import time
import tracemalloc
import uuid
from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl
from sqlalchemy import insert, select, text
from sqlmodel import SQLModel

import storage.campaign_models
import storage.models
import storage.pledge_models
import storage.progress_models
import storage.scoring_models  # noqa: F401
from bench.throughput import machine
from bot.export_xlsx import write_summary_xlsx
from bot.i18n import Catalogs
from bot.summaries import summarise
from storage import campaigns as campaign_store
from storage.campaign_models import Campaign, TargetType
from storage.catalogue import all_items
from storage.database import Database
from storage.models import Member, Unit
from storage.pledge_models import Pledge, PledgeKind, PledgeStatus, PledgeTarget
from storage.types import utcnow
from tests.support.campaign_seed import seed_campaign
from tests.support.mass_seed import seed_linked_members

TARGET_SECONDS = 10.0
TODAY = date(2027, 4, 5)  # after the first milestone
CHUNK = 5_000


async def seed(database: Database, count: int, units: int) -> int:
    await seed_linked_members(database, count, units=units)
    campaign_id = await seed_campaign(database)
    now = utcnow()
    async with database.session() as session:
        items = {item.code: item.id for item in await all_items(session=session)}
        [template] = await campaign_store.targets_of(campaign_id, session=session)
        members = (await session.execute(select(Member.id, Member.unit_id))).all()
        for start in range(0, len(members), CHUNK):
            chunk = members[start : start + CHUNK]
            rows = [
                {
                    "campaign_id": campaign_id,
                    "kind": PledgeKind.INDIVIDUAL.value,
                    "member_id": member,
                    "unit_id": unit,
                    "title_item_id": items["CSTDCS" if member % 10 == 0 else "LDTT"],
                    "award_item_id": items["GIAY_KHEN"] if member % 7 == 0 else None,
                    "commitment": "Hoàn thành xuất sắc nhiệm vụ",
                    "status": (
                        PledgeStatus.PENDING if member % 10 == 3 else PledgeStatus.APPROVED
                    ).value,
                    "late": False,
                    "on_behalf": False,
                    "warnings": [],
                    "created_at": now,
                    "updated_at": now,
                }
                for member, unit in chunk
            ]
            ids = (await session.execute(insert(Pledge).returning(Pledge.id), rows)).scalars()
            await session.execute(
                insert(PledgeTarget),
                [
                    {
                        "pledge_id": pledge_id,
                        "position": 1,
                        "template_id": template.id,
                        "label": template.label,
                        "unit": template.unit,
                        "type": TargetType.NUMBER.value,
                        "planned_number": Decimal(2),
                    }
                    for pledge_id in ids.all()
                ],
            )
    return campaign_id


async def export(database: Database, campaign_id: int, out: Path, unit_share: float) -> int:
    """Summary and workbook as `thidua report xlsx` makes them; returns the units exported."""
    t = Catalogs().get("vi")
    async with database.session() as session:
        campaign = await session.get(Campaign, campaign_id)
        assert campaign is not None
        units = list((await session.execute(select(Unit).order_by(Unit.id))).scalars().all())
        units = units[: max(1, round(len(units) * unit_share))]
        summary = await summarise(campaign, units, TODAY, session=session)
        await write_summary_xlsx(out, campaign, summary, session=session, t=t)
    return len(units)


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def main(count: int, units: int, repeat: int, postgres: str | None) -> None:
    print(f"Machine: {machine()}")
    with tempfile.TemporaryDirectory() as directory:
        schema = f"bench_exports_{uuid.uuid4().hex[:8]}"
        if postgres:
            database = Database(postgres, connect_args={"server_settings": {"search_path": schema}})
            async with database.engine.begin() as connection:
                await connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        else:
            database = Database(f"sqlite+aiosqlite:///{Path(directory) / 'bench.db'}")
        backend = "PostgreSQL" if postgres else "SQLite"
        try:
            async with database.engine.begin() as connection:
                await connection.run_sync(SQLModel.metadata.create_all)
            start = time.perf_counter()
            campaign_id = await seed(database, count, units)
            print(
                f"{backend}: seeded {count:,} registrations over {units} units "
                f"in {time.perf_counter() - start:.1f} s"
            )
            out = Path(directory) / "tong_hop.xlsx"
            await export(database, campaign_id, out, 0.05)  # warm up imports and caches
            rss_before = rss_mb()
            times = []
            for _ in range(repeat):
                start = time.perf_counter()
                await export(database, campaign_id, out, 1.0)
                times.append(time.perf_counter() - start)
            rss_growth = rss_mb() - rss_before
            size_mb = out.stat().st_size / 1024 / 1024
            book = openpyxl.load_workbook(out, read_only=True)
            rows = sum(1 for _ in book["Đăng ký cá nhân"].iter_rows(values_only=True)) - 1
            book.close()
            best = min(times)
            verdict = "within" if best <= TARGET_SECONDS else "OVER"
            print(
                f"export of {rows:,} individual registrations: best {best:.2f} s of {repeat} "
                f"({', '.join(f'{s:.2f}' for s in times)}), {verdict} the {TARGET_SECONDS:.0f} s "
                f"target; file {size_mb:.1f} MB; RSS growth over the runs {rss_growth:+.1f} MB"
            )
            for share in (0.1, 1.0):
                tracemalloc.start()
                exported = await export(database, campaign_id, out, share)
                _, peak = tracemalloc.get_traced_memory()
                tracemalloc.stop()
                print(
                    f"tracemalloc peak, {exported} units (~{round(count * share):,} rows): "
                    f"{peak / 1024 / 1024:.1f} MB"
                )
        finally:
            if postgres:
                async with database.engine.begin() as connection:
                    await connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            await database.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--registrations", type=int, default=100_000)
    parser.add_argument("--units", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--postgres", help="PostgreSQL URL: bench in a fresh schema there")
    args = parser.parse_args()
    asyncio.run(main(args.registrations, args.units, args.repeat, args.postgres))
