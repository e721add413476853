"""Run a real Elasticsearch 7.10.2 node on loopback for the test suite.

Maven resolves the server jar, the Netty4 network plugin and log4j from Maven Central
(``tests/harness/elasticsearch/pom.xml``); ``javac`` then compiles our launcher
``tests/harness/elasticsearch/EsNode.java`` (a ``Node`` subclass that takes Netty4Plugin
from the classpath) into a jar next to them. The node is a plain ``java`` subprocess.
Facts behind the flags are in docs/elasticsearch-harness.md.

CLI::

    python -m tests.harness.elasticsearch fetch
    python -m tests.harness.elasticsearch run --workdir /tmp/es1 --port 9200
"""

from __future__ import annotations

import argparse
import atexit
import fcntl
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import zipfile
from pathlib import Path
from typing import Any, Mapping, Optional, Sequence

VERSION = "7.10.2"
CACHE_DIR = Path(os.environ.get("CADENCE_PY_CACHE") or "~/.cache/cadence-py").expanduser()
SOURCE_DIR = Path(__file__).resolve().parent / "elasticsearch"
POM = SOURCE_DIR / "pom.xml"
LAUNCHER_SRC = SOURCE_DIR / "EsNode.java"
LAUNCHER_JAR = "cadence-py-esnode.jar"
_MARKER = ".complete"  # holds the source stamp; written last, so a killed fetch is redone
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

_RUNNING: "set[ElasticsearchNode]" = set()  # stopped at interpreter exit, see _stop_all


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
    lib = lib_dir(cache_dir, version)
    try:
        stamp = (lib / _MARKER).read_text().strip()
    except OSError:
        return False
    return stamp == source_stamp(version) and (lib / LAUNCHER_JAR).exists()


def jdk_tool(name: str) -> Optional[str]:
    """``java``/``javac`` from $JAVA_HOME, else from PATH."""
    home = os.environ.get("JAVA_HOME")
    if home and (Path(home) / "bin" / name).exists():
        return str(Path(home) / "bin" / name)
    return shutil.which(name)


def fetch(cache_dir: Optional[Path] = None, version: str = VERSION) -> Path:
    """Jars plus our compiled launcher into ``<cache>/elasticsearch-<version>/lib`` (idempotent).

    Does nothing when the lib dir's marker matches the current pom and launcher source;
    otherwise Maven copies the runtime dependencies and javac builds the launcher, in a temp
    dir that is renamed into place at the end. An flock serialises concurrent callers.
    """
    lib = lib_dir(cache_dir, version)
    if is_fetched(cache_dir, version):
        return lib
    mvn, javac = shutil.which("mvn"), jdk_tool("javac")
    if mvn is None or javac is None:
        raise RuntimeError("need mvn and javac (a JDK) on PATH to fetch Elasticsearch "
                           f"(mvn={mvn}, javac={javac})")
    cache = Path(cache_dir or CACHE_DIR)
    lib.parent.mkdir(parents=True, exist_ok=True)
    with open(lib.parent / ".fetch.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if is_fetched(cache_dir, version):
            return lib
        tmp = Path(tempfile.mkdtemp(prefix="lib.", dir=lib.parent))
        try:
            _resolve_jars(mvn, cache / "m2", version, tmp)
            _build_launcher(javac, tmp)
            (tmp / _MARKER).write_text(source_stamp(version) + "\n")
            shutil.rmtree(lib, ignore_errors=True)
            tmp.rename(lib)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return lib


def _run_tool(cmd: list[str], what: str) -> None:
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{what} failed ({proc.returncode}): {' '.join(cmd)}\n"
                           f"{proc.stdout[-4000:]}")


def _resolve_jars(mvn: str, repo: Path, version: str, out: Path) -> None:
    _run_tool([mvn, "-q", "-B", "-f", str(POM), f"-Dmaven.repo.local={repo}",
               f"-Delasticsearch.version={version}", "dependency:copy-dependencies",
               f"-DoutputDirectory={out}", "-DincludeScope=runtime"], "mvn")
    if not (out / f"elasticsearch-{version}.jar").exists():
        raise RuntimeError(f"mvn did not produce elasticsearch-{version}.jar in {out}")


def _build_launcher(javac: str, lib: Path) -> None:
    """Compile EsNode.java against ``lib`` and pack the classes as ``lib/<LAUNCHER_JAR>``."""
    classes = lib / "classes.tmp"
    _run_tool([javac, "-nowarn", "-encoding", "UTF-8", "-cp", f"{lib}/*", "-d", str(classes),
               str(LAUNCHER_SRC)], "javac")
    with zipfile.ZipFile(lib / LAUNCHER_JAR, "w", zipfile.ZIP_DEFLATED) as jar:
        for cls in sorted(classes.rglob("*.class")):
            jar.write(cls, cls.relative_to(classes).as_posix())
    shutil.rmtree(classes)


class ElasticsearchError(RuntimeError):
    """The node failed to start or died; the message carries the tail of its log."""


class ElasticsearchNode:
    """One single-node Elasticsearch cluster on 127.0.0.1; home, data and log under ``workdir``."""

    def __init__(self, workdir: os.PathLike[str] | str, http_port: int = 0, heap: str = "512m",
                 cache_dir: Optional[Path] = None, version: str = VERSION,
                 settings: Optional[Mapping[str, Any]] = None, jvm_opts: Sequence[str] = ()) -> None:
        """``http_port=0`` lets the node bind a free port itself (no race); ``settings``
        override node settings; ``jvm_opts`` go after ours, so they win."""
        self.workdir = Path(workdir).resolve()
        self.host = "127.0.0.1"
        self.http_port = http_port
        self.heap = heap
        self.cache_dir = cache_dir
        self.version = version
        self.extra_settings = dict(settings or {})
        self.jvm_opts = list(jvm_opts)
        self.log_path = self.workdir / "elasticsearch.log"
        self.port: Optional[int] = None  # the bound HTTP port, known once started
        self.proc: Optional[subprocess.Popen[bytes]] = None

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
        if self.proc is not None and self.proc.poll() is None:
            return self
        lib = fetch(self.cache_dir, self.version)
        for sub in ("home", "data", "logs", "tmp"):
            (self.workdir / sub).mkdir(parents=True, exist_ok=True)
        (self.workdir / "log4j2.properties").write_text(_LOG4J2)
        cmd = self.command(lib)
        # Own session: a terminal Ctrl-C reaches only Python, which then stops the node.
        # setpriv's PDEATHSIG (fires when the forking *thread* exits, so main thread only)
        # stops the JVM if Python is SIGKILLed.
        setpriv = shutil.which("setpriv")
        if setpriv and threading.current_thread() is threading.main_thread():
            cmd = [setpriv, "--pdeathsig", "TERM", *cmd]
        log_offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log,
                                         stderr=subprocess.STDOUT, cwd=self.workdir,
                                         start_new_session=True)
        _RUNNING.add(self)
        try:
            self._wait_ready(time.monotonic() + timeout, log_offset)
        except BaseException as exc:
            self.stop()
            if isinstance(exc, ElasticsearchError):
                print(exc, file=sys.stderr)
            raise
        return self

    def _wait_ready(self, deadline: float, log_offset: int) -> None:
        assert self.proc is not None
        last: Optional[BaseException] = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise ElasticsearchError(
                    f"Elasticsearch exited with {self.proc.returncode}\n{self.log_tail()}")
            if self.port is None:
                with open(self.log_path, "rb") as f:
                    f.seek(log_offset)
                    m = _READY.search(f.read().decode(errors="replace"))
                if m:
                    self.port = int(m.group(2))
            if self.port is not None:
                try:
                    status = self.health(wait_seconds=min(5, max(1, int(deadline - time.monotonic()))))
                    if status in ("green", "yellow"):
                        return
                    last = ElasticsearchError(f"cluster health {status}")
                except (OSError, ValueError) as e:  # not answering yet, or a 408 while red
                    last = e
            time.sleep(0.25)
        raise ElasticsearchError(f"Elasticsearch not ready (port {self.port}, last error: "
                                 f"{last!r})\n{self.log_tail()}")

    def health(self, wait_seconds: int = 0) -> str:
        """The cluster's health status; waits up to ``wait_seconds`` for at least yellow."""
        query = f"?wait_for_status=yellow&timeout={wait_seconds}s" if wait_seconds else ""
        with urllib.request.urlopen(f"{self.url}/_cluster/health{query}",
                                    timeout=wait_seconds + 10) as resp:
            return str(json.load(resp)["status"])

    def log_tail(self, lines: int = 60) -> str:
        try:
            text = self.log_path.read_text(errors="replace").splitlines()
        except OSError:
            return "(no log)"
        return "--- tail of %s ---\n%s" % (self.log_path, "\n".join(text[-lines:]))

    def pid(self) -> Optional[int]:
        return self.proc.pid if self.proc else None

    def stop(self, timeout: float = 30) -> None:
        """SIGTERM (EsNode's shutdown hook closes the node), then SIGKILL after ``timeout``."""
        proc, self.proc = self.proc, None
        self.port = None
        _RUNNING.discard(self)
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    def __enter__(self) -> "ElasticsearchNode":
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
    ap = argparse.ArgumentParser(prog="python -m tests.harness.elasticsearch")
    sub = ap.add_subparsers(dest="cmd", required=True)
    f = sub.add_parser("fetch", help="resolve the jars and build the launcher into the cache")
    f.add_argument("--cache-dir", type=Path)
    r = sub.add_parser("run", help="run a node in the foreground until Ctrl-C")
    r.add_argument("--workdir", type=Path, required=True)
    r.add_argument("--port", type=int, default=9200, help="HTTP port; 0 = a free one")
    r.add_argument("--heap", default="512m")
    args = ap.parse_args(argv)
    if args.cmd == "fetch":
        t = time.monotonic()
        print(f"{fetch(args.cache_dir)} ({time.monotonic() - t:.1f}s)")
        return 0
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):  # SIGINT may be inherited SIG_IGN
        signal.signal(sig, _interrupt)
    node = ElasticsearchNode(args.workdir, http_port=args.port, heap=args.heap)
    t = time.monotonic()
    try:
        node.start()
    except ElasticsearchError:
        return 1  # start() already printed the log tail
    print(f"Elasticsearch {VERSION} ready at {node.url} in {time.monotonic() - t:.1f}s "
          f"(pid {node.pid()}, log {node.log_path}); Ctrl-C stops it", flush=True)
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
