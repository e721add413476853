"""TChannel protocol v2 over TCP, on gevent.

This package knows frames, connections and calls; it knows nothing about Thrift or
workflows. Public names are re-exported here; the modules are implementation detail.
"""

from cadence_py.transport.errors import ErrorCode, ProtocolError, TChannelError
from cadence_py.transport.messages import CallResponse, InboundCall, ResponseCode
from cadence_py.transport.server import TChannelServer
from cadence_py.transport.client import TChannelClient

__all__ = [
    "CallResponse",
    "ErrorCode",
    "InboundCall",
    "ProtocolError",
    "ResponseCode",
    "TChannelClient",
    "TChannelError",
    "TChannelServer",
]
