"""SQLite SearchAttributeStore: the keys operators added, one row each."""

from __future__ import annotations

import sqlite3

from cadence_py.persistence.sqlite.store import SQLiteStore


class SQLiteSearchAttributeStore:
    def __init__(self, db: SQLiteStore) -> None:
        self.db = db

    def load_search_attributes(self) -> dict[str, int]:
        return {name: kind for name, kind in
                self.db.read("SELECT name, value_type FROM search_attributes")}

    def save_search_attributes(self, added: dict[str, int]) -> None:
        def tx(conn: sqlite3.Connection) -> None:
            conn.executemany("INSERT OR IGNORE INTO search_attributes(name, value_type) "
                             "VALUES (?, ?)", list(added.items()))
        self.db.write(tx)
