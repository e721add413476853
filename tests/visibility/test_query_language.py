"""The query language on its own: parsing, checking, translation, evaluation."""

from __future__ import annotations

import pytest

from cadence_py.visibility import attributes as sa
from cadence_py.visibility.query import ast
from cadence_py.visibility.query.evaluate import matcher, sort_key
from cadence_py.visibility.query.parser import QueryError, parse
from cadence_py.visibility.query.to_es import search_body, sort_clause
from cadence_py.visibility.query.validate import compile_query

VALID = sa.default_search_attributes()


def test_grammar_precedence_and_values() -> None:
    q = parse("A = 'x' OR B = \"y\" AND (C > 1.5 OR D BETWEEN -1 AND 2e3) ORDER BY E desc")
    assert q.order_by == ast.OrderBy("E", True)
    assert isinstance(q.where, ast.Or)
    right = q.where.right
    assert isinstance(right, ast.And) and right.left == ast.Compare("B", "=", "y")
    assert right.right == ast.Or(ast.Compare("C", ">", 1.5), ast.Between("D", -1, 2000.0))
    assert parse("X NOT IN ('a', 'b')").where == ast.In("X", ("a", "b"), negated=True)
    assert parse("CloseTime = missing").where == ast.Missing("CloseTime")
    assert parse("CloseTime != MISSING").where == ast.Missing("CloseTime", negated=True)
    assert parse("X = 'it''s' AND Y <> true").where == ast.And(
        ast.Compare("X", "=", "it's"), ast.Compare("Y", "!=", True))
    assert parse("order by StartTime") == ast.Query(None, ast.OrderBy("StartTime"))
    assert parse("   ") == ast.Query()
    assert parse("`addon-type` = 'x'").where == ast.Compare("addon-type", "=", "x")


@pytest.mark.parametrize("text, message", [
    ("WorkflowType =", "expected a value, found the end of the query at position 15"),
    ("WorkflowType = 'x' AND", "expected a search attribute name"),
    ("(WorkflowID = 'a'", "expected ')'"),
    ("WorkflowID = 'a' ORDER BY StartTime, RunID", "only one field can be used to sort"),
    ("WorkflowType LIKE 'x%'", "LIKE is not supported"),
    ("NOT WorkflowID = 'a'", "NOT is only supported as NOT IN and NOT BETWEEN"),
    ("WorkflowID = WorkflowType", "is not a value"),
    ("WorkflowID = 'a' #", "unexpected character '#' at position 18"),
    ("SELECT WorkflowID FROM x", "give only the where-clause"),
])
def test_syntax_errors_say_what_and_where(text: str, message: str) -> None:
    with pytest.raises(QueryError) as err:
        parse(text)
    assert message in str(err.value)


@pytest.mark.parametrize("text, message", [
    ("Foo = 1", 'invalid search attribute "Foo"'),
    ("ORDER BY Foo", "invalid order by attribute"),
    ("ORDER BY CustomStringField", "not able to sort by IndexedValueTypeString field"),
    ("CloseStatus = 'finished'", "is not a valid CloseStatus"),
    ("StartTime > 'yesterday'", "is not a valid time for StartTime"),
    ("CustomIntField = 'seven'", "is not a valid value for CustomIntField (Int)"),
    ("CustomBoolField = 3", "is not a valid value for CustomBoolField (Bool)"),
    ("CustomStringField > 'a'", "only = and != work on it"),
])
def test_checks_against_search_attributes(text: str, message: str) -> None:
    with pytest.raises(QueryError) as err:
        compile_query(text, VALID)
    assert message in str(err.value)


def test_values_get_their_attribute_types() -> None:
    q = compile_query("StartTime > '2024-01-02T03:04:05.5+01:00' AND CloseStatus = 'Timed_Out' "
                      "AND CustomIntField IN ('5', 6.0) AND CustomDatetimeField < "
                      "'1970-01-01T00:00:01Z' AND CustomBoolField = 'TRUE'", VALID)
    found = []

    def walk(e: ast.Expr) -> None:
        if isinstance(e, ast.And):
            walk(e.left)
            walk(e.right)
        else:
            found.append(e)
    walk(q.where)  # type: ignore[arg-type]
    assert found[0].value == 1704161045_500_000_000  # type: ignore[union-attr]
    assert found[1].value == 5  # type: ignore[union-attr]
    assert found[2].values == (5, 6)  # type: ignore[union-attr]
    assert found[3].value == 10**9  # type: ignore[union-attr]
    assert found[4].value is True  # type: ignore[union-attr]


def test_elasticsearch_translation() -> None:
    q = compile_query("CustomKeywordField = 'a' OR CloseTime = missing "
                      "ORDER BY CustomIntField", VALID)
    body = search_body("dom", q, VALID)
    assert body["bool"]["filter"][0] == {"term": {"DomainID": "dom"}}
    assert body["bool"]["filter"][1] == {"bool": {"should": [
        {"term": {"Attr.CustomKeywordField": "a"}},
        {"bool": {"must_not": [{"exists": {"field": "CloseTime"}}]}}],
        "minimum_should_match": 1}}
    assert sort_clause(q.order_by) == [
        {"Attr.CustomIntField": {"order": "asc", "missing": "_last"}},
        {"RunID": {"order": "desc"}}]
    assert sort_clause(None)[0] == {"StartTime": {"order": "desc"}}
    ranged = search_body("d", compile_query("ExecutionTime > 5", VALID), VALID)
    assert {"range": {"ExecutionTime": {"gt": 0}}} in ranged["bool"]["filter"][1]["bool"]["must"]


def _doc(run: str, **attrs: object) -> dict:
    return {"DomainID": "d", "RunID": run, "StartTime": int(run), "ExecutionTime": 1,
            "Attr": attrs}


def test_evaluation_follows_elasticsearch_rules() -> None:
    docs = [_doc("1", CustomKeywordField=["a", "b"], CustomStringField="Hello big World"),
            _doc("2", CustomKeywordField="c", CustomIntField=7),
            _doc("3")]

    def hits(text: str) -> list[str]:
        q = compile_query(text, VALID)
        keep = matcher(q.where, VALID)
        return [d["RunID"] for d in sorted(filter(keep, docs), key=sort_key(q.order_by, VALID))]

    assert hits("CustomKeywordField = 'b'") == ["1"]  # any value of a list matches
    assert hits("CustomKeywordField != 'a'") == ["3", "2"]  # missing matches must_not
    assert hits("CustomIntField < 100") == ["2"]  # ranges never match a missing field
    assert hits("CustomStringField = 'BIG world'") == ["1"]  # phrase, case-insensitive
    assert hits("CustomStringField = 'world big'") == []
    assert hits("CustomIntField = missing") == ["3", "1"]
    assert hits("ORDER BY CustomIntField") == ["2", "3", "1"]  # missing last, then RunID desc


def test_rfc3339_round_trip() -> None:
    nanos = sa.parse_time("2019-06-07T16:46:34.123456789-08:00")
    assert nanos == 1559954794_123456789
    assert sa.parse_time(sa.format_time(nanos)) == nanos
    with pytest.raises(ValueError):
        sa.parse_time("2019-06-07 16:46:34")


def test_search_attribute_values_are_checked_like_upstream() -> None:
    valid = sa.default_search_attributes()
    assert sa.validate_upsert({"CustomIntField": b"5", "CustomKeywordField": b'["a","b"]'},
                              valid) is None
    assert sa.validate_upsert({"Nope": b"1"}, valid) == "Nope is not a valid search attribute key"
    assert sa.validate_upsert({"CustomIntField": b'"x"'}, valid) == \
        '"x" is not a valid search attribute value for key CustomIntField'
    assert sa.validate_upsert({"WorkflowID": b'"x"'}, valid) == \
        "WorkflowID is read-only Cadence reserved attribute"
    assert sa.validate_upsert({"CustomKeywordField": b'"' + b"x" * 3000 + b'"'}, valid) == \
        "size limit exceed for key CustomKeywordField"
    assert sa.validate_upsert({"CustomDatetimeField": b'"2020-01-01T00:00:00Z"'}, valid) is None


def test_registry_adds_keys_with_upstream_errors() -> None:
    registry = sa.SearchAttributes()
    assert registry.add({"WorkflowID": sa.KEYWORD}) == "Key [WorkflowID] is reserved by system"
    assert registry.add({"CustomIntField": sa.KEYWORD}) == \
        "Key [CustomIntField] is already whitelisted as a different type"
    assert registry.add({"Mine": 9}) == "Unknown value type, IndexedValueType(9)"
    assert registry.add({"Mine": sa.DOUBLE}) is None
    assert registry.valid()["Mine"] == sa.DOUBLE
