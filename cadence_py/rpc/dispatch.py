"""Routes ``Service::Method`` calls to handler objects and encodes what they return.

A declared exception raised by a handler goes back as a call res with code 0x01 and the
exception in the result field that *this method* declares (ids differ per method).
Anything else is an error frame: the Go and Java clients treat undeclared errors that way.
"""

from __future__ import annotations

import itertools
import logging
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Optional

from thriftpy2.thrift import TException, TType

from cadence_py.rpc import idl
from cadence_py.rpc.codec import MAX_REQUEST_VALUES, decode, encode, fill_required
from cadence_py.rpc.context import RequestContext, current_request, fill_from_request
from cadence_py.rpc.strings import InvalidRequest, check_strings
from cadence_py.transport.codec import decode_headers16, encode_headers16
from cadence_py.transport.errors import ErrorCode, ProtocolError, TChannelError
from cadence_py.transport.messages import CallResponse, InboundCall, ResponseCode

log = logging.getLogger(__name__)
EMPTY_HEADERS = encode_headers16({})


@dataclass(frozen=True)
class MethodSpec:
    """What the dispatcher needs to know about one Thrift method."""

    name: str
    args_cls: type
    result_cls: type
    arg_names: tuple[str, ...]
    void: bool
    exceptions: tuple[tuple[type, str], ...]  # (exception class, result field name)

    def exception_field(self, exc: BaseException) -> str | None:
        for cls, field_name in self.exceptions:
            if type(exc) is cls:
                return field_name
        return None


def method_specs(thrift_service: Any) -> dict[str, MethodSpec]:
    """Read every method's args/result shape from a thriftpy2 service class."""
    specs: dict[str, MethodSpec] = {}
    for name in thrift_service.thrift_services:
        args_cls = getattr(thrift_service, f"{name}_args")
        result_cls = getattr(thrift_service, f"{name}_result")
        arg_names = tuple(spec[1] for _, spec in sorted(args_cls.thrift_spec.items()))
        exceptions = []
        for fid, spec in sorted(result_cls.thrift_spec.items()):
            if fid != 0 and spec[0] == TType.STRUCT and issubclass(spec[2], TException):
                exceptions.append((spec[2], spec[1]))
        specs[name] = MethodSpec(name, args_cls, result_cls, arg_names,
                                 void=0 not in result_cls.thrift_spec,
                                 exceptions=tuple(exceptions))
    return specs


def invalid_request_response(spec: MethodSpec, exc: InvalidRequest) -> CallResponse:
    """The method's declared BadRequestError naming the field (what upstream answers for
    a request it refuses), or a BAD_REQUEST error frame where none is declared."""
    for cls, field_name in spec.exceptions:
        if cls.__name__ == "BadRequestError":
            result = spec.result_cls()
            setattr(result, field_name, fill_required(cls(message=str(exc))))
            return CallResponse(arg2=EMPTY_HEADERS, arg3=encode(result),
                                code=ResponseCode.APPLICATION_ERROR)
    raise TChannelError(ErrorCode.BAD_REQUEST, f"{spec.name}: {exc}")


def _answered(exc: BaseException) -> BaseException:
    """Drop the tracebacks of an exception that became an answer (and of its causes).

    Each traceback holds this dispatcher's frame, whose locals hold the exception again
    (``result``, ``mapped``): a cycle that kept every failed request, 3 MiB blobs and all,
    until the cyclic GC ran, which big strings alone never trigger (RSS +9 MiB a call).
    """
    seen: BaseException | None = exc
    for _ in range(16):  # a chain is short; never loop on a cyclic one
        if seen is None:
            break
        seen.__traceback__ = None
        seen = seen.__cause__ or seen.__context__
    return exc


class NotImplementedMethod(Exception):
    """Raised by a handler for a method that exists in the IDL but not yet here."""


#: Turns an exception a handler let escape into the Thrift exception the clients expect
#: (None: not one it knows). The table is ``common/errors.from_store_error``: the
#: rpc layer sits below the stores and must not know their errors.
ErrorMapper = Callable[[BaseException], Optional[TException]]


class ThriftDispatcher:
    """The TChannel handler for all Thrift services of one server.

    ``register("WorkflowService", idl_module.WorkflowService, impl)``: ``impl`` has one
    method per Thrift method, ``impl.Method(ctx, request)`` (or ``(ctx)`` for methods
    without arguments), returning the response struct or None for void methods.
    ``not_implemented`` builds the exception a missing method answers with.
    """

    def __init__(self, tchannel_service: str = "cadence-frontend",
                 capture_dir: str | None = None,
                 map_error: ErrorMapper | None = None) -> None:
        self.tchannel_service = tchannel_service
        self.map_error = map_error
        self._services: dict[str, tuple[dict[str, MethodSpec], Any]] = {}
        self.observers: list[Any] = []
        # Debug aid: keep every request's raw arg2/arg3, to see exactly what a client sent.
        self.capture_dir = Path(capture_dir) if capture_dir else None
        self._captured = itertools.count(1)
        # Request ids for logs: a random prefix per dispatcher and a counter (uuid4 per
        # call was 1.5% of the server's time in the benchmark).
        self._id_prefix = uuid.uuid4().hex[:8]
        self._request_ids = itertools.count(1)

    def register(self, name: str, thrift_service: Any, impl: Any) -> None:
        self._services[name] = (method_specs(thrift_service), impl)

    def __call__(self, call: InboundCall) -> CallResponse:
        service_name, _, method_name = call.method.partition("::")
        entry = self._services.get(service_name)
        if entry is None or method_name not in entry[0]:
            raise TChannelError(ErrorCode.BAD_REQUEST,
                                f'unrecognized procedure "{call.method}" '
                                f'for service "{call.service}"')
        specs, impl = entry
        spec = specs[method_name]
        if self.capture_dir is not None:
            self._capture(call)
        scheme = call.headers.get("as", "thrift")
        if scheme != "thrift":
            raise TChannelError(ErrorCode.BAD_REQUEST,
                                f'expected encoding "thrift" but got "{scheme}"')
        try:
            app_headers = decode_headers16(call.arg2) if call.arg2 else {}
        except ProtocolError as exc:
            raise TChannelError(ErrorCode.BAD_REQUEST, f"malformed headers: {exc}") from None
        try:
            args = decode(spec.args_cls(), call.arg3, MAX_REQUEST_VALUES)
            check_strings(args)
        except InvalidRequest as exc:
            return invalid_request_response(spec, exc)
        except Exception as exc:  # thriftpy2 raises several types for garbage
            raise TChannelError(ErrorCode.BAD_REQUEST,
                                f"failed to decode {call.method} arguments: {exc}") from None
        ctx = RequestContext(service=service_name, method=method_name, headers=app_headers,
                             caller=call.headers.get("cn", ""), deadline=call.deadline,
                             cancelled=call.cancelled,
                             request_id=f"{self._id_prefix}{next(self._request_ids):08x}")
        for name in spec.arg_names:
            fill_from_request(ctx, getattr(args, name))
        token = current_request.set(ctx)
        started = time.monotonic()
        result = spec.result_cls()
        code = ResponseCode.OK
        error: BaseException | None = None
        try:
            try:
                value = self._invoke(impl, spec, ctx, args)
            except (TException, TChannelError):
                raise
            except Exception as exc:
                mapped = self.map_error(exc) if self.map_error is not None else None
                if mapped is None:
                    raise
                try:
                    raise mapped from exc
                finally:
                    mapped = None  # no frame <-> traceback cycle through this local
            if not spec.void:
                if value is None:
                    raise RuntimeError(f"{method_name} returned no response")
                result.success = value
        except TException as exc:
            field_name = spec.exception_field(exc)
            if field_name is None and type(exc).__name__ != "InternalServiceError":
                # Undeclared here (a store failure's ServiceBusyError on an admin method
                # that declares only InternalServiceError): the declared internal error.
                internal = idl.shared().InternalServiceError(
                    message=getattr(exc, "message", None) or str(exc))
                if spec.exception_field(internal) is not None:
                    exc = internal
                    field_name = spec.exception_field(exc)
            if field_name is None:
                error = exc
                raise TChannelError(ErrorCode.UNEXPECTED,
                                    f"{type(exc).__name__}: {getattr(exc, 'message', exc)}")
            setattr(result, field_name, fill_required(exc))
            code = ResponseCode.APPLICATION_ERROR
            error = _answered(exc)
        except BaseException as exc:
            error = exc
            raise
        finally:
            self._observe(ctx, time.monotonic() - started, error)
            current_request.reset(token)
            error = None  # the frame <-> traceback cycle would keep the request alive
        return CallResponse(arg2=EMPTY_HEADERS, arg3=encode(result), code=code)

    def _observe(self, ctx: RequestContext, seconds: float, error: BaseException | None
                 ) -> None:
        """Tell each observer (metrics...) about a finished call; a failing observer
        is logged, never allowed to change the response."""
        for observer in self.observers:
            try:
                observer(ctx, seconds, error)
            except Exception:  # noqa: BLE001
                log.exception("call observer %r failed", observer)

    def _capture(self, call: InboundCall) -> None:
        self.capture_dir.mkdir(parents=True, exist_ok=True)  # type: ignore[union-attr]
        stem = f"{next(self._captured):05d}-{call.method.replace('::', '.')}"
        (self.capture_dir / f"{stem}.arg2").write_bytes(call.arg2)  # type: ignore[operator]
        (self.capture_dir / f"{stem}.arg3").write_bytes(call.arg3)  # type: ignore[operator]

    def _invoke(self, impl: Any, spec: MethodSpec, ctx: RequestContext, args: Any) -> Any:
        fn = getattr(impl, spec.name, None)
        if fn is None:
            fn = getattr(impl, "not_implemented", None)
            if fn is None:
                raise TChannelError(ErrorCode.BAD_REQUEST, f"{spec.name} is not implemented")
            return fn(ctx, spec)
        values = [getattr(args, name) for name in spec.arg_names]
        return fn(ctx, *values)
