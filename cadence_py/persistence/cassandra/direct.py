"""Prepared statements and batches sent straight to a pooled driver connection.

Why: a statement through ``Session.execute`` goes through the driver's ``ResponseFuture``
(a load-balancing plan, a timer, per-request locks and a ``Condition``, an ``Event``, a
``ResultSet``, retry bookkeeping). On gevent a prepared INSERT loop took 64-68 us of CPU
per statement through the session and 44 here (33 for the bare message exchange). The
server sends ~20 statements per workflow, nearly all prepared statements or batches of
them; the hello-world bench on Cassandra: 9.1-9.5 -> 7.8-8.3 ms of server CPU per
workflow.

What is kept of the driver: its message classes and protocol handler (encoding, result
parsing), the pool's connection with its stream ids and in-flight count kept as
``borrow_connection`` / ``return_connection`` keep them (orphaned streams on timeout
too), its load-balancing policy to choose the host, its client timestamps, and the
default execution profile (consistency, serial consistency, request timeout, row factory,
retry policy). Not the pool's ``Condition``: its ``notify`` yields to the gevent hub on
every answer, and it only wakes borrowers waiting for one of a connection's 32768
streams; a connection that is that busy, closing or defunct is left to the session.

What goes through ``Session.execute`` as before: anything but a prepared statement with
its parameters or a ``BatchStatement`` (plain CQL, schema changes), calls with more than
parameters and a timeout (an explicit ``paging_state``, profiles, tracing), a request
whose first message finds no connection to take it (nothing was sent), and a statement
the node has not prepared (nothing ran; the session prepares it again). Error answers
are retried as the driver retries them: its retry policy is asked with the attempt
number, and a retry sends the same message (same client timestamp) to the same or the
next host; a dead connection under a request is a request error, as in the driver.
"""

from __future__ import annotations

import threading
from typing import Any, Callable

from cassandra import DriverException, OperationTimedOut
from cassandra.cluster import EXEC_PROFILE_DEFAULT, NoHostAvailable, Session, _NOT_SET
from cassandra.connection import ConnectionException, ConnectionShutdown
from cassandra.policies import NoSpeculativeExecutionPolicy, RetryPolicy
from cassandra.protocol import (
    BatchMessage,
    ErrorMessage,
    ExecuteMessage,
    IsBootstrappingErrorMessage,
    OverloadedErrorMessage,
    PreparedQueryNotFound,
    ProtocolVersion,
    ReadTimeoutErrorMessage,
    ResultMessage,
    ServerError,
    TruncateError,
    UnavailableErrorMessage,
    WriteTimeoutErrorMessage,
)
from cassandra.query import FETCH_SIZE_UNSET, BatchStatement, BoundStatement, PreparedStatement

__all__ = ["DirectSession", "DirectResult"]

RESULT_KIND_ROWS = 2
#: How long an answer being handed over (popped by the reader) may take to arrive.
_HANDOVER_WAIT_S = 5.0
_REQUEST_ERRORS = (OverloadedErrorMessage, IsBootstrappingErrorMessage, TruncateError,
                   ServerError)


class _Fallback(Exception):
    """The request must be (re-)run through the driver's session."""


class DirectResult:
    """The part of the driver's ``ResultSet`` the stores use, over rows already read
    (every page of them)."""

    __slots__ = ("column_names", "current_rows", "_batch")

    paging_state = None
    has_more_pages = False

    def __init__(self, column_names: list[str] | None, rows: list[Any], batch: bool) -> None:
        self.column_names = column_names
        self.current_rows = rows
        self._batch = batch

    def __iter__(self) -> Any:
        return iter(self.current_rows)

    def all(self) -> list[Any]:
        return list(self.current_rows)

    def one(self) -> Any:
        return self.current_rows[0] if self.current_rows else None

    @property
    def was_applied(self) -> bool:
        """As the driver's: the ``[applied]`` column of a conditional statement's row."""
        if self._batch and (not self.column_names or self.column_names[0] != "[applied]"):
            raise RuntimeError("No LWT were present in the BatchStatement")
        if not self._batch and len(self.current_rows) != 1:
            raise RuntimeError(
                f"LWT result should have exactly one row. This has {len(self.current_rows)}.")
        row = self.current_rows[0]
        return row[0] if isinstance(row, tuple) else row["[applied]"]


class _Request:
    """One message on one connection, answered through ``on_response`` (run by the
    connection's reader: it only records the answer and wakes the waiter)."""

    __slots__ = ("pool", "connection", "request_id", "response", "done")

    def __init__(self, pool: Any) -> None:
        self.pool = pool
        self.connection: Any = None
        self.request_id = -1
        self.response: Any = None
        self.done = threading.Event()

    def on_response(self, response: Any) -> None:
        self.response = response
        connection = self.connection
        try:
            if connection.is_defunct or connection.is_closed \
                    or connection is not self.pool._connection:
                self.pool.return_connection(connection)  # replaces it, or closes a trashed one
            else:
                with connection.lock:
                    connection.in_flight -= 1
        finally:
            self.done.set()

    def abandon(self) -> bool:
        """After a timeout: orphan the stream (a late answer must not reach a new
        request on it), as the driver does. False when the answer came meanwhile."""
        connection = self.connection
        with connection.lock:
            if connection._requests.pop(self.request_id, None) is None:
                return False
            connection.orphaned_request_ids.add(self.request_id)
            if len(connection.orphaned_request_ids) >= connection.orphaned_threshold:
                connection.orphaned_threshold_reached = True
        self.pool.return_connection(connection, stream_was_orphaned=True)
        return True


class DirectFuture:
    """What ``execute_async`` returns: ``result()`` waits and gives a ``DirectResult``
    (or the driver's ``ResultSet`` when the request went through the session)."""

    __slots__ = ("_run",)

    def __init__(self, run: Callable[[], Any]) -> None:
        self._run = run

    def result(self) -> Any:
        return self._run()


class DirectSession:
    """A driver ``Session`` whose ``execute``/``execute_async`` of prepared statements
    and batches skip the ``ResponseFuture`` (see the module doc); every other attribute
    is the session's own."""

    def __init__(self, session: Session) -> None:
        self._session = session
        cluster = session.cluster
        profile = cluster.profile_manager.profiles[EXEC_PROFILE_DEFAULT]
        self._consistency = profile.consistency_level
        self._serial_consistency = profile.serial_consistency_level
        self._timeout = profile.request_timeout
        self._row_factory = profile.row_factory
        self._retry_policy = profile.retry_policy
        self._balancer = profile.load_balancing_policy
        self._protocol = cluster.protocol_version
        self._keyspace_flag = ProtocolVersion.uses_keyspace_flag(self._protocol)
        self._timestamps = cluster.timestamp_generator if session.use_client_timestamp else None
        handler = session.client_protocol_handler
        self._encode, self._decode = handler.encode_message, handler.decode_message
        # Speculative executions and continuous paging are the session's to run.
        speculative = profile.speculative_execution_policy
        self.fallbacks = 0  # requests re-run through the session after trying directly
        self._enabled = ((speculative is None
                          or isinstance(speculative, NoSpeculativeExecutionPolicy))
                         and not profile.continuous_paging_options and self._protocol >= 3)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._session, name)

    @property
    def session(self) -> Session:
        """The driver session underneath (for what only it can do)."""
        return self._session

    # ------------------------------------------------------------------ API
    def execute(self, query: Any, parameters: Any = None, timeout: Any = _NOT_SET,
                **kwargs: Any) -> Any:
        """The driver's ``Session.execute`` signature (it is execute_async().result())."""
        return self.execute_async(query, parameters, timeout=timeout, **kwargs).result()

    def execute_async(self, query: Any, parameters: Any = None, trace: bool = False,
                      custom_payload: Any = None, timeout: Any = _NOT_SET,
                      **kwargs: Any) -> Any:
        """The driver's ``Session.execute_async`` signature."""
        bound = None
        if self._enabled and not (trace or custom_payload or kwargs):
            bound = _bind(query, parameters)
        if bound is None:
            return self._session.execute_async(query, parameters, trace, custom_payload,
                                               timeout, **kwargs)
        message = self._message(bound, None)
        try:
            request = self._send(bound, message)
        except _Fallback:
            self.fallbacks += 1
            return self._session.execute_async(query, parameters, timeout=timeout)
        return DirectFuture(lambda: self._finish(bound, message, request, timeout, query,
                                                 parameters))

    # ------------------------------------------------------------- internals
    def _finish(self, bound: Any, message: Any, request: _Request, timeout: Any, query: Any,
                parameters: Any) -> Any:
        """Wait for the answer (and any further pages). An error answer is retried as the
        driver retries it: the same message again, as the retry policy decides."""
        wait_s = self._timeout if timeout is _NOT_SET else timeout
        batch = isinstance(bound, BatchStatement)
        rows: list[Any] = []
        names: list[str] | None = None
        retries = 0
        try:
            response = self._wait(request, wait_s)
            while True:
                if not isinstance(response, ResultMessage):
                    if isinstance(response, ConnectionException) and \
                            not isinstance(response, ConnectionShutdown):
                        request.connection.defunct(response)  # as the driver does
                    decision, consistency = self._retry_decision(response, bound, retries)
                    if decision == RetryPolicy.IGNORE:
                        return DirectResult(None, [], batch)
                    if consistency is not None:
                        message.consistency_level = consistency
                    retries += 1
                    skip = request.pool.host if decision == RetryPolicy.RETRY_NEXT_HOST else None
                    request = self._resend(bound, message, skip, {request.pool.host: response})
                    response = self._wait(request, wait_s)
                    continue
                if response.kind != RESULT_KIND_ROWS:
                    return DirectResult(names, rows, batch)
                names = response.column_names
                rows.extend(self._row_factory(names, response.parsed_rows))
                if batch or not response.paging_state:
                    return DirectResult(names, rows, batch)
                message = self._message(bound, response.paging_state)
                request = self._resend(bound, message, None, {})
                response = self._wait(request, wait_s)
        except _Fallback:
            # Only what certainly did not run here: the statement was not prepared on
            # the node (the session prepares it again and runs it).
            self.fallbacks += 1
            return self._session.execute(query, parameters, timeout)

    def _wait(self, request: _Request, timeout: float | None) -> Any:
        if not request.done.wait(timeout) and request.abandon():
            raise OperationTimedOut({request.connection.endpoint: "Client request timeout"},
                                    request.pool.host)
        # The answer raced the timeout and is being handed over. Bounded all the same:
        # the driver pops a request before it decodes the answer, and a decoding error
        # defuncts the connection without calling the request back; an unbounded wait
        # there hung the caller, and the shard lock it held, for good.
        if not request.done.wait(_HANDOVER_WAIT_S):
            raise OperationTimedOut({request.connection.endpoint: "answer not handed over"},
                                    request.pool.host)
        return request.response

    def _resend(self, bound: Any, message: Any, skip: Any,
                errors: dict[Any, Any]) -> _Request:
        """A later message of a request already under way (a retry, the next page): with
        no connection to take it, the request fails as the driver's would."""
        try:
            return self._send(bound, message, skip)
        except _Fallback:
            raise NoHostAvailable("Unable to complete the operation against any hosts",
                                  errors) from None

    def _send(self, bound: Any, message: Any, skip: Any = None) -> _Request:
        pool = self._pool(bound, skip)
        request = _Request(pool)
        connection = pool._connection
        if connection is None or connection.is_defunct or connection.is_closed \
                or connection.orphaned_threshold_reached:
            raise _Fallback()  # the pool's own borrowing replaces or waits
        with connection.lock:
            if connection.in_flight >= connection.max_request_id:
                raise _Fallback()
            connection.in_flight += 1
            request_id = connection.get_request_id()
        request.connection, request.request_id = connection, request_id
        metadata = None if isinstance(bound, BatchStatement) \
            else bound.prepared_statement.result_metadata
        try:
            connection.send_msg(message, request_id, request.on_response, self._encode,
                                self._decode, metadata)
        except Exception:
            # Not sent: give the stream back (send_msg may have registered it already).
            connection._requests.pop(request_id, None)
            with connection.lock:
                connection.request_ids.append(request_id)
            pool.return_connection(connection)
            raise _Fallback() from None
        return request

    def _pool(self, bound: Any, skip: Any = None) -> Any:
        pools = self._session._pools
        keyspace = bound.keyspace or self._session.keyspace
        for host in self._balancer.make_query_plan(keyspace, bound):
            pool = pools.get(host)
            if host is not skip and pool is not None and not pool.is_shutdown:
                return pool
        raise _Fallback()

    def _message(self, bound: Any, paging_state: bytes | None) -> Any:
        consistency = bound.consistency_level
        if consistency is None:
            consistency = self._consistency
        serial = bound.serial_consistency_level
        if serial is None:
            serial = self._serial_consistency
        timestamp = self._timestamps() if self._timestamps is not None else None
        if isinstance(bound, BatchStatement):
            keyspace = bound.keyspace if self._keyspace_flag else None
            return BatchMessage(bound.batch_type, bound._statements_and_parameters, consistency,
                                serial, timestamp, keyspace)
        prepared = bound.prepared_statement
        fetch_size = bound.fetch_size
        if fetch_size is FETCH_SIZE_UNSET:
            fetch_size = self._session.default_fetch_size
        return ExecuteMessage(prepared.query_id, bound.values, consistency, serial,
                              fetch_size, paging_state, timestamp,
                              skip_meta=bool(prepared.result_metadata),
                              result_metadata_id=prepared.result_metadata_id)

    def _retry_decision(self, response: Any, bound: Any, retries: int) -> tuple[int, Any]:
        """What the driver's retry policy says of an error answer (raising what it would
        raise on RETHROW); ``_Fallback`` for a statement the node has not prepared."""
        if isinstance(response, PreparedQueryNotFound):
            raise _Fallback()
        policy = bound.retry_policy or self._retry_policy
        consistency = bound.consistency_level
        if isinstance(response, ConnectionException):
            # As the driver: a dead connection is a request error, retried by the policy.
            decision = policy.on_request_error(bound, consistency, error=response,
                                               retry_num=retries)
        elif isinstance(response, ReadTimeoutErrorMessage):
            decision = policy.on_read_timeout(bound, retry_num=retries, **response.info)
        elif isinstance(response, WriteTimeoutErrorMessage):
            decision = policy.on_write_timeout(bound, retry_num=retries, **response.info)
        elif isinstance(response, UnavailableErrorMessage):
            decision = policy.on_unavailable(bound, retry_num=retries, **response.info)
        elif isinstance(response, _REQUEST_ERRORS):
            decision = policy.on_request_error(bound, consistency, error=response,
                                               retry_num=retries)
        elif isinstance(response, ErrorMessage):
            raise response.to_exception() if hasattr(response, "to_exception") else response
        elif isinstance(response, BaseException):
            raise response
        else:
            raise DriverException(f"unexpected answer from Cassandra: {response!r}")
        if decision[0] == RetryPolicy.RETHROW:
            raise response.to_exception() if hasattr(response, "to_exception") else response
        return decision[0], decision[1]


def _bind(query: Any, parameters: Any) -> Any:
    """The statement to send directly, or None when the session must take it."""
    if isinstance(query, PreparedStatement):
        return query.bind(parameters)
    if parameters is None and isinstance(query, (BoundStatement, BatchStatement)) \
            and not query.custom_payload:
        return query
    return None

