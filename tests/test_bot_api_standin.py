"""The Bot API stand-in speaks the protocol python-telegram-bot expects.

Why: the end-to-end tests trust the stand-in to behave like Telegram; these tests drive it with
a real ``telegram.Bot`` (httpx over 127.0.0.1) so a protocol mismatch fails here, not there.
"""

import asyncio
import dataclasses
import datetime as dt
import http.client
import json
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import AsyncIterator, Iterator

import pytest
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllPrivateChats,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    MessageId,
    ReplyKeyboardMarkup,
    Update,
)
from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut
from telegram.ext import CommandHandler, ContextTypes
from telegram.request import HTTPXRequest

from tests.support.bot_api_standin import (
    DROPPED,
    HELD,
    BotApiStandIn,
    RecordedCall,
    SendLimits,
    SendStats,
    UploadedFile,
)

TOKEN = "123456:" + "A" * 35
USER_ID = 4242


@pytest.fixture
def standin() -> Iterator[BotApiStandIn]:
    with BotApiStandIn() as server:
        yield server
    assert server.errors == []


@pytest.fixture
async def bot(standin: BotApiStandIn) -> AsyncIterator[Bot]:
    async with Bot(token=TOKEN, base_url=standin.base_url, base_file_url=standin.file_url) as bot:
        yield bot


def test_urls_point_at_localhost_port() -> None:
    with BotApiStandIn() as server:
        port = server.port
        assert server.base_url == f"http://127.0.0.1:{port}/bot"
        assert server.file_url == f"http://127.0.0.1:{port}/file/bot"

    server.stop()  # idempotent
    with pytest.raises(RuntimeError, match="not running"):
        _ = server.port
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=1).close()


def test_stop_wakes_a_pending_long_poll() -> None:
    server = BotApiStandIn(max_poll_timeout=30).start()
    url = f"{server.base_url}{TOKEN}/getUpdates?timeout=30"
    answers: list[dict[str, object]] = []

    def poll() -> None:
        with urllib.request.urlopen(url, timeout=10) as response:
            answers.append(json.load(response))

    poller = threading.Thread(target=poll)
    poller.start()
    server.wait_for_call("getUpdates", timeout=5)
    started = time.monotonic()

    server.stop()
    poller.join(timeout=5)

    assert time.monotonic() - started < 1
    assert answers == [{"ok": True, "result": []}]


async def test_get_me_returns_bot_identity(bot: Bot, standin: BotApiStandIn) -> None:
    me = await bot.get_me()

    assert me.username == "thidua_test_bot"
    assert me.id == 123456
    assert me.is_bot
    assert me.first_name == "Thi đua"
    assert me.can_join_groups is False
    assert [call.method for call in standin.calls("getMe")] == ["getMe", "getMe"]  # + initialize


async def test_send_message_records_decoded_inline_keyboard(
    bot: Bot, standin: BotApiStandIn
) -> None:
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Đồng ý", callback_data="ok:1")]])

    message = await bot.send_message(chat_id=USER_ID, text="Xác nhận?", reply_markup=markup)

    call = standin.calls("sendMessage")[-1]
    assert call.params["reply_markup"] == {
        "inline_keyboard": [[{"text": "Đồng ý", "callback_data": "ok:1"}]]
    }
    assert call.params["chat_id"] == str(USER_ID)  # PTB sends form data: scalars stay strings
    assert message.text == "Xác nhận?"
    assert message.chat.id == USER_ID
    assert message.chat.type == "private"
    assert message.from_user is not None
    assert message.from_user.username == "thidua_test_bot"
    assert message.reply_markup == markup
    assert standin.sent_texts(USER_ID) == ["Xác nhận?"]


async def test_send_message_records_contact_request_keyboard(
    bot: Bot, standin: BotApiStandIn
) -> None:
    markup = ReplyKeyboardMarkup(
        [[KeyboardButton("Gửi số điện thoại", request_contact=True)]],
        resize_keyboard=True,
        one_time_keyboard=True,
    )

    first = await bot.send_message(chat_id=USER_ID, text="Chia sẻ số", reply_markup=markup)
    second = await bot.send_message(chat_id=USER_ID, text="[1, 2] không phải JSON")

    params = standin.calls("sendMessage")[0].params
    assert params["reply_markup"]["keyboard"] == [
        [{"text": "Gửi số điện thoại", "request_contact": True}]
    ]
    assert params["reply_markup"]["one_time_keyboard"] is True
    assert second.message_id == first.message_id + 1
    # free text that happens to look like JSON is not decoded
    assert standin.sent_texts(USER_ID) == ["Chia sẻ số", "[1, 2] không phải JSON"]
    assert standin.sent_texts(USER_ID + 1) == []


async def test_get_updates_parses_message_contact_and_callback(
    bot: Bot, standin: BotApiStandIn
) -> None:
    first_id = standin.push_update(standin.message_update(USER_ID, "/start abc", username="an"))
    contact_id = standin.push_update(standin.contact_update(USER_ID, "84912345678"))
    callback_id = standin.push_update(standin.callback_update(USER_ID, "ok:1", message_id=7))

    updates = await bot.get_updates(timeout=0)

    assert [update.update_id for update in updates] == [first_id, contact_id, callback_id]
    command, contact, callback = updates
    assert command.message is not None
    assert command.message.text == "/start abc"
    assert command.message.from_user is not None
    assert command.message.from_user.language_code == "vi"
    handler: CommandHandler[ContextTypes.DEFAULT_TYPE, None] = CommandHandler("start", _noop)
    assert handler.check_update(command)  # the bot_command entity is what PTB needs
    assert contact.message is not None
    assert contact.message.contact is not None
    assert contact.message.contact.phone_number == "84912345678"
    assert contact.message.contact.user_id == USER_ID
    assert callback.callback_query is not None
    assert callback.callback_query.data == "ok:1"
    assert callback.callback_query.message is not None
    assert callback.callback_query.message.message_id == 7
    assert callback.callback_query.message.chat.id == USER_ID


async def test_get_updates_respects_offset_and_limit(bot: Bot, standin: BotApiStandIn) -> None:
    ids = [standin.push_update(standin.message_update(USER_ID, f"tin {n}")) for n in range(3)]

    limited = await bot.get_updates(timeout=0, limit=2)
    after_first = await bot.get_updates(offset=ids[1], timeout=0)
    confirmed = await bot.get_updates(offset=ids[2] + 1, timeout=0)

    assert [update.update_id for update in limited] == ids[:2]
    assert [update.update_id for update in after_first] == ids[1:]
    assert confirmed == ()
    assert standin.pending_updates() == []  # confirmed updates are forgotten, as on Telegram
    assert standin.calls("getUpdates")[1].params["offset"] == str(ids[1])


async def test_long_poll_returns_as_soon_as_an_update_is_pushed(
    bot: Bot, standin: BotApiStandIn
) -> None:
    timer = threading.Timer(
        0.3, standin.push_update, args=(standin.message_update(USER_ID, "xin chào"),)
    )
    started = time.monotonic()
    timer.start()
    try:
        updates = await bot.get_updates(timeout=10)
    finally:
        timer.join()
    elapsed = time.monotonic() - started

    assert 0.2 < elapsed < 1.5
    assert len(updates) == 1
    assert updates[0].message is not None
    assert updates[0].message.text == "xin chào"


async def test_empty_long_poll_is_capped() -> None:
    with BotApiStandIn(max_poll_timeout=0.3) as server:
        async with Bot(token=TOKEN, base_url=server.base_url) as bot:
            started = time.monotonic()
            updates = await bot.get_updates(timeout=30)
            elapsed = time.monotonic() - started

    assert updates == ()
    assert 0.25 < elapsed < 2


async def test_retry_after_fault_raises_retry_after(
    bot: Bot, standin: BotApiStandIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    # PTB 22.8 stores a timedelta but returns an int with a deprecation warning (already in
    # RetryAfter.__init__) unless PTB_TIMEDELTA is set; opt in to the future behaviour.
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    standin.fail_next("sendMessage", status=429, description="Too Many Requests", retry_after=3)

    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(chat_id=USER_ID, text="một")
    delivered = await bot.send_message(chat_id=USER_ID, text="hai")

    assert caught.value.retry_after == dt.timedelta(seconds=3)
    assert delivered.text == "hai"
    assert [call.status for call in standin.calls("sendMessage")] == [429, 200]
    assert standin.sent_texts(USER_ID) == ["hai"]  # the refused message was not delivered


async def test_server_error_fault_raises_network_error(bot: Bot, standin: BotApiStandIn) -> None:
    standin.fail_next("sendMessage", status=500, times=2)

    for _ in range(2):
        with pytest.raises(NetworkError, match="Internal Server Error") as caught:
            await bot.send_message(chat_id=USER_ID, text="thử")
        assert type(caught.value) is NetworkError
    await bot.send_message(chat_id=USER_ID, text="thử")

    assert [call.status for call in standin.calls("sendMessage")] == [500, 500, 200]


async def test_set_my_commands_records_decoded_commands(bot: Bot, standin: BotApiStandIn) -> None:
    commands = [BotCommand("start", "Bắt đầu"), BotCommand("help", "Trợ giúp")]

    assert await bot.set_my_commands(commands, scope=BotCommandScopeAllPrivateChats())

    params = standin.wait_for_call("setMyCommands", timeout=1).params
    assert params["commands"] == [
        {"command": "start", "description": "Bắt đầu"},
        {"command": "help", "description": "Trợ giúp"},
    ]
    assert params["scope"] == {"type": "all_private_chats"}


async def test_send_and_edit_message_like_telegram(bot: Bot, standin: BotApiStandIn) -> None:
    sent = await bot.send_message(chat_id=USER_ID, text="Bản nháp")
    edited = await bot.edit_message_text("Bản cuối", chat_id=USER_ID, message_id=sent.message_id)

    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text("Bản cuối", chat_id=USER_ID, message_id=sent.message_id)
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(chat_id=USER_ID, text="x" * 4097)
    too_long = InlineKeyboardButton("Nút", callback_data="đ" * 33)  # 66 bytes in UTF-8
    with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
        await bot.send_message(
            chat_id=USER_ID, text="ok", reply_markup=InlineKeyboardMarkup([[too_long]])
        )

    assert isinstance(edited, type(sent))
    assert edited.message_id == sent.message_id
    assert edited.text == "Bản cuối"
    assert standin.sent_texts(USER_ID) == ["Bản nháp", "Bản cuối"]


async def test_send_document_multipart_upload_is_recorded(bot: Bot, standin: BotApiStandIn) -> None:
    payload = bytes(range(256)) * 4 + b"\r\n--not-a-boundary\r\n"

    message = await bot.send_document(
        chat_id=USER_ID, document=payload, filename="bao_cao.xlsx", caption="Báo cáo tháng"
    )

    params = standin.calls("sendDocument")[0].params
    uploaded = params["document"]
    assert isinstance(uploaded, UploadedFile)
    assert uploaded.data == payload
    assert uploaded.filename == "bao_cao.xlsx"
    assert params["caption"] == "Báo cáo tháng"
    assert params["chat_id"] == str(USER_ID)
    assert message.document is not None
    assert message.document.file_name == "bao_cao.xlsx"
    assert message.document.file_size == len(payload)
    assert message.caption == "Báo cáo tháng"


def test_json_body_and_unknown_paths(standin: BotApiStandIn) -> None:
    request = urllib.request.Request(
        f"{standin.base_url}{TOKEN}/sendMessage",
        data=json.dumps({"chat_id": USER_ID, "text": "JSON"}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        answer = json.load(response)
    with pytest.raises(urllib.error.HTTPError) as missing:
        urllib.request.urlopen(f"http://127.0.0.1:{standin.port}/nothing", timeout=5)
    missing.value.close()

    assert answer["ok"] is True
    assert answer["result"]["text"] == "JSON"
    assert standin.calls("sendmessage")[0].params == {"chat_id": USER_ID, "text": "JSON"}
    assert missing.value.code == 404


async def test_wait_for_call_sees_a_call_made_meanwhile(bot: Bot, standin: BotApiStandIn) -> None:
    waiting = asyncio.create_task(
        asyncio.to_thread(
            standin.wait_for_call, "sendMessage", lambda params: params["text"] == "đích", 5
        )
    )
    await bot.send_message(chat_id=USER_ID, text="khác")
    await bot.send_message(chat_id=USER_ID, text="đích")

    call: RecordedCall = await asyncio.wait_for(waiting, timeout=5)

    assert call.params["text"] == "đích"
    assert call.at >= standin.calls("sendMessage")[0].at


async def test_wait_for_call_times_out_with_readable_assertion(
    bot: Bot, standin: BotApiStandIn
) -> None:
    await bot.send_message(chat_id=USER_ID, text="chào")
    started = time.monotonic()

    with pytest.raises(AssertionError, match=r"no answerCallbackQuery call within 0\.2 s") as err:
        standin.wait_for_call("answerCallbackQuery", timeout=0.2)

    assert time.monotonic() - started < 1
    assert "sendMessage [200]" in str(err.value)
    assert "chào" in str(err.value)


async def _noop(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Callback for CommandHandler.check_update; never called."""


# --------------------------------------------------------------------- limits, 429s, accounting


@pytest.fixture
def timedelta_retry_after(monkeypatch: pytest.MonkeyPatch) -> None:
    """RetryAfter.retry_after as a timedelta (PTB's future behaviour, no deprecation warning)."""
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


def _ptb(server: BotApiStandIn) -> Bot:
    return Bot(token=TOKEN, base_url=server.base_url, base_file_url=server.file_url)


async def _refused(bot: Bot, chat_id: int, text: str) -> dt.timedelta:
    """Send, expecting Telegram's flood answer; return its retry_after."""
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(chat_id=chat_id, text=text)
    retry_after = caught.value.retry_after
    assert isinstance(retry_after, dt.timedelta)
    return retry_after


def _post(connection: http.client.HTTPConnection, method: str, **params: object) -> int:
    body = urllib.parse.urlencode(params)
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    connection.request("POST", f"/bot{TOKEN}/{method}", body=body, headers=headers)
    response = connection.getresponse()
    response.read()
    return response.status


async def test_limits_are_off_by_default(bot: Bot, standin: BotApiStandIn) -> None:
    for n in range(5):
        await bot.send_message(chat_id=USER_ID, text=f"tin {n}")

    assert standin.limits is None
    stats = standin.stats()
    assert stats.accepted_sends == stats.send_requests == 5
    assert stats.pacing_429s == stats.injected_429s == stats.retry_after_violations == 0


@pytest.mark.usefixtures("timedelta_retry_after")
async def test_second_send_to_a_private_chat_within_a_second_is_refused() -> None:
    with BotApiStandIn(limits=SendLimits(per_chat_per_second=1.0)) as server:
        async with _ptb(server) as bot:
            await bot.send_message(chat_id=USER_ID, text="một")
            await asyncio.sleep(0.1)
            retry_after = await _refused(bot, USER_ID, "hai")
            other_chat = await bot.send_message(chat_id=USER_ID + 1, text="hai")
            # not paced: edits and callback answers are not sends
            await bot.edit_message_text("một!", chat_id=USER_ID, message_id=1)
            await bot.answer_callback_query("q1")

    assert retry_after == dt.timedelta(seconds=1)  # ceil(0.9 s), as Telegram rounds
    assert other_chat.text == "hai"
    assert [call.status for call in server.calls("sendMessage")] == [200, 429, 200]
    stats = server.stats()
    assert (stats.accepted_sends, stats.pacing_429s, stats.injected_429s) == (2, 1, 0)
    assert server.sent_texts(USER_ID) == ["một", "một!"]


@pytest.mark.usefixtures("timedelta_retry_after")
async def test_overall_limit_is_a_sliding_one_second_window() -> None:
    with BotApiStandIn(limits=SendLimits(overall_per_second=10)) as server:
        async with _ptb(server) as bot:
            started = time.monotonic()
            for chat in range(1, 11):
                await bot.send_message(chat_id=chat, text="ra mắt")
            retry_after = await _refused(bot, 11, "ra mắt")
            assert time.monotonic() - started < 1  # all within one window
            await asyncio.sleep(retry_after.total_seconds())
            late = await bot.send_message(chat_id=11, text="ra mắt")

    assert retry_after >= dt.timedelta(seconds=1)
    assert late.chat.id == 11
    stats = server.stats()
    assert (stats.accepted_sends, stats.pacing_429s) == (11, 1)
    assert stats.recipients() == set(range(1, 12)) == server.recipients()


def test_tolerance_forgives_timer_jitter(standin: BotApiStandIn) -> None:
    strict = SendLimits(per_chat_per_second=10)  # 100 ms between sends to one chat
    lenient = dataclasses.replace(strict, tolerance=0.05)
    statuses = []
    for limits in (strict, lenient):
        with BotApiStandIn(limits=limits) as server:
            connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
            _post(connection, "sendMessage", chat_id=USER_ID, text="một")
            time.sleep(0.07)
            statuses.append(_post(connection, "sendMessage", chat_id=USER_ID, text="hai"))
            connection.close()

    assert statuses == [429, 200]


@pytest.mark.usefixtures("timedelta_retry_after")
async def test_group_limit_counts_sends_per_minute() -> None:
    group, other_group = -1001234567890, -4001
    with BotApiStandIn(limits=SendLimits(per_group_per_minute=3)) as server:
        async with _ptb(server) as bot:
            for n in range(3):  # no per-second spacing in groups, only the per-minute budget
                await bot.send_message(chat_id=group, text=f"tin {n}")
            retry_after = await _refused(bot, group, "tin 3")
            await bot.send_message(chat_id=other_group, text="tin 0")
            await bot.send_message(chat_id=USER_ID, text="tin 0")

    assert dt.timedelta(seconds=59) <= retry_after <= dt.timedelta(seconds=60)
    stats = server.stats()
    assert stats.per_chat_counts == {group: 3, other_group: 1, USER_ID: 1}
    assert stats.pacing_429s == 1


@pytest.mark.usefixtures("timedelta_retry_after")
async def test_every_fifth_send_gets_an_injected_429_and_waiting_is_no_violation() -> None:
    with BotApiStandIn() as server:
        server.inject_429(every=5, retry_after=1, limit=1)
        async with _ptb(server) as bot:
            for chat in range(1, 5):
                await bot.send_message(chat_id=chat, text="ra mắt")
            retry_after = await _refused(bot, 5, "ra mắt")
            await asyncio.sleep(retry_after.total_seconds())
            for chat in range(5, 11):  # the limit is used up: the 10th send goes through
                await bot.send_message(chat_id=chat, text="ra mắt")

    assert retry_after == dt.timedelta(seconds=1)
    stats = server.stats()
    assert (stats.injected_429s, stats.retry_after_violations, stats.pacing_429s) == (1, 0, 0)
    assert stats.send_requests == 11
    assert stats.accepted_sends == 10
    assert stats.recipients() == set(range(1, 11))
    assert stats.duplicates == {}


@pytest.mark.usefixtures("timedelta_retry_after")
async def test_sending_before_retry_after_elapses_is_a_refused_violation() -> None:
    with BotApiStandIn() as server:
        server.inject_429(every=1, retry_after=2, limit=1)
        async with _ptb(server) as bot:
            injected = await _refused(bot, USER_ID, "một")
            await asyncio.sleep(0.2)
            again = await _refused(bot, USER_ID, "một")  # did not wait: refused again
            await bot.edit_message_text("ok", chat_id=USER_ID, message_id=1)  # not a send
            stats = server.stats()

    assert injected == dt.timedelta(seconds=2)
    assert again == dt.timedelta(seconds=2)  # ceil of the ~1.8 s still to wait
    assert stats.retry_after_violations == 1
    assert (stats.injected_429s, stats.pacing_429s, stats.accepted_sends) == (1, 0, 0)


def test_inject_and_limits_reject_nonsense() -> None:
    with pytest.raises(ValueError, match="every"):
        BotApiStandIn().inject_429(every=0)
    with pytest.raises(ValueError, match="retry_after"):
        BotApiStandIn().inject_429(every=1, retry_after=0)
    with pytest.raises(ValueError, match="positive"):
        SendLimits(overall_per_second=0)
    with pytest.raises(ValueError, match="tolerance"):
        SendLimits(tolerance=-1)


async def test_duplicates_and_recipients_are_accounted(bot: Bot, standin: BotApiStandIn) -> None:
    await bot.send_message(chat_id=1, text="Phát động thi đua")
    await bot.send_message(chat_id=1, text="Phát động thi đua")
    await bot.send_message(chat_id=2, text="Phát động thi đua")
    await bot.send_message(chat_id=2, text="Nhắc lại")
    await bot.send_document(chat_id=3, document=b"abc", filename="kh.txt", caption="Kế hoạch")
    await bot.send_document(chat_id=3, document=b"abd", filename="kh.txt", caption="Kế hoạch")
    copied = await bot.copy_message(chat_id=4, from_chat_id=1, message_id=1)
    forwarded = await bot.forward_message(chat_id=4, from_chat_id=1, message_id=1)
    await bot.copy_message(chat_id=4, from_chat_id=1, message_id=1)
    with pytest.raises(BadRequest):
        await bot.send_message(chat_id=5, text=" ")  # refused: not delivered, not counted

    stats = standin.stats()
    assert isinstance(copied, MessageId)
    assert isinstance(forwarded, Message)
    assert forwarded.text == "Phát động thi đua"
    assert stats.duplicates == {
        (1, "sendMessage", "Phát động thi đua"): 2,
        (4, "copyMessage", "1/1"): 2,
    }
    assert stats.recipients() == {1, 2}  # sendMessage only
    assert stats.per_chat_counts == {1: 2, 2: 2, 3: 2, 4: 3}
    assert stats.per_chat_method_counts[(4, "forwardMessage")] == 1
    assert stats.accepted_sends == 9
    assert stats.send_requests == 10


async def test_stats_snapshots_are_consistent_under_concurrent_sends(
    bot: Bot, standin: BotApiStandIn
) -> None:
    snapshots: list[SendStats] = []
    done = threading.Event()

    def watch() -> None:
        while not done.wait(0.002):
            snapshots.append(standin.stats())

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        await asyncio.gather(
            *(bot.send_message(chat_id=100 + n % 20, text=f"tin {n}") for n in range(100))
        )
    finally:
        done.set()
        watcher.join()
    final = standin.stats()

    for stats in [*snapshots, final]:
        assert sum(stats.per_chat_counts.values()) == stats.accepted_sends
        assert sum(stats.per_chat_method_counts.values()) == stats.accepted_sends
        if stats.accepted_sends:
            assert stats.first_send_at is not None and stats.last_send_at is not None
            assert stats.first_send_at <= stats.last_send_at
    assert [s.accepted_sends for s in snapshots] == sorted(s.accepted_sends for s in snapshots)
    assert final.accepted_sends == 100
    assert final.duplicates == {}
    with pytest.raises(dataclasses.FrozenInstanceError):
        final.accepted_sends = 0  # type: ignore[misc]
    final.per_chat_counts.clear()  # a copy: the stand-in's books are untouched
    assert standin.stats().per_chat_counts[100] == 5


def test_keep_alive_serves_hundreds_of_requests_per_second(standin: BotApiStandIn) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", standin.port, timeout=5)
    connection.connect()
    first_socket = connection.sock
    started = time.monotonic()
    statuses = [
        _post(connection, "sendMessage", chat_id=1000 + n, text="Chiến dịch mới")
        for n in range(300)
    ]
    elapsed = time.monotonic() - started

    assert connection.sock is first_socket  # one connection: HTTP/1.1 keep-alive
    assert set(statuses) == {200}
    assert elapsed < 1.0, f"300 sends took {elapsed:.2f} s"
    standin.stop()  # hangs up idle keep-alive connections: a stopped stand-in answers nothing
    with pytest.raises((http.client.HTTPException, OSError)):
        _post(connection, "sendMessage", chat_id=1, text="muộn")
    connection.close()


def test_chunked_request_body(standin: BotApiStandIn) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", standin.port, timeout=5)
    body = iter([b"chat_id=42&te", b"xt=chunked"])
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    connection.request("POST", f"/bot{TOKEN}/sendMessage", body=body, headers=headers)
    answer = json.loads(connection.getresponse().read())
    assert _post(connection, "getMe") == 200  # the connection is still usable
    connection.close()

    assert answer["result"]["text"] == "chunked"
    assert standin.sent_texts(42) == ["chunked"]


# ------------------------------------------------------------------ transport faults and floods


async def test_a_held_request_times_out_the_client_and_is_not_carried_out() -> None:
    with BotApiStandIn() as server:
        server.hold_next("sendMessage", seconds=1.0)
        request = HTTPXRequest(read_timeout=0.2)
        async with Bot(token=TOKEN, base_url=server.base_url, request=request) as bot:
            with pytest.raises(TimedOut):
                await bot.send_message(chat_id=USER_ID, text="một")
            delivered = await bot.send_message(chat_id=USER_ID, text="hai")
            held = server.wait_for_call("sendMessage", lambda p: p.get("text") == "một", timeout=5)
            stats = server.stats()

    assert held.status == HELD
    assert delivered.text == "hai"
    assert server.sent_texts(USER_ID) == ["hai"], "the held message was never delivered"
    assert (stats.send_requests, stats.accepted_sends) == (1, 1)


async def test_a_dropped_connection_is_a_network_error_and_nothing_is_sent(
    bot: Bot, standin: BotApiStandIn
) -> None:
    standin.drop_next("sendMessage", times=2)

    for _ in range(2):
        with pytest.raises(NetworkError):
            await bot.send_message(chat_id=USER_ID, text="thử")
    await bot.send_message(chat_id=USER_ID, text="thử")

    assert [call.status for call in standin.calls("sendMessage")] == [DROPPED, DROPPED, 200]
    assert standin.stats().accepted_sends == 1
    assert standin.stats().duplicates == {}


def test_stop_ends_a_held_request_at_once() -> None:
    server = BotApiStandIn().start()
    server.hold_next("getMe", seconds=60)
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    connection.request("GET", f"/bot{TOKEN}/getMe")
    threading.Timer(0.2, server.stop).start()
    try:
        status: int | None = connection.getresponse().status
    except (OSError, http.client.HTTPException):
        status = None  # cut while winding down: also fine
    finally:
        connection.close()
    assert status in (HELD, None)
    assert [call.status for call in server.calls("getMe")] == [HELD], "ended by stop, not by 60 s"


@pytest.mark.usefixtures("timedelta_retry_after")
async def test_a_flood_wait_refuses_every_send_until_it_ends() -> None:
    with BotApiStandIn() as server:
        server.throttle_sends(1.5)
        async with _ptb(server) as bot:
            first = await _refused(bot, USER_ID, "một")
            await bot.edit_message_text("ok", chat_id=USER_ID, message_id=1)  # not a send
            early = await _refused(bot, USER_ID + 1, "một")  # another chat: the whole bot waits
            await asyncio.sleep(first.total_seconds())
            delivered = await bot.send_message(chat_id=USER_ID, text="một")
            stats = server.stats()

    assert first == dt.timedelta(seconds=2)  # the 1.5 s left, rounded up
    assert early in (dt.timedelta(seconds=1), dt.timedelta(seconds=2))
    assert delivered.text == "một"
    assert stats.injected_429s == 1 and stats.retry_after_violations == 1
    assert stats.accepted_sends == 1


@pytest.mark.usefixtures("timedelta_retry_after")
async def test_a_flood_wait_with_a_short_retry_after_refuses_each_retry_inside_it() -> None:
    with BotApiStandIn() as server:
        server.throttle_sends(2.5, retry_after=1)
        async with _ptb(server) as bot:
            waits: list[object] = []
            while True:
                try:
                    await bot.send_message(chat_id=USER_ID, text="một")
                    break
                except RetryAfter as exc:
                    waits.append(exc.retry_after)
                    await asyncio.sleep(1.05)
            stats = server.stats()

    # refused at 0, ~1 and ~2 s, each time "retry after 1 s"; the send at ~3 s goes through
    assert waits == [dt.timedelta(seconds=1)] * 3
    assert (stats.injected_429s, stats.retry_after_violations, stats.accepted_sends) == (3, 0, 1)


def test_transport_faults_and_floods_reject_nonsense() -> None:
    server = BotApiStandIn()
    with pytest.raises(ValueError, match="times"):
        server.drop_next("sendMessage", times=0)
    with pytest.raises(ValueError, match="seconds"):
        server.hold_next("sendMessage", seconds=-1)
    with pytest.raises(ValueError, match="seconds"):
        server.throttle_sends(-1)
    with pytest.raises(ValueError, match="retry_after"):
        server.throttle_sends(5, retry_after=0)
