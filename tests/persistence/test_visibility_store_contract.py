"""One contract for every VisibilityStore: SQLite and Cassandra must list the same runs.

The SQLite store is the reference; the Cassandra one writes Cadence's own
``cadence_visibility`` tables. The keyspaces are made once for the module with the
schema tool, so every test uses a fresh domain id. The last section checks what only
Cassandra has: the layout the upstream Go server reads (TTLs, write timestamps, v2 rows,
the memo blob).
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cadence_py.persistence.sqlite.store import SQLiteStore
from cadence_py.persistence.sqlite.visibility import SQLiteVisibilityStore
from cadence_py.persistence.visibility import ListFilter, VisibilityRecord
from tests.conftest import drop_keyspaces, new_keyspace, setup_cadence_keyspaces

# "sqlite-writer": the same file with its writes in a writer process (`writerProcess: true`).
BACKENDS = ["sqlite", "sqlite-writer", pytest.param("cassandra", marks=pytest.mark.cassandra)]
MS = 1_000_000
SECOND = 1000 * MS
BASE = 1_700_000_000_000 * MS + 123_456  # sub-millisecond part on purpose
COMPLETED, TERMINATED = 0, 3


# ------------------------------------------------------------------ fixtures
@contextlib.contextmanager
def cadence_keyspaces(node: Any, use_visibility: bool) -> Iterator[Any]:
    """Fresh ``cadence`` and ``cadence_visibility`` keyspaces made with the schema tool,
    and a session on one of them; everything is dropped afterwards."""
    from cadence_py.persistence.cassandra import CassandraConfig, connect

    keyspace, visibility = new_keyspace("vis_main"), new_keyspace("vis")
    setup_cadence_keyspaces(node, keyspace, visibility)
    session = connect(CassandraConfig(hosts=(node.contact_point,), port=node.port,
                                      keyspace=visibility if use_visibility else keyspace))
    try:
        yield session
    finally:
        session.cluster.shutdown()
        drop_keyspaces(node, keyspace, visibility)


@pytest.fixture(scope="module")
def cassandra_session(cassandra_node) -> Iterator[Any]:  # type: ignore[no-untyped-def]
    with cadence_keyspaces(cassandra_node, use_visibility=True) as session:
        yield session


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    if request.param.startswith("sqlite"):
        db = SQLiteStore(tmp_path / "v.db", writer_process=request.param == "sqlite-writer")
        yield SQLiteVisibilityStore(db)
        db.close()
        return
    from cadence_py.persistence.cassandra.visibility import CassandraVisibilityStore

    yield CassandraVisibilityStore(request.getfixturevalue("cassandra_session"))


@pytest.fixture
def domain() -> str:
    return str(uuid.uuid4())


def record(domain: str, workflow_id: str, start: int, **kw: Any) -> VisibilityRecord:
    fields: dict[str, Any] = dict(
        domain_id=domain, workflow_id=workflow_id, run_id=str(uuid.uuid4()),
        workflow_type="wt", start_time=start, execution_time=start + 7, task_list="tl",
        update_time=start + 11, memo={"m": b"\x00memo"},
        search_attributes={"CustomKeywordField": b'"k"'}, parent_workflow_id="parent",
        parent_run_id=str(uuid.uuid4()), parent_domain_id=str(uuid.uuid4()),
        workflow_timeout_seconds=60)
    fields.update(kw)
    return VisibilityRecord(**fields)


def closed(rec: VisibilityRecord, status: int = COMPLETED, after: int = SECOND,
           **kw: Any) -> VisibilityRecord:
    return dataclasses.replace(rec, close_status=status, close_time=rec.start_time + after,
                               history_length=5, update_time=rec.start_time + after, **kw)


def listing(store: Any, domain: str, open_runs: bool, where: ListFilter | None = None,
            page_size: int = 100) -> list[VisibilityRecord]:
    """Every page, checking that a token comes only when more rows follow."""
    out: list[VisibilityRecord] = []
    token = None
    while True:
        page, token = store.list(domain, open_runs, where or ListFilter(), page_size, token)
        assert len(page) <= page_size
        out += page
        if token is None:
            return out
        assert len(page) == page_size


# ------------------------------------------------------------------ contract
def test_open_runs_newest_start_first_round_trip(store: Any, domain: str) -> None:
    runs = [record(domain, f"wf-{i}", BASE + i * SECOND) for i in range(3)]
    runs.append(record(domain, "bare", BASE + 5 * SECOND, memo={}, search_attributes={},
                       parent_workflow_id="", parent_run_id="", parent_domain_id="",
                       execution_time=0, update_time=0, is_cron=True))
    for run in runs:
        store.upsert(run)
    assert listing(store, domain, True) == runs[::-1]  # every field back, exactly
    assert listing(store, domain, False) == []
    assert listing(store, str(uuid.uuid4()), True) == []  # domains are apart


def test_close_moves_the_run_to_the_closed_list(store: Any, domain: str) -> None:
    first, second = record(domain, "a", BASE), record(domain, "b", BASE + SECOND)
    store.upsert(first)
    store.upsert(second)
    done = closed(first, TERMINATED)
    store.upsert(done)
    assert listing(store, domain, True) == [second]
    assert listing(store, domain, False) == [done]
    store.upsert(done)  # a repeated close changes nothing
    assert listing(store, domain, False) == [done]


def test_a_late_start_never_reopens_a_closed_run(store: Any, domain: str) -> None:
    run = record(domain, "late", BASE)
    store.upsert(closed(run))  # the close record won the race
    store.upsert(run)
    assert listing(store, domain, True) == []
    reopened = record(domain, "again", BASE + SECOND)
    store.upsert(reopened)
    store.upsert(closed(reopened))
    store.upsert(dataclasses.replace(reopened, update_time=reopened.start_time + 5 * SECOND))
    assert listing(store, domain, True) == []
    assert [r.workflow_id for r in listing(store, domain, False)] == ["again", "late"]


def test_upserts_of_an_open_run_rewrite_it(store: Any, domain: str) -> None:
    run = record(domain, "sa", BASE)
    store.upsert(run)
    for i in range(3):  # same content or new, several times within one millisecond
        run = dataclasses.replace(run, update_time=run.update_time + 1, search_attributes={
            "CustomKeywordField": f'"v{i}"'.encode(), "CustomIntField": b"7"})
        store.upsert(run)
    assert listing(store, domain, True) == [run]
    done = closed(run)
    store.upsert(done)
    assert listing(store, domain, True) == [] and listing(store, domain, False) == [done]


def test_filters(store: Any, domain: str) -> None:
    runs = [record(domain, f"wf-{i % 2}", BASE + i * SECOND, workflow_type=f"type-{i % 3}")
            for i in range(6)]
    for i, run in enumerate(runs):
        store.upsert(closed(run, COMPLETED if i % 2 else TERMINATED) if i >= 3 else run)
    done = {r.run_id: r for r in listing(store, domain, False)}

    def ids(open_runs: bool, **where: Any) -> list[str]:
        return [r.workflow_id + "/" + r.workflow_type
                for r in listing(store, domain, open_runs, ListFilter(**where))]

    assert ids(True, workflow_id="wf-0") == ["wf-0/type-2", "wf-0/type-0"]
    assert ids(True, workflow_type="type-1") == ["wf-1/type-1"]
    assert ids(False, workflow_id="wf-1") == ["wf-1/type-2", "wf-1/type-0"]
    assert ids(False, workflow_type="type-0") == ["wf-1/type-0"]
    assert ids(False, close_status=TERMINATED) == ["wf-0/type-1"]
    assert ids(False, close_status=COMPLETED) == ["wf-1/type-2", "wf-1/type-0"]
    assert ids(False, workflow_id="wf-1", workflow_type="type-2") == ["wf-1/type-2"]
    assert ids(False, workflow_id="wf-1", close_status=TERMINATED) == []
    assert ids(True, workflow_id="nobody") == []
    # the window is on start time, inclusive, to the nanosecond (closed runs too)
    start = runs[1].start_time
    assert ids(True, earliest=start, latest=start) == ["wf-1/type-1"]
    assert ids(True, earliest=start + 1, latest=runs[2].start_time) == ["wf-0/type-2"]
    assert ids(True, earliest=start - SECOND + 1, latest=start - 1) == []
    assert ids(False, earliest=runs[4].start_time, latest=runs[4].start_time) == \
        ["wf-0/type-1"]
    assert ids(False, earliest=runs[3].start_time + 1, latest=runs[5].start_time - 1) == \
        ["wf-0/type-1"]
    assert len(done) == 3


@pytest.mark.parametrize("page_size", [1, 2, 3, 7, 8])
def test_paging_covers_every_run_once(store: Any, domain: str, page_size: int) -> None:
    runs = [record(domain, f"p-{i}", BASE + i * SECOND) for i in range(7)]
    for run in runs:
        store.upsert(run)
    assert listing(store, domain, True, page_size=page_size) == runs[::-1]
    window = ListFilter(earliest=runs[0].start_time, latest=runs[-1].start_time)
    assert listing(store, domain, True, window, page_size) == runs[::-1]
    first, token = store.list(domain, True, ListFilter(), 7, None)
    assert len(first) == 7 and token is None  # an exactly full last page has no token
    other = [record(domain, f"q-{i}", BASE + i * SECOND, workflow_type="other")
             for i in range(3)]
    for run in other:
        store.upsert(run)
    assert listing(store, domain, True, ListFilter(workflow_type="wt"), page_size) == \
        runs[::-1]  # filtered-out rows never shorten a page


def test_paging_through_runs_started_in_the_same_instant(store: Any, domain: str) -> None:
    runs = [record(domain, f"tie-{i}", BASE) for i in range(5)]
    for run in runs:
        store.upsert(run)
    pages = listing(store, domain, True, page_size=2)
    assert sorted(r.run_id for r in pages) == sorted(r.run_id for r in runs)
    assert listing(store, domain, True, page_size=2) == pages  # a stable order


@pytest.mark.parametrize("token", [
    b"not base64!", base64.b64encode(b"5"), base64.b64encode(b"{}"),
    base64.b64encode(b'["x"]'), base64.b64encode(b'[1, 2, 3, 4]'),
    base64.b64encode(b"\xff\xfe"), base64.b64encode(b'["cv1", "1", "x"]')])
def test_malformed_page_token_is_a_value_error(store: Any, domain: str,
                                                token: bytes) -> None:
    store.upsert(record(domain, "t", BASE))
    with pytest.raises(ValueError):
        store.list(domain, True, ListFilter(), 10, token)


def test_delete_forgets_the_run(store: Any, domain: str) -> None:
    keep, open_run = record(domain, "keep", BASE), record(domain, "open", BASE + SECOND)
    gone, by_id = record(domain, "gone", BASE + 2 * SECOND), record(domain, "id", BASE)
    for run in (keep, open_run, gone, by_id):
        store.upsert(run)
    for run in (keep, gone, by_id):
        store.upsert(closed(run))
    store.delete(domain, open_run.run_id)
    store.delete(domain, gone.run_id)
    store.delete(domain, by_id.run_id, workflow_id="id")
    store.delete(domain, str(uuid.uuid4()))  # unknown runs are fine
    assert listing(store, domain, True) == []
    assert listing(store, domain, False) == [closed(keep)]


# ------------------------------------------------------------------ Cassandra layout
def _rows(session: Any, table: str, domain: str) -> list[dict[str, Any]]:
    return session.execute(
        f"SELECT run_id, start_time, close_time, memo, encoding, status, "
        f"WRITETIME(workflow_id) AS wt, TTL(workflow_id) AS ttl FROM {table} "
        "WHERE domain_id = %s AND domain_partition = 0", (uuid.UUID(domain),)).all() \
        if table != "open_executions" else session.execute(
        "SELECT run_id, start_time, memo, encoding, WRITETIME(workflow_id) AS wt, "
        "TTL(workflow_id) AS ttl FROM open_executions WHERE domain_id = %s AND "
        "domain_partition = 0", (uuid.UUID(domain),)).all()


@pytest.mark.cassandra
def test_cassandra_layout_ttls_and_write_timestamps(cassandra_session: Any,
                                                    domain: str) -> None:
    from cadence_py.persistence.cassandra.visibility import CassandraVisibilityStore

    class Domains:  # the retention of records that carry none comes from the domain
        def get_domain(self, *, domain_id: str) -> Any:
            return type("D", (), {"config": type("C", (), {"retention_days": 7})})()

    store = CassandraVisibilityStore(cassandra_session, Domains())
    run = record(domain, "ttl", BASE, workflow_timeout_seconds=3600)
    store.upsert(run)
    [row] = _rows(cassandra_session, "open_executions", domain)
    assert row["wt"] == run.update_time // MS  # milliseconds, as upstream
    assert 3600 + 86400 - 60 < row["ttl"] <= 3600 + 86400
    assert row["encoding"] == "json"
    doc = json.loads(row["memo"])  # upstream reads "fields" as types.Memo
    assert doc["fields"] == {"m": base64.b64encode(b"\x00memo").decode()}
    extras = doc["cadencePy"]  # ours: what the tables have no column for
    assert base64.b64decode(extras["search_attributes"]["CustomKeywordField"]["b64"]) == \
        b'"k"'
    store.upsert(closed(run, TERMINATED))
    assert _rows(cassandra_session, "open_executions", domain) == []
    for table in ("closed_executions", "closed_executions_v2"):
        [row] = _rows(cassandra_session, table, domain)
        assert row["status"] == TERMINATED and row["wt"] == (run.start_time + SECOND) // MS
        assert 7 * 86400 - 60 < row["ttl"] <= 7 * 86400
    forever = record(domain, "forever", BASE + SECOND, workflow_timeout_seconds=0)
    store.upsert(forever)
    assert {r["run_id"]: r["ttl"] for r in _rows(cassandra_session, "open_executions",
                                                 domain)} == {uuid.UUID(forever.run_id): None}
    store.upsert(closed(forever, retention_seconds=6 * 365 * 86400))  # above 5 years
    ttls = {r["ttl"] for r in _rows(cassandra_session, "closed_executions_v2", domain)
            if r["run_id"] == uuid.UUID(forever.run_id)}
    assert ttls == {None}


@pytest.mark.cassandra
def test_cassandra_close_after_a_restart_reads_what_it_replaces(cassandra_session: Any,
                                                                 domain: str) -> None:
    """A store remembers the stamps it wrote; one that does not (a restarted server)
    reads them, so its close still beats open rows stamped past the close time."""
    from cadence_py.persistence.cassandra.visibility import CassandraVisibilityStore

    before = CassandraVisibilityStore(cassandra_session)
    run = record(domain, "restart", BASE)
    for i in range(3):  # rewrites in one millisecond: each stamp one past the last
        run = dataclasses.replace(run, update_time=run.update_time + 1,
                                  task_list=f"tl-{i}")
        before.upsert(run)
    [row] = _rows(cassandra_session, "open_executions", domain)
    assert row["wt"] == BASE // MS + 2
    done = closed(run, after=0)  # closed in the same millisecond as the last rewrite
    CassandraVisibilityStore(cassandra_session).upsert(done)
    assert listing(before, domain, True) == [] and listing(before, domain, False) == [done]
    [row] = _rows(cassandra_session, "closed_executions", domain)
    assert row["wt"] == BASE // MS + 3


@pytest.mark.cassandra
def test_cassandra_reads_rows_the_go_server_wrote(cassandra_session: Any,
                                                  domain: str) -> None:
    """Upstream's rows: a thriftrw memo, millisecond times, no extras of ours."""
    from cadence_py.persistence.cassandra.domains import encode_payload
    from cadence_py.persistence.cassandra.visibility import CassandraVisibilityStore
    from cadence_py.rpc import idl

    memo = encode_payload(idl.shared().Memo(fields={"k": b"v"}))
    run_id = uuid.uuid4()
    cassandra_session.execute(
        "INSERT INTO open_executions (domain_id, domain_partition, start_time, run_id, "
        "workflow_id, workflow_type_name, memo, encoding, task_list, is_cron, "
        "num_clusters, shard_id) VALUES (%s, 0, %s, %s, 'go', 'GoType', %s, 'thriftrw', "
        "'tl', false, 1, 3) USING TIMESTAMP %s",
        (uuid.UUID(domain), BASE // MS, run_id, memo, BASE // MS))
    store = CassandraVisibilityStore(cassandra_session)
    [got] = listing(store, domain, True)
    assert got == VisibilityRecord(
        domain_id=domain, workflow_id="go", run_id=str(run_id), workflow_type="GoType",
        start_time=BASE // MS * MS, execution_time=0, task_list="tl", memo={"k": b"v"})
    store.upsert(closed(got))  # our close must beat the Go server's open row
    assert listing(store, domain, True) == []
    assert listing(store, domain, False)[0].close_status == COMPLETED
