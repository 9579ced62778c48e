"""The small world the fault tests break: a roster, a campaign open for pledges, the real bot.

Why one module: every fault test (kill -9, Bot API faults, database outage) needs the same
members pledging and reporting through the real `thidua` process, and the same database checks
afterwards ("nothing confirmed lost, nothing half-written").
"""

import asyncio
import contextlib
import os
import signal
import subprocess
import time
import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlmodel import col

from storage.campaign_models import OutboxMessage
from storage.database import Database
from storage.models import ChatFlow, Member
from storage.pledge_models import Pledge, PledgeTarget
from tests.support.bot_api_standin import BotApiStandIn, RecordedCall
from tests.support.process import run_cli, start_bot, text_to

ROSTER = """STT;Khối;Đơn vị;Họ và tên;Chức vụ;Số điện thoại;Vai trò
1;Khối Nội chính;Sở Tư pháp;Nguyễn Thị Hồng Nhung;Chuyên viên;0912 345 678;cán bộ thi đua
2;Khối Nội chính;Sở Tư pháp;Lê Thị Mai;Chuyên viên;0356 789 012;
3;Khối Nội chính;Sở Tư pháp;Trần Văn Cường;Chuyên viên;0901 234 567;
"""
NHUNG, MAI, CUONG = 7201, 7202, 7203
PHONES = {NHUNG: "+84912345678", MAI: "+84356789012", CUONG: "+84901234567"}
WAIT = 30.0  # seconds for one answer of the real bot (generous: CI machines are slow)


def _dmy(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def campaign_yaml(today: date) -> str:
    """Registration open now, the first milestone's reports open (due in ten days)."""
    return f"""name: Phong trào thi đua thử nghiệm
kind: thường xuyên
period:
  start: {_dmy(today - timedelta(days=30))}
  end: {_dmy(today + timedelta(days=300))}
registration:
  opens: {_dmy(today - timedelta(days=10))}
  deadline: {_dmy(today + timedelta(days=40))}
milestones:
  - name: Báo cáo quý
    due: {_dmy(today + timedelta(days=10))}
titles:
  - LĐTT
targets:
  - label: Số sáng kiến được công nhận
    unit: sáng kiến
    type: số
  - label: Hoàn thành chương trình bồi dưỡng
    type: có/không
"""


def prepare(env: dict[str, str], cwd: Path) -> None:
    """Schema, roster and a draft campaign, through the CLI as an operator would."""
    roster = cwd / "danh_sach.csv"
    roster.write_text(ROSTER, encoding="utf-8-sig")
    campaign = cwd / "phong_trao.yaml"
    campaign.write_text(campaign_yaml(date.today()), encoding="utf-8")
    for args in (
        ("db", "upgrade"),
        ("org", "import", str(roster)),
        ("campaign", "create", str(campaign)),
    ):
        done = run_cli(env, cwd, *args)
        assert done.returncode == 0, done.stderr


class Person:
    """One member on their phone: types, presses the newest button with a label, reads."""

    def __init__(self, standin: BotApiStandIn, user_id: int) -> None:
        self.standin, self.user_id = standin, user_id

    def send(self, text: str) -> float:
        """Type ``text``; returns the moment it was sent (to wait for answers after it)."""
        since = time.monotonic()
        self.standin.push_update(self.standin.message_update(self.user_id, text))
        return since

    def say(self, text: str, expect: str) -> RecordedCall:
        return self.wait(expect, since=self.send(text))

    def press(self, label: str, expect: str | None = None) -> RecordedCall | None:
        since = time.monotonic()
        self.standin.push_update(self.standin.callback_update(self.user_id, self.button(label)))
        return self.wait(expect, since=since) if expect else None

    def button(self, label: str) -> str:
        for call in reversed(
            self.standin.calls("sendMessage") + self.standin.calls("editMessageText")
        ):
            if str(call.params.get("chat_id")) != str(self.user_id) or call.status != 200:
                continue
            markup = call.params.get("reply_markup") or {}
            for row in markup.get("inline_keyboard", []):
                for button in row:
                    if label in button["text"]:
                        return str(button["callback_data"])
        raise AssertionError(f"no button {label!r} sent to {self.user_id}")

    def wait(
        self, fragment: str, *, since: float | None = None, timeout: float = WAIT
    ) -> RecordedCall:
        """The first message (or edit) to this person containing ``fragment`` after ``since``."""
        deadline = time.monotonic() + timeout
        while True:
            for method in ("sendMessage", "editMessageText", "answerCallbackQuery"):
                for call in self.standin.calls(method):
                    if call.status != 200 or (since is not None and call.at < since):
                        continue
                    if method == "answerCallbackQuery":
                        if fragment in str(call.params.get("text")):
                            return call
                    elif text_to(self.user_id, fragment)(call.params):
                        return call
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"{self.user_id} never saw {fragment!r}; last texts: "
                    f"{self.standin.sent_texts(self.user_id)[-3:]}"
                )
            time.sleep(0.05)

    def link(self) -> None:
        self.standin.push_update(self.standin.contact_update(self.user_id, PHONES[self.user_id]))
        self.wait("Chào mừng")


class Bot:
    """The real `thidua run` process: start, stop politely, or kill -9."""

    def __init__(self, env: dict[str, str], cwd: Path, standin: BotApiStandIn) -> None:
        self.env, self.cwd, self.standin = env, cwd, standin
        self.process: subprocess.Popen[str] | None = None
        self.outputs: list[str] = []

    def start(self) -> None:
        since = time.monotonic()
        self.process = start_bot(self.env, self.cwd)
        self.standin.wait_for_call("getUpdates", timeout=WAIT, since=since)

    def kill(self) -> None:
        """kill -9: no shutdown code runs, exactly like a power cut or the OOM killer."""
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        output, _ = self.process.communicate(timeout=30)
        self.outputs.append(output)
        self.process = None

    def stop(self) -> str:
        """Ctrl+C; returns the whole log and checks the process ended cleanly."""
        if self.process is not None:
            self.process.send_signal(signal.SIGINT)
            output, _ = self.process.communicate(timeout=60)
            self.outputs.append(output)
            print(output)  # shown by pytest when the test fails
            assert self.process.returncode == 0, output
            self.process = None
        return "\n".join(self.outputs)

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None


# ------------------------------------------------------------------ database checks


def query(url: str, statement: Any) -> list[Any]:
    """Rows of one SELECT, from a fresh engine (the bot owns its own)."""

    async def run() -> list[Any]:
        database = Database(url)
        try:
            async with database.session() as session:
                return list((await session.execute(statement)).all())
        finally:
            await database.dispose()

    return asyncio.run(run())


def pledges_of(url: str, full_name: str) -> list[tuple[Pledge, int]]:
    """Each pledge of the member with the number of its targets (a half-written one has 0)."""
    rows = query(
        url,
        select(Pledge, func.count(col(PledgeTarget.id)))
        .join(Member, col(Member.id) == col(Pledge.member_id))
        .outerjoin(PledgeTarget, col(PledgeTarget.pledge_id) == col(Pledge.id))
        .where(col(Member.full_name) == full_name)
        .group_by(col(Pledge.id)),
    )
    return [(pledge, count) for pledge, count in rows]


def flow_of(url: str, telegram_user_id: int) -> list[ChatFlow]:
    return [
        row[0]
        for row in query(
            url, select(ChatFlow).where(col(ChatFlow.telegram_user_id) == telegram_user_id)
        )
    ]


def outbox(url: str) -> list[OutboxMessage]:
    return [row[0] for row in query(url, select(OutboxMessage))]


# ------------------------------------------------------------------ PostgreSQL


@contextlib.contextmanager
def fresh_pg_database(server_url: str, label: str) -> Iterator[str]:
    """A new, empty database beside ``server_url``'s (the real bot cannot take a schema
    search_path from its URL); dropped afterwards. Yields its SQLAlchemy URL."""
    base = make_url(server_url)
    name = f"{base.database}_{label}_{uuid.uuid4().hex[:8]}"

    async def admin(statement: str) -> None:
        dsn = base.set(drivername="postgresql").render_as_string(hide_password=False)
        connection = await asyncpg.connect(dsn)
        try:
            await connection.execute(statement)
        finally:
            await connection.close()

    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def through(url: str, port: int) -> str:
    """The same database reached through a proxy on 127.0.0.1:``port``."""
    return make_url(url).set(host="127.0.0.1", port=port).render_as_string(hide_password=False)


def wait_step(url: str, telegram_user_id: int, step: str, timeout: float = WAIT) -> None:
    """Until the person's flow is stored at ``step``: the bot answers before it commits, so a
    message seen is not yet a step kept."""
    deadline = time.monotonic() + timeout
    while [flow.step for flow in flow_of(url, telegram_user_id)] != [step]:
        assert time.monotonic() < deadline, f"the flow of {telegram_user_id} never reached {step}"
        time.sleep(0.05)
