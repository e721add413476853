"""The parsed form of a visibility query (the where-clause of Cadence's SQL-like language).

Values stay as the user wrote them (str, int, float, bool) until ``values.normalize`` has
checked them against the attribute's type; both back ends (Elasticsearch translation and
the main-store evaluator) read the normalized tree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union

Value = Union[str, int, float, bool]

COMPARISONS = ("=", "!=", ">", ">=", "<", "<=")


@dataclass(frozen=True)
class Compare:
    field: str
    op: str  # one of COMPARISONS
    value: Value


@dataclass(frozen=True)
class Missing:
    """``Field = missing`` (or ``!= missing``, negated): whether the field is absent."""

    field: str
    negated: bool = False


@dataclass(frozen=True)
class In:
    field: str
    values: tuple[Value, ...]
    negated: bool = False


@dataclass(frozen=True)
class Between:
    field: str
    low: Value
    high: Value
    negated: bool = False


@dataclass(frozen=True)
class And:
    left: "Expr"
    right: "Expr"


@dataclass(frozen=True)
class Or:
    left: "Expr"
    right: "Expr"


Expr = Union[Compare, Missing, In, Between, And, Or]


@dataclass(frozen=True)
class OrderBy:
    field: str
    descending: bool = False


@dataclass(frozen=True)
class Query:
    where: Expr | None = None
    order_by: OrderBy | None = None


def fields_of(expr: Expr | None) -> list[str]:
    """Every attribute a where-clause names, in order of appearance."""
    if expr is None:
        return []
    if isinstance(expr, (And, Or)):
        return fields_of(expr.left) + fields_of(expr.right)
    return [expr.field]
