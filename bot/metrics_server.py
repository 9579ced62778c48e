"""`/healthz` and `/metrics` over HTTP, served from a daemon thread beside the bot.

Why a thread with the standard library's WSGI server: scraping must work even when the event
loop is busy or stuck (that is exactly when `/healthz` has to say 503), and it adds no
dependency. The thread only reads the gauges and the health state; it never touches the database.
"""

import json
import logging
import threading
from collections.abc import Callable, Iterable
from socketserver import ThreadingMixIn
from typing import TYPE_CHECKING, Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from prometheus_client.exposition import CONTENT_TYPE_LATEST

from bot.health import Health, schedule_refresh
from bot.metrics import Metrics

if TYPE_CHECKING:
    from bot.app import ThiduaApplication

log = logging.getLogger("thidua.metrics")

StartResponse = Callable[[str, list[tuple[str, str]]], Any]


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True  # a slow scraper never holds up the bot's exit


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """Scrapes every few seconds would flood the log; nothing to say about them."""


def ops_app(
    metrics: Metrics, health: Health
) -> Callable[[dict[str, Any], StartResponse], Iterable[bytes]]:
    """The WSGI application: `/metrics` (Prometheus text) and `/healthz` (JSON, 200 or 503)."""

    def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if environ.get("REQUEST_METHOD", "GET") not in ("GET", "HEAD"):
            return _reply(start_response, "405 Method Not Allowed", b"", "text/plain")
        if path == "/metrics":
            return _reply(start_response, "200 OK", metrics.exposition(), CONTENT_TYPE_LATEST)
        if path == "/healthz":
            healthy, body = health.report()
            status = "200 OK" if healthy else "503 Service Unavailable"
            payload = json.dumps(body).encode()
            return _reply(start_response, status, payload, "application/json")
        return _reply(start_response, "404 Not Found", b"not found\n", "text/plain")

    return app


def _reply(start_response: StartResponse, status: str, body: bytes, kind: str) -> list[bytes]:
    start_response(
        status,
        [("Content-Type", kind), ("Content-Length", str(len(body))), ("Cache-Control", "no-store")],
    )
    return [body]


class OpsServer:
    """Binds at construction (so a busy port fails at start), serves after `start()`."""

    def __init__(self, host: str, port: int, metrics: Metrics, health: Health) -> None:
        self._server = make_server(
            host,
            port,
            ops_app(metrics, health),
            server_class=_ThreadingServer,
            handler_class=_QuietHandler,
        )
        self._thread: threading.Thread | None = None

    @property
    def address(self) -> tuple[str, int]:
        host, port = self._server.server_address[:2]
        return str(host), int(port)

    def start(self) -> None:
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="thidua-metrics", daemon=True
        )
        self._thread.start()
        host, port = self.address
        log.info("health and metrics on http://%s:%d/healthz and /metrics", host, port)

    def stop(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=5)
        self._server.server_close()


def start_operations(application: "ThiduaApplication") -> OpsServer | None:
    """Serve /healthz and /metrics when THIDUA_METRICS_PORT is set, and schedule the health job.

    Call before `run_polling`/`run_webhook`: the job starts with the application; until its first
    run `/healthz` answers 503 ("starting").
    """
    services = application.services
    settings = services.settings
    if not settings.metrics_port:
        return None
    health = Health()
    server = OpsServer(settings.metrics_host, settings.metrics_port, services.metrics, health)
    schedule_refresh(application, health, services.database, services.metrics)
    server.start()
    return server
