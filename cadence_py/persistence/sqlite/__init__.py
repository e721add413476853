"""The embedded SQLite store: the default, so the server runs with nothing else installed."""

from cadence_py.persistence.sqlite.store import SQLiteStore

__all__ = ["SQLiteStore"]
