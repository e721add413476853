"""The search attributes GetSearchAttributes reports (upstream's defaults at v1.4.1)."""

from __future__ import annotations

STRING, KEYWORD, INT, DOUBLE, BOOL, DATETIME = range(6)  # IndexedValueType (Thrift)

SYSTEM_KEYS: dict[str, int] = {
    "DomainID": KEYWORD, "WorkflowID": KEYWORD, "RunID": KEYWORD, "WorkflowType": KEYWORD,
    "StartTime": INT, "ExecutionTime": INT, "CloseTime": INT, "CloseStatus": INT,
    "HistoryLength": INT, "TaskList": KEYWORD, "IsCron": BOOL, "NumClusters": INT,
    "UpdateTime": INT, "CronSchedule": KEYWORD, "ExecutionStatus": INT,
    "ScheduledExecutionTime": INT, "ClusterAttributeScope": KEYWORD,
    "ClusterAttributeName": KEYWORD,
}

PREDEFINED_KEYS: dict[str, int] = {
    "CustomStringField": STRING, "CustomKeywordField": KEYWORD, "CustomIntField": INT,
    "CustomBoolField": BOOL, "CustomDoubleField": DOUBLE, "CustomDatetimeField": DATETIME,
    "CadenceChangeVersion": KEYWORD, "BinaryChecksums": KEYWORD, "CustomDomain": STRING,
    "Operator": STRING, "CadenceScheduleID": KEYWORD, "CadenceScheduleTime": DATETIME,
    "CadenceScheduleIsBackfill": BOOL, "CadenceScheduleState": KEYWORD,
    "CadenceScheduleCron": KEYWORD, "CadenceScheduleWorkflowType": KEYWORD,
    "CadenceScheduleBackfillID": KEYWORD,
}


def default_search_attributes() -> dict[str, int]:
    return {**PREDEFINED_KEYS, **SYSTEM_KEYS}
