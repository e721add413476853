"""Deadlines and a cap for the server's connections, so no peer can hold sockets forever.

After the handshake TChannel has no read timeout of its own, and every held socket is a
file descriptor: a peer that opens connections and goes quiet, or sends half a frame,
could use up the process's fds until nobody (not even the CLI) can connect. So:

- a frame or message that has started must complete within ``partial_timeout`` (30 s:
  far beyond any honest sender, since a frame is at most 64 KiB);
- a connection with no calls in flight and no call frames for ``idle_timeout`` (5 min;
  the Go and Java clients keep connections open between calls and reconnect when one is
  gone, as after tchannel-go's own idle sweep) is closed; a long poll is a call in
  flight, so a waiting worker is never idle; pings do not count as activity, as in
  tchannel-go's idle sweep;
- at most ``max_connections`` are open (default: sized from the fd limit, leaving
  headroom for store files, Cassandra sockets and logs); a new connection at the cap
  closes the connection idle the longest, and is refused only when every open one has
  calls in flight, so an operator's CLI still gets in while idle sockets fill the cap.
"""

from __future__ import annotations

import resource
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

IDLE_TIMEOUT = 300.0
PARTIAL_TIMEOUT = 30.0
#: Upper end of the default cap: each connection also costs a greenlet and buffers.
MAX_DEFAULT_CONNECTIONS = 16384


@dataclass
class ConnectionLimits:
    """Seconds and counts; ``max_connections`` 0 means "size it from the fd limit"."""

    idle_timeout: float = IDLE_TIMEOUT
    partial_timeout: float = PARTIAL_TIMEOUT
    max_connections: int = 0

    def cap(self) -> int:
        return self.max_connections or default_max_connections()

    def sweep_interval(self) -> float:
        """How often deadlines are checked: a quarter of the shorter one, 0.1-5 s."""
        return max(0.1, min(5.0, min(self.idle_timeout, self.partial_timeout) / 4))


def default_max_connections(fd_limit: int | None = None) -> int:
    """The cap for a process allowed ``fd_limit`` open files (default: its soft limit).

    Leaves an eighth of them (at least 64) for everything else the server opens.
    """
    if fd_limit is None:
        fd_limit = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
        if fd_limit == resource.RLIM_INFINITY:
            return MAX_DEFAULT_CONNECTIONS
    headroom = max(64, fd_limit // 8)
    return max(16, min(MAX_DEFAULT_CONNECTIONS, fd_limit - headroom))


class Tracked(Protocol):
    """What the deadlines read from a connection (transport.connection.Connection)."""

    last_activity: float

    @property
    def busy(self) -> bool: ...

    def partial_since(self) -> float | None: ...


def overdue(conn: Tracked, limits: ConnectionLimits, now: float) -> str | None:
    """Why ``conn`` must be closed now ("incomplete" or "idle"), or None."""
    started = conn.partial_since()
    if started is not None:
        return "incomplete" if now - started >= limits.partial_timeout else None
    if not conn.busy and now - conn.last_activity >= limits.idle_timeout:
        return "idle"
    return None


def longest_idle(conns: Iterable[Tracked]) -> Tracked | None:
    """The connection without calls in flight whose last call is the oldest, if any."""
    idle = [c for c in conns if not c.busy]
    return min(idle, key=lambda c: c.last_activity) if idle else None
