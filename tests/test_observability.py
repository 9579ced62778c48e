"""Structured logs, Prometheus metrics and /healthz: offline through the real application, then
once end to end with the real `thidua run` process scraped over HTTP."""

import asyncio
import json
import logging
import signal
import socket
import time
import urllib.error
import urllib.request
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families
from telegram import Bot
from telegram.ext import TypeHandler

from bot.dispatcher import Dispatcher
from bot.health import Health, refresh
from bot.log_format import JsonFormatter, KeyValueFormatter
from bot.metrics import Metrics
from bot.metrics_server import OpsServer
from bot.observability import instrument_handlers
from bot.pacing import SendLimits
from bot.settings import ConfigError, load_settings
from storage import outbox as outbox_store
from storage.database import Database
from storage.reminder_models import Reminder
from storage.types import utcnow
from tests.conftest import POSTGRES_URL
from tests.support.bot_api_standin import BotApiStandIn
from tests.support.campaign_seed import seed_campaign
from tests.support.harness import BotHarness
from tests.support.process import start_bot, wait_text
from tests.support.recording_request import TOKEN, RecordingRequest

UPDATES_LOGGER = "thidua.updates"


def _update_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.name == UPDATES_LOGGER]


def _samples(metrics: Metrics) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of the exposition, keyed by (name, sorted labels): what Prometheus reads."""
    text = metrics.exposition().decode()
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def _value(samples: dict[Any, float], name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


# --- one log line per update --------------------------------------------------------------


async def test_every_update_logs_one_line_with_who_what_and_how_long(
    harness: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=UPDATES_LOGGER)
    await harness.say(7001, "/start")
    await harness.press(7002, "no-such-button")
    await harness.say(7001, "/help")

    records = _update_records(caplog)
    assert len(records) == 3, "exactly one line per update"
    fields = [record.fields for record in records]  # type: ignore[attr-defined]
    assert [f["update_id"] for f in fields] == [1, 2, 3]
    assert [f["user_id"] for f in fields] == [7001, 7002, 7001]
    assert [f["kind"] for f in fields] == ["command", "callback", "command"]
    assert fields[0]["handler"] == "start.start"
    assert fields[2]["handler"] == "help.show_help"
    assert fields[1]["handler"] != "none", "even an unknown button is handled by someone"
    for entry in fields:
        assert entry["outcome"] == "ok"
        assert isinstance(entry["duration_ms"], float) and entry["duration_ms"] >= 0


@pytest.mark.parametrize("group", [7, -5], ids=["follow-up group", "middleware group"])
async def test_a_failing_handler_is_logged_and_counted_as_an_error(
    harness: BotHarness, caplog: pytest.LogCaptureFixture, group: int
) -> None:
    async def explode(_update: object, _context: object) -> None:
        raise ValueError("boom")

    harness.app.add_handler(TypeHandler(object, explode), group=group)
    instrument_handlers(harness.app)  # idempotent: only the new handler gets wrapped
    caplog.set_level(logging.INFO, logger=UPDATES_LOGGER)
    await harness.say(7001, "/help")

    (record,) = _update_records(caplog)
    fields = record.fields  # type: ignore[attr-defined]
    assert fields["handler"] == "help.show_help", "the feature handler, wherever it failed"
    also = fields.get("also", "")
    assert ("explode" in also) == (group >= 0), "the middleware never names the handler"
    assert "help.show_help" not in also, "wrapped once, not twice"
    assert fields["outcome"] == "error" and fields["error"] == "ValueError"
    samples = _samples(harness.app.services.metrics)
    labels = {"kind": "command", "handler": "help.show_help"}
    assert _value(samples, "thidua_updates_total", outcome="error", **labels) == 1


def _record(**fields: Any) -> logging.LogRecord:
    record = logging.LogRecord(
        UPDATES_LOGGER, logging.INFO, __file__, 1, "update handled", (), None
    )
    record.fields = fields
    return record


def test_text_lines_are_key_value_pairs_on_one_line() -> None:
    line = KeyValueFormatter().format(
        _record(update_id=5, user_id=7001, handler="start.start", duration_ms=12.34, note="a b\nc")
    )
    assert "\n" not in line
    assert ' level=INFO logger=thidua.updates msg="update handled" ' in line
    assert line.startswith("ts=") and "Z " in line
    assert 'update_id=5 user_id=7001 handler=start.start duration_ms=12.3 note="a b\\nc"' in line


def test_json_lines_parse_and_keep_vietnamese() -> None:
    try:
        raise RuntimeError("lỗi\nhai dòng")
    except RuntimeError:
        import sys

        record = _record(update_id=5, user_id=None, handler="start.start", duration_ms=1.5)
        record.exc_info = sys.exc_info()
    line = JsonFormatter().format(record)
    assert "\n" not in line and "lỗi" in line
    entry = json.loads(line)
    assert entry["msg"] == "update handled" and entry["level"] == "INFO"
    assert entry["update_id"] == 5 and entry["user_id"] is None
    assert entry["duration_ms"] == 1.5
    assert "RuntimeError: lỗi\nhai dòng" in entry["exc"]


# --- metrics ------------------------------------------------------------------------------


async def test_metrics_count_updates_by_kind_and_handler_with_latency(
    harness: BotHarness,
) -> None:
    for user in (7001, 7002, 7003):
        await harness.say(user, "/help")
    await harness.say(7001, "/start")

    samples = _samples(harness.app.services.metrics)
    ok = {"kind": "command", "outcome": "ok"}
    assert _value(samples, "thidua_updates_total", handler="help.show_help", **ok) == 3
    assert _value(samples, "thidua_updates_total", handler="start.start", **ok) == 1
    count = _value(samples, "thidua_handler_latency_seconds_count", handler="help.show_help")
    total = _value(samples, "thidua_handler_latency_seconds_sum", handler="help.show_help")
    assert count == 3 and total > 0
    slowest = _value(
        samples, "thidua_handler_latency_seconds_bucket", handler="help.show_help", le="+Inf"
    )
    assert slowest == 3


async def test_sends_are_counted_by_result(database: Database) -> None:
    """sent, retried (a 5xx, then sent), failed (400) and blocked (403), as the dispatcher saw."""
    request = RecordingRequest()
    request.fail_next("sendMessage", 403, "Forbidden: bot was blocked by the user", chat_id=1)
    request.fail_next("sendMessage", 400, "Bad Request: chat not found", chat_id=2)
    request.fail_next("sendMessage", 502, "Bad Gateway", chat_id=3)
    metrics = Metrics()
    dispatcher = Dispatcher(
        database,
        Bot(TOKEN, request=request),
        limits=SendLimits(overall_per_second=500, per_chat_interval=0.01),
        backoff=lambda attempt: 0.05,
        on_outcome=metrics.record_send,
    )
    rows = [
        {
            "dedupe_key": f"m{chat}",
            "kind": "announcement",
            "chat_id": chat,
            "payload": {"text": "x"},
        }
        for chat in (1, 2, 3, 4)
    ]
    async with database.session() as session:
        await outbox_store.enqueue(rows, session=session)
    for _ in range(40):
        async with database.session() as session:
            if not await outbox_store.pending_count(session=session):
                break
        if not await dispatcher.drain_once():
            await asyncio.sleep(0.03)

    samples = _samples(metrics)
    counts = {
        result: _value(samples, "thidua_outbox_sends_total", result=result)
        for result in ("sent", "retried", "failed", "blocked")
    }
    assert counts == {"sent": 2, "retried": 1, "failed": 1, "blocked": 1}


async def test_gauges_show_outbox_depth_and_reminders_due(database: Database) -> None:
    campaign_id = await seed_campaign(database)
    now = utcnow()
    rows = [
        {"dedupe_key": f"d{n}", "kind": "announcement", "chat_id": n, "payload": {"text": "x"}}
        for n in range(3)
    ]
    async with database.session() as session:
        await outbox_store.enqueue(rows, session=session)
        for subject, due in ((1, now - timedelta(hours=1)), (2, now + timedelta(days=2))):
            session.add(
                Reminder(
                    campaign_id=campaign_id,
                    task="reg",
                    step="d1",
                    audience="member",
                    subject_id=subject,
                    deadline=date(2027, 3, 25),
                    due_at=due,
                )
            )
    metrics, health = Metrics(), Health()
    await refresh(health, database, metrics)

    samples = _samples(metrics)
    assert _value(samples, "thidua_outbox_depth") == 3
    assert _value(samples, "thidua_reminders_due") == 1, "only the one whose time has come"
    assert _value(samples, "thidua_database_up") == 1
    healthy, body = health.report()
    assert healthy and body["outbox_depth"] == 3 and body["reminders_due"] == 1


# --- /healthz and /metrics over HTTP ------------------------------------------------------


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def _unreachable_database(backend: str, tmp_path: Path) -> Database:
    """The same kind of database, gone: a SQLite file that cannot be opened, a closed port."""
    if backend == "sqlite":
        return Database(f"sqlite+aiosqlite:///{tmp_path / 'gone' / 'thidua.db'}")
    return Database(POSTGRES_URL.replace("127.0.0.1:5432", "127.0.0.1:9"))


async def test_healthz_is_ok_while_the_database_answers_and_503_when_it_is_gone(
    database: Database, backend: str, tmp_path: Path
) -> None:
    metrics, health = Metrics(), Health()
    server = OpsServer("127.0.0.1", 0, metrics, health)
    server.start()
    base = f"http://127.0.0.1:{server.address[1]}"
    try:
        status, body = await asyncio.to_thread(_get, base + "/healthz")
        assert status == 503 and json.loads(body)["loop"] == "starting"

        await refresh(health, database, metrics)
        status, body = await asyncio.to_thread(_get, base + "/healthz")
        report = json.loads(body)
        assert status == 200, report
        assert report["status"] == "ok" and report["database"] == "ok"
        assert report["outbox_depth"] == 0

        gone = _unreachable_database(backend, tmp_path)
        try:
            await refresh(health, gone, metrics, wait_seconds=2)
        finally:
            await gone.dispose()
        status, body = await asyncio.to_thread(_get, base + "/healthz")
        assert status == 503 and json.loads(body)["database"] == "unavailable"
        status, text = await asyncio.to_thread(_get, base + "/metrics")
        assert status == 200 and b"thidua_database_up 0.0" in text

        await refresh(health, database, metrics)  # the database is back: healthy again
        assert (await asyncio.to_thread(_get, base + "/healthz"))[0] == 200
        assert (await asyncio.to_thread(_get, base + "/nothing"))[0] == 404
    finally:
        server.stop()


def test_healthz_is_503_when_the_event_loop_stops_beating() -> None:
    now = [100.0]
    health = Health(stale_after=20, clock=lambda: now[0])
    health.beat()
    health.database_answered(outbox_depth=0, reminders_due=0)
    assert health.report()[0]
    now[0] += 21
    healthy, body = health.report()
    assert not healthy and body["loop"] == "stalled" and body["database"] == "ok"


# --- end to end: the real process --------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_healthy(url: str) -> dict[str, Any]:
    deadline = time.monotonic() + 30
    while True:
        try:
            status, body = _get(url)
        except OSError:
            status, body = 0, b"{}"
        if status == 200:
            return dict(json.loads(body))
        assert time.monotonic() < deadline, f"/healthz never became healthy: {status} {body!r}"
        time.sleep(0.2)


@pytest.mark.e2e
def test_thidua_run_serves_metrics_and_writes_json_log_lines(
    tmp_path: Path, standin: BotApiStandIn, bot_env: dict[str, str]
) -> None:
    port = _free_port()
    env = {**bot_env, "THIDUA_METRICS_PORT": str(port), "THIDUA_LOG_FORMAT": "json"}
    bot = start_bot(env, tmp_path)
    try:
        standin.wait_for_call("getUpdates", timeout=30)
        report = _wait_healthy(f"http://127.0.0.1:{port}/healthz")
        assert report["database"] == "ok" and report["outbox_depth"] == 0
        standin.push_update(standin.message_update(7001, "/help"))
        wait_text(standin, 7001, "/")
        standin.push_update(standin.message_update(7002, "/help"))
        wait_text(standin, 7002, "/")
        deadline = time.monotonic() + 10
        while True:
            status, text = _get(f"http://127.0.0.1:{port}/metrics")
            if b'handler="help.show_help",kind="command",outcome="ok"} 2.0' in text:
                break
            assert time.monotonic() < deadline, text.decode()
            time.sleep(0.1)
        assert status == 200
        for name in (
            b"thidua_handler_latency_seconds_bucket",
            b"thidua_outbox_depth 0.0",
            b"thidua_reminders_due 0.0",
            b'thidua_outbox_sends_total{result="sent"}',
            b"thidua_database_up 1.0",
        ):
            assert name in text, name
    finally:
        bot.send_signal(signal.SIGINT)
        output, _ = bot.communicate(timeout=30)
    assert bot.returncode == 0, output
    lines = [json.loads(line) for line in output.splitlines() if line.strip()]
    handled = [line for line in lines if line["msg"] == "update handled"]
    # Two people's updates run side by side: their lines may come in either order.
    assert sorted((line["user_id"], line["handler"]) for line in handled) == [
        (7001, "help.show_help"),
        (7002, "help.show_help"),
    ]
    assert all(line["duration_ms"] >= 0 and line["update_id"] for line in handled)
    with pytest.raises(urllib.error.URLError, match="refused"):  # gone with the bot
        _get(f"http://127.0.0.1:{port}/healthz")


@pytest.mark.parametrize(
    ("variable", "value"), [("THIDUA_LOG_FORMAT", "xml"), ("THIDUA_METRICS_PORT", "99999")]
)
def test_a_bad_log_or_metrics_setting_names_the_variable(
    no_env_file: Path, monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError) as raised:
        load_settings()
    assert raised.value.params == {"variable": variable, "value": value}
