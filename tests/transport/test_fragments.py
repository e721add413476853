"""Splitting call messages into frames and putting them back together."""

from __future__ import annotations

import random
import struct
import zlib

import pytest

from cadence_py.transport.checksum import ChecksumType
from cadence_py.transport.errors import ErrorCode, ProtocolError
from cadence_py.transport.fragments import Reassembler, encode_message
from cadence_py.transport.frames import MAX_PAYLOAD, FrameDecoder, FrameType
from cadence_py.transport.messages import call_req_head, call_res_head
from tests.transport import wire

# Reference §1.11: CLI-style DescribeDomain call req with CRC-32.
WORKED_EXAMPLE = bytes.fromhex("""
00 bc 03 00 00 00 00 02 00 00 00 00 00 00 00 00
00 00 00 13 88 00 00 00 00 00 00 00 00 00 00 00
00 00 00 00 00 00 00 00 00 00 00 00 00 00 10 63
61 64 65 6e 63 65 2d 66 72 6f 6e 74 65 6e 64 02
02 61 73 06 74 68 72 69 66 74 02 63 6e 0e 63 61
64 65 6e 63 65 2d 63 6c 69 65 6e 74 01 72 8b 34
68 00 1f 57 6f 72 6b 66 6c 6f 77 53 65 72 76 69
63 65 3a 3a 44 65 73 63 72 69 62 65 44 6f 6d 61
69 6e 00 1c 00 01 00 13 63 61 64 65 6e 63 65 2d
63 6c 69 65 6e 74 2d 6e 61 6d 65 00 03 63 6c 69
00 1a 0c 00 01 0b 00 0a 00 00 00 0e 73 61 6d 70
6c 65 73 2d 64 6f 6d 61 69 6e 00 00""")
WORKED_ARG3 = bytes.fromhex("0c00010b000a0000000e") + b"samples-domain" + b"\x00\x00"
WORKED_ARG2 = b"\x00\x01\x00\x13cadence-client-name\x00\x03cli"

REQ_HEAD = call_req_head(5000, "cadence-frontend", {"as": "thrift", "cn": "cadence-client"})
RES_HEAD = call_res_head(0, {"as": "thrift"})


def feed_all(reassembler: Reassembler, frames: list[bytes]):
    """Run frames through FrameDecoder + Reassembler; return the completed messages."""
    decoder = FrameDecoder()
    done = []
    for f in decoder.feed(b"".join(frames)):
        msg = reassembler.feed(f.type, f.id, f.payload)
        if msg is not None:
            done.append(msg)
    assert decoder.pending == 0
    return done


def roundtrip(args, csum_type=ChecksumType.CRC32, first=FrameType.CALL_REQ, mid=7):
    head = REQ_HEAD if first == FrameType.CALL_REQ else RES_HEAD
    frames = encode_message(first, mid, head, args, csum_type)
    for raw in frames:
        assert len(raw) <= 0xFFFF
    (msg,) = feed_all(Reassembler(first), frames)
    assert msg.id == mid
    assert msg.args == tuple(args)
    # the independent spec reader agrees, including the running checksums and flags
    spec = wire.assemble(frames)
    assert spec.args == list(args)
    assert all(pf.csum_type == int(csum_type) for pf in spec.frames)
    return frames, msg


# ------------------------------------------------------------------ worked example
def test_worked_example_decodes():
    assert len(WORKED_EXAMPLE) == 0xBC
    assert zlib.crc32(b"WorkflowService::DescribeDomain" + WORKED_ARG2 + WORKED_ARG3) \
        == 0x728B3468
    (frame,) = FrameDecoder().feed(WORKED_EXAMPLE)
    assert (frame.type, frame.id) == (FrameType.CALL_REQ, 2)
    msg = Reassembler(FrameType.CALL_REQ).feed(frame.type, frame.id, frame.payload)
    assert msg is not None
    assert msg.meta.service == "cadence-frontend"
    assert msg.meta.ttl_ms == 5000
    assert msg.meta.flags == 0
    assert msg.meta.tracing == bytes(25)
    assert msg.meta.headers == {"as": "thrift", "cn": "cadence-client"}
    assert msg.args == (b"WorkflowService::DescribeDomain", WORKED_ARG2, WORKED_ARG3)


def test_worked_example_reencodes_byte_identically():
    frames = encode_message(FrameType.CALL_REQ, 2, REQ_HEAD,
                            (b"WorkflowService::DescribeDomain", WORKED_ARG2, WORKED_ARG3),
                            ChecksumType.CRC32)
    assert frames == [WORKED_EXAMPLE]
    assert frames[0][0x5D:0x61] == bytes.fromhex("728b3468")


def test_worked_example_with_bad_checksum_is_rejected():
    bad = bytearray(WORKED_EXAMPLE)
    bad[0x60] ^= 0x01
    (frame,) = FrameDecoder().feed(bytes(bad))
    with pytest.raises(ProtocolError) as info:
        Reassembler(FrameType.CALL_REQ).feed(frame.type, frame.id, frame.payload)
    assert info.value.message_id == 2
    assert info.value.code == ErrorCode.BAD_REQUEST


def test_void_response_example():
    """§1.11: void success has arg3 = one STOP byte; arg1 empty; arg2 = 00 00."""
    frames = encode_message(FrameType.CALL_RES, 2, RES_HEAD, (b"", b"\x00\x00", b"\x00"))
    assert len(frames) == 1
    tail = frames[0][-10:]  # csumtype, arg1, arg2, arg3
    assert tail == b"\x00" + b"\x00\x00" + b"\x00\x02\x00\x00" + b"\x00\x01\x00"


# ------------------------------------------------------------------ round trips
# Sizes around the room in one frame: the first frame has 65519 - 1 - len(head) - 1 - csum
# bytes for chunks.
ROOM_CRC = MAX_PAYLOAD - 1 - len(REQ_HEAD) - 1 - 4
ROOM_NONE = MAX_PAYLOAD - 1 - len(REQ_HEAD) - 1
CONT_ROOM_CRC = MAX_PAYLOAD - 2 - 4


@pytest.mark.parametrize("csum_type", [ChecksumType.NONE, ChecksumType.CRC32])
@pytest.mark.parametrize("position,size", [
    (position, size)
    for position in (0, 1, 2)
    for size in (0, 1, 2, 3, 1000, 16_384, 65_519, 200_000, 3_000_000)
    if position > 0 or size <= 16 * 1024  # arg1 is limited to 16 KiB (test_arg1_limit)
])
def test_roundtrip_sizes(size, position, csum_type):
    rng = random.Random(size * 7 + position)
    big = rng.randbytes(size)
    args = [b"Svc::m", b"\x00\x00", b"\x00"]
    args[position] = big
    frames, _ = roundtrip(tuple(args), csum_type)
    total = sum(len(a) for a in args)
    assert len(frames) >= 1 + total // MAX_PAYLOAD


@pytest.mark.parametrize("csum_type", [ChecksumType.NONE, ChecksumType.CRC32])
def test_roundtrip_every_size_near_the_frame_boundary(csum_type):
    room = ROOM_CRC if csum_type == ChecksumType.CRC32 else ROOM_NONE
    rng = random.Random(1)
    blob = rng.randbytes(room + 200)
    # arg1 = 6 bytes, arg2 = 2 bytes => arg3 fills the first frame at n = room - 14
    for n in list(range(65_400, 65_531)) + list(range(room - 20, room + 5)):
        for position in (1, 2):
            args = [b"Svc::m", b"\x00\x00", b"\x00"]
            args[position] = blob[:n]
            roundtrip(tuple(args), csum_type)


def _first_frame_room(csum_type):
    return ROOM_CRC if csum_type == ChecksumType.CRC32 else ROOM_NONE


@pytest.mark.parametrize("csum_type", [ChecksumType.NONE, ChecksumType.CRC32])
def test_arg_ending_exactly_at_frame_end_starts_next_frame_with_empty_chunk(csum_type):
    room = _first_frame_room(csum_type)
    arg1 = b"WorkflowService::Echo"
    arg2 = b"A" * (room - (2 + len(arg1)) - 2)  # arg2's chunk ends on the last byte
    arg3 = b"hello"
    frames, _ = roundtrip((arg1, arg2, arg3), csum_type)
    assert len(frames) == 2
    assert len(frames[0]) == 0xFFFF
    first = wire.parse_call_frame(*wire.split_frames(frames[0])[0][::2])
    second = wire.parse_call_frame(*wire.split_frames(frames[1])[0][::2])
    assert first.flags == 1 and first.chunks == [arg1, arg2]
    assert wire.split_frames(frames[1])[0][0] == wire.CALL_REQ_CONT
    assert second.flags == 0 and second.chunks == [b"", arg3]
    if csum_type == ChecksumType.CRC32:
        assert first.csum == zlib.crc32(arg1 + arg2)
        assert second.csum == zlib.crc32(arg1 + arg2 + arg3)


@pytest.mark.parametrize("left", [0, 1, 2])
def test_tiny_room_left_never_starts_a_data_chunk(left):
    """With <3 bytes of room a non-empty chunk cannot start: next frame opens with an empty
    chunk closing arg2; with exactly 2 bytes left an empty arg3 still fits."""
    room = ROOM_CRC
    arg1 = b"Svc::m"
    arg2 = b"B" * (room - (2 + len(arg1)) - 2 - left)
    frames, _ = roundtrip((arg1, arg2, b"xyz"))
    assert len(frames) == 2
    second = wire.parse_call_frame(wire.CALL_REQ_CONT, wire.split_frames(frames[1])[0][2])
    assert second.chunks == [b"", b"xyz"]

    frames, _ = roundtrip((arg1, arg2, b""))
    if left == 2:
        assert len(frames) == 1
        first = wire.parse_call_frame(wire.CALL_REQ, wire.split_frames(frames[0])[0][2])
        assert first.chunks == [arg1, arg2, b""]
    else:
        assert len(frames) == 2
        second = wire.parse_call_frame(wire.CALL_REQ_CONT, wire.split_frames(frames[1])[0][2])
        assert second.chunks == [b"", b""]


def test_cut_argument_continues_in_next_frame_without_empty_chunk():
    arg3 = bytes(range(256)) * 600  # 153,600 bytes: three frames
    frames, _ = roundtrip((b"Svc::m", b"\x00\x00", arg3))
    assert len(frames) == 3
    parsed = [wire.parse_call_frame(t, p) for t, _, p in
              (wire.split_frames(f)[0] for f in frames)]
    assert [p.flags for p in parsed] == [1, 1, 0]
    assert len(parsed[0].chunks) == 3
    assert len(parsed[1].chunks) == 1 and len(parsed[1].chunks[0]) == CONT_ROOM_CRC - 2
    assert len(parsed[2].chunks) == 1
    assert parsed[0].chunks[2] + parsed[1].chunks[0] + parsed[2].chunks[0] == arg3


def test_response_frames_use_res_types():
    frames, msg = roundtrip((b"", b"\x00\x00", b"r" * 100_000), ChecksumType.NONE,
                            first=FrameType.CALL_RES)
    types = [wire.split_frames(f)[0][0] for f in frames]
    assert types == [wire.CALL_RES, wire.CALL_RES_CONT]
    assert msg.meta.headers == {"as": "thrift"}


def test_crc32c_roundtrip():
    args = (b"Svc::m", b"\x00\x00", random.Random(3).randbytes(70_000))
    roundtrip(args, ChecksumType.CRC32C)


def test_reassembler_accepts_other_writers_fragmentation():
    """A writer may split anywhere (e.g. tchannel-go leaves a little room unused): args
    spanning several frames, empty continuation chunks, frames holding only a piece."""
    a1, a2, a3 = b"Svc::method", b"\x00\x01\x00\x01k\x00\x01v", b"0123456789" * 10
    pieces = [
        ([a1[:4]], 1),              # arg1 split over three frames
        ([a1[4:8]], 1),
        ([a1[8:], a2[:3]], 1),      # rest of arg1, start of arg2
        ([a2[3:]], 1),              # rest of arg2 ends exactly at frame end
        ([b"", a3[:50]], 1),        # empty chunk closes arg2, arg3 starts
        ([b""], 1),                 # empty continuation of arg3
        ([a3[50:]], 0),
    ]
    running, raws = 0, []
    for i, (chunks, flags) in enumerate(pieces):
        for c in chunks:
            running = zlib.crc32(c, running)
        if i == 0:
            payload = wire.call_req_payload(chunks, flags=flags, csum_type=1,
                                            csum_value=running)
            raws.append(wire.frame(wire.CALL_REQ, 5, payload))
        else:
            raws.append(wire.frame(wire.CALL_REQ_CONT, 5, wire.continue_payload(
                chunks, flags=flags, csum_type=1, csum_value=running)))
    (msg,) = feed_all(Reassembler(FrameType.CALL_REQ), raws)
    assert msg.args == (a1, a2, a3)


def test_interleaved_messages():
    rng = random.Random(11)
    a = (b"Svc::a", b"\x00\x00", rng.randbytes(300_000))
    b = (b"Svc::b", b"\x00\x00", rng.randbytes(150_000))
    c = (b"Svc::c", b"\x00\x00", b"small")
    fa = encode_message(FrameType.CALL_REQ, 100, REQ_HEAD, a, ChecksumType.CRC32)
    fb = encode_message(FrameType.CALL_REQ, 101, REQ_HEAD, b, ChecksumType.NONE)
    fc = encode_message(FrameType.CALL_REQ, 102, REQ_HEAD, c, ChecksumType.CRC32)
    order = [fa[0], fb[0], fa[1], fc[0], fb[1], fa[2], fa[3], fb[2], fa[4]]
    assert len(fa) == 5 and len(fb) == 3
    reassembler = Reassembler(FrameType.CALL_REQ)
    done = feed_all(reassembler, order)
    assert [m.id for m in done] == [102, 101, 100]
    assert {m.id: m.args for m in done} == {100: a, 101: b, 102: c}
    assert len(reassembler) == 0


# ------------------------------------------------------------------ faults
def _first(chunks, mid=9, **kw):
    frame = wire.frame(wire.CALL_REQ, mid, wire.call_req_payload(chunks, **kw))
    ((t, i, p),) = wire.split_frames(frame)
    return t, i, p


def test_checksum_mismatch_names_the_message():
    r = Reassembler(FrameType.CALL_REQ)
    with pytest.raises(ProtocolError) as info:
        r.feed(*_first([b"m", b"", b"x"], mid=42, csum_type=1, csum_value=0xDEADBEEF))
    assert info.value.message_id == 42
    assert info.value.code == ErrorCode.BAD_REQUEST
    assert len(r) == 0


def test_checksum_mismatch_in_continue_frame():
    args = (b"Svc::m", b"\x00\x00", b"q" * 100_000)
    frames = encode_message(FrameType.CALL_REQ, 8, REQ_HEAD, args, ChecksumType.CRC32)
    bad = bytearray(frames[1])
    bad[-1] ^= 0xFF  # corrupt data in the continue frame
    r = Reassembler(FrameType.CALL_REQ)
    (f0,) = FrameDecoder().feed(frames[0])
    assert r.feed(f0.type, f0.id, f0.payload) is None
    (f1,) = FrameDecoder().feed(bytes(bad))
    with pytest.raises(ProtocolError) as info:
        r.feed(f1.type, f1.id, f1.payload)
    assert info.value.message_id == 8
    assert len(r) == 0


def test_crc32c_mismatch_detected():
    r = Reassembler(FrameType.CALL_REQ)
    with pytest.raises(ProtocolError) as info:
        r.feed(*_first([b"m", b"", b"x"], mid=3, csum_type=3, csum_value=1))
    assert info.value.message_id == 3


def test_unverifiable_farmhash_is_accepted():
    r = Reassembler(FrameType.CALL_REQ)
    msg = r.feed(*_first([b"m", b"", b"x"], csum_type=2, csum_value=12345))
    assert msg is not None and msg.args == (b"m", b"", b"x")


def test_verification_can_be_disabled():
    r = Reassembler(FrameType.CALL_REQ, verify_checksums=False)
    msg = r.feed(*_first([b"m", b"", b"x"], csum_type=1, csum_value=1))
    assert msg is not None


def test_unknown_checksum_type():
    r = Reassembler(FrameType.CALL_REQ)
    payload = wire.call_req_payload([b"m", b"", b"x"])
    payload = payload.replace(b"\x00\x00\x01m", b"\x07\x00\x01m")  # csumtype 0 -> 7
    with pytest.raises(ProtocolError) as info:
        r.feed(wire.CALL_REQ, 4, payload)
    assert info.value.message_id == 4


def test_continue_without_start():
    r = Reassembler(FrameType.CALL_REQ)
    with pytest.raises(ProtocolError) as info:
        r.feed(wire.CALL_REQ_CONT, 77, wire.continue_payload([b"x"]))
    assert info.value.message_id == 77
    assert info.value.code != ErrorCode.FATAL


def test_more_than_three_args():
    r = Reassembler(FrameType.CALL_REQ)
    with pytest.raises(ProtocolError) as info:
        r.feed(*_first([b"m", b"", b"x", b"extra"], mid=5))
    assert info.value.message_id == 5
    # also when the 4th arg arrives in a continue frame
    r.feed(*_first([b"m", b"", b"x"], mid=6, flags=1))
    with pytest.raises(ProtocolError):
        r.feed(wire.CALL_REQ_CONT, 6, wire.continue_payload([b"x", b"y"]))
    assert len(r) == 0


@pytest.mark.parametrize("chunks", [[], [b"m"], [b"m", b""]])
def test_fewer_than_three_args(chunks):
    with pytest.raises(ProtocolError) as info:
        Reassembler(FrameType.CALL_REQ).feed(*_first(chunks, mid=12))
    assert info.value.message_id == 12


def test_checksum_type_change_mid_message():
    r = Reassembler(FrameType.CALL_REQ)
    assert r.feed(*_first([b"m", b"", b"x"], mid=20, flags=1, csum_type=1)) is None
    with pytest.raises(ProtocolError) as info:
        r.feed(wire.CALL_REQ_CONT, 20, wire.continue_payload([b"y"], csum_type=0))
    assert info.value.message_id == 20
    assert len(r) == 0


def test_stray_byte_after_last_chunk():
    r = Reassembler(FrameType.CALL_REQ)
    payload = wire.call_req_payload([b"m", b"", b"x"]) + b"\x00"
    with pytest.raises(ProtocolError) as info:
        r.feed(wire.CALL_REQ, 30, payload)
    assert info.value.message_id == 30


def test_chunk_length_beyond_frame():
    payload = wire.call_req_payload([b"m", b"", b"x"])[:-1]  # last chunk claims 1, has 0
    with pytest.raises(ProtocolError) as info:
        Reassembler(FrameType.CALL_REQ).feed(wire.CALL_REQ, 31, payload)
    assert info.value.message_id == 31


def test_truncated_first_frame_head():
    payload = wire.call_req_payload([b"m", b"", b"x"])
    for cut in (0, 1, 5, 30, 46):
        with pytest.raises(ProtocolError):
            Reassembler(FrameType.CALL_REQ).feed(wire.CALL_REQ, 1, payload[:cut])


def test_duplicate_message_id():
    r = Reassembler(FrameType.CALL_REQ)
    r.feed(*_first([b"m", b"", b"x"], mid=50, flags=1))
    with pytest.raises(ProtocolError) as info:
        r.feed(*_first([b"m", b"", b"x"], mid=50))
    assert info.value.message_id == 50


def test_wrong_direction_frame_is_fatal():
    r = Reassembler(FrameType.CALL_REQ)
    with pytest.raises(ProtocolError) as info:
        r.feed(wire.CALL_RES, 1, b"")
    assert info.value.code == ErrorCode.FATAL


def test_message_size_limit():
    r = Reassembler(FrameType.CALL_REQ, max_message_size=1000)
    with pytest.raises(ProtocolError) as info:
        r.feed(*_first([b"m", b"", b"x" * 1001], mid=60))
    assert info.value.message_id == 60
    assert r.feed(*_first([b"m", b"", b"x" * 900], mid=61)) is not None


def test_pending_limit():
    r = Reassembler(FrameType.CALL_REQ, max_pending=3)
    for mid in range(3):
        r.feed(*_first([b"m"], mid=mid, flags=1))
    with pytest.raises(ProtocolError) as info:
        r.feed(*_first([b"m"], mid=99, flags=1))
    assert info.value.message_id == 99 and info.value.code == ErrorCode.BUSY
    r.discard(0)
    assert len(r) == 2


def test_arg1_limit():
    with pytest.raises(ProtocolError):
        Reassembler(FrameType.CALL_REQ).feed(*_first([b"m" * (16 * 1024 + 1), b"", b""]))


def test_fault_does_not_disturb_other_messages():
    r = Reassembler(FrameType.CALL_REQ)
    assert r.feed(*_first([b"m", b"", b"abc"], mid=1, flags=1, csum_type=1)) is None
    with pytest.raises(ProtocolError):
        r.feed(*_first([b"m", b"", b"x"], mid=2, csum_type=1, csum_value=5))
    running = zlib.crc32(b"mabcdef")
    msg = r.feed(wire.CALL_REQ_CONT, 1, wire.continue_payload([b"def"], csum_type=1,
                                                              csum_value=running))
    assert msg is not None and msg.args == (b"m", b"", b"abcdef")


def test_encode_message_refuses_oversized_head():
    head = call_req_head(1000, "s" * 255, {f"k{i:03}": "v" * 255 for i in range(250)})
    with pytest.raises(ValueError):
        encode_message(FrameType.CALL_REQ, 1, head, (b"", b"", b""))


def test_frame_payload_struct_sanity():
    """Encoded frames carry flags, the fixed head, csumtype and csum in that order."""
    (raw,) = encode_message(FrameType.CALL_RES, 3, call_res_head(1, {"as": "thrift"}),
                            (b"", b"\x00\x00", b"\x00"), ChecksumType.CRC32)
    ((ftype, mid, payload),) = wire.split_frames(raw)
    pf = wire.parse_call_frame(ftype, payload)
    assert (ftype, mid, pf.flags, pf.code) == (wire.CALL_RES, 3, 0, 1)
    assert pf.headers == {"as": "thrift"} and pf.tracing == bytes(25)
    assert pf.csum == zlib.crc32(b"\x00\x00\x00")
    assert struct.unpack(">H", raw[:2])[0] == len(raw)


def test_rejected_message_remaining_fragments_are_dropped_silently():
    """After a fault in a fragment that says more follow, the rest of that message is
    swallowed (the peer already has its one error frame); then the id is free again."""
    r = Reassembler(FrameType.CALL_REQ, max_message_size=1000)
    with pytest.raises(ProtocolError) as info:
        r.feed(*_first([b"m", b"", b"x" * 2000], mid=70, flags=1))
    assert info.value.message_id == 70
    assert r.feed(wire.CALL_REQ_CONT, 70, wire.continue_payload([b"y"], flags=1)) is None
    assert r.feed(wire.CALL_REQ_CONT, 70, wire.continue_payload([b"y"], flags=0)) is None
    assert len(r) == 0
    # the message is over: another continue for it is an error again
    with pytest.raises(ProtocolError):
        r.feed(wire.CALL_REQ_CONT, 70, wire.continue_payload([b"y"]))
    # and the id can start a new message
    assert r.feed(*_first([b"m", b"", b"ok"], mid=70)).args == (b"m", b"", b"ok")


def test_fault_in_last_fragment_leaves_nothing_behind():
    r = Reassembler(FrameType.CALL_REQ)
    with pytest.raises(ProtocolError):
        r.feed(*_first([b"m", b"", b"x"], mid=71, csum_type=1, csum_value=3))
    with pytest.raises(ProtocolError):  # not silently swallowed: nothing was dropped
        r.feed(wire.CALL_REQ_CONT, 71, wire.continue_payload([b"y"]))


def test_new_first_frame_reuses_a_dropped_id():
    r = Reassembler(FrameType.CALL_REQ)
    with pytest.raises(ProtocolError):
        r.feed(*_first([b"m", b"", b"x"], mid=72, flags=1, csum_type=1, csum_value=3))
    # the peer gave up on the old message and starts over with the same id
    assert r.feed(*_first([b"m", b"", b"x"], mid=72, flags=1)) is None
    msg = r.feed(wire.CALL_REQ_CONT, 72, wire.continue_payload([b"z"]))
    assert msg is not None and msg.args == (b"m", b"", b"xz")


def test_buffered_bytes_are_bounded_and_released() -> None:
    from cadence_py.transport.fragments import Reassembler, encode_message
    from cadence_py.transport.frames import FrameDecoder, FrameType
    from cadence_py.transport.messages import call_req_head
    from cadence_py.transport.errors import ErrorCode, ProtocolError

    head = call_req_head(1000, "svc", {"as": "thrift"})
    big = encode_message(FrameType.CALL_REQ, 7, head, (b"m", b"", b"x" * 200_000))
    frames = FrameDecoder().feed(b"".join(big))
    reassembler = Reassembler(FrameType.CALL_REQ, max_buffered=100_000)
    reassembler.feed(frames[0].type, frames[0].id, frames[0].payload)
    assert 0 < reassembler.buffered < 100_000
    try:
        for frame in frames[1:]:
            reassembler.feed(frame.type, frame.id, frame.payload)
        raise AssertionError("expected the buffer bound to trip")
    except ProtocolError as exc:
        assert exc.code == ErrorCode.BUSY and exc.message_id == 7
    assert reassembler.buffered == 0

    ok = Reassembler(FrameType.CALL_REQ)
    for frame in frames:
        ok.feed(frame.type, frame.id, frame.payload)
    assert ok.buffered == 0
