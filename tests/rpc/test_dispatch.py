"""ThriftDispatcher with the real IDL: where results and exceptions go on the wire."""

from __future__ import annotations

import struct

import pytest
from thriftpy2.thrift import TType

from cadence_py.frontend.handler import WorkflowHandler
from cadence_py.persistence.sqlite.store import SQLiteStore
from cadence_py.rpc import idl
from cadence_py.rpc.codec import decode, encode
from cadence_py.rpc.dispatch import ThriftDispatcher, method_specs
from cadence_py.transport.codec import encode_headers16
from cadence_py.transport.errors import ErrorCode, TChannelError
from cadence_py.transport.messages import InboundCall, ResponseCode

WS = idl.workflow_service().WorkflowService
SHARED = idl.shared()
SPECS = method_specs(WS)


def make_call(method: str, arg3: bytes = b"\x00", *, arg2: bytes = b"\x00\x00",
              service: str = "WorkflowService", headers: dict | None = None,
              ttl_ms: int = 5000) -> InboundCall:
    return InboundCall(id=1, service="cadence-frontend", ttl_ms=ttl_ms,
                       headers={"as": "thrift", "cn": "tests"} if headers is None else headers,
                       arg1=f"{service}::{method}".encode(), arg2=arg2, arg3=arg3)


def args_bytes(method: str, *values) -> bytes:
    return encode(getattr(WS, f"{method}_args")(*values))


def result_of(method: str, arg3: bytes):
    return decode(getattr(WS, f"{method}_result")(), arg3)


def first_field(data: bytes) -> tuple[int, int] | None:
    """(type, id) of the first top-level field of a binary struct; None for a bare STOP."""
    if data[0] == TType.STOP:
        return None
    return data[0], struct.unpack(">h", data[1:3])[0]


def fields_set(method: str, arg3: bytes) -> list[int]:
    """Ids of the result fields present (the Go client wants exactly one, or none for a
    void success)."""
    result = result_of(method, arg3)
    return [fid for fid, spec in sorted(result.thrift_spec.items())
            if getattr(result, spec[1]) is not None]


class Fake:
    """A tiny WorkflowService with behaviour keyed on request fields."""

    def __init__(self):
        self.seen = []

    def DescribeDomain(self, ctx, request):
        self.seen.append(ctx)
        if request.name == "missing":
            raise SHARED.EntityNotExistsError(message="Domain missing does not exist.")
        if request.name == "busy":
            raise SHARED.ServiceBusyError(message="slow down")
        if request.name == "internal":
            raise SHARED.InternalServiceError(message="db down")  # not declared here
        if request.name == "python":
            raise KeyError("oops")
        return SHARED.DescribeDomainResponse(domainInfo=SHARED.DomainInfo(name=request.name))

    def StartWorkflowExecution(self, ctx, request):
        if request.workflowId == "dup":
            raise SHARED.WorkflowExecutionAlreadyStartedError(
                message="already started", startRequestId="req", runId="run-1")
        if request.domain == "nodomain":
            raise SHARED.EntityNotExistsError(message="no such domain")
        if request.domain == "passive":
            raise SHARED.DomainNotActiveError(message="not active")
        return SHARED.StartWorkflowExecutionResponse(runId="run-2")

    def ResetStickyTaskList(self, ctx, request):
        return SHARED.ResetStickyTaskListResponse()

    def RespondDecisionTaskCompleted(self, ctx, request):
        return SHARED.RespondDecisionTaskCompletedResponse()

    def RegisterDomain(self, ctx, request):
        return None

    def ListDomains(self, ctx, request):
        return None  # a bug: non-void method returning nothing

    def GetSearchAttributes(self, ctx):
        return SHARED.GetSearchAttributesResponse(keys={"WorkflowID": SHARED.IndexedValueType.KEYWORD})

    def GetClusterInfo(self, ctx):
        raise SHARED.InternalServiceError(message="declared for GetClusterInfo")


@pytest.fixture
def fake():
    return Fake()


@pytest.fixture
def dispatcher(fake):
    d = ThriftDispatcher()
    d.register("WorkflowService", WS, fake)
    return d


# ------------------------------------------------------------------ successes
def test_success_goes_in_field_0(dispatcher, fake):
    res = dispatcher(make_call("DescribeDomain", args_bytes(
        "DescribeDomain", SHARED.DescribeDomainRequest(name="samples"))))
    assert res.code == ResponseCode.OK
    assert res.arg1 == b""
    assert res.arg2 == b"\x00\x00"
    assert first_field(res.arg3) == (TType.STRUCT, 0)
    assert fields_set("DescribeDomain", res.arg3) == [0]
    assert result_of("DescribeDomain", res.arg3).success.domainInfo.name == "samples"


@pytest.mark.parametrize("method,request_cls", [
    ("ResetStickyTaskList", "ResetStickyTaskListRequest"),
    ("RespondDecisionTaskCompleted", "RespondDecisionTaskCompletedRequest"),
])
def test_non_void_empty_response_still_encodes_field_0(dispatcher, method, request_cls):
    res = dispatcher(make_call(method, args_bytes(method, getattr(SHARED, request_cls)())))
    assert res.code == ResponseCode.OK
    assert res.arg3 == b"\x0c\x00\x00" + b"\x00" + b"\x00"  # field 0 {} STOP
    assert result_of(method, res.arg3).success is not None


def test_void_success_is_a_single_stop_byte(dispatcher):
    res = dispatcher(make_call("RegisterDomain", args_bytes(
        "RegisterDomain", SHARED.RegisterDomainRequest(name="d"))))
    assert res.code == ResponseCode.OK
    assert res.arg2 == b"\x00\x00"
    assert res.arg3 == b"\x00"
    assert fields_set("RegisterDomain", res.arg3) == []


def test_method_without_arguments(dispatcher):
    res = dispatcher(make_call("GetSearchAttributes", b"\x00"))
    assert res.code == ResponseCode.OK
    assert result_of("GetSearchAttributes", res.arg3).success.keys == {"WorkflowID": SHARED.IndexedValueType.KEYWORD}


def test_no_arg_method_ignores_unknown_fields(dispatcher):
    """tchannel-java's Meta-style args may carry an optional field: skipped."""
    arg3 = b"\x0b\x00\x01\x00\x00\x00\x02hi\x00"
    assert dispatcher(make_call("GetSearchAttributes", arg3)).code == ResponseCode.OK


def test_non_void_returning_none_is_an_error(dispatcher):
    with pytest.raises(Exception):
        dispatcher(make_call("ListDomains", args_bytes(
            "ListDomains", SHARED.ListDomainsRequest())))


# ------------------------------------------------------------------ declared exceptions
def test_describe_domain_entity_not_exists_in_field_3(dispatcher):
    res = dispatcher(make_call("DescribeDomain", args_bytes(
        "DescribeDomain", SHARED.DescribeDomainRequest(name="missing"))))
    assert res.code == ResponseCode.APPLICATION_ERROR
    assert res.arg2 == b"\x00\x00"
    assert first_field(res.arg3) == (TType.STRUCT, 3)
    assert fields_set("DescribeDomain", res.arg3) == [3]
    result = result_of("DescribeDomain", res.arg3)
    assert result.success is None
    assert result.entityNotExistError.message == "Domain missing does not exist."


def test_entity_not_exists_gets_empty_active_clusters(dispatcher):
    res = dispatcher(make_call("DescribeDomain", args_bytes(
        "DescribeDomain", SHARED.DescribeDomainRequest(name="missing"))))
    # field 4, list<string>, 0 elements: 0f 00 04 0b 00 00 00 00
    assert b"\x0f\x00\x04\x0b\x00\x00\x00\x00" in res.arg3
    assert res.arg3.endswith(b"\x0f\x00\x04\x0b\x00\x00\x00\x00\x00\x00")
    assert result_of("DescribeDomain", res.arg3).entityNotExistError.activeClusters == []


def test_reference_example_bytes_for_entity_not_exists(dispatcher):
    """Reference §1.11 call res arg3: 0c 00 03 0b 00 01 <len> "Domain …" … 0f 00 04 0b 00
    00 00 00 00 00."""
    res = dispatcher(make_call("DescribeDomain", args_bytes(
        "DescribeDomain", SHARED.DescribeDomainRequest(name="missing"))))
    text = b"Domain missing does not exist."
    assert res.arg3 == (b"\x0c\x00\x03" + b"\x0b\x00\x01" + struct.pack(">I", len(text))
                        + text + b"\x0f\x00\x04\x0b\x00\x00\x00\x00" + b"\x00" + b"\x00")


def test_start_workflow_already_started_in_field_3(dispatcher):
    req = SHARED.StartWorkflowExecutionRequest(domain="d", workflowId="dup")
    res = dispatcher(make_call("StartWorkflowExecution", args_bytes(
        "StartWorkflowExecution", req)))
    assert res.code == ResponseCode.APPLICATION_ERROR
    assert first_field(res.arg3) == (TType.STRUCT, 3)
    assert fields_set("StartWorkflowExecution", res.arg3) == [3]
    err = result_of("StartWorkflowExecution", res.arg3).sessionAlreadyExistError
    assert (err.message, err.startRequestId, err.runId) == ("already started", "req", "run-1")


def test_start_workflow_entity_not_exists_in_field_7(dispatcher):
    req = SHARED.StartWorkflowExecutionRequest(domain="nodomain", workflowId="w")
    res = dispatcher(make_call("StartWorkflowExecution", args_bytes(
        "StartWorkflowExecution", req)))
    assert res.code == ResponseCode.APPLICATION_ERROR
    assert first_field(res.arg3) == (TType.STRUCT, 7)
    assert fields_set("StartWorkflowExecution", res.arg3) == [7]
    result = result_of("StartWorkflowExecution", res.arg3)
    assert result.entityNotExistError.activeClusters == []
    assert result.sessionAlreadyExistError is None


def test_domain_not_active_gets_all_required_fields(dispatcher):
    req = SHARED.StartWorkflowExecutionRequest(domain="passive", workflowId="w")
    res = dispatcher(make_call("StartWorkflowExecution", args_bytes(
        "StartWorkflowExecution", req)))
    assert first_field(res.arg3) == (TType.STRUCT, 5)
    assert fields_set("StartWorkflowExecution", res.arg3) == [5]
    err = result_of("StartWorkflowExecution", res.arg3).domainNotActiveError
    assert err.message == "not active"
    assert (err.domainName, err.currentCluster, err.activeCluster, err.activeClusters) \
        == ("", "", "", [])


def test_exception_declared_by_get_cluster_info(dispatcher):
    res = dispatcher(make_call("GetClusterInfo", b"\x00"))
    assert res.code == ResponseCode.APPLICATION_ERROR
    assert first_field(res.arg3) == (TType.STRUCT, 1)
    assert fields_set("GetClusterInfo", res.arg3) == [1]


EXCEPTION_CASES = [(name, fid, spec[2], spec[1])
                   for name, s in sorted(SPECS.items())
                   for fid, spec in sorted(getattr(WS, f"{name}_result").thrift_spec.items())
                   if fid != 0]


@pytest.mark.parametrize("method,fid,exc_cls,field_name", EXCEPTION_CASES,
                         ids=[f"{m}-{f}" for m, f, _, _ in EXCEPTION_CASES])
def test_every_declared_exception_lands_in_its_own_field(method, fid, exc_cls, field_name):
    """All 55 methods, every declared exception: code 1, exactly that one field, and every
    required field of the exception written."""

    class Raiser:
        def __getattr__(self, name):
            def raise_it(ctx, *args):
                raise exc_cls()
            return raise_it

    d = ThriftDispatcher()
    d.register("WorkflowService", WS, Raiser())
    res = d(make_call(method, b"\x00"))
    assert res.code == ResponseCode.APPLICATION_ERROR
    assert res.arg2 == b"\x00\x00"
    assert res.arg3[:3] == b"\x0c" + struct.pack(">h", fid)
    result = result_of(method, res.arg3)
    set_fields = [spec[1] for spec in result.thrift_spec.values()
                  if getattr(result, spec[1]) is not None]
    assert set_fields == [field_name]
    err = getattr(result, field_name)
    for spec in exc_cls.thrift_spec.values():
        if spec[-1] is True:
            assert getattr(err, spec[1]) is not None, spec[1]


def test_method_specs_cover_the_idl():
    assert len(SPECS) == 55
    assert SPECS["RegisterDomain"].void and not SPECS["DescribeDomain"].void
    assert SPECS["GetClusterInfo"].arg_names == ()
    assert [f for _, f in SPECS["StartWorkflowExecution"].exceptions][:2] == [
        "badRequestError", "sessionAlreadyExistError"]


# ------------------------------------------------------------------ error frames
def test_undeclared_exception_is_unexpected_error_frame(dispatcher):
    with pytest.raises(TChannelError) as info:
        dispatcher(make_call("DescribeDomain", args_bytes(
            "DescribeDomain", SHARED.DescribeDomainRequest(name="internal"))))
    assert info.value.code == ErrorCode.UNEXPECTED
    assert "InternalServiceError" in info.value.message and "db down" in info.value.message


def test_exception_subclass_is_not_matched_loosely(dispatcher, fake):
    class MyBusy(SHARED.ServiceBusyError):
        pass

    def raise_sub(ctx, request):
        raise MyBusy(message="sub")

    fake.DescribeDomain = raise_sub
    with pytest.raises(TChannelError) as info:
        dispatcher(make_call("DescribeDomain", args_bytes(
            "DescribeDomain", SHARED.DescribeDomainRequest(name="x"))))
    assert info.value.code == ErrorCode.UNEXPECTED


def test_plain_python_exception_propagates(dispatcher):
    """The connection turns it into an UNEXPECTED error frame (see transport tests)."""
    with pytest.raises(KeyError):
        dispatcher(make_call("DescribeDomain", args_bytes(
            "DescribeDomain", SHARED.DescribeDomainRequest(name="python"))))


@pytest.mark.parametrize("arg1", ["WorkflowService::NoSuchMethod", "NoService::DescribeDomain",
                                  "DescribeDomain", "", "WorkflowService::"])
def test_unknown_method_or_service_is_bad_request(dispatcher, arg1):
    call = make_call("x")
    call.arg1 = arg1.encode()
    with pytest.raises(TChannelError) as info:
        dispatcher(call)
    assert info.value.code == ErrorCode.BAD_REQUEST
    assert "unrecognized procedure" in info.value.message


@pytest.mark.parametrize("arg3", [
    b"",                                            # not even a STOP
    b"\xff\xff",                                    # unknown field type
    b"\x0c\x00\x01",                                # truncated struct
    b"\x0c\x00\x01\x0b\x00\x0a\x00\x00\x00\x05ab",  # string longer than the data
    b"\x0c\x00\x01\x0b\x00\x0a\x7f\xff\xff\xf0xx",  # 2 GiB string
    b"\x0c\x00\x01\x0b\x00\x0a\xff\xff\xff\xff\x00\x00",  # negative length
    b"\x0f\x00\x05\x0a\x7f\xff\xff\xff\x00",        # list<i64> of 2**31-1 with no data
    b"\x0f\x00\x05\x00\x7f\xff\xff\xff\x00",        # list of STOP-typed elements
    b"\x0c\x00\x01" * 5000 + b"\x00" * 5001,        # nesting 5000 deep
    b"hello world",
], ids=["empty", "ff", "trunc", "short-string", "2GiB", "negative", "huge-list",
        "stop-list", "deep", "text"])
def test_garbage_arg3_is_bad_request(dispatcher, fake, arg3):
    with pytest.raises(TChannelError) as info:
        dispatcher(make_call("DescribeDomain", arg3))
    assert info.value.code == ErrorCode.BAD_REQUEST
    assert "DescribeDomain" in info.value.message
    assert fake.seen == []


@pytest.mark.parametrize("arg2", [b"\x00", b"\x00\x01", b"\x00\x01\x00\x05ab", b"\x00\x00x"])
def test_malformed_app_headers_are_bad_request(dispatcher, arg2):
    with pytest.raises(TChannelError) as info:
        dispatcher(make_call("RegisterDomain", b"\x00", arg2=arg2))
    assert info.value.code == ErrorCode.BAD_REQUEST


@pytest.mark.parametrize("scheme", ["json", "raw", "sthrift"])
def test_non_thrift_arg_scheme_is_bad_request(dispatcher, scheme):
    with pytest.raises(TChannelError) as info:
        dispatcher(make_call("RegisterDomain", b"\x00", headers={"as": scheme, "cn": "x"}))
    assert info.value.code == ErrorCode.BAD_REQUEST


def test_missing_method_without_not_implemented_hook(dispatcher):
    with pytest.raises(TChannelError) as info:
        dispatcher(make_call("SignalWorkflowExecution", b"\x00"))
    assert info.value.code == ErrorCode.BAD_REQUEST
    assert "SignalWorkflowExecution" in info.value.message


# ------------------------------------------------------------------ context & observers
def test_context_carries_headers_caller_and_deadline(dispatcher, fake):
    arg2 = encode_headers16({"cadence-client-name": "cli", "cadence-client-feature-version":
                             "1.7.0"})
    call = make_call("DescribeDomain", args_bytes(
        "DescribeDomain", SHARED.DescribeDomainRequest(name="d")), arg2=arg2, ttl_ms=3000)
    dispatcher(call)
    (ctx,) = fake.seen
    assert ctx.service == "WorkflowService" and ctx.method == "DescribeDomain"
    assert ctx.client_name == "cli" and ctx.client_feature_version == "1.7.0"
    assert ctx.caller == "tests"
    assert ctx.deadline == call.deadline
    assert 2.0 < ctx.remaining() <= 3.0


def test_empty_arg2_is_tolerated(dispatcher, fake):
    dispatcher(make_call("DescribeDomain", args_bytes(
        "DescribeDomain", SHARED.DescribeDomainRequest(name="d")), arg2=b""))
    assert fake.seen[0].headers == {}


def test_observers_see_success_and_errors(dispatcher):
    seen = []
    dispatcher.observers.append(lambda ctx, elapsed, error: seen.append(
        (ctx.method, elapsed >= 0, type(error).__name__ if error else None)))
    dispatcher(make_call("RegisterDomain", args_bytes(
        "RegisterDomain", SHARED.RegisterDomainRequest(name="d"))))
    dispatcher(make_call("DescribeDomain", args_bytes(
        "DescribeDomain", SHARED.DescribeDomainRequest(name="missing"))))
    with pytest.raises(TChannelError):
        dispatcher(make_call("DescribeDomain", args_bytes(
            "DescribeDomain", SHARED.DescribeDomainRequest(name="internal"))))
    assert seen == [("RegisterDomain", True, None),
                    ("DescribeDomain", True, "EntityNotExistsError"),
                    ("DescribeDomain", True, "InternalServiceError")]


# ------------------------------------------------------------------ not implemented
@pytest.fixture
def frontend_dispatcher():
    store = SQLiteStore(":memory:")
    d = ThriftDispatcher()
    d.register("WorkflowService", WS, WorkflowHandler(store))
    yield d
    store.close()


@pytest.mark.parametrize("method", ["SignalWithStartWorkflowExecutionAsync",
                                    "StartWorkflowExecutionAsync", "ListSchedules"])
def test_not_implemented_is_bad_request_error_naming_the_method(frontend_dispatcher, method):
    res = frontend_dispatcher(make_call(method, b"\x00"))
    assert res.code == ResponseCode.APPLICATION_ERROR
    assert res.arg3[:3] == b"\x0c\x00\x01"  # badRequestError is field 1 for these
    result = result_of(method, res.arg3)
    assert method in result.badRequestError.message
    assert "not implemented" in result.badRequestError.message


def test_not_implemented_without_bad_request_declared(frontend_dispatcher):
    """DiagnoseWorkflowExecution declares neither BadRequestError nor InternalServiceError,
    so the answer is a BAD_REQUEST error frame, as for an unknown procedure (an undeclared
    exception would be an UNEXPECTED one: the fuzzer counts those as faults)."""
    declared = {cls.__name__ for cls, _ in SPECS["DiagnoseWorkflowExecution"].exceptions}
    assert not declared & {"BadRequestError", "InternalServiceError"}
    with pytest.raises(TChannelError) as info:
        frontend_dispatcher(make_call("DiagnoseWorkflowExecution", b"\x00"))
    assert info.value.code == ErrorCode.BAD_REQUEST
    assert "DiagnoseWorkflowExecution" in info.value.message


# ------------------------------------------------------------------ store errors at the edge
def test_store_failure_that_escaped_a_handler_is_service_busy():
    """A store that failed (node down, timeout, outcome unknown) reaches the client as the
    declared ServiceBusyError, which every client retries, not as an error frame."""
    from cadence_py.common.errors import PERSISTENCE_UNAVAILABLE, from_store_error
    from cadence_py.persistence.errors import PersistenceError

    class Down:
        def DescribeDomain(self, ctx, request):
            raise PersistenceError("cassandra get_domain: no host available")

        def StartWorkflowExecution(self, ctx, request):
            raise RuntimeError("a bug")

    d = ThriftDispatcher(map_error=from_store_error)
    d.register("WorkflowService", WS, Down())
    res = d(make_call("DescribeDomain", args_bytes(
        "DescribeDomain", SHARED.DescribeDomainRequest(name="x"))))
    assert res.code == ResponseCode.APPLICATION_ERROR
    busy = result_of("DescribeDomain", res.arg3).serviceBusyError
    assert "no host available" in busy.message and busy.reason == PERSISTENCE_UNAVAILABLE
    with pytest.raises(RuntimeError):  # a bug stays a bug: logged, then an error frame
        d(make_call("StartWorkflowExecution", args_bytes(
            "StartWorkflowExecution", SHARED.StartWorkflowExecutionRequest(domain="x"))))


def test_store_failure_on_a_method_without_service_busy_is_its_internal_error():
    """AdminService.DescribeWorkflowExecution declares InternalServiceError but not
    ServiceBusyError: a failed store there answers the declared InternalServiceError, not
    an error frame."""
    from cadence_py.common.errors import from_store_error
    from cadence_py.persistence.errors import PersistenceError

    admin = idl.admin().AdminService
    declared = {cls.__name__ for cls, _ in
                method_specs(admin)["DescribeWorkflowExecution"].exceptions}
    assert "InternalServiceError" in declared and "ServiceBusyError" not in declared

    class Down:
        def DescribeWorkflowExecution(self, ctx, request):
            raise PersistenceError("cassandra read: no host available")

    d = ThriftDispatcher(map_error=from_store_error)
    d.register("AdminService", admin, Down())
    res = d(make_call("DescribeWorkflowExecution", b"\x00", service="AdminService"))
    assert res.code == ResponseCode.APPLICATION_ERROR
    result = decode(admin.DescribeWorkflowExecution_result(), res.arg3)
    assert "no host available" in result.internalServiceError.message
