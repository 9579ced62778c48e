"""The send schedule: overall rate without drift, the one-second window, chats, groups, pauses."""

from bot.pacing import Pacer, SendLimits


def _send_all(
    pacer: Pacer, chats: list[int], overhead: float = 0.0, start: float = 0.0
) -> list[float]:
    """Send to each chat as early as allowed; each send costs `overhead` seconds of work."""
    now, times = start, []
    for chat in chats:
        now = max(pacer.next_slot(now), pacer.chat_ready_at(chat, now))
        pacer.record_send(chat, now)
        times.append(now)
        now += overhead
    return times


def test_overhead_per_send_does_not_slow_the_pace() -> None:
    """10 ms of database work per message still gives the full pace: 29 a second from the
    dispatcher, the 30th slot of each second being the replies' headroom."""
    times = _send_all(Pacer(), list(range(1, 301)), overhead=0.010)
    assert 299 / 30 <= times[-1] - times[0] <= 299 / 29 + 0.1


def test_never_more_than_the_rate_within_any_second() -> None:
    times = _send_all(Pacer(), list(range(1, 601)), overhead=0.004)
    for index in range(len(times) - 29):
        assert times[index + 29] - times[index] >= 1.0


def test_one_chat_gets_at_most_one_message_a_second() -> None:
    pacer = Pacer()
    pacer.record_send(42, 0.0)
    assert pacer.chat_ready_at(42, 0.2) == 1.0
    assert pacer.chat_ready_at(43, 0.2) == 0.2


def test_a_group_gets_at_most_twenty_a_minute() -> None:
    pacer = Pacer(SendLimits(group_per_minute=20))
    for second in range(20):
        pacer.record_send(-100, float(second))
    assert pacer.chat_ready_at(-100, 20.0) == 60.0
    assert pacer.chat_ready_at(-200, 20.0) == 20.0


def test_a_429_pauses_everything_for_exactly_retry_after() -> None:
    pacer = Pacer()
    pacer.pause(3.0, now=10.0)
    assert pacer.next_slot(10.5) == 13.0
    assert pacer.paused_for(12.0) == 1.0
    assert pacer.paused_for(13.5) == 0.0


def test_a_reply_uses_the_headroom_and_a_second_of_all_sends_never_holds_more_than_30() -> None:
    pacer = Pacer()
    times = _send_all(pacer, list(range(1, 30)))  # 29 dispatcher sends: its own limit
    pacer.begin_external(times[-1] + 0.001)  # a reply goes out at once, seen while in flight
    pacer.end_external(times[-1] + 0.001, times[-1] + 0.02)
    after = _send_all(pacer, [100], start=times[-1])
    assert after[0] >= times[0] + 1.0  # 29 own + 1 reply fill that second


def test_the_broadcast_leaves_one_slot_a_second_for_replies() -> None:
    """The dispatcher alone sends at most 29 in any second, so a reply never makes it 31."""
    times = _send_all(Pacer(), list(range(1, 200)))
    for index in range(len(times) - 29):
        assert times[index + 29] - times[index] >= 1.0


def test_after_idle_time_a_small_catch_up_never_breaks_the_window() -> None:
    pacer = Pacer()
    _send_all(pacer, list(range(1, 31)))
    times = _send_all(pacer, list(range(100, 200)), start=100.0)  # idle for 99 s
    assert times[1] - times[0] < 1 / 30  # a couple of slots may be caught up at once...
    for index in range(len(times) - 30):  # ...but no second ever holds more than 30 sends
        assert times[index + 30] - times[index] >= 1.0


def test_the_window_counts_from_completion_so_slow_requests_cannot_crowd_it() -> None:
    """Request 0 took 80 ms to arrive and be answered; the 30th may only start a second after
    that answer, so at Telegram's end no second ever holds more than 29 sends (plus a reply)."""
    pacer = Pacer()
    pacer.record_send(1, 0.0, completed_at=0.080)
    for chat in range(2, 30):
        start = pacer.next_slot(0.0)
        pacer.record_send(chat, start, completed_at=start + 0.002)
    assert pacer.next_slot(0.99) >= 1.080
