"""Constructors for the Thrift exceptions Cadence's clients expect.

Each fills the fields the clients require: newer Go clients refuse an
EntityNotExistsError without ``activeClusters``, for instance.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from typing import Any

from cadence_py.persistence import errors as perr
from cadence_py.rpc import idl

log = logging.getLogger(__name__)


def bad_request(message: str) -> Any:
    return idl.shared().BadRequestError(message=message)


def entity_not_exists(message: str, current_cluster: str | None = None,
                      active_cluster: str | None = None) -> Any:
    return idl.shared().EntityNotExistsError(message=message, currentCluster=current_cluster,
                                             activeCluster=active_cluster, activeClusters=[])


def domain_already_exists(message: str = "Domain already exists.") -> Any:
    return idl.shared().DomainAlreadyExistsError(message=message)


def service_busy(message: str, reason: str | None = None) -> Any:
    return idl.shared().ServiceBusyError(message=message, reason=reason)


def internal_error(message: str) -> Any:
    return idl.shared().InternalServiceError(message=message)


def client_version_not_supported(feature_version: str, client_impl: str,
                                 supported: str) -> Any:
    return idl.shared().ClientVersionNotSupportedError(
        featureVersion=feature_version, clientImpl=client_impl, supportedVersions=supported)


# Messages the upstream frontend uses, so clients and people see the same text.
REQUEST_NOT_SET = "Request is nil."
DOMAIN_NOT_SET = "Domain not set on request."
DOMAIN_TOO_LONG = "Domain length exceeds limit."
INVALID_RETENTION = "RetentionDays is invalid."
INVALID_RETENTION_PERIOD = "A valid retention period is not set on request."
INVALID_DOMAIN_NAME = "Domain name can only include alphanumeric and dash characters."
INVALID_ARCHIVAL_CONFIG = "Invalid to enable archival without specifying a uri."
INVALID_NEXT_PAGE_TOKEN = "Invalid NextPageToken."


def workflow_already_started(message: str, start_request_id: str | None = None,
                             run_id: str | None = None) -> Any:
    return idl.shared().WorkflowExecutionAlreadyStartedError(
        message=message, startRequestId=start_request_id, runId=run_id)


def workflow_already_completed(message: str = "Workflow execution already completed.") -> Any:
    return idl.shared().WorkflowExecutionAlreadyCompletedError(message=message)


def cancellation_already_requested(message: str) -> Any:
    return idl.shared().CancellationAlreadyRequestedError(message=message)


def limit_exceeded(message: str) -> Any:
    return idl.shared().LimitExceededError(message=message)


def query_failed(message: str) -> Any:
    return idl.shared().QueryFailedError(message=message)


WORKFLOW_COMPLETED = "Workflow execution already completed."


def shared_exception(name: str) -> type:
    """The Thrift exception class ``name`` (for ``except`` clauses)."""
    return getattr(idl.shared(), name)


def from_store_error(exc: BaseException) -> Any:
    """The Thrift exception a client gets for a store error (None: not a store error).

    The one table for store errors, used by ``from_persistence`` inside handlers and by
    the dispatcher for whatever escaped them. A store that failed (timeout, node down,
    outcome unknown) answers ServiceBusyError: it is declared by every WorkflowService
    method, so the clients see a typed error and retry it with backoff (an undeclared
    InternalServiceError would go out as a bare TChannel error frame).
    """
    if isinstance(exc, perr.EntityNotExistsError):
        return entity_not_exists(str(exc))
    if isinstance(exc, perr.DomainAlreadyExistsError):
        return domain_already_exists()
    if isinstance(exc, perr.ConditionFailedError):
        return service_busy(f"Conflicting update, try again: {exc}")
    if isinstance(exc, perr.PersistenceError):
        log.warning("persistence failure: %s", exc)
        return service_busy(f"Persistence failure, try again: {exc}",
                            reason=PERSISTENCE_UNAVAILABLE)
    return None


#: ServiceBusyError.reason for a store that failed (upstream's reasons are free text).
PERSISTENCE_UNAVAILABLE = "persistence unavailable"


@contextlib.contextmanager
def from_persistence() -> Iterator[None]:
    """Map store errors to the Thrift exceptions (or error frames) clients expect."""
    try:
        yield
    except perr.PersistenceError as exc:
        raise from_store_error(exc) from None
