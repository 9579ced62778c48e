"""Stored unit figures: equal to the figures computed from the rows, invalidated by every change
that counts (through the triggers), never stored over a change made meanwhile."""

from datetime import date, timedelta

from sqlalchemy import Update, text, update
from sqlmodel import col

from bot import pledges, reports
from bot.access import Grant, Viewer
from bot.progress import expected_share
from bot.summaries import CampaignSummary, current_milestone, summarise, units_in_scope
from bot.summary_cache import is_fresh
from bot.summary_refresh import refresh_all, refresh_campaign
from bot.unit_figures import compute_figures, row_values
from storage import figures_cache, migrate
from storage.campaign_models import Campaign
from storage.database import Database
from storage.models import Member, MemberStatus, Role, ScopeKind
from storage.types import utcnow
from tests.conftest import DatabaseFactory
from tests.support.progress_seed import INITIATIVES, MAI_TG, Reporting, number, seed_reporting

QUARTER_DAY = date(2027, 4, 5)


def _admin() -> Viewer:
    return Viewer(999, grants=(Grant(Role.ADMIN, ScopeKind.ALL, None),))


def _leave(unit_id: int, name: str) -> Update:
    return (
        update(Member)
        .where(col(Member.unit_id) == unit_id, col(Member.full_name) == name)
        .values(status=MemberStatus.LEFT)
    )


async def _summary(database: Database, campaign_id: int) -> CampaignSummary:
    async with database.session() as session:
        campaign = await session.get(Campaign, campaign_id)
        assert campaign is not None
        units = await units_in_scope(_admin(), session=session)
        return await summarise(campaign, units, QUARTER_DAY, session=session)


async def _computed(database: Database, campaign_id: int) -> dict[str, tuple[object, ...]]:
    """Every unit's figures from the rows alone, by unit name, to compare with a summary."""
    async with database.session() as session:
        campaign = await session.get(Campaign, campaign_id)
        assert campaign is not None
        units = await units_in_scope(_admin(), session=session)
        milestone = await current_milestone(campaign, QUARTER_DAY, session=session)
        share = expected_share(campaign, milestone, QUARTER_DAY)
        ids = [u.id for u in units if u.id is not None]
        figures = await compute_figures(campaign_id, milestone, share, ids, session=session)
    return {u.name: _tuple(figures[u.id]) for u in units if u.id is not None}


def _tuple(figures: object) -> tuple[object, ...]:
    return tuple(sorted(vars(figures).items()))


def _by_name(summary: CampaignSummary) -> dict[str, tuple[object, ...]]:
    return {u.unit.name: _tuple(u.figures) for u in summary.units}


async def _fresh_units(database: Database, seed: Reporting) -> set[int]:
    async with database.session() as session:
        campaign = await session.get(Campaign, seed.campaign_id)
        assert campaign is not None
        milestone = await current_milestone(campaign, QUARTER_DAY, session=session)
        share = expected_share(campaign, milestone, QUARTER_DAY)
        rows = await figures_cache.versions_of(seed.campaign_id, session=session)
    return {unit for unit, row in rows.items() if is_fresh(row, milestone, share)}


async def _refresh(database: Database, campaign_id: int) -> None:
    async with database.session() as session:
        campaign = await session.get(Campaign, campaign_id)
        assert campaign is not None
    await refresh_campaign(database, campaign, QUARTER_DAY)


async def test_stored_figures_equal_the_rows_and_every_change_invalidates_them(
    database: Database,
) -> None:
    seed = await seed_reporting(database)
    await _refresh(database, seed.campaign_id)
    assert seed.unit_id in await _fresh_units(database, seed)
    assert _by_name(await _summary(database, seed.campaign_id)) == await _computed(
        database, seed.campaign_id
    )

    changes = {
        "a report with its values": lambda session: reports.submit_report(
            seed.mai_pledge,
            seed.milestones[0],
            {seed.targets[INITIATIVES]: number(INITIATIVES, "4")},
            actor=MAI_TG,
            today=QUARTER_DAY,
            session=session,
        ),
        "a pledge approved": lambda session: pledges.approve(
            seed.nhung_pledge, actor=None, session=session
        ),
        "a member leaves the roster": lambda session: session.execute(
            _leave(seed.unit_id, "Trần Văn Bình")
        ),
    }
    for what, change in changes.items():
        before = _by_name(await _summary(database, seed.campaign_id))
        async with database.session() as session:
            await change(session)
        assert seed.unit_id not in await _fresh_units(database, seed), what
        after = _by_name(await _summary(database, seed.campaign_id))
        assert after == await _computed(database, seed.campaign_id), what
        assert after["Sở Tư pháp"] != before["Sở Tư pháp"], what  # the change shows at once
        await _refresh(database, seed.campaign_id)
        assert seed.unit_id in await _fresh_units(database, seed), what
        assert _by_name(await _summary(database, seed.campaign_id)) == after, what


async def test_figures_are_not_stored_over_a_change_made_while_computing(
    database: Database,
) -> None:
    seed = await seed_reporting(database)
    await _refresh(database, seed.campaign_id)
    async with database.session() as session:
        await pledges.approve(seed.nhung_pledge, actor=None, session=session)
    async with database.session() as session:
        [row] = [
            r
            for u, r in (await figures_cache.versions_of(seed.campaign_id, session=session)).items()
            if u == seed.unit_id
        ]
        read_version = row.version
        campaign = await session.get(Campaign, seed.campaign_id)
        assert campaign is not None
        milestone = await current_milestone(campaign, QUARTER_DAY, session=session)
        share = expected_share(campaign, milestone, QUARTER_DAY)
        figures = await compute_figures(
            seed.campaign_id, milestone, share, [seed.unit_id], session=session
        )
    async with database.session() as session:  # another change lands after the version was read
        await session.execute(_leave(seed.unit_id, "Trần Văn Bình"))
    async with database.session() as session:
        values = row_values(figures[seed.unit_id], milestone, share)
        saved = await figures_cache.save(
            seed.campaign_id, seed.unit_id, read_version, values, utcnow(), session=session
        )
    assert saved is False
    assert seed.unit_id not in await _fresh_units(database, seed)
    done = await refresh_all(database, QUARTER_DAY)
    assert [(d.computed, d.stored) for d in done] == [(1, 1)]
    assert _by_name(await _summary(database, seed.campaign_id)) == await _computed(
        database, seed.campaign_id
    )


async def test_a_migrated_database_has_the_triggers(database_factory: DatabaseFactory) -> None:
    database = database_factory.new()
    await database_factory.prepare(database, create_tables=False)
    await migrate.upgrade(database)
    async with database.engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            query = (
                "SELECT tgrelid::regclass::text FROM pg_trigger WHERE tgname = 'unit_figures_bump'"
            )
        else:
            query = "SELECT tbl_name FROM sqlite_master WHERE type = 'trigger'"
        tables = {str(name) for (name,) in (await connection.execute(text(query))).all()}
    await database.dispose()
    assert {"members", "pledges", "pledge_targets", "progress_reports", "progress_values"} <= {
        t.split(".")[-1].strip('"') for t in tables
    }


async def test_the_organisation_overview_may_show_recent_figures_and_says_so(
    database: Database,
) -> None:
    """Only with `recent`: a unit changed since its last refresh keeps that refresh's figures,
    and the summary says as of when; without it (blocs, units, exports) the figures are exact."""
    seed = await seed_reporting(database)
    await _refresh(database, seed.campaign_id)
    stored = _by_name(await _summary(database, seed.campaign_id))
    async with database.session() as session:
        await pledges.approve(seed.nhung_pledge, actor=None, session=session)
    async with database.session() as session:
        campaign = await session.get(Campaign, seed.campaign_id)
        assert campaign is not None
        units = await units_in_scope(_admin(), session=session)
        now = utcnow()
        recent = await summarise(
            campaign, units, QUARTER_DAY, session=session, recent=(now, timedelta(minutes=2))
        )
        too_old = await summarise(
            campaign,
            units,
            QUARTER_DAY,
            session=session,
            recent=(now + timedelta(minutes=5), timedelta(minutes=2)),
        )
    assert _by_name(recent) == stored and recent.as_of is not None
    assert recent.as_of <= now
    exact = await _computed(database, seed.campaign_id)
    assert _by_name(too_old) == exact and too_old.as_of is None
    assert exact["Sở Tư pháp"] != stored["Sở Tư pháp"]
    assert (await _summary(database, seed.campaign_id)).as_of is None
