"""What a handler knows about the call it serves, besides the request struct."""

from __future__ import annotations

import time
from dataclasses import dataclass, field


@dataclass
class RequestContext:
    """Per-call facts: method, application headers (arg2), caller, deadline."""

    service: str
    method: str
    headers: dict[str, str] = field(default_factory=dict)
    caller: str = ""
    deadline: float = float("inf")  # time.monotonic() value

    def remaining(self) -> float:
        """Seconds until the caller gives up waiting."""
        return self.deadline - time.monotonic()

    @property
    def client_name(self) -> str:
        return self.headers.get("cadence-client-name", "")

    @property
    def client_feature_version(self) -> str:
        return self.headers.get("cadence-client-feature-version", "")
