"""Bloc scoring in chat (/chamdiem), on both databases: self-score → adjust with a reason (the
unit is told) → publish → ranking with the suggested leading unit → locked. Forged presses,
a restart mid-flow, and the import command."""

from pathlib import Path

import pytest
from sqlmodel import col, select

from bot.access import Grant, Viewer
from bot.errors import UserFacingError
from bot.i18n import Catalogs
from bot.scoring import import_sheet, may_lead, may_publish
from bot.scoring_file import load_sheet_file
from bot.settings import Settings
from storage.campaign_models import OutboxMessage
from storage.database import Database
from storage.models import Role, ScopeKind
from storage.scoring_models import (
    ScoreAction,
    ScoreEvent,
    ScoringCriterion,
    ScoringSheet,
    SheetStatus,
    UnitScore,
)
from tests.support.flows import button, link, media_update, second_app, shown
from tests.support.harness import BotHarness
from tests.support.org_seed import BINH, CUONG, MAI, NHUNG, NOI_CHINH, THANH_TRA, TU_PHAP
from tests.support.pledge_seed import seed_launched, unit_id

EXAMPLE = Path(__file__).parent.parent / "examples" / "cham_diem_mau.yaml"
LOCKED = "đã công bố, không sửa được"


async def _sheet(database: Database) -> int:
    campaign_id = await seed_launched(database)
    spec = load_sheet_file(EXAMPLE)
    async with database.session() as session:
        sheet, new = await import_sheet(
            campaign_id, NOI_CHINH, spec, title=spec.title or "", session=session
        )
        assert new and sheet.id is not None
        return sheet.id


async def _notices(database: Database) -> list[OutboxMessage]:
    async with database.session() as session:
        result = await session.execute(
            select(OutboxMessage)
            .where(OutboxMessage.kind == "scoring")
            .order_by(col(OutboxMessage.id))
        )
        return list(result.scalars().all())


async def _events(database: Database) -> list[ScoreEvent]:
    async with database.session() as session:
        result = await session.execute(select(ScoreEvent).order_by(col(ScoreEvent.id)))
        return list(result.scalars().all())


async def _self_score(harness: BotHarness, user: int, criterion: str, points: str) -> str:
    calls = await harness.say(user, "/chamdiem")
    calls = await harness.press(user, button(calls, "✍️"))
    calls = await harness.press(user, button(calls, criterion))
    calls = await harness.say(user, points)
    calls = await harness.press(user, button(calls, "Không ghi chú"))
    return shown(calls)


async def test_scoring_round_trip_in_chat(
    harness: BotHarness, database: Database, settings: Settings, catalogs: Catalogs
) -> None:
    sheet_id = await _sheet(database)
    await link(harness, [NHUNG, BINH, CUONG, MAI])
    tu_phap = await unit_id(database, TU_PHAP)
    thanh_tra = await unit_id(database, THANH_TRA)

    # The officer sees the unit's sheet and self-scores with a note and a photo as evidence.
    calls = await harness.say(NHUNG, "/chamdiem")
    text = shown(calls)
    assert TU_PHAP in text and "tối đa 30" in text and "Tổng điểm: 0" in text
    calls = await harness.press(NHUNG, button(calls, "✍️"))
    assert "bạn chấm tiêu chí nào" in shown(calls)
    calls = await harness.press(NHUNG, button(calls, "1. Thực hiện"))
    calls = await harness.say(NHUNG, "35")
    assert "từ 0 đến 30" in shown(calls)
    calls = await harness.say(NHUNG, "mười")
    assert "ví dụ 18 hoặc 2,5" in shown(calls)
    calls = await harness.say(NHUNG, "28,5")
    assert "minh chứng" in shown(calls)
    update = media_update(harness, NHUNG, photo="anh-hoi-nghi", caption="Hội nghị sơ kết")
    calls = await harness.feed(update)
    text = shown(calls)
    assert "Đã lưu điểm" in text and "tự chấm: 28,5" in text and "Tổng điểm: 28,5" in text
    assert "Hội nghị sơ kết" in text
    text = await _self_score(harness, NHUNG, "9. Để xảy ra", "2")
    assert "Tổng điểm: 26,5" in text  # a penalty is deducted

    # A restart in the middle of the other officer's flow: it resumes at the same step.
    calls = await harness.say(CUONG, "/chamdiem")
    calls = await harness.press(CUONG, button(calls, "✍️"))
    calls = await harness.press(CUONG, button(calls, "1. Thực hiện"))
    app, restarted = await second_app(settings, database, catalogs)
    try:
        calls = await restarted.say(CUONG, "20")
        calls = await restarted.press(CUONG, button(calls, "Không ghi chú"))
        assert "Tổng điểm: 20" in shown(calls)
    finally:
        await app.shutdown()

    # The bloc head sees the bloc, drills into a unit and adjusts with a mandatory reason.
    calls = await harness.say(BINH, "/chamdiem")
    text = shown(calls)
    assert "Sở Tư pháp: 26,5 điểm" in text and "Thanh tra tỉnh: 20 điểm" in text
    calls = await harness.press(BINH, button(calls, TU_PHAP))
    calls = await harness.press(BINH, button(calls, "✏️"))
    calls = await harness.press(BINH, button(calls, "1. Thực hiện"))
    assert "tự chấm: 28,5" in shown(calls)
    calls = await harness.say(BINH, "25")
    assert "lý do" in shown(calls).lower()
    calls = await harness.say(BINH, "   ")
    assert "Vui lòng nhập lý do" in shown(calls)
    calls = await harness.say(BINH, "Minh chứng chưa đủ: thiếu kế hoạch năm")
    text = shown(calls)
    assert "Đã điều chỉnh" in text and "chính thức: 25" in text and "Tổng điểm: 23" in text
    notices = await _notices(database)
    assert [notice.chat_id for notice in notices] == [NHUNG]
    assert "28,5 → 25" in notices[0].payload["text"]
    assert "thiếu kế hoạch năm" in notices[0].payload["text"]
    calls = await harness.say(NHUNG, "/chamdiem")
    assert "đã điều chỉnh: Minh chứng chưa đủ" in shown(calls)

    # An unfinished self-scoring flow, to press after publication.
    calls = await harness.say(CUONG, "/chamdiem")
    pending = await harness.press(CUONG, button(calls, "✍️"))

    # Publish (with a confirmation): ranking and the suggested leading unit.
    calls = await harness.say(BINH, "/chamdiem")
    calls = await harness.press(BINH, button(calls, "Công bố kết quả"))
    assert "Xếp hạng tạm thời" in shown(calls)
    calls = await harness.press(BINH, button(calls, "Đồng ý công bố"))
    text = shown(calls)
    assert "Đã công bố" in text
    assert text.index("1. Sở Tư pháp — 23") < text.index("2. Thanh tra tỉnh — 20")
    assert "suy tôn dẫn đầu khối: <b>Sở Tư pháp</b>" in text

    # Locked: every scoring and adjusting button answers that it is published.
    for user, data in (
        (NHUNG, f"cd:e:{sheet_id}:{tu_phap}"),
        (BINH, f"cd:a:{sheet_id}:{tu_phap}"),
        (BINH, f"cd:p:{sheet_id}"),
        (BINH, f"cd:P:{sheet_id}"),
        (CUONG, button(pending, "1. Thực hiện")),
    ):
        assert LOCKED in shown(await harness.press(user, data))
    calls = await harness.press(CUONG, f"cd:r:{sheet_id}")
    assert "Kết quả" in shown(calls) and "Sở Tư pháp" in shown(calls)

    async with database.session() as session:
        sheet = await session.get(ScoringSheet, sheet_id)
        assert sheet is not None and sheet.status is SheetStatus.PUBLISHED
        assert sheet.published_by == BINH
        scores = (
            (await session.execute(select(UnitScore).where(UnitScore.unit_id == thanh_tra)))
            .scalars()
            .all()
        )
        assert len(scores) == 1
    actions = [event.action for event in await _events(database)]
    assert actions == [ScoreAction.SELF_SCORED] * 3 + [ScoreAction.ADJUSTED, ScoreAction.PUBLISHED]


async def test_forged_presses_are_refused(harness: BotHarness, database: Database) -> None:
    sheet_id = await _sheet(database)
    await link(harness, [NHUNG, BINH, CUONG, MAI])
    tu_phap = await unit_id(database, TU_PHAP)
    thanh_tra = await unit_id(database, THANH_TRA)
    refused = {
        (NHUNG, f"cd:u:{sheet_id}:{thanh_tra}"): "không quản lý",
        (NHUNG, f"cd:e:{sheet_id}:{thanh_tra}"): "không quản lý",
        (CUONG, f"cd:e:{sheet_id}:{tu_phap}"): "không quản lý",
        (NHUNG, f"cd:a:{sheet_id}:{tu_phap}"): "Chỉ trưởng khối, phó khối",
        (BINH, f"cd:e:{sheet_id}:{tu_phap}"): "Chỉ cán bộ thi đua",
        (NHUNG, f"cd:s:{sheet_id}"): "không phụ trách khối",
        (NHUNG, f"cd:p:{sheet_id}"): "không phụ trách khối",
        (CUONG, f"cd:P:{sheet_id}"): "không phụ trách khối",
        (NHUNG, f"cd:r:{sheet_id}"): "không phụ trách khối",  # not before publication
        (BINH, f"cd:e:{sheet_id + 99}:{tu_phap}"): "không còn hiệu lực",
        (BINH, f"cd:x:{sheet_id}"): "không còn hiệu lực",
        (BINH, f"cd:u:{sheet_id}"): "không còn hiệu lực",
    }
    for (user, data), expected in refused.items():
        text = shown(await harness.press(user, data))
        assert expected in text, (user, data, text)
    calls = await harness.say(MAI, "/chamdiem")
    assert "Chỉ cán bộ thi đua, trưởng khối" in shown(calls)
    assert await _events(database) == []


async def test_a_scored_sheet_cannot_be_replaced(harness: BotHarness, database: Database) -> None:
    sheet_id = await _sheet(database)
    await link(harness, [NHUNG])
    await _self_score(harness, NHUNG, "2. Tổ chức", "15")
    spec = load_sheet_file(EXAMPLE)
    async with database.session() as session:
        sheet = await session.get(ScoringSheet, sheet_id)
        assert sheet is not None
        with pytest.raises(UserFacingError, match="already scored"):
            await import_sheet(sheet.campaign_id, NOI_CHINH, spec, title="x", session=session)
        count = len(
            (
                await session.execute(
                    select(ScoringCriterion).where(ScoringCriterion.sheet_id == sheet_id)
                )
            )
            .scalars()
            .all()
        )
        assert count == len(spec.criteria)


def test_the_deputy_adjusts_but_only_the_head_publishes() -> None:
    head = Viewer(1, grants=(Grant(Role.BLOC_HEAD, ScopeKind.BLOC, 7),))
    deputy = Viewer(2, grants=(Grant(Role.BLOC_DEPUTY, ScopeKind.BLOC, 7),))
    admin = Viewer(3, grants=(Grant(Role.ADMIN, ScopeKind.ALL, None),))
    assert may_publish(head, 7) and not may_publish(head, 8)
    assert may_lead(deputy, 7) and not may_publish(deputy, 7)
    assert may_publish(admin, 8) and may_lead(admin, 8)
