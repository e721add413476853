"""Little readers and writers for the length-prefixed fields TChannel payloads use."""

from __future__ import annotations

import struct

from cadence_py.transport.errors import ProtocolError


class Reader:
    """Reads big-endian fields out of one frame payload, failing with ProtocolError."""

    def __init__(self, data: bytes, offset: int = 0) -> None:
        self.data = data
        self.offset = offset

    @property
    def remaining(self) -> int:
        return len(self.data) - self.offset

    def take(self, n: int) -> bytes:
        if n > self.remaining:
            raise ProtocolError(f"payload truncated: wanted {n} bytes, {self.remaining} left")
        out = self.data[self.offset:self.offset + n]
        self.offset += n
        return out

    def u8(self) -> int:
        return self.take(1)[0]

    def u16(self) -> int:
        return struct.unpack(">H", self.take(2))[0]

    def u32(self) -> int:
        return struct.unpack(">I", self.take(4))[0]

    def bytes_len8(self) -> bytes:
        return self.take(self.u8())

    def bytes_len16(self) -> bytes:
        return self.take(self.u16())


def put_len8(value: bytes) -> bytes:
    if len(value) > 0xFF:
        raise ValueError(f"value of {len(value)} bytes does not fit a 1-byte length")
    return bytes((len(value),)) + value


def put_len16(value: bytes) -> bytes:
    if len(value) > 0xFFFF:
        raise ValueError(f"value of {len(value)} bytes does not fit a 2-byte length")
    return struct.pack(">H", len(value)) + value


def encode_headers8(headers: dict[str, str]) -> bytes:
    """Transport headers of call req/res: ``nh:1 (k~1 v~1)*``."""
    out = bytearray((len(headers),))
    for key, value in headers.items():
        out += put_len8(key.encode()) + put_len8(value.encode())
    return bytes(out)


def decode_headers8(reader: Reader) -> dict[str, str]:
    count = reader.u8()
    headers: dict[str, str] = {}
    for _ in range(count):
        key = reader.bytes_len8().decode("utf-8", "replace")
        headers[key] = reader.bytes_len8().decode("utf-8", "replace")
    return headers


def encode_headers16(headers: dict[str, str]) -> bytes:
    """Init and Thrift application headers: ``n:2 (k~2 v~2)*``."""
    out = bytearray(struct.pack(">H", len(headers)))
    for key, value in headers.items():
        out += put_len16(key.encode()) + put_len16(value.encode())
    return bytes(out)


def decode_headers16(data: bytes) -> dict[str, str]:
    reader = Reader(data)
    count = reader.u16()
    headers: dict[str, str] = {}
    for _ in range(count):
        key = reader.bytes_len16().decode("utf-8", "replace")
        headers[key] = reader.bytes_len16().decode("utf-8", "replace")
    if reader.remaining:
        raise ProtocolError(f"{reader.remaining} stray bytes after headers")
    return headers
