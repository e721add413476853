"""SQLite SearchAttributeStore: the keys operators added, one row each."""

from __future__ import annotations

from cadence_py.persistence.sqlite.store import SQLiteStore, execute_many


class SQLiteSearchAttributeStore:
    def __init__(self, db: SQLiteStore) -> None:
        self.db = db

    def load_search_attributes(self) -> dict[str, int]:
        return {name: kind for name, kind in
                self.db.read("SELECT name, value_type FROM search_attributes")}

    def save_search_attributes(self, added: dict[str, int]) -> None:
        self.db.write(execute_many, "INSERT OR IGNORE INTO search_attributes(name, "
                      "value_type) VALUES (?, ?)", list(added.items()))
