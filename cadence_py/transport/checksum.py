"""TChannel checksums: running values over the argument bytes of a message.

Go peers send CRC-32 (IEEE, the same as zlib.crc32) and verify what they receive;
Java sends none. We verify CRC-32 and CRC-32C when a peer sends them and reply without a
checksum, which every client accepts.
"""

from __future__ import annotations

import enum
import zlib


class ChecksumType(enum.IntEnum):
    NONE = 0x00
    CRC32 = 0x01
    FARMHASH32 = 0x02
    CRC32C = 0x03


def checksum_size(kind: int) -> int:
    if kind == ChecksumType.NONE:
        return 0
    if kind in (ChecksumType.CRC32, ChecksumType.FARMHASH32, ChecksumType.CRC32C):
        return 4
    raise ValueError(f"unknown checksum type {kind}")


def _crc32c_table() -> list[int]:
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0x82F63B78 if crc & 1 else crc >> 1
        table.append(crc)
    return table


_CRC32C = _crc32c_table()


def crc32c(data: bytes, value: int = 0) -> int:
    """Castagnoli CRC in pure Python: slow, but no client we know sends it."""
    crc = value ^ 0xFFFFFFFF
    for byte in data:
        crc = _CRC32C[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def update(kind: int, value: int, data: bytes) -> int | None:
    """Extend a running checksum with ``data``; None when we cannot compute the type."""
    if kind == ChecksumType.NONE:
        return 0
    if kind == ChecksumType.CRC32:
        return zlib.crc32(data, value)
    if kind == ChecksumType.CRC32C:
        return crc32c(data, value)
    return None  # farmhash: tchannel-go never computes it either
