"""SQLite VisibilityQueue: the ``visibility_queue`` table, sharing the SQLiteStore's file.

Seqs come from ``INTEGER PRIMARY KEY AUTOINCREMENT``: increasing in commit order and
never handed out again after a delete, so a repeated ack cannot remove a newer message.
"""

from __future__ import annotations

import time

from cadence_py.persistence.sqlite.store import SQLiteStore, execute_many
from cadence_py.persistence.visibility_queue import QueuedMessage


class SQLiteVisibilityQueue:
    def __init__(self, db: SQLiteStore) -> None:
        self.db = db

    def enqueue(self, payloads: list[bytes]) -> None:
        if not payloads:
            return
        now = time.time_ns()
        rows = [(bytes(p), now) for p in payloads]
        self.db.write(execute_many,
                      "INSERT INTO visibility_queue(payload, enqueued_at) VALUES (?, ?)", rows)

    def read(self, limit: int) -> list[QueuedMessage]:
        rows = self.db.read("SELECT seq, payload, enqueued_at FROM visibility_queue "
                            "ORDER BY seq LIMIT ?", (max(limit, 0),))
        return [QueuedMessage(seq, bytes(payload), at) for seq, payload, at in rows]

    def ack(self, seqs: list[int]) -> None:
        if not seqs:
            return
        self.db.write(execute_many, "DELETE FROM visibility_queue WHERE seq = ?",
                      [(int(s),) for s in seqs])

    def oldest_enqueued_at(self) -> int | None:
        rows = self.db.read("SELECT enqueued_at FROM visibility_queue ORDER BY seq LIMIT 1")
        return rows[0][0] if rows else None
