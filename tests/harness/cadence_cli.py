"""Build and locate the real Cadence CLI (github.com/uber/cadence v1.4.1) for tests.

The binary is built from the Go module proxy with the pinned module in
``tests/harness/cadence_cli`` and cached under ``$CADENCE_PY_CACHE/bin`` (default
``~/.cache/cadence-py/bin``), so only the first run pays the ~4 minute build.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from tests.harness import gobuild

VERSION = "1.4.1"
CACHE_DIR = Path(os.environ.get("CADENCE_PY_CACHE") or "~/.cache/cadence-py").expanduser()
MODULE_DIR = Path(__file__).resolve().parent / "cadence_cli"


def binary_path(cache_dir: Path | None = None) -> Path:
    return (cache_dir or CACHE_DIR) / "bin" / f"cadence-{VERSION}"


def build(cache_dir: Path | None = None) -> Path:
    """Build the CLI if it is not cached yet; return its path."""
    return gobuild.build(MODULE_DIR, "github.com/uber/cadence/cmd/tools/cli",
                         binary_path(cache_dir))


if __name__ == "__main__":
    print(build())
    sys.exit(0)
