"""Task tokens: what a worker hands back to say which task it finished.

Clients treat tokens as opaque bytes. Ours are compact JSON carrying the fields Cadence's
TaskToken has (domain, workflow, run, schedule id and attempt, activity id), so a token
from a previous attempt or another run is recognised as stale.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

from cadence_py.common import errors


@dataclass(frozen=True)
class TaskToken:
    domain_id: str
    workflow_id: str
    run_id: str
    schedule_id: int
    schedule_attempt: int = 0
    activity_id: str = ""
    workflow_type: str = ""

    def encode(self) -> bytes:
        return json.dumps(asdict(self), separators=(",", ":")).encode()


def decode_token(data: bytes | None) -> TaskToken:
    """Parse a token; BadRequestError "Invalid TaskToken." for anything malformed."""
    if not data:
        raise errors.bad_request("Task token not set on request.")
    try:
        fields = json.loads(data)
        token = TaskToken(**fields)
        if not (isinstance(token.domain_id, str) and isinstance(token.schedule_id, int)):
            raise TypeError
        return token
    except (ValueError, TypeError):
        raise errors.bad_request("Invalid TaskToken.") from None
