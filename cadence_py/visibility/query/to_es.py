"""Translates a checked query into an Elasticsearch 7 query body.

Custom attributes live under ``Attr.``; the domain is always a filter, so no domain sees
another's workflows. The shapes follow what upstream's SQL-to-DSL step produces (bool
must/should/must_not, range, terms, exists), with two deliberate choices: equality on
non-text fields is a ``term`` query (exact, like upstream's match_phrase on keyword and
numeric fields), and Datetime values go to Elasticsearch as epoch milliseconds.
"""

from __future__ import annotations

from typing import Any

from cadence_py.visibility import attributes as sa
from cadence_py.visibility.query import ast

_RANGE_OPS = {">": "gt", ">=": "gte", "<": "lt", "<=": "lte"}


def es_field(name: str) -> str:
    return name if sa.is_system_key(name) else f"Attr.{name}"


def _value(kind: int, value: Any) -> Any:
    return value // 1_000_000 if kind == sa.DATETIME else value


def _equals(field: str, kind: int, value: Any) -> dict[str, Any]:
    if kind == sa.STRING:
        return {"match_phrase": {field: {"query": value}}}
    return {"term": {field: _value(kind, value)}}


def _not(query: dict[str, Any]) -> dict[str, Any]:
    return {"bool": {"must_not": [query]}}


def translate(expr: ast.Expr, valid: dict[str, int]) -> dict[str, Any]:
    if isinstance(expr, ast.And):
        return {"bool": {"must": [translate(expr.left, valid), translate(expr.right, valid)]}}
    if isinstance(expr, ast.Or):
        return {"bool": {"should": [translate(expr.left, valid),
                                    translate(expr.right, valid)],
                         "minimum_should_match": 1}}
    kind, field = valid[expr.field], es_field(expr.field)
    if isinstance(expr, ast.Missing):
        exists = {"exists": {"field": field}}
        return exists if expr.negated else _not(exists)
    if isinstance(expr, ast.In):
        if kind == sa.STRING:
            query = {"bool": {"should": [_equals(field, kind, v) for v in expr.values],
                              "minimum_should_match": 1}}
        else:
            query = {"terms": {field: [_value(kind, v) for v in expr.values]}}
        return _not(query) if expr.negated else query
    if isinstance(expr, ast.Between):
        query = {"range": {field: {"gte": _value(kind, expr.low),
                                   "lte": _value(kind, expr.high)}}}
        query = _with_execution_time(expr.field, query)
        return _not(query) if expr.negated else query
    assert isinstance(expr, ast.Compare)
    if expr.op == "=":
        return _equals(field, kind, expr.value)
    if expr.op == "!=":
        return _not(_equals(field, kind, expr.value))
    query = {"range": {field: {_RANGE_OPS[expr.op]: _value(kind, expr.value)}}}
    return _with_execution_time(expr.field, query)


def _with_execution_time(name: str, query: dict[str, Any]) -> dict[str, Any]:
    # A range on ExecutionTime only counts runs that have one (upstream adds the same).
    if name != "ExecutionTime":
        return query
    return {"bool": {"must": [query, {"range": {"ExecutionTime": {"gt": 0}}}]}}


def search_body(domain_id: str, query: ast.Query, valid: dict[str, int]) -> dict[str, Any]:
    """The ``query`` part of a search or count request for one domain."""
    filters: list[dict[str, Any]] = [{"term": {"DomainID": domain_id}}]
    if query.where is not None:
        filters.append(translate(query.where, valid))
    return {"bool": {"filter": filters}}


def sort_clause(order: ast.OrderBy | None) -> list[dict[str, Any]]:
    """Sort by the ORDER BY field (default StartTime desc), then RunID desc."""
    if order is None:
        return [{"StartTime": {"order": "desc"}}, {"RunID": {"order": "desc"}}]
    return [{es_field(order.field): {"order": "desc" if order.descending else "asc",
                                     "missing": "_last"}},
            {"RunID": {"order": "desc"}}]
