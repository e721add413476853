"""Event batches as stored: Cadence's payload encoding of ``History{events}``.

Upstream writes history_node.data as one preamble byte 0x59 followed by the Thrift
binary encoding, with data_encoding "thriftrw"; we do the same so the rows are
interchangeable.
"""

from __future__ import annotations

from typing import Any

from cadence_py.rpc import idl
from cadence_py.rpc.codec import decode, decode_own, encode

PREAMBLE = b"\x59"


def encode_events(events: list[Any]) -> bytes:
    return PREAMBLE + encode(idl.shared().History(events=events))


def decode_events(data: bytes, *, own: bool = True) -> list[Any]:
    """The events of a stored batch; ``own=False`` for a blob another writer may have
    made, which is checked byte by byte before Thrift reads it (see rpc.codec)."""
    if not data.startswith(PREAMBLE):
        raise ValueError("history blob without the thriftrw preamble")
    return (decode_own if own else decode)(idl.shared().History(), data[1:]).events or []


def encode_event(event: Any) -> bytes:
    return encode_events([event])


def decode_event(data: bytes) -> Any:
    return decode_events(data)[0]
