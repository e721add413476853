"""Frame header encoding/decoding, the incremental FrameDecoder, checksums and codecs."""

from __future__ import annotations

import struct
import zlib

import pytest

from cadence_py.transport import checksum
from cadence_py.transport.checksum import ChecksumType, checksum_size, crc32c
from cadence_py.transport.codec import (
    Reader,
    decode_headers8,
    decode_headers16,
    encode_headers8,
    encode_headers16,
)
from cadence_py.transport.errors import ErrorCode, ProtocolError
from cadence_py.transport.frames import (
    HEADER_SIZE,
    MAX_PAYLOAD,
    NO_ID,
    Frame,
    FrameDecoder,
    FrameType,
    decode_header,
    encode_frame,
)
from cadence_py.transport.messages import (
    decode_error,
    decode_init,
    encode_error,
    encode_init,
)
from tests.transport import wire


def test_header_layout_matches_spec():
    raw = encode_frame(FrameType.CALL_REQ, 0x01020304, b"abc")
    assert raw == bytes.fromhex("0013 03 00 01020304 0000000000000000") + b"abc"
    assert HEADER_SIZE == 16
    assert decode_header(raw[:16]) == (3, 0x03, 0x01020304)


@pytest.mark.parametrize("ftype", list(FrameType))
@pytest.mark.parametrize("mid", [0, 1, 2, 0x7FFFFFFF, NO_ID])
@pytest.mark.parametrize("size", [0, 1, 1000, MAX_PAYLOAD])
def test_encode_decode_header_roundtrip(ftype, mid, size):
    payload = bytes(range(256)) * (size // 256) + bytes(size % 256)
    raw = encode_frame(ftype, mid, payload)
    assert len(raw) == 16 + size
    assert raw == Frame(ftype, mid, payload).encode()
    assert decode_header(raw[:16]) == (size, int(ftype), mid)
    # reserved bytes are zero
    assert raw[3] == 0 and raw[8:16] == bytes(8)
    assert FrameDecoder().feed(raw) == [Frame(int(ftype), mid, payload)]


def test_max_frame_is_65535_bytes():
    assert MAX_PAYLOAD == 65535 - 16
    assert len(encode_frame(FrameType.CALL_RES, 1, bytes(MAX_PAYLOAD))) == 0xFFFF
    with pytest.raises(ValueError):
        encode_frame(FrameType.CALL_RES, 1, bytes(MAX_PAYLOAD + 1))


def test_decoder_byte_at_a_time():
    frames = [
        Frame(FrameType.INIT_REQ, 1, encode_init({"host_port": "0.0.0.0:0"})),
        Frame(FrameType.PING_REQ, 2, b""),
        Frame(FrameType.CALL_REQ, 3, bytes(range(200)) * 10),
        Frame(FrameType.ERROR, NO_ID, encode_error(ErrorCode.FATAL, "bye")),
        Frame(FrameType.CALL_REQ_CONTINUE, 3, b"x" * MAX_PAYLOAD),
    ]
    stream = b"".join(f.encode() for f in frames)
    decoder = FrameDecoder()
    got = []
    for i in range(len(stream)):
        out = decoder.feed(stream[i:i + 1])
        got.extend(out)
        # a frame comes out exactly when its last byte arrives
        if out:
            assert decoder.pending == 0
    assert got == frames
    assert decoder.pending == 0


def test_decoder_many_frames_in_one_feed_and_split_header():
    frames = [Frame(FrameType.PING_REQ, i, b"") for i in range(50)]
    stream = b"".join(f.encode() for f in frames)
    decoder = FrameDecoder()
    assert decoder.feed(stream[:16 * 10 + 7]) == frames[:10]
    assert decoder.pending == 7
    assert decoder.feed(b"") == []
    assert decoder.feed(stream[16 * 10 + 7:]) == frames[10:]


def test_decoder_waits_for_short_reads_without_raising():
    raw = encode_frame(FrameType.CALL_RES, 9, b"z" * 5000)
    decoder = FrameDecoder()
    assert decoder.feed(raw[:15]) == []
    assert decoder.feed(raw[15:4000]) == []
    assert decoder.pending == 4000
    assert decoder.feed(raw[4000:]) == [Frame(FrameType.CALL_RES, 9, b"z" * 5000)]


@pytest.mark.parametrize("size", [0, 1, 15])
def test_decoder_rejects_size_below_header(size):
    bad = struct.pack(">HBxI8x", size, FrameType.PING_REQ, 1)
    with pytest.raises(ValueError):
        FrameDecoder().feed(bad)


def test_decoder_rejects_unknown_type():
    bad = struct.pack(">HBxI8x", 16, 0x42, 1)
    with pytest.raises(ValueError):
        FrameDecoder().feed(bad)


def test_decoder_size_exactly_16_is_an_empty_frame():
    assert FrameDecoder().feed(struct.pack(">HBxI8x", 16, 0xD0, 7)) == [Frame(0xD0, 7, b"")]


# ------------------------------------------------------------------ checksums
def test_crc32_is_zlib_crc32_and_running():
    data = b"WorkflowService::DescribeDomain"
    assert checksum.update(ChecksumType.CRC32, 0, data) == zlib.crc32(data)
    running = checksum.update(ChecksumType.CRC32, 0, data[:10])
    assert checksum.update(ChecksumType.CRC32, running, data[10:]) == zlib.crc32(data)


def test_crc32c_known_vectors():
    # RFC 3720 / iSCSI test vectors
    assert crc32c(b"123456789") == 0xE3069283
    assert crc32c(bytes(32)) == 0x8A9136AA
    assert crc32c(b"\xff" * 32) == 0x62A8AB43
    assert crc32c(bytes(range(32))) == 0x46DD794E
    assert crc32c(b"") == 0
    running = crc32c(b"12345")
    assert crc32c(b"6789", running) == 0xE3069283


def test_checksum_sizes_and_unknown_type():
    assert checksum_size(0) == 0
    assert checksum_size(1) == checksum_size(2) == checksum_size(3) == 4
    with pytest.raises(ValueError):
        checksum_size(4)
    assert checksum.update(ChecksumType.NONE, 0, b"abc") == 0
    assert checksum.update(ChecksumType.FARMHASH32, 0, b"abc") is None


# ------------------------------------------------------------------ small codecs
def test_headers8_roundtrip_and_truncation():
    headers = {"as": "thrift", "cn": "cadence-client", "re": "c"}
    raw = encode_headers8(headers)
    assert raw == wire.h8(headers)
    assert decode_headers8(Reader(raw)) == headers
    with pytest.raises(ProtocolError):
        decode_headers8(Reader(raw[:-1]))
    with pytest.raises(ValueError):
        encode_headers8({"k": "v" * 256})


def test_headers16_roundtrip_and_errors():
    headers = {"cadence-client-name": "cli", "x": "", "": "y"}
    raw = encode_headers16(headers)
    assert raw == wire.h16(headers)
    assert decode_headers16(raw) == headers
    assert encode_headers16({}) == b"\x00\x00"
    with pytest.raises(ProtocolError):
        decode_headers16(raw + b"\x00")  # stray byte
    with pytest.raises(ProtocolError):
        decode_headers16(raw[:-1])
    with pytest.raises(ProtocolError):
        decode_headers16(b"")


def test_init_payload_roundtrip():
    headers = {k: f"v-{k}" for k in wire.INIT_KEYS}
    raw = encode_init(headers)
    assert raw == wire.init_payload(headers)
    assert decode_init(raw) == (2, headers)
    with pytest.raises(ProtocolError):
        decode_init(b"\x00")


def test_error_payload_layout():
    raw = encode_error(ErrorCode.BAD_REQUEST, "unrecognized procedure")
    # reference §1.11: 06 + 25 zero bytes + 00 16 + text
    assert raw == b"\x06" + bytes(25) + b"\x00\x16" + b"unrecognized procedure"
    assert decode_error(raw) == (6, "unrecognized procedure")
    assert wire.decode_error(raw) == (6, "unrecognized procedure")
    long = encode_error(ErrorCode.UNEXPECTED, "x" * 100_000)
    assert len(long) <= MAX_PAYLOAD  # always fits one frame
    assert decode_error(long)[0] == 5
