"""Build and locate compose-go's validator (github.com/compose-spec/compose-go/v2/cmd).

``docker compose config`` needs the Docker compose plugin, which is not installable on
the test machines (Debian has only the old Python docker-compose 1.x, which predates
``include:``). compose-go is the library the plugin uses to load and validate compose
files, and its ``cmd`` is a validator: schema, interpolation, includes and consistency
checks, printing the resolved model as ``docker compose config`` does. It is built from
the Go module proxy with the pinned module in ``tests/harness/compose_spec`` and cached
under ``$CADENCE_PY_CACHE/bin``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from tests.harness import gobuild

VERSION = "2.16.2"
CACHE_DIR = Path(os.environ.get("CADENCE_PY_CACHE") or "~/.cache/cadence-py").expanduser()
MODULE_DIR = Path(__file__).resolve().parent / "compose_spec"


def binary_path(cache_dir: Path | None = None) -> Path:
    return (cache_dir or CACHE_DIR) / "bin" / f"compose-spec-{VERSION}"


def build(cache_dir: Path | None = None) -> Path:
    """Build the validator if it is not cached yet; return its path."""
    # -mod=readonly: the committed go.sum is complete; the build never edits it.
    return gobuild.build(MODULE_DIR, "github.com/compose-spec/compose-go/v2/cmd",
                         binary_path(cache_dir), goflags="-mod=readonly")


if __name__ == "__main__":
    print(build())
    sys.exit(0)
