"""Onboarding through the real application, offline: contact, invite, status, refusals."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from bot.invites import create_invite
from storage.database import Database
from storage.models import Invite, Member, MemberSource, MessageLog, Role
from storage.org import find_unit
from tests.support.harness import BotHarness
from tests.support.org_seed import (
    BINH,
    CUONG,
    DUNG,
    MAI,
    NHUNG,
    STRANGER,
    THANH_TRA,
    TU_PHAP,
    seed_org,
)


async def _member(database: Database, telegram_id: int) -> Member | None:
    async with database.session() as session:
        result = await session.execute(select(Member).where(Member.telegram_user_id == telegram_id))
        return result.scalars().first()


async def _invite(database: Database, unit: str, **kwargs: object) -> str:
    from bot.text import match_key

    async with database.session() as session:
        found = await find_unit(match_key(unit), session=session)
        assert found is not None and found.id is not None
        invite = await create_invite(
            found.id,
            now=datetime.now(UTC),
            session=session,
            **kwargs,  # type: ignore[arg-type]
        )
        return invite.token


async def test_start_asks_for_the_phone_contact_in_vietnamese(
    harness: BotHarness, database: Database
) -> None:
    await seed_org(database)
    calls = await harness.say(STRANGER, "/start")
    [message] = [call for call in calls if call.method == "sendMessage"]
    assert "Chia sẻ số điện thoại" in message.text
    button = message.markup["keyboard"][0][0]
    assert button["request_contact"] is True
    assert button["text"] == "📱 Chia sẻ số điện thoại"


@pytest.mark.parametrize("shared", ["0912 345 678", "+84912345678", "84912345678"])
async def test_contact_in_any_phone_form_links_and_greets_by_name(
    harness: BotHarness, database: Database, shared: str
) -> None:
    await seed_org(database)
    await harness.say(NHUNG, "/start")
    calls = await harness.share_contact(NHUNG, shared)
    text = harness.texts(calls)
    assert "Chào mừng Nguyễn Thị Hồng Nhung!" in text
    assert "Sở Tư pháp" in text
    assert "Vai trò: cán bộ thi đua" in text
    assert "Khối các cơ quan Nội chính" in text
    member = await _member(database, NHUNG)
    assert member is not None and member.full_name == "Nguyễn Thị Hồng Nhung"
    assert member.linked_at is not None
    # The officer's own command menu is published for their chat.
    menus = [call for call in calls if call.method == "setMyCommands"]
    assert menus and "moi" in str(menus[-1].params["commands"])


async def test_joining_by_contact_takes_three_taps_or_fewer(
    harness: BotHarness, database: Database
) -> None:
    """Tap 1: Start. Tap 2: the share button. Tap 3: Telegram's confirmation. Linked."""
    await seed_org(database)
    await harness.say(MAI, "/start")  # tap 1
    await harness.share_contact(MAI, "0356789012")  # taps 2 and 3
    assert await _member(database, MAI) is not None


async def test_someone_elses_contact_is_refused_and_links_nothing(
    harness: BotHarness, database: Database
) -> None:
    await seed_org(database)
    calls = await harness.share_contact(STRANGER, "0912345678", contact_user_id=NHUNG)
    assert "không phải số điện thoại của bạn" in harness.texts(calls)
    assert await _member(database, STRANGER) is None


async def test_unknown_phone_gets_told_to_ask_the_officer(
    harness: BotHarness, database: Database
) -> None:
    await seed_org(database)
    calls = await harness.share_contact(STRANGER, "0939999999")
    text = harness.texts(calls)
    assert "0939 999 999" in text
    assert "chưa có trong danh sách" in text
    assert "cán bộ thi đua" in text
    assert await _member(database, STRANGER) is None


async def test_a_record_linked_to_another_account_cannot_be_claimed(
    harness: BotHarness, database: Database
) -> None:
    await seed_org(database)
    await harness.share_contact(NHUNG, "0912345678")
    # Another account that somehow holds the same number (a new SIM, a shared phone).
    calls = await harness.share_contact(STRANGER, "0912345678")
    assert "đã được liên kết với một tài khoản Telegram khác" in harness.texts(calls)
    member = await _member(database, NHUNG)
    assert member is not None and member.phone == "+84912345678"
    assert await _member(database, STRANGER) is None


async def test_already_linked_person_sees_status(harness: BotHarness, database: Database) -> None:
    await seed_org(database)
    await harness.share_contact(BINH, "0987654321")
    calls = await harness.say(BINH, "/start")
    text = harness.texts(calls)
    assert "Bạn đã được liên kết." in text
    assert "Trần Văn Bình" in text
    assert "trưởng khối/cụm" in text


async def test_invite_link_links_a_newcomer_to_the_unit(
    harness: BotHarness, database: Database
) -> None:
    await seed_org(database)
    token = await _invite(database, THANH_TRA)
    calls = await harness.say(STRANGER, f"/start {token}", first_name="Quang", last_name="Ngô")
    text = harness.texts(calls)
    assert "Chào mừng Quang Ngô!" in text
    assert "Thanh tra tỉnh" in text
    member = await _member(database, STRANGER)
    assert member is not None and member.source == MemberSource.INVITE


async def test_invite_with_a_role_grants_it(harness: BotHarness, database: Database) -> None:
    await seed_org(database)
    token = await _invite(database, TU_PHAP, role=Role.UNIT_OFFICER)
    calls = await harness.say(STRANGER, f"/start {token}")
    assert "Vai trò: cán bộ thi đua" in harness.texts(calls)


async def test_invite_beyond_its_uses_is_refused(harness: BotHarness, database: Database) -> None:
    await seed_org(database)
    token = await _invite(database, THANH_TRA, uses=1)
    await harness.say(STRANGER, f"/start {token}")
    calls = await harness.say(STRANGER + 1, f"/start {token}")
    assert "đã hết lượt sử dụng" in harness.texts(calls)
    assert await _member(database, STRANGER + 1) is None
    # The first person using it again is not counted twice and keeps their link.
    again = await harness.say(STRANGER, f"/start {token}")
    assert "Bạn đã được liên kết." in harness.texts(again)


async def test_expired_and_unknown_invites_link_nothing(
    harness: BotHarness, database: Database
) -> None:
    await seed_org(database)
    token = await _invite(database, THANH_TRA)
    async with database.session() as session:
        invite = (await session.execute(select(Invite))).scalars().one()
        invite.expires_at = datetime.now(UTC) - timedelta(minutes=1)
    expired = await harness.say(STRANGER, f"/start {token}")
    assert "đã hết hạn" in harness.texts(expired)
    unknown = await harness.say(STRANGER, "/start AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
    assert "không hợp lệ" in harness.texts(unknown)
    garbage = await harness.say(STRANGER, "/start <b>hi</b>")
    assert "không hợp lệ" in harness.texts(garbage)
    assert await _member(database, STRANGER) is None


async def test_invitee_then_sharing_phone_moves_onto_the_roster_record(
    harness: BotHarness, database: Database
) -> None:
    """One person, one record: the invite placeholder gives way to their roster entry."""
    await seed_org(database)
    token = await _invite(database, THANH_TRA, role=Role.UNIT_OFFICER)
    await harness.say(DUNG, f"/start {token}", first_name="Dung")
    calls = await harness.share_contact(DUNG, "0383456789")
    assert "Chào mừng Hoàng Thị Dung!" in harness.texts(calls)
    member = await _member(database, DUNG)
    assert member is not None and member.source == MemberSource.IMPORT
    async with database.session() as session:
        placeholders = (
            (await session.execute(select(Member).where(Member.source == MemberSource.INVITE)))
            .scalars()
            .all()
        )
    assert placeholders == []
    status = await harness.say(DUNG, "/start")
    assert "Vai trò: cán bộ thi đua" in harness.texts(status)


async def test_invitee_of_another_unit_cannot_take_a_roster_record(
    harness: BotHarness, database: Database
) -> None:
    await seed_org(database)
    token = await _invite(database, THANH_TRA)
    await harness.say(STRANGER, f"/start {token}")
    calls = await harness.share_contact(STRANGER, "0912345678")  # Nhung's number, Sở Tư pháp
    assert "đơn vị khác" in harness.texts(calls)
    assert (await _member(database, STRANGER)).full_name != "Nguyễn Thị Hồng Nhung"  # type: ignore[union-attr]


async def test_every_update_and_reply_is_logged(harness: BotHarness, database: Database) -> None:
    await seed_org(database)
    await harness.say(CUONG, "/start")
    await harness.share_contact(CUONG, "0901234567")
    async with database.session() as session:
        rows = (await session.execute(select(MessageLog).order_by(MessageLog.id))).scalars().all()
    directions = [(row.direction, row.kind) for row in rows]
    assert ("in", "command") in directions
    assert ("in", "contact") in directions
    assert [d for d, _ in directions].count("out") >= 2
    inbound = [row for row in rows if row.direction == "in"]
    assert inbound[0].payload["message"]["text"] == "/start"
