"""The real `thidua` process against a local Bot API stand-in on 127.0.0.1.

Imports a roster and makes an invite with the CLI, then runs `thidua run` and completes
onboarding by invite and by shared contact, exactly as Telegram would deliver the updates.
"""

import signal
from pathlib import Path

import pytest

from tests.support.bot_api_standin import BotApiStandIn
from tests.support.process import E2E_TOKEN, run_cli, start_bot, wait_text

pytestmark = pytest.mark.e2e

ROSTER = """STT;Khối;Đơn vị;Họ và tên;Chức vụ;Số điện thoại;Vai trò
1;Khối Nội chính;Sở Tư pháp;Nguyễn Thị Hồng Nhung;Chuyên viên;0912 345 678;cán bộ thi đua
2;Khối Nội chính;Sở Tư pháp;Trần Văn Bình;Phó Giám đốc;+84 987 654 321;trưởng khối
3;Khối Nội chính;Thanh tra tỉnh;Lê Văn An;Thanh tra viên;84356789012;
"""
NEWCOMER, NHUNG = 7001, 7002
TOKEN = E2E_TOKEN


def test_onboarding_by_invite_and_by_contact(
    tmp_path: Path, standin: BotApiStandIn, bot_env: dict[str, str]
) -> None:
    roster = tmp_path / "danh_sach.csv"
    roster.write_text(ROSTER, encoding="utf-8-sig")
    assert run_cli(bot_env, tmp_path, "db", "upgrade").returncode == 0
    imported = run_cli(bot_env, tmp_path, "org", "import", str(roster))
    assert imported.returncode == 0, imported.stderr
    assert "3 thêm mới" in imported.stdout
    # The CLI learns the bot's username from getMe on the (stand-in) Bot API.
    invite = run_cli(bot_env, tmp_path, "invite", "Thanh tra tỉnh", "--uses", "2")
    assert invite.returncode == 0, invite.stderr
    link, token = invite.stdout.split()
    assert link == f"https://t.me/thidua_test_bot?start={token}"

    bot = start_bot(bot_env, tmp_path)
    try:
        standin.wait_for_call("getUpdates", timeout=30)
        assert standin.calls("setMyCommands"), "the default command menu is published at start"

        # 1. A newcomer opens the invite link: two taps (the link, then Start).
        standin.push_update(
            standin.message_update(NEWCOMER, f"/start {token}", first_name="Quang", last_name="Ngô")
        )
        welcome = wait_text(standin, NEWCOMER, "Chào mừng Quang Ngô!")
        assert "Thanh tra tỉnh" in str(welcome.params["text"])

        # 2. A roster member shares their contact: Start, share, confirm.
        standin.push_update(standin.message_update(NHUNG, "/start"))
        ask = wait_text(standin, NHUNG, "Chia sẻ số điện thoại")
        assert ask.params["reply_markup"]["keyboard"][0][0]["request_contact"] is True
        standin.push_update(standin.contact_update(NHUNG, "+84912345678"))
        greeting = wait_text(standin, NHUNG, "Chào mừng Nguyễn Thị Hồng Nhung!")
        assert "cán bộ thi đua" in str(greeting.params["text"])

        # 3. A stranger with an unknown number is not linked to anyone.
        standin.push_update(standin.contact_update(7003, "0939999999"))
        wait_text(standin, 7003, "chưa có trong danh sách")
    finally:
        bot.send_signal(signal.SIGINT)
        output, _ = bot.communicate(timeout=30)
    assert bot.returncode == 0, output
    assert "Traceback" not in output
    assert TOKEN not in output, "the bot token must never reach the logs"

    exported = tmp_path / "out.csv"
    assert run_cli(bot_env, tmp_path, "org", "export", str(exported)).returncode == 0
    lines = exported.read_text(encoding="utf-8-sig").splitlines()
    nhung = next(line for line in lines if "Nguyễn Thị Hồng Nhung" in line)
    an = next(line for line in lines if "Lê Văn An" in line)
    assert ",Có," in nhung and ",Không," in an


def test_run_without_a_token_is_one_clear_line(tmp_path: Path, bot_env: dict[str, str]) -> None:
    env = {key: value for key, value in bot_env.items() if key != "TELEGRAM_BOT_TOKEN"}
    result = run_cli(env, tmp_path, "run")
    assert result.returncode == 2
    assert "TELEGRAM_BOT_TOKEN" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_launch_reaches_linked_members_and_acknowledgements_count(
    tmp_path: Path, standin: BotApiStandIn, bot_env: dict[str, str]
) -> None:
    """CLI creates and launches; the running bot's dispatcher delivers; a member acknowledges."""
    root = Path(__file__).resolve().parent.parent
    roster = tmp_path / "danh_sach.csv"
    roster.write_text(ROSTER, encoding="utf-8-sig")
    campaign_file = tmp_path / "phong_trao.yaml"
    campaign_file.write_text(
        (root / "examples" / "phong_trao_mau.yaml")
        .read_text(encoding="utf-8")
        .replace("Khối các cơ quan Nội chính", "Khối Nội chính"),
        encoding="utf-8",
    )
    (tmp_path / "ke_hoach_2027.txt").write_text("Kế hoạch phát động", encoding="utf-8")
    assert run_cli(bot_env, tmp_path, "db", "upgrade").returncode == 0
    assert run_cli(bot_env, tmp_path, "org", "import", str(roster)).returncode == 0
    created = run_cli(bot_env, tmp_path, "campaign", "create", str(campaign_file))
    assert created.returncode == 0, created.stderr

    bot = start_bot(bot_env, tmp_path)
    try:
        standin.wait_for_call("getUpdates", timeout=30)
        standin.push_update(standin.contact_update(NHUNG, "+84912345678"))
        wait_text(standin, NHUNG, "Chào mừng")
        launched = run_cli(bot_env, tmp_path, "campaign", "launch", "1")
        assert launched.returncode == 0, launched.stderr
        # The plan document first, then the launch text with its two buttons.
        standin.wait_for_call(
            "sendDocument", lambda p: str(p.get("chat_id")) == str(NHUNG), timeout=20
        )
        launch = wait_text(standin, NHUNG, "Phát động phong trào thi đua")
        buttons = launch.params["reply_markup"]["inline_keyboard"]
        assert [row[0]["callback_data"] for row in buttons] == ["reg:1", "ack:1"]
        standin.push_update(standin.callback_update(NHUNG, "ack:1"))
        answer = standin.wait_for_call("answerCallbackQuery", timeout=20)
        assert "ghi nhận" in str(answer.params.get("text"))
        standin.push_update(standin.message_update(9999, "/baocaogui 1"))
        report = wait_text(standin, 9999, "đã xác nhận 1")
        assert "Sở Tư pháp" in str(report.params["text"])
    finally:
        bot.send_signal(signal.SIGINT)
        output, _ = bot.communicate(timeout=30)
    assert bot.returncode == 0, output
    assert "Traceback" not in output
