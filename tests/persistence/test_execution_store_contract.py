"""One contract for every ExecutionStore and TaskStore: SQLite and Cassandra alike.

The SQLite store is the reference; the Cassandra one lays the same records out in
Cadence's ``executions`` / ``history_*`` / ``tasks`` tables. The Cassandra keyspace is
shared by the module's tests (made once with the schema tool), so each test uses fresh
domain and workflow ids, and the queue tests first drain what earlier tests left.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import MISSING, fields, replace
from pathlib import Path
from typing import Any

import pytest

from cadence_py.history.codec import encode_events
from cadence_py.persistence.errors import ConditionFailedError, EntityNotExistsError
from cadence_py.persistence.executions import (
    MatchingTask,
    NewRun,
    WorkflowAlreadyExistsError,
)
from cadence_py.persistence.records import (
    CLOSE_COMPLETED,
    CLOSE_CONTINUED_AS_NEW,
    STATE_COMPLETED,
    STATE_RUNNING,
    TIMER_ACTIVITY_TIMEOUT,
    TIMER_USER,
    TRANSFER_ACTIVITY,
    TRANSFER_DECISION,
    TRANSFER_START_CHILD,
    ActivityInfo,
    ChildInfo,
    ExecutionInfo,
    HistoryBatch,
    MutableState,
    RequestCancelInfo,
    SignalInfo,
    TimerInfo,
    TimerTask,
    TransferTask,
)
from cadence_py.history.state_cache import CachedExecutionStore
from cadence_py.persistence.sqlite.executions import SQLiteExecutionStore, SQLiteTaskStore
from cadence_py.persistence.sqlite.store import SQLiteStore
from cadence_py.rpc import idl
from tests.persistence.test_domain_store_contract import keyspace_session

# "cached-sqlite": the history role's state cache over SQLite must keep the same contract.
# "sqlite-writer": the same file with its writes in a writer process (`writerProcess: true`).
BACKENDS = ["sqlite", "cached-sqlite", "sqlite-writer",
            pytest.param("cassandra", marks=pytest.mark.cassandra)]
SECOND = 1_000_000_000


# ------------------------------------------------------------------ fixtures
@pytest.fixture(scope="module")
def cassandra_session(cassandra_node) -> Iterator[Any]:  # type: ignore[no-untyped-def]
    with keyspace_session(cassandra_node) as session:
        yield session


@pytest.fixture(params=BACKENDS)
def stores(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Any, Any]]:
    """(ExecutionStore, TaskStore) of one backend."""
    if request.param in ("sqlite", "cached-sqlite", "sqlite-writer"):
        db = SQLiteStore(tmp_path / "x.db", writer_process=request.param == "sqlite-writer")
        executions: Any = SQLiteExecutionStore(db)
        if request.param == "cached-sqlite":
            executions = CachedExecutionStore(executions)
        yield executions, SQLiteTaskStore(db)
        db.close()
        return
    from cadence_py.persistence.cassandra.executions import CassandraExecutionStore
    from cadence_py.persistence.cassandra.tasks import CassandraTaskStore

    session = request.getfixturevalue("cassandra_session")
    yield CassandraExecutionStore(session, num_shards=4), CassandraTaskStore(session)


@pytest.fixture
def store(stores: tuple[Any, Any]) -> Any:
    return stores[0]


@pytest.fixture
def task_store(stores: tuple[Any, Any]) -> Any:
    return stores[1]


# ------------------------------------------------------------------ builders
def ids() -> tuple[str, str]:
    """A fresh (domain id, workflow id)."""
    return str(uuid.uuid4()), f"wf-{uuid.uuid4().hex[:12]}"


def new_state(domain_id: str, workflow_id: str, next_event_id: int = 3,
              run_id: str | None = None) -> MutableState:
    run_id = run_id or str(uuid.uuid4())
    return MutableState(info=ExecutionInfo(
        domain_id=domain_id, workflow_id=workflow_id, run_id=run_id, first_run_id=run_id,
        task_list="tl", workflow_type="wt", workflow_timeout=60, decision_timeout=10,
        state=STATE_RUNNING, next_event_id=next_event_id,
        create_request_id=str(uuid.uuid4()), start_time=time.time_ns()))


def batch(first: int, nxt: int, txn_id: int) -> HistoryBatch:
    """A real History blob of events first..nxt-1 (Cassandra derives the end from it)."""
    shared = idl.shared()
    events = [shared.HistoryEvent(eventId=i, timestamp=time.time_ns(), version=-24,
                                  taskId=txn_id) for i in range(first, nxt)]
    return HistoryBatch(first, nxt, encode_events(events), "thriftrw", txn_id)


def close(state: MutableState, status: int = CLOSE_COMPLETED) -> MutableState:
    out = replace(state, info=replace(state.info, state=STATE_COMPLETED, close_status=status,
                                      next_event_id=state.info.next_event_id + 1))
    return out


def drain(store: Any) -> None:
    """Complete every pending queue task (earlier tests share the Cassandra keyspace)."""
    while tasks := store.get_transfer_tasks(1000):
        store.complete_transfer_tasks(tasks)
    far = time.time_ns() + 10 * 365 * 86400 * SECOND
    while timers := store.get_timer_tasks(far, 1000):
        store.complete_timer_tasks(timers)


def start(store: Any, next_event_id: int = 3, **kw: Any) -> MutableState:
    domain_id, workflow_id = ids()
    state = new_state(domain_id, workflow_id, next_event_id)
    store.create_workflow(state, batch(1, next_event_id, 1), [], [], **kw)
    return state


# ------------------------------------------------------------------ runs
def test_create_then_get_and_current(store: Any) -> None:
    domain_id, workflow_id = ids()
    state = new_state(domain_id, workflow_id)
    first = batch(1, 3, 7)
    store.create_workflow(state, first, [], [])

    assert store.get_workflow(domain_id, workflow_id, state.info.run_id) == state
    current = store.get_current(domain_id, workflow_id)
    assert (current.run_id, current.create_request_id, current.state, current.close_status) \
        == (state.info.run_id, state.info.create_request_id, STATE_RUNNING, 0)
    assert store.read_history(state.info.run_id, 1, 3) == [first]


def test_a_fenced_read_is_a_read(store: Any) -> None:
    """``fenced`` (after a write left in doubt) reads the same state, and not-found alike
    (on Cassandra it is a serial-consistency read through the same statement)."""
    state = start(store)
    info = state.info
    assert store.get_workflow(info.domain_id, info.workflow_id, info.run_id,
                              fenced=True) == state
    with pytest.raises(EntityNotExistsError):
        store.get_workflow(info.domain_id, info.workflow_id, str(uuid.uuid4()), fenced=True)


def _orphan_node(store: Any, run_id: str, orphan: HistoryBatch) -> None:
    """A node row no state refers to, as a write in doubt leaves it when its conditional
    part later loses (nothing deletes the row): written beside the store's API."""
    inner = getattr(store, "inner", store)
    if hasattr(inner, "_history"):  # Cassandra: history_node is written before the LWT
        inner._history.append("", "", run_id, [orphan])
        return
    import sqlite3

    with sqlite3.connect(inner.db.path) as conn:  # SQLite never leaves one; made by hand
        conn.execute("INSERT INTO history_node(tree_id, node_id, txn_id, next_event_id, "
                     "data, data_encoding) VALUES (?, ?, ?, ?, ?, ?)",
                     (run_id, orphan.first_event_id, orphan.txn_id, orphan.next_event_id,
                      orphan.data, orphan.encoding))


def test_history_rows_above_the_states_last_txn_are_not_read(store: Any) -> None:
    """For one node the row with the highest txn id wins, but never one above the state's
    last_event_task_id: that row's write did not land, and a batch already served must not
    be replaced by it."""
    state = start(store)  # node 1, txn 1
    run_id = state.info.run_id
    served = store.read_history(run_id, 1, 3, 1)
    _orphan_node(store, run_id, batch(1, 3, 9))
    assert store.read_history(run_id, 1, 3, 1) == served
    if not isinstance(store, CachedExecutionStore):  # the cache keeps committed batches
        assert [b.txn_id for b in store.read_history(run_id, 1, 3)] == [9]  # no bound


def test_unknown_runs_do_not_exist(store: Any) -> None:
    state = start(store)
    domain_id, workflow_id = state.info.domain_id, state.info.workflow_id
    with pytest.raises(EntityNotExistsError):
        store.get_current(domain_id, "never-started")
    with pytest.raises(EntityNotExistsError):
        store.get_workflow(domain_id, workflow_id, str(uuid.uuid4()))
    with pytest.raises(EntityNotExistsError):
        store.get_workflow(str(uuid.uuid4()), workflow_id, state.info.run_id)
    assert store.read_history(str(uuid.uuid4()), 1, 100) == []


def test_second_create_is_already_exists_with_the_current_run(store: Any) -> None:
    state = start(store)
    info = state.info
    again = new_state(info.domain_id, info.workflow_id)
    with pytest.raises(WorkflowAlreadyExistsError) as caught:
        store.create_workflow(again, batch(1, 3, 2), [], [])
    assert caught.value.current.run_id == info.run_id
    assert caught.value.current.create_request_id == info.create_request_id
    assert caught.value.current.state == STATE_RUNNING
    with pytest.raises(EntityNotExistsError):  # the loser left nothing behind
        store.get_workflow(info.domain_id, info.workflow_id, again.info.run_id)
    assert store.read_history(again.info.run_id, 1, 100) == []


def test_create_replacing_the_previous_run(store: Any) -> None:
    first = start(store)
    info = first.info
    store.update_workflow(close(first), 3, [], [], [])
    second = new_state(info.domain_id, info.workflow_id)
    store.create_workflow(second, batch(1, 3, 5), [], [], previous_run_id=info.run_id)
    assert store.get_current(info.domain_id, info.workflow_id).run_id == second.info.run_id

    stale = new_state(info.domain_id, info.workflow_id)
    with pytest.raises(WorkflowAlreadyExistsError) as caught:
        store.create_workflow(stale, batch(1, 3, 6), [], [], previous_run_id=info.run_id)
    assert caught.value.current.run_id == second.info.run_id
    assert caught.value.current.create_request_id == second.info.create_request_id

    domain_id, workflow_id = ids()
    with pytest.raises(ConditionFailedError):
        store.create_workflow(new_state(domain_id, workflow_id), batch(1, 3, 7), [], [],
                              previous_run_id=str(uuid.uuid4()))


def test_update_needs_the_expected_next_event_id(store: Any) -> None:
    state = start(store)
    info = state.info
    moved = replace(state, info=replace(info, next_event_id=5, last_first_event_id=3))
    store.update_workflow(moved, 3, [batch(3, 5, 10)], [], [])
    assert store.get_workflow(info.domain_id, info.workflow_id, info.run_id) == moved

    stale = replace(state, info=replace(info, next_event_id=6, cron_schedule="stale"))
    with pytest.raises(ConditionFailedError):
        store.update_workflow(stale, 3, [batch(3, 6, 11)], [], [])
    assert store.get_workflow(info.domain_id, info.workflow_id, info.run_id) == moved
    # The loser's history batch (higher txn id!) is not visible.
    assert [b.txn_id for b in store.read_history(info.run_id, 1, 100)] == [1, 10]
    with pytest.raises(ConditionFailedError):
        store.update_workflow(new_state(info.domain_id, info.workflow_id), 3, [], [], [])


def test_pointer_follows_the_current_run_only(store: Any) -> None:
    first = start(store)
    info = first.info
    closed = close(first)
    store.update_workflow(closed, 3, [], [], [])
    current = store.get_current(info.domain_id, info.workflow_id)
    assert (current.state, current.close_status) == (STATE_COMPLETED, CLOSE_COMPLETED)

    second = new_state(info.domain_id, info.workflow_id)
    store.create_workflow(second, batch(1, 3, 2), [], [], previous_run_id=info.run_id)
    # Updating the old run leaves the pointer on the new one.
    store.update_workflow(replace(closed, info=replace(closed.info, next_event_id=5)), 4,
                          [], [], [])
    current = store.get_current(info.domain_id, info.workflow_id)
    assert (current.run_id, current.state) == (second.info.run_id, STATE_RUNNING)


def test_continue_as_new_moves_the_pointer(store: Any) -> None:
    first = start(store)
    info = first.info
    nxt = new_state(info.domain_id, info.workflow_id)
    decision = TransferTask(type=TRANSFER_DECISION, domain_id=info.domain_id,
                            workflow_id=info.workflow_id, run_id=nxt.info.run_id, task_id=4242,
                            task_list="tl", schedule_id=2)
    closed = close(first, CLOSE_CONTINUED_AS_NEW)
    store.update_workflow(closed, 3, [batch(3, 4, 20)], [], [],
                          NewRun(nxt, batch(1, 3, 21), [decision], []))
    assert store.get_current(info.domain_id, info.workflow_id).run_id == nxt.info.run_id
    assert store.get_workflow(info.domain_id, info.workflow_id, nxt.info.run_id) == nxt
    assert store.get_workflow(info.domain_id, info.workflow_id, info.run_id) == closed
    assert [b.first_event_id for b in store.read_history(nxt.info.run_id, 1, 100)] == [1]
    assert [b.first_event_id for b in store.read_history(info.run_id, 1, 100)] == [1, 3]


def test_history_keeps_the_highest_txn_per_node(store: Any) -> None:
    state = start(store)  # node 1: events 1-2, txn 1
    info = state.info
    store.update_workflow(replace(state, info=replace(info, next_event_id=5)), 3,
                          [batch(3, 5, 11)], [], [])
    rewrite = batch(3, 6, 12)  # the same node, rewritten longer by a later transaction
    store.update_workflow(replace(state, info=replace(info, next_event_id=6)), 5,
                          [rewrite], [], [])
    store.update_workflow(replace(state, info=replace(info, next_event_id=8)), 6,
                          [batch(6, 8, 13)], [], [])

    got = store.read_history(info.run_id, 1, 100)
    assert [(b.first_event_id, b.next_event_id, b.txn_id) for b in got] == \
        [(1, 3, 1), (3, 6, 12), (6, 8, 13)]
    assert got[1] == rewrite
    assert [b.first_event_id for b in store.read_history(info.run_id, 3, 6)] == [3]
    assert [b.first_event_id for b in store.read_history(info.run_id, 2, 100)] == [3, 6]


def test_delete_workflow(store: Any) -> None:
    first = start(store)
    info = first.info
    store.update_workflow(close(first), 3, [], [], [])
    second = new_state(info.domain_id, info.workflow_id)
    store.create_workflow(second, batch(1, 3, 2), [], [], previous_run_id=info.run_id)

    store.delete_workflow(info.domain_id, info.workflow_id, info.run_id)  # not current
    with pytest.raises(EntityNotExistsError):
        store.get_workflow(info.domain_id, info.workflow_id, info.run_id)
    assert store.read_history(info.run_id, 1, 100) == []
    assert store.get_current(info.domain_id, info.workflow_id).run_id == second.info.run_id

    store.delete_workflow(info.domain_id, info.workflow_id, second.info.run_id)  # current
    with pytest.raises(EntityNotExistsError):
        store.get_current(info.domain_id, info.workflow_id)
    assert store.read_history(second.info.run_id, 1, 100) == []
    store.delete_workflow(info.domain_id, info.workflow_id, second.info.run_id)  # idempotent


def test_concurrent_updates_one_wins(store: Any) -> None:
    state = start(store)
    info = state.info
    outcomes: list[str] = []

    def update(tag: str, txn: int) -> None:
        mine = replace(state, info=replace(info, next_event_id=4, cron_schedule=tag))
        try:
            store.update_workflow(mine, 3, [batch(3, 4, txn)], [], [])
            outcomes.append(tag)
        except ConditionFailedError:
            outcomes.append("lost")

    threads = [threading.Thread(target=update, args=(f"w{i}", 100 + i)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    winners = [o for o in outcomes if o != "lost"]
    assert len(winners) == 1 and len(outcomes) == 4
    stored = store.get_workflow(info.domain_id, info.workflow_id, info.run_id)
    assert stored.info.cron_schedule == winners[0]
    assert [b.txn_id for b in store.read_history(info.run_id, 3, 4)] == \
        [100 + int(winners[0][1:])]


def test_acquire_range_increases(store: Any) -> None:
    first = store.acquire_range(0)
    second = store.acquire_range(0)
    assert first >= 1 and second > first
    assert store.acquire_range(1) >= 1


# ------------------------------------------------------------------ queues
def transfer(info: ExecutionInfo, task_id: int, **kw: Any) -> TransferTask:
    return TransferTask(type=kw.pop("type", TRANSFER_ACTIVITY), domain_id=info.domain_id,
                        workflow_id=info.workflow_id, run_id=info.run_id, task_id=task_id,
                        visibility_time=time.time_ns(), **kw)


def test_transfer_tasks_in_task_id_order(store: Any) -> None:
    drain(store)
    base = store.acquire_range(0) << 20
    infos = [new_state(*ids()).info for _ in range(3)]  # different workflows, most shards
    full = transfer(infos[0], base + 2, type=TRANSFER_START_CHILD, task_list="tl",
                    schedule_id=7, target_domain_id=str(uuid.uuid4()),
                    target_workflow_id="child", target_run_id=str(uuid.uuid4()),
                    target_child_workflow_only=True, record_visibility=True)
    per_workflow = {0: [full], 1: [transfer(infos[1], base + 3)],
                    2: [transfer(infos[2], base + 1), transfer(infos[2], base + 4)]}
    for i, info in enumerate(infos):
        store.create_workflow(MutableState(info=info), batch(1, 3, base), per_workflow[i], [])

    got = store.get_transfer_tasks(10)
    assert [t.task_id for t in got] == [base + 1, base + 2, base + 3, base + 4]
    assert got[1] == full
    assert [t.task_id for t in store.get_transfer_tasks(2)] == [base + 1, base + 2]
    store.complete_transfer_tasks([got[0], got[2]])
    assert [t.task_id for t in store.get_transfer_tasks(10)] == [base + 2, base + 4]
    store.complete_transfer_tasks([got[1], got[1]])  # twice in one call; and again:
    store.complete_transfer_tasks([got[1]])  # tasks already gone are ignored
    assert [t.task_id for t in store.get_transfer_tasks(10)] == [base + 4]


def timer(info: ExecutionInfo, fire_time: int, task_id: int, **kw: Any) -> TimerTask:
    return TimerTask(type=kw.pop("type", TIMER_USER), domain_id=info.domain_id,
                     workflow_id=info.workflow_id, run_id=info.run_id, fire_time=fire_time,
                     task_id=task_id, **kw)


def test_timer_tasks_in_fire_time_order(store: Any) -> None:
    drain(store)
    assert store.get_timer_tasks(time.time_ns() + 7200 * SECOND, 10) == []
    now = time.time_ns() + 123_456  # not on a millisecond: exact times must survive
    a, b = new_state(*ids()).info, new_state(*ids()).info
    t1 = timer(a, now + 1 * SECOND, 50, type=TIMER_ACTIVITY_TIMEOUT, event_id=5,
               timeout_type=3, attempt=2)
    t2 = timer(b, now + 2 * SECOND, 40)
    t3 = timer(a, now + 3 * SECOND, 30)
    far = timer(b, now + 3600 * SECOND, 20)
    store.create_workflow(MutableState(info=a), batch(1, 3, 1), [], [t3, t1])
    store.create_workflow(MutableState(info=b), batch(1, 3, 2), [], [far, t2])

    assert store.get_timer_tasks(now + 2 * SECOND + 500_000, 10) == [t1, t2]
    assert store.get_timer_tasks(now + 2 * SECOND - 1, 10) == [t1]  # same ms, 1 ns early
    assert store.get_timer_tasks(now + 5 * SECOND, 2) == [t1, t2]
    store.complete_timer_tasks([t1])
    assert store.get_timer_tasks(now + 5 * SECOND, 10) == [t2, t3]
    store.complete_timer_tasks([t3, t2, t1])  # several workflows at once; t1 already gone
    assert store.get_timer_tasks(now + 7200 * SECOND, 10) == [far]


# ------------------------------------------------------------------ full round trip
def full_state() -> MutableState:
    """Every field away from its default, so a dropped or mis-mapped column shows."""
    domain_id, workflow_id = ids()
    run_id, now = str(uuid.uuid4()), time.time_ns()
    info = ExecutionInfo(
        domain_id=domain_id, workflow_id=workflow_id, run_id=run_id,
        first_run_id=str(uuid.uuid4()), parent_domain_id=str(uuid.uuid4()),
        parent_workflow_id="parent", parent_run_id=str(uuid.uuid4()), initiated_id=17,
        task_list="tl", workflow_type="wt", workflow_timeout=3600, decision_timeout=15,
        state=STATE_RUNNING, close_status=0, next_event_id=42, last_first_event_id=40,
        last_event_task_id=77,
        last_processed_event=38, start_time=now - 5 * SECOND + 1,
        last_updated_time=now + 3, create_request_id="not-a-uuid request id",
        decision_schedule_id=41, decision_started_id=42, decision_request_id="dreq",
        decision_task_timeout=11, decision_attempt=3, decision_scheduled_time=now + 5,
        decision_started_time=now + 6, decision_original_scheduled_time=now + 7,
        decision_task_list="sticky-host-1", decision_identity="decider@host",
        cancel_requested=True, cancel_request_id="creq", sticky_task_list="sticky",
        sticky_schedule_to_start_timeout=9, execution_context=b"\x00ctx\xff", attempt=2,
        has_retry_policy=True, retry_initial_interval=2, retry_backoff_coefficient=1.5,
        retry_max_interval=60, retry_max_attempts=5, retry_expiration_seconds=600,
        retry_non_retriable_errors=["bad", "worse"], expiration_time=now + 600 * SECOND + 9,
        cron_schedule="*/5 * * * *", signal_count=4, history_size=12345,
        completion_event_id=39, memo={"m": b"\x01memo"}, search_attributes={"CustomKeywordField":
                                                                          b'"kw"'},
        identity="worker@host")
    activity = ActivityInfo(
        schedule_id=5, activity_id="act-1", activity_type="ActType", task_list="atl",
        scheduled_time=now + 11, started_id=6, started_time=now + 12, request_id="areq",
        started_identity="aworker", input=b"\x02in", header={"h": b"\x03hdr"},
        domain_id=str(uuid.uuid4()), schedule_to_start_timeout=1, schedule_to_close_timeout=2,
        start_to_close_timeout=3, heartbeat_timeout=4, details=b"\x04det",
        last_heartbeat_time=now + 13, cancel_requested=True, cancel_request_id=8,
        timer_task_status=5, attempt=1, has_retry_policy=True, retry_initial_interval=1,
        retry_backoff_coefficient=2.0, retry_max_interval=10, retry_max_attempts=3,
        retry_expiration_seconds=100, retry_non_retriable_errors=["x"],
        expiration_time=now + 100 * SECOND, last_failure_reason="boom",
        last_failure_details=b"\x05why", scheduled_time_of_this_attempt=now + 14)
    plain = ActivityInfo(schedule_id=9, activity_id="act-2", activity_type="Other",
                         task_list="atl")
    return MutableState(
        info=info,
        activities={5: activity, 9: plain},
        timers={"t1": TimerInfo("t1", 20, now + 60 * SECOND + 7, True),
                "t2": TimerInfo("t2", 21, now + 61 * SECOND, False)},
        children={22: ChildInfo(22, "child-wf", "ChildType", "child-domain",
                                create_request_id=str(uuid.uuid4()), started_id=23,
                                started_run_id=str(uuid.uuid4()), parent_close_policy=2),
                  24: ChildInfo(24, "child-2", "ChildType", "child-domain")},
        request_cancels={25: RequestCancelInfo(25, "cancel-req")},
        signals={26: SignalInfo(26, str(uuid.uuid4()), "sig", b"\x06in", b"\x07ctl"),
                 27: SignalInfo(27, "free-form", "sig2")},
        signals_requested=[str(uuid.uuid4()), "not-a-uuid", str(uuid.uuid4()).upper()],
        buffered_events=[encode_events([idl.shared().HistoryEvent(eventId=-125)]), b"\x59raw"],
    )


def test_full_state_sets_every_field() -> None:
    """Keeps the round trip below honest when records grow a field."""
    state = full_state()
    records = [state.info, state.activities[5], state.timers["t1"], state.children[22],
               state.request_cancels[25], state.signals[26]]
    for record in records:
        defaults = {f.name: f.default if f.default is not MISSING else
                    (f.default_factory() if f.default_factory is not MISSING else MISSING)
                    for f in fields(record)}
        unset = [name for name, default in defaults.items()
                 if default is not MISSING and getattr(record, name) == default
                 and not (type(record) is ExecutionInfo and name == "close_status")]
        assert unset == [], f"{type(record).__name__}: give {unset} a non-default value"


def test_full_state_round_trips(store: Any) -> None:
    state = full_state()
    info = state.info
    store.create_workflow(state, batch(1, 42, 1), [], [])
    assert store.get_workflow(info.domain_id, info.workflow_id, info.run_id) == state
    assert store.get_current(info.domain_id, info.workflow_id).create_request_id == \
        info.create_request_id

    # Removed entries must disappear (maps are rewritten whole, not merged).
    changed = replace(state, info=replace(info, next_event_id=43, memo={}),
                      activities={9: state.activities[9]}, timers={}, children={},
                      request_cancels={}, signals={}, signals_requested=[],
                      buffered_events=[])
    store.update_workflow(changed, 42, [batch(42, 43, 2)], [], [])
    assert store.get_workflow(info.domain_id, info.workflow_id, info.run_id) == changed


# ------------------------------------------------------------------ task lists
def matching_task(domain_id: str, task_id: int) -> MatchingTask:
    # Times on whole milliseconds: the Cassandra column is a CQL timestamp.
    return MatchingTask(task_id=task_id, domain_id=domain_id, workflow_id="wf",
                        run_id=str(uuid.uuid4()), schedule_id=task_id * 10,
                        created_time=(time.time_ns() // 1_000_000) * 1_000_000)


def test_task_store_backlog(task_store: Any) -> None:
    domain_id, other = str(uuid.uuid4()), str(uuid.uuid4())
    tasks = {i: matching_task(domain_id, i) for i in (5, 3, 9)}
    task_store.create_tasks(domain_id, "tl", 0, [tasks[5], tasks[3]])
    task_store.create_tasks(domain_id, "tl", 0, [tasks[9]])
    task_store.create_tasks(domain_id, "tl", 1, [matching_task(domain_id, 1)])
    task_store.create_tasks(other, "tl", 0, [matching_task(other, 2)])

    assert task_store.get_tasks(domain_id, "tl", 0, -1, 10) == [tasks[3], tasks[5], tasks[9]]
    assert task_store.get_tasks(domain_id, "tl", 0, 3, 10) == [tasks[5], tasks[9]]
    assert task_store.get_tasks(domain_id, "tl", 0, -1, 2) == [tasks[3], tasks[5]]
    assert task_store.get_tasks(domain_id, "other-list", 0, -1, 10) == []
    assert sorted(task_store.list_task_lists(domain_id)) == [("tl", 0), ("tl", 1)]

    task_store.complete_tasks(domain_id, "tl", 0, [5])
    assert [t.task_id for t in task_store.get_tasks(domain_id, "tl", 0, -1, 10)] == [3, 9]
    task_store.complete_tasks(domain_id, "tl", 0, [9, 3, 5])  # 5 is already gone
    assert task_store.get_tasks(domain_id, "tl", 0, -1, 10) == []
    task_store.complete_tasks(domain_id, "tl", 1, [1])
    assert task_store.list_task_lists(domain_id) == []


def test_task_expiry_round_trips_to_the_second(task_store: Any) -> None:
    domain_id = str(uuid.uuid4())
    task = replace(matching_task(domain_id, 1), expiry_time=time.time_ns() + 3600 * SECOND)
    task_store.create_tasks(domain_id, "tl", 0, [task])
    (got,) = task_store.get_tasks(domain_id, "tl", 0, -1, 10)
    assert abs(got.expiry_time - task.expiry_time) < 2 * SECOND
    assert replace(got, expiry_time=task.expiry_time) == task
