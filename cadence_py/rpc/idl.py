"""Loads the Thrift IDL in ../../idl once per process.

thriftpy2 builds Python classes from the .thrift files. Every module must come from one
load: a second copy of shared.thrift would give look-alike classes that are not the same
types, so ``shared`` is always taken from the service module that includes it.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path
from types import ModuleType

import thriftpy2


def idl_dir() -> Path:
    """The folder holding our .thrift files (override with CADENCE_PY_IDL_DIR)."""
    env = os.environ.get("CADENCE_PY_IDL_DIR")
    if env:
        return Path(env)
    here = Path(__file__).resolve()
    for candidate in (here.parents[2] / "idl", here.parents[1] / "_idl"):
        if (candidate / "workflow_service.thrift").exists():
            return candidate
    raise FileNotFoundError("cannot find the idl/ folder; set CADENCE_PY_IDL_DIR")


@functools.lru_cache(maxsize=None)
def _load(name: str) -> ModuleType:
    root = idl_dir()
    return thriftpy2.load(str(root / f"{name}.thrift"), module_name=f"{name}_thrift",
                          include_dirs=[str(root)])


def workflow_service() -> ModuleType:
    return _load("workflow_service")


def shared() -> ModuleType:
    """The shared types (the same classes WorkflowService uses)."""
    return workflow_service().shared


def admin() -> ModuleType:
    return _load("admin")


def health() -> ModuleType:
    return _load("health")
