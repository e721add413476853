"""Task ids: monotonically increasing, from ranges the store hands out.

Like Cadence's shard range_id: each acquire gives [range << 20, (range + 1) << 20), so ids
never repeat across restarts or across processes sharing a store.
"""

from __future__ import annotations

from gevent.lock import Semaphore

from cadence_py.persistence.executions import ExecutionStore

RANGE_BITS = 20


class TaskIdAllocator:
    def __init__(self, store: ExecutionStore, shard_id: int = 0) -> None:
        self.store = store
        self.shard_id = shard_id
        # A gevent lock: acquiring a range writes to the store, which may yield the hub.
        self._lock = Semaphore()
        self._next = 0
        self._end = 0

    def next_ids(self, count: int = 1) -> list[int]:
        with self._lock:
            ids = []
            for _ in range(count):
                if self._next >= self._end:
                    range_id = self.store.acquire_range(self.shard_id)
                    self._next, self._end = range_id << RANGE_BITS, (range_id + 1) << RANGE_BITS
                ids.append(self._next)
                self._next += 1
            return ids

    def next_id(self) -> int:
        return self.next_ids(1)[0]
