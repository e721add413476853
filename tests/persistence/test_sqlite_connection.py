"""Opening the SQLite file (sqlite/connection.py)."""

from __future__ import annotations

import threading
from pathlib import Path

from cadence_py.persistence.sqlite.store import SQLiteStore


def test_stores_opened_together_on_a_fresh_file(tmp_path: Path) -> None:
    """Switching a new file into WAL answered "database is locked" at once to the other
    connections opening it (SQLite skips the busy handler there); now they wait. Before
    the fix this failed in about one round in twenty."""
    for round_ in range(30):
        path = tmp_path / f"fresh-{round_}.db"
        errors: list[BaseException] = []
        stores: list[SQLiteStore] = []

        def open_store() -> None:
            try:
                stores.append(SQLiteStore(path))
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)

        threads = [threading.Thread(target=open_store) for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        for store in stores:
            store.close()
        assert not errors, errors
        assert len(stores) == 6
