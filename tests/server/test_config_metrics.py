"""The metrics section of the config file: accepted shapes and one-line errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from cadence_py.server.config import ConfigError, load_config


def load(tmp_path: Path, text: str):  # type: ignore[no-untyped-def]
    path = tmp_path / "c.yaml"
    path.write_text(text)
    return load_config(path)


def test_service_metrics_cadence_layout(tmp_path: Path) -> None:
    config = load(tmp_path, """
services:
  frontend:
    metrics:
      statsd: {hostPort: "127.0.0.1:9125", prefix: cadence-frontend, flushInterval: 50ms}
      tags: {zone: z1}
  history:
    metrics:
      statsd: {hostPort: "[::1]:8125", prefix: cadence-history, flushBytes: 512}
""")
    frontend = config.metrics_for("frontend")
    assert (frontend.statsd.host, frontend.statsd.port, frontend.statsd.prefix,
            frontend.statsd.flush_interval) == ("127.0.0.1", 9125, "cadence-frontend", 0.05)
    assert frontend.tags == {"zone": "z1"}
    history = config.metrics_for("history")
    assert (history.statsd.host, history.statsd.flush_bytes) == ("::1", 512)
    assert config.metrics_for("matching") is None


def test_top_level_metrics_is_every_services_default(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("STATSD_HOST_PORT", "127.0.0.9:8125")
    config = load(tmp_path, """
metrics:
  statsd: {hostPort: "${STATSD_HOST_PORT:127.0.0.1:8125}", flushInterval: 0}
  sampleRates: {PollForDecisionTask: 0.1}
services:
  matching:
    metrics: {}
""")
    frontend = config.metrics_for("frontend")
    assert (frontend.statsd.host, frontend.statsd.prefix, frontend.statsd.flush_interval) \
        == ("127.0.0.9", "cadence", 0.0)
    assert frontend.sample_rates == {"PollForDecisionTask": 0.1}
    assert config.metrics_for("matching").statsd is None  # its own section: no reporter


def test_env_default_when_unset(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("STATSD_HOST_PORT", raising=False)
    config = load(tmp_path, 'metrics: {statsd: {hostPort: "${STATSD_HOST_PORT:statsd:8125}"}}')
    assert (config.metrics.statsd.host, config.metrics.statsd.port) == ("statsd", 8125)


@pytest.mark.parametrize("text, key, reason", [
    ("metrics: {statsd: {hostPort: 'a:1', flushIntervall: 1s}}",
     "metrics.statsd.flushIntervall", "unknown key"),
    ("metrics: {statsd: {prefix: x}}", "metrics.statsd.hostPort", "required"),
    ("metrics: {statsd: {hostPort: localhost}}", "metrics.statsd.hostPort", "host:port"),
    ("metrics: {statsd: {hostPort: 'h:99999'}}", "metrics.statsd.hostPort", "host:port"),
    ("metrics: {statsd: {hostPort: 'h:1', flushInterval: soon}}",
     "metrics.statsd.flushInterval", "duration"),
    ("metrics: {statsd: {hostPort: 'h:1', flushBytes: 70000}}",
     "metrics.statsd.flushBytes", "65507"),
    ("metrics: {prometheus: {timerType: histogram}}", "metrics.prometheus", "statsd"),
    ("metrics: {tags: {domain: x}}", "metrics.tags.domain", "reserved"),
    ("metrics: {tags: {zone: 'a.b'}}", "metrics.tags.zone", "letters"),
    ("metrics: {sampleRates: {Poll: 1.5}}", "metrics.sampleRates.Poll", "(0, 1]"),
    ("metrics: {sampleRates: {Poll: often}}", "metrics.sampleRates.Poll", "float"),
    ("services: {frontend: {metrics: {statsd: {hostPort: 'h:1'}, tagz: {}}}}",
     "services.frontend.metrics.tagz", "unknown key"),
    ("services: {histori: {metrics: {}}}", "services.histori", "unknown key"),
    ("log: {format: xml}", "log.format", "text or json"),
])
def test_bad_values_name_file_key_and_reason(tmp_path: Path, text: str, key: str,
                                             reason: str) -> None:
    with pytest.raises(ConfigError) as err:
        load(tmp_path, text)
    message = str(err.value)
    assert message.startswith(str(tmp_path / "c.yaml") + ": ")
    assert key in message and reason in message
    assert "\n" not in message


def test_server_start_exits_2_with_one_line(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("metrics:\n  statsd:\n    hostPort: 127.0.0.1:8125\n    flushEvery: 1s\n")
    done = subprocess.run([sys.executable, "-m", "cadence_py.server.cli", "server", "start",
                           "--config", str(path), "--port", "0"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        f"cadence-py: config error: {path}: metrics.statsd.flushEvery: unknown key"]
