"""A TCP proxy on 127.0.0.1 that can cut the line, to take a database away from the bot.

Why: the fault tests need PostgreSQL to vanish for a while without stopping the shared server.
The bot connects to the proxy instead of PostgreSQL; :meth:`TcpProxy.cut` resets every open
connection and answers new ones with a reset too (as a stopped server or a broken network
would), :meth:`TcpProxy.restore` lets connections through again. Runs its own asyncio loop in a
daemon thread, so synchronous tests can drive it while the bot runs in another process.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
import threading
from collections.abc import Coroutine
from types import TracebackType
from typing import Any, Self, TypeVar

T = TypeVar("T")

_CHUNK = 65536
# SO_LINGER with a zero timeout: close() sends a TCP reset instead of a polite FIN.
_RESET = struct.pack("ii", 1, 0)


class TcpProxy:
    """Forwards 127.0.0.1:<port> to ``target``; counts connections accepted and refused."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.accepted = 0
        self.refused = 0
        self._down = False
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    # ------------------------------------------------------------- lifecycle

    def start(self) -> Self:
        self._thread.start()
        self._server = self._call(self._listen())
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._call(self._close_all(server_too=True))
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
        self._loop.close()
        self._server = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._server is not None, "the proxy is not running"
        return int(self._server.sockets[0].getsockname()[1])

    # ------------------------------------------------------------- faults

    def cut(self) -> None:
        """Reset every open connection and every new one until :meth:`restore`."""
        self._down = True
        self._call(self._close_all(server_too=False))

    def restore(self) -> None:
        self._down = False

    @property
    def open_connections(self) -> int:
        return len(self._writers)

    # ------------------------------------------------------------- internals

    def _call(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout=10)

    async def _listen(self) -> asyncio.Server:
        return await asyncio.start_server(self._serve, "127.0.0.1", 0)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self._down:
            self.refused += 1
            _reset(writer)
            return
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            self.refused += 1
            _reset(writer)
            return
        self.accepted += 1
        self._writers.update((writer, up_writer))
        try:
            await asyncio.gather(_pump(reader, up_writer), _pump(up_reader, writer))
        finally:
            for side in (writer, up_writer):
                self._writers.discard(side)
                side.close()

    async def _close_all(self, *, server_too: bool) -> None:
        if server_too and self._server is not None:
            self._server.close()
        for writer in list(self._writers):
            _reset(writer)
        self._writers.clear()


async def _pump(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Copy one direction until it closes or the line is cut."""
    try:
        while data := await reader.read(_CHUNK):
            writer.write(data)
            await writer.drain()
    except OSError:
        return  # the other side reset: the finally clause closes ours
    finally:
        if not writer.is_closing():
            writer.close()


def _reset(writer: asyncio.StreamWriter) -> None:
    sock = writer.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):  # already closed
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, _RESET)
    writer.transport.abort()
