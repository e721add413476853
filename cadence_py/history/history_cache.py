"""Recently written run histories, in memory, so reads of them skip the store.

Why: a decision task's poll response, a "get result" long poll and the workers' sticky
polls read back events this process wrote a moment before. On Cassandra each read is a
statement (about 1 M instructions in the Python driver) plus the node's partition read;
a hello-world workflow made three of them.

What is kept: for a run whose history this process wrote from event 1 (its create, or a
continue-as-new/cron/retry run), the batches of every committed write, in order, as long
as they are contiguous and small (``MAX_BYTES``). Anything else (a failed or timed-out
write, a gap, a run written before a restart or by another process) drops the run, and
its reads go to the store as before. Reads are answered only when the kept batches cover
the whole range asked for; the store's semantics are kept: the batches whose first event
id lies in [first, next).

Correct for the same reason as the state cache (``state_cache``): the shard's range id
makes this process the only writer of its runs, and a committed node is never rewritten
(only a write that lost its condition rewrites a node, and lost writes are never kept).
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import replace
from typing import Iterable

from cadence_py.persistence.records import HistoryBatch

#: Runs kept: as many as the state cache keeps states.
DEFAULT_MAX_RUNS = 4096
#: A run's kept history is dropped past this size (reads of big histories page anyway).
MAX_BYTES = 64 * 1024


class _Tail:
    __slots__ = ("batches", "next_event_id", "size")

    def __init__(self) -> None:
        self.batches: list[HistoryBatch] = []
        self.next_event_id = 1
        self.size = 0


class HistoryCache:
    """Committed history batches of recently written runs, keyed by run id."""

    def __init__(self, max_runs: int = DEFAULT_MAX_RUNS, max_bytes: int = MAX_BYTES) -> None:
        self.max_runs = max_runs
        self.max_bytes = max_bytes
        self._runs: OrderedDict[str, _Tail] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def committed(self, run_id: str, batches: Iterable[HistoryBatch]) -> None:
        """A write of these batches was applied (a first batch with event 1 starts a run)."""
        tail = self._runs.get(run_id)
        for batch in batches:
            if tail is None:
                if batch.first_event_id != 1:
                    return  # the run's start was not written here
                tail = self._runs[run_id] = _Tail()
            if batch.first_event_id != tail.next_event_id \
                    or tail.size + len(batch.data) > self.max_bytes:
                self.drop(run_id)
                return
            tail.batches.append(replace(batch))  # the writer's object may be reused
            tail.next_event_id = batch.next_event_id
            tail.size += len(batch.data)
        if tail is not None:
            self._runs.move_to_end(run_id)
            while len(self._runs) > self.max_runs:
                self._runs.popitem(last=False)

    def drop(self, run_id: str) -> None:
        """Forget the run: a write of it failed, timed out or deleted it."""
        self._runs.pop(run_id, None)

    def read(self, run_id: str, first_event_id: int, next_event_id: int
             ) -> list[HistoryBatch] | None:
        """The batches whose first event is in [first, next), or None when not all known."""
        tail = self._runs.get(run_id)
        if tail is None or next_event_id > tail.next_event_id:
            self.misses += 1
            return None
        self.hits += 1
        return [b for b in tail.batches if first_event_id <= b.first_event_id < next_event_id]
