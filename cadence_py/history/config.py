"""History role settings (upstream dynamic-config defaults where they exist)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class HistoryConfig:
    long_poll_seconds: float = 20.0  # history.longPollExpirationInterval
    default_history_page_size: int = 1000
    max_activity_timeout_seconds: int = 0  # 0: only capped by the workflow timeout
    default_workflow_timeout_seconds: int = 0
    history_count_limit_error: int = 200 * 1024  # limit.historyCount.error
    history_size_limit_error: int = 200 * 1024 * 1024  # limit.historySize.error
    max_decision_attempts_before_fail: int = 0  # 0 = retry forever
    cluster_name: str = "cluster0"
    activity_local_dispatch: bool = True  # history.enableActivityLocalDispatchByDomain
