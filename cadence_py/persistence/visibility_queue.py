"""A durable outbox between history and Elasticsearch.

Upstream Cadence puts Kafka between the history service and Elasticsearch. We keep the
messages in the main store instead: the transfer queue's visibility step enqueues one
message per record change (in the same place the basic visibility record is written) and
completes its transfer task at once, so an Elasticsearch outage never blocks workflow
progress. The indexer drains the outbox in bulk, oldest first, and deletes a message only
after Elasticsearch accepted it (or refused it for good), so nothing accepted is lost.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class QueuedMessage:
    seq: int  # assigned by the store, increasing; the order to apply messages in
    payload: bytes  # opaque to the store (the indexer's JSON)
    enqueued_at: int  # unix nanos, for the lag metric


class VisibilityQueue(Protocol):
    def enqueue(self, payloads: list[bytes]) -> None:
        """Append messages durably; returns once they are stored."""

    def read(self, limit: int) -> list[QueuedMessage]:
        """The oldest ``limit`` messages not yet acknowledged, in seq order."""

    def ack(self, seqs: list[int]) -> None:
        """Forget these messages (idempotent)."""

    def oldest_enqueued_at(self) -> int | None:
        """Enqueue time of the oldest message still queued, or None when empty."""
