"""Call messages (call req / call res) and the init handshake, above the frame level.

A call message is a first frame plus continue frames. This module turns the fixed part of
the first frame into Python values and back; ``fragments`` deals with the arguments.
"""

from __future__ import annotations

import enum
import struct
import time
from dataclasses import dataclass, field

from gevent.event import Event

from cadence_py.transport.codec import (
    Reader,
    decode_headers8,
    decode_headers16,
    encode_headers8,
    encode_headers16,
    put_len8,
)
from cadence_py.transport.errors import ErrorCode, ProtocolError

PROTOCOL_VERSION = 2
TRACING_SIZE = 25
ZERO_TRACING = bytes(TRACING_SIZE)
FLAG_MORE_FRAGMENTS = 0x01
MAX_ARG1 = 16 * 1024


class ResponseCode(enum.IntEnum):
    OK = 0x00
    APPLICATION_ERROR = 0x01


@dataclass
class InboundCall:
    """A complete call req as a handler sees it."""

    id: int
    service: str
    ttl_ms: int
    headers: dict[str, str]
    arg1: bytes
    arg2: bytes
    arg3: bytes
    tracing: bytes = ZERO_TRACING
    received_at: float = field(default_factory=time.monotonic)
    #: Set when nobody waits for the answer any more: the connection closed, the TTL
    #: passed, or the caller sent a cancel frame. As upstream TChannel cancels the
    #: call's context: a long poll watching it takes no task it cannot deliver.
    cancelled: Event = field(default_factory=Event)

    @property
    def method(self) -> str:
        return self.arg1.decode("utf-8", "replace")

    @property
    def deadline(self) -> float:
        """time.monotonic() value at which the caller stops waiting."""
        return self.received_at + self.ttl_ms / 1000.0

    def remaining(self) -> float:
        return self.deadline - time.monotonic()


@dataclass
class CallResponse:
    """What a handler answers: a call res (OK or application error)."""

    arg2: bytes
    arg3: bytes
    code: ResponseCode = ResponseCode.OK
    headers: dict[str, str] = field(default_factory=dict)
    arg1: bytes = b""


@dataclass
class CallMeta:
    """Fixed fields of a first frame (call req or call res)."""

    flags: int
    headers: dict[str, str]
    ttl_ms: int = 0
    service: str = ""
    code: int = 0
    tracing: bytes = ZERO_TRACING


def call_req_head(ttl_ms: int, service: str, headers: dict[str, str],
                  tracing: bytes = ZERO_TRACING) -> bytes:
    """Bytes of a call req between the flags byte and the checksum type."""
    return (struct.pack(">I", ttl_ms) + tracing + put_len8(service.encode())
            + encode_headers8(headers))


def call_res_head(code: int, headers: dict[str, str], tracing: bytes = ZERO_TRACING) -> bytes:
    return bytes((code,)) + tracing + encode_headers8(headers)


def parse_call_req_head(reader: Reader) -> CallMeta:
    flags = reader.u8()
    ttl_ms = reader.u32()
    tracing = reader.take(TRACING_SIZE)
    service = reader.bytes_len8().decode("utf-8", "replace")
    headers = decode_headers8(reader)
    return CallMeta(flags=flags, headers=headers, ttl_ms=ttl_ms, service=service,
                    tracing=tracing)


def parse_call_res_head(reader: Reader) -> CallMeta:
    flags = reader.u8()
    code = reader.u8()
    tracing = reader.take(TRACING_SIZE)
    headers = decode_headers8(reader)
    return CallMeta(flags=flags, headers=headers, code=code, tracing=tracing)


def encode_init(headers: dict[str, str]) -> bytes:
    return struct.pack(">H", PROTOCOL_VERSION) + encode_headers16(headers)


def decode_init(payload: bytes) -> tuple[int, dict[str, str]]:
    """Return (version, headers) of an init req/res payload."""
    reader = Reader(payload)
    version = reader.u16()
    return version, decode_headers16(payload[2:])


def encode_error(code: ErrorCode, message: str, tracing: bytes = ZERO_TRACING) -> bytes:
    text = message.encode("utf-8")[:0xFFFF - 64]
    return bytes((int(code),)) + tracing + struct.pack(">H", len(text)) + text


def decode_error(payload: bytes) -> tuple[int, str]:
    reader = Reader(payload)
    code = reader.u8()
    reader.take(TRACING_SIZE)
    try:
        message = reader.bytes_len16().decode("utf-8", "replace")
    except ProtocolError:
        message = ""
    return code, message
