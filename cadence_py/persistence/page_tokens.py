"""Page tokens of every list API: a position this server wrote, checked on the way back.

A token is ``base64(crc32(body) || body)`` with ``body`` the JSON list
``[kind, *position]`` (``kind`` names the list and the token's version, e.g. ``"dn1"``
for ListDomains). ``open`` refuses anything else with InvalidPageToken (a ValueError;
the frontend answers BadRequestError "Invalid NextPageToken.", as upstream does for a
token it cannot use).

Why not the driver's paging state, as upstream passes gocql's through: a garbage paging
state makes the Cassandra node answer a protocol error, and the Python driver then
closes the connection every other request shares. A position (the last name, or the
last row's sort values) is bound as an ordinary typed value instead, so client bytes
never reach the node as anything but data, and a token works on every server process
of the cluster (no key to share). The CRC is not a secret: it only makes a garbled or
made-up token fail here instead of silently starting somewhere; a token forged with
care can at most choose where a page starts, which any client may do anyway.
"""

from __future__ import annotations

import base64
import binascii
import json
import struct
import zlib
from typing import Any

#: Longest token accepted: ours are well under 1 KiB (a domain name is at most 1000).
MAX_TOKEN_BYTES = 8192
_CRC = struct.Struct(">I")
#: ListDomains on every store: the last name of the page.
DOMAIN_TOKEN_KIND = "dn1"


class InvalidPageToken(ValueError):
    """The token was not written by ``seal`` for this list."""


def seal(kind: str, *position: Any) -> bytes:
    """A token for the page that starts after ``position`` (JSON values)."""
    body = json.dumps([kind, *position], separators=(",", ":")).encode()
    return base64.b64encode(_CRC.pack(zlib.crc32(body)) + body)


def open_token(kind: str, token: bytes, *types: type) -> list[Any]:
    """The position sealed in ``token``, each value checked against ``types``."""
    if not isinstance(token, (bytes, bytearray)) or len(token) > MAX_TOKEN_BYTES:
        raise InvalidPageToken("page token of the wrong type or size")
    try:
        raw = base64.b64decode(token, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidPageToken("page token is not base64") from None
    if len(raw) < _CRC.size or _CRC.unpack_from(raw)[0] != zlib.crc32(raw[_CRC.size:]):
        raise InvalidPageToken("page token checksum mismatch")
    try:
        value = json.loads(raw[_CRC.size:])
    except ValueError:  # JSONDecodeError and UnicodeDecodeError
        raise InvalidPageToken("page token is not JSON") from None
    if (not isinstance(value, list) or len(value) != len(types) + 1 or value[0] != kind
            or not all(_is(v, t) for v, t in zip(value[1:], types))):
        raise InvalidPageToken(f"not a {kind} page token")
    return value[1:]


def _is(value: Any, expected: type) -> bool:
    if expected is int:  # bool is an int to Python, never in our tokens
        return type(value) is int and -2**63 <= value < 2**63
    return isinstance(value, expected)
