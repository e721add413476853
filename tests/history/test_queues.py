"""The queue processors: handled tasks are deleted in batches and never run twice while
their deletion is pending; the timer processor reads ahead instead of once per firing."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import gevent
import pytest

from cadence_py.history import queues
from cadence_py.persistence import records as r
from cadence_py.persistence.sqlite.executions import SQLiteExecutionStore
from cadence_py.persistence.sqlite.store import SQLiteStore
from tests.persistence.test_execution_store_contract import batch, ids, new_state

SECOND = 1_000_000_000


class CountingStore:
    """The real SQLite store, counting the queue calls the processors make."""

    def __init__(self, inner: SQLiteExecutionStore) -> None:
        self.inner = inner
        self.calls: dict[str, int] = {}
        self.completed: list[list[Any]] = []

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self.inner, name)
        if not name.startswith(("get_", "complete_")):
            return attr

        def counted(*args: Any) -> Any:
            self.calls[name] = self.calls.get(name, 0) + 1
            if name.startswith("complete_"):
                self.completed.append(list(args[0]))
            return attr(*args)
        return counted


class Engine:
    """What the processors use of the history engine."""

    def __init__(self, store: CountingStore) -> None:
        self.store = store
        self.domains = None
        self.transfer_listeners: list[Any] = []
        self.timer_listeners: list[Any] = []


@pytest.fixture
def engine(tmp_path: Path) -> Any:
    db = SQLiteStore(tmp_path / "q.db")
    yield Engine(CountingStore(SQLiteExecutionStore(db)))
    db.close()


def _with_timers(engine: Engine, fire_times: list[int]) -> list[r.TimerTask]:
    state = new_state(*ids())
    info = state.info
    tasks = [r.TimerTask(r.TIMER_USER, info.domain_id, info.workflow_id, info.run_id, fire,
                         task_id=100 + i) for i, fire in enumerate(fire_times)]
    engine.store.create_workflow(state, batch(1, 3, 1), [], tasks)
    return tasks


def _wait_for(condition: Any, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        gevent.sleep(0.01)


def _started_after_first_read(engine: Engine, monkeypatch: pytest.MonkeyPatch
                              ) -> tuple[queues.TimerQueueProcessor, list[int]]:
    """A started timer processor whose first (empty) read is done; firing is recorded."""
    fired: list[int] = []
    monkeypatch.setattr(queues.timers, "fire", lambda _engine, task: fired.append(task.task_id))
    processor = queues.TimerQueueProcessor(engine)  # type: ignore[arg-type]
    processor.start()
    _wait_for(lambda: engine.store.calls.get("get_timer_tasks") == 1)
    return processor, fired


def test_timers_fire_from_one_read_and_are_deleted_in_one_batch(
        engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    fired: list[int] = []
    monkeypatch.setattr(queues.timers, "fire", lambda _engine, task: fired.append(task.task_id))
    now = time.time_ns()
    soon, later, far = _with_timers(engine, [now - SECOND, now + SECOND // 2,
                                             now + 3600 * SECOND])
    processor = queues.TimerQueueProcessor(engine)  # type: ignore[arg-type]
    processor.start()
    try:
        _wait_for(lambda: fired == [soon.task_id, later.task_id])
        _wait_for(lambda: not processor.completing)
    finally:
        processor.stop()
    assert engine.store.calls["get_timer_tasks"] == 1  # both came from one read ahead
    assert sorted(t.task_id for b in engine.store.completed for t in b) == [soon.task_id,
                                                                           later.task_id]
    assert engine.store.inner.get_timer_tasks(now + 7200 * SECOND, 10) == [far]


def test_a_handled_timer_awaiting_deletion_is_not_fired_again(
        engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    fired: list[int] = []
    monkeypatch.setattr(queues.timers, "fire", lambda _engine, task: fired.append(task.task_id))
    monkeypatch.setattr(queues, "FLUSH_DELAY", 1.0)  # deletion stays pending a while
    (due,) = _with_timers(engine, [time.time_ns() - SECOND])
    processor = queues.TimerQueueProcessor(engine)  # type: ignore[arg-type]
    processor.start()
    try:
        _wait_for(lambda: fired == [due.task_id] and processor.completing)
        processor._next_read = 0.0  # force a read while the row is still there
        processor.wake.set()
        _wait_for(lambda: engine.store.calls["get_timer_tasks"] >= 2)
        gevent.sleep(0.05)
        assert fired == [due.task_id]
    finally:
        processor.stop()  # writes the pending deletion before returning
    assert engine.store.inner.get_timer_tasks(time.time_ns(), 10) == []


def test_a_new_timer_within_the_lookahead_is_handed_over_not_read(
        engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    processor, fired = _started_after_first_read(engine, monkeypatch)
    try:
        (task,) = _with_timers(engine, [time.time_ns() + SECOND // 5])
        processor.hand_over([task])  # what the engine does after the write commits
        _wait_for(lambda: fired == [task.task_id])
    finally:
        processor.stop()
    assert engine.store.calls["get_timer_tasks"] == 1


def test_known_timers_fire_in_fire_time_order_and_each_once(
        engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    """Timers handed over out of order (and one handed over twice) fire oldest first,
    each once, however they reached the processor's heap."""
    processor, fired = _started_after_first_read(engine, monkeypatch)
    try:
        now = time.time_ns()
        offsets = [300, 100, 250, 50, 200, 150]  # ms from now
        tasks = _with_timers(engine, [now + ms * 1_000_000 for ms in offsets])
        processor.hand_over(tasks[:3])
        processor.hand_over(tasks[2:])  # tasks[2] twice
        _wait_for(lambda: len(fired) == len(tasks))
        gevent.sleep(0.1)
    finally:
        processor.stop()
    by_time = sorted(tasks, key=lambda t: t.fire_time)
    assert fired == [t.task_id for t in by_time]


def test_transfer_tasks_are_deleted_in_batches(engine: Engine,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    handled: list[int] = []
    monkeypatch.setattr(queues.transfer, "process",
                        lambda _engine, task: handled.append(task.task_id))
    state = new_state(*ids())
    info = state.info
    tasks = [r.TransferTask(r.TRANSFER_CLOSE, info.domain_id, info.workflow_id,
                            info.run_id, task_id=500 + i) for i in range(30)]
    engine.store.create_workflow(state, batch(1, 3, 1), tasks, [])
    processor = queues.TransferQueueProcessor(engine, matching=None)  # type: ignore[arg-type]
    processor.start()
    try:
        _wait_for(lambda: len(handled) == 30 and not processor.completing)
    finally:
        processor.stop()
    assert sorted(handled) == [t.task_id for t in tasks]
    assert len(engine.store.completed) < 30 / 2  # batched, not one call per task
    assert engine.store.inner.get_transfer_tasks(100) == []
