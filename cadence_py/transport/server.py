"""A gevent TCP server that accepts TChannel connections and hands calls to a handler."""

from __future__ import annotations

import logging
import socket

import gevent
from gevent.event import Event
from gevent.server import StreamServer

from cadence_py.transport.connection import Connection, ConnectionClosed, Handler
from cadence_py.transport.errors import ErrorCode, ProtocolError
from cadence_py.transport.frames import NO_ID

log = logging.getLogger(__name__)


class TChannelServer:
    """Listens on ``host:port``; each accepted socket becomes a Connection.

    ``stop`` first stops accepting, then waits (up to a grace period) for calls that are
    already running so that a request that was accepted gets its answer.
    """

    def __init__(self, handler: Handler, host: str = "127.0.0.1", port: int = 7933,
                 process_name: str | None = None, max_message_size: int = 64 << 20) -> None:
        self.handler = handler
        self.process_name = process_name
        self.max_message_size = max_message_size
        self._server = StreamServer((host, port), self._accept)
        self._connections: set[Connection] = set()
        self._active_calls = 0
        self._idle = Event()
        self._idle.set()

    @property
    def address(self) -> tuple[str, int]:
        return self._server.address[:2]

    @property
    def host_port(self) -> str:
        host, port = self.address
        return f"{host}:{port}"

    def start(self) -> None:
        self._server.start()
        log.info("tchannel server listening on %s", self.host_port)

    def serve_forever(self) -> None:
        self._server.serve_forever()

    def _call_started(self) -> None:
        self._active_calls += 1
        self._idle.clear()

    def _call_ended(self) -> None:
        self._active_calls -= 1
        if self._active_calls <= 0:
            self._idle.set()

    def _accept(self, sock: socket.socket, address: tuple) -> None:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        conn = Connection(sock, handler=self.handler, host_port=self.host_port,
                          process_name=self.process_name,
                          max_message_size=self.max_message_size,
                          on_call_start=self._call_started, on_call_end=self._call_ended)
        try:
            conn.accept_handshake()
        except ConnectionClosed:
            conn.close()
            return
        except (ProtocolError, OSError) as exc:
            log.info("handshake with %s failed: %s", conn.peer, exc)
            conn.send_error(NO_ID, ErrorCode.FATAL, str(exc))
            conn.close()
            return
        self._connections.add(conn)
        try:
            conn.serve()
        finally:
            self._connections.discard(conn)

    def stop(self, grace: float = 10.0) -> None:
        """Stop accepting; let running calls finish for up to ``grace`` seconds; close."""
        self._server.close()
        if not self._idle.wait(timeout=grace):
            log.warning("%d calls still running after %.0fs; closing anyway",
                        self._active_calls, grace)
        for conn in list(self._connections):
            conn.close()
        gevent.sleep(0)
