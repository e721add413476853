"""Where List/Scan/CountWorkflowExecutions queries run.

``QueryBackend`` is what the frontend calls with a checked query. ``MainStoreQueries``
serves it from the basic visibility records of the main store (SQLite or Cassandra): it
reads the whole domain and filters in memory, which is right for small deployments and
for tests, and is why larger ones configure Elasticsearch (``visibility.elasticsearch``).
Page tokens carry the last row's sort position, so a page never repeats or skips a row
that was already there when the listing started.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Protocol

from cadence_py.persistence import page_tokens
from cadence_py.persistence.visibility import ListFilter, VisibilityRecord, VisibilityStore
from cadence_py.visibility.document import document_of, record_of
from cadence_py.visibility.query import ast, evaluate

SCAN_PAGE = 1000


class QueryBackend(Protocol):
    name: str

    def list(self, domain_id: str, query: ast.Query, valid: dict[str, int],
             page_size: int, token: bytes | None) -> tuple[list[VisibilityRecord],
                                                           bytes | None]:
        """One page in the query's order; ValueError for a malformed token."""

    def count(self, domain_id: str, query: ast.Query, valid: dict[str, int]) -> int: ...


_TOKEN_KIND = "q1"


def encode_token(position: list[Any]) -> bytes:
    """A page token holding the last row's sort values (``[sort value, run id]``)."""
    return page_tokens.seal(_TOKEN_KIND, *position)


def decode_token(token: bytes) -> list[Any]:
    """The sort values in ``token``; InvalidPageToken (a ValueError) if we did not write
    it. The first value's type depends on the query's order: the query checks it."""
    return page_tokens.open_token(_TOKEN_KIND, token, object, str)


class MainStoreQueries:
    name = "db"

    def __init__(self, store: VisibilityStore) -> None:
        self.store = store

    def _documents(self, domain_id: str, valid: dict[str, int]) -> Iterator[dict[str, Any]]:
        for open_runs in (True, False):
            token = None
            while True:
                records, token = self.store.list(domain_id, open_runs, ListFilter(),
                                                 SCAN_PAGE, token)
                for record in records:
                    yield document_of(record, valid)
                if not token:
                    break

    def list(self, domain_id: str, query: ast.Query, valid: dict[str, int],
             page_size: int, token: bytes | None) -> tuple[list[VisibilityRecord],
                                                           bytes | None]:
        keep = evaluate.matcher(query.where, valid)
        docs = [d for d in self._documents(domain_id, valid) if keep(d)]
        try:
            if token:
                later = evaluate.after(decode_token(token), query.order_by, valid)
                docs = [d for d in docs if later(d)]
            docs.sort(key=evaluate.sort_key(query.order_by, valid))
        except TypeError:  # a token from another query's order compares unlike values
            raise ValueError("page token does not fit the query") from None
        page = docs[:page_size]
        next_token = None
        if len(docs) > page_size:
            next_token = encode_token(evaluate.sort_values(page[-1], query.order_by, valid))
        return [record_of(d) for d in page], next_token

    def count(self, domain_id: str, query: ast.Query, valid: dict[str, int]) -> int:
        keep = evaluate.matcher(query.where, valid)
        return sum(1 for d in self._documents(domain_id, valid) if keep(d))
