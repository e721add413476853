"""MeteredStore around the real SQLite domain store."""

from __future__ import annotations

from pathlib import Path

import pytest

from cadence_py.metrics import Metrics, MetricsConfig, StatsdConfig, StatsdMetrics, names
from cadence_py.metrics.persistence import MeteredStore, metered_domain_store, record_error
from cadence_py.persistence import DomainInfo, DomainRecord, errors
from cadence_py.persistence.sqlite.store import SQLiteStore
from tests.metrics.conftest import UdpSink

SVC = "cadence_service.cadence-frontend"


def statsd(sink: UdpSink) -> StatsdMetrics:
    return StatsdMetrics(names.FRONTEND, MetricsConfig(
        statsd=StatsdConfig(port=sink.port, flush_interval=0)))


def test_calls_are_counted_timed_and_classified(tmp_path: Path, sink: UdpSink) -> None:
    store = metered_domain_store(SQLiteStore(tmp_path / "d.db"), statsd(sink))
    assert isinstance(store, MeteredStore)
    record = DomainRecord(info=DomainInfo(id="7b4fd8c4-0000-4000-8000-000000000001", name="a"))
    store.create_domain(record)
    with pytest.raises(errors.DomainAlreadyExistsError):
        store.create_domain(record)
    with pytest.raises(errors.EntityNotExistsError):
        store.get_domain(name="ghost")
    assert store.get_metadata() >= 1
    keys = [line.split(":")[0] for line in sink.pending()]
    assert keys.count(f"cadence.persistence_requests.{SVC}.operation.CreateDomain") == 2
    assert keys.count(f"cadence.persistence_latency.{SVC}.operation.CreateDomain") == 2
    assert f"cadence.persistence_errors_domain_already_exists.{SVC}.operation.CreateDomain" \
        in keys
    assert f"cadence.persistence_errors_entity_not_exists.{SVC}.operation.GetDomain" in keys
    assert f"cadence.persistence_requests.{SVC}.operation.GetMetadata" in keys
    # "Already exists" and "not found" are answers, not store failures.
    assert not any(key.startswith("cadence.persistence_errors.") for key in keys)
    store.close()  # not metered: passes straight through
    assert sink.pending() == []


def test_failures_count_as_persistence_errors(sink: UdpSink) -> None:
    scope = statsd(sink).scope("UpdateDomain")
    record_error(scope, errors.PersistenceError("connection reset"))
    record_error(scope, TimeoutError("read timed out"))
    record_error(scope, errors.ConditionFailedError("version moved"))
    keys = [line.split(":")[0].split(".")[1] for line in sink.pending()]
    assert keys == ["persistence_errors", "persistence_errors_timeout", "persistence_errors",
                    "persistence_errors_condition_failed"]


def test_without_metrics_the_store_is_not_wrapped(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "d.db")
    assert metered_domain_store(store, Metrics()) is store
    store.close()
