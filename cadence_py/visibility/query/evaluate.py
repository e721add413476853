"""Runs a checked query over documents in memory (the main-store fallback).

Without Elasticsearch, List/Scan/Count read every record of the domain from the main
store and filter here. The rules copy what the Elasticsearch translation asks of
Elasticsearch, so both back ends return the same workflows:

- a multi-valued attribute matches when any of its values does; ``!=`` and NOT IN match
  when none does (and when the field is missing, as a must_not query does);
- ranges never match a missing field;
- String (full-text) attributes match a phrase: the value's words, lowercased, appear in
  order among the attribute's words;
- sort: the ORDER BY field (default StartTime desc), then RunID desc; missing values last.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cmp_to_key
from typing import Any

from cadence_py.visibility import attributes as sa
from cadence_py.visibility.query import ast

Document = dict[str, Any]
_WORD = re.compile(r"\w+")
_MISSING = object()


def _values(doc: Document, field: str, kind: int) -> list[Any]:
    if sa.is_system_key(field):
        raw = doc.get(field, _MISSING)
    else:
        raw = (doc.get("Attr") or {}).get(field, _MISSING)
    if raw is _MISSING or raw is None:
        return []
    items = raw if isinstance(raw, list) else [raw]
    if kind == sa.DATETIME:
        out = []
        for item in items:
            try:
                out.append(sa.parse_time(item) if isinstance(item, str) else int(item))
            except ValueError:
                continue
        return out
    return items


def _phrase(haystack: Any, needle: Any) -> bool:
    words = _WORD.findall(str(haystack).lower())
    wanted = _WORD.findall(str(needle).lower())
    if not wanted:
        return False
    return any(words[i:i + len(wanted)] == wanted for i in range(len(words) - len(wanted) + 1))


_RANGE: dict[str, Callable[[Any, Any], bool]] = {
    ">": lambda a, b: a > b, ">=": lambda a, b: a >= b,
    "<": lambda a, b: a < b, "<=": lambda a, b: a <= b,
}


def _comparable(a: Any, b: Any) -> bool:
    numbers = (int, float)
    return (isinstance(a, numbers) and isinstance(b, numbers)) or type(a) is type(b)


def _equal(kind: int, value: Any, wanted: Any) -> bool:
    if kind == sa.STRING:
        return _phrase(value, wanted)
    return _comparable(value, wanted) and value == wanted


def matcher(expr: ast.Expr | None, valid: dict[str, int]) -> Callable[[Document], bool]:
    """A predicate over documents for a checked where-clause (None matches all)."""
    if expr is None:
        return lambda doc: True
    if isinstance(expr, ast.And):
        left, right = matcher(expr.left, valid), matcher(expr.right, valid)
        return lambda doc: left(doc) and right(doc)
    if isinstance(expr, ast.Or):
        left, right = matcher(expr.left, valid), matcher(expr.right, valid)
        return lambda doc: left(doc) or right(doc)
    field, kind = expr.field, valid[expr.field]
    extra: Callable[[Document], bool] = lambda doc: True  # noqa: E731
    if field == "ExecutionTime" and (isinstance(expr, ast.Between) or (
            isinstance(expr, ast.Compare) and expr.op in _RANGE)):
        extra = lambda doc: any(v > 0 for v in _values(doc, field, kind))  # noqa: E731

    def test(doc: Document) -> bool:
        values = _values(doc, field, kind)
        if isinstance(expr, ast.Missing):
            return bool(values) == expr.negated
        if isinstance(expr, ast.In):
            hit = any(_equal(kind, v, w) for v in values for w in expr.values)
            return hit != expr.negated
        if isinstance(expr, ast.Between):
            hit = any(_comparable(v, expr.low) and _comparable(v, expr.high)
                      and expr.low <= v <= expr.high for v in values)
            return hit != expr.negated
        assert isinstance(expr, ast.Compare)
        if expr.op == "=":
            return any(_equal(kind, v, expr.value) for v in values)
        if expr.op == "!=":
            return not any(_equal(kind, v, expr.value) for v in values)
        compare = _RANGE[expr.op]
        return any(_comparable(v, expr.value) and compare(v, expr.value) for v in values)

    return lambda doc: test(doc) and extra(doc)


def sort_key(order: ast.OrderBy | None,
             valid: dict[str, int]) -> Callable[[Document], Any]:
    """A key ordering documents as the Elasticsearch query sorts them."""
    field = order.field if order else "StartTime"
    descending = order.descending if order else True
    kind = valid.get(field, sa.INT)

    def cmp(a: Document, b: Document) -> int:
        va, vb = _values(a, field, kind), _values(b, field, kind)
        if not va or not vb:
            if va or vb:
                return -1 if va else 1  # missing last, either direction
        else:
            # ES sorts a multi-valued field by its max (desc) or min (asc) value
            xa = max(va) if descending else min(va)
            xb = max(vb) if descending else min(vb)
            if xa != xb:
                return (-1 if xa > xb else 1) if descending else (-1 if xa < xb else 1)
        ra, rb = a.get("RunID", ""), b.get("RunID", "")
        return 0 if ra == rb else (-1 if ra > rb else 1)

    return cmp_to_key(cmp)


def sort_values(doc: Document, order: ast.OrderBy | None,
                valid: dict[str, int]) -> list[Any]:
    """The position of ``doc`` in the order: [field value or None, RunID]."""
    field = order.field if order else "StartTime"
    descending = order.descending if order else True
    values = _values(doc, field, valid.get(field, sa.INT))
    value = (max(values) if descending else min(values)) if values else None
    return [value, doc.get("RunID", "")]


def after(position: list[Any], order: ast.OrderBy | None,
          valid: dict[str, int]) -> Callable[[Document], bool]:
    """Whether a document sorts strictly after ``position`` (a page token's position)."""
    field = order.field if order else "StartTime"
    fake: Document = {"RunID": position[1]}
    if position[0] is not None:
        if sa.is_system_key(field):
            fake[field] = position[0]
        else:
            fake["Attr"] = {field: position[0]}
    key = sort_key(order, valid)
    marker = key(fake)
    return lambda doc: key(doc) > marker
