"""The ``versioned/`` directory: step folders, their manifests, and the plan
that takes a keyspace from its recorded version to a target.

A plain ``vX.Y`` folder holds one version's changes; a squashed ``sA.B-X.Y``
folder takes a keyspace from exactly A.B to X.Y in one step.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
from typing import Optional, Sequence

from cadence_py.tools.cassandra_tool.cql_files import read_cql_file
from cadence_py.tools.cassandra_tool.messages import ToolError
from cadence_py.tools.cassandra_tool.versions import (
    compare_versions,
    parse_version,
    sort_versions,
    version_key,
)

MANIFEST_FILE = "manifest.json"

_VERSION_DIR_RE = re.compile(r"^v(\d+(?:\.\d+)?)$")
_SQUASHED_DIR_RE = re.compile(r"^s(\d+(?:\.\d+)?)-(\d+(?:\.\d+)?)$")


@dataclasses.dataclass(frozen=True)
class Manifest:
    """The parts of ``manifest.json`` the tool acts on."""

    curr_version: str
    min_compatible_version: str
    description: str
    cql_files: tuple[str, ...]
    md5: str  # hex MD5 of the raw manifest bytes, recorded in the history


@dataclasses.dataclass(frozen=True)
class VersionDir:
    """One step in ``versioned/``: ``vX.Y`` (one version) or ``sA.B-X.Y``
    (a squash that takes a keyspace from exactly A.B to X.Y)."""

    name: str
    path: str
    version: str
    squashed_from: Optional[str] = None


def list_version_dirs(schema_dir: str) -> list[VersionDir]:
    """All step folders in ``schema_dir``; other entries are ignored, as
    upstream does, so READMEs or scratch folders do not break updates."""
    try:
        names = os.listdir(schema_dir)
    except OSError as exc:
        raise ToolError(f"cannot read schema dir {schema_dir}: {exc.strerror or exc}") from exc
    found: list[VersionDir] = []
    for name in names:
        path = os.path.join(schema_dir, name)
        if not os.path.isdir(path):
            continue
        plain = _VERSION_DIR_RE.match(name)
        squash = _SQUASHED_DIR_RE.match(name)
        if plain:
            found.append(VersionDir(name, path, plain.group(1)))
        elif squash:
            start, end = squash.group(1), squash.group(2)
            if compare_versions(start, end) >= 0:
                raise ToolError(f"invalid squashed folder {name}: {start} is not older than {end}")
            found.append(VersionDir(name, path, end, squashed_from=start))
    return found


def read_manifest(step: VersionDir) -> Manifest:
    """Load and validate a step's manifest.

    The folder name is what update planning trusts, so a manifest whose
    CurrVersion disagrees with it would record a wrong version: refuse it.
    """
    path = os.path.join(step.path, MANIFEST_FILE)
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except OSError as exc:
        raise ToolError(f"{step.name}: cannot read {MANIFEST_FILE}: {exc.strerror or exc}") from exc
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise ToolError(f"{path}: invalid JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise ToolError(f"{path}: expected a JSON object")
    try:
        curr = parse_version(str(data.get("CurrVersion") or ""))
        min_compat = parse_version(str(data.get("MinCompatibleVersion") or ""))
    except ToolError as exc:
        raise ToolError(f"{path}: {exc}") from exc
    if curr != step.version:
        raise ToolError(
            f"{path}: CurrVersion {curr} does not match folder {step.name} (version {step.version})"
        )
    files = data.get("SchemaUpdateCqlFiles")
    if not isinstance(files, list) or not files or not all(isinstance(f, str) for f in files):
        raise ToolError(f"{path}: SchemaUpdateCqlFiles must be a non-empty list of file names")
    return Manifest(
        curr_version=curr,
        min_compatible_version=min_compat,
        description=str(data.get("Description") or ""),
        cql_files=tuple(files),
        md5=hashlib.md5(raw).hexdigest(),  # noqa: S324 - a fingerprint, not security
    )


def plan_updates(steps: Sequence[VersionDir], current: str, target: Optional[str]) -> list[VersionDir]:
    """Choose the steps that take ``current`` to ``target`` (default: newest).

    A plain ``vX`` folder holds the changes since the previous plain folder,
    so it applies from any version between that folder and X. A squashed
    ``sA-B`` folder applies only from exactly A. Among the possible paths we
    take the one with the fewest steps, which is how a squash gets used to
    skip the many small folders it replaces. Returns [] when there is nothing
    to do, including when no target was given and the keyspace is already
    newer than every folder (e.g. upgraded by newer upstream tooling): the
    request "bring it up to date" is then already satisfied.
    """
    if target is None:
        if not steps:
            raise ToolError("no version folders (vX.Y or sA.B-X.Y) found in schema dir")
        target = max((s.version for s in steps), key=version_key)
        if compare_versions(target, current) < 0:
            return []
    order = compare_versions(target, current)
    if order == 0:
        return []
    if order < 0:
        raise ToolError(f"target version {target} is older than the current version {current}")
    if not any(s.version == target for s in steps):
        raise ToolError(f"no folder for target version {target}")

    plain = sort_versions([s.version for s in steps if s.squashed_from is None])
    usable = [
        s for s in steps
        if compare_versions(s.version, current) > 0 and compare_versions(s.version, target) <= 0
        and (s.squashed_from is None or compare_versions(s.squashed_from, current) >= 0)
    ]

    def applies_from(step: VersionDir, at: str) -> bool:
        """Can ``step`` run on a keyspace that is at version ``at``?"""
        if compare_versions(at, step.version) >= 0:
            return False
        if step.squashed_from is not None:
            return compare_versions(step.squashed_from, at) == 0
        idx = plain.index(step.version)
        return idx == 0 or compare_versions(at, plain[idx - 1]) >= 0

    # Fewest-steps path; edges only go up, so relaxing nodes in ascending
    # version order visits each node after all its predecessors.
    best: dict[str, list[VersionDir]] = {current: []}
    for node in sort_versions(list({current, *(s.version for s in usable)})):
        if node not in best:
            continue
        for step in usable:
            if applies_from(step, node):
                candidate = best[node] + [step]
                if step.version not in best or len(candidate) < len(best[step.version]):
                    best[step.version] = candidate
    if target not in best:
        raise ToolError(f"no chain of version folders leads from {current} to {target}")
    return best[target]


@dataclasses.dataclass(frozen=True)
class ChangeSet:
    """A planned step with its manifest and parsed statements."""

    step: VersionDir
    manifest: Manifest
    statements: tuple[str, ...]


def load_change_sets(steps: Sequence[VersionDir]) -> list[ChangeSet]:
    """Read every planned step up front, so a broken manifest or CQL file
    further down the list stops the update before anything is applied."""
    result = []
    for step in steps:
        manifest = read_manifest(step)
        statements: list[str] = []
        for name in manifest.cql_files:
            statements.extend(read_cql_file(os.path.join(step.path, name)))
        result.append(ChangeSet(step, manifest, tuple(statements)))
    return result
