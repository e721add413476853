"""SQLite VisibilityStore, sharing the SQLiteStore's connection."""

from __future__ import annotations

import sqlite3

from cadence_py.persistence import page_tokens
from cadence_py.persistence.records import dump_document, load_document
from cadence_py.persistence.sqlite.store import SQLiteStore
from cadence_py.persistence.visibility import OPEN, ListFilter, VisibilityRecord


_TOKEN_KIND = "sv1"  # page token: (start time, run id) of the page's last row


class SQLiteVisibilityStore:
    def __init__(self, db: SQLiteStore) -> None:
        self.db = db

    def upsert(self, record: VisibilityRecord) -> None:
        self.db.write(_upsert, record)

    def list(self, domain_id: str, open_runs: bool, where: ListFilter, page_size: int,
             token: bytes | None) -> tuple[list[VisibilityRecord], bytes | None]:
        sql = ["SELECT document, start_time, run_id FROM visibility WHERE domain_id = ?",
               "AND start_time >= ? AND start_time <= ?"]
        params: list[object] = [domain_id, where.earliest, where.latest]
        sql.append("AND close_status = -1" if open_runs else "AND close_status != -1")
        if where.workflow_id:
            sql.append("AND workflow_id = ?")
            params.append(where.workflow_id)
        if where.workflow_type:
            sql.append("AND workflow_type = ?")
            params.append(where.workflow_type)
        if where.close_status is not None:
            sql.append("AND close_status = ?")
            params.append(where.close_status)
        if token:
            start, run_id = page_tokens.open_token(_TOKEN_KIND, token, int, str)
            sql.append("AND (start_time < ? OR (start_time = ? AND run_id < ?))")
            params += [start, start, run_id]
        sql.append("ORDER BY start_time DESC, run_id DESC LIMIT ?")
        params.append(page_size + 1)
        rows = self.db.read(" ".join(sql), tuple(params))
        records = [load_document(VisibilityRecord, r[0]) for r in rows[:page_size]]
        next_token = None
        if len(rows) > page_size:
            last = rows[page_size - 1]
            next_token = page_tokens.seal(_TOKEN_KIND, last[1], last[2])
        return records, next_token

    def delete(self, domain_id: str, run_id: str, workflow_id: str | None = None) -> None:
        self.db.write(_delete, domain_id, run_id)


# Transactions: module-level, so that a writer process can run them (writer.py).
def _upsert(conn: sqlite3.Connection, record: VisibilityRecord) -> None:
    """Insert or replace the record; a late "started" never reopens a closed one."""
    old = conn.execute("SELECT close_status FROM visibility WHERE domain_id = ? AND "
                       "run_id = ?", (record.domain_id, record.run_id)).fetchone()
    if old is not None and old[0] != OPEN and record.close_status == OPEN:
        return
    conn.execute("INSERT OR REPLACE INTO visibility(domain_id, run_id, workflow_id, "
                 "workflow_type, start_time, close_status, close_time, document) VALUES "
                 "(?, ?, ?, ?, ?, ?, ?, ?)",
                 (record.domain_id, record.run_id, record.workflow_id, record.workflow_type,
                  record.start_time, record.close_status, record.close_time,
                  dump_document(record)))


def _delete(conn: sqlite3.Connection, domain_id: str, run_id: str) -> None:
    conn.execute("DELETE FROM visibility WHERE domain_id = ? AND run_id = ?",
                 (domain_id, run_id))
