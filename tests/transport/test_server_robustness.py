"""TChannelServer driven over loopback by hand-made frames and by TChannelClient."""

from __future__ import annotations

import random
import struct
import zlib

import gevent
import pytest
from gevent import socket

from cadence_py.rpc import idl
from cadence_py.rpc.codec import decode, encode
from cadence_py.transport import TChannelClient
from cadence_py.transport.checksum import ChecksumType
from cadence_py.transport.errors import ErrorCode, TChannelError
from cadence_py.transport.fragments import encode_message
from cadence_py.transport.frames import FrameType
from cadence_py.transport.messages import call_req_head
from tests.transport import wire
from tests.transport.wire import RawPeer, simple_call, wait_until

THRIFT = {"as": "thrift", "cn": "raw-peer"}


def connect(server, handshake=True, **kw) -> RawPeer:
    peer = RawPeer(server.address, **kw)
    if handshake:
        peer.handshake()
    return peer


def echo_ok(peer: RawPeer, mid: int, payload: bytes = b"ping!") -> None:
    """One good call on ``peer``; asserts it is answered normally."""
    peer.send(simple_call(mid, "Echo::echo", b"\x00\x00", payload, headers=THRIFT))
    kind, rid, msg = peer.next_event()
    assert (kind, rid) == ("res", mid), (kind, rid, msg)
    assert msg.args == [b"", b"\x00\x00", payload]
    assert msg.code == 0


def fresh_connection_works(server) -> None:
    peer = connect(server)
    try:
        echo_ok(peer, 2)
    finally:
        peer.close()


def expect_fatal_and_close(peer: RawPeer) -> str:
    kind, rid, info = peer.next_event()
    assert (kind, rid) == ("error", wire.NO_ID), (kind, rid, info)
    code, text = info
    assert code == 0xFF
    assert peer.next_event()[0] == "closed"
    return text


# ------------------------------------------------------------------ handshake
@pytest.mark.parametrize("mid", [0, 1, 0xABCDEF, 0xFFFFFFFE])
def test_init_res_echoes_id_version_and_all_headers(server, mid):
    peer = connect(server, handshake=False)
    rid, version, headers = peer.handshake(mid=mid, headers={
        "host_port": "127.0.0.1:5555", "process_name": "cadence[1]",
        "tchannel_language": "go", "tchannel_language_version": "1.22",
        "tchannel_version": "1.34.5"})
    assert rid == mid
    assert version == 2
    assert set(wire.INIT_KEYS) <= set(headers)
    assert all(headers[k] for k in wire.INIT_KEYS)
    assert headers["host_port"] == server.host_port
    echo_ok(peer, mid + 1 if mid < 0xFFFFFFFE else 5)
    peer.close()


def test_java_style_init_with_two_headers_and_id_zero(server):
    peer = connect(server, handshake=False)
    rid, version, headers = peer.handshake(
        mid=0, headers={"host_port": "0.0.0.0:0", "process_name": "java-process"})
    assert (rid, version) == (0, 2)
    assert set(wire.INIT_KEYS) <= set(headers)
    echo_ok(peer, 1)
    peer.close()


def test_newer_protocol_version_is_answered_with_2(server):
    peer = connect(server, handshake=False)
    peer.send(wire.frame(wire.INIT_REQ, 1, wire.init_payload({"host_port": "0.0.0.0:0"},
                                                             version=3)))
    ftype, rid, payload = peer.recv_frame()
    assert (ftype, rid, payload[:2]) == (wire.INIT_RES, 1, b"\x00\x02")
    peer.close()


def test_server_sends_nothing_before_init_req(server):
    peer = connect(server, handshake=False, timeout=0.05)
    with pytest.raises(socket.timeout):
        peer.sock.recv(1)
    peer.sock.settimeout(5)
    rid, version, _ = peer.handshake()
    assert (rid, version) == (1, 2)
    peer.close()


def test_old_protocol_version_is_fatal(server):
    peer = connect(server, handshake=False)
    peer.send(wire.frame(wire.INIT_REQ, 1, wire.init_payload({}, version=1)))
    expect_fatal_and_close(peer)
    fresh_connection_works(server)


def test_garbage_before_init_is_fatal_and_server_survives(server):
    peer = connect(server, handshake=False)
    peer.send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    expect_fatal_and_close(peer)
    fresh_connection_works(server)


def test_call_before_init_is_fatal(server):
    peer = connect(server, handshake=False)
    peer.send(simple_call(1, "Echo::echo", headers=THRIFT))
    text = expect_fatal_and_close(peer)
    assert "init" in text
    fresh_connection_works(server)


def test_hangup_before_and_during_handshake(server):
    peer = connect(server, handshake=False)
    peer.close()
    peer = connect(server, handshake=False)
    peer.send(wire.frame(wire.INIT_REQ, 1, wire.init_payload({}))[:10])
    peer.close()
    fresh_connection_works(server)
    assert wait_until(lambda: len(server._connections) == 0)


def test_second_init_req_after_handshake_is_fatal(server):
    peer = connect(server)
    peer.send(wire.frame(wire.INIT_REQ, 2, wire.init_payload({})))
    expect_fatal_and_close(peer)


# ------------------------------------------------------------------ broken framing
def test_truncated_frame_then_hangup(server):
    peer = connect(server)
    raw = simple_call(2, "Echo::echo", b"\x00\x00", b"x" * 1000, headers=THRIFT)
    peer.send(raw[:500])
    gevent.sleep(0.01)
    peer.close()
    assert wait_until(lambda: len(server._connections) == 0)
    fresh_connection_works(server)


@pytest.mark.parametrize("size", [0, 8, 15])
def test_frame_size_below_16_is_fatal(server, size):
    peer = connect(server)
    peer.send(struct.pack(">HBxI8x", size, 0x03, 2))
    expect_fatal_and_close(peer)
    fresh_connection_works(server)


def test_unknown_frame_type_is_fatal(server):
    peer = connect(server)
    peer.send(wire.frame(0x77, 2, b""))
    expect_fatal_and_close(peer)
    fresh_connection_works(server)


def test_call_frame_with_truncated_head_is_answered(server):
    """A first frame too short to hold its fixed fields."""
    peer = connect(server)
    peer.send(wire.frame(wire.CALL_REQ, 2, b"\x00\x00\x00"))
    kind, rid, info = peer.next_event()
    assert kind == "error"
    # either a per-message error (connection lives on) or a fatal one (connection closes)
    if rid == 2:
        echo_ok(peer, 3)
    else:
        assert rid == wire.NO_ID and info[0] == 0xFF
    fresh_connection_works(server)


# ------------------------------------------------------------------ per-message faults
def test_checksum_mismatch_gets_error_frame_and_connection_lives(server):
    peer = connect(server)
    bad = wire.frame(wire.CALL_REQ, 2, wire.call_req_payload(
        [b"Echo::echo", b"\x00\x00", b"x"], headers=THRIFT, csum_type=1, csum_value=1))
    peer.send(bad)
    kind, rid, (code, _) = peer.next_event()
    assert (kind, rid, code) == ("error", 2, ErrorCode.BAD_REQUEST)
    echo_ok(peer, 3)
    peer.close()


def test_continue_without_start_gets_error_frame(server):
    peer = connect(server)
    peer.send(wire.frame(wire.CALL_REQ_CONT, 9, wire.continue_payload([b"x"])))
    kind, rid, (code, _) = peer.next_event()
    assert (kind, rid, code) == ("error", 9, ErrorCode.BAD_REQUEST)
    echo_ok(peer, 3)
    peer.close()


def _frames_until(peer, mid):
    """All events up to and including the response to ``mid``."""
    events = []
    while True:
        event = peer.next_event()
        events.append(event)
        assert event[0] != "closed"
        if event[1] == mid and event[0] in ("res", "error"):
            return events


def test_oversized_single_frame_message(small_server):
    peer = connect(small_server)
    peer.send(simple_call(2, "Echo::echo", b"\x00\x00", b"x" * 20_000, headers=THRIFT))
    peer.send(simple_call(3, "Echo::echo", b"\x00\x00", b"fine", headers=THRIFT))
    events = _frames_until(peer, 3)
    errors = [e for e in events if e[0] == "error"]
    assert [(e[1], e[2][0]) for e in errors] == [(2, ErrorCode.BAD_REQUEST)]
    assert events[-1][0] == "res" and events[-1][2].args[2] == b"fine"
    peer.close()


def test_oversized_fragmented_message_gets_exactly_one_error(small_server):
    peer = connect(small_server)
    big = encode_message(FrameType.CALL_REQ, 2, call_req_head(5000, "svc", THRIFT),
                         (b"Echo::echo", b"\x00\x00", b"y" * 200_000), ChecksumType.CRC32)
    assert len(big) == 4
    peer.send(b"".join(big))
    peer.send(simple_call(3, "Echo::echo", b"\x00\x00", b"fine", headers=THRIFT))
    events = _frames_until(peer, 3)
    errors = [e for e in events if e[0] == "error"]
    # one error frame for message 2, not one per remaining fragment
    assert [(e[1], e[2][0]) for e in errors] == [(2, ErrorCode.BAD_REQUEST)]
    assert events[-1][0] == "res"
    # nothing else is queued for id 2: the next thing we get is our ping's answer
    peer.send(wire.frame(wire.PING_REQ, 4, b""))
    assert peer.next_event() == ("ping", 4, None)
    peer.close()


def test_bad_fragment_mid_message_gets_exactly_one_error(server):
    peer = connect(server)
    frames = encode_message(FrameType.CALL_REQ, 2, call_req_head(5000, "svc", THRIFT),
                            (b"Echo::echo", b"\x00\x00", b"z" * 200_000), ChecksumType.CRC32)
    bad = bytearray(frames[1])
    bad[-5] ^= 0x55  # corrupt data: checksum mismatch in fragment 2 of 4
    peer.send(frames[0] + bytes(bad) + frames[2] + frames[3])
    peer.send(simple_call(3, "Echo::echo", b"\x00\x00", b"fine", headers=THRIFT))
    events = _frames_until(peer, 3)
    assert [(e[0], e[1]) for e in events] == [("error", 2), ("res", 3)]
    peer.close()


def test_call_with_zero_ttl_is_rejected(server):
    peer = connect(server)
    peer.send(simple_call(2, "Echo::echo", headers=THRIFT, ttl=0))
    kind, rid, (code, _) = peer.next_event()
    assert (kind, rid, code) == ("error", 2, ErrorCode.BAD_REQUEST)
    echo_ok(peer, 3)
    peer.close()


# ------------------------------------------------------------------ ping / cancel
def test_ping(server):
    peer = connect(server)
    for mid in (2, 0, 0xFFFFFFFE):
        peer.send(wire.frame(wire.PING_REQ, mid, b""))
        assert peer.next_event() == ("ping", mid, None)
    peer.close()


def test_cancel_and_claim_are_ignored(server):
    peer = connect(server)
    peer.send(wire.frame(wire.CANCEL, 2, struct.pack(">I", 100) + bytes(25) + b"\x00\x00"))
    peer.send(wire.frame(wire.CLAIM, 3, struct.pack(">I", 100) + bytes(25)))
    echo_ok(peer, 4)
    peer.close()


def test_client_ping(client):
    client.connect().ping(timeout=2)


# ------------------------------------------------------------------ handler behaviour
def test_ttl_expiry_gives_timeout_error_and_no_late_response(server, echo_handler):
    peer = connect(server)
    peer.send(simple_call(2, "Echo::gated", headers=THRIFT, ttl=50))
    kind, rid, (code, _) = peer.next_event()
    assert (kind, rid, code) == ("error", 2, ErrorCode.TIMEOUT)
    echo_handler.gate.set()
    assert echo_handler.gated_done.wait(2)
    gevent.sleep(0)
    peer.send(wire.frame(wire.PING_REQ, 3, b""))
    assert peer.next_event() == ("ping", 3, None)  # the late result was dropped
    echo_ok(peer, 4)
    peer.close()


def test_ttl_expiry_via_client(client, echo_handler):
    with pytest.raises(TChannelError) as info:
        client.call("svc", "Echo::gated", b"\x00\x00", b"", ttl_ms=30)
    assert info.value.code == ErrorCode.TIMEOUT
    echo_handler.gate.set()
    assert client.call("svc", "Echo::echo", b"\x00\x00", b"after").arg3 == b"after"


def test_handler_exception_gives_unexpected_error_and_connection_lives(server):
    peer = connect(server)
    peer.send(simple_call(2, "Echo::boom", headers=THRIFT))
    kind, rid, (code, text) = peer.next_event()
    assert (kind, rid, code) == ("error", 2, ErrorCode.UNEXPECTED)
    assert "boom" in text
    echo_ok(peer, 3)
    peer.close()


def test_handler_tchannel_error_code_is_passed_through(client):
    with pytest.raises(TChannelError) as info:
        client.call("svc", "Echo::busy", b"\x00\x00", b"")
    assert info.value.code == ErrorCode.BUSY
    assert client.call("svc", "Echo::echo", b"\x00\x00", b"ok").arg3 == b"ok"


def test_peer_hangs_up_mid_call(server, echo_handler):
    peer = connect(server)
    peer.send(simple_call(2, "Echo::gated", headers=THRIFT))
    assert echo_handler.started.wait(2)
    peer.close()
    other = connect(server)
    echo_ok(other, 2)
    echo_handler.gate.set()  # the handler finishes and writes to a dead connection
    assert echo_handler.gated_done.wait(2)
    echo_ok(other, 3)
    other.close()
    assert wait_until(lambda: server._active_calls == 0 and not server._connections)


def test_peer_hangs_up_mid_message(server):
    peer = connect(server)
    frames = encode_message(FrameType.CALL_REQ, 2, call_req_head(5000, "svc", THRIFT),
                            (b"Echo::echo", b"\x00\x00", b"w" * 100_000))
    peer.send(frames[0])
    peer.close()
    fresh_connection_works(server)


def test_response_headers_have_as_thrift(server):
    peer = connect(server)
    cases = [
        simple_call(2, "Echo::echo", headers={"as": "thrift", "cn": "x"}),
        simple_call(3, "Echo::echo", headers={"cn": "x"}),           # no "as" at all
        simple_call(4, "Echo::appError", headers={"as": "thrift", "cn": "x"}),
        simple_call(5, "WorkflowService::RegisterDomain", headers={"as": "thrift", "cn": "x"}),
    ]
    for raw in cases:
        peer.send(raw)
    got = {}
    for _ in cases:
        kind, rid, msg = peer.next_event()
        assert kind == "res"
        got[rid] = msg
    for rid, msg in got.items():
        assert msg.headers.get("as") == "thrift", rid
        assert msg.args[0] == b""
    assert got[4].code == 1
    peer.close()


# ------------------------------------------------------------------ thrift over the wire
def _thrift_call(peer, mid, method, args_struct, headers=THRIFT):
    peer.send(simple_call(mid, f"WorkflowService::{method}", b"\x00\x00",
                          encode(args_struct), headers=headers))
    return peer.next_event()


def test_dispatcher_responses_arg2_never_empty(server):
    ws = idl.workflow_service().WorkflowService
    shared = idl.shared()
    peer = connect(server)
    calls = [
        ("DescribeDomain", ws.DescribeDomain_args(shared.DescribeDomainRequest(name="d")), 0),
        ("DescribeDomain", ws.DescribeDomain_args(
            shared.DescribeDomainRequest(name="missing")), 1),
        ("RegisterDomain", ws.RegisterDomain_args(shared.RegisterDomainRequest(name="d")), 0),
        ("ResetStickyTaskList", ws.ResetStickyTaskList_args(
            shared.ResetStickyTaskListRequest(domain="d")), 0),
    ]
    for mid, (method, args, code) in enumerate(calls, start=2):
        kind, rid, msg = _thrift_call(peer, mid, method, args)
        assert (kind, rid) == ("res", mid), msg
        assert msg.code == code
        assert msg.headers["as"] == "thrift"
        assert msg.args[0] == b""
        assert len(msg.args[1]) >= 2 and msg.args[1][:2] == b"\x00\x00"
        assert len(msg.args[2]) >= 1
        result = decode(getattr(ws, f"{method}_result")(), msg.args[2])
        if method == "DescribeDomain" and code == 0:
            assert result.success.domainInfo.name == "d"
        if code == 1:
            assert result.entityNotExistError.activeClusters == []
        if method == "RegisterDomain":
            assert msg.args[2] == b"\x00"
        if method == "ResetStickyTaskList":
            assert msg.args[2] == b"\x0c\x00\x00\x00\x00"
    peer.close()


@pytest.mark.parametrize("scheme", ["json", "raw", ""])
def test_unknown_arg_scheme_is_bad_request(server, scheme):
    ws = idl.workflow_service().WorkflowService
    peer = connect(server)
    args = ws.RegisterDomain_args(idl.shared().RegisterDomainRequest(name="d"))
    kind, rid, info = _thrift_call(peer, 2, "RegisterDomain", args,
                                   headers={"as": scheme, "cn": "x"})
    assert (kind, rid, info[0]) == ("error", 2, ErrorCode.BAD_REQUEST)
    echo_ok(peer, 3)
    peer.close()


def test_unknown_procedure_is_bad_request(server):
    peer = connect(server)
    peer.send(simple_call(2, "WorkflowService::NoSuchMethod", headers=THRIFT))
    kind, rid, (code, text) = peer.next_event()
    assert (kind, rid, code) == ("error", 2, ErrorCode.BAD_REQUEST)
    assert "NoSuchMethod" in text
    peer.close()


def test_huge_declared_thrift_string_is_rejected_quickly(server):
    """arg3 claiming a 2 GiB string must not make the server allocate it."""
    peer = connect(server)
    arg3 = b"\x0c\x00\x01\x0b\x00\x01\x7f\xff\xff\xf0" + b"x" * 8
    peer.send(simple_call(2, "WorkflowService::DescribeDomain", b"\x00\x00", arg3,
                          headers=THRIFT))
    with gevent.Timeout(2):
        kind, rid, (code, _) = peer.next_event()
    assert (kind, rid, code) == ("error", 2, ErrorCode.BAD_REQUEST)
    peer.close()


# ------------------------------------------------------------------ concurrency & size
def test_100_concurrent_calls_on_one_raw_connection_answered_out_of_order(server):
    peer = connect(server)
    ids = list(range(10, 110))
    # earlier calls wait longer, so the answers come back in a different order
    burst = b"".join(simple_call(mid, "Echo::delay", b"\x00\x00",
                                 str((110 - mid) // 4).encode(), headers=THRIFT)
                     for mid in ids)
    peer.send(burst)
    order = []
    for _ in ids:
        kind, rid, msg = peer.next_event()
        assert kind == "res"
        assert msg.args[2] == str((110 - rid) // 4).encode()
        order.append(rid)
    assert sorted(order) == ids
    assert order != ids
    echo_ok(peer, 200)
    peer.close()


def test_100_concurrent_calls_through_client(client):
    rng = random.Random(5)
    payloads = [rng.randbytes(rng.choice([1, 100, 70_000])) for _ in range(100)]

    def one(i):
        if i % 2:
            return client.call("svc", "Echo::delay", b"\x00\x00", str(i % 7).encode()).arg3
        return client.call("svc", "Echo::echo", b"\x00\x00", payloads[i]).arg3

    jobs = [gevent.spawn(one, i) for i in range(100)]
    gevent.joinall(jobs, raise_error=True)
    for i, job in enumerate(jobs):
        assert job.value == (str(i % 7).encode() if i % 2 else payloads[i])


@pytest.mark.parametrize("csum_type", [ChecksumType.NONE, ChecksumType.CRC32])
def test_5mb_request_and_5mb_response(client, csum_type):
    blob = random.Random(9).randbytes(5 * 1024 * 1024)
    response = client.call("svc", "Echo::echo", b"\x00\x00", blob, csum_type=csum_type,
                           ttl_ms=10_000)
    assert response.arg3 == blob
    assert response.headers["as"] == "thrift"


def test_5mb_response_frames_are_well_formed(server):
    """Check the server's fragmentation of a big response with the spec reader."""
    size = 5 * 1024 * 1024 + 3
    peer = connect(server)
    peer.send(simple_call(2, "Echo::big", b"\x00\x00", str(size).encode(), headers=THRIFT))
    kind, rid, msg = peer.next_event()
    assert (kind, rid) == ("res", 2)
    assert len(msg.args[2]) == size
    assert msg.args[2][:512] == bytes(range(256)) * 2
    assert len(msg.frames) > size // 65535
    assert [f.flags for f in msg.frames] == [1] * (len(msg.frames) - 1) + [0]
    assert all(f.csum_type == msg.frames[0].csum_type for f in msg.frames)
    peer.close()


def test_crc32c_request(client):
    blob = random.Random(4).randbytes(100_000)
    assert client.call("svc", "Echo::echo", b"\x00\x00", blob,
                       csum_type=ChecksumType.CRC32C).arg3 == blob


def test_go_style_request_with_crc32_fragments(server):
    """A request fragmented by hand the way tchannel-go does, CRC-32 running over frames."""
    peer = connect(server)
    arg3 = random.Random(2).randbytes(150_000)
    args = (b"Echo::echo", b"\x00\x00", arg3)
    cuts = [(0, 60_000), (60_000, 120_000), (120_000, 150_000)]
    running = zlib.crc32(args[0] + args[1] + arg3[:60_000])
    raws = [wire.frame(wire.CALL_REQ, 2, wire.call_req_payload(
        [args[0], args[1], arg3[:60_000]], flags=1, headers=THRIFT, csum_type=1,
        csum_value=running))]
    for i, (a, b) in enumerate(cuts[1:], start=1):
        running = zlib.crc32(arg3[a:b], running)
        raws.append(wire.frame(wire.CALL_REQ_CONT, 2, wire.continue_payload(
            [arg3[a:b]], flags=1 if i < len(cuts) - 1 else 0, csum_type=1,
            csum_value=running)))
    peer.send(b"".join(raws))
    kind, rid, msg = peer.next_event()
    assert (kind, rid) == ("res", 2)
    assert msg.args[2] == arg3
    peer.close()


def test_client_against_closed_server_fails_cleanly(server):
    host, port = server.address
    c = TChannelClient(host, port)
    assert c.call("svc", "Echo::echo", b"\x00\x00", b"1").arg3 == b"1"
    server.stop(grace=0.5)
    with pytest.raises((TChannelError, OSError)):
        c.call("svc", "Echo::echo", b"\x00\x00", b"2", ttl_ms=500)
    c.close()


def test_stop_waits_for_running_calls(server, echo_handler):
    host, port = server.address
    c = TChannelClient(host, port)
    job = gevent.spawn(c.call, "svc", "Echo::delay", b"\x00\x00", b"100")
    assert wait_until(lambda: server._active_calls == 1)
    server.stop(grace=2)
    assert job.get(timeout=2).arg3 == b"100"
    c.close()
