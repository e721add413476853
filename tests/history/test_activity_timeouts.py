"""ScheduleActivityTask timeouts are filled in as upstream's decision checker fills them."""

from __future__ import annotations

from typing import Any

import pytest

from cadence_py.history.decisions import (
    MAX_SCHEDULE_TO_START_FOR_RETRY,
    SCHEDULE_TO_START_REASON,
    activity_timeouts,
)
from cadence_py.rpc import idl


def attrs(to_close: int = 0, to_start: int = 0, start_to_close: int = 0, heartbeat: int = 0,
          **retry: Any) -> Any:
    shared = idl.shared()
    return shared.ScheduleActivityTaskDecisionAttributes(
        scheduleToCloseTimeoutSeconds=to_close, scheduleToStartTimeoutSeconds=to_start,
        startToCloseTimeoutSeconds=start_to_close, heartbeatTimeoutSeconds=heartbeat,
        retryPolicy=shared.RetryPolicy(**retry) if retry else None)


@pytest.mark.parametrize("given, workflow_timeout, expected", [
    # (schedule-to-close, schedule-to-start, start-to-close, heartbeat) in and out
    ((10, 0, 0, 0), 60, (10, 10, 10, 0)),  # the missing ones from schedule-to-close
    ((0, 5, 7, 0), 60, (12, 5, 7, 0)),  # schedule-to-close as the sum
    ((0, 50, 50, 0), 60, (60, 50, 50, 0)),  # ... capped at the workflow timeout
    ((10, 20, 30, 40), 60, (10, 20, 30, 40)),  # kept as given, none clamped to another
    ((100, 100, 100, 100), 60, (60, 60, 60, 60)),  # each capped at the workflow timeout
])
def test_deduced_and_capped(given: tuple[int, int, int, int], workflow_timeout: int,
                            expected: tuple[int, int, int, int]) -> None:
    assert activity_timeouts(attrs(*given), workflow_timeout) == expected


def test_a_retry_policy_stretches_schedule_timeouts_to_its_expiration() -> None:
    policy = dict(initialIntervalInSeconds=1, backoffCoefficient=2.0)
    assert activity_timeouts(attrs(10, 0, 0, expirationIntervalInSeconds=120, **policy),
                             3600) == (120, 120, 10, 0)
    # no expiration: the workflow timeout; schedule-to-start at most 30 minutes
    assert activity_timeouts(attrs(10, 0, 0, maximumAttempts=3, **policy), 7200) == \
        (7200, MAX_SCHEDULE_TO_START_FOR_RETRY, 10, 0)
    # a non-retriable schedule-to-start timeout is left alone
    assert activity_timeouts(attrs(10, 0, 0, expirationIntervalInSeconds=120,
                                   nonRetriableErrorReasons=[SCHEDULE_TO_START_REASON],
                                   **policy), 3600) == (120, 10, 10, 0)
    # never shortened
    assert activity_timeouts(attrs(300, 200, 0, expirationIntervalInSeconds=120, **policy),
                             3600) == (300, 200, 300, 0)
