"""Bare Thrift binary encoding of structs (no message envelope, no frame length).

Cadence's clients put the args/result struct directly in arg3, so the usual thriftpy2
processor (which expects a TMessage envelope) is not used.
"""

from __future__ import annotations

from typing import Any, TypeVar

from thriftpy2.protocol import TCyBinaryProtocolFactory
from thriftpy2.thrift import TType
from thriftpy2.utils import deserialize, serialize

T = TypeVar("T")
_FACTORY = TCyBinaryProtocolFactory()


def encode(obj: Any) -> bytes:
    return serialize(obj, _FACTORY)


def decode(obj: T, data: bytes) -> T:
    """Fill ``obj`` (a fresh struct instance) from ``data``; raises on malformed bytes."""
    return deserialize(obj, data, _FACTORY)


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
