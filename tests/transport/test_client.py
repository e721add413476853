"""TChannelClient against a hand-driven fake server (a bare gevent listening socket)."""

from __future__ import annotations

import time

import gevent
import pytest
from gevent import socket

from cadence_py.transport import TChannelClient
from cadence_py.transport.errors import ErrorCode, TChannelError
from tests.transport import wire


class FakeServer:
    """Accepts one connection and runs ``script(peer)`` on it, with ``peer`` a RawPeer-like
    object reading the client's frames."""

    def __init__(self, script):
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(1)
        self.address = self.listener.getsockname()
        self.script = script
        self.greenlet = gevent.spawn(self._run)
        self.received: list[tuple[int, int, bytes]] = []

    def _run(self):
        sock, _ = self.listener.accept()
        peer = wire.RawPeer.__new__(wire.RawPeer)
        peer.sock, peer.buf, peer.reasm = sock, bytearray(), wire.SpecReassembler()
        sock.settimeout(5)
        try:
            self.script(self, peer)
        finally:
            gevent.sleep(0.05)
            sock.close()

    def close(self):
        self.greenlet.kill()
        self.listener.close()


def handshake(server, peer, headers=None):
    ftype, mid, payload = peer.recv_frame()
    assert ftype == wire.INIT_REQ
    version, got = payload[:2], wire.read_h16(payload[2:])
    assert version == b"\x00\x02"
    assert set(wire.INIT_KEYS) <= set(got)
    if headers is None:
        headers = {k: "x" for k in wire.INIT_KEYS}
    peer.send(wire.frame(wire.INIT_RES, mid, wire.init_payload(headers)))


def read_call(peer):
    r = wire.SpecReassembler()
    while True:
        ftype, mid, payload = peer.recv_frame()
        msg = r.feed(ftype, mid, payload)
        if msg is not None:
            return msg


def res_frame(mid, arg3, *, code=0, csum_type=0, csum_value=None, headers=None):
    chunks = [b"", b"\x00\x00", arg3]
    if csum_value is None:
        csum_value = 0
        for c in chunks:
            csum_value = wire.csum(csum_type, csum_value, c)
    payload = (bytes([0, code]) + bytes(25) + wire.h8(headers or {"as": "thrift"})
               + wire.csum_field(csum_type, csum_value) + wire.chunks_bytes(chunks))
    return wire.frame(wire.CALL_RES, mid, payload)


@pytest.fixture
def fake_server():
    servers = []

    def make(script):
        s = FakeServer(script)
        servers.append(s)
        return s

    yield make
    for s in servers:
        s.close()


def test_client_sends_cli_style_call(fake_server):
    def script(server, peer):
        handshake(server, peer)
        msg = read_call(peer)
        server.received.append(msg)
        peer.send(res_frame(msg.id, b"pong", csum_type=1))

    srv = fake_server(script)
    with TChannelClient(*srv.address, caller="cli-test") as client:
        res = client.call("cadence-frontend", "WorkflowService::X", b"\x00\x00", b"ping")
    assert res.arg3 == b"pong"
    (msg,) = srv.received
    assert msg.first.service == "cadence-frontend"
    assert msg.first.headers == {"as": "thrift", "cn": "cli-test"}
    assert msg.first.csum_type == 1  # CRC-32, like tchannel-go
    assert msg.args == [b"WorkflowService::X", b"\x00\x00", b"ping"]
    assert 0 < msg.first.ttl <= 5000


def test_corrupt_response_fails_the_call_promptly(fake_server):
    """A response with a bad checksum must fail the waiting call, not leave it to time out
    (and must not be answered with an error frame: error frames answer requests)."""
    def script(server, peer):
        handshake(server, peer)
        msg = read_call(peer)
        peer.send(res_frame(msg.id, b"pong", csum_type=1, csum_value=0xBAD))
        peer.sock.settimeout(0.3)
        try:
            got = peer.recv_frame()
        except socket.timeout:
            got = None
        server.received.append(got)
        gevent.sleep(2)  # keep the connection open: the call must fail on its own

    srv = fake_server(script)
    with TChannelClient(*srv.address) as client:
        start = time.monotonic()
        with pytest.raises(TChannelError):
            client.call("svc", "S::m", b"\x00\x00", b"x", ttl_ms=3000)
        assert time.monotonic() - start < 1.0
    srv.greenlet.join(2)
    assert srv.received == [None]  # nothing was sent back about the bad response


def test_error_frame_fails_only_its_call(fake_server):
    def script(server, peer):
        handshake(server, peer)
        first, second = read_call(peer), read_call(peer)
        peer.send(wire.frame(wire.ERROR, first.id, b"\x03" + bytes(25) + b"\x00\x04busy"))
        peer.send(res_frame(second.id, b"ok"))

    srv = fake_server(script)
    with TChannelClient(*srv.address) as client:
        a = gevent.spawn(client.call, "svc", "S::a", b"\x00\x00", b"")
        gevent.sleep(0.01)
        b = gevent.spawn(client.call, "svc", "S::b", b"\x00\x00", b"")
        gevent.joinall([a, b], timeout=15)  # generous: CI shares 2 cores
    assert isinstance(a.exception, TChannelError) and a.exception.code == ErrorCode.BUSY
    assert b.value.arg3 == b"ok"


def test_init_error_frame_is_raised(fake_server):
    def script(server, peer):
        peer.recv_frame()
        peer.send(wire.frame(wire.ERROR, wire.NO_ID, b"\xff" + bytes(25) + b"\x00\x03bad"))

    srv = fake_server(script)
    client = TChannelClient(*srv.address)
    with pytest.raises(TChannelError) as info:
        client.connect()
    assert info.value.code == ErrorCode.FATAL
    client.close()


def test_wrong_init_version_is_refused(fake_server):
    def script(server, peer):
        _, mid, _ = peer.recv_frame()
        peer.send(wire.frame(wire.INIT_RES, mid, wire.init_payload({}, version=3)))

    srv = fake_server(script)
    client = TChannelClient(*srv.address)
    with pytest.raises(Exception):
        client.connect()
    client.close()


def test_server_hangup_fails_pending_calls(fake_server):
    def script(server, peer):
        handshake(server, peer)
        read_call(peer)  # and hang up without answering

    srv = fake_server(script)
    with TChannelClient(*srv.address) as client:
        start = time.monotonic()
        with pytest.raises(TChannelError) as info:
            client.call("svc", "S::m", b"\x00\x00", b"", ttl_ms=5000)
        assert info.value.code == ErrorCode.NETWORK
        assert time.monotonic() - start < 2.0


def test_response_timeout(fake_server):
    def script(server, peer):
        handshake(server, peer)
        read_call(peer)
        gevent.sleep(3)

    srv = fake_server(script)
    with TChannelClient(*srv.address) as client:
        with pytest.raises(TChannelError) as info:
            client.call("svc", "S::m", b"\x00\x00", b"", ttl_ms=10)
        assert info.value.code == ErrorCode.TIMEOUT
