"""Reading runs: history pages (with the long poll clients use to wait), describe."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from cadence_py.common import errors
from cadence_py.history.codec import decode_events
from cadence_py.history.core import EngineCore
from cadence_py.history.events import is_close_event
from cadence_py.history.mutations import is_running
from cadence_py.persistence import records as r

CLOSE_EVENT_FILTER = 1


@dataclass
class HistoryPage:
    events: list[Any]
    next_page_token: bytes | None
    run_id: str


def _parse_token(token: bytes | None) -> dict[str, Any]:
    if not token:
        return {}
    try:
        data = json.loads(token)
        if not isinstance(data.get("next"), int) or not isinstance(data.get("run"), str):
            raise ValueError
        return data
    except (ValueError, AttributeError):
        raise errors.bad_request("Invalid NextPageToken.") from None


class ReadingAPI(EngineCore):
    def read_events(self, info: r.ExecutionInfo, first: int, next_event_id: int) -> list[Any]:
        """The run's events in [first, next_event_id), as its state ``info`` wrote them."""
        events: list[Any] = []
        for batch in self.store.read_history(info.run_id, 1, next_event_id,
                                             info.last_event_task_id):
            if batch.next_event_id <= first:
                continue
            events.extend(e for e in decode_events(batch.data)
                          if first <= e.eventId < next_event_id)
        return events

    def get_history(self, domain_id: str, workflow_id: str, run_id: str | None,
                    page_size: int, token: bytes | None, wait: bool, event_filter: int,
                    deadline: float) -> HistoryPage:
        """One page of history; with ``wait`` block (until ``deadline``) for new events."""
        position = _parse_token(token)
        if position and run_id and position["run"] != run_id:
            raise errors.bad_request("RunID in the request does not match the NextPageToken.")
        state = self.load(domain_id, workflow_id, run_id or position.get("run"))
        run_id = state.info.run_id
        first = position.get("next", r.FIRST_EVENT_ID)
        page_size = page_size if page_size > 0 else self.config.default_history_page_size
        if wait:
            poll_until = min(deadline - 1.0, time.monotonic() + self.config.long_poll_seconds)
            while is_running(state) and (event_filter == CLOSE_EVENT_FILTER
                                         or first >= state.info.next_event_id):
                remaining = poll_until - time.monotonic()
                if remaining <= 0 or self.notifier.stopping:
                    return HistoryPage([], self._token(run_id, first), run_id)
                self.notifier.wait(domain_id, workflow_id, run_id, remaining,
                                   until_closed=event_filter == CLOSE_EVENT_FILTER)
                state = self.load(domain_id, workflow_id, run_id)
        next_event_id = state.info.next_event_id
        if event_filter == CLOSE_EVENT_FILTER:
            if is_running(state):
                return HistoryPage([], self._token(run_id, first), run_id)
            events = [e for e in self.read_events(state.info, state.info.completion_event_id
                                                  if state.info.completion_event_id > 0
                                                  else 1, next_event_id)
                      if is_close_event(e)][-1:]
            return HistoryPage(events, None, run_id)
        last = min(next_event_id, first + page_size)
        events = self.read_events(state.info, first, last)
        more = last < next_event_id or (wait and is_running(state))
        return HistoryPage(events, self._token(run_id, last) if more else None, run_id)

    @staticmethod
    def _token(run_id: str, next_event_id: int) -> bytes:
        return json.dumps({"run": run_id, "next": next_event_id}).encode()

    def describe(self, domain_id: str, workflow_id: str, run_id: str | None) -> r.MutableState:
        return self.load(domain_id, workflow_id, run_id)
