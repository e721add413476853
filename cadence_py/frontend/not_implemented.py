"""What a declared-but-unbuilt method answers, in the one form its IDL lets it."""

from __future__ import annotations

from typing import NoReturn

from cadence_py.common import errors
from cadence_py.rpc.dispatch import MethodSpec
from cadence_py.transport.errors import ErrorCode, TChannelError


def refuse(spec: MethodSpec, message: str) -> NoReturn:
    """BadRequestError naming the method where declared, else InternalServiceError where
    declared, else a BAD_REQUEST error frame: an undeclared exception would reach the
    clients as an UNEXPECTED error frame (DiagnoseWorkflowExecution declares neither)."""
    declared = {cls.__name__ for cls, _ in spec.exceptions}
    if "BadRequestError" in declared:
        raise errors.bad_request(message)
    if "InternalServiceError" in declared:
        raise errors.internal_error(message)
    raise TChannelError(ErrorCode.BAD_REQUEST, message)
