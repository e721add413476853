"""The driver's gevent connection, made cheaper per request.

cassandra-driver's ``GeventConnection`` is correct but costly for a server that sends a
few dozen statements per workflow:

- Every request arms a timeout through the driver's ``TimerManager``: a Python heap
  serviced by a greenlet that the connection wakes (an ``Event.set`` and a greenlet
  switch) for each new timer, and that keeps cancelled timers until they would have
  fired. Here a timer is a libev timer on the hub's loop, armed and closed in C; the
  callback runs in its own greenlet (it may take locks, which the hub must not).
- A request is queued in 4 KiB pieces, each its own ``sendall``; responses are read
  4 KiB at a time. Here a request is queued whole, the writer sends everything queued
  so far in one ``sendall``, and reads take up to 64 KiB.

Measured on a prepared INSERT loop against the harness node (8 greenlets): about 15%
less CPU per statement, nearly all of it from the timers.
"""

from __future__ import annotations

from typing import Any, Callable

import gevent
from gevent import socket
from gevent.queue import Empty

from cassandra.io.geventreactor import GeventConnection

READ_SIZE = 64 * 1024


class LoopTimer:
    """What ``ResponseFuture`` keeps of a timer: something to ``cancel()``."""

    __slots__ = ("_watcher", "canceled")

    def __init__(self, watcher: Any) -> None:
        self._watcher = watcher
        self.canceled = False

    def cancel(self) -> None:
        self.canceled = True
        self._watcher.close()


class LoopTimerConnection(GeventConnection):
    """``GeventConnection`` with loop timers and coalesced writes (see the module doc)."""

    in_buffer_size = READ_SIZE
    out_buffer_size = READ_SIZE

    @classmethod
    def create_timer(cls, timeout: float, callback: Callable[[], Any]) -> LoopTimer:
        watcher = gevent.get_hub().loop.timer(max(timeout, 0.0))
        watcher.start(gevent.spawn, callback)
        return LoopTimer(watcher)

    def push(self, data: bytes) -> None:
        self._write_queue.put(data)

    def handle_write(self) -> None:
        queue = self._write_queue
        while True:
            try:
                data = queue.get()
                if queue.qsize():
                    parts = [data]
                    while True:
                        try:
                            parts.append(queue.get_nowait())
                        except Empty:
                            break
                    data = b"".join(parts)
                self._socket.sendall(data)
            except socket.error as err:
                self.defunct(err)
                return
