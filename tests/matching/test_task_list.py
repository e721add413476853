"""Sync match: a task that finds a poller waiting is never stored, unless the poller
could not start it; the adder returns only once the poller's outcome is known."""

from __future__ import annotations

from typing import Any

import gevent
import pytest

from cadence_py.matching import task_list
from cadence_py.matching.engine import ACTIVITY, MatchingEngine
from cadence_py.persistence import records as r


def _add(engine: MatchingEngine, task_id: int) -> None:
    engine.add_task(r.TransferTask(type=r.TRANSFER_ACTIVITY, domain_id="d", workflow_id="wf",
                                   run_id="run", task_id=task_id, task_list="tl",
                                   schedule_id=5))


def _stored(engine: MatchingEngine) -> list[int]:
    return [t.task_id for t in engine.store.get_tasks("d", "tl", ACTIVITY, -1, 100)]


def _stored_after_deletions(engine: MatchingEngine) -> list[int]:
    """What is stored once the task list's batched deletions are written."""
    engine.task_list("d", "tl", ACTIVITY).finish_deletions()
    return _stored(engine)


def _handed(engine: MatchingEngine, task_id: int) -> tuple[Any, Any]:
    """A waiting poll, then an add: (the adder greenlet, the task the poll got)."""
    poller = gevent.spawn(engine.poll, "d", "tl", ACTIVITY, 5)
    gevent.sleep(0.01)
    adder = gevent.spawn(_add, engine, task_id)
    task = poller.get(timeout=5)
    assert task.task_id == task_id
    gevent.sleep(0.01)
    assert not adder.ready()  # waits for the poller's outcome
    return adder, task


def test_a_started_sync_match_writes_nothing(matching: MatchingEngine) -> None:
    adder, task = _handed(matching, 7)
    assert _stored(matching) == []
    matching.complete("d", "tl", ACTIVITY, task)
    adder.get(timeout=5)
    assert _stored(matching) == [] and matching.task_list("d", "tl", ACTIVITY).backlog_size() == 0


def test_a_sync_match_the_poller_gave_back_goes_the_durable_way(
        matching: MatchingEngine) -> None:
    adder, task = _handed(matching, 8)
    matching.give_back("d", "tl", ACTIVITY, task)
    adder.get(timeout=5)
    assert _stored(matching) == [8]
    again = matching.poll("d", "tl", ACTIVITY, 1)
    assert again.task_id == 8
    matching.complete("d", "tl", ACTIVITY, again)
    assert _stored(matching) == [8]  # deleted in the next batch, not on the poll's path
    assert _stored_after_deletions(matching) == []


def test_a_poller_that_never_reports_leaves_the_task_stored(
        matching: MatchingEngine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(task_list, "SYNC_MATCH_WAIT", 0.1)
    adder, _ = _handed(matching, 9)
    adder.get(timeout=5)
    assert _stored(matching) == [9]


def test_a_task_redelivered_during_its_sync_match_is_not_handed_out_twice(
        matching: MatchingEngine) -> None:
    adder, task = _handed(matching, 10)
    second = gevent.spawn(_add, matching, 10)
    other_poll = gevent.spawn(matching.poll, "d", "tl", ACTIVITY, 0.3)
    gevent.sleep(0.05)
    assert not second.ready()
    matching.complete("d", "tl", ACTIVITY, task)
    adder.get(timeout=5)
    second.get(timeout=5)
    assert other_poll.get(timeout=5) is None and _stored(matching) == []
