"""Build and run cadence-py-bench, the Go benchmark driver in ``bench/go``.

The binary is cached as ``$CADENCE_PY_CACHE/bin/cadence-py-bench-<hash>`` (default cache
``~/.cache/cadence-py``); the hash covers go.mod, go.sum and every ``*.go`` file, so an edit
rebuilds it and an unchanged tree reuses it. ``python -m bench.driver`` just builds it.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

NAME = "cadence-py-bench"
MODULE_DIR = Path(__file__).resolve().parent / "go"


def cache_dir() -> Path:
    return Path(os.environ.get("CADENCE_PY_CACHE") or "~/.cache/cadence-py").expanduser()


def source_hash() -> str:
    digest = hashlib.sha256()
    for path in [MODULE_DIR / "go.mod", MODULE_DIR / "go.sum", *sorted(MODULE_DIR.glob("*.go"))]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def binary_path() -> Path:
    return cache_dir() / "bin" / f"{NAME}-{source_hash()}"


def go_tool() -> str:
    found = shutil.which("go") or ("/usr/local/go/bin/go" if Path("/usr/local/go/bin/go").exists()
                                   else None)
    if found is None:
        raise FileNotFoundError("no Go toolchain (go) on PATH or in /usr/local/go/bin")
    return found


def build() -> Path:
    """The driver binary for this source tree, built first if not cached."""
    target = binary_path()
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f"{target.name}.partial-{os.getpid()}")
    # -mod=readonly: go.sum is complete and committed; the build never edits it.
    env = dict(os.environ, GOFLAGS="-mod=readonly -buildvcs=false")
    try:
        subprocess.run([go_tool(), "build", "-trimpath", "-o", str(tmp), "."], cwd=MODULE_DIR,
                       env=env, check=True, timeout=900)
        tmp.replace(target)
    finally:
        tmp.unlink(missing_ok=True)
    return target


def last_json_line(text: str) -> dict[str, Any]:
    for line in reversed(text.splitlines()):
        if line.startswith("{"):
            try:
                return json.loads(line)
            except json.JSONDecodeError:
                continue
    return {}


if __name__ == "__main__":
    print(build())
    sys.exit(0)
