"""Workflow queries: handed to decision pollers in memory, answered by the worker.

A query is not durable (the caller waits for it), so it never touches the task store:
it goes to the workflow's decision task list ahead of the backlog, and the QueryWorkflow
call waits on its AsyncResult until RespondQueryTaskCompleted sets it.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from typing import Any

from gevent.event import AsyncResult


@dataclass
class QueryTask:
    domain_id: str
    workflow_id: str
    run_id: str
    query_type: str
    query_args: bytes | None
    query_id: str = field(default_factory=lambda: str(uuid.uuid4()))

    def token(self) -> bytes:
        return json.dumps({"query_id": self.query_id, "domain_id": self.domain_id,
                           "workflow_id": self.workflow_id, "run_id": self.run_id}).encode()


def query_id_of(token: bytes | None) -> str | None:
    """The query id inside a query task token, or None if it is not one."""
    try:
        data = json.loads(token or b"")
        value = data.get("query_id") if isinstance(data, dict) else None
        return value if isinstance(value, str) else None
    except ValueError:
        return None


class QueryRegistry:
    def __init__(self) -> None:
        self._waiting: dict[str, AsyncResult] = {}

    def register(self, query: QueryTask) -> AsyncResult:
        result: AsyncResult = AsyncResult()
        self._waiting[query.query_id] = result
        return result

    def forget(self, query_id: str) -> None:
        self._waiting.pop(query_id, None)

    def answer(self, query_id: str, response: Any) -> bool:
        """Deliver a worker's answer; False if nobody waits for it any more."""
        result = self._waiting.pop(query_id, None)
        if result is None:
            return False
        result.set(response)
        return True
