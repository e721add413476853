"""Per-workflow locks: one writer per run inside this process.

The store's conditional writes protect against other processes; this lock avoids
pointless conflicts between greenlets of one process.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from gevent.lock import RLock


class KeyedLocks:
    def __init__(self) -> None:
        self._locks: dict[tuple, tuple[RLock, int]] = {}

    @contextlib.contextmanager
    def hold(self, *key: str) -> Iterator[None]:
        lock, users = self._locks.get(key, (None, 0))
        if lock is None:
            lock = RLock()
        self._locks[key] = (lock, users + 1)
        try:
            with lock:
                yield
        finally:
            lock_now, users_now = self._locks[key]
            if users_now <= 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock_now, users_now - 1)
