"""Parses Cadence's visibility query language into ``ast.Query``.

The language is the where-clause (and optional ORDER BY) of a SQL select, as the CLI's
``--query`` and the clients' ListWorkflow send it::

    WorkflowType = 'main.Workflow' AND (CloseStatus != 'completed' OR CloseTime = missing)
    CustomKeywordField IN ("a", "b") AND StartTime BETWEEN "2024-01-01T00:00:00Z" AND 1e18
    ORDER BY StartTime DESC

Upstream hands the text to a MySQL grammar and then rejects everything except AND, OR,
parentheses, comparisons, IN and BETWEEN on attribute names. We parse exactly that subset
with a small recursive-descent parser, so that an error can say what was wrong and where.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cadence_py.visibility.query import ast

_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<number>-?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?)
  | (?P<string>'(?:[^'\\]|\\.|'')*'|"(?:[^"\\]|\\.|"")*")
  | (?P<quoted>`[^`]+`)
  | (?P<word>[A-Za-z_][A-Za-z0-9_.]*)
  | (?P<op>!=|<>|>=|<=|=|<|>)
  | (?P<punct>[(),])
""", re.VERBOSE)

_KEYWORDS = {"AND", "OR", "NOT", "IN", "BETWEEN", "ORDER", "BY", "ASC", "DESC", "TRUE",
             "FALSE", "LIKE", "IS", "NULL", "LIMIT", "SELECT", "WHERE", "FROM"}
_UNSUPPORTED = {"LIKE": "LIKE is not supported; use = on a Keyword attribute",
                "IS": "IS [NOT] NULL is not supported; use Field = missing",
                "NOT": "NOT is only supported as NOT IN and NOT BETWEEN; use != instead",
                "LIMIT": "LIMIT is not supported; use the page size of the request",
                "SELECT": "give only the where-clause, not a whole SELECT statement",
                "WHERE": "give only the where-clause, without the WHERE keyword",
                "FROM": "FROM is not part of a visibility query"}


class QueryError(ValueError):
    """A query that cannot be served; the message is shown to the caller as is."""


@dataclass(frozen=True)
class _Token:
    kind: str  # number | string | ident | keyword | op | punct | end
    text: str
    value: object
    pos: int


def _tokens(text: str) -> list[_Token]:
    out: list[_Token] = []
    pos = 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None:
            raise QueryError(f"Invalid query: unexpected character {text[pos]!r} at "
                             f"position {pos + 1}")
        kind, raw = match.lastgroup or "", match.group()
        if kind == "number":
            number = float(raw) if re.search(r"[.eE]", raw) else int(raw)
            out.append(_Token("number", raw, number, pos))
        elif kind == "string":
            quote = raw[0]
            body = raw[1:-1].replace(quote * 2, quote)
            body = re.sub(r"\\(.)", r"\1", body)
            out.append(_Token("string", raw, body, pos))
        elif kind == "quoted":
            out.append(_Token("ident", raw, raw[1:-1], pos))
        elif kind == "word":
            upper = raw.upper()
            if upper in _KEYWORDS:
                out.append(_Token("keyword", upper, upper, pos))
            else:
                out.append(_Token("ident", raw, raw, pos))
        elif kind in ("op", "punct"):
            out.append(_Token(kind, "!=" if raw == "<>" else raw, raw, pos))
        pos = match.end()
    out.append(_Token("end", "", None, len(text)))
    return out


class _Parser:
    def __init__(self, text: str) -> None:
        self.toks = _tokens(text)
        self.i = 0

    # ------------------------------------------------------------- helpers
    @property
    def tok(self) -> _Token:
        return self.toks[self.i]

    def _fail(self, expected: str) -> QueryError:
        tok = self.tok
        found = "the end of the query" if tok.kind == "end" else repr(tok.text)
        if tok.kind == "keyword" and tok.text in _UNSUPPORTED:
            return QueryError(f"Invalid query: {_UNSUPPORTED[tok.text]} "
                              f"(at position {tok.pos + 1})")
        return QueryError(f"Invalid query: expected {expected}, found {found} at position "
                          f"{tok.pos + 1}")

    def _keyword(self, *words: str) -> bool:
        if self.tok.kind == "keyword" and self.tok.text in words:
            self.i += 1
            return True
        return False

    def _punct(self, char: str) -> None:
        if self.tok.kind != "punct" or self.tok.text != char:
            raise self._fail(repr(char))
        self.i += 1

    # ------------------------------------------------------------- grammar
    def query(self) -> ast.Query:
        where = None
        if not (self.tok.kind == "keyword" and self.tok.text == "ORDER") and \
                self.tok.kind != "end":
            where = self.or_expr()
        order = self.order_by() if self._keyword("ORDER") else None
        if self.tok.kind != "end":
            raise self._fail("AND, OR, ORDER BY or the end of the query")
        return ast.Query(where, order)

    def order_by(self) -> ast.OrderBy:
        if not self._keyword("BY"):
            raise self._fail("BY after ORDER")
        name = self.ident()
        descending = self._keyword("DESC")
        if not descending:
            self._keyword("ASC")
        if self.tok.kind == "punct" and self.tok.text == ",":
            raise QueryError("Invalid query: only one field can be used to sort")
        return ast.OrderBy(name, descending)

    def or_expr(self) -> ast.Expr:
        expr = self.and_expr()
        while self._keyword("OR"):
            expr = ast.Or(expr, self.and_expr())
        return expr

    def and_expr(self) -> ast.Expr:
        expr = self.primary()
        while self._keyword("AND"):
            expr = ast.And(expr, self.primary())
        return expr

    def primary(self) -> ast.Expr:
        if self.tok.kind == "punct" and self.tok.text == "(":
            self.i += 1
            expr = self.or_expr()
            self._punct(")")
            return expr
        return self.predicate()

    def ident(self) -> str:
        tok = self.tok
        if tok.kind != "ident":
            raise self._fail("a search attribute name")
        self.i += 1
        return str(tok.value)

    def predicate(self) -> ast.Expr:
        name = self.ident()
        if self.tok.kind == "op":
            op = self.tok.text
            self.i += 1
            if self.tok.kind == "ident" and str(self.tok.value).lower() == "missing" \
                    and op in ("=", "!="):
                self.i += 1
                return ast.Missing(name, negated=op == "!=")
            return ast.Compare(name, op, self.value())
        negated = self._keyword("NOT")
        if self._keyword("IN"):
            self._punct("(")
            values = [self.value()]
            while self.tok.kind == "punct" and self.tok.text == ",":
                self.i += 1
                values.append(self.value())
            self._punct(")")
            return ast.In(name, tuple(values), negated)
        if self._keyword("BETWEEN"):
            low = self.value()
            if not self._keyword("AND"):
                raise self._fail("AND between the two bounds of BETWEEN")
            return ast.Between(name, low, self.value(), negated)
        raise self._fail("an operator (=, !=, >, >=, <, <=, IN, BETWEEN) after "
                         f"{name!r}" if not negated else "IN or BETWEEN after NOT")

    def value(self) -> ast.Value:
        tok = self.tok
        if tok.kind in ("number", "string"):
            self.i += 1
            return tok.value  # type: ignore[return-value]
        if tok.kind == "keyword" and tok.text in ("TRUE", "FALSE"):
            self.i += 1
            return tok.text == "TRUE"
        if tok.kind == "ident":
            raise QueryError(f"Invalid query: {tok.text!r} at position {tok.pos + 1} is not "
                             "a value; quote strings ('text') and compare a field with a "
                             "value, not with another field")
        raise self._fail("a value")


def parse(text: str) -> ast.Query:
    """The query's syntax tree; ``QueryError`` says what is wrong and where."""
    return _Parser(text.strip()).query()
