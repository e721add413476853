"""The mutable-state cache: the last written state of recently used runs, in memory.

Why: every history call and queue task loads the run's mutable state before it acts (a
hello-world workflow loads it about a dozen times), and a load is a store read plus decoding
(on Cassandra: a partition read with UDT collections). Upstream Cadence keeps an execution
cache in the history service for the same reason.

How: a layer over the ExecutionStore. It remembers a private copy of each run's state (a
``records.clone``), taken from the state a successful create or update wrote, or from a
load. Each ``get_workflow`` hands out a fresh copy, so callers may change what they get
(updates do) without touching the cache. A write forgets the run when it starts (it may yield, and
the old state must not be acted on meanwhile) and remembers the new state when it succeeded;
a write that fails leaves the run forgotten, so the next load reads the store (a timed-out
write may or may not have landed). A load remembers what it read only if no write of that run
overlapped the read: none was in flight when it began, and none began before it ended. A
read that overlaps a write may return the old state after the write remembered the new one,
and must not put the old one back (on Cassandra that once lost a started decision: a query's
describe raced RecordDecisionTaskStarted, and the worker's completion was "not found").

A write that failed without proving it did not land (a timeout, a node that died under it:
not a lost condition) leaves its runs *in doubt*: it may still be applied. On Cassandra a
conditional write the node accepted but had not committed when it died is invisible to
ordinary reads until the next conditional write on the partition finishes it, so a plain
read returned the state before it, and a timer task that write had added then judged
itself stale against that state and was dropped (a started decision never timed out).
Until a write of the run succeeds or loses its condition (either settles the doubt), its
loads are ``fenced`` reads (Cassandra: serial consistency), which finish or void the
write first.

It is only right while this process is the one writer of its runs, which the shard's range
id already guarantees: a write after another owner took the shard fails its condition, and
the failure evicts the entry.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from cadence_py.history.history_cache import HistoryCache
from cadence_py.persistence.errors import ConditionFailedError
from cadence_py.persistence.executions import (ExecutionStore, NewRun,
                                               WorkflowAlreadyExistsError)
from cadence_py.persistence.records import (
    HistoryBatch,
    MutableState,
    TimerTask,
    TransferTask,
    clone,
)

#: Runs kept (a hello-world state is a few KB of objects).
DEFAULT_MAX_RUNS = 4096
#: Failures that prove the write's conditional round ran (it lost): nothing left in doubt.
_SETTLED = (ConditionFailedError, WorkflowAlreadyExistsError)

_Key = tuple[str, str, str]


def _key(state: MutableState) -> _Key:
    info = state.info
    return info.domain_id, info.workflow_id, info.run_id


class CachedExecutionStore:
    """An ExecutionStore that answers ``get_workflow`` and ``read_history`` from memory
    when it can (histories: ``history_cache``)."""

    def __init__(self, inner: ExecutionStore, max_runs: int = DEFAULT_MAX_RUNS) -> None:
        self.inner = inner
        self.max_runs = max_runs
        self._states: OrderedDict[_Key, MutableState] = OrderedDict()
        self._writing: dict[_Key, int] = {}  # runs with a write in flight, and how many
        self._loading: dict[_Key, object] = {}  # a load's ticket; a write tears it up
        self._in_doubt: set[_Key] = set()  # a failed write may still change these runs
        self.history = HistoryCache(max_runs)  # what the writes below appended
        self.hits = 0
        self.misses = 0

    def __getattr__(self, name: str) -> Any:  # every other store method passes through
        return getattr(self.inner, name)

    # ------------------------------------------------------------------ cache
    def _remember(self, state: MutableState) -> None:
        key = _key(state)
        self._states[key] = clone(state)
        self._states.move_to_end(key)
        while len(self._states) > self.max_runs:
            self._states.popitem(last=False)

    def forget(self, domain_id: str, workflow_id: str, run_id: str) -> None:
        self._states.pop((domain_id, workflow_id, run_id), None)

    def suspect(self, domain_id: str, workflow_id: str, run_id: str) -> None:
        """A task proved the run's state (cached or read) older than the store's: forget
        it and read the run fenced next time."""
        key = (domain_id, workflow_id, run_id)
        self._states.pop(key, None)
        self._in_doubt.add(key)

    def _begin_write(self, keys: list[_Key]) -> None:
        """Forget the runs and void the tickets of loads under way: while the write is in
        flight (it may yield) nobody may act on the old state as if it were current."""
        for key in keys:
            self._writing[key] = self._writing.get(key, 0) + 1
            self._states.pop(key, None)
            self._loading.pop(key, None)

    def _end_write(self, keys: list[_Key], written: list[MutableState] | None,
                   failure: BaseException | None = None) -> None:
        for key in keys:
            left = self._writing[key] - 1
            if left:
                self._writing[key] = left
            else:
                del self._writing[key]
            if failure is None or isinstance(failure, _SETTLED):
                self._in_doubt.discard(key)
            else:
                self._in_doubt.add(key)
        for state in written or ():
            if _key(state) not in self._writing:  # a later write of it is still in flight
                self._remember(state)

    # ------------------------------------------------------------------ store
    def get_workflow(self, domain_id: str, workflow_id: str, run_id: str, *,
                     fenced: bool = False) -> MutableState:
        key = (domain_id, workflow_id, run_id)
        cached = self._states.get(key)
        if cached is not None:
            self.hits += 1
            self._states.move_to_end(key)
            return clone(cached)  # the caller may change its copy; ours stays as written
        self.misses += 1
        ticket = None
        if key not in self._writing:
            ticket = self._loading[key] = object()
        doubt = key in self._in_doubt
        try:
            if fenced or doubt:
                state = self.inner.get_workflow(domain_id, workflow_id, run_id, fenced=True)
            else:
                state = self.inner.get_workflow(domain_id, workflow_id, run_id)
        finally:
            valid = ticket is not None and self._loading.get(key) is ticket
            if valid:
                del self._loading[key]
        if valid:  # no write of this run overlapped the read
            if doubt:
                self._in_doubt.discard(key)  # the fenced read settled it
            self._remember(state)
        return state

    def create_workflow(self, state: MutableState, batch: HistoryBatch,
                        transfer_tasks: list[TransferTask], timer_tasks: list[TimerTask],
                        previous_run_id: str | None = None) -> None:
        keys = [_key(state)]
        self._begin_write(keys)
        written, failure = None, None
        try:
            self.inner.create_workflow(state, batch, transfer_tasks, timer_tasks,
                                       previous_run_id)
            written = [state]
        except BaseException as exc:
            failure = exc
            raise
        finally:
            self._end_write(keys, written, failure)
            failure = None
            self._history_written([(state.info.run_id, [batch])], written is not None)

    def update_workflow(self, state: MutableState, expected_next_event_id: int,
                        batches: list[HistoryBatch], transfer_tasks: list[TransferTask],
                        timer_tasks: list[TimerTask], new_run: NewRun | None = None) -> None:
        runs = [state] if new_run is None else [state, new_run.state]
        keys = [_key(run) for run in runs]
        self._begin_write(keys)
        appended = [(state.info.run_id, batches)]
        if new_run is not None:
            appended.append((new_run.state.info.run_id, [new_run.batch]))
        written, failure = None, None
        try:
            self.inner.update_workflow(state, expected_next_event_id, batches,
                                       transfer_tasks, timer_tasks, new_run)
            written = runs
        except BaseException as exc:
            failure = exc
            raise
        finally:
            self._end_write(keys, written, failure)
            failure = None
            self._history_written(appended, written is not None)

    def delete_workflow(self, domain_id: str, workflow_id: str, run_id: str) -> None:
        keys = [(domain_id, workflow_id, run_id)]
        self._begin_write(keys)
        try:
            self.inner.delete_workflow(domain_id, workflow_id, run_id)
        finally:
            self._end_write(keys, None)
            self.history.drop(run_id)

    def read_history(self, run_id: str, first_event_id: int, next_event_id: int,
                     max_txn_id: int = 0) -> list[HistoryBatch]:
        known = self.history.read(run_id, first_event_id, next_event_id)
        if known is not None:  # committed batches only: none is above any bound
            return known
        return self.inner.read_history(run_id, first_event_id, next_event_id, max_txn_id)

    def _history_written(self, appended: list[tuple[str, list[HistoryBatch]]],
                         applied: bool) -> None:
        """Keep what an applied write appended; a failed one (it may still have landed,
        if it timed out) drops its runs, whose reads then go to the store."""
        for run_id, batches in appended:
            if applied:
                self.history.committed(run_id, batches)
            else:
                self.history.drop(run_id)
