"""The real `thidua` process reports progress: a member reports with two photos and sees the
chart; the officer sees the evidence re-sent and approves. Against the local Bot API stand-in.

The campaign's dates are set around today, since the running bot reads the real clock.
"""

import asyncio
import signal
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from bot import pledges
from bot.pledge_values import PledgeInput, TargetValue
from storage import campaigns as campaign_store
from storage.campaign_models import CatalogueItem, TargetType
from storage.database import Database
from storage.models import Member
from storage.pledge_models import PledgeKind
from tests.support.bot_api_standin import BotApiStandIn, RecordedCall
from tests.support.process import run_cli, start_bot, wait_text

pytestmark = pytest.mark.e2e

ROSTER = """STT;Khối;Đơn vị;Họ và tên;Chức vụ;Số điện thoại;Vai trò
1;Khối Nội chính;Sở Tư pháp;Nguyễn Thị Hồng Nhung;Chuyên viên;0912 345 678;cán bộ thi đua
2;Khối Nội chính;Sở Tư pháp;Lê Thị Mai;Chuyên viên;0356 789 012;
"""
NHUNG, MAI = 7101, 7102


def _dmy(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def _campaign_file(today: date) -> str:
    return f"""name: Phong trào thi đua thử nghiệm
kind: thường xuyên
period:
  start: {_dmy(today - timedelta(days=60))}
  end: {_dmy(today + timedelta(days=300))}
registration:
  opens: {_dmy(today - timedelta(days=59))}
  deadline: {_dmy(today - timedelta(days=30))}
milestones:
  - name: Báo cáo quý
    due: {_dmy(today + timedelta(days=10))}
  - name: Tổng kết
    due: {_dmy(today + timedelta(days=200))}
titles:
  - LĐTT
targets:
  - label: Số sáng kiến được công nhận
    unit: sáng kiến
    type: số
  - label: Hoàn thành chương trình bồi dưỡng
    type: có/không
"""


async def _approved_pledge(database_url: str) -> None:
    """Mai's pledge, approved by her officer (as if done in chat earlier)."""
    database = Database(database_url)
    try:
        async with database.session() as session:
            mai = (
                await session.execute(select(Member).where(Member.full_name == "Lê Thị Mai"))
            ).scalar_one()
            [title] = (
                await session.execute(select(CatalogueItem).where(CatalogueItem.code == "LDTT"))
            ).scalars()
            templates = await campaign_store.targets_of(1, session=session)
            values = PledgeInput(
                campaign_id=1,
                kind=PledgeKind.INDIVIDUAL,
                member_id=mai.id,
                title_item_id=title.id or 0,
                targets=(
                    TargetValue(
                        templates[0].label,
                        "sáng kiến",
                        TargetType.NUMBER,
                        templates[0].id,
                        number=Decimal(4),
                    ),
                    TargetValue(
                        templates[1].label, "", TargetType.YES_NO, templates[1].id, yes_no=True
                    ),
                ),
            )
            registered = date.today() - timedelta(days=31)  # before the deadline
            done = await pledges.confirm(values, actor=MAI, today=registered, session=session)
            assert done.pledge.id is not None
            await pledges.approve(done.pledge.id, actor=NHUNG, session=session)
    finally:
        await database.dispose()


def _photo_update(
    standin: BotApiStandIn, user_id: int, file_id: str, caption: str
) -> dict[str, Any]:
    update = standin.message_update(user_id, "x")
    message = update["message"]
    del message["text"]
    message["photo"] = [
        {
            "file_id": file_id,
            "file_unique_id": f"u-{file_id}",
            "width": 1280,
            "height": 960,
            "file_size": 120_000,
        }
    ]
    message["caption"] = caption
    return update


class Person:
    """Presses the newest button with a label, as the person would on their phone."""

    def __init__(self, standin: BotApiStandIn, user_id: int) -> None:
        self.standin, self.user_id = standin, user_id

    def say(self, text: str, expect: str) -> RecordedCall:
        self.standin.push_update(self.standin.message_update(self.user_id, text))
        return wait_text(self.standin, self.user_id, expect)

    def press(self, label: str) -> None:
        for call in reversed(self.standin.calls("sendMessage")):
            if str(call.params.get("chat_id")) != str(self.user_id):
                continue
            markup = call.params.get("reply_markup") or {}
            for row in markup.get("inline_keyboard", []):
                for button in row:
                    if label in button["text"]:
                        self.standin.push_update(
                            self.standin.callback_update(self.user_id, button["callback_data"])
                        )
                        return
        raise AssertionError(f"no button {label!r} sent to {self.user_id}")


def test_report_with_photos_chart_and_approval(
    tmp_path: Path, standin: BotApiStandIn, bot_env: dict[str, str]
) -> None:
    roster = tmp_path / "danh_sach.csv"
    roster.write_text(ROSTER, encoding="utf-8-sig")
    campaign_file = tmp_path / "phong_trao.yaml"
    campaign_file.write_text(_campaign_file(date.today()), encoding="utf-8")
    for args in (("db", "upgrade"), ("org", "import", str(roster))):
        assert run_cli(bot_env, tmp_path, *args).returncode == 0
    created = run_cli(bot_env, tmp_path, "campaign", "create", str(campaign_file))
    assert created.returncode == 0, created.stderr

    bot = start_bot(bot_env, tmp_path)
    try:
        standin.wait_for_call("getUpdates", timeout=30)
        standin.push_update(standin.contact_update(NHUNG, "+84912345678"))
        wait_text(standin, NHUNG, "Chào mừng")
        standin.push_update(standin.contact_update(MAI, "+84356789012"))
        wait_text(standin, MAI, "Chào mừng")
        assert run_cli(bot_env, tmp_path, "campaign", "launch", "1").returncode == 0
        asyncio.run(_approved_pledge(bot_env["DATABASE_URL"]))

        mai = Person(standin, MAI)
        mai.say("/baocao", "Chỉ tiêu 1/2")
        mai.say("3", "Chỉ tiêu 2/2")
        mai.press("Có")
        wait_text(standin, MAI, "Minh chứng")
        standin.push_update(_photo_update(standin, MAI, "photo-a", "Quyết định công nhận"))
        wait_text(standin, MAI, "Đã nhận (1)")
        standin.push_update(_photo_update(standin, MAI, "photo-b", "Ảnh hội nghị"))
        wait_text(standin, MAI, "Đã nhận (2)")
        mai.press("Xong")
        wait_text(standin, MAI, "Ghi chú")
        mai.press("Bỏ qua")
        summary = wait_text(standin, MAI, "Kiểm tra báo cáo")
        assert "3 sáng kiến</b> / 4 sáng kiến (75,0%)" in str(summary.params["text"])
        mai.press("Xác nhận")
        wait_text(standin, MAI, "Đã gửi báo cáo")

        mai.say("/tiendo", "Tiến độ của bạn")
        chart = standin.wait_for_call(
            "sendPhoto", lambda p: str(p.get("chat_id")) == str(MAI), timeout=30
        )
        png = chart.params["photo"].data
        assert png.startswith(b"\x89PNG") and len(png) > 10_000

        nhung = Person(standin, NHUNG)
        nhung.say("/donvi", "Đã đăng ký 1/2")
        nhung.press("Báo cáo tiến độ")
        wait_text(standin, NHUNG, "Đã báo cáo 1/1")
        nhung.press("Lê Thị Mai")
        wait_text(standin, NHUNG, "Minh chứng: 2 tệp")
        nhung.press("Xem minh chứng (2)")
        for file_id in ("photo-a", "photo-b"):
            standin.wait_for_call(
                "sendPhoto",
                lambda p, f=file_id: str(p.get("chat_id")) == str(NHUNG) and p.get("photo") == f,
                timeout=20,
            )
        nhung.press("Duyệt")
        wait_text(standin, NHUNG, "Đã duyệt báo cáo của Lê Thị Mai")
        wait_text(standin, MAI, "đã được duyệt")  # through the outbox
    finally:
        bot.send_signal(signal.SIGINT)
        output, _ = bot.communicate(timeout=30)
    assert bot.returncode == 0, output
    assert "Traceback" not in output
