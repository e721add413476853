"""TChannel error codes and the exceptions the transport raises."""

from __future__ import annotations

import enum


class ErrorCode(enum.IntEnum):
    """Codes carried by an error frame (type 0xFF)."""

    INVALID = 0x00
    TIMEOUT = 0x01
    CANCELLED = 0x02
    BUSY = 0x03
    DECLINED = 0x04
    UNEXPECTED = 0x05
    BAD_REQUEST = 0x06
    NETWORK = 0x07
    UNHEALTHY = 0x08
    FATAL = 0xFF


class TChannelError(Exception):
    """A call failed with a TChannel error frame (sent by us or received from a peer).

    Handlers raise it to answer a call with an error frame instead of a call res.
    """

    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(f"{code.name.lower()}: {message}")
        self.code = ErrorCode(code)
        self.message = message


class ProtocolError(Exception):
    """The peer broke the framing rules; the connection cannot continue.

    ``message_id`` is set when the fault belongs to one message only: that message gets
    an error frame and the connection keeps serving the others.
    """

    def __init__(self, message: str, message_id: int | None = None,
                 code: ErrorCode = ErrorCode.FATAL) -> None:
        super().__init__(message)
        self.message_id = message_id
        self.code = code
