"""Smoke test of the Elasticsearch harness with the client the server uses (elasticsearch 7.13.4).

Covers what visibility relies on: a mapping with Cadence's field types, external versioning
(an older version is refused with 409), and search after refresh.
"""

from __future__ import annotations

import uuid

import pytest
from elasticsearch import ConflictError, Elasticsearch

from tests.harness.elasticsearch import ElasticsearchNode

pytestmark = [
    pytest.mark.elasticsearch,
    # elasticsearch-py 7.13 calls HTTPResponse.getheaders(), deprecated since urllib3 1.26.17.
    pytest.mark.filterwarnings("ignore:HTTPResponse.getheaders:DeprecationWarning"),
]

MAPPING = {
    "properties": {
        "DomainID": {"type": "keyword"},
        "WorkflowID": {"type": "keyword"},
        "RunID": {"type": "keyword"},
        "WorkflowType": {"type": "keyword"},
        "StartTime": {"type": "long"},
        "CloseStatus": {"type": "integer"},
        "Memo": {"type": "binary"},
        "CustomDatetimeField": {"type": "date"},
    }
}


def test_node_serves_the_python_client(elasticsearch_node: ElasticsearchNode) -> None:
    es = Elasticsearch([elasticsearch_node.url], timeout=30)
    info = es.info()
    assert info["version"]["number"] == "7.10.2"
    assert info["version"]["build_flavor"] == "default"
    assert es.cluster.health(wait_for_status="yellow", timeout="30s")["status"] in ("green", "yellow")

    index = f"cadence-visibility-smoke-{uuid.uuid4().hex[:8]}"
    es.indices.create(index=index, body={
        "settings": {"number_of_shards": 1, "number_of_replicas": 0},
        "mappings": MAPPING,
    })
    try:
        doc = {"DomainID": "d1", "WorkflowID": "wf-1", "RunID": "r1", "WorkflowType": "Greeter",
               "StartTime": 1_700_000_000_000_000_000, "CloseStatus": 0,
               "CustomDatetimeField": "2024-01-02T03:04:05Z"}
        es.index(index=index, id="r1", body=doc, version=5, version_type="external")
        with pytest.raises(ConflictError) as conflict:
            es.index(index=index, id="r1", body={**doc, "CloseStatus": 1},
                     version=3, version_type="external")
        assert conflict.value.status_code == 409

        got = es.get(index=index, id="r1")
        assert got["_version"] == 5 and got["_source"]["CloseStatus"] == 0

        es.indices.refresh(index=index)
        hits = es.search(index=index, body={"query": {"bool": {"must": [
            {"match_phrase": {"WorkflowID": "wf-1"}},
            {"range": {"StartTime": {"gte": 1_600_000_000_000_000_000}}},
        ]}}})["hits"]
        assert hits["total"]["value"] == 1
        assert hits["hits"][0]["_id"] == "r1"
    finally:
        es.indices.delete(index=index, ignore_unavailable=True)
