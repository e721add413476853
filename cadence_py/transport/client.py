"""A small TChannel client: one connection, many concurrent calls.

Our tests and tools use it to talk to cadence-py (or to the upstream server).
"""

from __future__ import annotations

import socket

import gevent
from gevent import socket as gsocket

from cadence_py.transport.checksum import ChecksumType
from cadence_py.transport.connection import Connection
from cadence_py.transport.messages import CallResponse


class TChannelClient:
    """Connects lazily; ``call`` may be used from many greenlets at once."""

    def __init__(self, host: str = "127.0.0.1", port: int = 7933, *,
                 caller: str = "cadence-py-client", connect_timeout: float = 5.0) -> None:
        self.host = host
        self.port = port
        self.caller = caller
        self.connect_timeout = connect_timeout
        self._conn: Connection | None = None
        self._reader: gevent.Greenlet | None = None

    def connect(self) -> Connection:
        if self._conn is not None and not self._conn.closed:
            return self._conn
        sock = gsocket.create_connection((self.host, self.port), timeout=self.connect_timeout)
        sock.settimeout(None)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        conn = Connection(sock, process_name=self.caller)
        conn.start_handshake()
        self._conn = conn
        self._reader = gevent.spawn(conn.serve)
        return conn

    def call(self, service: str, method: str, arg2: bytes, arg3: bytes, *,
             headers: dict[str, str] | None = None, ttl_ms: int = 5000,
             csum_type: ChecksumType = ChecksumType.CRC32) -> CallResponse:
        transport_headers = {"as": "thrift", "cn": self.caller}
        transport_headers.update(headers or {})
        return self.connect().call(service, method.encode(), arg2, arg3,
                                   headers=transport_headers, ttl_ms=ttl_ms,
                                   csum_type=csum_type)

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
        if self._reader is not None:
            self._reader.join(timeout=1)
        self._conn = None

    def __enter__(self) -> "TChannelClient":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
