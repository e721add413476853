"""Little readers and writers for the length-prefixed fields TChannel payloads use."""

from __future__ import annotations

import struct

from cadence_py.transport.errors import ProtocolError


_U16 = struct.Struct(">H")
_U32 = struct.Struct(">I")


class Reader:
    """Reads big-endian fields out of one frame payload, failing with ProtocolError.

    Every call of a server's TChannel traffic goes through here several times per field,
    so the methods work on the buffer directly (no helper calls, no intermediate slices).
    """

    __slots__ = ("data", "offset")

    def __init__(self, data: bytes, offset: int = 0) -> None:
        self.data = data
        self.offset = offset

    @property
    def remaining(self) -> int:
        return len(self.data) - self.offset

    def _short(self, n: int) -> ProtocolError:
        return ProtocolError(f"payload truncated: wanted {n} bytes, {self.remaining} left")

    def take(self, n: int) -> bytes:
        start = self.offset
        end = start + n
        if end > len(self.data):
            raise self._short(n)
        self.offset = end
        return self.data[start:end]

    def u8(self) -> int:
        start = self.offset
        if start >= len(self.data):
            raise self._short(1)
        self.offset = start + 1
        return self.data[start]

    def u16(self) -> int:
        start = self.offset
        if start + 2 > len(self.data):
            raise self._short(2)
        self.offset = start + 2
        return _U16.unpack_from(self.data, start)[0]

    def u32(self) -> int:
        start = self.offset
        if start + 4 > len(self.data):
            raise self._short(4)
        self.offset = start + 4
        return _U32.unpack_from(self.data, start)[0]

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
    """Inverse of ``encode_headers16``; ProtocolError on a short or overlong buffer."""
    reader = Reader(data)
    count = reader.u16()
    headers: dict[str, str] = {}
    for _ in range(count):
        key = reader.bytes_len16().decode("utf-8", "replace")
        headers[key] = reader.bytes_len16().decode("utf-8", "replace")
    if reader.remaining:
        raise ProtocolError(f"{reader.remaining} stray bytes after headers")
    return headers
