"""The state cache: copies out, stale states never come back, failed writes evict."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import gevent
import pytest

from cadence_py.history.state_cache import CachedExecutionStore
from cadence_py.persistence.errors import ConditionFailedError, PersistenceError
from cadence_py.persistence.records import HistoryBatch
from cadence_py.persistence.sqlite.executions import SQLiteExecutionStore
from cadence_py.persistence.sqlite.store import SQLiteStore
from tests.persistence.test_execution_store_contract import ids, new_state


@pytest.fixture
def cache(tmp_path: Path) -> Any:
    db = SQLiteStore(tmp_path / "c.db")
    yield CachedExecutionStore(SQLiteExecutionStore(db))
    db.close()


def _batch(first: int, nxt: int) -> HistoryBatch:
    return HistoryBatch(first_event_id=first, next_event_id=nxt, data=b"x")


def _started(cache: Any) -> Any:
    domain_id, workflow_id = ids()
    state = new_state(domain_id, workflow_id)
    cache.create_workflow(state, _batch(1, 3), [], [])
    return state


def test_loads_after_writes_are_hits_and_copies(cache: Any) -> None:
    state = _started(cache)
    info = state.info
    first = cache.get_workflow(info.domain_id, info.workflow_id, info.run_id)
    first.info.next_event_id = 99  # the caller's copy only
    again = cache.get_workflow(info.domain_id, info.workflow_id, info.run_id)
    assert again.info.next_event_id == 3 and again == state
    assert (cache.hits, cache.misses) == (2, 0)


def test_a_failed_write_evicts_and_the_store_answers(cache: Any) -> None:
    state = _started(cache)
    info = state.info
    stale = cache.get_workflow(info.domain_id, info.workflow_id, info.run_id)
    stale.info.next_event_id = 5
    with pytest.raises(ConditionFailedError):  # expects 4, the store has 3
        cache.update_workflow(stale, 4, [_batch(4, 5)], [], [])
    loaded = cache.get_workflow(info.domain_id, info.workflow_id, info.run_id)
    assert loaded.info.next_event_id == 3 and cache.misses == 1


def test_a_load_racing_a_write_does_not_put_back_the_old_state(cache: Any) -> None:
    state = _started(cache)
    info = state.info
    key = (info.domain_id, info.workflow_id, info.run_id)
    cache.forget(*key)
    inner = cache.inner
    real_get = inner.get_workflow

    def slow_get(*args: Any) -> Any:  # the read sees the old state, then a write lands
        old = real_get(*args)
        gevent.sleep(0.05)
        return old
    inner.get_workflow = slow_get
    reader = gevent.spawn(cache.get_workflow, *key)
    gevent.sleep(0.01)
    updated = real_get(*key)
    updated.info.next_event_id = 4
    cache.update_workflow(updated, 3, [_batch(3, 4)], [], [])
    assert reader.get().info.next_event_id == 3  # the reader got what it read...
    inner.get_workflow = real_get
    assert cache.get_workflow(*key).info.next_event_id == 4  # ...but the cache kept the new


def test_a_load_begun_during_a_write_does_not_put_back_the_old_state(cache: Any) -> None:
    """The write is in flight when the load starts; the load reads the old state and
    finishes after the write remembered the new one (what made a Java worker's decision
    "not found" on Cassandra: a query's describe raced RecordDecisionTaskStarted)."""
    state = _started(cache)
    info = state.info
    key = (info.domain_id, info.workflow_id, info.run_id)
    inner = cache.inner
    real_get, real_update = inner.get_workflow, inner.update_workflow

    def slow_get(*args: Any) -> Any:  # reads before the write lands, answers after
        old = real_get(*args)
        gevent.sleep(0.05)
        return old

    def slow_update(*args: Any) -> None:
        gevent.sleep(0.02)
        real_update(*args)
    inner.get_workflow, inner.update_workflow = slow_get, slow_update
    updated = real_get(*key)
    updated.info.next_event_id = 4
    writer = gevent.spawn(cache.update_workflow, updated, 3, [_batch(3, 4)], [], [])
    gevent.sleep(0.005)  # the write has begun (and forgotten the run)
    reader = gevent.spawn(cache.get_workflow, *key)
    writer.get()
    assert reader.get().info.next_event_id == 3
    inner.get_workflow = real_get
    assert cache.get_workflow(*key).info.next_event_id == 4


def test_a_failed_update_leaves_no_state_loaded_meanwhile(cache: Any) -> None:
    """A write whose outcome is unknown (a timeout may still have applied it) must not
    leave behind a state some load picked up while it was in flight."""
    state = _started(cache)
    info = state.info
    key = (info.domain_id, info.workflow_id, info.run_id)
    inner = cache.inner
    real_update = inner.update_workflow

    def failing_update(*args: Any) -> None:
        real_update(*args)  # applied...
        cache.get_workflow(*key)  # ...someone loads meanwhile...
        raise TimeoutError("no answer")  # ...and the writer never hears back
    inner.update_workflow = failing_update
    updated = cache.get_workflow(*key)
    updated.info.next_event_id = 4
    with pytest.raises(TimeoutError):
        cache.update_workflow(updated, 3, [_batch(3, 4)], [], [])
    inner.update_workflow = real_update
    misses = cache.misses
    assert cache.get_workflow(*key).info.next_event_id == 4 and cache.misses == misses + 1


class _LostAnswer:
    """The real store, whose update lands but whose caller hears an error (as when the node
    died after applying it), and which records how each load read."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.lose_next_answer = False
        self.fenced: list[bool] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def update_workflow(self, *args: Any, **kwargs: Any) -> None:
        self.inner.update_workflow(*args, **kwargs)
        if self.lose_next_answer:
            self.lose_next_answer = False
            raise PersistenceError("cassandra update_workflow: connection closed")

    def get_workflow(self, *args: Any, fenced: bool = False) -> Any:
        self.fenced.append(fenced)
        return self.inner.get_workflow(*args)


def test_a_run_whose_write_is_in_doubt_is_read_fenced_until_settled(tmp_path: Path) -> None:
    db = SQLiteStore(tmp_path / "d.db")
    try:
        store = _LostAnswer(SQLiteExecutionStore(db))
        cache = CachedExecutionStore(store)
        state = _started(cache)
        info = state.info
        key = (info.domain_id, info.workflow_id, info.run_id)
        newer = cache.get_workflow(*key)
        newer.info.next_event_id = 4
        store.lose_next_answer = True
        with pytest.raises(PersistenceError):
            cache.update_workflow(newer, 3, [_batch(3, 4)], [], [])
        assert cache.get_workflow(*key).info.next_event_id == 4  # it had landed
        assert store.fenced == [True]  # read at serial consistency, not from a plain read
        assert cache.get_workflow(*key).info.next_event_id == 4
        assert store.fenced == [True]  # settled: cached again, no second fenced read
        stale = cache.get_workflow(*key)
        stale.info.next_event_id = 6
        with pytest.raises(ConditionFailedError):  # a lost condition leaves no doubt
            cache.update_workflow(stale, 5, [_batch(5, 6)], [], [])
        cache.get_workflow(*key)
        assert store.fenced == [True, False]
    finally:
        db.close()
