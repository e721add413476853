"""The real Cadence CLI (v1.4.1) lists, counts and searches workflows on cadence-py with
Elasticsearch advanced visibility (SQLite main store, the harness's Elasticsearch node).

One server per module (``es_server``). The ``populated`` domain holds five workflows:
two ``VisX`` and one ``VisY`` completed, one ``VisX`` terminated, one ``VisX`` open.
Visibility is written asynchronously (transfer queue, outbox, indexer, the index's 1 s
refresh), so every check that depends on it polls with a deadline.

The expected output is upstream's: the CLI's own table layout and messages
(tools/cli in github.com/uber/cadence v1.4.1), the server's answers as the Go server gives
them; malformed queries say what is wrong where upstream says only "Invalid query.".
"""

from __future__ import annotations

import json
import re
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import gevent
import pytest

from cadence_py.rpc import ThriftClient, idl
from cadence_py.transport import TChannelClient
from tests.e2e.conftest import CliResult
from tests.e2e.test_cli_workflows import complete_next_decision
from tests.harness.elasticsearch import ElasticsearchNode
from tests.harness.server import ServerProcess

Cli = Callable[..., CliResult]
DOMAIN = "vis-cli"
TASK_LIST = "cli-tl"  # the task list complete_next_decision polls
COMPLETED_X = ("vis-done-1", "vis-done-2")
COMPLETED_Y = "vis-other"
TERMINATED = "vis-term"
OPEN = "vis-open"
ALL = (*COMPLETED_X, COMPLETED_Y, TERMINATED, OPEN)

# Upstream's default search attributes and their types as `cluster get-search-attr`
# prints them (common/definition/indexedKeys.go, IndexedValueType.String()).
UPSTREAM_DEFAULT_KEYS = {
    "BinaryChecksums": "KEYWORD", "CadenceChangeVersion": "KEYWORD",
    "CadenceScheduleBackfillID": "KEYWORD", "CadenceScheduleCron": "KEYWORD",
    "CadenceScheduleID": "KEYWORD", "CadenceScheduleIsBackfill": "BOOL",
    "CadenceScheduleState": "KEYWORD", "CadenceScheduleTime": "DATETIME",
    "CadenceScheduleWorkflowType": "KEYWORD", "CloseStatus": "INT", "CloseTime": "INT",
    "ClusterAttributeName": "KEYWORD", "ClusterAttributeScope": "KEYWORD",
    "CronSchedule": "KEYWORD", "CustomBoolField": "BOOL", "CustomDatetimeField": "DATETIME",
    "CustomDomain": "STRING", "CustomDoubleField": "DOUBLE", "CustomIntField": "INT",
    "CustomKeywordField": "KEYWORD", "CustomStringField": "STRING", "DomainID": "KEYWORD",
    "ExecutionStatus": "INT", "ExecutionTime": "INT", "HistoryLength": "INT",
    "IsCron": "BOOL", "NumClusters": "INT", "Operator": "STRING", "RunID": "KEYWORD",
    "ScheduledExecutionTime": "INT", "StartTime": "INT", "TaskList": "KEYWORD",
    "UpdateTime": "INT", "WorkflowID": "KEYWORD", "WorkflowType": "KEYWORD",
}
ADD_SUCCESS = ("Success. Note that for a multi-node Cadence cluster, DynamicConfig MUST be "
               "updated separately to whitelist the new attributes.")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def plain(output: str) -> str:
    """The CLI colours table headers even when not on a terminal."""
    return _ANSI.sub("", output)


def table(output: str) -> list[dict[str, str]]:
    """Rows of the CLI's workflow table (header cells upper-cased, no borders), keyed by
    header. Lines that are not part of the table (``Fetching N workflows...``) are skipped;
    a cell that wraps onto a continuation line is ignored (only the first line counts)."""
    lines = [line for line in plain(output).splitlines() if "|" in line]
    if not lines:
        return []
    header = [cell.strip() for cell in lines[0].split("|")]
    rows = []
    for line in lines[1:]:
        cells = [cell.strip() for cell in line.split("|")]
        if len(cells) == len(header) and cells[header.index("WORKFLOW ID")]:
            rows.append(dict(zip(header, cells)))
    return rows


def bordered_table(output: str) -> list[list[str]]:
    """Rows of a bordered table (``cluster get-search-attr``), header first."""
    return [[cell.strip() for cell in line.strip().strip("|").split("|")]
            for line in plain(output).splitlines() if line.startswith("|")]


def ids(output: str) -> list[str]:
    return [row["WORKFLOW ID"] for row in table(output)]


def eventually(check: Callable[[], Any], what: str, timeout: float = 30) -> Any:
    """Call ``check`` until it returns something truthy; fail after ``timeout`` seconds
    with its last value."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        gevent.sleep(0.25)
    pytest.fail(f"{what}: not within {timeout}s; last result: {last!r}")


def run_until(cli: Cli, *args: str, until: Callable[[CliResult], bool], what: str
              ) -> CliResult:
    """Run the CLI until its result satisfies ``until`` (see ``eventually``)."""
    def attempt() -> CliResult | None:
        result = cli(*args)
        return result if until(result) else None
    return eventually(attempt, what)


def start(cli: Cli, wid: str, workflow_type: str, *extra: str, domain: str = DOMAIN) -> str:
    started = cli("--do", domain, "wf", "start", "--tl", TASK_LIST, "--wt", workflow_type,
                  "--et", "600", "--wid", wid, *extra)
    assert started.code == 0, started.output
    match = re.search(r"Started Workflow Id: (\S+), run Id: (\S+)", started.output)
    assert match and match.group(1) == wid, started.output
    return match.group(2)


def count(cli: Cli, query: str = "", domain: str = DOMAIN) -> int:
    done = cli("--do", domain, "wf", "count", *(["-q", query] if query else []))
    assert done.code == 0, done.output
    return int(done.output.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def frontend(es_server: ServerProcess) -> Iterator[ThriftClient]:
    channel = TChannelClient("127.0.0.1", es_server.port, caller="test-worker")
    yield ThriftClient(channel, idl.workflow_service().WorkflowService, "WorkflowService")
    channel.close()


@pytest.fixture(scope="module")
def populated(es_cli: Cli, frontend: ThriftClient) -> dict[str, str]:
    """Workflow id -> run id of the module's five workflows, once Elasticsearch has them
    all in their final state."""
    assert es_cli("--do", DOMAIN, "d", "re").code == 0
    runs = {}
    # One at a time, so the one decision task waiting is the workflow just started.
    for wid, workflow_type in [(COMPLETED_X[0], "VisX"), (COMPLETED_X[1], "VisX"),
                               (COMPLETED_Y, "VisY")]:
        runs[wid] = start(es_cli, wid, workflow_type)
        complete_next_decision(frontend, DOMAIN, b'"done"')
    runs[TERMINATED] = start(es_cli, TERMINATED, "VisX")
    assert es_cli("--do", DOMAIN, "wf", "terminate", "--wid", TERMINATED,
                  "--reason", "e2e").code == 0
    runs[OPEN] = start(es_cli, OPEN, "VisX")
    eventually(lambda: (count(es_cli), count(es_cli, "CloseStatus = 0"),
                        count(es_cli, "CloseStatus = 3"),
                        count(es_cli, "CloseTime = missing")) == (5, 3, 1, 1),
               "Elasticsearch to hold the five workflows in their final state")
    return runs


def test_list_closed_then_open(es_cli: Cli, populated: dict[str, str]) -> None:
    # `workflow list` without a query lists closed runs (ListClosedWorkflowExecutions);
    # it first counts all runs (CountWorkflowExecutions, empty query) for its stderr line.
    closed = run_until(es_cli, "--do", DOMAIN, "wf", "list",
                       until=lambda r: len(ids(r.output)) == 4,
                       what="4 closed workflows in `workflow list`")
    assert closed.code == 0, closed.output
    assert "Fetching 5 workflows..." in closed.output
    rows = {row["WORKFLOW ID"]: row for row in table(closed.output)}
    assert set(rows) == {*COMPLETED_X, COMPLETED_Y, TERMINATED}
    header = list(table(closed.output)[0])
    assert header == ["WORKFLOW TYPE", "WORKFLOW ID", "RUN ID", "TASK LIST", "IS CRON",
                      "START TIME", "EXECUTION TIME", "END TIME", "CLOSE STATUS",
                      "HISTORY LENGTH", "UPDATE TIME", "EXECUTION STATUS"]
    assert rows[TERMINATED]["CLOSE STATUS"] == "TERMINATED"
    assert rows[TERMINATED]["EXECUTION STATUS"] == "TERMINATED"
    assert rows[TERMINATED]["HISTORY LENGTH"] == "3"  # started, decision scheduled, terminated
    for wid in COMPLETED_X:
        row = rows[wid]
        assert (row["WORKFLOW TYPE"], row["CLOSE STATUS"], row["EXECUTION STATUS"],
                row["TASK LIST"], row["RUN ID"]) == ("VisX", "COMPLETED", "COMPLETED",
                                                     TASK_LIST, populated[wid])
        assert row["HISTORY LENGTH"] == "5"  # started, decision x3, completed
    # Newest first.
    assert ids(closed.output) == [TERMINATED, COMPLETED_Y, COMPLETED_X[1], COMPLETED_X[0]]

    opened = es_cli("--do", DOMAIN, "wf", "list", "--open")
    assert opened.code == 0, opened.output
    [row] = table(opened.output)
    assert "END TIME" not in row  # the CLI drops the column for open workflows
    assert (row["WORKFLOW ID"], row["RUN ID"], row["WORKFLOW TYPE"],
            row["EXECUTION STATUS"]) == (OPEN, populated[OPEN], "VisX", "STARTED")


def test_records_are_in_elasticsearch(elasticsearch_node: ElasticsearchNode, es_index: str,
                                      populated: dict[str, str]) -> None:
    """What the CLI lists comes from the module's index: one document per run, with
    Cadence's id ``workflowID~runID`` and fields."""
    url = f"{elasticsearch_node.url}/{es_index}/_doc/{TERMINATED}~{populated[TERMINATED]}"
    with urllib.request.urlopen(url, timeout=10) as response:
        doc = json.load(response)["_source"]
    assert (doc["WorkflowID"], doc["RunID"], doc["WorkflowType"], doc["CloseStatus"],
            doc["TaskList"]) == (TERMINATED, populated[TERMINATED], "VisX", 3, TASK_LIST)


def test_listall_and_scan(es_cli: Cli, populated: dict[str, str]) -> None:
    # Every page; like `list`, closed runs unless --open or a query says otherwise.
    closed = es_cli("--do", DOMAIN, "wf", "listall")
    assert closed.code == 0, closed.output
    assert ids(closed.output) == [TERMINATED, COMPLETED_Y, COMPLETED_X[1], COMPLETED_X[0]]
    opened = es_cli("--do", DOMAIN, "wf", "listall", "--open")
    assert opened.code == 0 and ids(opened.output) == [OPEN], opened.output
    queried = es_cli("--do", DOMAIN, "wf", "listall", "-q", "WorkflowType = 'VisX'")
    assert queried.code == 0, queried.output
    assert sorted(ids(queried.output)) == sorted([*COMPLETED_X, TERMINATED, OPEN])
    everything = es_cli("--do", DOMAIN, "wf", "listall", "-q", "")
    assert everything.code == 0, everything.output
    assert sorted(ids(everything.output)) == sorted(ALL)

    scanned = es_cli("--do", DOMAIN, "wf", "scan")
    assert scanned.code == 0, scanned.output
    assert sorted(ids(scanned.output)) == sorted(ALL)
    rows = {row["WORKFLOW ID"]: row for row in table(scanned.output)}
    assert {wid: row["RUN ID"] for wid, row in rows.items()} == populated
    paged = es_cli("--do", DOMAIN, "wf", "scan", "--ps", "2")  # three Scan calls
    assert paged.code == 0 and sorted(ids(paged.output)) == sorted(ALL), paged.output

    # A query for open runs makes the CLI drop the End Time column, as --open does.
    open_only = es_cli("--do", DOMAIN, "wf", "scan", "-q", "CloseTime = missing")
    assert open_only.code == 0, open_only.output
    [row] = table(open_only.output)
    assert row["WORKFLOW ID"] == OPEN and "END TIME" not in row


def test_count(es_cli: Cli, populated: dict[str, str]) -> None:
    done = es_cli("--do", DOMAIN, "wf", "count")
    assert done.code == 0 and done.output.strip() == "5", done.output
    assert count(es_cli, "WorkflowType = 'VisX'") == 4
    assert count(es_cli, "WorkflowType = 'VisX' AND CloseTime = missing") == 1
    assert count(es_cli, "CloseStatus = 0 OR CloseStatus = 3") == 4
    assert count(es_cli, f"WorkflowID IN ('{OPEN}', '{TERMINATED}', 'nope')") == 2
    assert count(es_cli, "WorkflowType = 'NoSuchType'") == 0


def test_list_by_type_and_close_status(es_cli: Cli, populated: dict[str, str]) -> None:
    done = es_cli("--do", DOMAIN, "wf", "list", "-q", "WorkflowType='VisX' AND CloseStatus=0")
    assert done.code == 0, done.output
    assert "Fetching 2 workflows..." in done.output
    assert ids(done.output) == [COMPLETED_X[1], COMPLETED_X[0]]  # newest first
    for row in table(done.output):
        assert (row["WORKFLOW TYPE"], row["CLOSE STATUS"]) == ("VisX", "COMPLETED")

    ordered = es_cli("--do", DOMAIN, "wf", "list", "-q",
                     "CloseTime != missing ORDER BY StartTime ASC")
    assert ordered.code == 0, ordered.output
    assert ids(ordered.output) == [*COMPLETED_X, COMPLETED_Y, TERMINATED]


def test_malformed_query_prints_the_bad_request(es_cli: Cli, populated: dict[str, str]
                                                ) -> None:
    listed = es_cli("--do", DOMAIN, "wf", "list", "-q", "WorkflowType = ")
    assert listed.code == 1
    lines = plain(listed.output).splitlines()
    assert "Error: Failed to list workflow." in lines
    assert "Error details:" in lines
    assert any(line.strip().startswith("Invalid query: expected a value") for line in lines)

    counted = es_cli("--do", DOMAIN, "wf", "count", "-q", "Nope = 1")
    assert counted.code == 1
    assert "Error: Failed to count workflow." in counted.output
    assert 'invalid search attribute "Nope"' in counted.output

    scanned = es_cli("--do", DOMAIN, "wf", "scan", "-q", "StartTime > 'soon'")
    assert scanned.code == 1
    assert "is not a valid time for StartTime" in scanned.output

    unbalanced = es_cli("--do", DOMAIN, "wf", "listall", "-q",
                        "(WorkflowType = 'VisX' AND CloseStatus = 0")
    assert unbalanced.code == 1 and "Invalid query" in unbalanced.output


def test_get_search_attributes(es_cli: Cli) -> None:
    done = es_cli("cluster", "get-search-attr")
    assert done.code == 0, done.output
    rows = bordered_table(done.output)
    assert rows[0] == ["KEY", "VALUE TYPE"]
    keys = dict(rows[1:])
    assert [k for k, _ in rows[1:]] == sorted(keys)  # the CLI sorts by key
    # Every upstream default with upstream's type; anything more was added by an operator.
    assert {k: keys.get(k) for k in UPSTREAM_DEFAULT_KEYS} == UPSTREAM_DEFAULT_KEYS


def test_add_search_attribute(es_cli: Cli, es_server: ServerProcess) -> None:
    prompt = "Are you trying to add key [CustomKeywordField] with Type [Keyword]? y/N"
    # Already whitelisted with the same type: upstream re-does the mapping and succeeds.
    same = es_cli("admin", "cluster", "add-search-attr", "-search_attr_key",
                  "CustomKeywordField", "-search_attr_type", "1", stdin="y\n")
    assert same.code == 0, same.output
    assert prompt in plain(same.output) and ADD_SUCCESS in same.output

    other_type = es_cli("adm", "cl", "asa", "-search_attr_key", "CustomKeywordField",
                        "-search_attr_type", "2", stdin="y\n")
    assert other_type.code == 1
    assert "Error: Add search attribute failed." in other_type.output
    assert "Key [CustomKeywordField] is already whitelisted as a different type" in \
        other_type.output

    system = es_cli("adm", "cl", "asa", "-search_attr_key", "CloseStatus",
                    "-search_attr_type", "2", stdin="y\n")
    assert system.code == 1 and "Key [CloseStatus] is reserved by system" in system.output

    # Not confirmed: the CLI exits 0 without calling the server.
    declined = es_cli("adm", "cl", "asa", "-search_attr_key", "DeclinedKey",
                      "-search_attr_type", "1", stdin="n\n")
    assert declined.code == 0 and ADD_SUCCESS not in declined.output

    added = es_cli("adm", "cl", "asa", "-search_attr_key", "ProjectKey",
                   "-search_attr_type", "1", stdin="y\n")
    assert added.code == 0, added.output
    assert "Are you trying to add key [ProjectKey] with Type [Keyword]? y/N" in \
        plain(added.output)
    assert ADD_SUCCESS in added.output
    keys = dict(bordered_table(es_cli("cluster", "get-search-attr").output)[1:])
    assert keys["ProjectKey"] == "KEYWORD" and "DeclinedKey" not in keys
    assert keys["CustomKeywordField"] == "KEYWORD"

    # The new key works at once: as a start-time search attribute and in queries.
    domain = "vis-cli-sa"
    assert es_cli("--do", domain, "d", "re").code == 0
    project = f"apollo-{uuid.uuid4().hex[:6]}"
    run_id = start(es_cli, "vis-project", "VisX", "--search_attr_key",
                   "ProjectKey|CustomIntField", "--search_attr_value", f"{project}|7",
                   domain=domain)
    start(es_cli, "vis-other-project", "VisX", "--search_attr_key", "ProjectKey",
          "--search_attr_value", "gemini", domain=domain)
    query = f"ProjectKey = '{project}' AND CustomIntField > 3"
    found = run_until(es_cli, "--do", domain, "wf", "list", "-q", query, "--psa",
                      until=lambda r: bool(ids(r.output)), what=f"a workflow for {query!r}")
    [row] = table(found.output)
    assert (row["WORKFLOW ID"], row["RUN ID"]) == ("vis-project", run_id)
    # One "key:value" per line of the cell, the cell wrapping onto continuation lines.
    assert f"ProjectKey:{project}" in plain(found.output)
    assert "CustomIntField:7" in plain(found.output)
    assert count(es_cli, query, domain=domain) == 1
    assert count(es_cli, "ProjectKey != 'nobody'", domain=domain) == 2

    # A value of the wrong type for the key is refused when the workflow starts.
    wrong = es_cli("--do", domain, "wf", "start", "--tl", TASK_LIST, "--wt", "VisX",
                   "--et", "60", "--search_attr_key", "CustomIntField",
                   "--search_attr_value", "many")
    assert wrong.code == 1 and "Failed to create workflow." in wrong.output
