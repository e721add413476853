"""One contract for every DomainStore: SQLite and Cassandra must behave the same.

The Cassandra keyspace is shared by all tests of this module (creating one costs seconds),
so tests use unique domain names and check the store-wide notification version as a
delta, never as an absolute value (the one absolute check gets a keyspace of its own).
The keyspace also holds the seeded ``cadence-system`` domain, which lists must tolerate.
"""

from __future__ import annotations

import contextlib
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from cadence_py.persistence import (
    BadBinary,
    ConditionFailedError,
    DomainAlreadyExistsError,
    DomainConfig,
    DomainInfo,
    DomainRecord,
    DomainStore,
    EntityNotExistsError,
    ReplicationConfig,
)
from cadence_py.persistence.sqlite.store import SQLiteStore

REPO = Path(__file__).resolve().parents[2]
VERSIONED = REPO / "schema" / "cassandra" / "cadence" / "versioned"

StoreFactory = Callable[[], DomainStore]


# ------------------------------------------------------------------ Cassandra plumbing
def _tool_options(node):  # type: ignore[no-untyped-def]
    from cadence_py.tools import cassandra_tool

    return cassandra_tool.ConnectionOptions(hosts=(node.contact_point,), port=node.port,
                                            timeout_s=60, connect_timeout_s=10)


def _create_keyspace(node) -> str:  # type: ignore[no-untyped-def]
    """A fresh keyspace at the latest schema, made the operator's way (the schema tool)."""
    from cadence_py.tools import cassandra_tool

    keyspace = f"domains_{uuid.uuid4().hex[:12]}"
    opts = _tool_options(node)
    cassandra_tool.create_keyspace(opts, keyspace, 1, "")
    cassandra_tool.setup_schema(opts, keyspace, "0.0", None, False, False)
    cassandra_tool.update_schema(opts, keyspace, str(VERSIONED), None, False)
    return keyspace


def _drop_keyspace(node, keyspace: str) -> None:  # type: ignore[no-untyped-def]
    from cadence_py.tools import cassandra_tool

    with cassandra_tool.open_session(_tool_options(node)) as session:
        session.execute(f"DROP KEYSPACE IF EXISTS {keyspace}")


@contextlib.contextmanager
def keyspace_session(node) -> Iterator[Any]:  # type: ignore[no-untyped-def]
    """A driver session on a fresh keyspace with Cadence's schema, dropped afterwards."""
    from cadence_py.persistence.cassandra import CassandraConfig, connect

    keyspace = _create_keyspace(node)
    session = connect(CassandraConfig(hosts=(node.contact_point,), port=node.port,
                                      keyspace=keyspace))
    try:
        yield session
    finally:
        session.cluster.shutdown()
        _drop_keyspace(node, keyspace)


@pytest.fixture(scope="module")
def cassandra_store_factory(cassandra_node) -> Iterator[StoreFactory]:  # type: ignore[no-untyped-def]
    """Stores on one keyspace created for this module (dropped afterwards)."""
    from cadence_py.persistence.cassandra import CassandraDomainStore

    with keyspace_session(cassandra_node) as session:
        yield lambda: CassandraDomainStore(session)


# "sqlite-writer": the same file with its writes in a writer process (`writerProcess: true`).
BACKENDS = ["sqlite", "sqlite-writer", pytest.param("cassandra", marks=pytest.mark.cassandra)]


@pytest.fixture(params=BACKENDS)
def domain_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[DomainStore]:
    if request.param.startswith("sqlite"):
        store: DomainStore = SQLiteStore(tmp_path / "x.db",
                                         writer_process=request.param == "sqlite-writer")
    else:
        store = request.getfixturevalue("cassandra_store_factory")()
    try:
        yield store
    finally:
        store.close()


@pytest.fixture(params=BACKENDS)
def fresh_domain_store(request: pytest.FixtureRequest, tmp_path: Path
                       ) -> Iterator[DomainStore]:
    """A store nobody has written to yet (Cassandra: a keyspace of its own)."""
    if request.param.startswith("sqlite"):
        store: DomainStore = SQLiteStore(tmp_path / "fresh.db",
                                         writer_process=request.param == "sqlite-writer")
        try:
            yield store
        finally:
            store.close()
        return
    from cadence_py.persistence.cassandra import CassandraDomainStore

    with keyspace_session(request.getfixturevalue("cassandra_node")) as session:
        yield CassandraDomainStore(session, owns_session=True)


# ------------------------------------------------------------------ helpers
def unique_name(prefix: str = "dom") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def new_record(name: str | None = None, **overrides: object) -> DomainRecord:
    record = DomainRecord(info=DomainInfo(id=str(uuid.uuid4()), name=name or unique_name()),
                          last_updated_time=time.time_ns())
    for key, value in overrides.items():
        setattr(record, key, value)
    return record


def full_record() -> DomainRecord:
    """Every field away from its default, so a dropped or mis-encoded column shows."""
    now = time.time_ns()
    return DomainRecord(
        info=DomainInfo(id=str(uuid.uuid4()), name=unique_name("full"), status=1,
                        description="a description", owner_email="owner@example.com",
                        data={"team": "payments", "tier": "1", "empty": ""}),
        config=DomainConfig(
            retention_days=9, emit_metric=False,
            history_archival_status=1, history_archival_uri="file:///tmp/history",
            visibility_archival_status=2, visibility_archival_uri="file:///tmp/visibility",
            bad_binaries={
                "checksum-1": BadBinary(reason="crashes", operator="alice",
                                        created_time_nano=now - 1000),
                "checksum-2": BadBinary(reason="", operator="bob", created_time_nano=0),
            }),
        replication=ReplicationConfig(active_cluster_name="cluster-b",
                                      clusters=["cluster-a", "cluster-b"]),
        is_global=True, config_version=3, failover_version=11,
        failover_notification_version=4, previous_failover_version=7,
        failover_end_time=now + 60_000_000_000, last_updated_time=now,
    )


def all_domains(store: DomainStore, page_size: int) -> tuple[list[DomainRecord], int]:
    """Every domain across pages, and how many pages it took."""
    records: list[DomainRecord] = []
    token: bytes | None = None
    pages = 0
    while True:
        page, token = store.list_domains(page_size, token)
        pages += 1
        assert len(page) <= page_size
        records.extend(page)
        if not token:
            return records, pages
        assert pages < 100, "paging does not terminate"


# ------------------------------------------------------------------ tests
def test_create_then_get_by_name_and_id(domain_store: DomainStore) -> None:
    record = new_record()
    before = domain_store.get_metadata()
    domain_store.create_domain(record)

    by_name = domain_store.get_domain(name=record.info.name)
    by_id = domain_store.get_domain(domain_id=record.info.id)
    assert by_name == by_id
    assert by_name.info.id == record.info.id
    assert by_name.info.name == record.info.name
    # The domain row carries the store version current when it was written.
    assert by_name.notification_version == before


def test_missing_domain_is_entity_not_exists(domain_store: DomainStore) -> None:
    with pytest.raises(EntityNotExistsError):
        domain_store.get_domain(name=unique_name("missing"))
    with pytest.raises(EntityNotExistsError):
        domain_store.get_domain(domain_id=str(uuid.uuid4()))


def test_delete_removes_name_and_id_and_frees_the_name(domain_store: DomainStore) -> None:
    record = new_record()
    domain_store.create_domain(record)
    domain_store.delete_domain(record.info.name)
    for key in ({"name": record.info.name}, {"domain_id": record.info.id}):
        with pytest.raises(EntityNotExistsError):
            domain_store.get_domain(**key)
    domain_store.delete_domain(record.info.name)  # gone already: nothing to do
    again = new_record(record.info.name)
    domain_store.create_domain(again)
    assert domain_store.get_domain(name=record.info.name).info.id == again.info.id


def test_duplicate_name_is_rejected(domain_store: DomainStore) -> None:
    first = new_record()
    domain_store.create_domain(first)
    version = domain_store.get_metadata()

    second = new_record(first.info.name)  # same name, new id
    with pytest.raises(DomainAlreadyExistsError):
        domain_store.create_domain(second)
    with pytest.raises(DomainAlreadyExistsError):
        domain_store.create_domain(DomainRecord(info=DomainInfo(id=first.info.id,
                                                                name=first.info.name)))

    # The loser left nothing behind: its id is unknown, the winner is untouched and the
    # store version did not move.
    with pytest.raises(EntityNotExistsError):
        domain_store.get_domain(domain_id=second.info.id)
    assert domain_store.get_domain(name=first.info.name).info.id == first.info.id
    assert domain_store.get_metadata() == version


def test_metadata_starts_at_zero_and_counts_changes(fresh_domain_store: DomainStore) -> None:
    store = fresh_domain_store
    assert store.get_metadata() == 0
    first = new_record()
    store.create_domain(first)
    assert store.get_metadata() == 1
    assert store.get_domain(name=first.info.name).notification_version == 0
    store.create_domain(new_record())
    assert store.get_metadata() == 2
    first.info.description = "changed"
    store.update_domain(first, 2)
    assert store.get_metadata() == 3


def test_metadata_increments_once_per_change(domain_store: DomainStore) -> None:
    start = domain_store.get_metadata()
    record = new_record()
    domain_store.create_domain(record)
    assert domain_store.get_metadata() == start + 1
    domain_store.create_domain(new_record())
    assert domain_store.get_metadata() == start + 2
    domain_store.update_domain(record, start + 2)
    assert domain_store.get_metadata() == start + 3


def test_update_with_current_and_stale_version(domain_store: DomainStore) -> None:
    record = new_record()
    domain_store.create_domain(record)
    version = domain_store.get_metadata()

    record.info.description = "stale"
    with pytest.raises(ConditionFailedError):
        domain_store.update_domain(record, version - 1)
    with pytest.raises(ConditionFailedError):
        domain_store.update_domain(record, version + 1)
    assert domain_store.get_metadata() == version
    assert domain_store.get_domain(name=record.info.name).info.description == ""

    record.info.description = "fresh"
    record.config_version += 1
    domain_store.update_domain(record, version)
    assert domain_store.get_metadata() == version + 1
    stored = domain_store.get_domain(name=record.info.name)
    assert stored.info.description == "fresh"
    assert stored.config_version == 1
    assert stored.notification_version == version

    # The version it succeeded with is now stale.
    with pytest.raises(ConditionFailedError):
        domain_store.update_domain(record, version)


def test_update_of_unknown_domain_is_entity_not_exists(domain_store: DomainStore) -> None:
    domain_store.create_domain(new_record())  # so the version is not trivially 0
    version = domain_store.get_metadata()
    with pytest.raises(EntityNotExistsError):
        domain_store.update_domain(new_record(), version)
    assert domain_store.get_metadata() == version


def test_every_field_round_trips(domain_store: DomainStore) -> None:
    record = full_record()
    version = domain_store.get_metadata()
    domain_store.create_domain(record)
    record.notification_version = version
    assert domain_store.get_domain(name=record.info.name) == record
    assert domain_store.get_domain(domain_id=record.info.id) == record

    # Change every mutable field, including clearing collections and the failover end.
    record.info.status = 2
    record.info.description = ""
    record.info.owner_email = "new@example.com"
    record.info.data = {}
    record.config = DomainConfig(retention_days=1, emit_metric=True,
                                 bad_binaries={"x": BadBinary("why", "who", 42)})
    record.replication = ReplicationConfig(active_cluster_name="cluster-a",
                                           clusters=["cluster-a"])
    record.config_version += 1
    record.failover_version = 12
    record.failover_notification_version = 5
    record.previous_failover_version = 11
    record.failover_end_time = None
    record.last_updated_time = time.time_ns()
    version = domain_store.get_metadata()
    domain_store.update_domain(record, version)
    record.notification_version = version
    assert domain_store.get_domain(name=record.info.name) == record

    listed = [d for d in all_domains(domain_store, 50)[0] if d.info.id == record.info.id]
    assert listed == [record]


def test_paging_returns_every_domain_once(domain_store: DomainStore) -> None:
    prefix = unique_name("page")
    created = {f"{prefix}-{i:02d}" for i in range(25)}
    for name in sorted(created):
        domain_store.create_domain(new_record(name))

    records, pages = all_domains(domain_store, 10)
    names = [r.info.name for r in records]
    assert len(names) == len(set(names)), "a domain was listed twice"
    assert created <= set(names)
    assert pages >= 3
    assert names == sorted(names), "domains are listed in name order"


@pytest.mark.parametrize("round_", range(3))
def test_concurrent_creates_of_one_name_have_one_winner(domain_store: DomainStore,
                                                        round_: int) -> None:
    name = unique_name("race")
    contenders = [new_record(name) for _ in range(3)]
    barrier = threading.Barrier(len(contenders))
    outcomes: dict[str, object] = {}

    def create(record: DomainRecord) -> None:
        barrier.wait()
        try:
            domain_store.create_domain(record)
            outcomes[record.info.id] = "won"
        except Exception as exc:  # noqa: BLE001 - recorded and asserted below
            outcomes[record.info.id] = exc

    threads = [threading.Thread(target=create, args=(r,)) for r in contenders]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)

    winners = [i for i, o in outcomes.items() if o == "won"]
    losers = [o for o in outcomes.values() if o != "won"]
    assert len(outcomes) == len(contenders)
    assert len(winners) == 1, outcomes
    assert all(isinstance(o, DomainAlreadyExistsError) for o in losers), outcomes
    assert domain_store.get_domain(name=name).info.id == winners[0]
    for record in contenders:
        if record.info.id != winners[0]:
            with pytest.raises(EntityNotExistsError):
                domain_store.get_domain(domain_id=record.info.id)
