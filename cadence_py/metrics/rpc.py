"""Per-call RPC metrics, hooked into the ThriftDispatcher as an observer.

Every served call counts ``cadence_requests`` and records ``cadence_latency``; a failed
one bumps exactly one error counter: the typed one for errors the caller caused or can
retry (bad request, not found, busy...), ``cadence_errors`` only for internal and
uncategorized failures, so an alert on ``cadence_errors`` means a server problem.
"""

from __future__ import annotations

from collections.abc import Mapping

import gevent

from cadence_py.metrics import names
from cadence_py.metrics.client import Metrics
from cadence_py.rpc.context import RequestContext
from cadence_py.transport.errors import ErrorCode, TChannelError

# Thrift service -> {method: operation tag}; services not listed (Meta health
# checks) are not metered, as Cadence does not meter them either.
DEFAULT_OPERATIONS: Mapping[str, Mapping[str, str]] = {
    "WorkflowService": names.FRONTEND_OPERATIONS,
    "AdminService": names.ADMIN_OPERATIONS,
}


def error_counter(error: BaseException) -> str:
    """The one error counter a failed call increments."""
    typed = names.RPC_ERROR_COUNTERS.get(type(error).__name__)
    if typed is not None:
        return typed
    if isinstance(error, gevent.Timeout) or (
            isinstance(error, TChannelError) and error.code == ErrorCode.TIMEOUT):
        return names.ERR_CONTEXT_TIMEOUT
    return names.ERRORS


class RpcMetrics:
    """``dispatcher.observers.append(RpcMetrics(metrics))``."""

    def __init__(self, metrics: Metrics,
                 operations: Mapping[str, Mapping[str, str]] = DEFAULT_OPERATIONS) -> None:
        self.metrics = metrics
        self.operations = operations

    def __call__(self, ctx: RequestContext, seconds: float,
                 error: BaseException | None) -> None:
        renames = self.operations.get(ctx.service)
        if renames is None or not self.metrics.enabled:
            return
        scope = self.metrics.scope(renames.get(ctx.method, ctx.method),
                                   caller=ctx.caller, transport=names.TCHANNEL,
                                   domain=ctx.domain or names.UNKNOWN)
        scope.inc(names.REQUESTS)
        scope.timing(names.LATENCY, seconds)
        if error is not None:
            scope.inc(error_counter(error))
