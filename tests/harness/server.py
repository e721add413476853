"""Runs cadence-py as a real subprocess (so tests can kill and restart it)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from tests.harness.processes import stop_process


# Config files for a server subprocess (tests/e2e and bench/). Format with log_level, and for
# Cassandra host, port, keyspace and visibility (the visibility keyspace).
SQLITE_CONFIG = """\
log: {{level: {log_level}}}
persistence:
  defaultStore: sqlite-default
  datastores:
    sqlite-default:
      sqlite: {{path: cadence.db}}
"""

CASSANDRA_CONFIG = """\
log: {{level: {log_level}}}
persistence:
  defaultStore: cass-default
  visibilityStore: cass-visibility
  datastores:
    cass-default:
      nosql: {{pluginName: cassandra, hosts: "{host}", port: {port}, keyspace: {keyspace}}}
    cass-visibility:
      nosql: {{pluginName: cassandra, hosts: "{host}", port: {port}, keyspace: {visibility}}}
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ServerProcess:
    """``cadence-py server start`` with a given config file, port and data dir."""

    def __init__(self, config: Path, data_dir: Path, port: int | None = None) -> None:
        self.config = config
        self.data_dir = data_dir
        self.port = port or free_port()
        self.log_path = data_dir / "server.log"
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self, timeout: float = 30) -> "ServerProcess":
        self.data_dir.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "cadence_py.server.cli", "server", "start",
             "--config", str(self.config), "--port", str(self.port),
             "--data-dir", str(self.data_dir)],
            stdout=log, stderr=subprocess.STDOUT, env=dict(os.environ))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"cadence-py exited with {self.proc.returncode}:\n"
                                   f"{self.log_tail()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return self
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"cadence-py did not listen within {timeout}s:\n{self.log_tail()}")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 20) -> int | None:
        if self.proc is None:
            return None
        code = stop_process(self.proc, sig, timeout)
        self.proc = None
        return code

    def restart(self) -> "ServerProcess":
        self.stop()
        return self.start()

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(Path(self.log_path).read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""
