"""Per-person flood control: the token bucket on a fake clock, the lanes that keep one person's
updates in order while others run beside them, and a 50-message flood through the real bot."""

import asyncio
import inspect
import itertools
from collections.abc import Awaitable
from datetime import UTC, datetime, time
from typing import Any

import pytest
from sqlmodel import select
from telegram import Update

from bot.flood import FloodLimiter, FloodLimits, Verdict
from bot.flood_notice import NOTICE
from bot.i18n import Catalogs
from bot.settings import Settings
from bot.update_lanes import PersonLanes, lanes_for
from storage.database import Database
from storage.models import MessageLog
from tests.support.bot_api_standin import BotApiStandIn
from tests.support.flows import button, flow_row, link, shown
from tests.support.harness import BotHarness
from tests.support.org_seed import MAI, NHUNG
from tests.support.pledge_seed import OPEN_DAY, seed_launched

A, B = 7001, 7002


class FakeClock:
    """Seconds that move only when the test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


# ----------------------------------------------------------------- the limiter, pure


def test_a_burst_goes_through_then_one_notice_then_silence() -> None:
    limiter = FloodLimiter(FloodLimits(burst=8, rate=2.0, notice_cooldown=30.0))
    verdicts = [limiter.check(A, 0.0) for _ in range(50)]
    assert verdicts[:8] == [Verdict.ALLOW] * 8
    assert verdicts[8] is Verdict.DROP_AND_NOTIFY
    assert verdicts[9:] == [Verdict.DROP] * 41
    assert (limiter.allowed, limiter.dropped, limiter.notices) == (8, 42, 1)


def test_the_bucket_refills_at_the_rate_and_never_above_the_burst() -> None:
    limiter = FloodLimiter(FloodLimits(burst=4, rate=2.0))
    for _ in range(4):
        assert limiter.check(A, 0.0) is Verdict.ALLOW
    assert limiter.check(A, 0.0) is not Verdict.ALLOW
    assert limiter.check(A, 0.5) is Verdict.ALLOW  # one token after half a second at 2/s
    assert limiter.check(A, 0.5) is Verdict.DROP
    assert limiter.tokens(A, 100.0) == 4  # capped at the burst
    for _ in range(4):
        assert limiter.check(A, 100.0) is Verdict.ALLOW
    assert limiter.check(A, 100.0) is not Verdict.ALLOW


def test_a_steady_flood_gets_the_rate_and_one_notice_per_cooldown() -> None:
    limiter = FloodLimiter(FloodLimits(burst=10, rate=1.0, notice_cooldown=30.0))
    clock = FakeClock()
    verdicts = []
    for _ in range(50 * 60):  # 50 messages a second for a minute
        verdicts.append(limiter.check(A, clock.now))
        clock.now += 0.02
    allowed = verdicts.count(Verdict.ALLOW)
    assert 10 + 59 <= allowed <= 10 + 61  # the burst, then one a second
    assert verdicts.count(Verdict.DROP_AND_NOTIFY) == 2  # at 0 s and at 30 s


def test_people_have_their_own_buckets_and_operators_a_larger_burst() -> None:
    limiter = FloodLimiter(FloodLimits(burst=3, rate=1.0, boosted_burst=6), boosted=frozenset({B}))
    assert [limiter.check(A, 0.0) for _ in range(4)].count(Verdict.ALLOW) == 3
    assert [limiter.check(B, 0.0) for _ in range(7)].count(Verdict.ALLOW) == 6
    assert limiter.check(NHUNG, 0.0) is Verdict.ALLOW  # a third person is untouched


def test_a_clock_that_steps_back_gives_no_tokens() -> None:
    limiter = FloodLimiter(FloodLimits(burst=1, rate=1.0))
    assert limiter.check(A, 10.0) is Verdict.ALLOW
    assert limiter.check(A, 5.0) is not Verdict.ALLOW
    assert limiter.check(A, 10.5) is not Verdict.ALLOW  # still half a token short
    assert limiter.check(A, 11.0) is Verdict.ALLOW


def test_full_buckets_are_forgotten_after_the_cooldown() -> None:
    limiter = FloodLimiter(FloodLimits(burst=2, rate=1.0, notice_cooldown=30.0))
    for key in range(100):
        limiter.check(key, 0.0)
    for _ in range(3):
        limiter.check(A, 0.0)  # A is told, so A is kept until the cooldown is over
    limiter.forget_idle(0.5)
    assert len(limiter) == 101  # none is full yet
    limiter.forget_idle(1.0)
    assert len(limiter) == 1  # only A, whose notice cooldown runs until 30 s
    limiter.forget_idle(31.0)
    assert len(limiter) == 0


def test_limits_are_checked() -> None:
    with pytest.raises(ValueError, match="burst"):
        FloodLimits(burst=0)
    with pytest.raises(ValueError, match="rate"):
        FloodLimits(rate=0)


def test_settings_give_the_limits_and_operators_double_the_burst() -> None:
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, THIDUA_FLOOD_BURST="5", THIDUA_FLOOD_RATE="0.5", THIDUA_ADMIN_IDS="42"
    )
    limiter = lanes_for(settings).limiter
    assert (limiter.limits.burst, limiter.limits.rate, limiter.limits.boosted_burst) == (5, 0.5, 10)
    assert limiter.boosted == frozenset({42})
    default = lanes_for(Settings(_env_file=None)).limiter.limits  # type: ignore[call-arg]
    assert (default.burst, default.rate) == (10, 1.0)


# ----------------------------------------------------------------- the lanes, without a bot


class Responder:
    """Records what the lanes ask for dropped updates, and what had happened by then."""

    def __init__(self, done: list[tuple[int, int]]) -> None:
        self.done = done
        self.answered: list[int] = []
        self.notified: list[tuple[int, int]] = []  # (update id, updates done by then)

    async def answer_dropped(self, update: Update) -> None:
        self.answered.append(update.update_id)

    async def notify(self, update: Update) -> None:
        self.notified.append((update.update_id, len(self.done)))


_factory = BotApiStandIn()  # not started: builds update dicts only
_ids = itertools.count(1)


def message(user_id: int, text: str = "hi") -> Update:
    return Update.de_json({"update_id": next(_ids), **_factory.message_update(user_id, text)}, None)


def press(user_id: int, data: str = "x") -> Update:
    return Update.de_json(
        {"update_id": next(_ids), **_factory.callback_update(user_id, data)}, None
    )


def blocked(user_id: int) -> Update:
    """A my_chat_member update: the person blocked the bot."""
    person = {"id": user_id, "is_bot": False, "first_name": "Test"}
    member = {"user": {"id": 123456, "is_bot": True, "first_name": "Bot"}}
    raw = {
        "update_id": next(_ids),
        "my_chat_member": {
            "chat": {"id": user_id, "type": "private", "first_name": "Test"},
            "from": person,
            "date": 0,
            "old_chat_member": {**member, "status": "member"},
            "new_chat_member": {**member, "status": "kicked", "until_date": 0},
        },
    }
    return Update.de_json(raw, None)


def lanes(burst: int = 3) -> tuple[PersonLanes, list[tuple[int, int]], Responder]:
    processor = PersonLanes(
        FloodLimiter(FloodLimits(burst=burst, rate=1.0)), clock=FakeClock(), work_slots=4
    )
    done: list[tuple[int, int]] = []
    processor.responder = Responder(done)
    return processor, done, processor.responder  # type: ignore[return-value]


async def handled(done: list[tuple[int, int]], update: Update, gate: asyncio.Event | None) -> None:
    """Stands in for the bot's work on one update: yields to the loop, records completion."""
    if gate is not None:
        await gate.wait()
    for _ in range(update.update_id % 3):
        await asyncio.sleep(0)
    assert update.effective_user is not None
    done.append((update.effective_user.id, update.update_id))


def run(processor: PersonLanes, update: Update, work: Awaitable[Any]) -> "asyncio.Task[None]":
    return asyncio.ensure_future(processor.process_update(update, work))


async def test_one_persons_updates_stay_in_order_while_another_person_goes_ahead() -> None:
    processor, done, _ = lanes(burst=20)
    gate = asyncio.Event()
    first = message(A)
    tasks = [run(processor, first, handled(done, first, gate))]
    mine = [message(A) for _ in range(5)]
    tasks += [run(processor, update, handled(done, update, None)) for update in mine]
    other = message(B)
    tasks.append(run(processor, other, handled(done, other, None)))
    await tasks[-1]
    # B is done while A's first update is still held and A's others wait behind it.
    assert done == [(B, other.update_id)]
    assert processor.busy_lanes == 1
    gate.set()
    await asyncio.gather(*tasks)
    assert [update_id for user, update_id in done if user == A] == [
        first.update_id,
        *[update.update_id for update in mine],
    ]
    assert processor.busy_lanes == 0


async def test_a_dropped_update_is_never_run_its_button_answered_and_one_notice_queued() -> None:
    processor, done, responder = lanes(burst=3)
    updates = [press(A) if index % 2 else message(A) for index in range(12)]
    works = [handled(done, update, None) for update in updates]
    await asyncio.gather(*(run(processor, u, w) for u, w in zip(updates, works, strict=True)))
    assert [update_id for _, update_id in done] == [u.update_id for u in updates[:3]]
    assert all(inspect.getcoroutinestate(w) == inspect.CORO_CLOSED for w in works)  # type: ignore[arg-type]
    dropped_presses = [u.update_id for u in updates[3:] if u.callback_query is not None]
    assert responder.answered == [u.update_id for u in updates[3:]]
    assert len(dropped_presses) == 5
    # One notice, and only after the three updates that went through were done.
    assert responder.notified == [(updates[3].update_id, 3)]


async def test_membership_changes_are_never_dropped() -> None:
    processor, done, responder = lanes(burst=1)
    updates = [message(A), message(A), blocked(A)]
    await asyncio.gather(*(run(processor, u, handled(done, u, None)) for u in updates))
    assert [update_id for _, update_id in done] == [updates[0].update_id, updates[2].update_id]
    assert responder.answered == [updates[1].update_id]


# ----------------------------------------------------------------- the real bot, offline


class Fed:
    """Feeds updates through the application's update processor, as `thidua run` does."""

    def __init__(self, harness: BotHarness) -> None:
        self.harness = harness
        self.next_id = 100_000

    async def feed(self, raw: dict[str, Any]) -> None:
        app = self.harness.app
        update = Update.de_json({"update_id": self.next_id, **raw}, app.bot)
        self.next_id += 1
        await app.update_processor.process_update(update, app.process_update(update))


async def _handled_update_ids(database: Database, user_id: int) -> list[int]:
    async with database.session() as session:
        result = await session.execute(
            select(MessageLog.update_id)
            .where(MessageLog.telegram_user_id == user_id, MessageLog.direction == "in")
            .order_by(MessageLog.id)  # type: ignore[arg-type]
        )
        return [int(update_id) for update_id in result.scalars().all() if update_id is not None]


async def test_fifty_messages_at_once_one_notice_the_flow_intact_and_others_served(
    harness: BotHarness, database: Database, catalogs: Catalogs
) -> None:
    campaign_id = await seed_launched(database)
    opening = datetime.combine(OPEN_DAY, time(3, 0), tzinfo=UTC)
    harness.app.services.now = lambda: opening  # type: ignore[method-assign]
    await link(harness, [MAI, NHUNG])
    opened = await harness.press(MAI, f"reg:{campaign_id}")
    chosen = await harness.press(MAI, button(opened, "Lao động tiên tiến"))
    assert "Chỉ tiêu 1/" in shown(await harness.press(MAI, button(chosen, "Giấy khen")))
    before = await flow_row(database, MAI)
    assert before is not None
    lanes = harness.app.update_processor
    assert isinstance(lanes, PersonLanes)
    clock = FakeClock()
    lanes.clock = clock  # frozen: the bucket does not refill during the flood
    fed = Fed(harness)
    factory = harness.updates
    flood = [
        factory.callback_update(MAI, "stale:1")
        if index % 5 == 4
        else factory.message_update(MAI, "hai")
        for index in range(50)
    ]
    other = factory.message_update(NHUNG, "/help")
    start_calls = len(harness.request.calls)
    first_id = fed.next_id
    await asyncio.gather(*(fed.feed(raw) for raw in [*flood[:25], other, *flood[25:]]))
    calls = harness.request.calls[start_calls:]

    handled_ids = await _handled_update_ids(database, MAI)
    flood_ids = [first_id + index for index in range(51) if index != 25]
    burst = lanes.limiter.limits.burst
    assert handled_ids[-burst:] == flood_ids[:burst]  # the first ten, in the order sent
    assert lanes.limiter.dropped == 50 - burst

    notice = catalogs.get("vi")(NOTICE)
    to_mai = [call for call in calls if str(call.params.get("chat_id")) == str(MAI)]
    assert [call.text for call in to_mai if call.method == "sendMessage"].count(notice) == 1
    assert to_mai[-1].text == notice  # after the replies to what went through
    refused = [call for call in to_mai if "không phải là số" in call.text]
    assert len(refused) == sum(1 for raw in flood[:burst] if "message" in raw)
    answered = [call for call in calls if call.method == "answerCallbackQuery"]
    assert len(answered) == 10  # every pressed button stops spinning, dropped or not

    help_text = [call.text for call in calls if str(call.params.get("chat_id")) == str(NHUNG)]
    assert help_text and "/dangky" in help_text[0]

    after = await flow_row(database, MAI)
    assert after is not None and (after.flow, after.step, after.data) == (
        before.flow,
        before.step,
        before.data,
    )
    # A few seconds later the member carries on where they were.
    clock.now += 5
    before_value = len(harness.request.calls)
    await fed.feed(factory.message_update(MAI, "2"))
    carried_on = shown(harness.request.calls[before_value:])
    assert "tên chỉ tiêu | đơn vị tính" in carried_on  # the target took "2": next step
    assert notice not in carried_on
    assert lanes.busy_lanes == 0
