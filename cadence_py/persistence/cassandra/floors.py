"""Where queue scans may start: past the tombstones of completed tasks.

A completed transfer or timer task is a row deletion, and Cassandra keeps the tombstone
for gc_grace_seconds (10 days). A scan from the start of the queue walks every one of
them: the warning threshold is 1000 per read, the failure threshold 100 000, so a busy
server would first slow down and then stop reading its queues. Upstream avoids this
with per-shard ack levels; this is the in-memory equivalent.

A floor (per shard: a task id for transfer tasks, a fire time in ms for timers) is the
key scans start at. It is safe because this store performs every write itself (one
process owns the keyspace, see ``shards``):

* a write lowers the floor to its lowest key *before* sending anything, so a task can
  never become visible below the floor, however long ago its id was allocated;
* a scan that read from the floor proposes a new floor: the lowest pending key it saw
  (or, seeing none, the end of what it covered);
* that proposal is capped by the writes in flight when the scan started or begun while
  it ran (they may become visible behind it), and for a while by writes whose outcome
  is unknown (a driver error: Cassandra may still apply them).

On restart the floors start unset: the first scan of each shard reads from the start.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

UNCERTAIN_HOLD_S = 120.0  # far beyond the request timeout: a late apply has happened by then
_INF = float("inf")


@dataclass(eq=False)
class Scan:
    shard: int
    low: float  # the lowest key that may still appear behind this scan


class ScanFloors:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._floor: dict[int, int] = {}
        self._high: dict[int, int] = {}  # highest key any scan has seen, per shard
        self._inflight: dict[int, Counter[int]] = {}
        self._scans: dict[int, set[Scan]] = {}
        self._held: dict[int, list[tuple[float, int]]] = {}  # (until, key)

    def floor(self, shard: int) -> int | None:
        """The key a scan of ``shard`` starts at (None: the start of the queue)."""
        return self._floor.get(shard)

    @contextlib.contextmanager
    def writing(self, keys: dict[int, int],
                definite: tuple[type[BaseException], ...]) -> Iterator[None]:
        """Bracket a write adding tasks whose lowest key per shard is ``keys``.

        ``definite``: exception types that mean "certainly not applied"; any other
        exception holds the keys back from floors for UNCERTAIN_HOLD_S.
        """
        with self._lock:
            for shard, key in keys.items():
                if shard in self._floor and key < self._floor[shard]:
                    self._floor[shard] = key
                self._inflight.setdefault(shard, Counter())[key] += 1
                for scan in self._scans.get(shard, ()):
                    scan.low = min(scan.low, key)
        try:
            yield
        except BaseException as exc:
            if not isinstance(exc, definite):
                until = time.monotonic() + UNCERTAIN_HOLD_S
                with self._lock:
                    for shard, key in keys.items():
                        self._held.setdefault(shard, []).append((until, key))
            raise
        finally:
            with self._lock:
                for shard, key in keys.items():
                    self._inflight[shard][key] -= 1
                    if self._inflight[shard][key] <= 0:
                        del self._inflight[shard][key]

    def begin(self, shard: int) -> Scan:
        with self._lock:
            inflight = self._inflight.get(shard)
            scan = Scan(shard, min(inflight) if inflight else _INF)
            self._scans.setdefault(shard, set()).add(scan)
            return scan

    def abort(self, scan: Scan) -> None:
        """A scan that failed: it proposes nothing."""
        with self._lock:
            self._scans[scan.shard].discard(scan)

    def end(self, scan: Scan, lowest: int | None, highest: int | None,
            covered_to: int | None = None) -> None:
        """Finish a scan that read everything pending from the floor up to ``covered_to``
        (None: unbounded), seeing keys ``lowest``..``highest`` (None: no rows)."""
        with self._lock:
            self._scans[scan.shard].discard(scan)
            if highest is not None:
                self._high[scan.shard] = max(highest, self._high.get(scan.shard, highest))
            if lowest is not None:
                proposal = lowest
            elif covered_to is not None:
                proposal = covered_to + 1
            elif scan.shard in self._high:
                proposal = self._high[scan.shard] + 1
            else:
                return
            now = time.monotonic()
            held = [(u, k) for u, k in self._held.get(scan.shard, ()) if u > now]
            self._held[scan.shard] = held
            cap = min([scan.low, *(k for _, k in held)])
            new = proposal if proposal <= cap else int(cap)
            if new > self._floor.get(scan.shard, -_INF):
                self._floor[scan.shard] = new
