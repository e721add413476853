"""Assembles visibility for one server from its config.

Always: basic visibility records in the main store, the search-attribute registry (kept in
the main store), and a query backend. With ``persistence.advancedVisibilityStore`` naming
an Elasticsearch datastore, also the durable outbox, the indexer draining it, and
Elasticsearch as the query backend.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from cadence_py.history.visibility import VisibilityWriter
from cadence_py.visibility.attributes import SearchAttributes, is_system_key
from cadence_py.visibility.backends import MainStoreQueries, QueryBackend

log = logging.getLogger(__name__)


@dataclass
class Visibility:
    store: Any  # persistence.visibility.VisibilityStore
    search_attributes: SearchAttributes
    queries: QueryBackend
    writer: VisibilityWriter
    elasticsearch: Any = None  # EsVisibility
    indexer: Any = None  # elasticsearch.indexer.Indexer
    queue: Any = None  # persistence.visibility_queue.VisibilityQueue

    def start(self) -> None:
        if self.indexer is not None:
            self.indexer.start()

    def stop(self) -> None:
        """Stop indexing, then release the stores' sessions (Cassandra's own them)."""
        if self.indexer is not None:
            self.indexer.stop()
        for part in (self.queue, self.store):
            close = getattr(part, "close", None)
            if close is not None:
                close()


def _search_attribute_store(config: Any, domains: Any, executions: Any) -> Any:
    if config.store == "cassandra":
        from cadence_py.persistence.cassandra.search_attributes import (
            CassandraSearchAttributeStore,
        )
        return CassandraSearchAttributeStore(executions._session)
    from cadence_py.persistence.sqlite import SQLiteStore
    from cadence_py.persistence.sqlite.search_attributes import SQLiteSearchAttributeStore
    db = domains if isinstance(domains, SQLiteStore) else getattr(executions, "db", None)
    return SQLiteSearchAttributeStore(db)


def open_visibility(config: Any, domains: Any, executions: Any, history: Any,
                    metrics: Any = None) -> Visibility:
    """Everything visibility needs; ``start()`` it with the server."""
    from cadence_py.persistence import factory

    store = factory.open_visibility_store(config, domains)
    attributes = SearchAttributes(_search_attribute_store(config, domains, executions))
    history.search_attributes = attributes
    if config.elasticsearch is None:
        writer = VisibilityWriter(history, store)
        history.visibility_writer = writer
        return Visibility(store, attributes, MainStoreQueries(store), writer)

    from cadence_py.visibility.elasticsearch.client import EsVisibility
    from cadence_py.visibility.elasticsearch.indexer import Indexer

    es_config = config.elasticsearch
    es = EsVisibility(es_config.url, es_config.index, es_config.username,
                      es_config.password, es_config.timeout)

    def prepare() -> None:  # index set-up; the indexer retries it if it fails here
        es.ensure_index({k: v for k, v in attributes.valid().items()
                         if not is_system_key(k)})

    queue = factory.open_visibility_queue(config, domains)
    ready = False
    try:  # normally the index is ready before the server takes calls
        prepare()
        ready = True
    except Exception as exc:  # noqa: BLE001 - the indexer retries; the server serves
        log.warning("Elasticsearch at %s not ready (%s); writes wait in the outbox",
                    es_config.url, exc)
    indexer = Indexer(queue, es, metrics, prepare=None if ready else prepare)
    writer = VisibilityWriter(history, store, queue, attributes, on_enqueue=indexer.notify)
    history.visibility_writer = writer
    return Visibility(store, attributes, es, writer, es, indexer, queue)
