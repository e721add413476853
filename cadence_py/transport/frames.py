"""The 16-byte TChannel frame header and the frame types.

Every frame is ``size:2 type:1 reserved:1 id:4 reserved:8`` followed by ``size - 16``
bytes of payload; ``size`` counts the header too and is at most 65535.
"""

from __future__ import annotations

import enum
import struct
from dataclasses import dataclass

HEADER = struct.Struct(">HBxI8x")
HEADER_SIZE = HEADER.size  # 16
MAX_FRAME_SIZE = 0xFFFF
MAX_PAYLOAD = MAX_FRAME_SIZE - HEADER_SIZE
NO_ID = 0xFFFFFFFF  # id used by error frames that belong to no message


class FrameType(enum.IntEnum):
    INIT_REQ = 0x01
    INIT_RES = 0x02
    CALL_REQ = 0x03
    CALL_RES = 0x04
    CALL_REQ_CONTINUE = 0x13
    CALL_RES_CONTINUE = 0x14
    CANCEL = 0xC0
    CLAIM = 0xC1
    PING_REQ = 0xD0
    PING_RES = 0xD1
    ERROR = 0xFF


KNOWN_TYPES = frozenset(int(t) for t in FrameType)


@dataclass(frozen=True)
class Frame:
    """One decoded frame: its type, message id and raw payload."""

    type: int
    id: int
    payload: bytes

    def encode(self) -> bytes:
        return encode_frame(self.type, self.id, self.payload)


def encode_frame(frame_type: int, message_id: int, payload: bytes) -> bytes:
    """Return header + payload; raises ValueError if the payload does not fit one frame."""
    if len(payload) > MAX_PAYLOAD:
        raise ValueError(f"frame payload of {len(payload)} bytes exceeds {MAX_PAYLOAD}")
    return HEADER.pack(HEADER_SIZE + len(payload), frame_type, message_id) + payload


def decode_header(header: bytes) -> tuple[int, int, int]:
    """Return (payload size, type, id) of a 16-byte header."""
    size, frame_type, message_id = HEADER.unpack(header)
    return size - HEADER_SIZE, frame_type, message_id


class FrameDecoder:
    """Incremental decoder: feed it bytes as they arrive, take complete frames out.

    It never raises for a short read; it raises ``ValueError`` for a header that cannot
    be valid (size below 16, unknown type), after which the stream is unusable.
    """

    def __init__(self) -> None:
        self._buffer = bytearray()

    def feed(self, data: bytes) -> list[Frame]:
        self._buffer += data
        frames: list[Frame] = []
        while len(self._buffer) >= HEADER_SIZE:
            size, frame_type, message_id = HEADER.unpack_from(self._buffer)
            if size < HEADER_SIZE:
                raise ValueError(f"frame size {size} is smaller than the 16-byte header")
            if frame_type not in KNOWN_TYPES:
                raise ValueError(f"unknown frame type 0x{frame_type:02x}")
            if len(self._buffer) < size:
                break
            frames.append(Frame(frame_type, message_id, bytes(self._buffer[HEADER_SIZE:size])))
            del self._buffer[:size]
        return frames

    @property
    def pending(self) -> int:
        """Bytes received but not yet part of a complete frame."""
        return len(self._buffer)
