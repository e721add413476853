"""Property-based tests of FrameDecoder + Reassembler: exact round trips under arbitrary
arguments, checksum types, interleaving and recv() chunking; garbage never escapes as
anything but ValueError / ProtocolError."""

from __future__ import annotations

import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cadence_py.transport.checksum import ChecksumType
from cadence_py.transport.errors import ProtocolError
from cadence_py.transport.fragments import Reassembler, encode_message
from cadence_py.transport.frames import MAX_PAYLOAD, FrameDecoder, FrameType
from cadence_py.transport.messages import call_req_head, call_res_head
from tests.transport import wire

# derandomize: the same examples on every run (the brief asks for deterministic tests);
# database=None: no .hypothesis/ folder in the work tree.
DETERMINISTIC = settings(derandomize=True, database=None, deadline=None,
                         suppress_health_check=[HealthCheck.too_slow,
                                                HealthCheck.data_too_large])

HEAD_ROOM = MAX_PAYLOAD - 1 - len(call_req_head(5000, "cadence-frontend",
                                                {"as": "thrift", "cn": "c"})) - 1
BOUNDARY_SIZES = [HEAD_ROOM - d for d in range(-3, 24)] + [MAX_PAYLOAD - 6 - d
                                                         for d in range(-3, 8)]

sizes = st.one_of(st.integers(0, 64), st.integers(0, 300_000), st.sampled_from(BOUNDARY_SIZES))
arg1_sizes = st.one_of(st.integers(0, 64), st.integers(0, 16 * 1024))


@st.composite
def messages(draw):
    seed = draw(st.integers(0, 2**32))
    rng = random.Random(seed)
    arg1 = rng.randbytes(draw(arg1_sizes))
    arg2 = rng.randbytes(draw(sizes))
    arg3 = rng.randbytes(draw(sizes))
    csum = draw(st.sampled_from([ChecksumType.NONE, ChecksumType.CRC32, ChecksumType.CRC32C]))
    if csum == ChecksumType.CRC32C and len(arg1) + len(arg2) + len(arg3) > 120_000:
        csum = ChecksumType.CRC32  # pure-Python CRC-32C is slow; keep the suite fast
    ttl = draw(st.integers(1, 2**32 - 1))
    headers = draw(st.dictionaries(st.text("abcdefgh", min_size=1, max_size=16),
                                   st.text(max_size=20), max_size=5))
    return (arg1, arg2, arg3), csum, ttl, headers


@settings(DETERMINISTIC, max_examples=60)
@given(msgs=st.lists(messages(), min_size=1, max_size=3),
       direction=st.sampled_from([FrameType.CALL_REQ, FrameType.CALL_RES]),
       interleave_seed=st.integers(0, 2**32), cut_seed=st.integers(0, 2**32),
       max_piece=st.sampled_from([1, 7, 16, 100, 4096, 65536, 1 << 20]))
def test_roundtrip_with_random_chunking(msgs, direction, interleave_seed, cut_seed,
                                        max_piece):
    queues = []
    for index, (args, csum, ttl, headers) in enumerate(msgs):
        if direction == FrameType.CALL_REQ:
            head = call_req_head(ttl, "cadence-frontend", headers)
        else:
            head = call_res_head(index % 2, headers)
        frames = encode_message(direction, 1000 + index, head, args, csum)
        assert all(len(f) <= 0xFFFF for f in frames)
        queues.append(frames)

    # interleave the messages' frames, keeping each message's own order
    rng = random.Random(interleave_seed)
    stream = bytearray()
    live = [list(q) for q in queues]
    while any(live):
        q = rng.choice([q for q in live if q])
        stream += q.pop(0)

    # cut the byte stream into recv()-sized pieces (at most ~5000 of them, to stay fast;
    # test_frames feeds byte-at-a-time)
    rng = random.Random(cut_seed)
    max_piece = max(max_piece, len(stream) // 2500)
    decoder = FrameDecoder()
    reassembler = Reassembler(direction)
    done = {}
    pos = 0
    while pos < len(stream):
        n = rng.randint(1, max_piece) if max_piece > 1 else 1
        for f in decoder.feed(bytes(stream[pos:pos + n])):
            msg = reassembler.feed(f.type, f.id, f.payload)
            if msg is not None:
                assert msg.id not in done
                done[msg.id] = msg
        pos += n
    assert decoder.pending == 0
    assert len(reassembler) == 0
    assert sorted(done) == [1000 + i for i in range(len(msgs))]
    for index, (args, _csum, ttl, headers) in enumerate(msgs):
        msg = done[1000 + index]
        assert msg.args == args
        assert msg.meta.headers == headers
        if direction == FrameType.CALL_REQ:
            assert msg.meta.ttl_ms == ttl and msg.meta.service == "cadence-frontend"
        else:
            assert msg.meta.code == index % 2


def _drive(data: bytes, pieces: list[int]) -> None:
    """Feed ``data`` through decoder + reassemblers of both directions as a connection
    would: per-message ProtocolErrors are survivable, a ValueError ends the stream."""
    decoder = FrameDecoder()
    inbound = Reassembler(FrameType.CALL_REQ, max_message_size=1 << 16)
    outbound = Reassembler(FrameType.CALL_RES, max_message_size=1 << 16)
    pos = 0
    for n in pieces + [len(data)]:
        try:
            frames = decoder.feed(data[pos:pos + n])
        except ValueError:
            return
        pos += n
        for f in frames:
            target = inbound if f.type in (0x03, 0x13) else outbound
            if f.type not in (0x03, 0x13, 0x04, 0x14):
                continue
            try:
                target.feed(f.type, f.id, f.payload)
            except ProtocolError as exc:
                assert exc.message_id == f.id
        if pos >= len(data):
            return


@settings(DETERMINISTIC, max_examples=400)
@given(data=st.binary(max_size=4096), pieces=st.lists(st.integers(1, 512), max_size=20))
def test_garbage_only_raises_value_or_protocol_errors(data, pieces):
    _drive(data, pieces)


@st.composite
def framed_garbage(draw):
    """Well-framed headers of call frame types around random payloads: gets past the
    FrameDecoder so the Reassembler sees the garbage."""
    out = bytearray()
    for _ in range(draw(st.integers(1, 8))):
        ftype = draw(st.sampled_from([0x03, 0x13, 0x04, 0x14]))
        mid = draw(st.integers(0, 3))
        payload = draw(st.binary(max_size=300))
        out += wire.frame(ftype, mid, payload)
    return bytes(out)


@settings(DETERMINISTIC, max_examples=400)
@given(data=framed_garbage())
def test_framed_garbage_only_raises_protocol_errors(data):
    _drive(data, [])


@settings(DETERMINISTIC, max_examples=300)
@given(seed=st.integers(0, 2**32), flips=st.lists(st.integers(0, 10**9), min_size=1,
                                                   max_size=6),
       csum=st.sampled_from([0, 1, 3]))
def test_mutated_valid_messages(seed, flips, csum):
    """Valid multi-frame messages with a few bytes changed: still only ProtocolError /
    ValueError, and an unchanged message after them still decodes if the framing held."""
    rng = random.Random(seed)
    args = (b"Svc::m", rng.randbytes(rng.randint(0, 100)),
            rng.randbytes(rng.choice([10, 70_000, 140_000])))
    if csum == 3 and len(args[2]) > 10:
        csum = 1
    head = call_req_head(5000, "cadence-frontend", {"as": "thrift"})
    stream = bytearray(b"".join(encode_message(FrameType.CALL_REQ, 1, head, args, csum)))
    for f in flips:
        stream[f % len(stream)] = rng.randrange(256)
    _drive(bytes(stream), [rng.randint(1, 70_000) for _ in range(5)])
