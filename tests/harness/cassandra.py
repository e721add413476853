"""Run a real Apache Cassandra 5.0.x node on loopback for the test suite.

The jars come from Maven Central (``org.apache.cassandra:cassandra-all``) through
``tests/harness/cassandra/pom.xml``; the node is a plain ``java`` subprocess running
``org.apache.cassandra.service.CassandraDaemon`` with a generated cassandra.yaml.
Facts behind the flags are in docs/cassandra-harness.md.

CLI::

    python -m tests.harness.cassandra fetch
    python -m tests.harness.cassandra run --workdir /tmp/c1 --port 9042
"""

from __future__ import annotations

import argparse
import atexit
import fcntl
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Mapping, Optional, Sequence

VERSION = "5.0.9"
CACHE_DIR = Path(os.environ.get("CADENCE_PY_CACHE") or "~/.cache/cadence-py").expanduser()
POM = Path(__file__).resolve().parent / "cassandra" / "pom.xml"
_MARKER = ".complete"  # written last, so an interrupted fetch is redone

# From conf/jvm17-server.options of Cassandra 5.0 (+ java.nio, as cassandra-unit adds): without
# these JPMS openings jamm, netty, chronicle and Cassandra's own Unsafe users fail on JDK 17.
_EXPORTS = """java.base/jdk.internal.misc java.management.rmi/com.sun.jmx.remote.internal.rmi
    java.rmi/sun.rmi.registry java.rmi/sun.rmi.server java.sql/java.sql java.base/java.lang.ref
    jdk.unsupported/sun.misc jdk.compiler/com.sun.tools.javac.file jdk.attach/sun.tools.attach"""
_OPENS = """java.base/java.lang.module java.base/jdk.internal.loader java.base/jdk.internal.ref
    java.base/jdk.internal.reflect java.base/jdk.internal.math java.base/jdk.internal.module
    java.base/jdk.internal.util.jar jdk.management/com.sun.management.internal java.base/sun.nio.ch
    java.base/java.io java.base/java.lang.reflect jdk.compiler/com.sun.tools.javac
    java.base/java.lang java.base/java.util java.base/java.nio"""
_JPMS_FLAGS = [f"--add-exports={m}=ALL-UNNAMED" for m in _EXPORTS.split()] + \
    [f"--add-opens={m}=ALL-UNNAMED" for m in _OPENS.split()]

_RUNNING: "set[CassandraNode]" = set()  # stopped at interpreter exit, see _stop_all

# INFO to stdout (= cassandra.log). Without a config logback would log DEBUG to stdout.
_LOGBACK = """<configuration><appender name="OUT" class="ch.qos.logback.core.ConsoleAppender">
<encoder><pattern>%-5level [%thread] %date{ISO8601} %logger{0}:%line - %msg%n</pattern></encoder>
</appender><root level="INFO"><appender-ref ref="OUT"/></root></configuration>
"""


def lib_dir(cache_dir: Optional[Path] = None, version: str = VERSION) -> Path:
    return Path(cache_dir or CACHE_DIR) / f"cassandra-{version}" / "lib"


def fetch(cache_dir: Optional[Path] = None, version: str = VERSION) -> Path:
    """Resolve Cassandra's jars into ``<cache>/cassandra-<version>/lib`` (idempotent).

    Maven runs only when the lib dir lacks its completion marker. An flock serialises
    concurrent callers (pytest-xdist workers); jars land in a temp dir renamed into place,
    so a killed fetch never looks complete.
    """
    cache = Path(cache_dir or CACHE_DIR)
    lib = lib_dir(cache, version)
    done = lambda: (lib / _MARKER).exists() and (lib / f"cassandra-all-{version}.jar").exists()  # noqa: E731
    if done():
        return lib
    mvn = shutil.which("mvn")
    if mvn is None:
        raise RuntimeError("mvn not found on PATH; install Maven to fetch Cassandra's jars")
    lib.parent.mkdir(parents=True, exist_ok=True)
    with open(lib.parent / ".fetch.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if done():
            return lib
        tmp = Path(tempfile.mkdtemp(prefix="lib.", dir=lib.parent))
        cmd = [mvn, "-q", "-B", "-f", str(POM), f"-Dmaven.repo.local={cache / 'm2'}",
               f"-Dcassandra.version={version}", "dependency:copy-dependencies",
               f"-DoutputDirectory={tmp}", "-DincludeScope=runtime"]
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if proc.returncode != 0 or not (tmp / f"cassandra-all-{version}.jar").exists():
            shutil.rmtree(tmp, ignore_errors=True)
            raise RuntimeError(f"mvn failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stdout[-4000:]}")
        (tmp / _MARKER).write_text(version + "\n")
        shutil.rmtree(lib, ignore_errors=True)
        tmp.rename(lib)
    return lib


def _min_heap(heap: str) -> str:
    """-Xms for ``heap``: 256M, or ``heap`` itself if that is smaller."""
    units = {"k": 1 / 1024, "m": 1, "g": 1024}
    mib = float(heap[:-1]) * units[heap[-1].lower()] if heap[-1].lower() in units else float(heap) / 2**20
    return heap if mib <= 256 else "256M"


def _java() -> str:
    home = os.environ.get("JAVA_HOME")
    return str(Path(home) / "bin" / "java") if home else (shutil.which("java") or "java")


def free_port() -> int:
    """An ephemeral loopback port that was free a moment ago (racy, but fine for tests)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class CassandraError(RuntimeError):
    """The node failed to start or died; the message carries the tail of its log."""


class CassandraNode:
    """One single-node Cassandra cluster on 127.0.0.1, data and log under ``workdir``."""

    def __init__(self, workdir: os.PathLike[str] | str, native_port: Optional[int] = None,
                 storage_port: Optional[int] = None, heap: str = "1G",
                 jmx_port: Optional[int] = None, cache_dir: Optional[Path] = None,
                 version: str = VERSION, extra_config: Optional[Mapping[str, Any]] = None,
                 jvm_opts: Sequence[str] = ()) -> None:
        """``native_port``/``storage_port`` default to free ports; ``jmx_port=None`` leaves
        JMX off (nodetool then cannot connect); ``extra_config`` overrides yaml keys;
        ``jvm_opts`` go after ours (so e.g. ``-XX:TieredStopAtLevel=4`` wins)."""
        self.workdir = Path(workdir).resolve()
        self.contact_point = "127.0.0.1"
        self.port = native_port or free_port()
        self.storage_port = storage_port or free_port()
        self.heap = heap
        self.jmx_port = jmx_port
        self.cache_dir = cache_dir
        self.version = version
        self.extra_config = dict(extra_config or {})
        self.jvm_opts = list(jvm_opts)
        self.log_path = self.workdir / "cassandra.log"
        self.proc: Optional[subprocess.Popen[bytes]] = None

    def config(self) -> dict[str, Any]:
        """cassandra.yaml contents. 5.0 rejects unknown keys and wants unit-suffixed values."""
        d = self.workdir / "data"
        cfg: dict[str, Any] = {
            "cluster_name": "cadence-py-test",
            "num_tokens": 1,  # one token: less ring/system-table work on first boot
            "initial_token": "0",  # deterministic; avoids the random-token warning
            "partitioner": "org.apache.cassandra.dht.Murmur3Partitioner",
            "endpoint_snitch": "SimpleSnitch",
            "listen_address": self.contact_point,
            "rpc_address": self.contact_point,
            "storage_port": self.storage_port,
            "native_transport_port": self.port,
            "start_native_transport": True,
            "seed_provider": [{"class_name": "org.apache.cassandra.locator.SimpleSeedProvider",
                               "parameters": [{"seeds": self.contact_point}]}],
            "data_file_directories": [str(d / "data")],
            "commitlog_directory": str(d / "commitlog"),
            "saved_caches_directory": str(d / "saved_caches"),
            "hints_directory": str(d / "hints"),
            "cdc_raw_directory": str(d / "cdc_raw"),
            "commitlog_sync": "periodic",
            "commitlog_sync_period": "10000ms",
            "auto_snapshot": False,  # DROP/TRUNCATE in tests would otherwise snapshot to disk
            "incremental_backups": False,
            "hinted_handoff_enabled": False,
            "dynamic_snitch": False,
            "memtable_allocation_type": "heap_buffers",
            "concurrent_compactors": 1,
            "compaction_throughput": "0MiB/s",  # unthrottled; tests write little
        }
        cfg.update(self.extra_config)
        return cfg

    def command(self, lib: Path) -> list[str]:
        jamm = sorted(lib.glob("jamm-*.jar"))
        if not jamm:
            raise CassandraError(f"no jamm-*.jar in {lib}; refetch")
        props = {
            "cassandra.config": (self.workdir / "cassandra.yaml").as_uri(),
            "cassandra.storagedir": str(self.workdir / "data"),
            "cassandra.logdir": str(self.workdir / "logs"),
            "logback.configurationFile": str(self.workdir / "logback.xml"),
            "cassandra-foreground": "yes",  # keep logging to stdout (our log file)
            # Single seed node: nothing to wait for. Saves the ~8 s gossip settle loop.
            "cassandra.skip_wait_for_gossip_to_settle": "0",
            "cassandra.ring_delay_ms": "1000",
            # No fsync of system tables: big win on slow disks; data loss only on crash.
            "cassandra.unsafesystem": "true",
            "cassandra.superuser_setup_delay_ms": "0",
            # 5.0 measures SkipListMemtable's per-row overhead with jamm at boot (seconds of CPU
            # on 2 cores); 180 is what it measures on 64-bit JDK 17 with compressed oops.
            "cassandra.memtable.row_overhead_size": "180",
            # Single node: no peers to tell about shutdown/quiesce (saves ~4 s per stop).
            "cassandra.shutdown_announce_in_ms": "0",
            "cassandra.test.messagingService.nonGracefulShutdown": "true",
            "cassandra.triggers_dir": str(self.workdir / "triggers"),
            "java.net.preferIPv4Stack": "true",
            "jdk.attach.allowAttachSelf": "true",  # jamm / in-JVM tools attach to self
            "io.netty.tryReflectionSetAccessible": "true",
            "io.netty.allocator.useCacheForAllThreads": "true",
            "io.netty.allocator.maxOrder": "11",
            "chronicle.analytics.disable": "true",  # never phone home (no internet here)
            "chronicle.announcer.disable": "true",
        }
        if self.jmx_port:  # local-only JMX (binds 127.0.0.1); unset = JMX disabled
            props["cassandra.jmx.local.port"] = str(self.jmx_port)
        return [
            # Small -Xms on purpose: CassandraDaemon always calls mlockall(MCL_CURRENT), which
            # (as root) faults in and pins the whole committed heap: +1 GB RSS, +2 s at boot.
            _java(), f"-Xms{_min_heap(self.heap)}", f"-Xmx{self.heap}", "-Xss256k",
            "-XX:+UseG1GC", "-XX:+ParallelRefProcEnabled", "-XX:MaxTenuringThreshold=1",
            "-XX:MaxGCPauseMillis=300", "-XX:+UseThreadPriorities", "-XX:+PerfDisableSharedMem",
            "-XX:+ExitOnOutOfMemoryError",  # die loudly rather than limp on
            # C1 only: halves boot CPU (~8.4 -> ~4.6 CPU-s) and, for light test traffic on
            # 2 cores, beats C2 too since C2 compiles never pay back. Override via jvm_opts.
            "-XX:TieredStopAtLevel=1",
            "-ea", "-da:net.openhft...",  # as bin/cassandra: asserts on, not for chronicle
            f"-javaagent:{jamm[-1]}",  # Cassandra measures memtable sizes with jamm
            *_JPMS_FLAGS, *(f"-D{k}={v}" for k, v in props.items()), *self.jvm_opts,
            "-cp", f"{lib}/*", "org.apache.cassandra.service.CassandraDaemon",
        ]

    def start(self, timeout: float = 180) -> "CassandraNode":
        """Write config, launch the JVM, and block until a CQL session connects."""
        if self.proc is not None and self.proc.poll() is None:
            return self
        lib = fetch(self.cache_dir, self.version)
        (self.workdir / "triggers").mkdir(parents=True, exist_ok=True)
        (self.workdir / "cassandra.yaml").write_text(json.dumps(self.config(), indent=1))  # JSON is YAML
        (self.workdir / "logback.xml").write_text(_LOGBACK)
        cmd = self.command(lib)
        # The JVM gets its own session so a terminal Ctrl-C reaches only us (we then stop it
        # cleanly). To not orphan it if we are SIGKILLed, setpriv (util-linux) sets
        # PR_SET_PDEATHSIG; that fires when the *forking thread* exits, so main thread only.
        setpriv = shutil.which("setpriv")
        if setpriv and threading.current_thread() is threading.main_thread():
            cmd = [setpriv, "--pdeathsig", "TERM", *cmd]
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log,
                                         stderr=subprocess.STDOUT, cwd=self.workdir,
                                         start_new_session=True)
        _RUNNING.add(self)
        deadline = time.monotonic() + timeout
        try:
            self._wait_ready(deadline)
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_ready(self, deadline: float) -> None:
        assert self.proc is not None
        last: Optional[BaseException] = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise CassandraError(f"Cassandra exited with {self.proc.returncode}\n{self.log_tail()}")
            if "Starting listening for CQL clients" in self.log_path.read_text(errors="replace"):
                try:
                    self._cql_ping()
                    return
                except Exception as e:  # noqa: BLE001 - keep polling until the deadline
                    last = e
            time.sleep(0.5)
        raise CassandraError(f"Cassandra not ready on {self.contact_point}:{self.port} "
                             f"(last error: {last!r})\n{self.log_tail()}")

    def _cql_ping(self) -> None:
        from cassandra.cluster import Cluster  # the driver, not this module

        cluster = Cluster([self.contact_point], port=self.port, connect_timeout=5)
        try:
            cluster.connect().execute("SELECT release_version FROM system.local")
        finally:
            cluster.shutdown()

    def log_tail(self, lines: int = 60) -> str:
        try:
            text = self.log_path.read_text(errors="replace").splitlines()
        except OSError:
            return "(no log)"
        return "--- tail of %s ---\n%s" % (self.log_path, "\n".join(text[-lines:]))

    def nodetool(self, *args: str) -> str:
        """Run nodetool from the same jars (needs ``jmx_port``); it needs the JPMS flags too."""
        if not self.jmx_port:
            raise CassandraError("nodetool needs CassandraNode(jmx_port=...)")
        lib = lib_dir(self.cache_dir, self.version)
        cmd = [_java(), "-XX:TieredStopAtLevel=1", *_JPMS_FLAGS, "-cp", f"{lib}/*",
               f"-Duser.home={self.workdir}",  # its history file goes to ~/.cassandra
               f"-Dlogback.configurationFile={self.workdir / 'logback.xml'}",
               "org.apache.cassandra.tools.NodeTool", "-h", self.contact_point,
               "-p", str(self.jmx_port), *args]
        return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout

    def pid(self) -> Optional[int]:
        return self.proc.pid if self.proc else None

    def stop(self, timeout: float = 30) -> None:
        """SIGTERM (Cassandra's shutdown hook flushes and exits), then SIGKILL after ``timeout``."""
        proc, self.proc = self.proc, None
        _RUNNING.discard(self)
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    def __enter__(self) -> "CassandraNode":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


@atexit.register
def _stop_all() -> None:
    for node in list(_RUNNING):
        node.stop(timeout=10)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: Optional[list[str]] = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tests.harness.cassandra")
    sub = ap.add_subparsers(dest="cmd", required=True)
    f = sub.add_parser("fetch", help="resolve the jars into the cache")
    f.add_argument("--cache-dir", type=Path)
    r = sub.add_parser("run", help="run a node in the foreground until Ctrl-C")
    r.add_argument("--workdir", type=Path, required=True)
    r.add_argument("--port", type=int, default=9042, help="CQL port; 0 = a free one")
    r.add_argument("--heap", default="1G")
    r.add_argument("--jmx-port", type=int)
    args = ap.parse_args(argv)
    if args.cmd == "fetch":
        t = time.monotonic()
        print(f"{fetch(args.cache_dir)} ({time.monotonic() - t:.1f}s)")
        return 0
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):  # SIGINT may be inherited SIG_IGN
        signal.signal(sig, _interrupt)
    node = CassandraNode(args.workdir, native_port=args.port, heap=args.heap, jmx_port=args.jmx_port)
    t = time.monotonic()
    node.start()
    print(f"Cassandra {VERSION} ready on {node.contact_point}:{node.port} in "
          f"{time.monotonic() - t:.1f}s (pid {node.pid()}, log {node.log_path}); Ctrl-C stops it",
          flush=True)
    try:
        assert node.proc is not None
        node.proc.wait()
        print(node.log_tail(), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        node.stop()


if __name__ == "__main__":
    sys.exit(main())
