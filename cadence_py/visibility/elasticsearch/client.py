"""The Elasticsearch side of advanced visibility: index set-up, search, count, bulk.

One thin wrapper over the ``elasticsearch`` 7.13 client (7.14+ refuse Elasticsearch 7.10
OSS and OpenSearch), so the rest of the server never sees its API. Under gevent the
client's urllib3 sockets are cooperative.
"""

from __future__ import annotations

import logging
from typing import Any

from elasticsearch import Elasticsearch, NotFoundError, RequestError, TransportError

from cadence_py.common import errors

from cadence_py.persistence.visibility import VisibilityRecord
from cadence_py.visibility.backends import decode_token, encode_token
from cadence_py.visibility.document import record_of
from cadence_py.visibility.elasticsearch.template import (
    TEMPLATE_NAME,
    attr_properties,
    index_template,
)
from cadence_py.visibility.query import ast
from cadence_py.visibility.query.to_es import search_body, sort_clause

log = logging.getLogger(__name__)


class EsVisibility:
    """Implements ``QueryBackend`` on one index, and the indexer's bulk writes."""

    name = "es"

    def __init__(self, url: str, index: str, username: str = "", password: str = "",
                 timeout: float = 10.0) -> None:
        auth = (username, password) if username else None
        self.index = index
        self.es = Elasticsearch([url], http_auth=auth, timeout=timeout, max_retries=0)

    # ------------------------------------------------------------------ set-up
    def ensure_index(self, custom_keys: dict[str, int]) -> None:
        """Install the template and create the index (both idempotent); map every
        custom key, including keys added while the index already existed."""
        self.es.indices.put_template(name=TEMPLATE_NAME, body=index_template(custom_keys))
        if not self.es.indices.exists(index=self.index):
            try:
                self.es.indices.create(index=self.index, wait_for_active_shards="all")
            except RequestError as exc:
                if exc.error != "resource_already_exists_exception":
                    raise
        # A new index answers searches with 503 until its shards have started.
        health = self.es.cluster.health(index=self.index, wait_for_status="yellow",
                                        timeout="30s")
        if health.get("timed_out"):
            raise RuntimeError(f"index {self.index} not ready: {health.get('status')}")
        self.add_attributes(custom_keys)

    def add_attributes(self, keys: dict[str, int]) -> None:
        """Map new custom search attributes (a mapped field's type never changes)."""
        properties = attr_properties(keys)
        if properties:
            self.es.indices.put_mapping(index=self.index, body={
                "properties": {"Attr": {"properties": properties}}})
            self.es.indices.put_template(name=TEMPLATE_NAME, body=index_template(
                {**self._mapped_attributes(), **keys}))

    def _mapped_attributes(self) -> dict[str, int]:
        from cadence_py.visibility import attributes as sa
        reverse = {"text": sa.STRING, "keyword": sa.KEYWORD, "long": sa.INT,
                   "double": sa.DOUBLE, "boolean": sa.BOOL, "date": sa.DATETIME}
        mapping = self.es.indices.get_mapping(index=self.index)
        props = next(iter(mapping.values()))["mappings"]["properties"]
        attrs = props.get("Attr", {}).get("properties", {})
        return {k: reverse[v["type"]] for k, v in attrs.items() if v.get("type") in reverse}

    # ------------------------------------------------------------------ queries
    def list(self, domain_id: str, query: ast.Query, valid: dict[str, int],
             page_size: int, token: bytes | None) -> tuple[list[VisibilityRecord],
                                                           bytes | None]:
        body: dict[str, Any] = {"query": search_body(domain_id, query, valid),
                                "sort": sort_clause(query.order_by), "size": page_size + 1,
                                "track_total_hits": False}
        if token:
            body["search_after"] = decode_token(token)
        try:
            hits = self.es.search(index=self.index, body=body)["hits"]["hits"]
        except NotFoundError:
            return [], None  # no index yet: nothing was ever indexed
        except RequestError as exc:
            if token:  # a token from another query's order: Elasticsearch refuses it
                raise ValueError("page token does not fit the query") from exc
            raise errors.internal_error(f"ListWorkflowExecutions failed, {exc}") from None
        except TransportError as exc:  # unreachable, timed out, 5xx
            raise errors.internal_error(f"ListWorkflowExecutions failed, {exc}") from None
        page = hits[:page_size]
        next_token = encode_token(page[-1]["sort"]) if len(hits) > page_size else None
        return [record_of(h["_source"]) for h in page], next_token

    def count(self, domain_id: str, query: ast.Query, valid: dict[str, int]) -> int:
        try:
            return int(self.es.count(index=self.index, body={
                "query": search_body(domain_id, query, valid)})["count"])
        except NotFoundError:
            return 0
        except TransportError as exc:
            raise errors.internal_error(f"CountWorkflowExecutions failed. Error: {exc}") \
                from None

    # ------------------------------------------------------------------ writes
    def bulk(self, actions: list[dict[str, Any]]) -> list[int]:
        """Send index/delete actions; the HTTP status of each, in order.

        Each action is ``{"op": "index"|"delete", "id", "version", "doc"?}``; the version
        is external, so an older write never replaces a newer one (409 is then success).
        """
        body: list[dict[str, Any]] = []
        for action in actions:
            meta = {"_index": self.index, "_id": action["id"],
                    "version": action["version"], "version_type": "external"}
            if action["op"] == "delete":
                body.append({"delete": meta})
            else:
                body.append({"index": meta})
                body.append(action["doc"])
        result = self.es.bulk(body=body)
        return [next(iter(item.values()))["status"] for item in result["items"]]
