"""What the harnesses that run a JVM service from Maven Central jars have in common.

Cassandra (``cassandra.py``) and Elasticsearch (``elasticsearch.py``) differ in their
flags, config files and readiness checks, but must treat the process and the jar cache the
same way, or a fix in one is forgotten in the other:

- ``fetch_locked``: jars are resolved once into ``<cache>/<name>-<version>/lib``, under an
  flock (pytest-xdist workers fetch concurrently), in a temp dir renamed into place with a
  completion marker written last, so a killed fetch never looks complete.
- ``JvmNode``: one JVM subprocess logging into a file in its workdir, in its own session
  (a terminal Ctrl-C reaches only Python, which then stops it cleanly), with a parent-death
  signal (so a SIGKILLed Python does not orphan it), stopped with SIGTERM then SIGKILL, and
  stopped at interpreter exit if a test forgot to.
- ``cli``: the ``fetch`` / ``run`` command line of both harnesses.
"""

from __future__ import annotations

import argparse
import atexit
import fcntl
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Callable, ClassVar, Optional, Self

from tests.harness.processes import stop_process

CACHE_DIR = Path(os.environ.get("CADENCE_PY_CACHE") or "~/.cache/cadence-py").expanduser()
MARKER = ".complete"  # holds the fetch's stamp; written last, so a killed fetch is redone


def jdk_tool(name: str) -> Optional[str]:
    """``java``/``javac`` from $JAVA_HOME, else from PATH."""
    home = os.environ.get("JAVA_HOME")
    if home and (Path(home) / "bin" / name).exists():
        return str(Path(home) / "bin" / name)
    return shutil.which(name)


def is_fetched(lib: Path, stamp: str, *required: str) -> bool:
    """True when ``lib`` holds the marker for ``stamp`` and the ``required`` files."""
    try:
        done = (lib / MARKER).read_text().strip() == stamp
    except OSError:
        return False
    return done and all((lib / name).exists() for name in required)


def fetch_locked(lib: Path, stamp: str, build: Callable[[Path], None], *required: str) -> Path:
    """Make ``lib`` complete for ``stamp`` (idempotent): ``build(tmp)`` fills a temp dir.

    The check is repeated under an flock on ``<lib>/../.fetch.lock``, so concurrent callers
    build once; the temp dir gets the marker last and is then renamed to ``lib``.
    """
    if is_fetched(lib, stamp, *required):
        return lib
    lib.parent.mkdir(parents=True, exist_ok=True)
    with open(lib.parent / ".fetch.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if is_fetched(lib, stamp, *required):
            return lib
        tmp = Path(tempfile.mkdtemp(prefix="lib.", dir=lib.parent))
        try:
            build(tmp)
            missing = [name for name in required if not (tmp / name).exists()]
            if missing:
                raise RuntimeError(f"fetch into {lib} did not produce {', '.join(missing)}")
            (tmp / MARKER).write_text(stamp + "\n")
            shutil.rmtree(lib, ignore_errors=True)
            tmp.rename(lib)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return lib


def run_tool(cmd: list[str], what: str) -> None:
    """Run a build tool quietly; on failure raise with its command line and output tail."""
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{what} failed ({proc.returncode}): {' '.join(cmd)}\n"
                           f"{proc.stdout[-4000:]}")


def mvn_copy_dependencies(pom: Path, out: Path, cache: Path, **props: str) -> None:
    """Copy ``pom``'s runtime dependencies into ``out``; the Maven repo is ``<cache>/m2``.

    ``props`` become ``-Dkey=value`` (e.g. the version property the pom declares).
    """
    mvn = shutil.which("mvn")
    if mvn is None:
        raise RuntimeError(f"mvn not found on PATH; install Maven to fetch the jars of {pom}")
    run_tool([mvn, "-q", "-B", "-f", str(pom), f"-Dmaven.repo.local={cache / 'm2'}",
              *(f"-D{k}={v}" for k, v in props.items()), "dependency:copy-dependencies",
              f"-DoutputDirectory={out}", "-DincludeScope=runtime"], "mvn")


class JvmNodeError(RuntimeError):
    """The node failed to start or died; the message carries the tail of its log."""


_RUNNING: "set[JvmNode]" = set()  # stopped at interpreter exit, see _stop_all


class JvmNode:
    """A JVM subprocess whose stdout and stderr go to ``log_path`` in ``workdir``.

    Subclasses set ``name``, ``error`` and ``version``, and implement ``_prepare`` (fetch,
    write config, return the command), ``_is_ready`` and ``endpoint``.
    """

    name: ClassVar[str] = "JVM"
    version: str = ""
    error: ClassVar[type[JvmNodeError]] = JvmNodeError
    poll_interval: ClassVar[float] = 0.5
    # What a readiness probe may raise while the node is still coming up.
    probe_errors: ClassVar[tuple[type[BaseException], ...]] = (Exception,)

    def __init__(self, workdir: os.PathLike[str] | str, log_name: str) -> None:
        self.workdir = Path(workdir).resolve()
        self.log_path = self.workdir / log_name
        self.proc: Optional[subprocess.Popen[bytes]] = None
        self._log_offset = 0  # where this run's output starts in the (appended) log

    def _prepare(self) -> list[str]:
        raise NotImplementedError

    def _is_ready(self, deadline: float) -> bool:
        """One readiness probe; may raise one of ``probe_errors`` for "not yet"."""
        raise NotImplementedError

    def endpoint(self) -> str:
        """Where clients reach the node, for messages."""
        raise NotImplementedError

    def start(self, timeout: float = 120) -> Self:
        """Launch unless running, and block until ready; on any failure stop the JVM.

        A startup error (it carries the log tail) is also printed to stderr: the CLI relies
        on that, and callers that report only a short reason still show the cause.
        """
        if self.proc is not None and self.proc.poll() is None:
            return self
        cmd = self._prepare()
        # setpriv (util-linux) sets PR_SET_PDEATHSIG; that fires when the *forking thread*
        # exits, so only from the main thread (a worker thread may end before we do).
        setpriv = shutil.which("setpriv")
        if setpriv and threading.current_thread() is threading.main_thread():
            cmd = [setpriv, "--pdeathsig", "TERM", *cmd]
        self.workdir.mkdir(parents=True, exist_ok=True)
        self._log_offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log,
                                         stderr=subprocess.STDOUT, cwd=self.workdir,
                                         start_new_session=True)
        _RUNNING.add(self)
        try:
            self._wait_ready(time.monotonic() + timeout)
        except BaseException as exc:
            self.stop()
            if isinstance(exc, JvmNodeError):
                print(exc, file=sys.stderr)
            raise
        return self

    def _wait_ready(self, deadline: float) -> None:
        assert self.proc is not None
        last: Optional[BaseException] = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise self.error(f"{self.name} exited with {self.proc.returncode}\n"
                                 f"{self.log_tail()}")
            try:
                if self._is_ready(deadline):
                    return
            except self.probe_errors as e:  # keep polling until the deadline
                last = e
            time.sleep(self.poll_interval)
        raise self.error(f"{self.name} not ready at {self.endpoint()} (last error: {last!r})\n"
                         f"{self.log_tail()}")

    def new_log(self) -> str:
        """What the current run has logged so far (a restart appends to the same file)."""
        try:
            with open(self.log_path, "rb") as f:
                f.seek(self._log_offset)
                return f.read().decode(errors="replace")
        except OSError:
            return ""

    def log_tail(self, lines: int = 60) -> str:
        try:
            text = self.log_path.read_text(errors="replace").splitlines()
        except OSError:
            return "(no log)"
        return "--- tail of %s ---\n%s" % (self.log_path, "\n".join(text[-lines:]))

    def pid(self) -> Optional[int]:
        return self.proc.pid if self.proc else None

    def signal(self, sig: int) -> None:
        """Send ``sig`` to the running JVM (fault tests: SIGKILL, SIGSTOP, SIGCONT). After
        a SIGKILL, ``start`` launches it again on the same data and ports."""
        if self.proc is None or self.proc.poll() is not None:
            raise self.error(f"{self.name} is not running")
        self.proc.send_signal(sig)
        if sig == signal.SIGKILL:
            self.proc.wait(timeout=30)

    def stop(self, timeout: float = 30) -> None:
        """SIGTERM (the service's shutdown hook closes it cleanly), then SIGKILL after
        ``timeout``. Idempotent."""
        proc, self.proc = self.proc, None
        _RUNNING.discard(self)
        if proc is not None:
            stop_process(proc, signal.SIGTERM, timeout)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


@atexit.register
def _stop_all() -> None:
    for node in list(_RUNNING):
        node.stop(timeout=10)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def cli(argv: Optional[list[str]], prog: str, fetch: Callable[[Optional[Path]], Path],
        new_node: Callable[[argparse.Namespace], JvmNode], *, port: int, port_help: str,
        heap: str, fetch_help: str = "resolve the jars into the cache",
        run_options: Callable[[argparse.ArgumentParser], Any] = lambda parser: None) -> int:
    """``fetch [--cache-dir D]`` or ``run --workdir W [--port P] [--heap H]``.

    ``run`` keeps the node in the foreground until Ctrl-C, SIGTERM or SIGHUP (all turned
    into KeyboardInterrupt, as SIGINT may be inherited ignored), or until the JVM dies (exit
    code 1, with the log tail).
    """
    ap = argparse.ArgumentParser(prog=prog)
    sub = ap.add_subparsers(dest="cmd", required=True)
    f = sub.add_parser("fetch", help=fetch_help)
    f.add_argument("--cache-dir", type=Path)
    r = sub.add_parser("run", help="run a node in the foreground until Ctrl-C")
    r.add_argument("--workdir", type=Path, required=True)
    r.add_argument("--port", type=int, default=port, help=port_help)
    r.add_argument("--heap", default=heap)
    run_options(r)
    args = ap.parse_args(argv)
    if args.cmd == "fetch":
        t = time.monotonic()
        print(f"{fetch(args.cache_dir)} ({time.monotonic() - t:.1f}s)")
        return 0
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _interrupt)
    node = new_node(args)
    t = time.monotonic()
    try:
        node.start()
    except JvmNodeError:
        return 1  # start() already printed the log tail
    print(f"{node.name} {node.version} ready at {node.endpoint()} in "
          f"{time.monotonic() - t:.1f}s (pid {node.pid()}, log {node.log_path}); "
          "Ctrl-C stops it", flush=True)
    try:
        assert node.proc is not None
        node.proc.wait()
        print(node.log_tail(), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        node.stop()
