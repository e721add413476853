"""The Metrics facade: tagged counters, timers and gauges sent to statsd over UDP.

Emitting a metric must never slow down or fail the request that emits it, so every
send is fire-and-forget UDP, the socket is created on first use (an unreachable or
misspelt statsd host costs a warning, not a failed start), and any exception inside
emission is swallowed after one log line. Lines are buffered and sent in batches
(``flush_interval``), as Cadence's Go statsd client does, so a busy server sends one
datagram per batch instead of one per metric.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from typing import Any

from statsd import StatsClient
from statsd.client.udp import Pipeline

from cadence_py.metrics import names
from cadence_py.metrics.config import MetricsConfig, StatsdConfig
from cadence_py.metrics.keys import statsd_key

log = logging.getLogger(__name__)

COUNTER, TIMER, GAUGE = "c", "ms", "g"
_RETRY_CONNECT_AFTER = 10.0  # seconds between attempts to create an unusable client


class Scope:
    """A set of tags (and a sample rate) that metrics are emitted under.

    ``metrics.scope(operation="RegisterDomain").tagged(domain=d).inc("cadence_requests")``.
    Scopes are cheap values; create them per call.

    A scope remembers its root tags (service, config tags and operation, without the
    tags added later). A metric with a Cadence "rollup" name (``task_requests_per_domain``
    rolls up to ``task_requests``) is also emitted under the rollup name with the root
    tags only, as Cadence's metricsScope does, so dashboards can sum over domains and
    task lists without knowing them.
    """

    __slots__ = ("_metrics", "_tags", "_rate", "_root")

    def __init__(self, metrics: "Metrics", tags: Mapping[str, str], rate: float,
                 root: Mapping[str, str] | None = None) -> None:
        self._metrics = metrics
        self._tags = dict(tags)
        self._rate = rate
        self._root = dict(tags if root is None else root)

    @property
    def tags(self) -> dict[str, str]:
        return dict(self._tags)

    @property
    def enabled(self) -> bool:
        return self._metrics.enabled

    def tagged(self, **tags: str) -> "Scope":
        return Scope(self._metrics, {**self._tags, **tags}, self._rate, self._root)

    def inc(self, name: str, value: int = 1, rollup: str | None = None) -> None:
        self._metrics.emit(COUNTER, name, self._tags, value, self._rate)
        if rollup is not None:
            self._metrics.emit(COUNTER, rollup, self._root, value, self._rate)

    def timing(self, name: str, seconds: float, rollup: str | None = None) -> None:
        """Record a duration (sent in milliseconds)."""
        self.record_ms(name, seconds * 1000.0, rollup)

    def record_ms(self, name: str, ms: float, rollup: str | None = None) -> None:
        """Record a timer value as is. With a rollup name it is also recorded under
        that name with the root tags; otherwise a domain-tagged timer is also recorded
        under ``domain=all``, so dashboards get a cross-domain aggregate."""
        self._metrics.emit(TIMER, name, self._tags, ms, self._rate)
        if rollup is not None:
            self._metrics.emit(TIMER, rollup, self._root, ms, self._rate)
        elif names.DOMAIN in self._tags and self._tags[names.DOMAIN] != names.ALL:
            self._metrics.emit(TIMER, name, {**self._tags, names.DOMAIN: names.ALL}, ms,
                               self._rate)

    def gauge(self, name: str, value: float, rollup: str | None = None) -> None:
        self._metrics.emit(GAUGE, name, self._tags, value, 1.0)
        if rollup is not None:
            self._metrics.emit(GAUGE, rollup, self._root, value, 1.0)


class Metrics:
    """Metrics that go nowhere: what a server without a ``metrics`` section gets.

    Subclasses override ``emit``; everything else (tags, sampling) is shared.
    """

    enabled = False

    def __init__(self, service: str = names.FRONTEND,
                 config: MetricsConfig | None = None) -> None:
        config = config or MetricsConfig()
        self.service = service
        self.root_tags = {**config.tags, names.SERVICE: service}
        self.name_prefix = f"{config.prefix}." if config.prefix else ""
        self.sample_rates = dict(config.sample_rates)

    def scope(self, operation: str, **tags: str) -> Scope:
        """The scope for one operation, with the root tags and its sample rate."""
        rate = self.sample_rates.get(operation, 1.0)
        root = {**self.root_tags, names.OPERATION: operation}
        return Scope(self, {**root, **tags}, rate, root)

    def emit(self, kind: str, name: str, tags: Mapping[str, str], value: float,
             rate: float) -> None:
        """Send one metric; never raises."""

    def flush(self) -> None:
        """Send whatever is buffered now."""

    def close(self) -> None:
        """Flush and release the socket."""


class _Batch(Pipeline):
    """A statsd pipeline that tells its owner how many bytes it holds."""

    def __init__(self, client: StatsClient) -> None:
        super().__init__(client)
        self.size = 0

    def _after(self, data: Any) -> None:
        if data is not None:
            self._stats.append(data)
            self.size += len(data) + 1

    def send(self) -> None:
        self.size = 0
        super().send()


class StatsdMetrics(Metrics):
    """Metrics sent to a statsd daemon (Etsy statsd, or anything speaking its protocol)."""

    enabled = True

    def __init__(self, service: str, config: MetricsConfig) -> None:
        super().__init__(service, config)
        self.statsd: StatsdConfig = config.statsd or StatsdConfig()
        self._client: StatsClient | None = None
        self._batch: _Batch | None = None
        self._retry_at = 0.0
        self._warned = False
        self._flusher: Any = None
        self._closed = False

    def _connect(self) -> StatsClient | None:
        if self._client is not None or self._closed:
            return self._client
        now = time.monotonic()
        if now < self._retry_at:
            return None
        try:
            self._client = StatsClient(self.statsd.host, self.statsd.port,
                                       prefix=self.statsd.prefix or None,
                                       maxudpsize=self.statsd.flush_bytes)
        except Exception as exc:  # noqa: BLE001 - DNS, sockets: never fail a request
            self._retry_at = now + _RETRY_CONNECT_AFTER
            self._warn(f"cannot create statsd client for {self.statsd.host}:"
                       f"{self.statsd.port}: {exc}")
            return None
        if self.statsd.flush_interval > 0:
            self._batch = _Batch(self._client)
        return self._client

    def _warn(self, message: str) -> None:
        if not self._warned:
            self._warned = True
            log.warning("metrics: %s (further metric errors are not logged)", message)

    def emit(self, kind: str, name: str, tags: Mapping[str, str], value: float,
             rate: float) -> None:
        try:
            client = self._connect()
            if client is None:
                return
            target: Any = self._batch if self._batch is not None else client
            key = statsd_key(self.name_prefix + name, tags)
            if kind == COUNTER:
                target.incr(key, value, rate)
            elif kind == TIMER:
                target.timing(key, value, rate)
            else:
                target.gauge(key, value)
            if self._batch is not None:
                if self._batch.size >= self.statsd.flush_bytes:
                    self._batch.send()
                elif self._flusher is None:
                    self._start_flusher()
        except Exception as exc:  # noqa: BLE001
            self._warn(f"dropped {name}: {exc}")

    def _start_flusher(self) -> None:
        import gevent

        def loop() -> None:
            while not self._closed:
                gevent.sleep(self.statsd.flush_interval)
                self.flush()

        self._flusher = gevent.spawn(loop)

    def flush(self) -> None:
        try:
            if self._batch is not None:
                self._batch.send()
        except Exception as exc:  # noqa: BLE001
            self._warn(f"flush failed: {exc}")

    def close(self) -> None:
        self.flush()
        self._closed = True
        if self._flusher is not None:
            self._flusher.kill(block=False)
            self._flusher = None
        if self._client is not None:
            self._client.close()
            self._client = None
            self._batch = None


def new_metrics(service: str, config: MetricsConfig | None) -> Metrics:
    """StatsdMetrics when a statsd reporter is configured, else the no-op Metrics."""
    if config is None or config.statsd is None:
        return Metrics(service, config)
    return StatsdMetrics(service, config)
