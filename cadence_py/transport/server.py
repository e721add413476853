"""A gevent TCP server that accepts TChannel connections and hands calls to a handler."""

from __future__ import annotations

import collections
import logging
import socket
import time

import gevent
from gevent.event import Event
from gevent.server import StreamServer

from cadence_py.transport.connection import Connection, ConnectionClosed, Handler
from cadence_py.transport.errors import ErrorCode, ProtocolError
from cadence_py.transport.frames import NO_ID, FrameType, encode_frame
from cadence_py.transport.limits import ConnectionLimits, longest_idle, overdue
from cadence_py.transport.messages import encode_error

log = logging.getLogger(__name__)


class TChannelServer:
    """Listens on ``host:port``; each accepted socket becomes a Connection.

    ``stop`` first stops accepting, then waits (up to a grace period) for calls that are
    already running so that a request that was accepted gets its answer.

    ``limits`` (transport/limits.py) bounds how long a connection may sit idle or
    half-sent and how many may be open; connections count from accept, before their
    handshake, since each holds a file descriptor.
    """

    def __init__(self, handler: Handler, host: str = "127.0.0.1", port: int = 7933,
                 process_name: str | None = None, max_message_size: int = 64 << 20,
                 limits: ConnectionLimits | None = None) -> None:
        self.handler = handler
        self.process_name = process_name
        self.max_message_size = max_message_size
        self.limits = limits or ConnectionLimits()
        self.max_connections = self.limits.cap()
        self._server = StreamServer((host, port), self._accept)
        self._connections: set[Connection] = set()
        self._active_calls = 0
        self._idle = Event()
        self._idle.set()
        self._sweeper: gevent.Greenlet | None = None
        # Closes for a limit, by reason, not yet logged: logged together once per sweep
        # (1,000 idle sockets must not become 1,000 log lines).
        self._closed_for: collections.Counter[str] = collections.Counter()

    @property
    def address(self) -> tuple[str, int]:
        return self._server.address[:2]

    @property
    def host_port(self) -> str:
        host, port = self.address
        return f"{host}:{port}"

    @property
    def connection_count(self) -> int:
        return len(self._connections)

    def start(self) -> None:
        self._server.start()
        self._sweeper = gevent.spawn(self._sweep_forever)
        log.info("tchannel server listening on %s (at most %d connections; idle %.0fs, "
                 "incomplete %.0fs)", self.host_port, self.max_connections,
                 self.limits.idle_timeout, self.limits.partial_timeout)

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
        if not self._make_room():
            self._refuse(sock)
            return
        conn = Connection(sock, handler=self.handler, host_port=self.host_port,
                          process_name=self.process_name,
                          max_message_size=self.max_message_size,
                          on_call_start=self._call_started, on_call_end=self._call_ended)
        self._connections.add(conn)
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            try:
                conn.accept_handshake()
            except ConnectionClosed:
                return
            except (ProtocolError, OSError) as exc:
                if not conn.closed:
                    log.info("handshake with %s failed: %s", conn.peer, exc)
                    conn.send_error(NO_ID, ErrorCode.FATAL, str(exc))
                return
            conn.serve()
        except OSError as exc:  # the socket died before the handshake began
            log.info("connection from %s failed: %s", conn.peer, exc)
        finally:
            self._connections.discard(conn)
            conn.close()

    # ------------------------------------------------------------ limits
    def _make_room(self) -> bool:
        """Below the cap, or made so by closing the connection idle the longest."""
        if len(self._connections) < self.max_connections:
            return True
        victim = longest_idle(self._connections)
        if victim is None:
            return False
        self._drop(victim, "evicted")  # type: ignore[arg-type]
        return True

    def _refuse(self, sock: socket.socket) -> None:
        """Every open connection has calls in flight: turn the new one away, saying why."""
        self._closed_for["refused"] += 1
        try:
            sock.setblocking(False)  # the error frame goes if it fits, never waits
            sock.send(encode_frame(FrameType.ERROR, NO_ID, encode_error(
                ErrorCode.BUSY, f"server at its limit of {self.max_connections} "
                                f"connections, all busy")))
        except OSError:
            pass
        finally:
            sock.close()

    def _drop(self, conn: Connection, reason: str) -> None:
        """Close ``conn`` for a limit: off the count now, the error frame and the close in
        a greenlet of their own (a peer that reads nothing can make a send wait, and the
        one sweeper must never wait on one peer)."""
        self._connections.discard(conn)
        self._closed_for[reason] += 1
        message = None
        if reason == "incomplete":
            message = f"frame or message incomplete after {self.limits.partial_timeout:g}s"
        gevent.spawn(_close, conn, message)

    def _sweep_forever(self) -> None:
        while True:
            gevent.sleep(self.limits.sweep_interval())
            try:
                self.sweep()
            except Exception:  # noqa: BLE001 - the sweeper must outlive any one fault
                log.exception("connection sweep failed")

    def sweep(self, now: float | None = None) -> None:
        """Close connections past a deadline; log what was closed for a limit since the
        last sweep."""
        now = time.monotonic() if now is None else now
        for conn in list(self._connections):
            reason = overdue(conn, self.limits, now)
            if reason is not None:
                self._drop(conn, reason)
        if self._closed_for:
            # At the cap (evicted, refused) the operator should look; deadlines are routine.
            at_cap = bool(self._closed_for.keys() & {"evicted", "refused"})
            log.log(logging.WARNING if at_cap else logging.INFO,
                    "closed connections for limits (%s); %d open of at most %d",
                    ", ".join(f"{n} {why}" for why, n in sorted(self._closed_for.items())),
                    len(self._connections), self.max_connections)
            self._closed_for.clear()

    def stop(self, grace: float = 10.0) -> None:
        """Stop accepting; let running calls finish for up to ``grace`` seconds; close."""
        self._server.close()
        if self._sweeper is not None:
            self._sweeper.kill(block=False)
        if not self._idle.wait(timeout=grace):
            log.warning("%d calls still running after %.0fs; closing anyway",
                        self._active_calls, grace)
        for conn in list(self._connections):
            conn.close()
        gevent.sleep(0)


def _close(conn: Connection, fatal: str | None) -> None:
    """Tell the peer why (a FATAL error frame, if it can be queued within a second: a peer
    that reads nothing can hold a send), then close."""
    if fatal is not None:
        with gevent.Timeout(1.0, False):
            conn.send_error(NO_ID, ErrorCode.FATAL, fatal)
    conn.close()
