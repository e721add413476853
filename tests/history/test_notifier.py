"""The history notifier: close-event waits sleep through a run's other changes."""

from __future__ import annotations

import gevent

from cadence_py.history.notifier import HistoryNotifier

RUN = ("d", "wf", "run")


def test_a_change_wakes_plain_waits_and_a_close_wakes_all() -> None:
    notifier = HistoryNotifier()
    plain = gevent.spawn(notifier.wait, *RUN, 5)
    close_only = gevent.spawn(notifier.wait, *RUN, 5, True)
    gevent.sleep(0.01)
    notifier.notify(*RUN, closed=False)
    assert plain.get(timeout=1) is True
    gevent.sleep(0.01)
    assert not close_only.ready()
    notifier.notify(*RUN, closed=True)
    assert close_only.get(timeout=1) is True
    assert not notifier._waiters  # nobody left registered


def test_a_close_wait_times_out_and_unregisters() -> None:
    notifier = HistoryNotifier()
    assert notifier.wait(*RUN, 0.01, until_closed=True) is False
    assert not notifier._waiters
    notifier.notify(*RUN)  # nobody waits: nothing to do
