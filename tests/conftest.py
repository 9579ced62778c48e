"""Fixtures: a fresh database per test (SQLite always, PostgreSQL when TEST_DATABASE_URL is set),
the catalogs, and the application wired to a recording fake request."""

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import SQLModel

import storage.campaign_models
import storage.figures_models
import storage.models
import storage.pledge_models
import storage.privacy_models
import storage.progress_models
import storage.reminder_models
import storage.scoring_models  # noqa: F401
from bot.app import ThiduaApplication, build_application
from bot.i18n import Catalogs
from bot.settings import Settings
from storage.database import Database
from tests.support.bot_api_standin import BotApiStandIn
from tests.support.harness import BotHarness
from tests.support.process import bot_environment
from tests.support.recording_request import TOKEN, RecordingRequest

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL", "")
REQUIRE_POSTGRES = os.environ.get("THIDUA_REQUIRE_POSTGRES") == "1"
BACKENDS = ["sqlite", "postgresql"]


def pytest_configure(config: pytest.Config) -> None:
    if REQUIRE_POSTGRES and not POSTGRES_URL:
        raise pytest.UsageError("THIDUA_REQUIRE_POSTGRES=1 but TEST_DATABASE_URL is not set")


@pytest.fixture(scope="session")
def catalogs() -> Catalogs:
    return Catalogs()


class DatabaseFactory:
    """Makes empty databases on the chosen backend; PostgreSQL ones live in a fresh schema."""

    def __init__(self, backend: str, tmp_path: Path) -> None:
        self.backend = backend
        self.tmp_path = tmp_path
        self.schemas: dict[int, str] = {}  # id(database) → its PostgreSQL schema

    def new(self) -> Database:
        if self.backend == "sqlite":
            return Database(f"sqlite+aiosqlite:///{self.tmp_path / f'{uuid.uuid4().hex}.db'}")
        schema = f"t_{uuid.uuid4().hex[:16]}"
        database = Database(POSTGRES_URL, connect_args={"server_settings": {"search_path": schema}})
        self.schemas[id(database)] = schema
        return database

    async def prepare(self, database: Database, *, create_tables: bool = True) -> None:
        schema = self.schemas.get(id(database))
        if schema is not None:
            async with database.engine.begin() as connection:
                await connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
        if create_tables:
            async with database.engine.begin() as connection:
                await connection.run_sync(SQLModel.metadata.create_all)

    async def drop_schemas(self) -> None:
        if not self.schemas:
            return
        admin = Database(POSTGRES_URL)
        async with admin.engine.begin() as connection:
            for schema in self.schemas.values():
                await connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        await admin.dispose()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    if request.param == "postgresql" and not POSTGRES_URL:
        pytest.skip("PostgreSQL tests need TEST_DATABASE_URL (CI sets it)")
    return str(request.param)


@pytest.fixture
async def database_factory(backend: str, tmp_path: Path) -> AsyncIterator[DatabaseFactory]:
    factory = DatabaseFactory(backend, tmp_path)
    yield factory
    await factory.drop_schemas()


@pytest.fixture
async def database(database_factory: DatabaseFactory) -> AsyncIterator[Database]:
    db = database_factory.new()
    await database_factory.prepare(db)
    yield db
    await db.dispose()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(  # type: ignore[call-arg]
        _env_file=None,
        TELEGRAM_BOT_TOKEN=TOKEN,
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'unused.db'}",
    )


@pytest.fixture
async def harness(
    settings: Settings, database: Database, catalogs: Catalogs
) -> AsyncIterator[BotHarness]:
    request = RecordingRequest()
    app: ThiduaApplication = build_application(
        settings, request=request, database=database, catalogs=catalogs
    )
    await app.initialize()
    yield BotHarness(app, request)
    await app.shutdown()


@pytest.fixture
def no_env_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Run CLI commands in an empty directory so a developer's .env never leaks in."""
    monkeypatch.chdir(tmp_path)
    for name in ("TELEGRAM_BOT_TOKEN", "DATABASE_URL", "THIDUA_ADMIN_IDS", "TELEGRAM_API_URL"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


@pytest.fixture
def standin() -> Iterator[BotApiStandIn]:
    """A local Bot API on 127.0.0.1 for end-to-end tests of the real `thidua` process."""
    with BotApiStandIn(max_poll_timeout=0.5) as server:
        yield server
    assert server.errors == []


@pytest.fixture
def bot_env(tmp_path: Path, standin: BotApiStandIn) -> dict[str, str]:
    return bot_environment(standin, f"sqlite+aiosqlite:///{tmp_path / 'thidua.db'}")
