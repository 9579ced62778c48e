"""Webhook mode: only a POST carrying Telegram's secret token header is handled.

The real `thidua run --webhook-url …` process registers its webhook (with the secret) on the Bot
API stand-in, then this test plays Telegram and a forger against the bot's webhook port.
"""

import json
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from tests.support.bot_api_standin import BotApiStandIn
from tests.support.process import THIDUA, wait_text

pytestmark = pytest.mark.e2e

SECRET = "s3cret-Token_for-the-webhook-test"
HEADER = "X-Telegram-Bot-Api-Secret-Token"
TELEGRAM, NO_HEADER, WRONG_HEADER = 7101, 7102, 7103


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _post(url: str, update: dict[str, Any], secret: str | None) -> int:
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers[HEADER] = secret
    request = urllib.request.Request(
        url, data=json.dumps(update).encode(), headers=headers, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def _wait_listening(port: int, bot: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            assert bot.poll() is None, "the bot exited before listening"
            assert time.monotonic() < deadline, "the webhook server never listened"
            time.sleep(0.1)


def test_webhook_refuses_posts_without_the_right_secret(
    tmp_path: Path, standin: BotApiStandIn, bot_env: dict[str, str]
) -> None:
    port = _free_port()
    url = f"http://127.0.0.1:{port}/telegram/webhook"
    bot = subprocess.Popen(
        [THIDUA, "run", "--webhook-url", url, "--listen", "127.0.0.1", "--port", str(port)],
        env={**bot_env, "TELEGRAM_WEBHOOK_SECRET": SECRET},
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        registered = standin.wait_for_call("setWebhook", timeout=30)
        assert registered.params["url"] == url
        assert registered.params["secret_token"] == SECRET, "Telegram learns the secret"
        _wait_listening(port, bot)

        def update(update_id: int, user_id: int) -> dict[str, Any]:
            return {"update_id": update_id, **standin.message_update(user_id, "/help")}

        assert _post(url, update(1, NO_HEADER), None) == 403
        assert _post(url, update(2, WRONG_HEADER), "not-the-secret") == 403
        assert _post(url, update(3, WRONG_HEADER), SECRET.upper()) == 403
        assert _post(url, update(4, TELEGRAM), SECRET) == 200
        wait_text(standin, TELEGRAM, "/")
    finally:
        bot.send_signal(signal.SIGINT)
        output, _ = bot.communicate(timeout=30)
    assert bot.returncode == 0, output
    answered = {int(call.params["chat_id"]) for call in standin.calls("sendMessage")}
    assert answered == {TELEGRAM}, "the refused posts were never handled"
    handled = [line for line in output.splitlines() if 'msg="update handled"' in line]
    assert len(handled) == 1 and f"user_id={TELEGRAM}" in handled[0]
    assert SECRET not in output, "the webhook secret is not logged either"
    assert "Traceback" not in output
