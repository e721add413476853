"""Run a real Elasticsearch 7.10.2 node on loopback for the test suite.

Maven resolves the server jar, the Netty4 network plugin and log4j from Maven Central
(``tests/harness/elasticsearch/pom.xml``); ``javac`` then compiles our launcher
``tests/harness/elasticsearch/EsNode.java`` (a ``Node`` subclass that takes Netty4Plugin
from the classpath) into a jar next to them. The node is a plain ``java`` subprocess.
Facts behind the flags are in docs/elasticsearch-harness.md. Process handling, the locked
jar fetch and the CLI are shared with the Cassandra harness in ``jvm_node.py``.

CLI::

    python -m tests.harness.elasticsearch fetch
    python -m tests.harness.elasticsearch run --workdir /tmp/es1 --port 9200
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sys
import time
import urllib.request
import zipfile
from pathlib import Path
from typing import Any, Mapping, Optional, Sequence

from tests.harness import jvm_node
from tests.harness.jvm_node import CACHE_DIR, JvmNode, JvmNodeError, cli, jdk_tool, run_tool

VERSION = "7.10.2"
SOURCE_DIR = Path(__file__).resolve().parent / "elasticsearch"
POM = SOURCE_DIR / "pom.xml"
LAUNCHER_SRC = SOURCE_DIR / "EsNode.java"
LAUNCHER_JAR = "cadence-py-esnode.jar"
_READY = re.compile(r"^EsNode ready http=(\S+):(\d+) transport=\S+$", re.M)

# The distribution's launcher would add these; an embedded node gets only what we pass.
_SYSTEM_PROPS = {
    # Build.java reads the flavor from this property (else "unknown"); elasticsearch-py
    # 7.14+ refuses a server whose build_flavor is not "default".
    "es.distribution.flavor": "default",
    # No MBeans from log4j (nothing reads them; saves start time).
    "log4j2.disable.jmx": "true",
    # EsNode's own hook closes the node and then log4j, so the closing lines are logged.
    "log4j2.shutdownHookEnabled": "false",
    # As the distribution's jvm.options: CLDR week/era data differs from what ES 7 expects
    # for locale-dependent date formats; COMPAT is still in JDK 17.
    "java.locale.providers": "SPI,COMPAT",
    # Netty settings from the distribution's jvm.options.
    "io.netty.noUnsafe": "true",
    "io.netty.noKeySetOptimization": "true",
    "io.netty.recycler.maxCapacityPerThread": "0",
    "file.encoding": "UTF-8",
    "java.net.preferIPv4Stack": "true",
}

# Everything at INFO on stdout (= the node's log file); there is no log4j2.properties in
# the jars, and the distribution's one needs the %node_name converter set up by Bootstrap.
_LOG4J2 = """\
status = error
appender.out.type = Console
appender.out.name = out
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = [%d{ISO8601}][%-5p][%c{1.}] [%t] %m%n
rootLogger.level = info
rootLogger.appenderRef.out.ref = out
"""


def home_dir(cache_dir: Optional[Path] = None, version: str = VERSION) -> Path:
    return Path(cache_dir or CACHE_DIR) / f"elasticsearch-{version}"


def lib_dir(cache_dir: Optional[Path] = None, version: str = VERSION) -> Path:
    return home_dir(cache_dir, version) / "lib"


def source_stamp(version: str = VERSION) -> str:
    """Changes whenever the pom, the launcher source or the version does."""
    digest = hashlib.sha256(version.encode())
    for path in (POM, LAUNCHER_SRC):
        digest.update(b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def is_fetched(cache_dir: Optional[Path] = None, version: str = VERSION) -> bool:
    return jvm_node.is_fetched(lib_dir(cache_dir, version), source_stamp(version),
                               f"elasticsearch-{version}.jar", LAUNCHER_JAR)


def fetch(cache_dir: Optional[Path] = None, version: str = VERSION) -> Path:
    """Jars plus our compiled launcher into ``<cache>/elasticsearch-<version>/lib`` (idempotent).

    Does nothing when the lib dir's marker holds the current ``source_stamp``; otherwise
    Maven copies the runtime dependencies and javac builds the launcher (see
    ``jvm_node.fetch_locked`` for the locking and the temp dir).
    """
    cache = Path(cache_dir or CACHE_DIR)

    def build(tmp: Path) -> None:
        javac = jdk_tool("javac")
        if javac is None:
            raise RuntimeError("need javac (a JDK) on PATH to build Elasticsearch's launcher")
        jvm_node.mvn_copy_dependencies(POM, tmp, cache, **{"elasticsearch.version": version})
        _build_launcher(javac, tmp)

    return jvm_node.fetch_locked(lib_dir(cache, version), source_stamp(version), build,
                                 f"elasticsearch-{version}.jar", LAUNCHER_JAR)


def _build_launcher(javac: str, lib: Path) -> None:
    """Compile EsNode.java against ``lib`` and pack the classes as ``lib/<LAUNCHER_JAR>``."""
    classes = lib / "classes.tmp"
    run_tool([javac, "-nowarn", "-encoding", "UTF-8", "-cp", f"{lib}/*", "-d", str(classes),
              str(LAUNCHER_SRC)], "javac")
    with zipfile.ZipFile(lib / LAUNCHER_JAR, "w", zipfile.ZIP_DEFLATED) as jar:
        for cls in sorted(classes.rglob("*.class")):
            jar.write(cls, cls.relative_to(classes).as_posix())
    shutil.rmtree(classes)


class ElasticsearchError(JvmNodeError):
    """The node failed to start or died; the message carries the tail of its log."""


class ElasticsearchNode(JvmNode):
    """One single-node Elasticsearch cluster on 127.0.0.1; home, data and log under ``workdir``."""

    name = "Elasticsearch"
    error = ElasticsearchError
    poll_interval = 0.25
    # Not answering yet (OSError, incl. HTTPError such as a 408 while red), or not yet yellow.
    probe_errors = (OSError, ValueError, ElasticsearchError)

    def __init__(self, workdir: os.PathLike[str] | str, http_port: int = 0, heap: str = "512m",
                 cache_dir: Optional[Path] = None, version: str = VERSION,
                 settings: Optional[Mapping[str, Any]] = None, jvm_opts: Sequence[str] = ()) -> None:
        """``http_port=0`` lets the node bind a free port itself (no race); ``settings``
        override node settings; ``jvm_opts`` go after ours, so they win."""
        super().__init__(workdir, "elasticsearch.log")
        self.host = "127.0.0.1"
        self.http_port = http_port
        self.heap = heap
        self.cache_dir = cache_dir
        self.version = version
        self.extra_settings = dict(settings or {})
        self.jvm_opts = list(jvm_opts)
        self.port: Optional[int] = None  # the bound HTTP port, known once started

    @property
    def url(self) -> str:
        if self.port is None:
            raise ElasticsearchError("Elasticsearch node is not started")
        return f"http://{self.host}:{self.port}"

    def settings(self) -> dict[str, str]:
        w = self.workdir
        out = {
            "path.home": str(w / "home"),
            "path.data": str(w / "data"),
            "path.logs": str(w / "logs"),
            "cluster.name": "cadence-py-test",
            "node.name": "cadence-py-es",
            "network.host": self.host,
            "http.port": str(self.http_port),
            "transport.port": "0",
            # One node: no discovery, no master election wait, no production bootstrap checks.
            "discovery.type": "single-node",
            # The only network layer we load; set explicitly so nothing else is looked for.
            "http.type": "netty4",
            "transport.type": "netty4",
            # Disk watermarks are about this machine's disk, not about the tests: a full-ish
            # disk would stop shard allocation and turn indices read-only.
            "cluster.routing.allocation.disk.threshold_enabled": "false",
        }
        out.update({k: str(v).lower() if isinstance(v, bool) else str(v)
                    for k, v in self.extra_settings.items()})
        return out

    def command(self, lib: Path) -> list[str]:
        props = dict(_SYSTEM_PROPS)
        props["log4j.configurationFile"] = str(self.workdir / "log4j2.properties")
        props["java.io.tmpdir"] = str(self.workdir / "tmp")
        return [
            jdk_tool("java") or "java", f"-Xms{self.heap}", f"-Xmx{self.heap}",
            "-XX:+UseG1GC", "-XX:+ExitOnOutOfMemoryError", "-XX:-OmitStackTraceInFastThrow",
            "-XX:+PerfDisableSharedMem",
            # C1 only: about half the CPU to start (~8 -> ~4 CPU-s) and for test traffic on
            # 2 cores, where C2 compilations never pay back. jvm_opts may say Level=4.
            "-XX:TieredStopAtLevel=1",
            *(f"-D{k}={v}" for k, v in props.items()), *self.jvm_opts,
            "-cp", f"{lib}/*", "EsNode",
            *(f"{k}={v}" for k, v in self.settings().items()),
        ]

    def start(self, timeout: float = 120) -> "ElasticsearchNode":
        """Launch the JVM and block until HTTP answers with cluster health green or yellow."""
        return super().start(timeout)

    def _prepare(self) -> list[str]:
        lib = fetch(self.cache_dir, self.version)
        for sub in ("home", "data", "logs", "tmp"):
            (self.workdir / sub).mkdir(parents=True, exist_ok=True)
        (self.workdir / "log4j2.properties").write_text(_LOG4J2)
        return self.command(lib)

    def _is_ready(self, deadline: float) -> bool:
        if self.port is None:  # EsNode logs the bound address once it listens
            m = _READY.search(self.new_log())
            if m is None:
                return False
            self.port = int(m.group(2))
        status = self.health(wait_seconds=min(5, max(1, int(deadline - time.monotonic()))))
        if status not in ("green", "yellow"):
            raise ElasticsearchError(f"cluster health {status}")
        return True

    def endpoint(self) -> str:
        return self.url if self.port is not None else f"http://{self.host} (port not yet known)"

    def health(self, wait_seconds: int = 0) -> str:
        """The cluster's health status; waits up to ``wait_seconds`` for at least yellow."""
        query = f"?wait_for_status=yellow&timeout={wait_seconds}s" if wait_seconds else ""
        with urllib.request.urlopen(f"{self.url}/_cluster/health{query}",
                                    timeout=wait_seconds + 10) as resp:
            return str(json.load(resp)["status"])

    def stop(self, timeout: float = 30) -> None:
        """SIGTERM (EsNode's shutdown hook closes the node), then SIGKILL after ``timeout``."""
        self.port = None
        super().stop(timeout)


def main(argv: Optional[list[str]] = None) -> int:
    def new_node(args: Any) -> ElasticsearchNode:
        return ElasticsearchNode(args.workdir, http_port=args.port, heap=args.heap)

    return cli(argv, "python -m tests.harness.elasticsearch", fetch, new_node, port=9200,
               port_help="HTTP port; 0 = a free one", heap="512m",
               fetch_help="resolve the jars and build the launcher into the cache")


if __name__ == "__main__":
    sys.exit(main())
