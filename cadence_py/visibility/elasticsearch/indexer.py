"""Drains the durable visibility outbox into Elasticsearch.

Runs as one greenlet in the history role. Messages leave the outbox only once
Elasticsearch answered for them: indexed, or refused as stale (409, an older version than
the document has) or gone (404 on delete). A slow or stopped Elasticsearch only makes the
outbox longer; the lag gauge (age of the oldest message) tells operators how far behind
search is. A document Elasticsearch rejects for good (a mapping error) is logged and
dropped, since retrying it would stop everything behind it.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from typing import Any

import gevent
from gevent.event import Event

from cadence_py.persistence.visibility_queue import VisibilityQueue

log = logging.getLogger(__name__)
BATCH = 500
IDLE_WAIT = 1.0
MIN_BACKOFF, MAX_BACKOFF = 0.2, 10.0
DONE = frozenset({200, 201, 404, 409})
RETRY = frozenset({408, 429, 500, 502, 503, 504, 507})


class Indexer:
    def __init__(self, queue: VisibilityQueue, es: Any, metrics: Any = None,
                 prepare: Callable[[], None] | None = None) -> None:
        self.queue = queue
        self.prepare = prepare  # index set-up, run (and retried) before the first write
        self.es = es
        self.scope = metrics.scope("ESProcessor") if metrics is not None else None
        self.wake = Event()
        self._greenlet: gevent.Greenlet | None = None
        self._stopping = False
        self.indexed = 0

    def start(self) -> None:
        self._greenlet = gevent.spawn(self._run)

    def stop(self) -> None:
        self._stopping = True
        self.wake.set()
        if self._greenlet is not None:
            self._greenlet.join(timeout=5)

    def notify(self) -> None:
        self.wake.set()

    def _run(self) -> None:
        backoff = MIN_BACKOFF
        while not self._stopping:
            self.wake.clear()
            try:
                progressed, pending = self.drain_once()
            except Exception as exc:  # noqa: BLE001 - ES or store down: wait, retry
                log.warning("visibility indexer: %s; retrying in %.1fs", exc, backoff)
                self.wake.wait(timeout=backoff)
                backoff = min(backoff * 2, MAX_BACKOFF)
                continue
            if pending and not progressed:
                self.wake.wait(timeout=backoff)
                backoff = min(backoff * 2, MAX_BACKOFF)
            else:
                backoff = MIN_BACKOFF
                if not pending:
                    self.wake.wait(timeout=IDLE_WAIT)

    def drain_once(self) -> tuple[int, bool]:
        """Send one batch: (messages finished, whether any are still queued)."""
        self._report_lag()
        if self.prepare is not None:
            self.prepare()
            self.prepare = None
        messages = self.queue.read(BATCH)
        if not messages:
            return 0, False
        actions = [json.loads(m.payload) for m in messages]
        statuses = self.es.bulk(actions)
        finished = []
        for message, action, status in zip(messages, actions, statuses):
            if status in DONE:
                finished.append(message.seq)
            elif status not in RETRY:
                log.error("Elasticsearch refused %s of %s (status %s); dropped",
                          action["op"], action["id"], status)
                finished.append(message.seq)
        if finished:
            self.queue.ack(finished)
            self.indexed += len(finished)
            if self.scope is not None:
                self.scope.inc("es_processor_requests", len(finished))
        retried = len(messages) - len(finished)
        if retried and self.scope is not None:
            self.scope.inc("es_processor_retries", retried)
        return len(finished), bool(retried) or len(messages) == BATCH

    def _report_lag(self) -> None:
        if self.scope is None:
            return
        oldest = self.queue.oldest_enqueued_at()
        lag_ms = 0.0 if oldest is None else max(0.0, (time.time_ns() - oldest) / 1e6)
        self.scope.gauge("es_processor_lag_ms", lag_ms)
