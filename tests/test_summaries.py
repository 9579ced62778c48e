"""The figures of a campaign per unit, bloc and in total, and who may see which units."""

from datetime import date
from decimal import Decimal

from bot import reports
from bot.access import Grant, Viewer
from bot.summaries import summarise, units_in_scope
from storage import covenants
from storage.campaign_models import Campaign
from storage.database import Database
from storage.models import Role, ScopeKind, Unit
from tests.support.progress_seed import INITIATIVES, MAI_TG, number, seed_reporting

QUARTER_DAY = date(2027, 4, 5)  # Quý I (31/03) is the current milestone, registration is over


async def test_figures_per_unit_bloc_and_total(database: Database) -> None:
    seed = await seed_reporting(database)  # Mai and Bình approved, Nhung pending, in Sở Tư pháp
    async with database.session() as session:
        await reports.submit_report(
            seed.mai_pledge,
            seed.milestones[0],
            {seed.targets[INITIATIVES]: number(INITIATIVES, "4")},
            actor=MAI_TG,
            today=QUARTER_DAY,
            session=session,
        )
        unit = await session.get(Unit, seed.unit_id)
        assert unit is not None and unit.bloc_id is not None
        await covenants.set_covenant(
            seed.campaign_id, unit.bloc_id, "Giao ước", [], session=session
        )
        await covenants.sign(
            (await covenants.covenant_of(seed.campaign_id, unit.bloc_id, session=session)).id,  # type: ignore[union-attr]
            seed.unit_id,
            501,
            session=session,
        )
        campaign = await session.get(Campaign, seed.campaign_id)
        assert campaign is not None
        admin = Viewer(999, grants=(Grant(Role.ADMIN, ScopeKind.ALL, None),))
        units = await units_in_scope(admin, session=session)
        summary = await summarise(campaign, units, QUARTER_DAY, session=session)
    assert summary.milestone is not None and summary.milestone.name == "Quý I"
    by_name = {u.unit.name: u for u in summary.units}
    tu_phap = by_name["Sở Tư pháp"]
    assert (tu_phap.figures.roster, tu_phap.figures.registered) == (3, 3)
    assert tu_phap.figures.titles == {"LDTT": 3}
    assert (tu_phap.figures.approved, tu_phap.figures.reported, tu_phap.figures.late_reports) == (
        2,
        1,
        1,
    )
    assert tu_phap.covenant_signed is True
    assert by_name["Thanh tra tỉnh"].covenant_signed is False
    assert by_name["Thanh tra tỉnh"].figures.registered == 0
    assert tu_phap.is_late(summary.campaign, summary.milestone, QUARTER_DAY)  # Bình not reported
    assert tu_phap.figures.targets >= 2 and tu_phap.figures.on_track >= 1
    total = summary.figures
    assert total.roster == sum(u.figures.roster for u in summary.units) == 7
    assert summary.expected_share == Decimal("0.2466")


async def test_each_leader_sees_only_their_units(database: Database) -> None:
    await seed_reporting(database)
    async with database.session() as session:
        all_units = {
            u.name: u
            for u in await units_in_scope(
                Viewer(999, grants=(Grant(Role.ADMIN, ScopeKind.ALL, None),)), session=session
            )
        }
        tu_phap = all_units["Sở Tư pháp"]
        bloc_head = Viewer(502, grants=(Grant(Role.BLOC_HEAD, ScopeKind.BLOC, tu_phap.bloc_id),))
        officer = Viewer(501, grants=(Grant(Role.UNIT_OFFICER, ScopeKind.UNIT, tu_phap.id),))
        member = Viewer(503)
        assert sorted(u.name for u in await units_in_scope(bloc_head, session=session)) == [
            "Sở Tư pháp",
            "Thanh tra tỉnh",
        ]
        assert [u.name for u in await units_in_scope(officer, session=session)] == ["Sở Tư pháp"]
        assert await units_in_scope(member, session=session) == []
    assert len(all_units) == 3
