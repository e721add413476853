"""Wakes long polls (GetWorkflowExecutionHistory with waitForNewEvent) when a run changes."""

from __future__ import annotations

from collections import defaultdict

from gevent.event import Event


class HistoryNotifier:
    def __init__(self) -> None:
        self._waiters: dict[tuple[str, str, str], list[Event]] = defaultdict(list)
        self.stopping = False

    def shutdown(self) -> None:
        """Wake every waiting long poll; later waits return at once."""
        self.stopping = True
        for events in list(self._waiters.values()):
            for event in events:
                event.set()

    def notify(self, domain_id: str, workflow_id: str, run_id: str) -> None:
        for event in self._waiters.pop((domain_id, workflow_id, run_id), []):
            event.set()

    def wait(self, domain_id: str, workflow_id: str, run_id: str, timeout: float) -> bool:
        """Block until the run changes or ``timeout`` passes; True if it changed."""
        if self.stopping:
            return False
        key = (domain_id, workflow_id, run_id)
        event = Event()
        self._waiters[key].append(event)
        try:
            return event.wait(timeout=max(timeout, 0))
        finally:
            waiters = self._waiters.get(key)
            if waiters and event in waiters:
                waiters.remove(event)
                if not waiters:
                    self._waiters.pop(key, None)
