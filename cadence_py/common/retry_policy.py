"""RetryPolicy validation, shared by the frontend (start, signal-with-start) and the
history role's decision checks (ScheduleActivityTask, StartChildWorkflowExecution).

The rules and messages are upstream's (common.ValidateRetryPolicy). One deviation: a
backoff coefficient that is NaN or infinite is refused too (Go's ``< 1`` lets them
through): no retry interval can be computed from it.
"""

from __future__ import annotations

import math
from typing import Any


def retry_policy_problem(policy: Any) -> str | None:
    """The BadRequestError message for an invalid policy; None when it is valid (an
    unset policy is valid: no retries)."""
    if policy is None:
        return None
    initial = policy.initialIntervalInSeconds or 0
    maximum = policy.maximumIntervalInSeconds or 0
    attempts = policy.maximumAttempts or 0
    expiration = policy.expirationIntervalInSeconds or 0
    if initial <= 0:
        return "InitialIntervalInSeconds must be greater than 0 on retry policy."
    coefficient = policy.backoffCoefficient or 0.0
    if not math.isfinite(coefficient):
        return "BackoffCoefficient must be a finite number on retry policy."
    if coefficient < 1:
        return "BackoffCoefficient cannot be less than 1 on retry policy."
    if maximum < 0:
        return "MaximumIntervalInSeconds cannot be less than 0 on retry policy."
    if 0 < maximum < initial:
        return ("MaximumIntervalInSeconds cannot be less than InitialIntervalInSeconds on "
                "retry policy.")
    if attempts < 0:
        return "MaximumAttempts cannot be less than 0 on retry policy."
    if expiration < 0:
        return "ExpirationIntervalInSeconds cannot be less than 0 on retry policy."
    if attempts == 0 and expiration == 0:
        return ("MaximumAttempts and ExpirationIntervalInSeconds are both 0. At least one of "
                "them must be specified.")
    return None
