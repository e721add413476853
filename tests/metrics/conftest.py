"""A loopback UDP socket that receives what the statsd client sends."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest


class UdpSink:
    """Collects statsd lines sent to ``127.0.0.1:<port>``."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)  # bursts of lines
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(5)  # only a safety net: the sender is in this process
        self.port = self.sock.getsockname()[1]
        self.datagrams: list[str] = []

    def receive(self) -> str:
        data = self.sock.recv(65535).decode()
        self.datagrams.append(data)
        return data

    def lines(self, count: int) -> list[str]:
        """Exactly the next ``count`` lines (datagrams may pack several)."""
        got: list[str] = []
        while len(got) < count:
            got.extend(self.receive().split("\n"))
        assert len(got) == count, got
        return got

    def pending(self) -> list[str]:
        """Lines already queued on the socket, without waiting."""
        got: list[str] = []
        self.sock.setblocking(False)
        try:
            while True:
                got.extend(self.receive().split("\n"))
        except BlockingIOError:
            return got
        finally:
            self.sock.settimeout(5)

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def sink() -> Iterator[UdpSink]:
    s = UdpSink()
    yield s
    s.close()
