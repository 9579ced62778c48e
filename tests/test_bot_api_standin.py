"""The Bot API stand-in speaks the protocol python-telegram-bot expects.

Why: the end-to-end tests trust the stand-in to behave like Telegram; these tests drive it with
a real ``telegram.Bot`` (httpx over 127.0.0.1) so a protocol mismatch fails here, not there.
"""

import asyncio
import datetime as dt
import json
import socket
import threading
import time
import urllib.error
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
    ReplyKeyboardMarkup,
    Update,
)
from telegram.error import BadRequest, NetworkError, RetryAfter
from telegram.ext import CommandHandler, ContextTypes

from tests.support.bot_api_standin import BotApiStandIn, RecordedCall, UploadedFile

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
