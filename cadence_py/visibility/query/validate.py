"""Checks a parsed query against the valid search attributes and types its values.

After this step every value has its attribute's type: times and Datetime attributes are
unix nanoseconds, CloseStatus names are their integers, Int/Double/Bool are numbers and
booleans, Keyword/String are text. Both back ends rely on that.
"""

from __future__ import annotations

from dataclasses import replace

from cadence_py.visibility import attributes as sa
from cadence_py.visibility.query import ast
from cadence_py.visibility.query.parser import QueryError, parse

CLOSE_STATUS = {"completed": 0, "failed": 1, "canceled": 2, "terminated": 3,
                "continued_as_new": 4, "timed_out": 5}


def _time(field: str, value: ast.Value) -> int:
    if isinstance(value, bool):
        raise QueryError(f"{field} needs a time, not a boolean")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        if value.lstrip("-").isdigit():
            return int(value)
        try:
            return sa.parse_time(value)
        except ValueError:
            pass
    raise QueryError(f"{value!r} is not a valid time for {field}: use RFC3339 "
                     "(2006-01-02T15:04:05Z07:00) or unix nanoseconds")


def _typed(field: str, kind: int, value: ast.Value) -> ast.Value:
    if field in sa.TIME_KEYS or kind == sa.DATETIME:
        return _time(field, value)
    if field == "CloseStatus" and isinstance(value, str) and not value.lstrip("-").isdigit():
        status = CLOSE_STATUS.get(value.lower())
        if status is None:
            raise QueryError(f"{value!r} is not a valid CloseStatus: use one of "
                             + ", ".join(CLOSE_STATUS) + " or its number")
        return status
    if kind == sa.INT:
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str) and value.lstrip("-").isdigit():
            return int(value)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        raise QueryError(f"{value!r} is not a valid value for {field} (Int)")
    if kind == sa.DOUBLE:
        try:
            if not isinstance(value, bool):
                return float(value)
        except ValueError:
            pass
        raise QueryError(f"{value!r} is not a valid value for {field} (Double)")
    if kind == sa.BOOL:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise QueryError(f"{value!r} is not a valid value for {field} (Bool)")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _check(expr: ast.Expr, valid: dict[str, int]) -> ast.Expr:
    if isinstance(expr, (ast.And, ast.Or)):
        return type(expr)(_check(expr.left, valid), _check(expr.right, valid))
    if expr.field not in valid:
        raise QueryError(f"invalid search attribute {expr.field!r}".replace("'", '"'))
    kind = valid[expr.field]
    if isinstance(expr, ast.Compare):
        if kind == sa.STRING and expr.op not in ("=", "!="):
            raise QueryError(f"{expr.field} is a String (full text) attribute: only = and "
                             "!= work on it")
        return replace(expr, value=_typed(expr.field, kind, expr.value))
    if isinstance(expr, ast.In):
        return replace(expr, values=tuple(_typed(expr.field, kind, v) for v in expr.values))
    if isinstance(expr, ast.Between):
        return replace(expr, low=_typed(expr.field, kind, expr.low),
                       high=_typed(expr.field, kind, expr.high))
    return expr


def check(query: ast.Query, valid: dict[str, int]) -> ast.Query:
    """The query with typed values; QueryError names the first problem."""
    where = _check(query.where, valid) if query.where is not None else None
    order = query.order_by
    if order is not None:
        if order.field not in valid:
            raise QueryError("invalid order by attribute")
        if valid[order.field] == sa.STRING:
            raise QueryError("not able to sort by IndexedValueTypeString field, use "
                             "IndexedValueTypeKeyword field")
    return ast.Query(where, order)


def compile_query(text: str, valid: dict[str, int]) -> ast.Query:
    """Parse and check ``text`` (an empty query means every workflow, default order)."""
    return check(parse(text or ""), valid)
