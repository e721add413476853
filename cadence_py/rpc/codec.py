"""Bare Thrift binary encoding of structs (no message envelope, no frame length).

Cadence's clients put the args/result struct directly in arg3, so the usual thriftpy2
processor (which expects a TMessage envelope) is not used.
"""

from __future__ import annotations

import struct
from typing import Any, TypeVar

from thriftpy2.protocol import TCyBinaryProtocolFactory
from thriftpy2.thrift import TType
from thriftpy2.utils import deserialize, serialize

T = TypeVar("T")
_FACTORY = TCyBinaryProtocolFactory()


def encode(obj: Any) -> bytes:
    return serialize(obj, _FACTORY)


class ThriftDecodeError(ValueError):
    """arg3 is not a well-formed Thrift binary struct."""


def decode(obj: T, data: bytes, max_values: int | None = None) -> T:
    """Fill ``obj`` (a fresh struct instance) from ``data``; raises on malformed bytes.

    ``max_values`` bounds how many values (fields and container elements) the bytes may
    hold: decoding costs about 2 us a value with the hub blocked, so a 1 MB list of empty
    structs would stop every other call for 2 s. The server passes
    ``MAX_REQUEST_VALUES``; a client reading its own server's answers does not.
    """
    check_struct(data, max_values)
    return deserialize(obj, data, _FACTORY)


def decode_own(obj: T, data: bytes) -> T:
    """``decode`` for bytes this server encoded itself and read back from its store.

    The walk in ``check_struct`` guards against what a client may send; for our own
    history blobs it only cost time (a Python call per field: in the benchmark it was the
    second largest item of the server's profile, ahead of the Thrift decoding itself).
    """
    return deserialize(obj, data, _FACTORY)


# thriftpy2's Cython reader over TCyMemoryBuffer never reports a short read: a truncated
# struct decodes "successfully" with uninitialised memory in its strings, and a declared
# length of 2**31 makes it allocate and copy gigabytes (seconds of CPU with the gevent hub
# blocked). So every buffer is walked first, checking that each length fits in what is
# left and each type code is real; thriftpy2 then only ever reads bytes that exist.
_I32 = struct.Struct(">i")
_FIXED_SIZE = {TType.BOOL: 1, TType.BYTE: 1, TType.I16: 2, TType.I32: 4, TType.I64: 8,
               TType.DOUBLE: 8}
_MIN_SIZE = {**_FIXED_SIZE, TType.STRING: 4, TType.STRUCT: 1, TType.MAP: 6, TType.SET: 5,
             TType.LIST: 5}
MAX_DEPTH = 64
#: Values one request may hold (see ``decode``): 50,000 decode in about 100 ms, and a
#: RespondDecisionTaskCompleted with 1,000 scheduled activities holds about 20,000.
MAX_REQUEST_VALUES = 50_000


class _Budget:
    """Values left to walk; a plain attribute is the cheapest counter in the walk."""

    __slots__ = ("left",)

    def __init__(self, left: int) -> None:
        self.left = left


def check_struct(data: bytes, max_values: int | None = None) -> int:
    """Check that ``data`` starts with a complete binary-protocol struct; return its length.

    Bytes after the struct's STOP are allowed (thriftpy2 ignores them too). With
    ``max_values``, a struct holding more values than that is refused too.
    """
    budget = _Budget(max_values if max_values is not None else 1 << 62)
    return _skip(data, 0, TType.STRUCT, 0, budget)


def _skip(data: bytes, pos: int, ttype: int, depth: int, budget: _Budget) -> int:
    end = len(data)
    size = _FIXED_SIZE.get(ttype)
    if size is not None:
        if pos + size > end:
            raise ThriftDecodeError(f"truncated value of type {ttype} at byte {pos}")
        return pos + size
    if ttype == TType.STRING:
        if pos + 4 > end:
            raise ThriftDecodeError(f"truncated string length at byte {pos}")
        length = _I32.unpack_from(data, pos)[0]
        pos += 4
        if length < 0 or length > end - pos:
            raise ThriftDecodeError(f"string of {length} bytes at byte {pos} overruns the "
                                    f"{end}-byte buffer")
        return pos + length
    if depth >= MAX_DEPTH:
        raise ThriftDecodeError(f"nesting deeper than {MAX_DEPTH}")
    if ttype == TType.STRUCT:
        while True:
            if pos >= end:
                raise ThriftDecodeError("struct not terminated by STOP")
            field_type = data[pos]
            if field_type == TType.STOP:
                return pos + 1
            if field_type not in _MIN_SIZE:
                raise ThriftDecodeError(f"unknown field type {field_type} at byte {pos}")
            budget.left -= 1
            if budget.left < 0:
                raise ThriftDecodeError("more values than a request may hold")
            pos = _skip(data, pos + 3, field_type, depth + 1, budget)  # type:1 id:2
    if ttype in (TType.LIST, TType.SET):
        if pos + 5 > end:
            raise ThriftDecodeError(f"truncated list header at byte {pos}")
        elem_types = (data[pos],)
        count = _I32.unpack_from(data, pos + 1)[0]
        pos += 5
    elif ttype == TType.MAP:
        if pos + 6 > end:
            raise ThriftDecodeError(f"truncated map header at byte {pos}")
        elem_types = (data[pos], data[pos + 1])
        count = _I32.unpack_from(data, pos + 2)[0]
        pos += 6
    else:
        raise ThriftDecodeError(f"unknown type {ttype}")
    if count < 0:
        raise ThriftDecodeError(f"negative container size {count}")
    if count == 0:
        return pos
    if any(t not in _MIN_SIZE for t in elem_types):
        raise ThriftDecodeError(f"unknown element type in {elem_types}")
    if count * sum(_MIN_SIZE[t] for t in elem_types) > end - pos:
        raise ThriftDecodeError(f"container of {count} elements overruns the buffer")
    budget.left -= count * len(elem_types)
    if budget.left < 0:
        raise ThriftDecodeError("more values than a request may hold")
    fixed = [_FIXED_SIZE.get(t) for t in elem_types]
    if None not in fixed:
        return pos + count * sum(fixed)  # already known to fit
    for _ in range(count):
        for elem_type in elem_types:
            pos = _skip(data, pos, elem_type, depth + 1, budget)
    return pos


_EMPTY = {TType.STRING: "", TType.LIST: list, TType.SET: set, TType.MAP: dict,
          TType.BOOL: False, TType.I16: 0, TType.I32: 0, TType.I64: 0, TType.DOUBLE: 0.0,
          TType.BYTE: 0}


def fill_required(obj: Any) -> Any:
    """Give every unset *required* field an empty value.

    thriftpy2 silently leaves out a required field that is None, but the Go client
    rejects the struct (e.g. EntityNotExistsError.activeClusters); the real server always
    writes them.
    """
    for spec in getattr(obj, "thrift_spec", {}).values():
        ttype, name, required = spec[0], spec[1], spec[-1]
        if required is True and getattr(obj, name, None) is None:
            empty = _EMPTY.get(ttype)
            if callable(empty):
                empty = empty()
            elif ttype == TType.STRUCT:
                empty = fill_required(spec[2]())
            if empty is not None:
                setattr(obj, name, empty)
    return obj
