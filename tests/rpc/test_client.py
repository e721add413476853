"""ThriftClient ↔ TChannelServer + ThriftDispatcher over loopback."""

from __future__ import annotations

import pytest

from cadence_py.rpc import ThriftClient, ThriftDispatcher, idl
from cadence_py.transport import TChannelClient, TChannelServer
from cadence_py.transport.errors import ErrorCode, TChannelError

WS = idl.workflow_service().WorkflowService
SHARED = idl.shared()


class Impl:
    def __init__(self):
        self.contexts = []

    def DescribeDomain(self, ctx, request):
        self.contexts.append(ctx)
        if request.name == "missing":
            raise SHARED.EntityNotExistsError(message="nope")
        if request.name == "internal":
            raise SHARED.InternalServiceError(message="db down")
        return SHARED.DescribeDomainResponse(
            domainInfo=SHARED.DomainInfo(name=request.name, data={"big": "x" * 200_000}))

    def RegisterDomain(self, ctx, request):
        return None

    def GetSearchAttributes(self, ctx):
        return SHARED.GetSearchAttributesResponse(keys={"WorkflowID": 1})


@pytest.fixture
def impl():
    return Impl()


@pytest.fixture
def thrift_client(impl):
    dispatcher = ThriftDispatcher()
    dispatcher.register("WorkflowService", WS, impl)
    server = TChannelServer(dispatcher, host="127.0.0.1", port=0)
    server.start()
    host, port = server.address
    channel = TChannelClient(host, port, caller="rpc-tests")
    client = ThriftClient(channel, WS, "WorkflowService",
                          headers={"cadence-client-name": "rpc-tests"})
    yield client
    channel.close()
    server.stop(grace=1)


def test_success_with_fragmented_response(thrift_client, impl):
    response = thrift_client.call("DescribeDomain", SHARED.DescribeDomainRequest(name="d"))
    assert response.domainInfo.name == "d"
    assert len(response.domainInfo.data["big"]) == 200_000
    (ctx,) = impl.contexts
    assert ctx.client_name == "rpc-tests"
    assert ctx.caller == "rpc-tests"


def test_declared_exception_is_raised(thrift_client):
    with pytest.raises(SHARED.EntityNotExistsError) as info:
        thrift_client.call("DescribeDomain", SHARED.DescribeDomainRequest(name="missing"))
    assert info.value.message == "nope"
    assert info.value.activeClusters == []


def test_undeclared_exception_is_an_error_frame(thrift_client):
    with pytest.raises(TChannelError) as info:
        thrift_client.call("DescribeDomain", SHARED.DescribeDomainRequest(name="internal"))
    assert info.value.code == ErrorCode.UNEXPECTED


def test_void_and_no_argument_methods(thrift_client):
    assert thrift_client.call("RegisterDomain", SHARED.RegisterDomainRequest(name="d")) is None
    assert thrift_client.call("GetSearchAttributes").keys == {"WorkflowID": 1}


def test_unimplemented_method_without_hook_is_bad_request(thrift_client):
    with pytest.raises(TChannelError) as info:
        thrift_client.call("ListDomains", SHARED.ListDomainsRequest())
    assert info.value.code == ErrorCode.BAD_REQUEST
