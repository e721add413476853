"""The cadence-py process: logs where it listens, stops cleanly, rejects bad config."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

from tests.harness.server import SQLITE_CONFIG, ServerProcess


def run_cli(cli_bin: Path, server: ServerProcess, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(cli_bin), "--address", server.address, *args],
                          capture_output=True, text=True, timeout=60)


def test_sigterm_stops_cleanly_and_keeps_data(cadence_cli_bin: Path, tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(SQLITE_CONFIG.format(log_level="info"))
    server = ServerProcess(config, tmp_path / "data").start()
    try:
        assert run_cli(cadence_cli_bin, server, "--do", "keep-me", "d", "re").returncode == 0
        assert server.stop(signal.SIGTERM) == 0
        log = server.log_tail(100)
        assert f"listening on 127.0.0.1:{server.port}" in log
        assert "stopped" in log
        server.start()
        described = run_cli(cadence_cli_bin, server, "--do", "keep-me", "d", "desc")
        assert described.returncode == 0 and "Name: keep-me" in described.stdout
        assert server.stop(signal.SIGINT) == 0
    finally:
        server.stop()


def run_server(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cadence_py.server.cli", "server", "start",
                           *args], capture_output=True, text=True, timeout=30)


def test_bad_config_is_one_clear_line(tmp_path: Path) -> None:
    config = tmp_path / "bad.yaml"
    config.write_text("persistence:\n  defaultStore: sqlite-default\n  datastorez: {}\n")
    done = run_server("--config", str(config), "--port", "0")
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1
    assert str(config) in lines[0] and "datastorez" in lines[0]


def test_missing_config_file(tmp_path: Path) -> None:
    done = run_server("--config", str(tmp_path / "nope.yaml"))
    assert done.returncode == 2
    assert "nope.yaml" in done.stderr
