"""`thidua campaign ...` and `thidua announce` as an admin runs them (SQLite, real CLI)."""

import asyncio
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlmodel import select

from bot.cli import main
from storage.campaign_models import Campaign, CampaignStatus, OutboxMessage
from storage.database import Database
from storage.models import Member
from storage.people import upsert_telegram_user

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "phong_trao_mau.yaml"
ROSTER = ROOT / "examples" / "danh_sach_mau.csv"


@pytest.fixture
def db_url(no_env_file: Path) -> str:
    return f"sqlite+aiosqlite:///{no_env_file / 'thidua.db'}"


@pytest.fixture
def run(db_url: str):  # type: ignore[no-untyped-def]
    runner = CliRunner()

    def invoke(*args: str) -> Result:
        return runner.invoke(main, list(args), env={"DATABASE_URL": db_url})

    assert invoke("db", "upgrade").exit_code == 0
    assert invoke("org", "import", str(ROSTER)).exit_code == 0
    return invoke


def _query(db_url: str, model: type) -> list:  # type: ignore[type-arg]
    async def read() -> list:  # type: ignore[type-arg]
        database = Database(db_url)
        async with database.session() as session:
            rows = list((await session.execute(select(model))).scalars().all())
        await database.dispose()
        return rows

    return asyncio.run(read())


def _link_everyone(db_url: str) -> None:
    """As if each person had shared their phone with the bot."""

    async def link() -> None:
        database = Database(db_url)
        async with database.session() as session:
            for member in (await session.execute(select(Member))).scalars().all():
                telegram_id = 10_000 + (member.id or 0)
                await upsert_telegram_user(
                    telegram_id,
                    first_name="x",
                    last_name=None,
                    username=None,
                    language_code="vi",
                    session=session,
                )
                await session.flush()
                member.telegram_user_id = telegram_id
        await database.dispose()

    asyncio.run(link())


def test_create_list_show_launch(run, db_url: str) -> None:  # type: ignore[no-untyped-def]
    created = run("campaign", "create", str(EXAMPLE))
    assert created.exit_code == 0, created.output
    assert "Đã tạo bản nháp phong trào 1" in created.stdout
    listed = run("campaign", "list")
    assert "bản nháp" in listed.stdout and "25/03/2027" in listed.stdout
    shown = run("campaign", "show", "1")
    assert "Phát động phong trào thi đua" in shown.stdout
    assert "Sơ kết 6 tháng: 15/07/2027" in shown.stdout and "<b>" not in shown.stdout
    # Nobody linked yet: refused before launch, still a draft.
    refused = run("campaign", "launch", "1")
    assert refused.exit_code == 1 and "Hãy mời họ" in refused.stderr
    _link_everyone(db_url)
    launched = run("campaign", "launch", "1")
    assert launched.exit_code == 0, launched.output
    rows = _query(db_url, OutboxMessage)
    audience = {row.chat_id for row in rows}
    assert len(audience) == 5  # the example addresses one bloc: five people of the roster
    assert "Đã xếp hàng" in launched.stdout
    # Launching twice does not queue anything again.
    again = run("campaign", "launch", "1")
    assert again.exit_code == 1
    assert len(_query(db_url, OutboxMessage)) == len(rows)
    [campaign] = _query(db_url, Campaign)
    assert campaign.status == CampaignStatus.LAUNCHED


def test_a_bad_file_lists_every_problem_with_its_path(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "sai.yaml"
    (tmp_path / "ke_hoach_2027.txt").write_text("Kế hoạch", encoding="utf-8")
    text = EXAMPLE.read_text(encoding="utf-8")
    text = text.replace("due: 15/07/2027", "due: 31/02/2027").replace("LĐTT", "KHONG_CO")
    bad.write_text(text, encoding="utf-8")
    result = run("campaign", "create", str(bad))
    assert result.exit_code == 1
    assert '"31/02/2027" không phải ngày hợp lệ' in result.stderr
    assert "milestones[" in result.stderr
    assert "Traceback" not in result.output


def test_unknown_titles_are_named_with_their_path(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "sai.yaml"
    (tmp_path / "ke_hoach_2027.txt").write_text("Kế hoạch", encoding="utf-8")
    bad.write_text(
        EXAMPLE.read_text(encoding="utf-8").replace("LĐTT", "KHONG_CO"), encoding="utf-8"
    )
    result = run("campaign", "create", str(bad))
    assert result.exit_code == 1
    assert 'titles[0]: "KHONG_CO" không có trong danh mục danh hiệu' in result.stderr


def test_lifecycle_is_enforced(run, db_url: str) -> None:  # type: ignore[no-untyped-def]
    assert run("campaign", "create", str(EXAMPLE)).exit_code == 0
    early = run("campaign", "status", "1", "review")
    assert early.exit_code == 1 and "không thể chuyển sang" in early.stderr
    _link_everyone(db_url)
    assert run("campaign", "launch", "1").exit_code == 0
    closed = run("campaign", "status", "1", "close-registration")
    assert closed.exit_code == 0 and "đã hết hạn đăng ký" in closed.stdout
    assert run("campaign", "status", "1", "review").exit_code == 0
    assert run("campaign", "status", "1", "close").exit_code == 0
    assert run("campaign", "status", "1", "reopen-registration").exit_code == 1


def test_announce_to_a_unit(run, db_url: str) -> None:  # type: ignore[no-untyped-def]
    _link_everyone(db_url)
    result = run(
        "announce", "--text", "Họp giao ban thi đua lúc 8 giờ thứ Hai", "--unit", "thanh tra"
    )
    assert result.exit_code == 0, result.output
    rows = _query(db_url, OutboxMessage)
    assert len(rows) == 2  # Thanh tra tỉnh has two people in the sample roster
    assert rows[0].payload == {
        "method": "sendMessage",
        "text": "Họp giao ban thi đua lúc 8 giờ thứ Hai",
    }
    empty = run("announce")
    assert empty.exit_code == 1 and "cần có nội dung" in empty.stderr


def test_open_report_refuses_a_bad_milestone_number(run, db_url: str) -> None:  # type: ignore[no-untyped-def]
    created = run("campaign", "create", str(EXAMPLE))
    assert created.exit_code == 0, created.output
    [campaign] = _query(db_url, Campaign)
    result = run("campaign", "open-report", str(campaign.id), "9")
    assert result.exit_code != 0 and "từ 1 đến" in result.output
    result = run("campaign", "open-report", str(campaign.id), "1")
    assert result.exit_code != 0  # a draft is not running: one line, no traceback
    assert "Traceback" not in result.output and "không còn diễn ra" in result.output
