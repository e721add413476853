"""A poll whose caller went away (its ``cancelled`` event: the connection closed) takes
nothing: it stops waiting at once, and a task or query handed to it in the same moment
goes back to the task list, to the next poller. Real SQLite task store."""

from __future__ import annotations

import gevent
from gevent.event import Event

from cadence_py.matching.engine import ACTIVITY, DECISION, MatchingEngine
from cadence_py.matching.queries import QueryTask
from tests.matching.test_task_list import _add, _stored, _stored_after_deletions


def _poll(engine: MatchingEngine, cancelled: Event | None = None,
          timeout: float = 5) -> gevent.Greenlet:
    return gevent.spawn(engine.poll, "d", "tl", ACTIVITY, timeout, "", cancelled)


def test_a_cancelled_poll_returns_at_once_and_the_next_task_skips_it(
        matching: MatchingEngine) -> None:
    gone = Event()
    dead, live = _poll(matching, gone), _poll(matching)
    gevent.sleep(0.01)
    gone.set()
    assert dead.get(timeout=0.5) is None
    adder = gevent.spawn(_add, matching, 1)
    task = live.get(timeout=1)
    assert task.task_id == 1
    matching.complete("d", "tl", ACTIVITY, task)
    adder.get(timeout=1)
    assert _stored(matching) == []  # a sync match to the live poller: nothing written


def test_a_task_handed_to_a_poll_cancelled_meanwhile_goes_to_the_next_poller(
        matching: MatchingEngine) -> None:
    gone = Event()
    dead = _poll(matching, gone)
    gevent.sleep(0.01)
    live = _poll(matching)
    gevent.sleep(0.01)
    adder = gevent.spawn(_add, matching, 2)  # runs first: hands the task to the dead poll
    gone.set()  # ...whose caller is gone before the poll wakes up with it
    assert dead.get(timeout=1) is None
    task = live.get(timeout=1)
    assert task.task_id == 2
    adder.get(timeout=1)
    assert _stored(matching) == [2]  # the sync match failed, so it went the durable way
    matching.complete("d", "tl", ACTIVITY, task)
    assert _stored_after_deletions(matching) == []


def test_a_backlog_task_given_back_is_offered_first(matching: MatchingEngine) -> None:
    for task_id in (3, 4):
        _add(matching, task_id)
    first = matching.poll("d", "tl", ACTIVITY, 1)
    matching.give_back("d", "tl", ACTIVITY, first, first=True)  # as a cancelled poll does
    assert matching.poll("d", "tl", ACTIVITY, 1).task_id == 3


def test_a_task_whose_start_failed_goes_behind_the_backlog(matching: MatchingEngine) -> None:
    """A task that fails to start every time must not starve the others."""
    for task_id in (5, 6):
        _add(matching, task_id)
    failed = matching.poll("d", "tl", ACTIVITY, 1)
    matching.give_back("d", "tl", ACTIVITY, failed)
    assert [matching.poll("d", "tl", ACTIVITY, 1).task_id for _ in range(2)] == [6, 5]


def test_a_query_handed_to_a_cancelled_poll_goes_back(matching: MatchingEngine) -> None:
    gone = Event()
    dead = gevent.spawn(matching.poll, "d", "tl", DECISION, 5, "", gone)
    gevent.sleep(0.01)
    query = QueryTask(domain_id="d", workflow_id="wf", run_id="run", query_type="state",
                      query_args=None)
    answer = gevent.spawn(matching.query, "tl", query, 5)
    gone.set()
    assert dead.get(timeout=1) is None
    assert matching.poll("d", "tl", DECISION, 1) is query
    answer.kill()


def test_a_poll_cancelled_before_it_starts_takes_nothing(matching: MatchingEngine) -> None:
    _add(matching, 5)
    gone = Event()
    gone.set()
    assert _poll(matching, gone).get(timeout=1) is None
    assert matching.poll("d", "tl", ACTIVITY, 1).task_id == 5
