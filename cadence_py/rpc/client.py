"""Calls Thrift methods over a TChannelClient and returns structs or raises exceptions."""

from __future__ import annotations

from typing import Any

from cadence_py.rpc.codec import decode, encode
from cadence_py.rpc.dispatch import MethodSpec, method_specs
from cadence_py.transport.client import TChannelClient
from cadence_py.transport.codec import encode_headers16


class ThriftClient:
    """``client.call("DescribeDomain", request)`` → response struct, or raises the
    declared exception the server sent (TChannelError for error frames)."""

    def __init__(self, channel: TChannelClient, thrift_service: Any, service_name: str,
                 tchannel_service: str = "cadence-frontend",
                 headers: dict[str, str] | None = None) -> None:
        self.channel = channel
        self.service_name = service_name
        self.tchannel_service = tchannel_service
        self.headers = dict(headers or {})
        self._specs: dict[str, MethodSpec] = method_specs(thrift_service)

    def call(self, method: str, *args: Any, ttl_ms: int = 5000,
             headers: dict[str, str] | None = None) -> Any:
        spec = self._specs[method]
        call_args = spec.args_cls(*args)
        app_headers = dict(self.headers)
        app_headers.update(headers or {})
        response = self.channel.call(self.tchannel_service, f"{self.service_name}::{method}",
                                     encode_headers16(app_headers), encode(call_args),
                                     ttl_ms=ttl_ms)
        result = decode(spec.result_cls(), response.arg3)
        for _, field_name in spec.exceptions:
            exc = getattr(result, field_name, None)
            if exc is not None:
                raise exc
        if spec.void:
            return None
        return result.success
