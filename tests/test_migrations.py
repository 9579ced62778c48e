"""Migrations: up, down and up again on each backend, and the models match the migrated schema."""

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

from storage import migrate
from tests.conftest import DatabaseFactory

TABLES = {
    "catalogue_items",
    "campaigns",
    "campaign_milestones",
    "campaign_audience",
    "campaign_options",
    "target_templates",
    "campaign_documents",
    "acknowledgements",
    "broadcasts",
    "outbox",
    "chat_flows",
    "pledges",
    "pledge_targets",
    "pledge_events",
    "title_history",
    "covenants",
    "covenant_signatures",
    "quota_rules",
    "eligibility_rules",
    "progress_reports",
    "progress_values",
    "report_evidence",
    "report_events",
    "reminders",
    "member_leaves",
    "scoring_sheets",
    "scoring_criteria",
    "unit_scores",
    "score_events",
    "blocs",
    "bloc_leadership",
    "units",
    "telegram_users",
    "members",
    "role_assignments",
    "invites",
    "invite_redemptions",
    "message_log",
    "key_values",
    "erasures",
    "unit_figures",
}


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names()) - {"alembic_version"}


def _differences(connection: Connection) -> list[object]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, SQLModel.metadata))


async def test_upgrade_downgrade_upgrade(database_factory: DatabaseFactory) -> None:
    database = database_factory.new()
    await database_factory.prepare(database, create_tables=False)
    try:
        await migrate.upgrade(database)
        assert await migrate.current_revision(database) == migrate.head_revision()
        async with database.engine.connect() as connection:
            assert await connection.run_sync(_tables) == TABLES
        await migrate.downgrade(database, "base")
        assert await migrate.current_revision(database) is None
        async with database.engine.connect() as connection:
            assert await connection.run_sync(_tables) == set()
        await migrate.upgrade(database)
        assert await migrate.current_revision(database) == migrate.head_revision()
    finally:
        await database.dispose()


async def test_models_match_the_migrated_schema(database_factory: DatabaseFactory) -> None:
    """A model change without a migration fails here, on SQLite and on PostgreSQL."""
    database = database_factory.new()
    await database_factory.prepare(database, create_tables=False)
    try:
        await migrate.upgrade(database)
        async with database.engine.connect() as connection:
            assert await connection.run_sync(_differences) == []
    finally:
        await database.dispose()
