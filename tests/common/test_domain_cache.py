"""DomainCache through a store failure: an entry it had is served past its lifetime while
the store cannot be read (as upstream's cache keeps entries until a refresh succeeds); a
domain it never had fails with the store's error."""

from __future__ import annotations

import time

import pytest

from cadence_py.common.domain_cache import DomainCache
from cadence_py.persistence.errors import PersistenceError
from cadence_py.persistence.sqlite.store import SQLiteStore
from tests.persistence.test_domain_store_contract import new_record


class Failing:
    """The real store, with reads switched off as a node that went down would."""

    def __init__(self, inner: SQLiteStore) -> None:
        self.inner = inner
        self.down = False
        self.reads = 0

    def get_domain(self, **kwargs):
        self.reads += 1
        if self.down:
            raise PersistenceError("cassandra read domain: no host available")
        return self.inner.get_domain(**kwargs)


def test_an_expired_entry_is_served_while_the_store_is_down(tmp_path):
    store = SQLiteStore(str(tmp_path / "c.db"))
    try:
        store.create_domain(new_record("orders"))
        failing = Failing(store)
        cache = DomainCache(failing, ttl=0.0)  # every lookup tries the store first
        record = cache.by_name("orders")
        failing.down = True
        assert cache.by_name("orders") is record
        assert cache.by_id(record.info.id) is record
        with pytest.raises(PersistenceError):
            cache.by_name("never-seen")
        failing.down = False
        assert cache.by_name("orders").info.name == "orders"
    finally:
        store.close()


def test_a_down_store_is_asked_once_per_ttl(tmp_path):
    store = SQLiteStore(str(tmp_path / "c.db"))
    try:
        store.create_domain(new_record("billing"))
        failing = Failing(store)
        cache = DomainCache(failing, ttl=0.2)
        record = cache.by_name("billing")
        time.sleep(0.25)
        failing.down = True
        assert cache.by_name("billing") is record  # expired: asked, failed, served stale
        reads = failing.reads
        for _ in range(5):
            assert cache.by_name("billing") is record
        assert failing.reads == reads  # not asked again within the ttl
    finally:
        store.close()
