"""Build and run cadence-py-e2e: our Go program that drives cadence-py with the real Cadence
Go client (go.uber.org/cadence over TChannel).

The sources are the Go module in ``tests/e2e/go`` (go.mod/go.sum pin the client version). The
binary is cached as ``$CADENCE_PY_CACHE/bin/cadence-py-e2e-<hash>`` (default cache
``~/.cache/cadence-py``), the hash covering go.mod, go.sum and every ``*.go`` file, so an edit
rebuilds it and an unchanged tree reuses it. ``python -m tests.harness.go_client`` builds it.
"""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

from tests.harness import gobuild
from tests.harness.report import Report, run_program

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


go_tool = gobuild.go_tool


def build(cache_dir: Path | None = None) -> Path:
    """Build the binary if this source tree's build is not cached yet; return its path."""
    # -mod=readonly: the committed go.sum must be complete; the build never edits it.
    return gobuild.build(MODULE_DIR, ".", binary_path(cache_dir),
                         goflags="-mod=readonly -buildvcs=false -trimpath")


def invoke(binary: Path, address: str, *args: str, domain: str = "cadence-py-e2e",
           budget: float = 60, extra_flags: tuple[str, ...] = ()) -> Report:
    """Run ``cadence-py-e2e --address A --domain D --timeout BUDGETs ARGS``.

    The program bounds itself by ``budget`` (and a watchdog 10 s later); the subprocess timeout
    here is only a last resort.
    """
    cmd = [str(binary), "--address", address, "--domain", domain, "--timeout", f"{budget}s",
           *extra_flags, *args]
    return run_program(cmd, budget)


if __name__ == "__main__":
    print(build())
    sys.exit(0)
