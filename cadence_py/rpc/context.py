"""What a handler knows about the call it serves, besides the request struct.

The context of the call being served is also published in ``current_request`` (a
contextvar; each gevent greenlet has its own), so log lines written anywhere below a
handler carry its request id, domain and workflow without threading them through.
"""

from __future__ import annotations

import contextvars
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from gevent.event import Event


@dataclass
class RequestContext:
    """Per-call facts: method, application headers (arg2), caller, deadline."""

    service: str
    method: str
    headers: dict[str, str] = field(default_factory=dict)
    caller: str = ""
    deadline: float = float("inf")  # time.monotonic() value
    # Request-scoped facts for logs and metric tags. The dispatcher fills them from the
    # request struct; a handler that learns better (the domain of a task token) may
    # overwrite them, and the metrics recorded after the call see its value.
    request_id: str = ""
    domain: str = ""
    workflow_id: str = ""
    run_id: str = ""
    # Set by the transport when nobody waits for the answer any more (connection closed,
    # TTL passed, cancel frame): a long poll stops waiting and takes no task.
    cancelled: Event | None = None

    def remaining(self) -> float:
        """Seconds until the caller gives up waiting."""
        return self.deadline - time.monotonic()

    def is_cancelled(self) -> bool:
        return self.cancelled is not None and self.cancelled.is_set()

    @property
    def client_name(self) -> str:
        return self.headers.get("cadence-client-name", "")

    @property
    def client_feature_version(self) -> str:
        return self.headers.get("cadence-client-feature-version", "")


current_request: contextvars.ContextVar[RequestContext | None] = contextvars.ContextVar(
    "cadence_current_request", default=None)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def fill_from_request(ctx: RequestContext, request: Any) -> None:
    """Copy domain / workflow id / run id from a decoded request struct into ``ctx``.

    Only a field literally named ``domain`` counts: the domain APIs name theirs
    ``name``, and Cadence tags those calls with the unknown domain too.
    """
    if request is None:
        return
    ctx.domain = ctx.domain or _text(getattr(request, "domain", None))
    execution = getattr(request, "workflowExecution", None) or getattr(request, "execution",
                                                                     None)
    ctx.workflow_id = ctx.workflow_id or _text(getattr(request, "workflowId", None)) or \
        _text(getattr(execution, "workflowId", None))
    ctx.run_id = ctx.run_id or _text(getattr(execution, "runId", None))
