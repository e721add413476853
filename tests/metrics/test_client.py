"""StatsdMetrics against a real loopback UDP socket."""

from __future__ import annotations

from cadence_py.metrics import Metrics, MetricsConfig, StatsdConfig, StatsdMetrics, new_metrics
from cadence_py.metrics import names
from tests.metrics.conftest import UdpSink

SVC = "cadence_service.cadence-frontend"


def statsd_metrics(sink: UdpSink, *, flush_interval: float = 0.0, flush_bytes: int = 1432,
                   **kwargs) -> StatsdMetrics:  # type: ignore[no-untyped-def]
    config = MetricsConfig(statsd=StatsdConfig(port=sink.port, flush_interval=flush_interval,
                                               flush_bytes=flush_bytes), **kwargs)
    return StatsdMetrics(names.FRONTEND, config)


def test_counter_line(sink: UdpSink) -> None:
    metrics = statsd_metrics(sink)
    metrics.scope("RegisterDomain", domain="_unknown_").inc(names.REQUESTS)
    assert sink.lines(1) == [
        f"cadence.cadence_requests.{SVC}.domain._unknown_.operation.RegisterDomain:1|c"]
    metrics.close()


def test_timer_in_ms_and_again_for_domain_all(sink: UdpSink) -> None:
    metrics = statsd_metrics(sink)
    metrics.scope("StartWorkflowExecution", domain="orders").timing(names.LATENCY, 0.0125)
    assert sink.lines(2) == [
        f"cadence.cadence_latency.{SVC}.domain.orders.operation.StartWorkflowExecution"
        ":12.500000|ms",
        f"cadence.cadence_latency.{SVC}.domain.all.operation.StartWorkflowExecution"
        ":12.500000|ms"]
    metrics.close()


def test_timer_without_domain_is_sent_once(sink: UdpSink) -> None:
    metrics = statsd_metrics(sink)
    metrics.scope("GetDomain").timing(names.PERSISTENCE_LATENCY, 0.001)
    metrics.scope("GetDomain").gauge("queue_lag", 7)
    assert sink.lines(2) == [
        f"cadence.persistence_latency.{SVC}.operation.GetDomain:1.000000|ms",
        f"cadence.queue_lag.{SVC}.operation.GetDomain:7|g"]
    metrics.close()


def test_config_tags_prefixes_and_no_statsd_prefix(sink: UdpSink) -> None:
    config = MetricsConfig(statsd=StatsdConfig(port=sink.port, prefix="", flush_interval=0),
                           tags={"zone": "z1"}, prefix="tally")
    metrics = StatsdMetrics(names.HISTORY, config)
    metrics.scope("CreateShard").inc("persistence_requests", 3)
    assert sink.lines(1) == ["tally.persistence_requests.cadence_service.cadence-history"
                             ".operation.CreateShard.zone.z1:3|c"]
    metrics.close()


def test_buffered_lines_leave_together_on_flush(sink: UdpSink) -> None:
    metrics = statsd_metrics(sink, flush_interval=60)
    scope = metrics.scope("DescribeDomain")
    scope.inc(names.REQUESTS)
    scope.inc(names.ERR_ENTITY_NOT_EXISTS)
    assert sink.pending() == []
    metrics.flush()
    datagram = sink.receive()
    assert datagram.split("\n") == [
        f"cadence.cadence_requests.{SVC}.operation.DescribeDomain:1|c",
        f"cadence.cadence_errors_entity_not_exists.{SVC}.operation.DescribeDomain:1|c"]
    metrics.close()


def test_a_full_buffer_is_sent_without_waiting(sink: UdpSink) -> None:
    metrics = statsd_metrics(sink, flush_interval=60, flush_bytes=200)
    scope = metrics.scope("PollForDecisionTask")
    for _ in range(3):  # ~80 bytes a line: the third crosses 200 bytes
        scope.inc(names.REQUESTS)
    assert len(sink.pending()) == 3
    scope.inc(names.REQUESTS)
    assert sink.pending() == []
    metrics.close()
    assert len(sink.pending()) == 1  # close flushes the rest


def test_sampled_operation_marks_its_rate(sink: UdpSink) -> None:
    metrics = statsd_metrics(sink, flush_interval=60, sample_rates={"PollForDecisionTask": 0.5})
    scope = metrics.scope("PollForDecisionTask")
    for _ in range(200):
        scope.inc(names.REQUESTS)
    metrics.flush()
    lines = sink.pending()
    assert 0 < len(lines) < 200  # each is kept with probability 1/2
    assert all(line.endswith(":1|c|@0.5") for line in lines)
    metrics.close()


def test_emission_never_raises(sink: UdpSink) -> None:
    metrics = statsd_metrics(sink)
    metrics.emit("ms", "bad", {}, "not a number", 1.0)  # type: ignore[arg-type]
    metrics.scope("X").inc(names.REQUESTS)  # still works afterwards
    assert sink.lines(1)[0].startswith("cadence.cadence_requests.")
    metrics.close()
    metrics.scope("X").inc(names.REQUESTS)  # closed: dropped, no error
    assert sink.pending() == []


def test_unconfigured_metrics_are_a_no_op() -> None:
    metrics = new_metrics(names.FRONTEND, None)
    assert type(metrics) is Metrics and not metrics.enabled
    metrics.scope("RegisterDomain").inc(names.REQUESTS)
    metrics.close()
    assert not new_metrics(names.FRONTEND, MetricsConfig(tags={"a": "b"})).enabled
    assert new_metrics(names.FRONTEND, MetricsConfig(statsd=StatsdConfig())).enabled
