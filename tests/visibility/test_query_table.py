"""The query table against both query back ends, through the real RPC path.

1,000 workflows in 3 domains (started and terminated through the frontend, recorded by
the transfer queue): every query of ``table.cases`` must return exactly the expected
workflow ids in each domain, with List (whole and paged) and Count agreeing, on the
main store (SQLite, in-memory evaluation) and on a real Elasticsearch node.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cadence_py.rpc import ThriftClient, idl
from cadence_py.server.app import CadenceServer
from cadence_py.server.config import ElasticsearchConfig, ServerConfig
from cadence_py.transport import TChannelClient
from tests.visibility import table

DOMAINS = {"vq-alpha": 400, "vq-beta": 300, "vq-gamma": 300}
HEADERS = {"cadence-client-name": "cli", "cadence-client-feature-version": "1.7.0"}


@pytest.fixture(scope="module", params=["db", "es"])
def populated(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
              ) -> Iterator[tuple[Any, Any, list[table.Spec]]]:
    config = ServerConfig(port=0, data_dir=Path(tmp_path_factory.mktemp("vq")))
    if request.param == "es":
        node = request.getfixturevalue("elasticsearch_node")
        config.elasticsearch = ElasticsearchConfig(
            url=node.url, index=f"cadence-visibility-{uuid.uuid4().hex[:8]}")
    server = CadenceServer(config)
    server.start()
    channel = TChannelClient("127.0.0.1", server.address[1], caller="cadence-client")
    frontend = ThriftClient(channel, idl.workflow_service().WorkflowService,
                            "WorkflowService", headers=HEADERS)
    shared = idl.shared()
    try:
        for domain in DOMAINS:
            frontend.call("RegisterDomain", shared.RegisterDomainRequest(
                name=domain, workflowExecutionRetentionPeriodInDays=1))
        specs = table.populate(frontend, shared, DOMAINS)
        table.wait_indexed(frontend, shared, specs, timeout=120)
        yield frontend, shared, specs
    finally:
        channel.close()
        server.stop(grace=1)


def test_every_query_returns_exactly_the_expected_ids(populated) -> None:  # type: ignore[no-untyped-def]
    frontend, shared, specs = populated
    sample = next(s for s in specs if s.domain == "vq-beta" and s.index == 42)
    failures = []
    checked = 0
    for case in table.cases(sample):
        for domain in DOMAINS:
            want = table.expected_ids(specs, domain, case)
            got = table.list_all(frontend, shared, domain, case.query)
            if case.order is None:
                got, want = sorted(got), sorted(want)
            if got != want:
                failures.append(f"{domain} {case.query!r}: {len(got)} ids, expected "
                                f"{len(want)} (first difference: "
                                f"{sorted(set(got) ^ set(want))[:3]})")
            counted = table.count(frontend, shared, domain, case.query)
            if counted != len(want):
                failures.append(f"{domain} {case.query!r}: count {counted}, expected "
                                f"{len(want)}")
            checked += 1
    assert not failures, "\n".join(failures)
    assert checked >= 30 * len(DOMAINS)


def test_paging_walks_the_same_rows(populated) -> None:  # type: ignore[no-untyped-def]
    frontend, shared, specs = populated
    for query in ("", "CustomIntField < 90 ORDER BY CustomIntField DESC",
                  "CloseTime = missing"):
        whole = table.list_all(frontend, shared, "vq-alpha", query)
        paged = table.list_all(frontend, shared, "vq-alpha", query, page_size=7)
        assert paged == whole and len(set(paged)) == len(paged)


def test_domains_never_see_each_other(populated) -> None:  # type: ignore[no-untyped-def]
    frontend, shared, specs = populated
    for domain in DOMAINS:
        ids = table.list_all(frontend, shared, domain, "")
        assert ids and all(i.startswith(f"{domain}-wf-") for i in ids)
        assert len(ids) == DOMAINS[domain]


def test_malformed_queries_are_bad_requests(populated) -> None:  # type: ignore[no-untyped-def]
    frontend, shared, _ = populated
    for query, message in [("WorkflowType = ", "Invalid query: expected a value"),
                           ("Nope = 1", 'invalid search attribute "Nope"'),
                           ("StartTime > 'soon'", "is not a valid time for StartTime")]:
        for method, request in [
                ("ListWorkflowExecutions", shared.ListWorkflowExecutionsRequest),
                ("ScanWorkflowExecutions", shared.ListWorkflowExecutionsRequest),
                ("CountWorkflowExecutions", shared.CountWorkflowExecutionsRequest)]:
            with pytest.raises(shared.BadRequestError) as err:
                frontend.call(method, request(domain="vq-alpha", query=query))
            assert message in err.value.message


def test_a_token_from_another_order_is_a_bad_request(populated) -> None:  # type: ignore[no-untyped-def]
    frontend, shared, _ = populated
    first = frontend.call("ListWorkflowExecutions", shared.ListWorkflowExecutionsRequest(
        domain="vq-alpha", query="ORDER BY WorkflowType", pageSize=5))
    assert first.nextPageToken
    with pytest.raises(shared.BadRequestError) as err:
        frontend.call("ListWorkflowExecutions", shared.ListWorkflowExecutionsRequest(
            domain="vq-alpha", query="", pageSize=5, nextPageToken=first.nextPageToken))
    assert err.value.message == "Invalid NextPageToken."
