"""Splitting a message's three arguments across frames, and putting them back together.

The rules (TChannel protocol v2, "Fragmentation"): after the fixed fields and the
checksum, a frame holds chunks ``len:2 data``. Inside one frame each new chunk starts the
next argument; the first chunk of a continue frame carries on the argument the previous
frame ended in, so a writer whose argument ended exactly at a frame boundary starts the
next frame with an empty chunk. Flag 0x01 on a frame says more frames follow.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

from cadence_py.transport import checksum
from cadence_py.transport.checksum import ChecksumType
from cadence_py.transport.codec import Reader
from cadence_py.transport.errors import ErrorCode, ProtocolError
from cadence_py.transport.frames import MAX_PAYLOAD, FrameType, encode_frame
from cadence_py.transport.messages import (
    FLAG_MORE_FRAGMENTS,
    MAX_ARG1,
    CallMeta,
    parse_call_req_head,
    parse_call_res_head,
)

CONTINUE_OF = {FrameType.CALL_REQ: FrameType.CALL_REQ_CONTINUE,
               FrameType.CALL_RES: FrameType.CALL_RES_CONTINUE}


def encode_message(first_type: FrameType, message_id: int, head: bytes,
                   args: tuple[bytes, bytes, bytes],
                   csum_type: ChecksumType = ChecksumType.NONE) -> list[bytes]:
    """Encode a call req/res as a list of wire frames.

    ``head`` is the first frame's fixed part between the flags byte and the checksum
    type (see ``messages.call_req_head``/``call_res_head``).
    """
    csum_len = checksum.checksum_size(csum_type)
    frames: list[tuple[bytes, list[bytes]]] = []  # (head, chunk data list)
    current: list[bytes] = []
    frame_head = head
    room = MAX_PAYLOAD - 1 - len(head) - 1 - csum_len
    if room < 3:
        raise ValueError("call headers leave no room for arguments in the first frame")
    continue_room = MAX_PAYLOAD - 1 - 1 - csum_len

    def flush() -> None:
        nonlocal current, frame_head, room
        frames.append((frame_head, current))
        current, frame_head, room = [], b"", continue_room

    for index, arg in enumerate(args):
        pos, started = 0, False
        while True:
            remaining = len(arg) - pos
            if room < 2 or (remaining > 0 and room < 3):
                flush()
                if not started and index > 0:
                    current.append(b"")  # close the previous argument in this new frame
                    room -= 2
                continue
            take = min(remaining, room - 2)
            current.append(arg[pos:pos + take])
            room -= 2 + take
            pos += take
            started = True
            if pos >= len(arg):
                break
    frames.append((frame_head, current))

    out: list[bytes] = []
    running = 0
    continue_type = CONTINUE_OF[first_type]
    for number, (fhead, chunks) in enumerate(frames):
        flags = FLAG_MORE_FRAGMENTS if number < len(frames) - 1 else 0
        body = b"".join(struct.pack(">H", len(c)) + c for c in chunks)
        csum = b""
        if csum_len:
            for chunk in chunks:
                running = checksum.update(csum_type, running, chunk) or 0
            csum = struct.pack(">I", running)
        payload = bytes((flags,)) + fhead + bytes((csum_type,)) + csum + body
        out.append(encode_frame(first_type if number == 0 else continue_type,
                                message_id, payload))
    return out


@dataclass
class PartialMessage:
    """A message whose frames are still arriving."""

    meta: CallMeta
    csum_type: int
    args: list[bytearray] = field(default_factory=lambda: [bytearray()])
    csum_value: int = 0
    size: int = 0
    accounted: int = 0  # bytes of this message counted in Reassembler._buffered


@dataclass
class CompleteMessage:
    id: int
    meta: CallMeta
    args: tuple[bytes, bytes, bytes]


class Reassembler:
    """Collects the frames of many interleaved messages of one direction.

    ``feed`` returns a CompleteMessage once a message's last frame is in. Faults that
    concern one message raise ProtocolError with ``message_id`` set, and that message is
    forgotten; the caller answers it with an error frame and carries on.
    """

    def __init__(self, first_type: FrameType, max_message_size: int = 64 << 20,
                 max_pending: int = 10_000, verify_checksums: bool = True,
                 max_buffered: int = 256 << 20) -> None:
        self.first_type = first_type
        self.continue_type = CONTINUE_OF[first_type]
        self.max_message_size = max_message_size
        self.max_pending = max_pending
        self.verify_checksums = verify_checksums
        self._pending: dict[int, PartialMessage] = {}
        # Bytes held by all partial messages: bounds what one peer can make us buffer.
        self.max_buffered = max_buffered
        self._buffered = 0
        # Messages already rejected (and answered with one error frame) whose remaining
        # fragments are still arriving: those fragments are dropped silently.
        self._dropped: set[int] = set()

    def __len__(self) -> int:
        return len(self._pending)

    def __contains__(self, message_id: object) -> bool:
        """True while ``message_id`` has started and its last fragment is not in yet
        (also a rejected message whose fragments are still arriving)."""
        return message_id in self._pending or message_id in self._dropped

    @property
    def buffered(self) -> int:
        return self._buffered

    def _remove(self, message_id: int) -> None:
        message = self._pending.pop(message_id, None)
        if message is not None:
            self._buffered -= message.accounted

    def discard(self, message_id: int) -> None:
        self._remove(message_id)
        self._dropped.discard(message_id)

    def feed(self, frame_type: int, message_id: int, payload: bytes) -> CompleteMessage | None:
        try:
            return self._feed(frame_type, message_id, payload)
        except ProtocolError as exc:
            self._remove(message_id)
            if exc.message_id is None:
                exc.message_id = message_id
            if (exc.code != ErrorCode.FATAL and payload[:1]
                    and payload[0] & FLAG_MORE_FRAGMENTS
                    and len(self._dropped) < self.max_pending):
                self._dropped.add(message_id)  # one error per message, not per fragment
            raise

    def _feed(self, frame_type: int, message_id: int, payload: bytes) -> CompleteMessage | None:
        reader = Reader(payload)
        if frame_type == self.continue_type and message_id in self._dropped:
            if not payload[:1] or not payload[0] & FLAG_MORE_FRAGMENTS:
                self._dropped.discard(message_id)  # that was its last fragment
            return None
        if frame_type == self.first_type:
            self._dropped.discard(message_id)  # the id starts a new message
            if message_id in self._pending:
                raise ProtocolError(f"duplicate message id {message_id}",
                                    code=ErrorCode.BAD_REQUEST)
            if len(self._pending) >= self.max_pending:
                raise ProtocolError("too many partially received messages",
                                    code=ErrorCode.BUSY)
            if frame_type == FrameType.CALL_REQ:
                meta = parse_call_req_head(reader)
            else:
                meta = parse_call_res_head(reader)
            csum_type = reader.u8()
            message = PartialMessage(meta=meta, csum_type=csum_type)
            flags = meta.flags
        elif frame_type == self.continue_type:
            message = self._pending.get(message_id)
            if message is None:
                raise ProtocolError(f"continue frame for unknown message {message_id}",
                                    code=ErrorCode.BAD_REQUEST)
            flags = reader.u8()
            csum_type = reader.u8()
            if csum_type != message.csum_type:
                raise ProtocolError("checksum type changed between fragments",
                                    code=ErrorCode.BAD_REQUEST)
        else:
            raise ProtocolError(f"frame type 0x{frame_type:02x} is not part of a call")
        try:
            csum_len = checksum.checksum_size(csum_type)
        except ValueError as exc:
            raise ProtocolError(str(exc), code=ErrorCode.BAD_REQUEST) from None
        expected = int.from_bytes(reader.take(csum_len), "big") if csum_len else None
        chunks = self._read_chunks(reader, message)
        if expected is not None and self.verify_checksums:
            self._check(message, chunks, expected)
        if flags & FLAG_MORE_FRAGMENTS:
            self._pending[message_id] = message
            self._buffered += message.size - message.accounted
            message.accounted = message.size
            if self._buffered > self.max_buffered:
                raise ProtocolError("too much data buffered in partial messages",
                                    code=ErrorCode.BUSY)
            return None
        self._remove(message_id)
        if len(message.args) != 3:
            raise ProtocolError(f"call has {len(message.args)} arguments, expected 3",
                                code=ErrorCode.BAD_REQUEST)
        if len(message.args[0]) > MAX_ARG1:
            raise ProtocolError("arg1 longer than 16 KiB", code=ErrorCode.BAD_REQUEST)
        return CompleteMessage(message_id, message.meta,
                               (bytes(message.args[0]), bytes(message.args[1]),
                                bytes(message.args[2])))

    def _read_chunks(self, reader: Reader, message: PartialMessage) -> list[bytes]:
        """Append this frame's chunks to the message; return them for the checksum."""
        chunks: list[bytes] = []
        while reader.remaining:
            if reader.remaining < 2:
                raise ProtocolError("stray byte after the last argument chunk",
                                    code=ErrorCode.BAD_REQUEST)
            data = reader.bytes_len16()
            if chunks:  # every chunk after a frame's first starts the next argument
                message.args.append(bytearray())
                if len(message.args) > 3:
                    raise ProtocolError("call has more than 3 arguments",
                                        code=ErrorCode.BAD_REQUEST)
            message.args[-1] += data
            chunks.append(data)
            message.size += len(data)
            if message.size > self.max_message_size:
                raise ProtocolError(f"message larger than {self.max_message_size} bytes",
                                    code=ErrorCode.BAD_REQUEST)
        return chunks

    def _check(self, message: PartialMessage, chunks: list[bytes], expected: int) -> None:
        value = message.csum_value
        for data in chunks:
            computed = checksum.update(message.csum_type, value, data)
            if computed is None:
                return  # a checksum type we cannot compute: accept, as tchannel-go does
            value = computed
        if value != expected:
            raise ProtocolError(f"checksum mismatch (type {message.csum_type})",
                                code=ErrorCode.BAD_REQUEST)
        message.csum_value = value
