"""How a metric name plus tags becomes one flat statsd key.

Cadence's statsd reporter appends the tags after the name as ``key.value`` pairs in
sorted key order; Graphite then sees one path level per part, so dashboards can pick a
tag by its position. We do the same, so a Graphite dashboard built for the Go server
finds our series. The statsd prefix is added by the statsd client itself.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache

from cadence_py.metrics.names import UNKNOWN

# Characters that would corrupt a statsd line ("name:value|type", lines split on "\n")
# or that the statsd daemon drops anyway. Cadence sanitizes nothing, but a caller name
# with ":" must not turn one counter into garbage, so only these are replaced.
_UNSAFE = re.compile(r"[^A-Za-z0-9_\-.;=]")


def clean(value: str) -> str:
    """A tag value or name part safe inside a statsd line; empty becomes ``_unknown_``."""
    if not value:
        return UNKNOWN
    return _UNSAFE.sub("_", value)


def statsd_key(name: str, tags: Mapping[str, str]) -> str:
    """``name.k1.v1.k2.v2...`` with the tag keys sorted, as Cadence flattens them."""
    return _flat(name, tuple(sorted(tags.items())))


@lru_cache(maxsize=4096)
def _flat(name: str, items: tuple[tuple[str, str], ...]) -> str:
    # The same few hundred series are emitted over and over on the hot paths (queue
    # tasks, polls, store calls): flatten each once.
    parts = [clean(name)]
    for key, value in items:
        parts.append(clean(key))
        parts.append(clean(value))
    return ".".join(parts)
