"""One TChannel connection: handshake, the frame read loop, and per-call greenlets.

Both the server and the client use this class. Inbound calls each run in their own
greenlet so a long poll never stalls other calls on the socket; writes go through one
lock so the frames of different messages never interleave mid-frame.

A call whose answer nobody waits for any more (the connection closed, its TTL passed,
or the caller sent a cancel frame) has its ``cancelled`` event set, as upstream TChannel
cancels the call's context; handlers that wait (long polls) watch it. The connection
also keeps what the server's deadlines need: when the last call frame came, whether
calls are in flight, and since when a frame or message has been incomplete.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import os
import socket
import sys
import time
from collections.abc import Callable
import gevent
from gevent.event import AsyncResult

from cadence_py.transport.checksum import ChecksumType
from cadence_py.transport.errors import ErrorCode, ProtocolError, TChannelError
from cadence_py.transport.fragments import CompleteMessage, Reassembler, encode_message
from cadence_py.transport.frames import NO_ID, Frame, FrameDecoder, FrameType, encode_frame
from cadence_py.transport.messages import (
    PROTOCOL_VERSION,
    CallResponse,
    InboundCall,
    ResponseCode,
    call_req_head,
    call_res_head,
    decode_error,
    decode_init,
    encode_error,
    encode_init,
)

log = logging.getLogger(__name__)

Handler = Callable[[InboundCall], CallResponse]
HANDSHAKE_TIMEOUT = 10.0
#: Bytes queued for a peer beyond which a sender waits for the queue to drain.
OUTBOX_LIMIT = 4 << 20
TCHANNEL_VERSION = "2.0.0-cadence-py"


def init_headers(host_port: str, process_name: str | None = None) -> dict[str, str]:
    """The five init headers tchannel-go insists on (it rejects a reply missing any)."""
    return {
        "host_port": host_port,
        "process_name": process_name or f"cadence-py[{os.getpid()}]",
        "tchannel_language": "python",
        "tchannel_language_version": "%d.%d.%d" % sys.version_info[:3],
        "tchannel_version": TCHANNEL_VERSION,
    }


class ConnectionClosed(TChannelError):
    def __init__(self, message: str = "connection closed") -> None:
        super().__init__(ErrorCode.NETWORK, message)


class Connection:
    """A TChannel connection over a connected socket.

    ``handler`` answers inbound calls (server side); ``call`` makes outbound ones.
    """

    def __init__(self, sock: socket.socket, *, handler: Handler | None = None,
                 host_port: str = "0.0.0.0:0", process_name: str | None = None,
                 max_message_size: int = 64 << 20,
                 on_call_start: Callable[[], None] | None = None,
                 on_call_end: Callable[[], None] | None = None) -> None:
        self.sock = sock
        self.handler = handler
        self.init_headers = init_headers(host_port, process_name)
        self.remote_headers: dict[str, str] = {}
        self._decoder = FrameDecoder()
        self._inbound = Reassembler(FrameType.CALL_REQ, max_message_size=max_message_size)
        self._outbound = Reassembler(FrameType.CALL_RES, max_message_size=max_message_size)
        self._outbox: list[bytes] = []
        self._outbox_bytes = 0
        self._flusher: gevent.Greenlet | None = None
        self._waiting: dict[int, AsyncResult] = {}
        self._ids = itertools.count(1)
        self._closed = False
        self._ready: list[Frame] = []
        self._on_call_start = on_call_start
        self._on_call_end = on_call_end
        self._calls: dict[int, InboundCall] = {}  # inbound calls not answered yet
        #: time.monotonic() of the last call frame in or call finished: idle is measured
        #: from it (pings do not count, as in tchannel-go's idle sweep).
        self.last_activity = time.monotonic()
        self._frame_started: float | None = None  # the incomplete frame's first bytes
        self._message_started: dict[int, float] = {}  # inbound messages missing fragments
        try:
            self.peer = "%s:%s" % sock.getpeername()[:2]
        except OSError:
            self.peer = "?"

    # ------------------------------------------------------------------ reading
    def _next_frame(self, timeout: float | None = None) -> Frame | None:
        """The next complete frame, or None at end of stream.

        ``timeout`` bounds the whole wait, so a peer trickling bytes cannot hold the
        handshake open forever.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        while not self._ready:
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                raise ProtocolError("timed out waiting for a frame")
            with gevent.Timeout(left, False) if left else contextlib.nullcontext():
                data = self.sock.recv(65536)
                if not data:
                    if self._decoder.pending:
                        log.info("peer %s hung up mid-frame", self.peer)
                    return None
                try:
                    frames = self._decoder.feed(data)
                except ValueError as exc:
                    raise ProtocolError(str(exc)) from None
                if not self._decoder.pending:
                    self._frame_started = None
                elif frames or self._frame_started is None:  # a new frame began here
                    self._frame_started = time.monotonic()
                self._ready.extend(frames)
                continue
            raise ProtocolError("timed out waiting for a frame")
        return self._ready.pop(0)

    # --------------------------------------------------------------- handshake
    def accept_handshake(self) -> None:
        """Server side: wait for init req and answer init res."""
        frame = self._next_frame(HANDSHAKE_TIMEOUT)
        if frame is None:
            raise ConnectionClosed("peer closed before the init handshake")
        if frame.type != FrameType.INIT_REQ:
            raise ProtocolError(f"expected init req, got frame type 0x{frame.type:02x}")
        version, headers = decode_init(frame.payload)
        if version < PROTOCOL_VERSION:
            raise ProtocolError(f"unsupported protocol version {version}")
        self.remote_headers = headers
        self._send([encode_frame(FrameType.INIT_RES, frame.id, encode_init(self.init_headers))])

    def start_handshake(self) -> None:
        """Client side: send init req and wait for init res."""
        self._send([encode_frame(FrameType.INIT_REQ, next(self._ids),
                                 encode_init(self.init_headers))])
        frame = self._next_frame(HANDSHAKE_TIMEOUT)
        if frame is None:
            raise ConnectionClosed("peer closed during the init handshake")
        if frame.type == FrameType.ERROR:
            code, message = decode_error(frame.payload)
            raise TChannelError(ErrorCode(code), message)
        if frame.type != FrameType.INIT_RES:
            raise ProtocolError(f"expected init res, got frame type 0x{frame.type:02x}")
        version, self.remote_headers = decode_init(frame.payload)
        if version != PROTOCOL_VERSION:
            raise ProtocolError(f"peer answered protocol version {version}")

    # -------------------------------------------------------------- read loop
    def serve(self) -> None:
        """Read frames until the peer hangs up or breaks the protocol."""
        try:
            while not self._closed:
                frame = self._next_frame()
                if frame is None:
                    break
                try:
                    self._dispatch(frame)
                except ProtocolError as exc:
                    if exc.message_id is None or exc.code == ErrorCode.FATAL:
                        raise
                    log.info("bad message %d from %s: %s", exc.message_id, self.peer, exc)
                    self.send_error(exc.message_id, exc.code, str(exc))
        except ProtocolError as exc:
            log.warning("protocol error from %s: %s; closing", self.peer, exc)
            self.send_error(NO_ID, ErrorCode.FATAL, str(exc))
        except OSError as exc:
            if not self._closed:  # not our own close() waking the read
                log.info("connection to %s failed: %s", self.peer, exc)
        finally:
            self.close()

    def _dispatch(self, frame: Frame) -> None:
        kind = frame.type
        if kind in (FrameType.CALL_REQ, FrameType.CALL_REQ_CONTINUE):
            self.last_activity = time.monotonic()
            try:
                message = self._inbound.feed(kind, frame.id, frame.payload)
            finally:
                if frame.id in self._inbound:
                    self._message_started.setdefault(frame.id, self.last_activity)
                else:
                    self._message_started.pop(frame.id, None)
            if message is not None:
                self._start_call(message)
        elif kind in (FrameType.CALL_RES, FrameType.CALL_RES_CONTINUE):
            self.last_activity = time.monotonic()
            try:
                message = self._outbound.feed(kind, frame.id, frame.payload)
            except ProtocolError as exc:
                if exc.code == ErrorCode.FATAL:
                    raise
                # A malformed response fails our own waiting call; it is not answered
                # with an error frame (those answer requests, and the peer has no use
                # for one about its response).
                log.info("bad response %d from %s: %s", frame.id, self.peer, exc)
                waiter = self._waiting.pop(frame.id, None)
                if waiter is not None:
                    waiter.set_exception(TChannelError(ErrorCode.NETWORK,
                                                       f"malformed response: {exc}"))
                return
            if message is not None:
                waiter = self._waiting.pop(message.id, None)
                if waiter is not None:
                    waiter.set(message)
        elif kind == FrameType.ERROR:
            code, text = decode_error(frame.payload)
            self._outbound.discard(frame.id)
            waiter = self._waiting.pop(frame.id, None)
            if waiter is not None:
                waiter.set_exception(TChannelError(_error_code(code), text))
            else:
                log.info("error frame from %s (id %d, code %d): %s", self.peer, frame.id,
                         code, text)
        elif kind == FrameType.PING_REQ:
            self._send([encode_frame(FrameType.PING_RES, frame.id, b"")])
        elif kind == FrameType.PING_RES:
            waiter = self._waiting.pop(frame.id, None)
            if waiter is not None:
                waiter.set(None)
        elif kind == FrameType.CANCEL:
            # The caller gave up on this call (tchannel-go sends one when its context is
            # cancelled): as upstream, cancel the call's context; it still finishes or
            # times out on its own, and what it answers is dropped by the caller.
            call = self._calls.get(frame.id)
            if call is not None:
                call.cancelled.set()
        elif kind == FrameType.CLAIM:
            pass  # advisory
        else:
            raise ProtocolError(f"unexpected frame type 0x{kind:02x} after the handshake")

    # ---------------------------------------------------------- inbound calls
    def _start_call(self, message: CompleteMessage) -> None:
        meta = message.meta
        call = InboundCall(id=message.id, service=meta.service, ttl_ms=meta.ttl_ms,
                           headers=meta.headers, arg1=message.args[0],
                           arg2=message.args[1], arg3=message.args[2], tracing=meta.tracing)
        if self.handler is None:
            self.send_error(call.id, ErrorCode.DECLINED, "this peer does not accept calls")
            return
        if call.ttl_ms <= 0:
            self.send_error(call.id, ErrorCode.BAD_REQUEST, "call has no TTL")
            return
        self._calls[call.id] = call
        gevent.spawn(self._run_call, call)

    def _run_call(self, call: InboundCall) -> None:
        done = False

        def expire() -> None:  # runs in the hub: sending may block, so in a greenlet
            nonlocal done
            if not done:
                done = True
                gevent.spawn(self._expire, call)

        # A bare loop timer, not spawn_later: a greenlet per call only to be killed
        # showed in the benchmark's profile.
        timer = gevent.get_hub().loop.timer(call.ttl_ms / 1000.0)
        timer.start(expire)
        if self._on_call_start:
            self._on_call_start()
        try:
            assert self.handler is not None
            response = self.handler(call)
        except TChannelError as exc:
            if not done:
                done = True
                self.send_error(call.id, exc.code, exc.message)
            return
        except Exception as exc:  # a handler bug must not take the connection down
            log.exception("handler for %s failed", call.method)
            if not done:
                done = True
                self.send_error(call.id, ErrorCode.UNEXPECTED, f"{type(exc).__name__}: {exc}")
            return
        finally:
            timer.close()
            if self._calls.get(call.id) is call:
                del self._calls[call.id]
            self.last_activity = time.monotonic()
            if self._on_call_end:
                self._on_call_end()
        if done:
            return  # the caller already got a timeout; the result is dropped
        done = True
        headers = dict(response.headers)
        headers.setdefault("as", call.headers.get("as", "thrift"))
        frames = encode_message(FrameType.CALL_RES, call.id,
                                call_res_head(int(response.code), headers),
                                (response.arg1, response.arg2, response.arg3))
        self._send(frames)

    def _expire(self, call: InboundCall) -> None:
        """The call's TTL passed: the caller stopped waiting, so cancel it and say so."""
        call.cancelled.set()
        self.send_error(call.id, ErrorCode.TIMEOUT,
                        f"{call.method} did not finish within {call.ttl_ms} ms")

    # ------------------------------------------------------------ deadlines
    @property
    def busy(self) -> bool:
        """Calls in flight either way (a long poll counts): such a connection is not idle."""
        return bool(self._calls or self._waiting)

    def partial_since(self) -> float | None:
        """time.monotonic() since which a frame or an inbound message has been started
        but not completed; None when nothing is half-received."""
        started = self._frame_started
        if self._message_started:
            oldest = min(self._message_started.values())
            started = oldest if started is None else min(started, oldest)
        return started

    # --------------------------------------------------------- outbound calls
    def call(self, service: str, arg1: bytes, arg2: bytes, arg3: bytes, *,
             headers: dict[str, str] | None = None, ttl_ms: int = 5000,
             csum_type: ChecksumType = ChecksumType.CRC32) -> CallResponse:
        """Make one call and wait for its response (or raise TChannelError)."""
        if self._closed:
            raise ConnectionClosed()
        message_id = next(self._ids)
        waiter: AsyncResult = AsyncResult()
        self._waiting[message_id] = waiter
        frames = encode_message(FrameType.CALL_REQ, message_id,
                                call_req_head(ttl_ms, service, headers or {}),
                                (arg1, arg2, arg3), csum_type)
        try:
            self._send(frames)
            message: CompleteMessage = waiter.get(timeout=ttl_ms / 1000.0 + 1.0)
        except gevent.Timeout:
            raise TChannelError(ErrorCode.TIMEOUT, f"no response within {ttl_ms} ms") from None
        finally:
            self._waiting.pop(message_id, None)
        return CallResponse(arg1=message.args[0], arg2=message.args[1], arg3=message.args[2],
                            code=ResponseCode(min(message.meta.code, 1)),
                            headers=message.meta.headers)

    def ping(self, timeout: float = 5.0) -> None:
        message_id = next(self._ids)
        waiter: AsyncResult = AsyncResult()
        self._waiting[message_id] = waiter
        self._send([encode_frame(FrameType.PING_REQ, message_id, b"")])
        waiter.get(timeout=timeout)

    # ----------------------------------------------------------------- writing
    def send_error(self, message_id: int, code: ErrorCode, message: str) -> None:
        self._send([encode_frame(FrameType.ERROR, message_id, encode_error(code, message))])

    def _send(self, frames: list[bytes]) -> None:
        """Queue ``frames``; one greenlet writes what queued up, in one ``sendall``.

        Why: each send wakes the peer, and on this VM that syscall cost as much as
        encoding the response. Responses finished in the same turn of the hub now share
        one. A caller waits only when a slow reader let the queue grow past
        ``OUTBOX_LIMIT``.
        """
        if self._closed:
            return
        self._outbox.extend(frames)
        self._outbox_bytes += sum(map(len, frames))
        flusher = self._flusher
        if flusher is None:
            self._flusher = gevent.spawn(self._flush)
        elif self._outbox_bytes > OUTBOX_LIMIT and flusher is not gevent.getcurrent():
            flusher.join()

    def _flush(self) -> None:
        try:
            while self._outbox and not self._closed:
                data = b"".join(self._outbox)
                self._outbox.clear()
                self._outbox_bytes = 0
                self.sock.sendall(data)
        except OSError as exc:
            log.info("write to %s failed: %s", self.peer, exc)
            self.close()  # from the flusher itself: no wait for it
        finally:
            self._flusher = None

    def close(self) -> None:
        if self._closed:
            return
        for call in self._calls.values():  # nobody can receive their answers now
            call.cancelled.set()
        flusher = self._flusher
        if flusher is not None and flusher is not gevent.getcurrent():
            flusher.join(timeout=1.0)  # what was answered before the close still goes out
        self._closed = True
        for waiter in self._waiting.values():
            waiter.set_exception(ConnectionClosed())
        self._waiting.clear()
        try:
            self.sock.close()
        except OSError:
            pass

    @property
    def closed(self) -> bool:
        return self._closed


def _error_code(code: int) -> ErrorCode:
    try:
        return ErrorCode(code)
    except ValueError:
        return ErrorCode.UNEXPECTED
