"""The server's connection deadlines and cap (transport/limits.py), in process, with
short deadlines: half-sent frames are closed, idle connections are closed, busy ones are
kept, and at the cap the longest idle goes, or the newcomer is told the server is busy."""

from __future__ import annotations

from typing import Any

import pytest

from cadence_py.transport import TChannelServer
from cadence_py.transport.limits import ConnectionLimits, default_max_connections
from tests.transport import wire
from tests.transport.test_call_cancel import THRIFT, WaitHandler
from tests.transport.wire import RawPeer, simple_call, wait_until


def _server(**limits: Any) -> TChannelServer:
    srv = TChannelServer(WaitHandler(), host="127.0.0.1", port=0,
                         limits=ConnectionLimits(**limits))
    srv.start()
    return srv


@pytest.fixture
def servers() -> Any:
    made: list[TChannelServer] = []

    def make(**limits: Any) -> TChannelServer:
        made.append(_server(**limits))
        return made[-1]

    yield make
    for srv in made:
        srv.stop(grace=0.5)


def _peer(srv: TChannelServer) -> RawPeer:
    peer = RawPeer(srv.address)
    peer.handshake()
    return peer


def _busy_peer(srv: TChannelServer) -> RawPeer:
    peer = _peer(srv)
    peer.send(simple_call(2, "Wait::wait", headers=THRIFT))
    return peer


def test_default_cap_leaves_headroom_below_the_fd_limit() -> None:
    assert default_max_connections(1024) == 896
    assert default_max_connections(256) == 192
    assert default_max_connections(100) == 36
    assert default_max_connections(10) == 16
    assert default_max_connections(1 << 20) == 16384


def test_a_half_sent_frame_is_closed_with_a_reason(servers: Any) -> None:
    srv = servers(partial_timeout=0.3, idle_timeout=60)
    peer = _peer(srv)
    peer.send(wire.frame(wire.CALL_REQ, 2, bytes(40))[:20])
    kind, _, info = peer.next_event()
    assert kind == "error" and info[0] == 0xFF and "incomplete" in info[1]
    assert peer.next_event()[0] == "closed"


def test_idle_goes_busy_stays(servers: Any) -> None:
    srv = servers(partial_timeout=5, idle_timeout=0.4)
    idle, busy = _peer(srv), _busy_peer(srv)
    assert idle.next_event()[0] == "closed"
    assert srv.connection_count == 1
    busy.close()


def test_at_the_cap_the_longest_idle_makes_room(servers: Any) -> None:
    srv = servers(max_connections=3)
    busy = _busy_peer(srv)
    oldest, newer = _peer(srv), _peer(srv)
    newest = _peer(srv)  # the cap: the oldest idle one goes
    assert oldest.next_event()[0] == "closed"
    assert wait_until(lambda: srv.connection_count == 3)
    for peer in (busy, newer, newest):
        peer.send(wire.frame(wire.PING_REQ, 9, b""))
        assert peer.next_event()[:2] == ("ping", 9)


def test_at_the_cap_with_every_connection_busy_a_newcomer_hears_why(servers: Any) -> None:
    srv = servers(max_connections=2)
    busy = [_busy_peer(srv) for _ in range(2)]
    assert wait_until(lambda: all(c.busy for c in srv._connections))
    refused = RawPeer(srv.address)
    kind, _, info = refused.next_event()
    assert kind == "error" and info[0] == 0x03 and "limit of 2" in info[1]
    assert refused.next_event()[0] == "closed"
    for peer in busy:
        peer.close()


def test_the_limits_are_read_from_services_frontend_rpc(tmp_path: Any) -> None:
    from cadence_py.server.config import ConfigError, load_config

    path = tmp_path / "config.yaml"
    path.write_text("services:\n  frontend:\n    rpc:\n      idleConnectionTimeout: 2m\n"
                    "      incompleteMessageTimeout: 500ms\n      maxConnections: 7\n")
    limits = load_config(path).connection_limits
    assert (limits.idle_timeout, limits.partial_timeout, limits.cap()) == (120, 0.5, 7)
    path.write_text("services:\n  frontend:\n    rpc:\n      incompleteMessageTimeout: 0s\n")
    with pytest.raises(ConfigError, match="incompleteMessageTimeout: must be positive"):
        load_config(path)
