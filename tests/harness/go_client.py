"""Build and run cadence-py-e2e: our Go program that drives cadence-py with the real Cadence
Go client (go.uber.org/cadence over TChannel).

The sources are the Go module in ``tests/e2e/go`` (go.mod/go.sum pin the client version). The
binary is cached as ``$CADENCE_PY_CACHE/bin/cadence-py-e2e-<hash>`` (default cache
``~/.cache/cadence-py``), the hash covering go.mod, go.sum and every ``*.go`` file, so an edit
rebuilds it and an unchanged tree reuses it. ``python -m tests.harness.go_client`` builds it.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

NAME = "cadence-py-e2e"
CACHE_DIR = Path(os.environ.get("CADENCE_PY_CACHE") or "~/.cache/cadence-py").expanduser()
MODULE_DIR = Path(__file__).resolve().parents[1] / "e2e" / "go"


def source_files(module_dir: Path = MODULE_DIR) -> list[Path]:
    return [module_dir / "go.mod", module_dir / "go.sum", *sorted(module_dir.glob("*.go"))]


def source_hash(module_dir: Path = MODULE_DIR) -> str:
    digest = hashlib.sha256()
    for path in source_files(module_dir):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def binary_path(cache_dir: Path | None = None) -> Path:
    return (cache_dir or CACHE_DIR) / "bin" / f"{NAME}-{source_hash()}"


def go_tool() -> str | None:
    found = shutil.which("go")
    if found:
        return found
    return "/usr/local/go/bin/go" if Path("/usr/local/go/bin/go").exists() else None


def build(cache_dir: Path | None = None) -> Path:
    """Build the binary if this source tree's build is not cached yet; return its path."""
    target = binary_path(cache_dir)
    if target.exists():
        return target
    go = go_tool()
    if go is None:
        raise FileNotFoundError("no Go toolchain (go) on PATH or in /usr/local/go/bin")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f"{target.name}.partial-{os.getpid()}")
    # -mod=readonly: the committed go.sum must be complete; the build never edits it.
    env = dict(os.environ, GOFLAGS="-mod=readonly -buildvcs=false")
    try:
        subprocess.run([go, "build", "-trimpath", "-o", str(tmp), "."],
                       cwd=MODULE_DIR, env=env, check=True)
        tmp.replace(target)
    finally:
        tmp.unlink(missing_ok=True)
    return target


@dataclass
class Report:
    """One invocation: exit code, the parsed JSON line (if any), and the raw output."""

    code: int
    data: dict[str, Any] = field(default_factory=dict)
    stdout: str = ""
    stderr: str = ""

    def __getitem__(self, key: str) -> Any:
        return self.data[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)

    def explain(self, tail: int = 40) -> str:
        """What to show when an assertion fails: the report and the end of stderr."""
        err = "\n".join(self.stderr.splitlines()[-tail:])
        return (f"exit code {self.code}\nreport: {json.dumps(self.data, indent=1)[:6000]}\n"
                f"stderr (tail):\n{err}")


def invoke(binary: Path, address: str, *args: str, domain: str = "cadence-py-e2e",
           budget: float = 60, extra_flags: tuple[str, ...] = ()) -> Report:
    """Run ``cadence-py-e2e --address A --domain D --timeout BUDGETs ARGS``.

    The program bounds itself by ``budget`` (and a watchdog 10 s later); the subprocess timeout
    here is only a last resort.
    """
    cmd = [str(binary), "--address", address, "--domain", domain, "--timeout", f"{budget}s",
           *extra_flags, *args]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=budget + 30)
    except subprocess.TimeoutExpired as exc:
        return Report(code=-1, stdout=_text(exc.stdout), stderr=_text(exc.stderr)
                      + f"\n[harness] killed after {budget + 30}s")
    data: dict[str, Any] = {}
    for line in reversed(done.stdout.splitlines()):
        if line.startswith("{"):
            try:
                data = json.loads(line)
            except json.JSONDecodeError:
                continue
            break
    return Report(code=done.returncode, data=data, stdout=done.stdout, stderr=done.stderr)


def _text(value: bytes | str | None) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else value.decode(errors="replace")


if __name__ == "__main__":
    print(build())
    sys.exit(0)
