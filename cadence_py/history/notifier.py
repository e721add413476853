"""Wakes long polls (GetWorkflowExecutionHistory with waitForNewEvent) when a run changes."""

from __future__ import annotations

from collections import defaultdict

from gevent.event import Event


class HistoryNotifier:
    """Long polls wait here for a run to change.

    A wait for the close event only (GetWorkflowExecutionHistory with the close filter,
    what every client's "get result" does) is woken only when the run closes: waking it on
    each of the run's changes cost a state load and a new wait each time, for nothing.
    """

    def __init__(self) -> None:
        self._waiters: dict[tuple[str, str, str], list[tuple[Event, bool]]] = \
            defaultdict(list)
        self.stopping = False

    def shutdown(self) -> None:
        """Wake every waiting long poll; later waits return at once."""
        self.stopping = True
        for waiters in list(self._waiters.values()):
            for event, _ in waiters:
                event.set()

    def notify(self, domain_id: str, workflow_id: str, run_id: str,
               closed: bool = True) -> None:
        """The run changed (``closed``: it is closed now); wake whom that concerns."""
        key = (domain_id, workflow_id, run_id)
        keep = []
        for entry in self._waiters.pop(key, ()):
            event, close_only = entry
            if close_only and not closed:
                keep.append(entry)
            else:
                event.set()
        if keep:
            self._waiters[key] = keep

    def wait(self, domain_id: str, workflow_id: str, run_id: str, timeout: float,
             until_closed: bool = False) -> bool:
        """Block until the run changes (closes, with ``until_closed``) or ``timeout``
        passes; True if it did."""
        if self.stopping:
            return False
        key = (domain_id, workflow_id, run_id)
        event = Event()
        entry = (event, until_closed)
        self._waiters[key].append(entry)
        try:
            return event.wait(timeout=max(timeout, 0))
        finally:
            waiters = self._waiters.get(key)
            if waiters and entry in waiters:
                waiters.remove(entry)
                if not waiters:
                    self._waiters.pop(key, None)
