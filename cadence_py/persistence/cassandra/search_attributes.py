"""Cassandra SearchAttributeStore on the ``cluster_config`` table of the `cadence` keyspace.

``cluster_config`` keeps versioned documents per row type, newest version first. Our
search-attribute document uses a row type of its own (``ROW_TYPE``, far from the small
numbers upstream's config store uses) and JSON values. A save reads the newest version,
merges, and inserts version+1 with IF NOT EXISTS, retrying when another process won the
race, so concurrent AddSearchAttribute calls never drop each other's keys.
"""

from __future__ import annotations

import json
import time
from typing import Any

ROW_TYPE = 1001
ATTEMPTS = 20


class CassandraSearchAttributeStore:
    def __init__(self, session: Any) -> None:
        self.session = session
        self._latest = session.prepare(
            "SELECT version, values FROM cluster_config WHERE row_type = ? LIMIT 1")
        self._insert = session.prepare(
            "INSERT INTO cluster_config (row_type, version, timestamp, values, encoding) "
            "VALUES (?, ?, ?, ?, 'json') IF NOT EXISTS")

    def _read(self) -> tuple[int, dict[str, int]]:
        rows = list(self.session.execute(self._latest, (ROW_TYPE,)))
        if not rows:
            return 0, {}
        row = rows[0]
        version = row["version"] if isinstance(row, dict) else row.version
        values = row["values"] if isinstance(row, dict) else row.values
        return version, {str(k): int(v) for k, v in json.loads(values or b"{}").items()}

    def load_search_attributes(self) -> dict[str, int]:
        return self._read()[1]

    def save_search_attributes(self, added: dict[str, int]) -> None:
        for _ in range(ATTEMPTS):
            version, current = self._read()
            merged = {**added, **current}  # an existing key keeps its type
            if merged == current and version:
                return
            result = self.session.execute(self._insert, (
                ROW_TYPE, version + 1, int(time.time() * 1000),
                json.dumps(merged, sort_keys=True).encode()))
            if result.was_applied:
                return
        raise RuntimeError("could not save search attributes: too many concurrent updates")
