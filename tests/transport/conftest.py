"""Fixtures for transport tests.

No gevent monkey-patching: TChannelServer uses gevent's StreamServer and TChannelClient
uses gevent.socket directly, and the tests' raw peers use gevent.socket too, so every
blocking call yields to the hub. (The one thing that would deadlock is a plain stdlib
socket or time.sleep in a test; the helpers in ``wire`` avoid both.)
"""

from __future__ import annotations

import gevent
import pytest
from gevent.event import Event

from cadence_py.rpc import idl
from cadence_py.rpc.dispatch import ThriftDispatcher
from cadence_py.transport import CallResponse, TChannelClient, TChannelServer
from cadence_py.transport.errors import ErrorCode, TChannelError


class FakeWorkflowService:
    """Just enough of WorkflowService for transport-level tests through the dispatcher."""

    def DescribeDomain(self, ctx, request):
        shared = idl.shared()
        if request.name == "missing":
            raise shared.EntityNotExistsError(message="Domain missing does not exist.")
        return shared.DescribeDomainResponse(
            domainInfo=shared.DomainInfo(name=request.name))

    def RegisterDomain(self, ctx, request):
        return None

    def ResetStickyTaskList(self, ctx, request):
        return idl.shared().ResetStickyTaskListResponse()


class EchoHandler:
    """``Echo::*`` methods for the transport; everything else goes to a ThriftDispatcher."""

    def __init__(self) -> None:
        self.gate = Event()          # Echo::gated waits for it
        self.gated_done = Event()    # set when an Echo::gated call returns
        self.started = Event()       # set when an Echo::gated call starts
        self.calls: list[str] = []
        self.dispatcher = ThriftDispatcher()
        self.dispatcher.register("WorkflowService", idl.workflow_service().WorkflowService,
                                 FakeWorkflowService())

    def __call__(self, call):
        method = call.method
        self.calls.append(method)
        if method == "Echo::echo":
            return CallResponse(arg2=call.arg2, arg3=call.arg3)
        if method == "Echo::delay":  # arg3 = milliseconds to wait, echoed back
            gevent.sleep(int(call.arg3) / 1000.0)
            return CallResponse(arg2=b"\x00\x00", arg3=call.arg3)
        if method == "Echo::gated":
            self.started.set()
            try:
                self.gate.wait(5)
                return CallResponse(arg2=b"\x00\x00", arg3=b"late")
            finally:
                self.gated_done.set()
        if method == "Echo::big":  # arg3 = size of the response wanted
            size = int(call.arg3)
            return CallResponse(arg2=b"\x00\x00", arg3=bytes(range(256)) * (size // 256)
                                + bytes(size % 256))
        if method == "Echo::boom":
            raise RuntimeError("boom")
        if method == "Echo::busy":
            raise TChannelError(ErrorCode.BUSY, "try later")
        if method == "Echo::appError":
            return CallResponse(arg2=b"\x00\x00", arg3=b"\x00", code=1)
        return self.dispatcher(call)


@pytest.fixture
def echo_handler():
    return EchoHandler()


def _start(handler, **kw):
    server = TChannelServer(handler, host="127.0.0.1", port=0, **kw)
    server.start()
    return server


@pytest.fixture
def server(echo_handler):
    srv = _start(echo_handler)
    yield srv
    echo_handler.gate.set()  # never leave a handler parked
    srv.stop(grace=1.0)


@pytest.fixture
def small_server(echo_handler):
    """A server that refuses messages larger than 10,000 bytes of arguments."""
    srv = _start(echo_handler, max_message_size=10_000)
    yield srv
    echo_handler.gate.set()
    srv.stop(grace=1.0)


@pytest.fixture
def client(server):
    host, port = server.address
    c = TChannelClient(host, port, caller="transport-tests")
    yield c
    c.close()


@pytest.fixture(autouse=True)
def _guard():
    """No transport test may hang: fail after 20 s whatever it is waiting for."""
    with gevent.Timeout(20):
        yield
