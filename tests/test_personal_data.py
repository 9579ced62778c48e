"""Personal data: /dulieu shows a person everything kept about them (and the whole JSON file);
an administrator erases it on request, and the summaries' counts do not move."""

import asyncio
import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import select as sa_select
from sqlmodel import SQLModel, select

from bot import erasure, reports
from bot.access import Grant, Viewer
from bot.cli import main
from bot.i18n import Catalogs
from bot.reports import EvidenceInput
from bot.summaries import Figures, summarise, units_in_scope
from storage import migrate
from storage.campaign_models import Acknowledgement, Campaign, OutboxMessage, OutboxStatus
from storage.database import Database
from storage.message_log import log_message
from storage.models import ChatFlow, Member, MessageLog, Role, ScopeKind, TelegramUser
from storage.personal_data import PERSON_COLUMNS
from storage.pledge_models import Pledge, PledgeTarget, TitleHistory, TitleSource
from storage.privacy_models import Erasure, ErasureChannel
from storage.progress_models import Evidence, EvidenceKind, ProgressReport, ReportEvent
from storage.reminder_models import MemberLeave, Reminder
from storage.types import utcnow
from tests.support.flows import link, make_admin
from tests.support.harness import BotHarness
from tests.support.org_seed import ADMIN, MAI, NHUNG, STRANGER
from tests.support.progress_seed import (
    INITIATIVES,
    MAI_TG,
    TRAINING,
    Reporting,
    number,
    seed_reporting,
    yes_no,
)
from tests.support.recording_request import Call

QUARTER_DAY = date(2027, 4, 5)  # Quý I (due 31/03/2027) is the current milestone
MAI_NAME, MAI_PHONE = "Lê Thị Mai", "+84356789012"
# Every written form of Mai's name and phone that must be gone after the erasure.
MAI_TRACES = (MAI_NAME, "356789012", "0356 789 012")
COMMITMENT = "Hoàn thành xuất sắc nhiệm vụ"
NOTE = "Đã xong 3 sáng kiến, chờ Hội đồng công nhận"
CAPTION = "Biên bản nghiệm thu của chị Mai"
RETURN_REASON = "Chị Mai bổ sung biên bản, cảm ơn"
OFFICER_LIST = f"Chưa duyệt báo cáo: {MAI_NAME} (0356 789 012)"


async def _seed_mai(harness: BotHarness, database: Database) -> Reporting:
    """Mai of Sở Tư pháp with something in every table about a person."""
    seed = await seed_reporting(database)
    await link(harness, [MAI, NHUNG])
    await make_admin(database, ADMIN)
    mai_id = await _member_id(database)
    async with database.session() as session:
        done = await reports.submit_report(
            seed.mai_pledge,
            seed.milestones[0],
            {seed.targets[INITIATIVES]: number(INITIATIVES, "3"), seed.targets[TRAINING]: None},
            note=NOTE,
            evidence=[
                EvidenceInput("AgADmai1", "umai1", EvidenceKind.DOCUMENT, caption=CAPTION),
            ],
            actor=MAI_TG,
            today=QUARTER_DAY,
            session=session,
        )
        assert done.report.id is not None
        await reports.return_report(
            done.report.id, actor=NHUNG, reason=RETURN_REASON, session=session
        )
        session.add_all(
            [
                MemberLeave(
                    member_id=mai_id, starts=date(2027, 5, 4), ends=date(2027, 5, 8), created_by=MAI
                ),
                Reminder(
                    campaign_id=seed.campaign_id,
                    task=f"rep:{seed.milestones[1]}",
                    step="d3",
                    audience="member",
                    subject_id=mai_id,
                    deadline=date(2027, 7, 15),
                    due_at=utcnow() + timedelta(days=30),
                ),
                TitleHistory(member_id=mai_id, year=2026, code="LDTT", source=TitleSource.IMPORT),
                Acknowledgement(campaign_id=seed.campaign_id, member_id=mai_id),
                OutboxMessage(
                    dedupe_key=f"launch:{seed.campaign_id}:{mai_id}",
                    kind="launch",
                    campaign_id=seed.campaign_id,
                    member_id=mai_id,
                    chat_id=MAI_TG,
                    payload={"text": f"Kính gửi {MAI_NAME}"},
                    status=OutboxStatus.PENDING,
                ),
                ChatFlow(
                    telegram_user_id=MAI_TG,
                    flow="pledge",
                    step="gk",
                    data={"commitment": "Bản nháp của chị Mai"},
                ),
            ]
        )
        await log_message(
            direction="out",
            kind="text",
            payload={"text": OFFICER_LIST},
            telegram_user_id=NHUNG,
            chat_id=NHUNG,
            text=OFFICER_LIST,
            session=session,
        )
    return seed


async def _member_id(database: Database) -> int:
    async with database.session() as session:
        found = await session.execute(select(Member.id).where(Member.phone == MAI_PHONE))
        return int(found.scalar_one())


async def _figures(database: Database, campaign_id: int) -> dict[str, Figures]:
    """What /tonghop reports for every unit, and the total."""
    async with database.session() as session:
        campaign = await session.get(Campaign, campaign_id)
        assert campaign is not None
        admin = Viewer(ADMIN, grants=(Grant(Role.ADMIN, ScopeKind.ALL, None),))
        units = await units_in_scope(admin, session=session)
        summary = await summarise(campaign, units, QUARTER_DAY, session=session)
    figures = {unit.unit.name: unit.figures for unit in summary.units}
    return {**figures, "total": summary.figures}


def _upload(calls: list[Call]) -> dict[str, Any]:
    [document] = [call for call in calls if call.method == "sendDocument"]
    data: dict[str, Any] = json.loads(next(iter(document.files.values())).decode("utf-8"))
    return data


async def _every_row(database: Database) -> dict[str, list[dict[str, Any]]]:
    async with database.session() as session:
        rows = {}
        for name, table in SQLModel.metadata.tables.items():
            result = await session.execute(sa_select(table))
            rows[name] = [dict(row._mapping) for row in result.all()]
    return rows


def _traces_left(rows: dict[str, list[dict[str, Any]]], telegram_id: int) -> list[str]:
    """Where Mai's name, phone or Telegram id is still stored (table.column)."""
    found = []
    for table, table_rows in rows.items():
        telegram_columns = {
            c for c, kind in PERSON_COLUMNS.get(table, {}).items() if kind == "telegram"
        }
        for row in table_rows:
            for column, value in row.items():
                text = json.dumps(value, ensure_ascii=False, default=str)
                if any(trace in text for trace in MAI_TRACES):
                    found.append(f"{table}.{column}")
                if column in telegram_columns and value == telegram_id and table != "erasures":
                    found.append(f"{table}.{column}")
    return found


async def test_dulieu_shows_everything_kept_and_the_file_holds_every_row(
    harness: BotHarness, database: Database
) -> None:
    seed = await _seed_mai(harness, database)
    text = harness.texts(await harness.say(MAI, "/dulieu"))
    for expected in (
        "Họ và tên: Lê Thị Mai",
        "Số điện thoại: 0356 789 012",
        "Chức vụ: Chuyên viên",
        "Đơn vị: Sở Tư pháp",
        "Khối/Cụm: Khối các cơ quan Nội chính",
        "Vai trò: thành viên",
        "Ngôn ngữ: mặc định (chưa chọn)",
        "Đăng ký thi đua (1)",
        "Lao động tiên tiến — Đã duyệt",
        "Số sáng kiến được công nhận: 4 sáng kiến",
        "Hoàn thành bồi dưỡng: Có",
        f"Cam kết: {COMMITMENT}",
        "Báo cáo tiến độ (1)",
        "Quý I: Bị trả lại, muộn; 1 tệp minh chứng",
        "Số sáng kiến được công nhận: 3 sáng kiến",
        f"Ghi chú: {NOTE}",
        "nghỉ phép: 04/05/2027 – 08/05/2027",
        "Lời nhắc chưa gửi: 1",
        "Danh hiệu đã ghi nhận: 2026: LDTT",
        "Nhật ký tin nhắn:",
        "Tin bot chủ động gửi bạn (phát động, nhắc hạn, thông báo): 1",
    ):
        assert expected in text, expected
    assert "Bạn chưa có trong danh sách" not in text

    export = _upload(await harness.press(MAI, "dulieu:json"))
    tables = export["tables"]
    mai_id = await _member_id(database)
    assert export["member_id"] == mai_id and export["telegram_user_id"] == MAI_TG
    assert [row["full_name"] for row in tables["members"]] == [MAI_NAME]
    assert [row["id"] for row in tables["telegram_users"]] == [MAI_TG]
    assert [row["id"] for row in tables["pledges"]] == [seed.mai_pledge]
    assert tables["pledges"][0]["commitment"] == COMMITMENT
    assert sorted(row["id"] for row in tables["pledge_targets"]) == sorted(seed.targets.values())
    [report] = tables["progress_reports"]
    assert report["note"] == NOTE
    assert [row["caption"] for row in tables["report_evidence"]] == [CAPTION]
    assert [row["reason"] for row in tables["report_events"]] == [None, RETURN_REASON]
    assert len(tables["progress_values"]) == 1
    assert [row["starts"] for row in tables["member_leaves"]] == ["2027-05-04"]
    assert [row["subject_id"] for row in tables["reminders"]] == [mai_id]
    assert [row["code"] for row in tables["title_history"]] == ["LDTT"]
    assert [row["member_id"] for row in tables["acknowledgements"]] == [mai_id]
    assert [row["payload"]["text"] for row in tables["outbox"]] == [f"Kính gửi {MAI_NAME}"]
    assert [row["flow"] for row in tables["chat_flows"]] == ["pledge"]
    # The log holds Mai's own messages, those before this export included, and no one else's.
    logged = {row["telegram_user_id"] for row in tables["message_log"]}
    assert logged == {MAI_TG} and any(row["text"] == "/dulieu" for row in tables["message_log"])
    acted = {(ref["table"], ref["column"]) for ref in export["named_as_actor"]}
    assert {("pledges", "entered_by"), ("pledge_events", "actor"), ("report_events", "actor")} <= (
        acted
    )
    # Someone else pressing the same button gets their own data, never Mai's.
    other = _upload(await harness.press(NHUNG, "dulieu:json"))
    assert [row["full_name"] for row in other["tables"]["members"]] == ["Nguyễn Thị Hồng Nhung"]
    assert seed.mai_pledge not in {row["id"] for row in other["tables"]["pledges"]}


async def test_a_stranger_sees_the_log_of_their_attempts(
    harness: BotHarness, database: Database
) -> None:
    await harness.say(STRANGER, "xin chào")
    text = harness.texts(await harness.say(STRANGER, "/dulieu"))
    assert "Bạn chưa có trong danh sách của đơn vị nào" in text
    assert "Nhật ký tin nhắn: 3 tin (2 tin bạn gửi, 1 tin bot gửi)" in text
    assert "Đăng ký thi đua" not in text
    tables = _upload(await harness.press(STRANGER, "dulieu:json"))["tables"]
    assert tables["members"] == [] and tables["pledges"] == []
    assert [row["id"] for row in tables["telegram_users"]] == [STRANGER]
    inbound = [
        (row["kind"], row["text"]) for row in tables["message_log"] if row["direction"] == "in"
    ]
    assert inbound[:2] == [("text", "xin chào"), ("command", "/dulieu")]
    assert [kind for kind, _ in inbound[2:]] == ["callback"]


async def test_dulieu_is_refused_in_a_group(harness: BotHarness, database: Database) -> None:
    calls = await harness.say(MAI, "/dulieu", chat_id=-100123)
    assert "trong cuộc trò chuyện riêng với bot" in harness.texts(calls)
    assert all(call.params.get("chat_id") in (-100123, None) for call in calls)


async def test_erasure_removes_every_trace_and_keeps_the_figures(
    harness: BotHarness, database: Database, catalogs: Catalogs
) -> None:
    seed = await _seed_mai(harness, database)
    before = await _figures(database, seed.campaign_id)
    assert before["Sở Tư pháp"].reported == 1 and before["total"].roster == 7
    assert _traces_left(await _every_row(database), MAI_TG)  # the check sees them before
    async with database.session() as session:
        target = await erasure.find_by_phone("0356 789 012", session=session)
        result = await erasure.erase(
            target,
            t=catalogs.default,
            channel=ErasureChannel.CLI,
            erased_by=None,
            operator="thidua",
            session=session,
        )
    mai_id = await _member_id_by_key(database, "nguoi da xoa du lieu")
    assert result.member_id == mai_id and result.rows_changed > 0
    rows = await _every_row(database)
    assert _traces_left(rows, MAI_TG) == []
    assert await _figures(database, seed.campaign_id) == before
    async with database.session() as session:
        member = await session.get(Member, mai_id)
        assert member is not None
        assert member.full_name == f"Người đã xóa dữ liệu #{mai_id}"
        assert (member.phone, member.position, member.telegram_user_id) == (None, None, None)
        assert await session.get(TelegramUser, MAI_TG) is None
        pledge = await session.get(Pledge, seed.mai_pledge)
        assert pledge is not None and pledge.commitment == "" and pledge.member_id == mai_id
        labels = (
            await session.execute(
                select(PledgeTarget.label).where(PledgeTarget.pledge_id == seed.mai_pledge)
            )
        ).scalars()
        assert sorted(labels) == ["(đã xóa)", "(đã xóa)", INITIATIVES]  # own targets only
        [report] = (
            await session.execute(
                select(ProgressReport).where(ProgressReport.pledge_id == seed.mai_pledge)
            )
        ).scalars()
        assert report.note == "" and report.entered_by is None
        for model, where in (
            (Evidence, Evidence.report_id == report.id),
            (MemberLeave, MemberLeave.member_id == mai_id),
            (Reminder, Reminder.subject_id == mai_id),
            (TitleHistory, TitleHistory.member_id == mai_id),
            (ChatFlow, ChatFlow.telegram_user_id == MAI_TG),
            (MessageLog, MessageLog.telegram_user_id == MAI_TG),
        ):
            assert (await session.execute(select(model).where(where))).first() is None, model
        reasons = (
            await session.execute(
                select(ReportEvent.reason).where(ReportEvent.report_id == report.id)
            )
        ).scalars()
        assert list(reasons) == [None, None]
        [outbox] = (await session.execute(select(OutboxMessage))).scalars()
        assert (outbox.status, outbox.payload, outbox.member_id) == (
            OutboxStatus.CANCELLED,
            {},
            mai_id,
        )
        # The officer's logged message that named Mai stays as a row, without its text.
        officer_rows = (
            await session.execute(select(MessageLog).where(MessageLog.telegram_user_id == NHUNG))
        ).scalars()
        assert [row.text for row in officer_rows if row.payload == {}] == [None]
        [audit] = (await session.execute(select(Erasure))).scalars()
        assert (audit.member_id, audit.channel, audit.operator) == (
            mai_id,
            ErasureChannel.CLI,
            "thidua",
        )
    # Mai writing again is a stranger: nothing about her is shown.
    text = harness.texts(await harness.say(MAI, "/dulieu"))
    assert "Bạn chưa có trong danh sách" in text
    assert not any(trace in text for trace in MAI_TRACES) and "Đăng ký thi đua" not in text

    # Erasing twice is harmless: nothing changes, nothing more is recorded.
    async with database.session() as session:
        again = await erasure.find_by_member_id(mai_id, session=session)
        second = await erasure.erase(
            again,
            t=catalogs.default,
            channel=ErasureChannel.CLI,
            erased_by=None,
            operator="thidua",
            session=session,
        )
        audits = (await session.execute(select(Erasure))).scalars().all()
    assert second.rows_changed == 0 and second.erased_before is not None and len(audits) == 1
    assert await _figures(database, seed.campaign_id) == before


async def _member_id_by_key(database: Database, key_start: str) -> int:
    async with database.session() as session:
        found = await session.execute(
            select(Member.id).where(Member.name_key.startswith(key_start))  # type: ignore[attr-defined]
        )
        return int(found.scalar_one())


async def test_an_admin_erases_from_chat_and_others_cannot(
    harness: BotHarness, database: Database
) -> None:
    seed = await _seed_mai(harness, database)
    mai_id = await _member_id(database)
    refused = harness.texts(await harness.say(NHUNG, "/xoadulieu 0356789012"))
    assert "Chỉ quản trị viên mới được xóa dữ liệu" in refused
    forged = harness.texts(await harness.press(NHUNG, f"xoadl:{mai_id}"))
    assert "Chỉ quản trị viên" in forged
    assert await _member_id(database) == mai_id  # still there, untouched

    unknown = harness.texts(await harness.say(ADMIN, "/xoadulieu 0911111111"))
    assert "Không có thành viên nào có số điện thoại 0911111111." in unknown
    asked = await harness.say(ADMIN, "/xoadulieu 0356 789 012")
    question = harness.texts(asked)
    assert f"thành viên #{mai_id} {MAI_NAME} (0356 789 012)" in question
    cancelled = harness.texts(await harness.press(ADMIN, "xoadl:no"))
    assert "Chưa xóa dữ liệu nào." in cancelled and await _member_id(database) == mai_id

    done = harness.texts(await harness.press(ADMIN, f"xoadl:{mai_id}"))
    assert f"Đã xóa dữ liệu cá nhân của thành viên #{mai_id}" in done
    # The admin's own command and the question that named Mai are redacted too.
    assert _traces_left(await _every_row(database), MAI_TG) == []
    async with database.session() as session:
        [audit] = (await session.execute(select(Erasure))).scalars()
    assert (audit.member_id, audit.channel, audit.erased_by) == (
        mai_id,
        ErasureChannel.CHAT,
        ADMIN,
    )
    again = harness.texts(await harness.press(ADMIN, f"xoadl:{mai_id}"))
    assert "đã được xóa ngày" in again and "không còn gì để xóa" in again
    assert seed.campaign_id  # the campaign stays


def test_every_column_naming_a_person_is_mapped() -> None:
    """A new table holding a member id or a Telegram id must be added to PERSON_COLUMNS, so
    /dulieu exports it and the erasure clears it."""
    person_like = {"member_id", "telegram_user_id", "chat_id", "actor", "sender", "subject_id"}
    missing = []
    for name, table in SQLModel.metadata.tables.items():
        mapped = PERSON_COLUMNS.get(name, {})
        for column in table.columns:
            looks_personal = column.name in person_like or column.name.endswith("_by")
            if looks_personal and column.name not in mapped:
                missing.append(f"{name}.{column.name}")
    assert missing == []


# --- the command line (SQLite: each command opens the database from DATABASE_URL) ------------


@pytest.fixture
def cli_env(no_env_file: Path) -> dict[str, str | None]:
    return {
        "DATABASE_URL": f"sqlite+aiosqlite:///{no_env_file}/t.db",
        "TELEGRAM_BOT_TOKEN": None,
        "THIDUA_DEFAULT_LOCALE": None,
    }


async def _seed_for_cli(url: str) -> None:
    """Mai linked to Telegram, with a report, in a migrated SQLite file."""
    database = Database(url)
    try:
        await migrate.upgrade(database)
        seed = await seed_reporting(database)
        async with database.session() as session:
            session.add(TelegramUser(id=MAI_TG, first_name="Mai"))
            await session.flush()
            member = (
                await session.execute(select(Member).where(Member.phone == MAI_PHONE))
            ).scalar_one()
            member.telegram_user_id = MAI_TG
            await reports.submit_report(
                seed.mai_pledge,
                seed.milestones[0],
                {seed.targets[TRAINING]: yes_no(TRAINING, True)},
                note=NOTE,
                actor=MAI_TG,
                today=QUARTER_DAY,
                session=session,
            )
    finally:
        await database.dispose()


async def _rows_of(url: str) -> dict[str, list[dict[str, Any]]]:
    database = Database(url)
    try:
        return await _every_row(database)
    finally:
        await database.dispose()


def test_member_erase_on_the_command_line(cli_env: dict[str, str | None]) -> None:
    """Synchronous like the real command, which runs its own event loop."""
    url = str(cli_env["DATABASE_URL"])
    asyncio.run(_seed_for_cli(url))
    runner = CliRunner()

    def cli(*args: str, prompt: str | None = None) -> Any:
        return runner.invoke(main, ["member", "erase", *args], env=cli_env, input=prompt)

    neither = cli()
    assert neither.exit_code == 1
    assert "đúng một trong các tùy chọn --phone, --id hoặc --telegram-id" in neither.stderr
    unknown = cli("--phone", "0911 111 111")
    assert unknown.exit_code == 1 and unknown.stdout == ""
    assert unknown.stderr.strip() == "Không có thành viên nào có số điện thoại 0911 111 111."
    declined = cli("--phone", "0356789012", prompt="n\n")
    assert declined.exit_code == 1 and "Chưa xóa dữ liệu nào." in declined.stdout
    assert f"{MAI_NAME} (0356 789 012)" in declined.stdout
    assert MAI_NAME in json.dumps(asyncio.run(_rows_of(url)), ensure_ascii=False, default=str)
    done = cli("--phone", "0356789012", "--yes")
    assert done.exit_code == 0, done.output
    assert "Đã xóa dữ liệu cá nhân của thành viên #" in done.stdout
    assert _traces_left(asyncio.run(_rows_of(url)), MAI_TG) == []
    twice = cli("--telegram-id", str(MAI_TG), "--yes")
    assert twice.exit_code == 1  # the account went with the erasure
    assert "Bot không lưu giữ dữ liệu nào về tài khoản Telegram 503." in twice.stderr
