"""Persistence metrics as a wrapper around a store, so the stores stay metric-free.

``MeteredStore(store, metrics, {"create_domain": "CreateDomain", ...})`` counts
``persistence_requests`` and times ``persistence_latency`` for each listed method under
Cadence's operation name, and classifies failures into ``persistence_errors`` and the
typed ``persistence_errors_*`` counters. Unlisted attributes pass straight through, so
the same wrapper serves the domain, execution and task stores (each with its own
method -> operation table in names.py, and the metrics client of the role using it).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any, TypeVar, cast

from cadence_py.metrics import names
from cadence_py.metrics.client import Metrics, Scope
from cadence_py.persistence.domains import DomainStore

T = TypeVar("T")


def record_error(scope: Scope, error: BaseException) -> None:
    """Bump the counters Cadence bumps for a failed store call."""
    typed = names.PERSISTENCE_ERROR_COUNTERS.get(type(error).__name__)
    if typed is None:
        scope.inc(names.PERSISTENCE_ERRORS)
        return
    counter, is_failure = typed
    scope.inc(counter)
    if is_failure:
        scope.inc(names.PERSISTENCE_ERRORS)


class MeteredStore:
    """A transparent proxy that meters the store methods named in ``operations``."""

    def __init__(self, inner: Any, metrics: Metrics, operations: Mapping[str, str]) -> None:
        self._inner = inner
        self._metrics = metrics
        self._operations = dict(operations)

    @property
    def inner(self) -> Any:
        return self._inner

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._inner, name)
        operation = self._operations.get(name)
        if operation is None or not callable(attr):
            return attr
        wrapper = self._wrap(operation, attr)
        self.__dict__[name] = wrapper  # next lookups skip __getattr__
        return wrapper

    def _wrap(self, operation: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        metrics = self._metrics

        def metered(*args: Any, **kwargs: Any) -> Any:
            scope = metrics.scope(operation)
            scope.inc(names.PERSISTENCE_REQUESTS)
            started = time.monotonic()
            try:
                return fn(*args, **kwargs)
            except Exception as exc:
                record_error(scope, exc)
                raise
            finally:
                scope.timing(names.PERSISTENCE_LATENCY, time.monotonic() - started)

        metered.__name__ = getattr(fn, "__name__", operation)
        metered.__doc__ = fn.__doc__
        return metered


def metered(store: T, metrics: Metrics, operations: Mapping[str, str]) -> T:
    """``store`` wrapped for metrics, or ``store`` itself when metrics go nowhere."""
    if not metrics.enabled:
        return store
    return cast(T, MeteredStore(store, metrics, operations))


def metered_domain_store(store: DomainStore, metrics: Metrics) -> DomainStore:
    return metered(store, metrics, names.DOMAIN_STORE_OPERATIONS)


def metered_execution_store(store: T, metrics: Metrics) -> T:
    """The history role's ExecutionStore, metered under Cadence's ExecutionManager,
    ShardManager and HistoryManager operation names."""
    return metered(store, metrics, names.EXECUTION_STORE_OPERATIONS)


def metered_task_store(store: T, metrics: Metrics) -> T:
    """The matching role's TaskStore, metered under Cadence's TaskManager operations."""
    return metered(store, metrics, names.TASK_STORE_OPERATIONS)
