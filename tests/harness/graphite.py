"""Run a real statsd -> Graphite pipeline on loopback for the metrics tests.

- carbon-cache (Debian's ``graphite-carbon``) writes whisper files under a temp dir;
- the Etsy statsd daemon (npm ``statsd@0.9.0``, run by node) aggregates what
  cadence-py sends and flushes to carbon, ``legacyNamespace: false`` as in Cadence's
  docs, so counters land under ``stats.counters.<key>.{count,rate}``;
- graphite-web (Debian's ``graphite-web``, run by Debian's python3 with Django's
  runserver) serves the render and dashboard APIs over the same whisper dir.

Nothing touches /etc: every config file, database and log lives in the workdir. Debian
packages come from apt, statsd from npm into ``$CADENCE_PY_CACHE/statsd-0.9.0``.

CLI::

    python -m tests.harness.graphite fetch         # apt + npm, idempotent (make graphite)
    python -m tests.harness.graphite run --workdir /tmp/g   # foreground, Ctrl-C stops
"""

from __future__ import annotations

import argparse
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
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

from tests.harness.processes import stop_process
from tests.harness.server import free_port

STATSD_VERSION = "0.9.0"
CACHE_DIR = Path(os.environ.get("CADENCE_PY_CACHE") or "~/.cache/cadence-py").expanduser()
APT_PACKAGES = ("graphite-carbon", "graphite-web")
CARBON_CACHE = Path("/usr/bin/carbon-cache")
WHISPER_FETCH = Path("/usr/bin/whisper-fetch")
DEBIAN_PYTHON = Path("/usr/bin/python3")  # graphite-web's Django lives in Debian's python
GRAPHITE_WEB_ROOT = Path("/usr/share/graphite-web")
GRAPHITE_WEB_SETTINGS = Path("/usr/lib/python3/dist-packages/graphite/settings.py")
_MARKER = ".complete"


class GraphiteError(RuntimeError):
    """A part of the pipeline could not be installed or started."""


# ------------------------------------------------------------------ installing
def statsd_dir(cache_dir: Path | None = None) -> Path:
    return (cache_dir or CACHE_DIR) / f"statsd-{STATSD_VERSION}"


def statsd_package(cache_dir: Path | None = None) -> Path:
    """The installed ``statsd`` package dir (its backends are loaded relative to it)."""
    return statsd_dir(cache_dir) / "node_modules" / "statsd"


def missing(cache_dir: Path | None = None) -> list[str]:
    """What is not installed yet, phrased for a skip reason; empty when all is there."""
    gaps = []
    if not CARBON_CACHE.exists() or not WHISPER_FETCH.exists():
        gaps.append("graphite-carbon (apt)")
    if not GRAPHITE_WEB_SETTINGS.exists() or not DEBIAN_PYTHON.exists():
        gaps.append("graphite-web (apt)")
    if shutil.which("node") is None:
        gaps.append("node")
    if not (statsd_dir(cache_dir) / _MARKER).exists():
        gaps.append(f"statsd@{STATSD_VERSION} (npm; run `make graphite`)")
    return gaps


def _apt_installed(package: str) -> bool:
    done = subprocess.run(["dpkg-query", "-W", "-f=${Status}", package],
                          capture_output=True, text=True)
    return done.returncode == 0 and done.stdout.strip() == "install ok installed"


def install_apt() -> None:
    """apt-get install graphite-carbon graphite-web unless both are installed."""
    if shutil.which("dpkg-query") is None:
        raise GraphiteError("not a Debian system: install graphite-carbon and graphite-web")
    todo = [p for p in APT_PACKAGES if not _apt_installed(p)]
    if not todo:
        return
    if os.geteuid() != 0:
        raise GraphiteError(f"run as root (or sudo apt-get install {' '.join(todo)})")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "update", "-q"], check=True, env=env)
    subprocess.run(["apt-get", "install", "-y", "-q", "--no-install-recommends", *todo],
                   check=True, env=env)


def fetch_statsd(cache_dir: Path | None = None) -> Path:
    """npm install statsd@0.9.0 into the cache (idempotent, safe to run concurrently)."""
    target = statsd_dir(cache_dir)
    if (target / _MARKER).exists():
        return statsd_package(cache_dir)
    npm = shutil.which("npm")
    if npm is None:
        raise GraphiteError("npm not found on PATH")
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target.parent / ".statsd.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (target / _MARKER).exists():
            shutil.rmtree(target, ignore_errors=True)
            target.mkdir()
            # Optional deps are syslog/proxy helpers with native builds; the graphite
            # backend needs only generic-pool.
            subprocess.run([npm, "install", "--prefix", str(target), "--no-audit",
                            "--no-fund", "--omit=optional", "--ignore-scripts",
                            f"statsd@{STATSD_VERSION}"], check=True)
            (target / _MARKER).write_text(STATSD_VERSION)
    return statsd_package(cache_dir)


def fetch(cache_dir: Path | None = None) -> None:
    install_apt()
    fetch_statsd(cache_dir)


# ------------------------------------------------------------------ processes
def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _tcp_open(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
        return True
    except OSError:
        return False


class _Process:
    """A daemon subprocess with its own log file, stopped by pid."""

    def __init__(self, name: str, log_path: Path) -> None:
        self.name = name
        self.log_path = log_path
        self.proc: subprocess.Popen[bytes] | None = None

    def spawn(self, cmd: list[str], cwd: Path | None = None,
              env: dict[str, str] | None = None) -> None:
        # Own session: a terminal Ctrl-C reaches only Python, which stops us in order.
        # PDEATHSIG (util-linux setpriv): if the test process is SIGKILLed, the daemon
        # still gets SIGTERM. It fires when the forking *thread* exits, hence main only.
        setpriv = shutil.which("setpriv")
        if setpriv and threading.current_thread() is threading.main_thread():
            cmd = [setpriv, "--pdeathsig", "TERM", *cmd]
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                                         stdout=log, stderr=subprocess.STDOUT,
                                         start_new_session=True)

    def wait_port(self, port: int, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                raise GraphiteError(f"{self.name} exited with {self.proc.returncode}:\n"
                                    f"{self.log_tail()}")
            if _tcp_open(port):
                return
            time.sleep(0.1)
        raise GraphiteError(f"{self.name} did not listen on {port} within {timeout}s:\n"
                            f"{self.log_tail()}")

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self, timeout: float = 15) -> None:
        if self.proc is None:
            return
        stop_process(self.proc, signal.SIGTERM, timeout)
        self.proc = None


def _clean_env(**extra: str) -> dict[str, str]:
    """The environment for Debian's python3: none of our interpreter's PYTHON* vars."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env.update(extra)
    return env


class CarbonCache:
    """carbon-cache with 1-second whisper retention, listening on free loopback ports."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.whisper_dir = workdir / "whisper"
        self.line_port = free_port()
        self.pickle_port = free_port()
        self.query_port = free_port()
        self.process = _Process("carbon-cache", workdir / "carbon.log")

    def write_config(self) -> Path:
        for sub in ("whisper", "log", "pid"):
            (self.workdir / sub).mkdir(parents=True, exist_ok=True)
        conf = self.workdir / "carbon.conf"
        w = self.workdir
        # No USER: carbon would switch to _graphite, which cannot write the temp dir.
        conf.write_text(f"""[cache]
STORAGE_DIR = {w}/
LOCAL_DATA_DIR = {self.whisper_dir}/
CONF_DIR = {w}/
LOG_DIR = {w}/log/
PID_DIR = {w}/pid/
LINE_RECEIVER_INTERFACE = 127.0.0.1
LINE_RECEIVER_PORT = {self.line_port}
PICKLE_RECEIVER_INTERFACE = 127.0.0.1
PICKLE_RECEIVER_PORT = {self.pickle_port}
CACHE_QUERY_INTERFACE = 127.0.0.1
CACHE_QUERY_PORT = {self.query_port}
ENABLE_UDP_LISTENER = False
MAX_CREATES_PER_MINUTE = inf
MAX_UPDATES_PER_SECOND = inf
WHISPER_AUTOFLUSH = True
""")
        # The finest retention must not be finer than statsd's flushInterval (1 s).
        (w / "storage-schemas.conf").write_text(
            "[default]\npattern = .*\nretentions = 1s:1h,10s:1d\n")
        (w / "storage-aggregation.conf").write_text(
            "[count]\npattern = \\.count$\nxFilesFactor = 0\naggregationMethod = sum\n\n"
            "[default]\npattern = .*\nxFilesFactor = 0\naggregationMethod = average\n")
        return conf

    def start(self, timeout: float = 30) -> "CarbonCache":
        conf = self.write_config()
        # --debug keeps twistd in the foreground (no daemonizing, logs to stdout).
        self.process.spawn([str(CARBON_CACHE), f"--config={conf}", "--debug", "start"],
                           env=_clean_env())
        self.process.wait_port(self.line_port, timeout)
        return self

    def stop(self) -> None:
        self.process.stop()


class StatsdDaemon:
    """Etsy statsd on a free UDP port, flushing to carbon's line receiver."""

    def __init__(self, workdir: Path, carbon_port: int, flush_ms: int = 1000) -> None:
        self.workdir = workdir
        self.carbon_port = carbon_port
        self.flush_ms = flush_ms
        self.port = free_udp_port()
        self.mgmt_port = free_port()
        self.process = _Process("statsd", workdir / "statsd.log")

    @property
    def host_port(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self, timeout: float = 30) -> "StatsdDaemon":
        config = self.workdir / "statsd-config.js"
        config.write_text("(" + json.dumps({
            "address": "127.0.0.1", "port": self.port,
            "mgmt_address": "127.0.0.1", "mgmt_port": self.mgmt_port,
            "graphiteHost": "127.0.0.1", "graphitePort": self.carbon_port,
            "backends": ["./backends/graphite"], "flushInterval": self.flush_ms,
            "graphite": {"legacyNamespace": False}, "deleteIdleStats": True,
        }, indent=1) + ")\n")
        package = statsd_package()
        node = shutil.which("node") or "node"
        # The backend path is relative to the package, so run from inside it.
        self.process.spawn([node, "stats.js", str(config)], cwd=package)
        self.process.wait_port(self.mgmt_port, timeout)
        return self

    def stop(self) -> None:
        self.process.stop()


class GraphiteWeb:
    """graphite-web (Django runserver) over carbon's whisper dir and cache."""

    def __init__(self, workdir: Path, carbon: CarbonCache) -> None:
        self.workdir = workdir / "web"
        self.carbon = carbon
        self.port = free_port()
        self.process = _Process("graphite-web", workdir / "graphite-web.log")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _env(self) -> dict[str, str]:
        return _clean_env(GRAPHITE_SETTINGS_MODULE="cadence_test_graphite",
                          DJANGO_SETTINGS_MODULE="graphite.settings",
                          PYTHONPATH=str(self.workdir))

    def start(self, timeout: float = 60) -> "GraphiteWeb":
        self.workdir.mkdir(parents=True, exist_ok=True)
        w = self.workdir
        (w / "cadence_test_graphite.py").write_text(f"""# graphite-web settings for tests
SECRET_KEY = "cadence-py-tests"
STORAGE_DIR = {str(self.carbon.workdir)!r}
WHISPER_DIR = {str(self.carbon.whisper_dir)!r}
LOG_DIR = {str(w)!r}
INDEX_FILE = {str(w / "index")!r}
CARBONLINK_HOSTS = ["127.0.0.1:{self.carbon.query_port}"]
GRAPHITE_ROOT = {str(GRAPHITE_WEB_ROOT)!r}
STATIC_ROOT = {str(GRAPHITE_WEB_ROOT / "static")!r}
DATABASES = {{"default": {{"ENGINE": "django.db.backends.sqlite3",
                           "NAME": {str(w / "graphite.db")!r}}}}}
""")
        migrate = subprocess.run([str(DEBIAN_PYTHON), "-m", "django", "migrate",
                                  "--run-syncdb", "--noinput"], env=self._env(), cwd=w,
                                 capture_output=True, text=True, timeout=timeout)
        if migrate.returncode != 0:
            raise GraphiteError(f"graphite-web migrate failed:\n{migrate.stderr[-2000:]}")
        self.process.spawn([str(DEBIAN_PYTHON), "-m", "django", "runserver",
                            f"127.0.0.1:{self.port}", "--noreload"], env=self._env(), cwd=w)
        self.process.wait_port(self.port, timeout)
        return self

    def request(self, path: str, params: dict[str, Any] | None = None,
                form: dict[str, str] | None = None) -> tuple[int, bytes]:
        """GET (or POST ``form``) a graphite-web URL; returns (status, body)."""
        url = self.url + path
        if params:
            url += "?" + urllib.parse.urlencode(params, doseq=True)
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        try:
            with urllib.request.urlopen(url, data=data, timeout=30) as resp:
                return resp.status, resp.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()

    def render(self, targets: list[str], since: str = "-10min") -> tuple[int, Any]:
        status, body = self.request("/render", {"target": targets, "from": since,
                                                "format": "json"})
        return status, (json.loads(body) if status == 200 else body.decode(errors="replace"))

    def stop(self) -> None:
        self.process.stop()


class GraphiteStack:
    """carbon-cache + statsd (+ graphite-web), started and stopped together."""

    def __init__(self, workdir: Path, web: bool = True, flush_ms: int = 1000) -> None:
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.carbon = CarbonCache(self.workdir)
        self.statsd = StatsdDaemon(self.workdir, self.carbon.line_port, flush_ms)
        self.web = GraphiteWeb(self.workdir, self.carbon) if web else None

    def start(self) -> "GraphiteStack":
        try:
            self.carbon.start()
            self.statsd.start()
            if self.web is not None:
                self.web.start()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        for part in (self.web, self.statsd, self.carbon):
            if part is not None:
                part.stop()

    def __enter__(self) -> "GraphiteStack":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def whisper_file(self, metric: str) -> Path:
        """``stats.counters.a.b.count`` -> its .wsp path."""
        return self.carbon.whisper_dir.joinpath(*metric.split(".")).with_suffix(".wsp")

    def series(self, pattern: str) -> list[str]:
        """Metric names whose whisper files match a glob like ``stats.counters.x.*.count``."""
        found = self.carbon.whisper_dir.glob(pattern.replace(".", "/") + ".wsp")
        return sorted(".".join(p.relative_to(self.carbon.whisper_dir).with_suffix("").parts)
                      for p in found)

    def values(self, metric: str, seconds: int = 600) -> list[float]:
        """The non-empty datapoints of one whisper file over the last ``seconds``."""
        done = subprocess.run([str(WHISPER_FETCH), f"--from={int(time.time()) - seconds}",
                               "--json", str(self.whisper_file(metric))],
                              capture_output=True, text=True, env=_clean_env(), check=True)
        return [v for v in json.loads(done.stdout)["values"] if v is not None]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.harness.graphite")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("fetch", help="install graphite-carbon, graphite-web and statsd")
    run = sub.add_parser("run", help="run carbon + statsd + graphite-web until Ctrl-C")
    run.add_argument("--workdir", type=Path)
    args = parser.parse_args(argv)
    if args.command == "fetch":
        fetch()
        print(f"graphite: ok ({statsd_package()})")
        return 0
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="graphite-"))
    with GraphiteStack(workdir) as stack:
        print(f"statsd {stack.statsd.host_port} (udp); carbon line port "
              f"{stack.carbon.line_port}; graphite-web {stack.web.url if stack.web else '-'};"
              f" whisper {stack.carbon.whisper_dir}", flush=True)
        stop_signals = {signal.SIGINT, signal.SIGTERM}
        signal.pthread_sigmask(signal.SIG_BLOCK, stop_signals)
        signal.sigwait(stop_signals)
    return 0


if __name__ == "__main__":
    sys.exit(main())
