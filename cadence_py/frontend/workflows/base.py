"""What the workflow API mixins share: the roles they call and request checks."""

from __future__ import annotations

import uuid
from typing import Any

from cadence_py.common import errors
from cadence_py.common.domain_cache import DomainCache
from cadence_py.frontend.config import FrontendConfig
from cadence_py.history.engine import HistoryEngine
from cadence_py.history.tokens import TaskToken, decode_token
from cadence_py.matching import MatchingEngine
from cadence_py.persistence.domains import DomainRecord

MAX_ID_LENGTH = 1000  # limit.maxIDLength


class WorkflowAPIBase:
    history: HistoryEngine
    matching: MatchingEngine
    domain_cache: DomainCache
    config: FrontendConfig

    def _domain(self, name: str | None) -> DomainRecord:
        return self.domain_cache.by_name(name)

    @staticmethod
    def _require(value: Any, message: str) -> None:
        if not value:
            raise errors.bad_request(message)

    @staticmethod
    def _length(value: str | None, what: str) -> None:
        if value and len(value) > MAX_ID_LENGTH:
            raise errors.bad_request(f"{what} length exceeds limit.")

    def _blob(self, value: bytes | None, what: str = "Blob") -> None:
        if value and len(value) > self.config.blob_size_limit_error:
            raise errors.bad_request(f"{what} data size exceeds limit.")

    @staticmethod
    def _execution(execution: Any) -> tuple[str, str | None]:
        if execution is None:
            raise errors.bad_request("Execution is not set on request.")
        if not execution.workflowId:
            raise errors.bad_request("WorkflowId is not set on request.")
        run_id = execution.runId or None
        if run_id is not None:
            try:
                uuid.UUID(run_id)
            except ValueError:
                raise errors.bad_request("Invalid RunId.") from None
        return execution.workflowId, run_id

    @staticmethod
    def _token(data: bytes | None) -> TaskToken:
        return decode_token(data)
