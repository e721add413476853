"""Request bytes for the fuzzer (tests/faults/test_fuzz.py), written by our own small
Thrift binary writer so that anything can be produced: well-typed requests, the same
with fields of the wrong type, strings that are not UTF-8, oversize values, and random
mutations of well-typed bytes.

Everything comes from one ``random.Random``, so a seed reproduces the whole sequence.
"""

from __future__ import annotations

import random
import struct
from dataclasses import dataclass, field
from typing import Any

from thriftpy2.thrift import TType

from cadence_py.rpc.dispatch import MethodSpec

KINDS = ("valid", "mutated", "wrong_type", "bad_utf8", "oversize")
WEIGHTS = (35, 25, 15, 15, 3)
_WIRE = {TType.BINARY: TType.STRING}  # binary goes on the wire as a string
_SCALARS = (TType.BOOL, TType.BYTE, TType.I16, TType.I32, TType.I64, TType.DOUBLE,
            TType.STRING)
_INVALID_UTF8 = (b"\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\xf8\x88\x80\x80\x80", b"\x80")


@dataclass
class Pools:
    """Values that make requests reach past the first checks: the real domain, ids of
    runs that exist, a real task token."""

    strings: list[str] = field(default_factory=list)
    binaries: list[bytes] = field(default_factory=list)


class RequestFuzzer:
    def __init__(self, rng: random.Random, pools: Pools, max_depth: int = 6) -> None:
        self.rng = rng
        self.pools = pools
        self.max_depth = max_depth
        self._oversize = False
        self._bad_utf8 = False
        self._wrong = False
        self._big_used = False

    def request(self, spec: MethodSpec) -> tuple[str, bytes]:
        """(kind, arg3) for one call of ``spec``'s method."""
        kind = self.rng.choices(KINDS, WEIGHTS)[0]
        self._wrong = kind == "wrong_type"
        self._bad_utf8 = kind == "bad_utf8"
        self._oversize = kind == "oversize"
        self._big_used = False
        data = self._struct(spec.args_cls, 0, required_only=False)
        if kind == "mutated":
            data = self._mutate(data)
        return kind, data

    # ------------------------------------------------------------ structure
    def _struct(self, cls: type, depth: int, required_only: bool = False) -> bytes:
        out = bytearray()
        for fid, spec in sorted(cls.thrift_spec.items()):
            if self.rng.random() < (0.35 if depth < self.max_depth else 0.95):
                continue  # optional fields are often unset
            ttype, extra = spec[0], spec[2] if len(spec) == 4 else None
            if self._wrong and self.rng.random() < 0.2:
                ttype, extra = self.rng.choice(_SCALARS), None
            out += struct.pack(">bh", _WIRE.get(ttype, ttype), fid)
            out += self._value(ttype, extra, depth + 1, spec[1])
        out.append(TType.STOP)
        return bytes(out)

    def _value(self, ttype: int, extra: Any, depth: int, name: str = "") -> bytes:
        rng = self.rng
        if ttype == TType.BOOL:
            return bytes([rng.choice([0, 1, 2, 255])])
        if ttype == TType.BYTE:
            return struct.pack(">b", rng.randint(-128, 127))
        if ttype == TType.I16:
            return struct.pack(">h", rng.choice([0, 1, -1, 32767, -32768, rng.randint(0, 99)]))
        if ttype == TType.I32:
            return struct.pack(">i", self._int(2**31, extra))
        if ttype == TType.I64:
            return struct.pack(">q", self._int(2**63, None))
        if ttype == TType.DOUBLE:
            return struct.pack(">d", rng.choice([0.0, 1.5, -1.0, 1e308, float("nan"),
                                                 float("inf")]))
        if ttype == TType.STRING:
            return self._string(self._text(name))
        if ttype == TType.BINARY:
            return self._string(self._blob())
        if ttype == TType.STRUCT:
            return self._struct(extra, depth)
        if ttype in (TType.LIST, TType.SET):
            etype, eextra = _element(extra)
            count = self._count()
            count, body = self._elements(count, lambda: self._value(etype, eextra, depth + 1))
            return struct.pack(">bi", _WIRE.get(etype, etype), count) + body
        if ttype == TType.MAP:
            (ktype, kextra), (vtype, vextra) = _element(extra[0]), _element(extra[1])
            count = self._count()
            count, body = self._elements(count, lambda: self._value(ktype, kextra, depth + 1)
                                         + self._value(vtype, vextra, depth + 1))
            return struct.pack(">bbi", _WIRE.get(ktype, ktype), _WIRE.get(vtype, vtype),
                               count) + body
        raise AssertionError(f"type {ttype}")

    def _elements(self, count: int, one: Any) -> tuple[int, bytes]:
        """(count, body); a huge container repeats one element (generating is the
        cost), and stays under about 6 MiB."""
        if count > 100:
            element = one()
            count = min(count, 6 * 2**20 // max(len(element), 1))
            return count, element * count
        return count, b"".join(one() for _ in range(count))

    # ------------------------------------------------------------ leaves
    def _int(self, bound: int, enum: Any) -> int:
        rng = self.rng
        if enum is not None and rng.random() < 0.7:
            values = list(getattr(enum, "_VALUES_TO_NAMES", {}) or [0])
            return rng.choice(values)
        return rng.choice([0, 1, -1, bound - 1, -bound, rng.randint(0, 100),
                           rng.randint(-bound, bound - 1), 10, 60, 3600])

    def _count(self) -> int:
        if self._oversize and not self._big_used and self.rng.random() < 0.3:
            self._big_used = True  # one huge value a request
            return self.rng.choice([20_000, 60_000])
        return self.rng.choice([0, 1, 1, 2, 3])

    def _text(self, name: str) -> bytes:
        rng = self.rng
        if self._oversize and not self._big_used and rng.random() < 0.3:
            self._big_used = True
            return b"x" * rng.choice([1100, 70_000, 2 * 2**20 + 1, 5 * 2**20])
        choice = rng.random()
        if choice < 0.5 and self.pools.strings:
            text = rng.choice(self.pools.strings).encode()
        elif choice < 0.7:
            text = rng.choice([b"", b"x", b"ab-c_1", "\u00e9\u4e2d\U0001f600".encode(),
                               b"WorkflowType = 'x' order by StartTime",
                               b"CloseTime > 0 and (", b"a" * 1001])
        else:
            text = bytes(rng.randrange(32, 127) for _ in range(rng.randint(0, 40)))
        if self._bad_utf8 and rng.random() < 0.5:
            cut = rng.randint(0, len(text))
            text = text[:cut] + rng.choice(_INVALID_UTF8) + text[cut:]
        return text

    def _blob(self) -> bytes:
        rng = self.rng
        if self._oversize and not self._big_used and rng.random() < 0.3:
            self._big_used = True
            return rng.randbytes(rng.choice([100_000, 2 * 2**20 + 1, 5 * 2**20]))
        if self.pools.binaries and rng.random() < 0.4:
            return rng.choice(self.pools.binaries)
        return rng.choice([b"", b"{}", b"\x00", b'"x"', b"null", rng.randbytes(16)])

    @staticmethod
    def _string(data: bytes) -> bytes:
        return struct.pack(">i", len(data)) + data

    # ------------------------------------------------------------ mutation
    def _mutate(self, data: bytes) -> bytes:
        rng = self.rng
        buf = bytearray(data)
        for _ in range(rng.randint(1, 4)):
            op = rng.randrange(5)
            at = rng.randrange(len(buf) + 1)
            if op == 0 and buf:  # flip a byte
                at = min(at, len(buf) - 1)
                buf[at] ^= 1 << rng.randrange(8)
            elif op == 1 and buf:  # a big-endian length or count gets a wild value
                at = min(at, max(len(buf) - 4, 0))
                buf[at:at + 4] = struct.pack(">i", rng.choice([-1, 2**31 - 1, 65536, 7]))
            elif op == 2:  # insert random bytes
                buf[at:at] = rng.randbytes(rng.randint(1, 8))
            elif op == 3:  # delete a span
                del buf[at:at + rng.randint(1, 8)]
            else:  # truncate
                del buf[at:]
        return bytes(buf)


def _element(spec: Any) -> tuple[int, Any]:
    return (spec[0], spec[1]) if isinstance(spec, tuple) else (spec, None)
