"""Build a Go program from a pinned module dir into the shared cache, once.

The harness builds real Go tools (the Cadence CLI, compose-go's validator) from the Go
module proxy; each build is slow, so the binary is cached under a versioned name and a
half-written binary never takes that name.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path


def go_tool() -> str | None:
    """The ``go`` command: on PATH, or where the Go tarball installs it."""
    found = shutil.which("go")
    if found:
        return found
    return "/usr/local/go/bin/go" if Path("/usr/local/go/bin/go").exists() else None


def build(module_dir: Path, package: str, target: Path, goflags: str = "-mod=mod") -> Path:
    """``go build -o target package`` inside ``module_dir`` unless ``target`` exists."""
    if target.exists():
        return target
    go = go_tool()
    if go is None:
        raise FileNotFoundError("no Go toolchain (go) on PATH or in /usr/local/go/bin")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f"{target.name}.partial-{os.getpid()}")
    try:
        subprocess.run([go, "build", "-o", str(tmp), package], cwd=module_dir,
                       env=dict(os.environ, GOFLAGS=goflags), check=True)
        tmp.replace(target)
    finally:
        tmp.unlink(missing_ok=True)
    return target
