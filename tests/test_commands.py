"""Help, language, invites and join status from chat; bad input and forged buttons."""

from unittest.mock import patch

from sqlalchemy.exc import OperationalError
from sqlmodel import select

from storage.database import Database
from storage.models import Invite, Member, TelegramUser
from tests.support.harness import BotHarness
from tests.support.org_seed import BINH, CUONG, DUNG, HOA, MAI, NHUNG, STRANGER, seed_org


async def _link(harness: BotHarness, user_id: int, phone: str) -> None:
    calls = await harness.share_contact(user_id, phone)
    assert "Chào mừng" in harness.texts(calls)


async def test_help_lists_commands_for_the_role(harness: BotHarness, database: Database) -> None:
    await seed_org(database)
    stranger = harness.texts(await harness.say(STRANGER, "/help"))
    assert "/start" in stranger and "/moi" not in stranger
    assert "chưa được liên kết" in stranger
    await _link(harness, MAI, "0356789012")
    member = harness.texts(await harness.say(MAI, "/help"))
    assert "/language" in member and "/moi" not in member
    await _link(harness, NHUNG, "0912345678")
    officer = harness.texts(await harness.say(NHUNG, "/help"))
    assert "/moi" in officer and "/thanhvien" in officer


async def test_language_switch_persists(harness: BotHarness, database: Database) -> None:
    await seed_org(database)
    calls = await harness.say(STRANGER, "/language")
    buttons = calls[-1].markup["inline_keyboard"][0]
    assert {button["callback_data"] for button in buttons} == {"lang:vi", "lang:en"}
    answer = await harness.press(STRANGER, "lang:en")
    assert "Language set to English." in harness.texts(answer)
    help_text = harness.texts(await harness.say(STRANGER, "/help"))
    assert "Commands for you:" in help_text
    async with database.session() as session:
        user = await session.get(TelegramUser, STRANGER)
        assert user is not None and user.locale == "en"
    back = await harness.press(STRANGER, "lang:vi")
    assert "Đã chuyển sang tiếng Việt." in harness.texts(back)


async def test_forged_language_button_is_refused(harness: BotHarness, database: Database) -> None:
    calls = await harness.press(STRANGER, "lang:fr")
    assert "không còn hiệu lực" in harness.texts(calls)


async def test_unexpected_input_always_gets_an_answer(
    harness: BotHarness, database: Database
) -> None:
    await seed_org(database)
    update = harness.updates.message_update(STRANGER, "x")
    del update["message"]["text"]
    update["message"]["sticker"] = {
        "file_id": "s1",
        "file_unique_id": "u1",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
        "type": "regular",
    }
    sticker = harness.texts(await harness.feed(update))
    assert "Chia sẻ số điện thoại" in sticker
    text = harness.texts(await harness.say(STRANGER, "xin chào"))
    assert "chưa được liên kết" in text
    unknown = harness.texts(await harness.say(STRANGER, "/khonglenh"))
    assert "chưa hiểu lệnh này" in unknown
    await _link(harness, MAI, "0356789012")
    linked = harness.texts(await harness.say(MAI, "hôm nay nộp báo cáo chưa?"))
    assert "/help" in linked
    stale = harness.texts(await harness.press(MAI, "old:123"))
    assert "không còn hiệu lực" in stale


async def test_group_chats_get_a_pointer_to_the_private_chat(
    harness: BotHarness, database: Database
) -> None:
    calls = await harness.say(STRANGER, "/start", chat_id=-100123)
    [message] = [call for call in calls if call.method == "sendMessage"]
    assert int(message.params["chat_id"]) == -100123
    assert "nhắn riêng" in message.text
    chatter = await harness.say(STRANGER, "chào cả nhà", chat_id=-100123)
    assert [call for call in chatter if call.method == "sendMessage"] == []


async def test_officer_creates_an_invite_for_their_unit(
    harness: BotHarness, database: Database
) -> None:
    await seed_org(database)
    await _link(harness, NHUNG, "0912345678")
    text = harness.texts(await harness.say(NHUNG, "/moi"))
    assert "Sở Tư pháp" in text
    assert "https://t.me/thidua_test_bot?start=" in text
    async with database.session() as session:
        invite = (await session.execute(select(Invite))).scalars().one()
    assert invite.token in text and invite.max_uses == 200
    # Someone opening that link joins Sở Tư pháp.
    joined = harness.texts(await harness.say(STRANGER, f"/start {invite.token}"))
    assert "Sở Tư pháp" in joined


async def test_member_cannot_create_invites(harness: BotHarness, database: Database) -> None:
    await seed_org(database)
    await _link(harness, MAI, "0356789012")
    text = harness.texts(await harness.say(MAI, "/moi"))
    assert "Chỉ cán bộ thi đua" in text
    assert "t.me" not in text


async def test_bloc_head_picks_a_unit_and_forged_presses_are_refused(
    harness: BotHarness, database: Database
) -> None:
    await seed_org(database)
    await _link(harness, BINH, "0987654321")
    calls = await harness.say(BINH, "/moi")
    rows = calls[-1].markup["inline_keyboard"]
    labels = [row[0]["text"] for row in rows]
    assert labels == ["Sở Tư pháp", "Thanh tra tỉnh"]  # their bloc only, not Ủy ban MTTQ
    pressed = harness.texts(await harness.press(BINH, rows[1][0]["callback_data"]))
    assert "Thanh tra tỉnh" in pressed and "t.me" in pressed
    # A unit outside their bloc, and a unit that does not exist: refused, nothing created.
    async with database.session() as session:
        before = len((await session.execute(select(Invite))).scalars().all())
    from storage.org import all_units

    async with database.session() as session:
        mttq = next(u for u in await all_units(session=session) if "MTTQ" in u.name)
    forged = harness.texts(await harness.press(BINH, f"inv:{mttq.id}"))
    assert "không thể tạo link mời" in forged
    missing = harness.texts(await harness.press(BINH, "inv:99999"))
    assert "không thể tạo link mời" in missing
    nonsense = harness.texts(await harness.press(BINH, "inv:abc"))
    assert "không thể tạo link mời" in nonsense
    async with database.session() as session:
        assert len((await session.execute(select(Invite))).scalars().all()) == before
    # A member pressing the officer's button gets nothing either.
    await _link(harness, HOA, "0978123456")
    assert "không thể tạo link mời" in harness.texts(
        await harness.press(HOA, rows[0][0]["callback_data"])
    )


async def test_officer_sees_who_has_not_joined(harness: BotHarness, database: Database) -> None:
    await seed_org(database)
    await _link(harness, CUONG, "0901234567")
    text = harness.texts(await harness.say(CUONG, "/thanhvien"))
    assert "Đã tham gia bot: 1/3 (33,3%)" in text
    assert "Hoàng Thị Dung" in text and "Võ Văn Em" in text
    assert "Nguyễn Thị Hồng Nhung" not in text  # another unit
    await _link(harness, DUNG, "0383456789")
    again = harness.texts(await harness.say(CUONG, "/thanhvien"))
    assert "2/3 (66,7%)" in again and "Hoàng Thị Dung" not in again.split("Chưa tham gia:")[1]


async def test_bloc_head_sees_units_of_the_bloc(harness: BotHarness, database: Database) -> None:
    await seed_org(database)
    await _link(harness, BINH, "0987654321")
    text = harness.texts(await harness.say(BINH, "/thanhvien"))
    assert "Đã tham gia bot: 1/6" in text
    assert "Sở Tư pháp: 1/3" in text and "Thanh tra tỉnh: 0/3" in text
    assert "MTTQ" not in text
    member_view = harness.texts(await harness.say(STRANGER, "/thanhvien"))
    assert "Chỉ cán bộ thi đua" in member_view


async def test_names_people_typed_are_escaped(harness: BotHarness, database: Database) -> None:
    await seed_org(database)
    from datetime import UTC, datetime

    from bot.invites import create_invite
    from bot.text import match_key
    from storage.org import find_unit

    async with database.session() as session:
        unit = await find_unit(match_key("Sở Tư pháp"), session=session)
        assert unit is not None and unit.id is not None
        token = (await create_invite(unit.id, now=datetime.now(UTC), session=session)).token
    calls = await harness.say(STRANGER, f"/start {token}", first_name="<b>Boss</b>")
    assert "&lt;b&gt;Boss&lt;/b&gt;" in harness.texts(calls)


async def test_database_failure_gets_an_apology_and_keeps_nothing_half_written(
    harness: BotHarness, database: Database
) -> None:
    await seed_org(database)
    from bot import onboarding

    real_link = onboarding.link_by_contact

    async def link_then_fail(*args: object, **kwargs: object) -> object:
        await real_link(*args, **kwargs)  # type: ignore[arg-type]  # writes and flushes the link
        raise OperationalError("UPDATE members", {}, Exception("disk I/O error"))

    with patch("handlers.start.link_by_contact", side_effect=link_then_fail):
        calls = await harness.share_contact(NHUNG, "0912345678")
    # A disk I/O error is the database being away: "busy, try again in a minute" (issue 8).
    assert "Hệ thống đang bận, vui lòng thử lại sau một phút" in harness.texts(calls)
    async with database.session() as session:
        linked = (
            await session.execute(
                select(TelegramUser.id).join(
                    Member,
                    Member.telegram_user_id == TelegramUser.id,  # type: ignore[arg-type]
                )
            )
        ).all()
    assert linked == []  # the half-done link was rolled back
    # The next try works normally.
    calls = await harness.share_contact(NHUNG, "0912345678")
    assert "Chào mừng Nguyễn Thị Hồng Nhung!" in harness.texts(calls)


async def test_configured_admin_outside_the_roster_gets_the_admin_menu(
    harness: BotHarness, database: Database
) -> None:
    from storage.people import sync_config_admins
    from tests.support.org_seed import ADMIN

    await seed_org(database)
    async with database.session() as session:  # what `thidua run` does with THIDUA_ADMIN_IDS
        await sync_config_admins([ADMIN], session=session)
    calls = await harness.say(ADMIN, "/start")
    assert "quản trị viên" in harness.texts(calls)
    menus = [call for call in calls if call.method == "setMyCommands"]
    assert menus and "thanhvien" in str(menus[-1].params["commands"])
    overview = harness.texts(await harness.say(ADMIN, "/thanhvien"))
    assert "Đã tham gia bot: 0/7" in overview and "Ủy ban MTTQ tỉnh: 0/1" in overview


async def test_blocking_the_bot_marks_the_member_unreachable(
    harness: BotHarness, database: Database
) -> None:
    from storage.models import MemberStatus

    await seed_org(database)
    await _link(harness, MAI, "0356789012")

    bot = {"id": 123456, "is_bot": True, "first_name": "Thi đua"}

    def chat_member(status: str) -> dict[str, object]:
        # Telegram sends until_date with "kicked" (0 = for ever); PTB requires it.
        return {"status": status, "user": bot, **({"until_date": 0} if status == "kicked" else {})}

    def membership(old: str, new: str) -> dict[str, object]:
        user = {"id": MAI, "is_bot": False, "first_name": "Mai"}
        return {
            "my_chat_member": {
                "chat": {"id": MAI, "type": "private", "first_name": "Mai"},
                "from": user,
                "date": 1_790_000_000,
                "old_chat_member": chat_member(old),
                "new_chat_member": chat_member(new),
            }
        }

    async def status() -> MemberStatus:
        async with database.session() as session:
            member = (
                (await session.execute(select(Member).where(Member.telegram_user_id == MAI)))
                .scalars()
                .one()
            )
            return member.status

    calls = await harness.feed(membership("member", "kicked"))
    assert [call for call in calls if call.method == "sendMessage"] == []  # no reply to a block
    assert await status() == MemberStatus.UNREACHABLE
    await harness.feed(membership("kicked", "member"))
    assert await status() == MemberStatus.ACTIVE
