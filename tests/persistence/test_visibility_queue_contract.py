"""One contract for every VisibilityQueue (the outbox to Elasticsearch): SQLite and Cassandra.

The Cassandra queue lives in the ``queue`` table of the main keyspace, made once for the
module with the schema tool; each test gets a queue type of its own, so tests never see
each other's messages. "Several processes" are several queue objects on one store: each
keeps its own idea of the last id, so they really race for ids.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import gevent
import pytest

from cadence_py.persistence.sqlite.store import SQLiteStore
from cadence_py.persistence.sqlite.visibility_queue import SQLiteVisibilityQueue
from tests.persistence.test_visibility_store_contract import cadence_keyspaces

# "sqlite-writer": the same file with its writes in a writer process (`writerProcess: true`).
BACKENDS = ["sqlite", "sqlite-writer", pytest.param("cassandra", marks=pytest.mark.cassandra)]
MS = 1_000_000
QueueFactory = Callable[[], Any]


@pytest.fixture(scope="module")
def cassandra_session(cassandra_node) -> Iterator[Any]:  # type: ignore[no-untyped-def]
    with cadence_keyspaces(cassandra_node, use_visibility=False) as session:
        yield session


@pytest.fixture(params=BACKENDS)
def new_queue(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[QueueFactory]:
    """Makes queue objects on ONE queue, as separate processes would see it."""
    if request.param.startswith("sqlite"):
        dbs: list[SQLiteStore] = []

        def sqlite_queue() -> Any:  # a connection of its own
            dbs.append(SQLiteStore(tmp_path / "q.db",
                                   writer_process=request.param == "sqlite-writer"))
            return SQLiteVisibilityQueue(dbs[-1])
        yield sqlite_queue
        for db in dbs:
            db.close()
        return
    from cadence_py.persistence.cassandra.visibility_queue import CassandraVisibilityQueue

    session = request.getfixturevalue("cassandra_session")
    queue_type = random.randrange(10_000, 2**31 - 1)
    yield lambda: CassandraVisibilityQueue(session, queue_type=queue_type)


@pytest.fixture
def queue(new_queue: QueueFactory) -> Any:
    return new_queue()


def payloads(messages: list[Any]) -> list[bytes]:
    return [m.payload for m in messages]


# ------------------------------------------------------------------ contract
def test_empty_queue(queue: Any) -> None:
    assert queue.read(10) == [] and queue.oldest_enqueued_at() is None
    queue.enqueue([])
    queue.ack([])
    queue.ack([12345])  # unknown seqs are fine
    assert queue.read(10) == []


def test_read_is_oldest_first_and_ack_forgets(queue: Any) -> None:
    before = time.time_ns()
    queue.enqueue([b"a", b"b\x00"])
    queue.enqueue([b"c"])
    after = time.time_ns()
    messages = queue.read(10)
    assert payloads(messages) == [b"a", b"b\x00", b"c"]
    seqs = [m.seq for m in messages]
    assert seqs == sorted(set(seqs))
    assert all(before - MS < m.enqueued_at <= after for m in messages)  # ms is enough
    assert payloads(queue.read(2)) == [b"a", b"b\x00"]
    assert queue.read(2) == messages[:2]  # reading does not consume
    queue.ack(seqs[:1])
    queue.ack(seqs[:1])  # idempotent
    assert queue.read(10) == messages[1:]
    assert queue.oldest_enqueued_at() == messages[1].enqueued_at
    queue.ack([seqs[2]])  # out of order
    assert queue.read(10) == [messages[1]]
    queue.ack([seqs[1]])
    assert queue.read(10) == [] and queue.oldest_enqueued_at() is None


def test_seqs_are_never_reused_after_the_queue_drains(new_queue: QueueFactory) -> None:
    queue = new_queue()
    queue.enqueue([b"1", b"2"])
    old = [m.seq for m in queue.read(10)]
    queue.ack(old)
    for fresh in (queue, new_queue()):  # this process, and one that never saw them
        fresh.enqueue([b"later"])
        [message] = fresh.read(10)
        assert message.seq > max(old)
        old.append(message.seq)
        fresh.ack([message.seq])
    queue.ack(old)  # a late repeated ack of old seqs ...
    queue.enqueue([b"new"])
    queue.ack(old)
    assert payloads(queue.read(10)) == [b"new"]  # ... never removes a newer message


def test_racing_processes_with_stale_views(new_queue: QueueFactory) -> None:
    first, second = new_queue(), new_queue()
    first.enqueue([b"a"])
    second.enqueue([b"b"])
    first.enqueue([b"c", b"d"])  # its idea of the last id is out of date
    second.enqueue([b"e"])
    messages = first.read(10)
    assert payloads(messages) == [b"a", b"b", b"c", b"d", b"e"]
    assert second.read(10) == messages


@pytest.mark.parametrize("mode", ["greenlets", "threads"])
def test_concurrent_enqueuers_get_distinct_increasing_seqs(new_queue: QueueFactory,
                                                           mode: str) -> None:
    writers, rounds = 6, 5

    def write(n: int) -> None:
        queue = new_queue()  # one "process" each
        for i in range(rounds):
            queue.enqueue([f"{n}:{i}:a".encode(), f"{n}:{i}:b".encode()])
            gevent.sleep(0) if mode == "greenlets" else time.sleep(0)

    if mode == "greenlets":
        gevent.joinall([gevent.spawn(write, n) for n in range(writers)], raise_error=True)
    else:
        errors: list[BaseException] = []

        def run(n: int) -> None:
            try:
                write(n)
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)
        threads = [threading.Thread(target=run, args=(n,)) for n in range(writers)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        assert not errors, errors
    reader = new_queue()
    messages = reader.read(1000)
    assert len(messages) == writers * rounds * 2
    seqs = [m.seq for m in messages]
    assert seqs == sorted(set(seqs))  # distinct, read in increasing order
    for n in range(writers):  # each writer's messages keep the order it wrote them in
        mine = [m.payload.decode() for m in messages if m.payload.startswith(f"{n}:".encode())]
        assert mine == [f"{n}:{i}:{x}" for i in range(rounds) for x in "ab"]
    for i, m in enumerate(messages[::2]):  # a batch is stored together, in order
        assert messages[2 * i + 1].seq == m.seq + 1
    reader.ack(seqs)
    assert reader.read(1000) == []
