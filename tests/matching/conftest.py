"""Fixtures for matching tests: a MatchingEngine on a real SQLite task store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from cadence_py.matching.engine import MatchingEngine
from cadence_py.persistence.sqlite.executions import SQLiteTaskStore
from cadence_py.persistence.sqlite.store import SQLiteStore


@pytest.fixture
def matching(tmp_path: Path) -> Iterator[MatchingEngine]:
    store = SQLiteStore(tmp_path / "tasks.db")
    engine = MatchingEngine(SQLiteTaskStore(store))
    yield engine
    engine.shutdown()
    store.close()
