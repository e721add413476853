"""Domain lookups for the hot path: a small time-bounded cache over the DomainStore.

Every workflow call names a domain; reading the domain row each time would double the
store traffic. Entries live a few seconds, so updates (retention, status) show up fast.
When the store cannot be read (a Cassandra node down), an expired entry is served as it
was, as upstream's domain cache keeps its entries until a refresh succeeds: a domain
rarely changes, and a store outage must not fail calls that need nothing else from it
(polls, and reads the history cache answers), nor multiply the outage's store traffic.
"""

from __future__ import annotations

import threading
import time

from cadence_py.common import errors
from cadence_py.persistence import errors as perr
from cadence_py.persistence.domains import DomainRecord, DomainStore

TTL_SECONDS = 5.0


class DomainCache:
    def __init__(self, store: DomainStore, ttl: float = TTL_SECONDS) -> None:
        self.store = store
        self.ttl = ttl
        self._by_name: dict[str, tuple[float, DomainRecord]] = {}
        self._by_id: dict[str, tuple[float, DomainRecord]] = {}
        self._lock = threading.Lock()

    def _remember(self, record: DomainRecord) -> DomainRecord:
        expires = time.monotonic() + self.ttl
        with self._lock:
            self._by_name[record.info.name] = (expires, record)
            self._by_id[record.info.id] = (expires, record)
        return record

    def forget(self, name: str) -> None:
        """Drop a domain this process just changed or deleted, so that its next use here
        reads the store (other processes see the change when their entries expire)."""
        with self._lock:
            self._by_name.pop(name, None)
            for domain_id in [i for i, (_, r) in self._by_id.items() if r.info.name == name]:
                del self._by_id[domain_id]

    def by_name(self, name: str | None) -> DomainRecord:
        """The domain, or BadRequest (name missing) / EntityNotExists (unknown)."""
        if not name:
            raise errors.bad_request(errors.DOMAIN_NOT_SET)
        return self._lookup(self._by_name, name, name=name)

    def by_id(self, domain_id: str) -> DomainRecord:
        return self._lookup(self._by_id, domain_id, domain_id=domain_id)

    def _lookup(self, entries: dict[str, tuple[float, DomainRecord]], key: str,
                **query: str) -> DomainRecord:
        hit = entries.get(key)
        now = time.monotonic()
        if hit and hit[0] > now:
            return hit[1]
        try:
            return self._remember(self.store.get_domain(**query))
        except perr.EntityNotExistsError:
            raise errors.entity_not_exists(f"Domain {key} does not exist.") from None
        except perr.PersistenceError:
            if hit is None:
                raise
            # Stale beats failing (see the module doc); kept for another ttl, so a store
            # that is down (or hangs until its timeout) is asked once per ttl, not per call.
            with self._lock:
                entries[key] = (now + self.ttl, hit[1])
            return hit[1]
