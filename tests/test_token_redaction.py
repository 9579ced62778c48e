"""The bot token never reaches a log line or an error message, whatever quotes it."""

import io
import logging
import signal
import time
from pathlib import Path

import pytest
from telegram.error import NetworkError

from bot.cli_support import fail
from bot.log_format import make_handler
from bot.redaction import REPLACEMENT, add_secrets, redact
from tests.support.bot_api_standin import BotApiStandIn
from tests.support.process import E2E_TOKEN, run_cli, start_bot, wait_text
from tests.support.recording_request import TOKEN

SECRET_PART = TOKEN.split(":", 1)[1]
URL = f"https://bot-api.invalid/bot{TOKEN}/getMe"  # only quoted in text; never requested


def _logger(log_format: str) -> tuple[logging.Logger, io.StringIO]:
    """A private logger with the production handler, so pytest's own capture is not involved."""
    stream = io.StringIO()
    logger = logging.getLogger(f"test.redaction.{log_format}")
    logger.handlers = [make_handler(log_format, stream)]
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    return logger, stream


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_the_token_is_redacted_from_message_args_fields_and_traceback(log_format: str) -> None:
    logger, stream = _logger(log_format)
    logger.warning("calling %s", URL)
    logger.info(f"token in the message itself: {TOKEN}")
    logger.info("update handled", extra={"fields": {"url": URL, "update_id": 7}})
    try:
        raise NetworkError(f"httpx.ConnectError: connection refused for {URL}")
    except NetworkError:
        logger.exception("polling failed")
    logger.info("url-encoded %s", TOKEN.replace(":", "%3A"))

    output = stream.getvalue()
    assert len(output.splitlines()) == 5, "still one line per event"
    assert TOKEN not in output and SECRET_PART not in output
    assert f"bot{REPLACEMENT}/getMe" in output, "the rest of the URL stays readable"
    assert "NetworkError" in output and "update_id" in output


def test_registered_secrets_and_unknown_token_shapes_are_redacted() -> None:
    add_secrets(["webhook-secret-value-for-the-test"])
    text = "secret=webhook-secret-value-for-the-test other=987654321:" + "b" * 35
    assert redact(text) == f"secret={REPLACEMENT} other={REPLACEMENT}"
    assert redact("12:30 on 01/02/2027, 1.234,5") == "12:30 on 01/02/2027, 1.234,5"


def test_cli_error_lines_are_redacted(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        fail(f"Cannot reach the Bot API: {URL}")
    assert exited.value.code == 1
    err = capsys.readouterr().err
    assert TOKEN not in err and f"bot{REPLACEMENT}/getMe" in err


@pytest.mark.e2e
def test_thidua_run_never_prints_the_token_in_errors_or_logs(
    tmp_path: Path, standin: BotApiStandIn, bot_env: dict[str, str]
) -> None:
    """The stand-in quotes the token in its error texts: at start (fatal) and while polling."""
    quoted = f"upstream failed at https://bot-api.invalid/bot{E2E_TOKEN}/getMe"
    standin.fail_next("getMe", status=500, description=quoted)
    started = run_cli(bot_env, tmp_path, "run")
    assert started.returncode == 1
    error_lines = started.stderr.strip().splitlines()
    assert f"bot{REPLACEMENT}/getMe" in error_lines[-1], "the one-line error, redacted"
    assert E2E_TOKEN not in started.stderr + started.stdout

    polling = f"upstream failed at https://bot-api.invalid/bot{E2E_TOKEN}/getUpdates"
    standin.fail_next("getUpdates", status=500, description=polling)
    bot = start_bot(bot_env, tmp_path)
    try:
        standin.wait_for_call("getUpdates", timeout=30)
        deadline = time.monotonic() + 20
        while not [call for call in standin.calls("getUpdates") if call.status == 200]:
            assert time.monotonic() < deadline, "the bot never polled again after the error"
            time.sleep(0.1)
        standin.push_update(standin.message_update(7001, "/help"))
        wait_text(standin, 7001, "/")
    finally:
        bot.send_signal(signal.SIGINT)
        output, _ = bot.communicate(timeout=30)
    assert f"bot{REPLACEMENT}/getUpdates" in output, "the polling error was logged, redacted"
    assert E2E_TOKEN not in output
    assert E2E_TOKEN.split(":", 1)[1] not in output
