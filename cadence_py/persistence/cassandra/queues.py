"""The transfer and timer queues in ``executions`` (row types 2 and 3), across shards.

Transfer rows sort by task id (their visibility_ts is the constant default), timer rows
by (fire time in ms, task id). A poll reads every shard at once from its scan floor
(see ``floors``) and merges. Completing a task deletes its row in the shard it was read
from, remembered by key; a task never read by this store is deleted in every shard.
"""

from __future__ import annotations

import contextlib
import heapq
import threading
from collections.abc import Callable, Iterator
from typing import Any

from cassandra.cluster import Session

from cadence_py.persistence.cassandra import task_rows as T
from cadence_py.persistence.cassandra.floors import ScanFloors
from cadence_py.persistence.cassandra.layout import (
    DEFAULT_VISIBILITY_TS,
    NANOS_PER_MS,
    ROW_TIMER,
    ROW_TRANSFER,
    TIMER_KEY,
    TRANSFER_KEY,
    UdtPacker,
    ms_of,
)
from cadence_py.persistence.records import TimerTask, TransferTask

_PK = "shard_id, type, domain_id, workflow_id, run_id, visibility_ts, task_id"
_QUEUE = ("WHERE shard_id = ? AND type = ? AND domain_id = ? AND workflow_id = ? "
          "AND run_id = ?")
_CQL = {
    "insert_transfer": (f"INSERT INTO executions ({_PK}, transfer, data, data_encoding, "
                        "created_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
    "insert_timer": (f"INSERT INTO executions ({_PK}, timer, data, data_encoding, "
                     "created_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
    "select_transfer": ("SELECT task_id, transfer, data, data_encoding FROM executions "
                        f"{_QUEUE} AND visibility_ts = ? AND task_id >= ? LIMIT ?"),
    "select_timers": ("SELECT visibility_ts, task_id, timer, data, data_encoding FROM "
                      f"executions {_QUEUE} AND visibility_ts >= ? AND visibility_ts <= ? "
                      "LIMIT ?"),
    "first_timers": ("SELECT visibility_ts, task_id, timer, data, data_encoding FROM "
                     f"executions {_QUEUE} AND visibility_ts >= ? LIMIT ?"),
    "delete": (f"DELETE FROM executions {_QUEUE} AND visibility_ts = ? AND task_id = ?"),
}
_LOWEST = -(2 ** 62)  # below any task id or timestamp we write
_NEXT_TIMER_PEEK = 20  # rows read per shard to find the exact earliest fire time

Statement = tuple[Any, tuple[Any, ...]]


class TaskQueues:
    def __init__(self, session: Session, num_shards: int, packer: UdtPacker) -> None:
        self._session = session
        self._num_shards = num_shards
        self._packer = packer
        self._q = {name: session.prepare(cql) for name, cql in _CQL.items()}
        self._transfer_floors = ScanFloors()
        self._timer_floors = ScanFloors()
        self._task_shards: dict[tuple[Any, ...], int] = {}
        self._lock = threading.Lock()

    # ---------------------------------------------------------------- writing
    def inserts(self, shard: int, transfer: list[TransferTask], timers: list[TimerTask],
                now_ms: int) -> list[Statement]:
        out: list[Statement] = []
        for t in transfer:
            cols = T.transfer_columns(t, self._packer)
            out.append((self._q["insert_transfer"], (
                shard, ROW_TRANSFER, *TRANSFER_KEY, DEFAULT_VISIBILITY_TS, t.task_id,
                cols["transfer"], cols["data"], cols["data_encoding"], now_ms)))
        for tm in timers:
            cols = T.timer_columns(tm, self._packer)
            out.append((self._q["insert_timer"], (
                shard, ROW_TIMER, *TIMER_KEY, cols["visibility_ts"], tm.task_id,
                cols["timer"], cols["data"], cols["data_encoding"], now_ms)))
        return out

    @contextlib.contextmanager
    def adding(self, shard: int, transfer: list[TransferTask], timers: list[TimerTask],
               definite: tuple[type[BaseException], ...]) -> Iterator[None]:
        """Bracket a state write that adds these tasks (keeps scan floors below them)."""
        transfer_keys = {shard: min(t.task_id for t in transfer)} if transfer else {}
        timer_keys = {shard: min(t.fire_time // NANOS_PER_MS for t in timers)} if timers else {}
        with self._transfer_floors.writing(transfer_keys, definite), \
                self._timer_floors.writing(timer_keys, definite):
            yield

    # ---------------------------------------------------------------- reading
    def _scan(self, floors: ScanFloors, name: str,
              params: Callable[[int, int], tuple[Any, ...]]) -> list[tuple[Any, list[Any]]]:
        """The query on every shard at once, from each shard's floor:
        [(floor scan, rows)] (the caller ends each scan)."""
        scans = [floors.begin(s) for s in range(self._num_shards)]
        try:
            futures = [(scan, self._session.execute_async(self._q[name], params(
                scan.shard, floors.floor(scan.shard) or _LOWEST))) for scan in scans]
            return [(scan, list(future.result())) for scan, future in futures]
        except BaseException:
            for scan in scans:
                floors.abort(scan)
            raise

    def _remember(self, key: tuple[Any, ...], shard: int) -> None:
        with self._lock:
            self._task_shards[key] = shard

    def _forget(self, key: tuple[Any, ...]) -> list[int]:
        with self._lock:
            shard = self._task_shards.pop(key, None)
        return [shard] if shard is not None else list(range(self._num_shards))

    def get_transfer_tasks(self, limit: int) -> list[TransferTask]:
        found = self._scan(self._transfer_floors, "select_transfer", lambda s, floor: (
            s, ROW_TRANSFER, *TRANSFER_KEY, DEFAULT_VISIBILITY_TS, floor, limit))
        candidates = []
        for scan, rows in found:
            ids = [r["task_id"] for r in rows]
            self._transfer_floors.end(scan, ids[0] if ids else None,
                                      ids[-1] if ids else None)
            candidates += [(scan.shard, r) for r in rows]
        tasks = []
        for shard, row in heapq.nsmallest(limit, candidates, key=lambda sr: sr[1]["task_id"]):
            self._remember(("transfer", row["task_id"]), shard)
            tasks.append(T.transfer_from_row(row))
        return tasks

    def complete_transfer_task(self, task_id: int) -> None:
        for shard in self._forget(("transfer", task_id)):
            self._session.execute(self._q["delete"], (
                shard, ROW_TRANSFER, *TRANSFER_KEY, DEFAULT_VISIBILITY_TS, task_id))

    def get_timer_tasks(self, up_to: int, limit: int) -> list[TimerTask]:
        up_to_ms = up_to // NANOS_PER_MS
        found = self._scan(self._timer_floors, "select_timers", lambda s, floor: (
            s, ROW_TIMER, *TIMER_KEY, floor, up_to_ms, limit))
        due = []
        for scan, rows in found:
            fires = [ms_of(r["visibility_ts"]) for r in rows]
            self._timer_floors.end(scan, fires[0] if fires else None,
                                   fires[-1] if fires else None, covered_to=up_to_ms)
            due += [(scan.shard, T.timer_from_row(r)) for r in rows]
        due = [(shard, t) for shard, t in due if t.fire_time <= up_to]  # same ms, later ns
        tasks = []
        for shard, task in heapq.nsmallest(limit, due, key=lambda st: (st[1].fire_time,
                                                                        st[1].task_id)):
            self._remember(("timer", task.fire_time // NANOS_PER_MS, task.task_id), shard)
            tasks.append(task)
        return tasks

    def next_timer_time(self) -> int | None:
        found = self._scan(self._timer_floors, "first_timers", lambda s, floor: (
            s, ROW_TIMER, *TIMER_KEY, floor, _NEXT_TIMER_PEEK))
        times = []
        for scan, rows in found:
            fires = [ms_of(r["visibility_ts"]) for r in rows]
            self._timer_floors.end(scan, fires[0] if fires else None,
                                   fires[-1] if fires else None)
            times += [T.timer_from_row(r).fire_time for r in rows]
        return min(times) if times else None

    def complete_timer_task(self, fire_time: int, task_id: int) -> None:
        fire_ms = fire_time // NANOS_PER_MS
        for shard in self._forget(("timer", fire_ms, task_id)):
            self._session.execute(self._q["delete"], (
                shard, ROW_TIMER, *TIMER_KEY, fire_ms, task_id))
