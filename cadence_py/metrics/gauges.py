"""Periodic gauges (task list backlog, queue processor lag) and domain names for tags.

Gauges are sampled off the hot path: a greenlet asks each registered source to emit
its current values every ``interval`` seconds, so adding or polling a task costs nothing
extra. A source that raises is logged once and skipped; reporting goes on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from cadence_py.metrics import names

log = logging.getLogger(__name__)
GAUGE_INTERVAL = 1.0  # seconds; statsd keeps the last value of a gauge until it changes
_MAX_NAMES = 10_000


class GaugeReporter:
    """``reporter.add(source)``; ``start()`` runs every source each ``interval``."""

    def __init__(self, interval: float = GAUGE_INTERVAL) -> None:
        self.interval = interval
        self.sources: list[Callable[[], None]] = []
        self._greenlet: Any = None
        self._failed: set[str] = set()

    def add(self, source: Callable[[], None]) -> None:
        self.sources.append(source)

    def report(self) -> None:
        """Run every source once; never raises."""
        for source in self.sources:
            try:
                source()
            except Exception:  # noqa: BLE001 - gauges must never hurt the server
                name = getattr(source, "__qualname__", repr(source))
                if name not in self._failed:
                    self._failed.add(name)
                    log.exception("metrics: gauge source %s failed (not logged again)",
                                  name)

    def start(self) -> None:
        if self._greenlet is not None or not self.sources:
            return
        import gevent

        def loop() -> None:
            while True:
                gevent.sleep(self.interval)
                self.report()

        self._greenlet = gevent.spawn(loop)

    def stop(self) -> None:
        if self._greenlet is not None:
            self._greenlet.kill(block=False)
            self._greenlet = None
        self.report()  # last values, so a drained queue reads 0 after shutdown too


class DomainNames:
    """Domain id -> name for the ``domain`` tag, without failing and mostly without I/O.

    Cadence never renames a domain, so a name once seen is kept (up to a bound); the
    first lookup of an id goes through the domain cache. Unknown ids get ``_unknown_``.
    """

    def __init__(self, cache: Any) -> None:
        self.cache = cache
        self._names: dict[str, str] = {}

    def name(self, domain_id: str) -> str:
        hit = self._names.get(domain_id)
        if hit is not None:
            return hit
        try:
            found = self.cache.by_id(domain_id).info.name or names.UNKNOWN
        except Exception:  # noqa: BLE001 - deleted domain, store hiccup: tag it unknown
            return names.UNKNOWN
        if len(self._names) < _MAX_NAMES:
            self._names[domain_id] = found
        return found
