"""The Cassandra execution store writes Cadence's on-disk layout (what the Go server
reads), shards like upstream, and fences writers by the shard's range id.

The contract tests prove behaviour; these read the raw rows back with CQL.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest

from cadence_py.persistence.cassandra import layout
from cadence_py.persistence.cassandra.history import branch_id_of, event_count
from cadence_py.persistence.cassandra.layout import Extras, shard_of
from cadence_py.persistence.errors import PersistenceError
from cadence_py.persistence.records import TIMER_USER, TRANSFER_DECISION, TimerTask, TransferTask
from tests.persistence.test_domain_store_contract import keyspace_session
from tests.persistence.test_execution_store_contract import batch, full_state, new_state

DEFAULT_TS = layout.DEFAULT_VISIBILITY_TS


# ------------------------------------------------------------------ no Cassandra needed
@pytest.mark.parametrize("workflow_id, fingerprint", [
    # farm.Fingerprint32 from Go's github.com/dgryski/go-farm (what upstream links).
    ("", 3696677242), ("a", 1016544589), ("hello", 2039911270),
    ("workflow-id-1", 3582900677), ("0123456789abcdef0123456789", 4058582317),
    ("a-much-longer-workflow-id-that-goes-past-twenty-four-bytes-for-sure", 3896273350),
])
def test_shard_is_upstreams_fingerprint32(workflow_id: str, fingerprint: int) -> None:
    for shards in (1, 4, 16, 16384):
        assert shard_of(workflow_id, shards) == fingerprint % shards


def test_exact_values_yield_to_a_rewritten_column() -> None:
    ex = Extras()
    nanos = 1_700_000_000_123_456_789
    column = ex.time_ms("t", nanos)
    assert column == nanos // 1_000_000 and ex.time_ns("t", column) == nanos
    assert ex.time_ns("t", column + 5) == (column + 5) * 1_000_000  # someone else wrote it
    assert ex.uuid("r", "free text") is None and ex.uuid_str("r", None) == "free text"
    other = uuid.uuid4()
    assert ex.uuid_str("r", other) == str(other)
    assert Extras().dump() == (None, None)  # nothing to keep aside: no blob at all


def test_event_count_reads_the_history_header() -> None:
    assert event_count(batch(4, 9, 1).data, "thriftrw") == 5
    assert event_count(b"\x59\x00", "thriftrw") == 0
    with pytest.raises(PersistenceError):
        event_count(b"{}", "json")


# ------------------------------------------------------------------ raw rows
@pytest.fixture(scope="module")
def session(cassandra_node) -> Iterator[Any]:  # type: ignore[no-untyped-def]
    with keyspace_session(cassandra_node) as session:
        yield session


def new_store(session: Any) -> Any:
    from cadence_py.persistence.cassandra.executions import CassandraExecutionStore

    return CassandraExecutionStore(session, num_shards=4)


def rows_of(session: Any, shard: int, row_type: int) -> list[dict[str, Any]]:
    return session.execute("SELECT * FROM executions WHERE shard_id = %s AND type = %s",
                           (shard, row_type)).all()


@pytest.mark.cassandra
def test_rows_use_cadences_keys_and_columns(session: Any) -> None:
    store = new_store(session)
    state = full_state()
    info = state.info
    shard = shard_of(info.workflow_id, 4)
    fire = 1_900_000_000_000_000_000  # whole ms: no side blob needed
    decision = TransferTask(type=TRANSFER_DECISION, domain_id=info.domain_id,
                            workflow_id=info.workflow_id, run_id=info.run_id, task_id=77,
                            visibility_time=fire, task_list="tl", schedule_id=2)
    user_timer = TimerTask(type=TIMER_USER, domain_id=info.domain_id,
                           workflow_id=info.workflow_id, run_id=info.run_id, fire_time=fire,
                           task_id=78, event_id=5)
    store.create_workflow(state, batch(1, 42, 1), [decision], [user_timer])

    (shard_row,) = rows_of(session, shard, layout.ROW_SHARD)
    assert (shard_row["domain_id"], shard_row["workflow_id"], shard_row["run_id"]) == \
        layout.SHARD_KEY
    assert shard_row["task_id"] == -11 and shard_row["range_id"] >= 1
    assert shard_row["shard"].shard_id == shard

    by_run = {r["run_id"]: r for r in rows_of(session, shard, layout.ROW_EXECUTION)
              if r["workflow_id"] == info.workflow_id}
    current = by_run[uuid.UUID("30000000-0000-f000-f000-000000000001")]
    assert current["task_id"] == -10 and current["current_run_id"] == uuid.UUID(info.run_id)
    assert current["execution"].run_id == uuid.UUID(info.run_id)
    assert current["execution"].state == info.state == current["workflow_state"]

    run = by_run[uuid.UUID(info.run_id)]
    e = run["execution"]
    assert run["task_id"] == -10 and run["next_event_id"] == e.next_event_id == 42
    assert (e.workflow_type_name, e.decision_task_timeout, e.decision_timeout) == \
        ("wt", info.decision_timeout, info.decision_task_timeout)
    assert e.decision_timestamp == info.decision_started_time  # unix nanos bigint
    assert e.start_time.year >= 2024 and e.event_store_version == 2
    assert set(run["activity_map"]) == {5, 9} and run["activity_map"][5].activity_id == "act-1"
    assert run["timer_map"]["t1"].task_id == 1  # "timer task created" flag
    assert run["data_encoding"] == "json"  # column-less fields (activity type, ...)

    from cadence_py.persistence.cassandra.domains import decode_payload
    from cadence_py.rpc import idl
    token = decode_payload(idl.shared().HistoryBranch(), e.branch_token)
    assert token.treeID == info.run_id and token.branchID == str(branch_id_of(info.run_id))
    (tree,) = session.execute("SELECT * FROM history_tree WHERE tree_id = %s",
                              (uuid.UUID(info.run_id),)).all()
    assert tree["branch_id"] == branch_id_of(info.run_id)
    assert tree["info"] == f"{info.domain_id}:{info.workflow_id}:{info.run_id}"
    (node,) = session.execute("SELECT * FROM history_node WHERE tree_id = %s",
                              (uuid.UUID(info.run_id),)).all()
    assert (node["node_id"], node["txn_id"], node["data_encoding"]) == (1, 1, "thriftrw")
    assert node["data"][:1] == b"\x59"

    (task,) = [r for r in rows_of(session, shard, layout.ROW_TRANSFER) if r["task_id"] == 77]
    assert (task["domain_id"], task["workflow_id"], task["run_id"]) == layout.TRANSFER_KEY
    assert layout.ms_of(task["visibility_ts"]) == DEFAULT_TS
    assert task["transfer"].type == TRANSFER_DECISION and task["data"] is None
    (tm,) = [r for r in rows_of(session, shard, layout.ROW_TIMER) if r["task_id"] == 78]
    assert (tm["domain_id"], tm["workflow_id"], tm["run_id"]) == layout.TIMER_KEY
    assert layout.ms_of(tm["visibility_ts"]) == fire // 1_000_000 and tm["data"] is None


@pytest.mark.cassandra
def test_a_taken_shard_fences_the_old_owner(session: Any) -> None:
    from cadence_py.persistence.cassandra.shards import ShardOwnershipLostError

    old, new = new_store(session), new_store(session)
    state = new_state(str(uuid.uuid4()), f"wf-{uuid.uuid4().hex[:8]}")
    info = state.info
    shard = shard_of(info.workflow_id, 4)
    old.create_workflow(state, batch(1, 3, 1), [], [])
    new.acquire_range(shard)  # another host takes the shard over

    moved = replace(state, info=replace(info, next_event_id=4))
    with pytest.raises(ShardOwnershipLostError):
        old.update_workflow(moved, 3, [batch(3, 4, 2)], [], [])
    assert old.get_workflow(info.domain_id, info.workflow_id, info.run_id) == state
    assert [b.txn_id for b in old.read_history(info.run_id, 1, 100)] == [1]

    new.update_workflow(moved, 3, [batch(3, 4, 3)], [], [])
    assert new.get_workflow(info.domain_id, info.workflow_id, info.run_id) == moved


@pytest.mark.cassandra
def test_a_bump_by_this_process_only_retries_racing_writes(session: Any) -> None:
    """The task-id allocator's acquire_range may land while a write asserting the old
    range is in flight: that write is retried, not failed as a lost shard."""
    from cadence_py.persistence.cassandra.shards import ShardOwnershipLostError

    ranges = new_store(session)._shards
    before = ranges.held(3)
    after = ranges.acquire(3)
    assert after == before + 1
    assert ranges.check(3, before, [{"type": layout.ROW_SHARD, "range_id": after}]) is True
    assert ranges.check(3, after, [{"type": layout.ROW_SHARD, "range_id": after}]) is False
    with pytest.raises(ShardOwnershipLostError):
        ranges.check(3, after, [{"type": layout.ROW_SHARD, "range_id": after + 5}])
    assert ranges.held(3) > after  # forgotten, so the next write acquires it again


@pytest.mark.cassandra
def test_timer_queue_survives_sub_millisecond_neighbours(session: Any) -> None:
    """Two timers in one millisecond: order and completion use the exact nanos."""
    store = new_store(session)
    state = new_state(str(uuid.uuid4()), f"wf-{uuid.uuid4().hex[:8]}")
    info = state.info
    base = (time.time_ns() // 1_000_000 + 10_000) * 1_000_000
    late = TimerTask(TIMER_USER, info.domain_id, info.workflow_id, info.run_id, base + 900, 1)
    early = TimerTask(TIMER_USER, info.domain_id, info.workflow_id, info.run_id, base + 100, 2)
    store.create_workflow(state, batch(1, 3, 1), [], [late, early])
    got = [t for t in store.get_timer_tasks(base + 999, 100) if t.run_id == info.run_id]
    assert got == [early, late]
    assert [t for t in store.get_timer_tasks(base + 500, 100) if t.run_id == info.run_id] \
        == [early]
    store.complete_timer_tasks(got)
    assert [t for t in store.get_timer_tasks(base + 999, 100) if t.run_id == info.run_id] == []


# ------------------------------------------------------------------ scan floors
def test_floor_never_passes_a_write_in_flight() -> None:
    from cadence_py.persistence.cassandra.floors import ScanFloors
    from cadence_py.persistence.errors import ConditionFailedError

    floors = ScanFloors()
    scan = floors.begin(0)
    floors.end(scan, 100, 200)
    assert floors.floor(0) == 100
    scan = floors.begin(0)
    with floors.writing({0: 50}, (ConditionFailedError,)):
        assert floors.floor(0) == 50  # lowered before the write is sent
        floors.end(scan, 120, 200)  # began before the write: cannot know about 50
    assert floors.floor(0) == 50
    scan = floors.begin(0)
    floors.end(scan, None, None)  # saw nothing at all: up to past the highest key seen
    assert floors.floor(0) == 201
    with pytest.raises(OSError), floors.writing({0: 300}, (ConditionFailedError,)):
        raise OSError("timed out: maybe applied")
    scan = floors.begin(0)
    floors.end(scan, 400, 400)
    assert floors.floor(0) == 300  # held back: the write may still land


@pytest.mark.cassandra
def test_tasks_below_the_scan_floor_are_still_found(session: Any) -> None:
    """A task whose id was allocated long ago (or a timer due in the past) that is
    written after the floor moved on must still be read."""
    store = new_store(session)
    state = new_state(str(uuid.uuid4()), f"wf-{uuid.uuid4().hex[:8]}")
    info = state.info
    base = store.acquire_range(0) << 20

    def transfer(task_id: int) -> TransferTask:
        return TransferTask(TRANSFER_DECISION, info.domain_id, info.workflow_id, info.run_id,
                            task_id=task_id)

    def mine(tasks: list[Any]) -> list[Any]:
        return [t for t in tasks if t.run_id == info.run_id]

    now = time.time_ns()
    store.create_workflow(state, batch(1, 3, 1), [transfer(base + 100), transfer(base + 200)],
                          [TimerTask(TIMER_USER, info.domain_id, info.workflow_id, info.run_id,
                                     now - 5_000_000_000, base + 1)])
    store.complete_transfer_tasks([t for t in mine(store.get_transfer_tasks(1000))
                                   if t.task_id == base + 100])
    store.complete_timer_tasks(mine(store.get_timer_tasks(now, 1000)))
    assert [t.task_id for t in mine(store.get_transfer_tasks(1000))] == [base + 200]
    assert mine(store.get_timer_tasks(now, 1000)) == []

    late_timer = TimerTask(TIMER_USER, info.domain_id, info.workflow_id, info.run_id,
                           now - 60_000_000_000, base + 2)
    moved = replace(state, info=replace(info, next_event_id=4))
    store.update_workflow(moved, 3, [], [transfer(base + 150)], [late_timer])
    assert [t.task_id for t in mine(store.get_transfer_tasks(1000))] == [base + 150, base + 200]
    assert mine(store.get_timer_tasks(now, 1000)) == [late_timer]


@pytest.mark.cassandra
def test_queue_scans_skip_tombstones(session: Any, caplog: pytest.LogCaptureFixture) -> None:
    """1200 completed tasks in one shard: the next scan reads none of their tombstones
    (Cassandra warns when a read passes 1000)."""
    store = new_store(session)
    domain_id = str(uuid.uuid4())
    workflow_ids = [f"wf-{uuid.uuid4().hex[:8]}" for _ in range(200)]
    in_shard = [w for w in workflow_ids if shard_of(w, 4) == 2][:12]
    base = store.acquire_range(0) << 20
    for n, workflow_id in enumerate(in_shard):
        state = new_state(domain_id, workflow_id)
        tasks = [TransferTask(TRANSFER_DECISION, domain_id, workflow_id, state.info.run_id,
                              task_id=base + n * 100 + i) for i in range(100)]
        store.create_workflow(state, batch(1, 3, 1), tasks, [])
    done = 0
    while tasks := store.get_transfer_tasks(500):
        store.complete_transfer_tasks(tasks)
        done += len(tasks)
    assert done >= 1200
    def tombstone_warnings(scanner: Any) -> list[str]:
        caplog.clear()
        with caplog.at_level("WARNING", logger="cassandra"):
            scanner.get_transfer_tasks(500)
        return [r.getMessage() for r in caplog.records if "tombstone" in r.getMessage()]

    assert tombstone_warnings(store) == []
    assert tombstone_warnings(new_store(session))  # a fresh store (no floor) reads them all


@pytest.mark.cassandra
def test_one_conditional_batch_in_flight_per_shard(session: Any) -> None:
    """Creates racing on one shard go one at a time (upstream's shard lock), so their
    LWTs never contend in Paxos; other shards are not held up by it."""
    import threading

    from cassandra.query import BatchStatement

    store = new_store(session)
    domain_id = str(uuid.uuid4())
    by_shard: dict[int, list[str]] = {}
    while min((len(v) for v in by_shard.values()), default=0) < 3 or len(by_shard) < 2:
        workflow_id = f"wf-{uuid.uuid4().hex[:12]}"
        by_shard.setdefault(store.shard_of(workflow_id), []).append(workflow_id)
    chosen = [w for ws in by_shard.values() if len(ws) >= 3 for w in ws[:3]]
    guard = threading.Lock()
    in_flight: dict[int, int] = {}
    most: dict[int, int] = {}
    writing: dict[int, int] = {}  # thread id -> the shard it is writing to
    execute, original_write = store._session.execute, store._write

    def counting(query: Any, *args: Any, **kwargs: Any) -> Any:
        shard = writing.get(threading.get_ident())
        if shard is None or not isinstance(query, BatchStatement):
            return execute(query, *args, **kwargs)
        with guard:
            in_flight[shard] = in_flight.get(shard, 0) + 1
            most[shard] = max(most.get(shard, 0), in_flight[shard])
        try:
            time.sleep(0.02)  # let the others try to overtake
            return execute(query, *args, **kwargs)
        finally:
            with guard:
                in_flight[shard] -= 1

    def tagged_write(shard: int, statements: Any) -> Any:
        writing[threading.get_ident()] = shard
        try:
            return original_write(shard, statements)
        finally:
            del writing[threading.get_ident()]

    for shard in by_shard:  # the range ids first: acquiring one is not what is measured
        store._shards.held(shard)
    store._session.execute = counting
    store._write = tagged_write
    errors: list[BaseException] = []

    def create(workflow_id: str) -> None:
        try:
            store.create_workflow(new_state(domain_id, workflow_id), batch(1, 3, 1), [], [],
                                  None)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
    try:
        threads = [threading.Thread(target=create, args=(w,)) for w in chosen]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    finally:
        store._session.execute = execute
    assert not errors
    assert len(most) >= 2 and all(n == 1 for n in most.values())
