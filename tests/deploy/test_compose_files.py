"""The docker-compose files validate (compose-go, the loader of `docker compose config`)
and wire cadence-py to statsd/Graphite."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from cadence_py.server.config import load_config
from tests.conftest import REPO, require
from tests.harness import compose_spec, gobuild


@pytest.fixture(scope="module")
def validator() -> Path:
    path = compose_spec.binary_path()
    if not path.exists():
        require(gobuild.go_tool() is not None,
                "no Go toolchain to build compose-go's validator (make compose-spec)")
        try:
            compose_spec.build()
        except subprocess.CalledProcessError as exc:
            require(False, f"cannot build compose-go's validator: {exc}")
    return path


def config(validator: Path, *files: str | Path) -> subprocess.CompletedProcess[str]:
    """``docker compose -f A [-f B] config --format json``, as compose-go resolves it."""
    env = {"PATH": "/usr/bin:/bin"}  # no stray COMPOSE_* / interpolation vars
    return subprocess.run([str(validator), "--format", "json", *map(str, files)],
                          cwd=REPO, capture_output=True, text=True, env=env, timeout=60)


def model(validator: Path, name: str) -> dict[str, Any]:
    done = config(validator, name)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def environment(service: dict[str, Any]) -> dict[str, str]:
    """A service's environment as a mapping (compose-go prints a merged one as a list)."""
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return env


@pytest.mark.parametrize("name", ["docker-compose.yaml", "docker-compose-es.yaml"])
def test_compose_file_is_valid_and_has_statsd(validator: Path, name: str) -> None:
    services = model(validator, name)["services"]
    expected = {"cassandra", "cadence-schema", "cadence", "statsd"}
    if name == "docker-compose-es.yaml":
        expected.add("elasticsearch")
    assert set(services) == expected
    cadence, statsd = services["cadence"], services["statsd"]
    assert environment(cadence)["STATSD_HOST_PORT"] == "statsd:8125"
    assert "statsd" in cadence["depends_on"]
    assert [(p["host_ip"], p["published"], p["target"]) for p in cadence["ports"]] == \
        [("127.0.0.1", "7933", 7933)]
    assert statsd["image"].startswith("graphiteapp/graphite-statsd")
    ports = {(p["target"], p["protocol"]) for p in statsd["ports"]}
    assert {(8125, "udp"), (80, "tcp")} <= ports
    [mount] = statsd["volumes"]
    assert mount["target"] == "/opt/statsd/config/udp.js"
    assert Path(mount["source"]) == REPO / "config" / "statsd" / "udp.js"


def test_validator_rejects_a_broken_file(validator: Path, tmp_path: Path) -> None:
    broken = tmp_path / "compose.yaml"
    broken.write_text("services:\n  cadence:\n    imag: cadence-py\n")
    done = config(validator, broken)
    assert done.returncode != 0 and "imag" in done.stderr


def test_statsd_config_matches_the_dashboard_layout() -> None:
    # statsd evaluates the file as JavaScript; ours is plain JSON so it can be checked.
    statsd = json.loads((REPO / "config" / "statsd" / "udp.js").read_text())
    assert statsd["graphite"] == {"legacyNamespace": False}
    assert statsd["servers"] == [{"server": "./servers/udp", "address": "0.0.0.0",
                                  "port": 8125}]


def test_container_config_points_metrics_at_statsd(monkeypatch: pytest.MonkeyPatch) -> None:
    compose = yaml.safe_load((REPO / "docker-compose.yaml").read_text())
    command = compose["services"]["cadence"]["command"]
    config_file = REPO / command[command.index("--config") + 1]
    monkeypatch.setenv("STATSD_HOST_PORT", "statsd:8125")
    statsd = load_config(config_file).metrics_for("frontend").statsd
    assert (statsd.host, statsd.port, statsd.prefix) == ("statsd", 8125, "cadence")


def test_es_compose_runs_cadence_on_elasticsearch(validator: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    services = model(validator, "docker-compose-es.yaml")["services"]
    cadence, es = services["cadence"], services["elasticsearch"]
    assert cadence["depends_on"]["elasticsearch"]["condition"] == "service_healthy"
    assert {"cadence-schema", "statsd"} <= set(cadence["depends_on"])  # still there
    assert es["image"].endswith("elasticsearch-oss:7.10.2") and es["healthcheck"]["test"]
    assert [(p["host_ip"], p["published"], p["target"]) for p in es["ports"]] == \
        [("127.0.0.1", "9200", 9200)]
    command = cadence["command"]
    config_file = REPO / command[command.index("--config") + 1]
    for key, value in environment(cadence).items():  # as the container sees them
        monkeypatch.setenv(key, value)
    loaded = load_config(config_file)
    assert loaded.store == "cassandra" and loaded.cassandra.hosts == ["cassandra"]
    assert loaded.cassandra.visibility_keyspace == "cadence_visibility"
    assert loaded.elasticsearch is not None
    assert loaded.elasticsearch.url == "http://elasticsearch:9200"
    assert loaded.elasticsearch.index == "cadence-visibility-dev"
    # docker-compose.yaml alone stays on Cassandra visibility.
    plain = model(validator, "docker-compose.yaml")["services"]["cadence"]
    assert "elasticsearch" not in plain["depends_on"]
    assert load_config(REPO / plain["command"][plain["command"].index("--config") + 1]
                       ).elasticsearch is None


@pytest.mark.parametrize("name", ["development_es.yaml", "development_cassandra_es.yaml"])
def test_es_config_files_load(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    for key in ("ES_SCHEME", "ES_HOST", "ES_PORT", "ES_USER", "ES_PASSWORD",
                "ES_VISIBILITY_INDEX", "CASSANDRA_HOST"):
        monkeypatch.delenv(key, raising=False)
    loaded = load_config(REPO / "config" / name)
    assert loaded.store == ("sqlite" if name == "development_es.yaml" else "cassandra")
    es = loaded.elasticsearch
    assert es is not None
    assert (es.url, es.index, es.username, es.password) == \
        ("http://127.0.0.1:9200", "cadence-visibility-dev", "", "")
    monkeypatch.setenv("ES_HOST", "es.internal")
    monkeypatch.setenv("ES_PORT", "9243")
    monkeypatch.setenv("ES_SCHEME", "https")
    monkeypatch.setenv("ES_VISIBILITY_INDEX", "cadence-visibility-prod")
    es = load_config(REPO / "config" / name).elasticsearch
    assert es is not None
    assert (es.url, es.index) == ("https://es.internal:9243", "cadence-visibility-prod")
