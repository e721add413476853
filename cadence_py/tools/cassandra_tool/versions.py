"""Schema version strings (``0.47``, ``v0.47``, ``1``): validation and numeric order."""

from __future__ import annotations

import re
from typing import Sequence

from cadence_py.tools.cassandra_tool.messages import ToolError

_VERSION_RE = re.compile(r"^v?(\d+)(?:\.(\d+))?$")


def parse_version(text: str) -> str:
    """Validate a version such as ``0.47``, ``v0.47`` or ``1``; return it
    without the ``v``.

    Upstream accepts the ``v`` prefix in flags and manifests alike, and
    records the bare form, so we normalise the same way.
    """
    match = _VERSION_RE.match(text.strip()) if text else None
    if not match:
        raise ToolError(f"invalid version {text!r}: expected MAJOR.MINOR, e.g. 0.47")
    return text.strip().lstrip("v")


def version_key(version: str) -> tuple[int, int]:
    """Sort key for a version: numeric (major, minor), so 0.9 < 0.10."""
    match = _VERSION_RE.match(version)
    if not match:
        raise ToolError(f"invalid version {version!r}")
    return int(match.group(1)), int(match.group(2) or 0)


def compare_versions(a: str, b: str) -> int:
    """Return <0, 0 or >0 as ``a`` is older, equal to or newer than ``b``."""
    ka, kb = version_key(a), version_key(b)
    return (ka > kb) - (ka < kb)


def sort_versions(versions: Sequence[str]) -> list[str]:
    """Versions in numeric order (string order would put 0.10 before 0.9)."""
    return sorted(versions, key=version_key)
