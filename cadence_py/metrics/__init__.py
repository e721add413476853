"""Cadence-style metrics over statsd, for Graphite dashboards.

- ``client``: the ``Metrics`` facade (no-op unless a statsd reporter is configured),
  ``Scope`` for tags, ``new_metrics`` to build one from config.
- ``keys``: how name + tags flatten into a statsd key, as Cadence's reporter does.
- ``names``: Cadence's metric, tag and operation names.
- ``rpc``: the dispatcher observer for per-call request/error/latency metrics.
- ``persistence``: the wrapper that meters a store.
"""

from cadence_py.metrics.client import Metrics, Scope, StatsdMetrics, new_metrics
from cadence_py.metrics.config import MetricsConfig, StatsdConfig

__all__ = ["Metrics", "MetricsConfig", "Scope", "StatsdConfig", "StatsdMetrics",
           "new_metrics"]
