"""What the ``metrics`` section of a config file says, already validated.

Kept free of YAML parsing (that is server/config.py's job) so the roles can build a
Metrics from it without importing the server package.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class StatsdConfig:
    """Where and how to send statsd lines (Cadence's ``metrics.statsd``)."""

    host: str = "127.0.0.1"
    port: int = 8125
    prefix: str = "cadence"
    # Lines are buffered and sent together at most this long after the first one;
    # 0 sends each line at once. 300 ms is the Go statsd client's default.
    flush_interval: float = 0.3
    flush_bytes: int = 1432  # one UDP datagram (the Go client's default)


@dataclass
class MetricsConfig:
    """One service's metrics: the reporter plus tags added to every series."""

    statsd: StatsdConfig | None = None
    tags: dict[str, str] = field(default_factory=dict)
    prefix: str = ""  # Cadence's tally root prefix: goes between statsd prefix and name
    # operation -> fraction of its calls that emit (hot paths); 1.0 when absent.
    sample_rates: dict[str, float] = field(default_factory=dict)
