"""An inbound call learns when nobody waits for its answer any more (``call.cancelled``):
the connection closed, its TTL passed, or the caller sent a cancel frame. Long polls
watch it so that a gone worker takes no task. Real server and sockets on loopback."""

from __future__ import annotations

import struct
from typing import Any

import gevent
import pytest

from cadence_py.transport import CallResponse, InboundCall, TChannelClient, TChannelServer
from cadence_py.transport.errors import ErrorCode, TChannelError
from tests.transport import wire
from tests.transport.wire import RawPeer, simple_call, wait_until

THRIFT = {"as": "thrift", "cn": "raw-peer"}


class WaitHandler:
    """``Wait::wait`` waits up to 5 s for its cancellation and records whether it came;
    ``Quick::q`` answers at once."""

    def __init__(self) -> None:
        self.calls: dict[int, InboundCall] = {}
        self.cancelled: dict[int, bool] = {}

    def __call__(self, call: InboundCall) -> CallResponse:
        self.calls[call.id] = call
        if call.method == "Quick::q":
            return CallResponse(arg2=b"\x00\x00", arg3=b"quick")
        self.cancelled[call.id] = call.cancelled.wait(5)
        return CallResponse(arg2=b"\x00\x00", arg3=b"done")


@pytest.fixture
def handler() -> WaitHandler:
    return WaitHandler()


@pytest.fixture
def server(handler: WaitHandler) -> Any:
    srv = TChannelServer(handler, host="127.0.0.1", port=0)
    srv.start()
    yield srv
    srv.stop(grace=1.0)


def _cancel_frame(mid: int) -> bytes:
    return wire.frame(wire.CANCEL, mid, struct.pack(">I", 1000) + bytes(25)
                      + struct.pack(">H", 4) + b"gone")


def _two_waiting_calls(server: Any, handler: WaitHandler) -> RawPeer:
    """A raw peer with calls 2 and 3 running in ``handler``."""
    peer = RawPeer(server.address)
    peer.handshake()
    for mid in (2, 3):
        peer.send(simple_call(mid, "Wait::wait", headers=THRIFT))
    assert wait_until(lambda: len(handler.calls) == 2)
    return peer


def test_closing_the_connection_cancels_its_calls(server: Any, handler: WaitHandler) -> None:
    _two_waiting_calls(server, handler).close()
    assert wait_until(lambda: handler.cancelled == {2: True, 3: True}, timeout=1)


def test_a_cancel_frame_cancels_that_call_only(server: Any, handler: WaitHandler) -> None:
    peer = _two_waiting_calls(server, handler)
    peer.send(_cancel_frame(2))
    assert wait_until(lambda: 2 in handler.cancelled, timeout=1)
    assert handler.cancelled[2] and not handler.calls[3].cancelled.is_set()
    kind, rid, _ = peer.next_event()
    assert (kind, rid) == ("res", 2)  # it still answers; the caller drops it
    peer.close()


def test_the_ttl_passing_cancels_the_call(server: Any, handler: WaitHandler) -> None:
    host, port = server.address
    with TChannelClient(host, port) as client:
        with pytest.raises(TChannelError) as info:
            client.call("cadence-frontend", "Wait::wait", b"\x00\x00", b"", ttl_ms=200)
        assert info.value.code == ErrorCode.TIMEOUT
    assert wait_until(lambda: list(handler.cancelled.values()) == [True], timeout=1)


def test_an_answered_call_is_not_cancelled_by_a_later_close(
        server: Any, handler: WaitHandler) -> None:
    host, port = server.address
    client = TChannelClient(host, port)
    assert client.call("cadence-frontend", "Quick::q", b"\x00\x00", b"").arg3 == b"quick"
    client.close()
    gevent.sleep(0.05)
    [call] = handler.calls.values()
    assert not call.cancelled.is_set()
