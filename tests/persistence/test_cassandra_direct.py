"""``persistence/cassandra/direct.py`` against the real node: prepared statements and
batches sent straight on the pool's connections answer as the driver's session does, and
what the driver would retry (an unprepared statement) goes through the session."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from cassandra import ConsistencyLevel, InvalidRequest, OperationTimedOut
from cassandra.cluster import NoHostAvailable
from cassandra.query import BatchStatement, BatchType

from cadence_py.persistence.cassandra.direct import DirectResult, DirectSession
from tests.conftest import drop_keyspaces, new_keyspace

pytestmark = pytest.mark.cassandra


@pytest.fixture(scope="module")
def session(cassandra_node) -> Iterator[DirectSession]:  # type: ignore[no-untyped-def]
    from cadence_py.persistence.cassandra import CassandraConfig, connect

    keyspace = new_keyspace("direct")
    session = connect(CassandraConfig(hosts=(cassandra_node.contact_point,),
                                      port=cassandra_node.port, keyspace=""))
    session.execute(f"CREATE KEYSPACE {keyspace} WITH replication = "
                    "{'class': 'SimpleStrategy', 'replication_factor': 1}")
    session.set_keyspace(keyspace)
    session.execute("CREATE TABLE t (k int, c int, v text, PRIMARY KEY (k, c))")
    try:
        yield session
    finally:
        session.cluster.shutdown()
        drop_keyspaces(cassandra_node, keyspace)


def test_connect_gives_the_direct_session(session: Any) -> None:
    assert isinstance(session, DirectSession)
    assert session.keyspace.startswith("direct_")  # the driver session's own attributes


def test_prepared_writes_and_reads_go_direct(session: Any) -> None:
    insert = session.prepare("INSERT INTO t (k, c, v) VALUES (?, ?, ?)")
    select = session.prepare("SELECT c, v FROM t WHERE k = ?")
    before = session.fallbacks
    assert session.execute(insert, (1, 1, "one")).all() == []
    session.execute(insert.bind((1, 2, "two")))
    result = session.execute(select, (1,))
    assert isinstance(result, DirectResult)
    assert result.all() == [{"c": 1, "v": "one"}, {"c": 2, "v": "two"}]
    assert result.one() == {"c": 1, "v": "one"}
    assert [row["v"] for row in result] == ["one", "two"]
    assert session.execute(select, (99,)).one() is None
    assert session.fallbacks == before


def test_every_page_is_read(session: Any) -> None:
    insert = session.prepare("INSERT INTO t (k, c, v) VALUES (?, ?, ?)")
    for c in range(25):
        session.execute(insert, (2, c, str(c)))
    bound = session.prepare("SELECT c FROM t WHERE k = ?").bind((2,))
    bound.fetch_size = 10
    assert [row["c"] for row in session.execute(bound)] == list(range(25))


def test_conditional_statements_and_batches_report_applied(session: Any) -> None:
    insert_if = session.prepare("INSERT INTO t (k, c, v) VALUES (?, ?, ?) IF NOT EXISTS")
    assert session.execute(insert_if, (3, 1, "first")).was_applied
    lost = session.execute(insert_if, (3, 1, "second"))
    assert not lost.was_applied and lost.one()["v"] == "first"

    update_if = session.prepare("UPDATE t SET v = ? WHERE k = ? AND c = ? IF v = ?")
    batch = BatchStatement(batch_type=BatchType.LOGGED)
    batch.add(update_if, ("third", 3, 1, "first"))
    batch.add(insert_if, (3, 2, "other"))
    assert session.execute(batch).was_applied
    batch = BatchStatement(batch_type=BatchType.LOGGED)
    batch.add(update_if, ("fourth", 3, 1, "first"))  # it is "third" now
    result = session.execute(batch)
    assert not result.was_applied
    assert {row["c"]: row["v"] for row in result.current_rows if row.get("c") == 1} == \
        {1: "third"}

    plain = BatchStatement(batch_type=BatchType.UNLOGGED)
    plain.add(session.prepare("INSERT INTO t (k, c, v) VALUES (?, ?, ?)"), (3, 5, "x"))
    with pytest.raises(RuntimeError, match="No LWT"):  # as the driver's ResultSet says
        session.execute(plain).was_applied  # noqa: B018


def test_the_nodes_errors_are_raised_as_the_driver_raises_them(session: Any) -> None:
    insert_if = session.prepare("INSERT INTO t (k, c, v) VALUES (?, ?, ?) IF NOT EXISTS")
    batch = BatchStatement(batch_type=BatchType.LOGGED)
    batch.add(insert_if, (4, 1, "a"))
    batch.add(insert_if, (5, 1, "b"))  # another partition
    before = session.fallbacks
    with pytest.raises(InvalidRequest, match="partition"):
        session.execute(batch)
    assert session.fallbacks == before
    assert session.execute("SELECT count(*) AS n FROM t WHERE k IN (4, 5)").one()["n"] == 0


def test_retries_follow_the_drivers_retry_policy(session: Any) -> None:
    """Unavailable (CL TWO on one replica): the default policy retries on the next host
    once; there is none, so the request fails as the driver's own does."""
    insert = session.prepare("INSERT INTO t (k, c, v) VALUES (?, ?, ?)")
    insert.consistency_level = ConsistencyLevel.TWO
    before = session.fallbacks
    with pytest.raises(NoHostAvailable) as ours:
        session.execute(insert, (7, 1, "x"))
    with pytest.raises(NoHostAvailable):
        session.session.execute(insert, (7, 1, "x"))  # the driver's session alike
    assert session.fallbacks == before
    assert "TWO" in str(list(ours.value.errors.values()))  # the node's Unavailable


def test_a_statement_the_node_forgot_is_prepared_again_through_the_session(
        session: Any) -> None:
    session.execute("CREATE TABLE gone (k int PRIMARY KEY, v text)")
    insert = session.prepare("INSERT INTO gone (k, v) VALUES (?, ?)")
    session.execute("DROP TABLE gone")  # the node drops the table's prepared statements
    session.execute("CREATE TABLE gone (k int PRIMARY KEY, v text)")
    before = session.fallbacks
    session.execute(insert, (1, "back"))
    assert session.fallbacks == before + 1
    assert session.execute(session.prepare("SELECT v FROM gone WHERE k = ?"), (1,)).one() \
        == {"v": "back"}


def test_a_timeout_orphans_the_stream_and_the_connection_goes_on(session: Any) -> None:
    select = session.prepare("SELECT c, v FROM t WHERE k = ?")
    with pytest.raises(OperationTimedOut):
        session.execute(select, (1,), timeout=0.000001)
    for _ in range(20):
        assert session.execute(select, (1,)).one() == {"c": 1, "v": "one"}


def test_what_the_session_takes_keeps_the_drivers_signature(session: Any) -> None:
    future = session.execute_async("SELECT count(*) AS n FROM t WHERE k = 1", timeout=5)
    assert future.result().one()["n"] == 2
    assert future.message.tracing is False and future.timeout == 5
    traced = session.execute_async(session.prepare("SELECT c FROM t WHERE k = ?"), (1,),
                                   trace=True)  # tracing is the session's to do
    assert traced.message.tracing is True and len(traced.result().all()) == 2


def test_async_requests_and_threads(session: Any) -> None:
    insert = session.prepare("INSERT INTO t (k, c, v) VALUES (?, ?, ?)")
    select = session.prepare("SELECT v FROM t WHERE k = ? AND c = ?")
    futures = [session.execute_async(insert, (6, c, f"v{c}")) for c in range(50)]
    assert all(f.result().all() == [] for f in futures)
    errors: list[BaseException] = []

    def read(c: int) -> None:
        try:
            for _ in range(20):
                assert session.execute(select, (6, c)).one() == {"v": f"v{c}"}
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=read, args=(c,)) for c in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


_GEVENT = textwrap.dedent("""
    from gevent import monkey; monkey.patch_all()
    import json, sys, gevent
    from cassandra import OperationTimedOut
    from cadence_py.persistence.cassandra import CassandraConfig, connect
    host, port, keyspace = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    session = connect(CassandraConfig(hosts=(host,), port=port, keyspace=""))
    session.execute("CREATE KEYSPACE %s WITH replication = "
                    "{'class': 'SimpleStrategy', 'replication_factor': 1}" % keyspace)
    session.set_keyspace(keyspace)
    session.execute("CREATE TABLE t (k int, c int, v blob, PRIMARY KEY (k, c))")
    insert = session.prepare("INSERT INTO t (k, c, v) VALUES (?, ?, ?)")
    select = session.prepare("SELECT c, v FROM t WHERE k = ?")
    def work(k):
        for c in range(40):
            session.execute(insert, (k, c, bytes([c]) * 2000))
        bound = select.bind((k,))
        bound.fetch_size = 7
        return [(r["c"], len(r["v"])) for r in session.execute(bound)]
    jobs = [gevent.spawn(work, k) for k in range(30)]
    gevent.joinall(jobs, raise_error=True)
    timed_out = False
    try:
        session.execute(select, (1,), timeout=0.000001)
    except OperationTimedOut:
        timed_out = True
    print(json.dumps({"intact": sum(j.value == [(c, 2000) for c in range(40)] for j in jobs),
                      "timed_out": timed_out, "fallbacks": session.fallbacks,
                      "after": len(session.execute(select, (2,)).all())}))
    session.execute("DROP KEYSPACE %s" % keyspace)
    session.cluster.shutdown()
""")


def test_under_gevent_as_the_server_runs_it(cassandra_node) -> None:  # type: ignore[no-untyped-def]
    done = subprocess.run([sys.executable, "-c", _GEVENT, cassandra_node.contact_point,
                           str(cassandra_node.port), new_keyspace("directg")],
                          capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result == {"intact": 30, "timed_out": True, "fallbacks": 0, "after": 40}
