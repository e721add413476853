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


@pytest.mark.parametrize("name", ["docker-compose.yaml", "docker-compose-es.yaml"])
def test_compose_file_is_valid_and_has_statsd(validator: Path, name: str) -> None:
    services = model(validator, name)["services"]
    expected = {"cassandra", "cadence-schema", "cadence", "statsd"}
    if name == "docker-compose-es.yaml":
        expected.add("elasticsearch")
    assert set(services) == expected
    cadence, statsd = services["cadence"], services["statsd"]
    assert cadence["environment"]["STATSD_HOST_PORT"] == "statsd:8125"
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
