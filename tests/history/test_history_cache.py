"""The history cache: reads of what this process wrote skip the store, and only while
the kept batches are exactly what the store holds."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cadence_py.history.history_cache import HistoryCache
from cadence_py.history.state_cache import CachedExecutionStore
from cadence_py.persistence.errors import ConditionFailedError
from cadence_py.persistence.executions import NewRun
from cadence_py.persistence.records import HistoryBatch
from cadence_py.persistence.sqlite.executions import SQLiteExecutionStore
from cadence_py.persistence.sqlite.store import SQLiteStore
from tests.persistence.test_execution_store_contract import ids, new_state


def _batch(first: int, nxt: int, data: bytes = b"x") -> HistoryBatch:
    return HistoryBatch(first_event_id=first, next_event_id=nxt, data=data + bytes([first]))


class _CountingStore(SQLiteExecutionStore):
    reads = 0

    def read_history(self, *args: Any) -> list[HistoryBatch]:
        self.reads += 1
        return super().read_history(*args)


@pytest.fixture
def store(tmp_path: Path) -> Any:
    db = SQLiteStore(tmp_path / "h.db")
    inner = _CountingStore(db)
    yield CachedExecutionStore(inner), inner
    db.close()


def test_reads_of_written_history_are_the_stores_answer_without_the_store(store: Any) -> None:
    cache, inner = store
    domain_id, workflow_id = ids()
    state = new_state(domain_id, workflow_id)
    run_id = state.info.run_id
    cache.create_workflow(state, _batch(1, 3), [], [])
    written = cache.get_workflow(domain_id, workflow_id, run_id)
    written.info.next_event_id = 6
    cache.update_workflow(written, 3, [_batch(3, 5), _batch(5, 6)], [], [])
    for first, nxt in [(1, 6), (1, 3), (3, 6), (4, 6), (5, 6), (1, 4), (6, 6)]:
        from_cache = cache.read_history(run_id, first, nxt)
        assert from_cache == inner.read_history(run_id, first, nxt), (first, nxt)
    assert inner.reads == 7 and cache.history.hits == 7
    assert cache.read_history(run_id, 1, 7) == inner.read_history(run_id, 1, 7)  # beyond: store
    assert inner.reads == 9


def test_a_failed_write_drops_the_run_and_the_store_answers(store: Any) -> None:
    cache, inner = store
    domain_id, workflow_id = ids()
    state = new_state(domain_id, workflow_id)
    run_id = state.info.run_id
    cache.create_workflow(state, _batch(1, 3), [], [])
    stale = cache.get_workflow(domain_id, workflow_id, run_id)
    stale.info.next_event_id = 5
    with pytest.raises(ConditionFailedError):  # expects 4, the store has 3
        cache.update_workflow(stale, 4, [_batch(4, 5)], [], [])
    assert cache.read_history(run_id, 1, 3) == [_batch(1, 3)]
    assert inner.reads == 1


def test_a_new_run_of_an_update_is_kept_from_its_first_event(store: Any) -> None:
    cache, inner = store
    domain_id, workflow_id = ids()
    state = new_state(domain_id, workflow_id)
    cache.create_workflow(state, _batch(1, 3), [], [])
    closing = cache.get_workflow(domain_id, workflow_id, state.info.run_id)
    closing.info.next_event_id = 4
    successor = new_state(domain_id, workflow_id)
    cache.update_workflow(closing, 3, [_batch(3, 4)], [], [],
                          NewRun(successor, _batch(1, 3, b"new"), [], []))
    assert cache.read_history(successor.info.run_id, 1, 3) == [_batch(1, 3, b"new")]
    assert cache.read_history(state.info.run_id, 1, 4) == [_batch(1, 3), _batch(3, 4)]
    assert inner.reads == 0
    cache.delete_workflow(domain_id, workflow_id, state.info.run_id)
    assert cache.read_history(state.info.run_id, 1, 4) == [] and inner.reads == 1


def test_only_contiguous_small_histories_from_event_one_are_kept() -> None:
    cache = HistoryCache(max_runs=2, max_bytes=10)
    cache.committed("late", [_batch(4, 5)])  # its start was written elsewhere
    cache.committed("gap", [_batch(1, 3)])
    cache.committed("gap", [_batch(4, 5)])  # event 3 missing: dropped
    cache.committed("big", [_batch(1, 2, b"0123456789")])  # 11 bytes > 10
    assert [cache.read(r, 1, 2) for r in ("late", "gap", "big")] == [None, None, None]
    for run in ("a", "b", "c"):  # two runs kept: the oldest goes
        cache.committed(run, [_batch(1, 2)])
    assert cache.read("a", 1, 2) is None and cache.read("c", 1, 2) == [_batch(1, 2)]
    kept = _batch(2, 3)
    cache.committed("c", [kept])
    kept.data = b"changed by the writer"
    assert cache.read("c", 2, 3) == [_batch(2, 3)]  # a copy was kept
