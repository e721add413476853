"""Thrift over TChannel: loading our IDL, encoding bare structs, dispatching methods.

Handlers registered here receive decoded request structs and a RequestContext; they
never see frames or bytes.
"""

from cadence_py.rpc.context import RequestContext
from cadence_py.rpc.dispatch import ThriftDispatcher
from cadence_py.rpc.client import ThriftClient

__all__ = ["RequestContext", "ThriftClient", "ThriftDispatcher"]
