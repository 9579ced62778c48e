"""The database goes away while members are active, then comes back; the bot is never restarted.

- PostgreSQL: the bot reaches the server through a TCP proxy on 127.0.0.1 that resets every
  connection, and every new one, for the outage (the shared server itself is never stopped).
- SQLite: every write of the bot process fails for the outage, as on a full disk: its
  RLIMIT_FSIZE is lowered to 0 from outside (``prlimit``). Why not ``chmod``: a running process
  keeps the write access of the descriptors it has open, so a read-only mode changes nothing
  for it (and root ignores mode bits); a write that fails is what a live SQLite bot can meet.

During the outage a member confirms a pledge and another starts one: both get the "busy, try
again in a minute; what you entered is kept" answer, no pledge is half-written, the outbox and
the reminder sweep keep running (they fail quietly and try again). After it, the same member
presses the same button and the pledge is stored whole, and a reminder that falls due is swept
and delivered: the jobs survived without a restart.

The short outage (5 s) shows the same behaviour as 30 s: each update or job run fails at once
with a refused or failed connection, and no timer in the bot depends on how long it lasts. One
slow test keeps the full 30 s on PostgreSQL, as the issue describes.
"""

import asyncio
import resource
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Protocol

import pytest
from sqlalchemy import delete
from sqlalchemy.engine import make_url
from sqlmodel import col, select

from bot.flows.pledge_draft import SUMMARY
from bot.reminder_plan import REGISTRATION_TASK
from storage.database import Database
from storage.models import Member
from storage.reminder_models import Reminder
from storage.types import utcnow
from tests.conftest import POSTGRES_URL
from tests.support.bot_api_standin import BotApiStandIn
from tests.support.fault_ledger import FaultRecord, record
from tests.support.fault_scene import (
    CUONG,
    MAI,
    NHUNG,
    Bot,
    Person,
    fresh_pg_database,
    pledges_of,
    prepare,
    query,
    run_cli,
    through,
    wait_step,
)
from tests.support.process import bot_environment
from tests.support.tcp_proxy import TcpProxy

pytestmark = pytest.mark.e2e

BUSY = "thử lại sau một phút"  # "The service is busy, please try again in a minute…"
SHORT_OUTAGE = 5.0


class Outage(Protocol):
    """Takes the database away from the running bot and gives it back."""

    def begin(self, bot: Bot) -> None: ...

    def end(self, bot: Bot) -> None: ...


class DiskFull:
    """Every write of the bot process fails (EFBIG): its file-size limit drops to 0."""

    def begin(self, bot: Bot) -> None:
        self._limits = resource.prlimit(bot.pid, resource.RLIMIT_FSIZE)
        resource.prlimit(bot.pid, resource.RLIMIT_FSIZE, (0, self._limits[1]))

    def end(self, bot: Bot) -> None:
        resource.prlimit(bot.pid, resource.RLIMIT_FSIZE, self._limits)


class LineCut:
    def __init__(self, proxy: TcpProxy) -> None:
        self.proxy = proxy

    def begin(self, bot: Bot) -> None:
        self.proxy.cut()

    def end(self, bot: Bot) -> None:
        self.proxy.restore()


World = tuple[dict[str, str], dict[str, str], Outage]  # CLI env, bot env, outage


@pytest.fixture
def sqlite_world(tmp_path: Path, standin: BotApiStandIn) -> World:
    env = _quick(bot_environment(standin, f"sqlite+aiosqlite:///{tmp_path / 'thidua.db'}"))
    return env, env, DiskFull()


@pytest.fixture
def postgres_world(standin: BotApiStandIn) -> Iterator[World]:
    if not POSTGRES_URL:
        pytest.skip("PostgreSQL tests need TEST_DATABASE_URL (CI sets it)")
    with fresh_pg_database(POSTGRES_URL, "outage") as url:
        target = make_url(url)
        with TcpProxy(target.host or "127.0.0.1", target.port or 5432) as proxy:
            cli_env = _quick(bot_environment(standin, url))
            yield cli_env, {**cli_env, "DATABASE_URL": through(url, proxy.port)}, LineCut(proxy)


def _quick(env: dict[str, str]) -> dict[str, str]:
    """Sweep reminders every second and never hold them for the night, so the test is short."""
    return {**env, "THIDUA_REMINDER_SWEEP_SECONDS": "1", "THIDUA_QUIET_HOURS": "không"}


def test_sqlite_disk_full_for_a_while(
    tmp_path: Path, standin: BotApiStandIn, sqlite_world: World
) -> None:
    _members_active_through_an_outage(tmp_path, standin, sqlite_world, SHORT_OUTAGE, "sqlite")


def test_postgresql_away_for_a_while(
    tmp_path: Path, standin: BotApiStandIn, postgres_world: World
) -> None:
    _members_active_through_an_outage(tmp_path, standin, postgres_world, SHORT_OUTAGE, "postgresql")


@pytest.mark.slow
def test_postgresql_away_for_30_seconds(
    tmp_path: Path, standin: BotApiStandIn, postgres_world: World
) -> None:
    _members_active_through_an_outage(tmp_path, standin, postgres_world, 30.0, "postgresql")


def _members_active_through_an_outage(
    cwd: Path, standin: BotApiStandIn, world: World, seconds: float, backend: str
) -> None:
    cli_env, env, outage = world
    url = cli_env["DATABASE_URL"]
    prepare(cli_env, cwd)
    bot = Bot(env, cwd, standin)
    bot.start()
    try:
        mai, cuong = Person(standin, MAI), Person(standin, CUONG)
        for person in (mai, cuong, Person(standin, NHUNG)):
            person.link()
        assert run_cli(cli_env, cwd, "campaign", "launch", "1").returncode == 0
        mai.wait("Đăng ký thi đua")
        _pledge_up_to_the_summary(mai)
        wait_step(url, MAI, SUMMARY)

        outage.begin(bot)
        started = time.monotonic()
        mai.press("Xác nhận", expect=BUSY)  # the answer to her button, as an alert
        cuong.say("/dangky", expect=BUSY)
        time.sleep(max(0.0, seconds - (time.monotonic() - started)))
        assert bot.alive(), "the bot must ride out the outage"
        outage.end(bot)

        assert pledges_of(url, "Lê Thị Mai") == [], "nothing half-written"
        mai.press("Xác nhận", expect="Đã gửi đăng ký")  # the same button: her answers were kept
        [(_pledge, targets)] = pledges_of(url, "Lê Thị Mai")
        assert targets == 2, "the pledge is whole: both targets"

        since = time.monotonic()
        _make_due(url, "Trần Văn Cường")
        cuong.wait("Phong trào thi đua thử nghiệm", since=since)  # swept, then sent by the outbox
    finally:
        log = bot.stop()
    assert "database unavailable" in log, "the outage was met (and logged in one line)"
    duplicates = standin.stats().duplicates
    record(
        FaultRecord(
            scenario=f"database away {seconds:g} s ({backend})",
            faults=1,
            expected=2,  # Mai's pledge, whole; Cường's reminder, swept and sent after it
            delivered=2,  # both asserted above
            duplicates=sum(count - 1 for count in duplicates.values()),
        )
    )
    assert duplicates == {}, "no message went out twice"


def _pledge_up_to_the_summary(mai: Person) -> None:
    mai.say("/dangky", "Chọn danh hiệu")
    mai.press("Lao động tiên tiến", expect="Chỉ tiêu 1/2")
    mai.say("3", "Chỉ tiêu 2/2")
    mai.press("Có", expect="Chỉ tiêu tự đăng ký thêm")
    mai.press("Xong", expect="Nội dung cam kết")
    mai.press("Bỏ qua", expect="Kiểm tra đăng ký")


def _member_id(url: str, full_name: str) -> int:
    [(member_id,)] = query(url, select(Member.id).where(col(Member.full_name) == full_name))
    return int(member_id)


def _make_due(url: str, full_name: str) -> None:
    """A registration reminder of the member falls due now (planned or not yet)."""
    member = _member_id(url, full_name)

    async def run() -> None:
        database = Database(url)
        try:
            async with database.session() as session:
                await session.execute(delete(Reminder).where(col(Reminder.subject_id) == member))
                session.add(
                    Reminder(
                        campaign_id=1,
                        task=REGISTRATION_TASK,
                        step="d1",
                        audience="member",
                        subject_id=member,
                        deadline=date.today() + timedelta(days=1),
                        due_at=utcnow() - timedelta(minutes=1),
                    )
                )
        finally:
            await database.dispose()

    asyncio.run(run())
