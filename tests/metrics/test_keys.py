"""Statsd key layout: Cadence's flattening, tag keys sorted."""

from __future__ import annotations

from cadence_py.metrics.keys import clean, statsd_key


def test_tags_follow_the_name_sorted_by_key() -> None:
    key = statsd_key("cadence_requests", {
        "transport": "tchannel", "operation": "StartWorkflowExecution", "domain": "orders",
        "cadence_service": "cadence-frontend", "caller": "cadence-client"})
    assert key == ("cadence_requests.cadence_service.cadence-frontend.caller.cadence-client"
                   ".domain.orders.operation.StartWorkflowExecution.transport.tchannel")


def test_no_tags_is_just_the_name() -> None:
    assert statsd_key("num_goroutines", {}) == "num_goroutines"


def test_empty_values_become_unknown() -> None:
    assert statsd_key("m", {"caller": "", "domain": ""}) == \
        "m.caller._unknown_.domain._unknown_"


def test_line_breaking_characters_are_replaced() -> None:
    # ":" "|" "@" and newlines would split or corrupt a statsd line.
    assert clean("a:b|c@d\ne f/ü") == "a_b_c_d_e_f__"
    # Dots stay: Cadence does not sanitize, a dotted value adds Graphite levels.
    assert clean("my.domain") == "my.domain"
