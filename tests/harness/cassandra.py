"""Run a real Apache Cassandra 5.0.x node on loopback for the test suite.

The jars come from Maven Central (``org.apache.cassandra:cassandra-all``) through
``tests/harness/cassandra/pom.xml``; the node is a plain ``java`` subprocess running
``org.apache.cassandra.service.CassandraDaemon`` with a generated cassandra.yaml.
Facts behind the flags are in docs/cassandra-harness.md. Process handling, the locked
jar fetch and the CLI are shared with the Elasticsearch harness in ``jvm_node.py``.

CLI::

    python -m tests.harness.cassandra fetch
    python -m tests.harness.cassandra run --workdir /tmp/c1 --port 9042
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any, Mapping, Optional, Sequence

from tests.harness.jvm_node import CACHE_DIR, JvmNode, JvmNodeError, cli, fetch_locked, jdk_tool
from tests.harness.jvm_node import MARKER as _MARKER  # noqa: F401 - tests/conftest.py reads it
from tests.harness.jvm_node import mvn_copy_dependencies

VERSION = "5.0.9"
POM = Path(__file__).resolve().parent / "cassandra" / "pom.xml"

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

# INFO to stdout (= cassandra.log). Without a config logback would log DEBUG to stdout.
_LOGBACK = """<configuration><appender name="OUT" class="ch.qos.logback.core.ConsoleAppender">
<encoder><pattern>%-5level [%thread] %date{ISO8601} %logger{0}:%line - %msg%n</pattern></encoder>
</appender><root level="INFO"><appender-ref ref="OUT"/></root></configuration>
"""


def lib_dir(cache_dir: Optional[Path] = None, version: str = VERSION) -> Path:
    return Path(cache_dir or CACHE_DIR) / f"cassandra-{version}" / "lib"


def fetch(cache_dir: Optional[Path] = None, version: str = VERSION) -> Path:
    """Resolve Cassandra's jars into ``<cache>/cassandra-<version>/lib`` (idempotent).

    Maven runs only when the lib dir lacks its completion marker (which holds the version);
    see ``jvm_node.fetch_locked`` for the locking.
    """
    cache = Path(cache_dir or CACHE_DIR)
    return fetch_locked(lib_dir(cache, version), version,
                        lambda tmp: mvn_copy_dependencies(POM, tmp, cache,
                                                          **{"cassandra.version": version}),
                        f"cassandra-all-{version}.jar")


def _min_heap(heap: str) -> str:
    """-Xms for ``heap``: 256M, or ``heap`` itself if that is smaller."""
    units = {"k": 1 / 1024, "m": 1, "g": 1024}
    mib = float(heap[:-1]) * units[heap[-1].lower()] if heap[-1].lower() in units else float(heap) / 2**20
    return heap if mib <= 256 else "256M"


def free_port() -> int:
    """An ephemeral loopback port that was free a moment ago (racy, but fine for tests)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class CassandraError(JvmNodeError):
    """The node failed to start or died; the message carries the tail of its log."""


class CassandraNode(JvmNode):
    """One single-node Cassandra cluster on 127.0.0.1, data and log under ``workdir``."""

    name = "Cassandra"
    error = CassandraError

    def __init__(self, workdir: os.PathLike[str] | str, native_port: Optional[int] = None,
                 storage_port: Optional[int] = None, heap: str = "1G",
                 jmx_port: Optional[int] = None, cache_dir: Optional[Path] = None,
                 version: str = VERSION, extra_config: Optional[Mapping[str, Any]] = None,
                 jvm_opts: Sequence[str] = (), durable_system: bool = False) -> None:
        """``native_port``/``storage_port`` default to free ports; ``jmx_port=None`` leaves
        JMX off (nodetool then cannot connect); ``extra_config`` overrides yaml keys;
        ``jvm_opts`` go after ours (so e.g. ``-XX:TieredStopAtLevel=4`` wins).

        ``durable_system``: a node that keeps what it acknowledged through kill -9, for
        fault tests that kill it and start it again: the system keyspaces keep their
        commit log (no ``cassandra.unsafesystem``: with it a killed node forgets every
        keyspace and table made since it started, and its Paxos state), and the commit log
        is synced before writes are acknowledged (see ``config``)."""
        super().__init__(workdir, "cassandra.log")
        self.contact_point = "127.0.0.1"
        self.port = native_port or free_port()
        self.storage_port = storage_port or free_port()
        self.heap = heap
        self.jmx_port = jmx_port
        self.cache_dir = cache_dir
        self.version = version
        self.extra_config = dict(extra_config or {})
        self.jvm_opts = list(jvm_opts)
        self.durable_system = durable_system

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
        if self.durable_system:
            # An acknowledged write must survive kill -9. In periodic mode the commit log
            # is replayed only up to its last sync (every 10 s here), so a killed node
            # forgot the last seconds of acknowledged writes (runs whose start had been
            # answered came back "not found"). Group mode syncs before it acknowledges,
            # a few writes per fsync.
            del cfg["commitlog_sync_period"]
            cfg.update(commitlog_sync="group", commitlog_sync_group_window="10ms")
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
        if self.durable_system:
            del props["cassandra.unsafesystem"]
        if self.jmx_port:  # local-only JMX (binds 127.0.0.1); unset = JMX disabled
            props["cassandra.jmx.local.port"] = str(self.jmx_port)
        return [
            # Small -Xms on purpose: CassandraDaemon always calls mlockall(MCL_CURRENT), which
            # (as root) faults in and pins the whole committed heap: +1 GB RSS, +2 s at boot.
            jdk_tool("java") or "java",
            f"-Xms{_min_heap(self.heap)}", f"-Xmx{self.heap}", "-Xss256k",
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
        return super().start(timeout)

    def _prepare(self) -> list[str]:
        lib = fetch(self.cache_dir, self.version)
        (self.workdir / "triggers").mkdir(parents=True, exist_ok=True)
        (self.workdir / "cassandra.yaml").write_text(json.dumps(self.config(), indent=1))  # JSON is YAML
        (self.workdir / "logback.xml").write_text(_LOGBACK)
        return self.command(lib)

    def _is_ready(self, deadline: float) -> bool:
        if "Starting listening for CQL clients" not in self.new_log():
            return False
        from cassandra.cluster import Cluster  # the driver, not this module

        cluster = Cluster([self.contact_point], port=self.port, connect_timeout=5)
        try:
            cluster.connect().execute("SELECT release_version FROM system.local")
        finally:
            cluster.shutdown()
        return True

    def endpoint(self) -> str:
        return f"{self.contact_point}:{self.port}"

    def nodetool(self, *args: str) -> str:
        """Run nodetool from the same jars (needs ``jmx_port``); it needs the JPMS flags too."""
        if not self.jmx_port:
            raise CassandraError("nodetool needs CassandraNode(jmx_port=...)")
        lib = lib_dir(self.cache_dir, self.version)
        cmd = [jdk_tool("java") or "java", "-XX:TieredStopAtLevel=1", *_JPMS_FLAGS,
               "-cp", f"{lib}/*",
               f"-Duser.home={self.workdir}",  # its history file goes to ~/.cassandra
               f"-Dlogback.configurationFile={self.workdir / 'logback.xml'}",
               "org.apache.cassandra.tools.NodeTool", "-h", self.contact_point,
               "-p", str(self.jmx_port), *args]
        return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


def yaml_item(text: str) -> tuple[str, Any]:
    """``KEY=VALUE`` from a command line; VALUE as JSON where it parses (numbers, booleans)."""
    key, sep, value = text.partition("=")
    if not sep:
        raise SystemExit(f"a cassandra.yaml override wants KEY=VALUE, got {text!r}")
    try:
        return key, json.loads(value)
    except ValueError:
        return key, value


def main(argv: Optional[list[str]] = None) -> int:
    def new_node(args: Any) -> CassandraNode:
        return CassandraNode(args.workdir, native_port=args.port, heap=args.heap,
                             jmx_port=args.jmx_port, jvm_opts=args.jvm_opt,
                             extra_config=dict(yaml_item(kv) for kv in args.yaml))

    def run_options(run: Any) -> None:
        run.add_argument("--jmx-port", type=int)
        run.add_argument("--jvm-opt", action="append", default=[], metavar="OPT",
                         help="a JVM option after ours, e.g. --jvm-opt=-XX:TieredStopAtLevel=4 "
                              "for the full JIT of a production node")
        run.add_argument("--yaml", action="append", default=[], metavar="KEY=VALUE",
                         help="a cassandra.yaml override, e.g. --yaml paxos_variant=v2")

    return cli(argv, "python -m tests.harness.cassandra", fetch, new_node, port=9042,
               port_help="CQL port; 0 = a free one", heap="1G", run_options=run_options)


if __name__ == "__main__":
    sys.exit(main())
