"""Test-side TChannel v2 wire helpers, written from the spec (reference §1), not from our
transport code, so tests can check our encoder/decoder against an independent reading.

Also a ``RawPeer``: a bare gevent socket that speaks frames by hand, for driving the server
with malformed or unusual traffic.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass, field

import gevent
from gevent import socket

from cadence_py.transport.checksum import crc32c

HEADER = struct.Struct(">HBxI8x")
MAX_FRAME = 0xFFFF
NO_ID = 0xFFFFFFFF

INIT_REQ, INIT_RES, CALL_REQ, CALL_RES = 0x01, 0x02, 0x03, 0x04
CALL_REQ_CONT, CALL_RES_CONT = 0x13, 0x14
CANCEL, CLAIM, PING_REQ, PING_RES, ERROR = 0xC0, 0xC1, 0xD0, 0xD1, 0xFF

INIT_KEYS = ("host_port", "process_name", "tchannel_language", "tchannel_language_version",
             "tchannel_version")


# --------------------------------------------------------------------------- building
def frame(ftype: int, mid: int, payload: bytes) -> bytes:
    assert len(payload) + 16 <= MAX_FRAME
    return HEADER.pack(16 + len(payload), ftype, mid) + payload


def h8(headers: dict[str, str]) -> bytes:
    out = bytes([len(headers)])
    for k, v in headers.items():
        kb, vb = k.encode(), v.encode()
        out += bytes([len(kb)]) + kb + bytes([len(vb)]) + vb
    return out


def h16(headers: dict[str, str]) -> bytes:
    out = struct.pack(">H", len(headers))
    for k, v in headers.items():
        kb, vb = k.encode(), v.encode()
        out += struct.pack(">H", len(kb)) + kb + struct.pack(">H", len(vb)) + vb
    return out


def chunks_bytes(chunks: list[bytes]) -> bytes:
    return b"".join(struct.pack(">H", len(c)) + c for c in chunks)


def csum(kind: int, value: int, data: bytes) -> int:
    if kind == 1:
        return zlib.crc32(data, value)
    if kind == 3:
        return crc32c(data, value)
    return 0


def csum_field(kind: int, value: int) -> bytes:
    return bytes([kind]) + (struct.pack(">I", value) if kind in (1, 2, 3) else b"")


def call_req_payload(chunks: list[bytes], *, flags: int = 0, ttl: int = 5000,
                     service: str = "cadence-frontend",
                     headers: dict[str, str] | None = None, csum_type: int = 0,
                     csum_value: int | None = None, tracing: bytes = bytes(25)) -> bytes:
    """First frame of a call req carrying exactly ``chunks``; the checksum is computed over
    them unless ``csum_value`` is given."""
    if headers is None:
        headers = {"as": "thrift", "cn": "test"}
    if csum_value is None:
        csum_value = 0
        for c in chunks:
            csum_value = csum(csum_type, csum_value, c)
    svc = service.encode()
    return (bytes([flags]) + struct.pack(">I", ttl) + tracing + bytes([len(svc)]) + svc
            + h8(headers) + csum_field(csum_type, csum_value) + chunks_bytes(chunks))


def continue_payload(chunks: list[bytes], *, flags: int = 0, csum_type: int = 0,
                     csum_value: int = 0) -> bytes:
    return bytes([flags]) + csum_field(csum_type, csum_value) + chunks_bytes(chunks)


def simple_call(mid: int, method: str, arg2: bytes = b"\x00\x00", arg3: bytes = b"\x00", *,
                headers: dict[str, str] | None = None, ttl: int = 5000,
                csum_type: int = 1, service: str = "cadence-frontend") -> bytes:
    """A whole one-frame call req."""
    return frame(CALL_REQ, mid, call_req_payload([method.encode(), arg2, arg3], ttl=ttl,
                                                  headers=headers, csum_type=csum_type,
                                                  service=service))


def init_payload(headers: dict[str, str], version: int = 2) -> bytes:
    return struct.pack(">H", version) + h16(headers)


# --------------------------------------------------------------------------- parsing
def split_frames(data: bytes) -> list[tuple[int, int, bytes]]:
    """Split a byte string that holds whole frames; asserts it does."""
    out, pos = [], 0
    while pos < len(data):
        size, ftype, mid = HEADER.unpack_from(data, pos)
        assert size >= 16 and pos + size <= len(data), "not a whole number of frames"
        out.append((ftype, mid, data[pos + 16:pos + size]))
        pos += size
    return out


class Cursor:
    def __init__(self, data: bytes) -> None:
        self.data, self.pos = data, 0

    def take(self, n: int) -> bytes:
        assert self.pos + n <= len(self.data), "truncated"
        out = self.data[self.pos:self.pos + n]
        self.pos += n
        return out

    def u8(self) -> int:
        return self.take(1)[0]

    def u16(self) -> int:
        return struct.unpack(">H", self.take(2))[0]

    def u32(self) -> int:
        return struct.unpack(">I", self.take(4))[0]

    @property
    def left(self) -> int:
        return len(self.data) - self.pos


def read_h8(cur: Cursor) -> dict[str, str]:
    n = cur.u8()
    out = {}
    for _ in range(n):
        k = cur.take(cur.u8()).decode()
        out[k] = cur.take(cur.u8()).decode()
    return out


def read_h16(data: bytes) -> dict[str, str]:
    cur = Cursor(data)
    n = cur.u16()
    out = {}
    for _ in range(n):
        k = cur.take(cur.u16()).decode()
        out[k] = cur.take(cur.u16()).decode()
    assert cur.left == 0
    return out


@dataclass
class ParsedFrame:
    """One call frame, parsed per spec."""

    flags: int
    csum_type: int
    csum: int | None
    chunks: list[bytes]
    code: int = 0
    ttl: int = 0
    service: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    tracing: bytes = b""


def parse_call_frame(ftype: int, payload: bytes) -> ParsedFrame:
    cur = Cursor(payload)
    flags = cur.u8()
    meta: dict = {}
    if ftype == CALL_REQ:
        meta["ttl"] = cur.u32()
        meta["tracing"] = cur.take(25)
        meta["service"] = cur.take(cur.u8()).decode()
        meta["headers"] = read_h8(cur)
    elif ftype == CALL_RES:
        meta["code"] = cur.u8()
        meta["tracing"] = cur.take(25)
        meta["headers"] = read_h8(cur)
    else:
        assert ftype in (CALL_REQ_CONT, CALL_RES_CONT), hex(ftype)
    csum_type = cur.u8()
    value = cur.u32() if csum_type in (1, 2, 3) else None
    chunks = []
    while cur.left:
        chunks.append(cur.take(cur.u16()))
    return ParsedFrame(flags=flags, csum_type=csum_type, csum=value, chunks=chunks, **meta)


@dataclass
class Message:
    id: int
    first: ParsedFrame
    frames: list[ParsedFrame]
    args: list[bytes]

    @property
    def code(self) -> int:
        return self.first.code

    @property
    def headers(self) -> dict[str, str]:
        return self.first.headers


class SpecReassembler:
    """The reader algorithm of reference §1.7, checking checksums and flags on the way."""

    def __init__(self) -> None:
        self.pending: dict[int, tuple[list[ParsedFrame], list[bytearray], int]] = {}

    def feed(self, ftype: int, mid: int, payload: bytes) -> Message | None:
        pf = parse_call_frame(ftype, payload)
        if ftype in (CALL_REQ, CALL_RES):
            assert mid not in self.pending
            frames, args, running = [pf], [bytearray()], 0
        else:
            frames, args, running = self.pending.pop(mid)
            assert pf.csum_type == frames[0].csum_type, "checksum type changed"
            frames.append(pf)
        for i, chunk in enumerate(pf.chunks):
            if i > 0:
                args.append(bytearray())
            args[-1] += chunk
            running = csum(pf.csum_type, running, chunk)
        if pf.csum_type in (1, 3):
            assert pf.csum == running, "bad running checksum"
        if pf.flags & 1:
            self.pending[mid] = (frames, args, running)
            return None
        assert len(args) == 3, f"{len(args)} args"
        return Message(mid, frames[0], frames, [bytes(a) for a in args])


def assemble(frames: list[bytes]) -> Message:
    """Reassemble the frames of exactly one message with the spec reader."""
    r = SpecReassembler()
    msg = None
    for i, raw in enumerate(frames):
        ((ftype, mid, payload),) = split_frames(raw)
        msg = r.feed(ftype, mid, payload)
        assert (msg is None) == (i < len(frames) - 1)
    assert msg is not None
    return msg


def decode_error(payload: bytes) -> tuple[int, str]:
    cur = Cursor(payload)
    code = cur.u8()
    cur.take(25)
    return code, cur.take(cur.u16()).decode("utf-8", "replace")


# --------------------------------------------------------------------------- raw peer
class RawPeer:
    """A hand-driven TChannel peer on a gevent socket (so it cooperates with the server's
    greenlets without monkey-patching)."""

    def __init__(self, address: tuple[str, int], timeout: float = 5.0) -> None:
        self.sock = socket.create_connection(address, timeout=timeout)
        self.sock.settimeout(timeout)
        self.buf = bytearray()
        self.reasm = SpecReassembler()

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def recv_frame(self) -> tuple[int, int, bytes] | None:
        """Next whole frame, or None if the peer closed the connection."""
        while True:
            if len(self.buf) >= 16:
                size, ftype, mid = HEADER.unpack_from(self.buf)
                assert size >= 16
                if len(self.buf) >= size:
                    payload = bytes(self.buf[16:size])
                    del self.buf[:size]
                    return ftype, mid, payload
            try:
                data = self.sock.recv(65536)
            except ConnectionResetError:
                data = b""
            if not data:
                assert not self.buf, f"connection closed mid-frame ({len(self.buf)} bytes)"
                return None
            self.buf += data

    def handshake(self, mid: int = 1, headers: dict[str, str] | None = None
                  ) -> tuple[int, int, dict[str, str]]:
        if headers is None:
            headers = {"host_port": "0.0.0.0:0", "process_name": "raw-peer"}
        self.send(frame(INIT_REQ, mid, init_payload(headers)))
        got = self.recv_frame()
        assert got is not None, "server closed during handshake"
        ftype, rid, payload = got
        assert ftype == INIT_RES, hex(ftype)
        version = struct.unpack(">H", payload[:2])[0]
        return rid, version, read_h16(payload[2:])

    def next_event(self) -> tuple[str, int, object]:
        """Read frames until something complete happens: ("res", id, Message),
        ("error", id, (code, text)), ("ping", id, None) or ("closed", -1, None)."""
        while True:
            got = self.recv_frame()
            if got is None:
                return "closed", -1, None
            ftype, mid, payload = got
            if ftype in (CALL_RES, CALL_RES_CONT):
                msg = self.reasm.feed(ftype, mid, payload)
                if msg is not None:
                    return "res", mid, msg
            elif ftype == ERROR:
                return "error", mid, decode_error(payload)
            elif ftype == PING_RES:
                assert payload == b""
                return "ping", mid, None
            else:
                raise AssertionError(f"unexpected frame type 0x{ftype:02x}")

    def close(self) -> None:
        self.sock.close()


def wait_until(predicate, timeout: float = 2.0, step: float = 0.005) -> bool:
    """Poll ``predicate`` while letting other greenlets run; False if it never held."""
    with gevent.Timeout(timeout, False):
        while not predicate():
            gevent.sleep(step)
        return True
    return bool(predicate())
