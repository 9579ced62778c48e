"""kill -9 of the real bot halfway through a pledge, a progress report and a reminder sweep.

On restart nothing confirmed (committed) is lost, the member's next answer continues the flow
where it was, and nothing is sent twice except the one outbox message in flight at the kill,
which the outbox names (docs/outbox.md). The broadcast case is tests/test_crash_recovery.py.

"Confirmed" means committed: the bot answers a step before its unit of work commits, so the
tests wait for the step to be stored before they pull the plug (docs/reliability.md explains
the few milliseconds in between).
"""

import asyncio
import json
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert, update
from sqlmodel import col, select

from bot import pledges
from bot.reminder_plan import REGISTRATION_TASK
from storage.campaign_models import Campaign, CampaignStatus, OutboxStatus
from storage.database import Database
from storage.migrate import upgrade
from storage.models import Member
from storage.outbox import IN_FLIGHT_AT_RESTART
from storage.progress_models import ProgressReport
from storage.reminder_models import Reminder, ReminderStatus
from storage.types import utcnow
from tests.support.bot_api_standin import BotApiStandIn
from tests.support.campaign_seed import seed_campaign
from tests.support.fault_ledger import FaultRecord, record
from tests.support.fault_scene import (
    MAI,
    NHUNG,
    Bot,
    Person,
    flow_of,
    outbox,
    pledges_of,
    prepare,
    query,
    run_cli,
)
from tests.support.mass_seed import seed_linked_members

pytestmark = pytest.mark.e2e


def _stored_after(url: str, user_id: int, before: str, timeout: float = 30.0) -> None:
    """Until the person's flow draft differs from ``before``: their answer is committed."""
    deadline = time.monotonic() + timeout
    while _draft(url, user_id) == before:
        assert time.monotonic() < deadline, "the answer was never stored"
        time.sleep(0.05)


def _draft(url: str, user_id: int) -> str:
    return json.dumps([(flow.step, flow.data) for flow in flow_of(url, user_id)], default=str)


def _answer_then_kill(bot: Bot, person: Person, url: str, text: str, expect: str) -> None:
    before = _draft(url, person.user_id)
    person.say(text, expect)
    _stored_after(url, person.user_id, before)
    bot.kill()


def test_kill_9_mid_pledge_and_mid_report_then_the_next_answer_continues(
    tmp_path: Path, standin: BotApiStandIn, bot_env: dict[str, str]
) -> None:
    url = bot_env["DATABASE_URL"]
    prepare(bot_env, tmp_path)
    bot = Bot(bot_env, tmp_path, standin)
    bot.start()
    mai = Person(standin, MAI)
    mai.link()
    Person(standin, NHUNG).link()
    assert run_cli(bot_env, tmp_path, "campaign", "launch", "1").returncode == 0
    mai.wait("Đăng ký thi đua")

    # 1. A pledge: the title and the first target are given, then the power goes.
    mai.say("/dangky", "Chọn danh hiệu")
    mai.press("Lao động tiên tiến", expect="Chỉ tiêu 1/2")
    _answer_then_kill(bot, mai, url, "3", "Chỉ tiêu 2/2")
    bot.start()
    mai.say("có", "Chỉ tiêu tự đăng ký thêm")  # the next answer: target 2, not target 1 again
    mai.press("Xong", expect="Nội dung cam kết")
    mai.press("Bỏ qua", expect="Kiểm tra đăng ký")
    summary = standin.sent_texts(MAI)[-1]
    assert "3 sáng kiến" in summary and "Có" in summary, "the answer before the kill is kept"
    mai.press("Xác nhận", expect="Đã gửi đăng ký")
    [(pledge, targets)] = pledges_of(url, "Lê Thị Mai")
    assert targets == 2
    asyncio.run(_approve(url, pledge.id or 0))

    # 2. A progress report: the first total is given, then the power goes again.
    mai.say("/baocao", "Chỉ tiêu 1/2")
    _answer_then_kill(bot, mai, url, "2", "Chỉ tiêu 2/2")
    bot.start()
    mai.say("có", "Minh chứng")
    standin.push_update(_photo(standin, MAI, "photo-a", "Quyết định công nhận sáng kiến"))
    mai.wait("Đã nhận (1)")
    mai.press("Xong", expect="Ghi chú")
    mai.press("Bỏ qua", expect="Kiểm tra báo cáo")
    assert "2 sáng kiến" in standin.sent_texts(MAI)[-1]
    mai.press("Xác nhận", expect="Đã gửi báo cáo")
    log = bot.stop()

    assert len(query(url, select(ProgressReport.id))) == 1
    duplicates = standin.stats().duplicates
    assert duplicates == {}, "no message went out twice"
    assert "Traceback" not in log
    record(
        FaultRecord(
            "kill -9 mid pledge and mid progress report",
            faults=2,
            expected=2,  # the pledge and the report, each with every answer given
            delivered=len(pledges_of(url, "Lê Thị Mai")) + 1,
            duplicates=sum(n - 1 for n in duplicates.values()),
        )
    )


def _photo(standin: BotApiStandIn, user_id: int, file_id: str, caption: str) -> dict[str, Any]:
    """A photo sent as evidence, as Telegram delivers it."""
    update = standin.message_update(user_id, "x")
    message = update["message"]
    del message["text"]
    message["photo"] = [
        {"file_id": file_id, "file_unique_id": f"u-{file_id}", "width": 1280, "height": 960}
    ]
    message["caption"] = caption
    return update


async def _approve(url: str, pledge_id: int) -> None:
    """The officer approves (her own flow is tested elsewhere): reports need an approved pledge."""
    database = Database(url)
    try:
        async with database.session() as session:
            await pledges.approve(pledge_id, actor=NHUNG, session=session)
    finally:
        await database.dispose()


# ------------------------------------------------------------------ reminder sweep

MEMBERS = 1100  # three sweep batches of up to 500


async def _due_reminders(url: str) -> list[int]:
    """A launched campaign and one registration reminder per member, all due now."""
    database = Database(url)
    await upgrade(database)
    chats = await seed_linked_members(database, MEMBERS)
    campaign_id = await seed_campaign(database)
    now = utcnow()
    async with database.session() as session:
        await session.execute(
            update(Campaign)
            .where(col(Campaign.id) == campaign_id)
            .values(status=CampaignStatus.LAUNCHED)
        )
        members = (await session.execute(select(Member.id))).scalars().all()
        await session.execute(
            insert(Reminder),
            [
                {
                    "campaign_id": campaign_id,
                    "task": REGISTRATION_TASK,
                    "step": "d1",
                    "audience": "member",
                    "subject_id": member,
                    "deadline": date.today() + timedelta(days=1),
                    "due_at": now - timedelta(minutes=5),
                    "status": ReminderStatus.PENDING,
                    "snoozed": True,  # so the bot's own planner leaves their time alone
                }
                for member in members
            ],
        )
    await database.dispose()
    return chats


def _reminders(url: str) -> list[Reminder]:
    """The reminders seeded above (the bot's planner adds future ones of its own)."""
    return [row[0] for row in query(url, select(Reminder).where(col(Reminder.snoozed)))]


def test_kill_9_mid_reminder_sweep_then_each_member_reminded_once(
    tmp_path: Path, standin: BotApiStandIn, bot_env: dict[str, str]
) -> None:
    env = {
        **bot_env,
        "THIDUA_SEND_RATE": "300",
        "THIDUA_REMINDER_SWEEP_SECONDS": "1",
        "THIDUA_QUIET_HOURS": "không",
    }
    url = env["DATABASE_URL"]
    chats = asyncio.run(_due_reminders(url))

    bot = Bot(env, tmp_path, standin)
    bot.start()
    deadline = time.monotonic() + 60
    while not any(row.status != ReminderStatus.PENDING for row in _reminders(url)):
        assert time.monotonic() < deadline, "the sweep never started"
        time.sleep(0.01)
    bot.kill()  # the sweep has closed its first batch; later batches and sends are under way
    closed_at_kill = sum(row.status != ReminderStatus.PENDING for row in _reminders(url))
    delivered_at_kill = len(standin.stats().recipients())

    bot.start()
    deadline = time.monotonic() + 90
    while True:
        rows = [row for row in outbox(url) if row.kind == "reminder"]
        pending = [row for row in _reminders(url) if row.status == ReminderStatus.PENDING]
        if (
            not pending
            and len(rows) == MEMBERS
            and all(r.status == OutboxStatus.SENT for r in rows)
        ):
            break
        assert time.monotonic() < deadline, f"{len(pending)} reminders never swept"
        time.sleep(0.5)
    log = bot.stop()

    stats = standin.stats()
    assert {row.status for row in _reminders(url)} == {ReminderStatus.SENT}
    assert stats.recipients() == set(chats), "every member was reminded"
    named = {row.chat_id for row in outbox(url) if row.last_error == IN_FLIGHT_AT_RESTART}
    twice = {chat for (chat, _method, _text) in stats.duplicates}
    assert len(named) <= 1, "at most the one message in flight at the kill"
    assert twice <= named, "a duplicate is only ever the named in-flight message"
    assert "Traceback" not in log
    print(f"kill landed after {closed_at_kill} reminders closed, {delivered_at_kill} delivered")
    record(
        FaultRecord(
            f"kill -9 mid reminder sweep ({MEMBERS} reminders)",
            faults=1,
            expected=MEMBERS,
            delivered=len(stats.recipients()),
            duplicates=len(twice - named),
            in_flight=len(twice & named),
        )
    )
