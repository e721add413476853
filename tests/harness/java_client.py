"""Build and run cadence-py-java-e2e: our Java program that drives cadence-py with the real
Cadence Java client (com.uber.cadence:cadence-client over TChannel).

The sources are the Maven project in ``tests/e2e/java`` (pom.xml pins the client version). Maven
builds one runnable (shaded) jar, cached as ``$CADENCE_PY_CACHE/bin/cadence-py-java-e2e-<hash>.jar``
(default cache ``~/.cache/cadence-py``); the hash covers pom.xml and every file under src/, so
an edit rebuilds it and an unchanged tree reuses it. Maven's local repository is
``$CADENCE_PY_CACHE/m2`` (shared with the Cassandra harness), so downloads happen once per
machine. The build runs in a scratch copy of the project under the cache: the work tree never
gets a ``target/`` directory.

``python -m tests.harness.java_client`` builds it (``make java-client``).
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.harness.report import Report, run_program

NAME = "cadence-py-java-e2e"
CACHE_DIR = Path(os.environ.get("CADENCE_PY_CACHE") or "~/.cache/cadence-py").expanduser()
PROJECT_DIR = Path(__file__).resolve().parents[1] / "e2e" / "java"
# A small heap and a quick start (C1 only); the program itself bounds every wait.
JVM_FLAGS = ("-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1")


class BuildError(RuntimeError):
    """Maven failed; the message ends with the tail of its output."""


def source_files(project_dir: Path = PROJECT_DIR) -> list[Path]:
    sources = sorted(p for p in (project_dir / "src").rglob("*") if p.is_file())
    return [project_dir / "pom.xml", *sources]


def source_hash(project_dir: Path = PROJECT_DIR) -> str:
    digest = hashlib.sha256()
    for path in source_files(project_dir):
        rel = path.relative_to(project_dir).as_posix()
        digest.update(rel.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def jar_path(cache_dir: Path | None = None) -> Path:
    return (cache_dir or CACHE_DIR) / "bin" / f"{NAME}-{source_hash()}.jar"


def java_tool() -> str | None:
    home = os.environ.get("JAVA_HOME")
    if home and (Path(home) / "bin" / "java").exists():
        return str(Path(home) / "bin" / "java")
    return shutil.which("java")


def mvn_tool() -> str | None:
    return shutil.which("mvn")


def build(cache_dir: Path | None = None) -> Path:
    """Build the jar if this source tree's build is not cached yet; return its path.

    An flock serialises concurrent callers (pytest-xdist workers, make -j); the jar takes its
    final name only when complete.
    """
    cache = cache_dir or CACHE_DIR
    target = jar_path(cache)
    if target.exists():
        return target
    mvn = mvn_tool()
    if mvn is None:
        raise FileNotFoundError("mvn not found on PATH; install Maven to build " + NAME)
    if java_tool() is None:
        raise FileNotFoundError("java not found (JAVA_HOME or PATH); a JDK is needed for " + NAME)
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target.parent / f".{NAME}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if target.exists():
            return target
        scratch_root = cache / "build"
        scratch_root.mkdir(parents=True, exist_ok=True)
        scratch = Path(tempfile.mkdtemp(prefix=f"{NAME}.", dir=scratch_root))
        tmp = target.with_name(f"{target.name}.partial-{os.getpid()}")
        try:
            shutil.copy2(PROJECT_DIR / "pom.xml", scratch / "pom.xml")
            shutil.copytree(PROJECT_DIR / "src", scratch / "src")
            cmd = [mvn, "-B", "-q", "-f", str(scratch / "pom.xml"),
                   f"-Dmaven.repo.local={cache / 'm2'}", "package"]
            proc = subprocess.run(cmd, check=False, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, text=True)
            built = scratch / "target" / f"{NAME}.jar"
            if proc.returncode != 0 or not built.exists():
                raise BuildError(f"mvn failed ({proc.returncode}): {' '.join(cmd)}\n"
                                 f"{proc.stdout[-4000:]}")
            shutil.copyfile(built, tmp)
            tmp.replace(target)
        finally:
            tmp.unlink(missing_ok=True)
            shutil.rmtree(scratch, ignore_errors=True)
    return target


def invoke(jar: Path, address: str, *args: str, domain: str = NAME,
           budget: float = 60) -> Report:
    """Run ``java -jar cadence-py-java-e2e.jar --address A --domain D --timeout BUDGET ARGS``.

    The program bounds itself by ``budget`` (and a watchdog 10 s later); the subprocess timeout
    here is only a last resort.
    """
    java = java_tool() or "java"
    cmd = [java, *JVM_FLAGS, "-jar", str(jar), "--address", address, "--domain", domain,
           "--timeout", f"{budget:g}", *args]
    return run_program(cmd, budget)


if __name__ == "__main__":
    try:
        print(build())
    except (BuildError, FileNotFoundError) as exc:
        print(exc, file=sys.stderr)
        sys.exit(1)
    sys.exit(0)
