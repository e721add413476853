"""``cadence-cassandra-tool``: create and version Cadence's Cassandra keyspaces.

Deployment scripts, docker entrypoints and the Cadence docs all drive the
upstream Go binary of the same name, so this tool keeps its command line:
the same global flags (including urfave/cli's habit of accepting ``-ep`` and
``--ep`` alike), the same environment variables, sub-commands and aliases::

    cadence-cassandra-tool -ep 127.0.0.1 -p 9042 -k cadence create-keyspace --rf 1
    cadence-cassandra-tool -ep 127.0.0.1 -p 9042 -k cadence setup-schema -v 0.0
    cadence-cassandra-tool -ep 127.0.0.1 -p 9042 -k cadence \\
        update-schema -d schema/cassandra/cadence/versioned

It also records versions the upstream way: a ``schema_version`` row and one
``schema_update_history`` row per applied step, so the upstream server's
start-up version check and upstream tooling accept keyspaces we prepared.

Where we deliberately differ from upstream (all in the direction of "running
it twice is safe"): the version tables are created with IF NOT EXISTS,
``setup-schema`` never lowers an already-recorded version, ``update-schema``
to the current version is a no-op, and ``create-keyspace`` does not need
CREATE permission when the keyspace already exists (hosted Cassandra such as
Astra DB behind cql-proxy pre-creates keyspaces and forbids creating them).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import hashlib
import json
import logging
import os
import re
import ssl
import sys
from typing import Any, Callable, Iterator, Optional, Sequence, TypeVar

import click

PROG_NAME = "cadence-cassandra-tool"
DEFAULT_TIMEOUT_S = 30
DEFAULT_CONNECT_TIMEOUT_S = 2
DEFAULT_PORT = 9042

# Statement kinds a schema file may contain. Anything else (SELECT, TRUNCATE,
# USE ...) in a schema file is almost certainly a mistake, so it is refused
# before any statement runs.
ALLOWED_STATEMENT_KINDS = ("CREATE", "ALTER", "INSERT", "DROP")

MANIFEST_FILE = "manifest.json"

_VERSION_RE = re.compile(r"^v?(\d+)(?:\.(\d+))?$")
_VERSION_DIR_RE = re.compile(r"^v(\d+(?:\.\d+)?)$")
_SQUASHED_DIR_RE = re.compile(r"^s(\d+(?:\.\d+)?)-(\d+(?:\.\d+)?)$")
# Cassandra keyspace names: word characters, at most 48 of them. We check
# this ourselves because the name is spliced into CQL text.
_KEYSPACE_RE = re.compile(r"^[A-Za-z0-9_]{1,48}$")


class ToolError(Exception):
    """A failure we can explain in one line; reported without a traceback."""


# ---------------------------------------------------------------------------
# Versions
# ---------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------
# CQL files
# ---------------------------------------------------------------------------


def _strip_comment(line: str) -> str:
    """Drop a ``--`` comment, unless the dashes sit inside a quoted string.

    Schema files put comments after column definitions; a naive split would
    also cut string literals such as an e-mail address containing ``--``.
    """
    in_quote: Optional[str] = None
    i = 0
    while i < len(line):
        ch = line[i]
        if in_quote:
            if ch == in_quote:
                in_quote = None
        elif ch in ("'", '"'):
            in_quote = ch
        elif line.startswith("--", i):
            return line[:i]
        i += 1
    return line


def split_statements(text: str) -> list[str]:
    """Split a schema file into statements, the way Cadence's tool does.

    Rules (shared with the upstream files, which rely on them): ``--`` starts
    a comment; lines are joined; a statement ends on a line whose last
    non-comment character is ``;``. Whitespace is kept minimal but nothing
    else is rewritten, so the trailing comma that some ``CREATE TYPE`` field
    lists end with survives (Cassandra accepts it). A trailing statement
    without ``;`` is returned too rather than silently dropped. The ``;``
    itself is removed.
    """
    statements: list[str] = []
    parts: list[str] = []
    for raw in text.splitlines():
        line = _strip_comment(raw).strip()
        if not line:
            continue
        parts.append(line)
        if line.endswith(";"):
            stmt = " ".join(parts)[:-1].strip()
            if stmt:
                statements.append(stmt)
            parts = []
    leftover = " ".join(parts).strip()
    if leftover:
        statements.append(leftover)
    return statements


def check_statement_kinds(statements: Sequence[str], source: str) -> None:
    """Refuse files holding anything but CREATE/ALTER/INSERT/DROP."""
    for stmt in statements:
        first = stmt.split(None, 1)[0].upper() if stmt.split() else ""
        if first not in ALLOWED_STATEMENT_KINDS:
            raise ToolError(
                f"{source}: statement kind {first or '(empty)'!r} not allowed "
                f"(only {', '.join(ALLOWED_STATEMENT_KINDS)}): {_one_line(stmt)}"
            )


def read_cql_file(path: str) -> list[str]:
    """Parse and vet one CQL file; empty files are an error (likely a typo)."""
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except OSError as exc:
        raise ToolError(f"cannot read {path}: {exc.strerror or exc}") from exc
    statements = split_statements(text)
    if not statements:
        raise ToolError(f"{path}: no CQL statements found")
    check_statement_kinds(statements, path)
    return statements


def _one_line(stmt: str, limit: int = 160) -> str:
    """Collapse whitespace so a statement fits one log/error line."""
    flat = " ".join(stmt.split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


# ---------------------------------------------------------------------------
# versioned/ directories
# ---------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------
# Cassandra access
# ---------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class ConnectionOptions:
    """Everything needed to open a session; built from the global flags."""

    hosts: tuple[str, ...]
    port: int
    user: Optional[str] = None
    password: Optional[str] = None
    timeout_s: float = DEFAULT_TIMEOUT_S
    connect_timeout_s: float = DEFAULT_CONNECT_TIMEOUT_S
    protocol_version: Optional[int] = None
    tls: bool = False
    tls_cert_file: Optional[str] = None
    tls_key_file: Optional[str] = None
    tls_ca_file: Optional[str] = None
    tls_verify_host: bool = False
    tls_server_name: Optional[str] = None


def check_keyspace_name(name: str) -> str:
    """Validate a keyspace name and return the form Cassandra stores.

    Names are spliced into CQL, so only word characters are allowed; and
    unquoted identifiers are case-folded by Cassandra, so lookups in
    ``system_schema`` must use the lower-case form.
    """
    if not name or not _KEYSPACE_RE.match(name):
        raise ToolError(f"invalid keyspace name {name!r}: use 1-48 letters, digits or underscores")
    return name.lower()


def build_ssl_context(opts: ConnectionOptions) -> ssl.SSLContext:
    """TLS settings with upstream's semantics: without host verification the
    server certificate is not checked at all (gocql's InsecureSkipVerify)."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    if opts.tls_verify_host:
        ctx.check_hostname = True
        ctx.verify_mode = ssl.CERT_REQUIRED
        if opts.tls_ca_file:
            ctx.load_verify_locations(cafile=opts.tls_ca_file)
        else:
            ctx.load_default_certs()
    else:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    if opts.tls_cert_file or opts.tls_key_file:
        if not (opts.tls_cert_file and opts.tls_key_file):
            raise ToolError("--tls-cert-file and --tls-key-file must be given together")
        ctx.load_cert_chain(certfile=opts.tls_cert_file, keyfile=opts.tls_key_file)
    return ctx


@contextlib.contextmanager
def open_session(opts: ConnectionOptions) -> Iterator[Any]:
    """Connect (without a keyspace) and always shut the cluster down.

    Consistency ALL, as upstream: schema changes and version rows must be on
    every replica before the next step or a server start reads them.
    """
    # Imported here so --help and flag errors stay fast (the driver is slow
    # to import).
    from cassandra import ConsistencyLevel
    from cassandra.auth import PlainTextAuthProvider
    from cassandra.cluster import EXEC_PROFILE_DEFAULT, Cluster, ExecutionProfile
    from cassandra.policies import RoundRobinPolicy

    profile = ExecutionProfile(
        load_balancing_policy=RoundRobinPolicy(),
        consistency_level=ConsistencyLevel.ALL,
        request_timeout=opts.timeout_s,
    )
    kwargs: dict[str, Any] = dict(
        contact_points=list(opts.hosts),
        port=opts.port,
        execution_profiles={EXEC_PROFILE_DEFAULT: profile},
        connect_timeout=opts.connect_timeout_s,
        control_connection_timeout=opts.timeout_s,
        max_schema_agreement_wait=opts.timeout_s,
    )
    if opts.user:
        kwargs["auth_provider"] = PlainTextAuthProvider(username=opts.user, password=opts.password or "")
    if opts.protocol_version:
        kwargs["protocol_version"] = opts.protocol_version
    if opts.tls:
        kwargs["ssl_context"] = build_ssl_context(opts)
        if opts.tls_server_name:
            kwargs["ssl_options"] = {"server_hostname": opts.tls_server_name}
    cluster = Cluster(**kwargs)
    try:
        yield cluster.connect()
    finally:
        cluster.shutdown()


def run_ddl(session: Any, statement: str) -> None:
    """Execute one schema statement and insist on schema agreement.

    The next statement may depend on this one (a table needs its types), and
    the driver may send it to another node, so we only proceed once all nodes
    report the same schema version.
    """
    result = session.execute(statement)
    if not result.response_future.is_schema_agreed:
        raise ToolError(f"schema agreement not reached after: {_one_line(statement)}")


def keyspace_exists(session: Any, keyspace: str) -> bool:
    """True if ``keyspace`` (stored form) exists; needs only SELECT on
    system_schema, which every role has."""
    rows = session.execute(
        "SELECT keyspace_name FROM system_schema.keyspaces WHERE keyspace_name = %s", (keyspace,)
    )
    return rows.one() is not None


def use_keyspace(session: Any, keyspace: str) -> None:
    """Switch to an existing keyspace, with a helpful error if it is missing."""
    if not keyspace_exists(session, keyspace):
        raise ToolError(
            f"keyspace {keyspace!r} does not exist; create it first "
            f"(`{PROG_NAME} -k {keyspace} create-keyspace`) or ask your DB admin"
        )
    session.set_keyspace(keyspace)


def list_names(session: Any, keyspace: str, what: str) -> list[str]:
    """Table or type names in a keyspace (``what`` is 'tables' or 'types')."""
    column = {"tables": "table_name", "types": "type_name"}[what]
    rows = session.execute(
        f"SELECT {column} FROM system_schema.{what} WHERE keyspace_name = %s", (keyspace,)
    )
    return [getattr(r, column) for r in rows]


# The tool-owned tables; column layout as upstream so its tooling and the
# server's start-up check can read them.
CREATE_SCHEMA_VERSION = (
    "CREATE TABLE IF NOT EXISTS schema_version ("
    "keyspace_name text PRIMARY KEY, creation_time timestamp, "
    "curr_version text, min_compatible_version text)"
)
CREATE_SCHEMA_UPDATE_HISTORY = (
    "CREATE TABLE IF NOT EXISTS schema_update_history ("
    "year int, month int, update_time timestamp, description text, "
    "manifest_md5 text, new_version text, old_version text, "
    "PRIMARY KEY ((year, month), update_time))"
)


def create_version_tables(session: Any) -> None:
    """Create the two bookkeeping tables if they are missing."""
    run_ddl(session, CREATE_SCHEMA_VERSION)
    run_ddl(session, CREATE_SCHEMA_UPDATE_HISTORY)


def read_schema_version(session: Any, keyspace: str, version_key_name: str) -> Optional[str]:
    """The recorded ``curr_version``, or None if the keyspace has no
    version tables or no row yet."""
    if "schema_version" not in list_names(session, keyspace, "tables"):
        return None
    row = session.execute(
        "SELECT curr_version FROM schema_version WHERE keyspace_name = %s", (version_key_name,)
    ).one()
    return row.curr_version if row and row.curr_version else None


def record_version(
    session: Any,
    version_key_name: str,
    old_version: str,
    new_version: str,
    min_compatible: str,
    manifest_md5: str,
    description: str,
) -> None:
    """Upsert the version row and append one history row.

    The history is keyed by (year, month) of the UTC time, as upstream, so
    operators can read it per month.
    """
    now = datetime.datetime.now(datetime.timezone.utc)
    session.execute(
        "INSERT INTO schema_version (keyspace_name, creation_time, curr_version, min_compatible_version) "
        "VALUES (%s, %s, %s, %s)",
        (version_key_name, now, new_version, min_compatible),
    )
    session.execute(
        "INSERT INTO schema_update_history (year, month, update_time, old_version, new_version, "
        "manifest_md5, description) VALUES (%s, %s, %s, %s, %s, %s, %s)",
        (now.year, now.month, now, old_version, new_version, manifest_md5, description),
    )


def drop_all_tables_and_types(session: Any, keyspace: str) -> None:
    """Empty the keyspace (for ``setup-schema --overwrite``).

    Types can embed other types, so they are dropped in rounds until a round
    makes no progress.
    """
    for table in list_names(session, keyspace, "tables"):
        say(f"dropping table {table}")
        run_ddl(session, f'DROP TABLE IF EXISTS "{table}"')
    pending = list_names(session, keyspace, "types")
    while pending:
        failed = []
        for type_name in pending:
            try:
                run_ddl(session, f'DROP TYPE IF EXISTS "{type_name}"')
                say(f"dropped type {type_name}")
            except Exception:  # still used by another type; retry next round
                failed.append(type_name)
        if len(failed) == len(pending):
            raise ToolError(f"cannot drop types {', '.join(failed)}")
        pending = failed


# ---------------------------------------------------------------------------
# Commands (the logic; click wiring is further down)
# ---------------------------------------------------------------------------


def say(message: str) -> None:
    """Progress output goes to stdout; errors go to stderr (see main())."""
    click.echo(message)


def create_keyspace(opts: ConnectionOptions, keyspace: str, replication_factor: int, datacenter: str) -> None:
    """Create ``keyspace`` unless it already exists.

    Looking first means a role without CREATE permission (or a hosted
    service that pre-creates keyspaces) succeeds when there is nothing to do.
    """
    stored = check_keyspace_name(keyspace)
    if replication_factor < 1:
        raise ToolError("--replication-factor must be at least 1")
    if datacenter:
        dc = datacenter.replace("'", "''")
        replication = f"{{'class': 'NetworkTopologyStrategy', '{dc}': {replication_factor}}}"
    else:
        replication = f"{{'class': 'SimpleStrategy', 'replication_factor': {replication_factor}}}"
    with open_session(opts) as session:
        if keyspace_exists(session, stored):
            say(f"keyspace {stored} already exists; nothing to do")
            return
        run_ddl(session, f"CREATE KEYSPACE IF NOT EXISTS {stored} WITH replication = {replication}")
        say(f"created keyspace {stored}")


def setup_schema(
    opts: ConnectionOptions,
    keyspace: str,
    initial_version: Optional[str],
    schema_file: Optional[str],
    disable_versioning: bool,
    overwrite: bool,
) -> None:
    """Prepare a keyspace: version tables, an optional base file, the
    initial version.

    If the keyspace already records a version at or above ``initial_version``
    it is left alone: the usual bootstrap re-runs ``setup-schema -v 0.0`` on
    every start, and resetting a live keyspace to 0.0 would be wrong.
    """
    if disable_versioning and not schema_file:
        raise ToolError("--disable-versioning needs --schema-file")
    if disable_versioning == bool(initial_version):
        raise ToolError("give exactly one of --version and --disable-versioning")
    version = parse_version(initial_version) if initial_version else None
    statements = read_cql_file(schema_file) if schema_file else []
    stored = check_keyspace_name(keyspace)

    with open_session(opts) as session:
        use_keyspace(session, stored)
        if overwrite:
            drop_all_tables_and_types(session, stored)
        if version is not None:
            create_version_tables(session)
        for stmt in statements:
            say(_one_line(stmt))
            run_ddl(session, stmt)
        if version is None:
            say("schema setup complete (versioning disabled)")
            return
        current = read_schema_version(session, stored, keyspace)
        if current is not None and compare_versions(current, version) >= 0:
            say(f"keyspace {stored} already at schema version {current}; version left unchanged")
            return
        record_version(session, keyspace, current or "0", version, version, "", "initial version")
        say(f"keyspace {stored} schema version set to {version}")


def update_schema(
    opts: ConnectionOptions, keyspace: str, schema_dir: str, target: Optional[str], dry_run: bool
) -> None:
    """Apply the versioned steps between the recorded version and ``target``."""
    if not os.path.isdir(schema_dir):
        raise ToolError(f"schema dir {schema_dir} is not a directory")
    target_version = parse_version(target) if target else None
    steps = list_version_dirs(schema_dir)
    stored = check_keyspace_name(keyspace)

    with open_session(opts) as session:
        use_keyspace(session, stored)
        current = read_schema_version(session, stored, keyspace)
        if current is None:
            raise ToolError(
                f"keyspace {stored} has no schema version; run `{PROG_NAME} -k {keyspace} "
                f"setup-schema -v 0.0` first"
            )
        change_sets = load_change_sets(plan_updates(steps, current, target_version))
        if not change_sets:
            say(f"keyspace {stored} already at schema version {current}; nothing to do")
            return
        for cs in change_sets:
            if dry_run:
                say(f"[dry run] {cs.step.name}: {current} -> {cs.manifest.curr_version}")
                for stmt in cs.statements:
                    say(f"[dry run]   {_one_line(stmt)}")
            else:
                say(f"applying {cs.step.name}: {current} -> {cs.manifest.curr_version}")
                for stmt in cs.statements:
                    say(f"  {_one_line(stmt)}")
                    run_ddl(session, stmt)
                record_version(
                    session, keyspace, current, cs.manifest.curr_version,
                    cs.manifest.min_compatible_version, cs.manifest.md5, cs.manifest.description,
                )
            current = cs.manifest.curr_version
        say(("[dry run] would reach" if dry_run else "keyspace now at") + f" schema version {current}")


# ---------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------


class _CompatOption(click.Option):
    """An option that also answers to urfave/cli spellings, but whose help
    only lists the canonical ones (otherwise every flag shows four names)."""

    def __init__(self, *args: Any, shown: Sequence[str] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._shown = list(shown)

    def get_help_record(self, ctx: click.Context) -> Optional[tuple[str, str]]:
        if not self._shown:
            return super().get_help_record(ctx)
        saved = self.opts, self.secondary_opts
        self.opts, self.secondary_opts = self._shown, []
        try:
            return super().get_help_record(ctx)
        finally:
            self.opts, self.secondary_opts = saved


F = TypeVar("F", bound=Callable[..., Any])


def compat_option(dest: str, *names: str, **kwargs: Any) -> Callable[[F], F]:
    """Declare an option under every name urfave/cli would accept.

    urfave/cli treats ``-name`` and ``--name`` the same, and upstream docs use
    both (``-ep``, ``--rf``). Click parses a multi-letter single-dash name as
    a long option, so registering each name with both prefixes reproduces
    that exactly.
    """
    decls: list[str] = [dest]
    for name in names:
        for spelled in (f"--{name}", f"-{name}"):
            if spelled not in decls:
                decls.append(spelled)
    shown = [f"--{names[0]}"] + [f"-{n}" if len(n) == 1 else f"--{n}" for n in names[1:]]
    if kwargs.get("envvar"):
        kwargs.setdefault("show_envvar", True)
    return click.option(*decls, cls=_CompatOption, shown=shown, **kwargs)


class _AliasedGroup(click.Group):
    """Resolves upstream's command aliases (``create``, ``setup``, ``update``,
    and the historical ``create-Keyspace`` spelling)."""

    ALIASES = {
        "create": "create-keyspace",
        "create-Keyspace": "create-keyspace",
        "setup": "setup-schema",
        "update": "update-schema",
    }

    def get_command(self, ctx: click.Context, cmd_name: str) -> Optional[click.Command]:
        return super().get_command(ctx, self.ALIASES.get(cmd_name, cmd_name))

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[Optional[str], Optional[click.Command], list[str]]:
        _, cmd, rest = super().resolve_command(ctx, args)
        return (cmd.name if cmd else None), cmd, rest


@dataclasses.dataclass
class _GlobalState:
    """What the group callback hands to the sub-commands."""

    conn: ConnectionOptions
    keyspace: str
    quiet: bool


def _report_errors(func: F) -> F:
    """Turn expected failures into one stderr line and exit status 1.

    With --quiet, upstream prints the failure and still exits 0 (so scripts
    that re-run setup on every start do not abort); we keep that contract.
    """
    import functools

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        state: _GlobalState = click.get_current_context().find_object(_GlobalState)
        try:
            return func(*args, **kwargs)
        except Exception as exc:  # noqa: BLE001 - every failure becomes a message
            if not _is_expected_error(exc):
                raise
            message = " ".join(str(exc).split()) or type(exc).__name__
            if not isinstance(exc, ToolError):
                message = f"{type(exc).__name__}: {message}"
            if state is not None and state.quiet:
                click.echo(f"fail to run tool: {message}")
                sys.exit(0)
            click.echo(f"{PROG_NAME}: error: {message}", err=True)
            sys.exit(1)

    return wrapper  # type: ignore[return-value]


def _is_expected_error(exc: BaseException) -> bool:
    """Errors worth a one-line message rather than a traceback: our own, the
    driver's (connection, auth, invalid CQL, timeouts) and OS/SSL errors."""
    if isinstance(exc, (ToolError, OSError, ssl.SSLError)):
        return True
    try:
        from cassandra import DriverException, RequestExecutionException, RequestValidationException
        from cassandra.cluster import NoHostAvailable
    except ImportError:  # pragma: no cover - driver is a hard dependency
        return False
    return isinstance(
        exc, (DriverException, RequestExecutionException, RequestValidationException, NoHostAvailable)
    )


@click.group(
    cls=_AliasedGroup,
    name=PROG_NAME,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    help="Create and version Cadence's Cassandra keyspaces (cadence-py edition).",
)
@compat_option("endpoint", "endpoint", "ep", envvar="CASSANDRA_HOST", default="127.0.0.1",
               show_default=True, help="Cassandra host(s) to connect to; comma-separated for several.")
@compat_option("port", "port", "p", type=int, envvar="CASSANDRA_DB_PORT", default=DEFAULT_PORT,
               show_default=True, help="CQL native port.")
@compat_option("user", "user", "u", envvar="CASSANDRA_USER", default="", help="User name for authentication.")
@compat_option("password", "password", "pw", envvar="CASSANDRA_PASSWORD", default="",
               help="Password for authentication.")
@compat_option("allowed_authenticators", "allowed-authenticators", "aa", multiple=True,
               help="Accepted for compatibility; the Python driver does not restrict authenticator classes.")
@compat_option("timeout", "timeout", "t", type=int, envvar="CASSANDRA_TIMEOUT", default=DEFAULT_TIMEOUT_S,
               show_default=True, help="Request timeout in seconds.")
@compat_option("connect_timeout", "connect-timeout", type=int, default=DEFAULT_CONNECT_TIMEOUT_S,
               show_default=True, help="Connect timeout in seconds.")
@compat_option("keyspace", "keyspace", "k", envvar="CASSANDRA_KEYSPACE", default="cadence",
               show_default=True, help="Keyspace to operate on.")
@compat_option("quiet", "quiet", "q", is_flag=True, help="On failure print the error but exit 0.")
@compat_option("protocol_version", "protocol-version", "pv", type=int, envvar="CASSANDRA_PROTO_VERSION",
               default=None, help="CQL native protocol version (default: negotiate).")
@compat_option("tls", "tls", is_flag=True, envvar="CASSANDRA_ENABLE_TLS", help="Enable TLS.")
@compat_option("tls_cert_file", "tls-cert-file", envvar="CASSANDRA_TLS_CERT", default=None,
               help="TLS client certificate file.")
@compat_option("tls_key_file", "tls-key-file", envvar="CASSANDRA_TLS_KEY", default=None,
               help="TLS client key file.")
@compat_option("tls_ca_file", "tls-ca-file", envvar="CASSANDRA_TLS_CA", default=None, help="TLS CA file.")
@compat_option("tls_enable_host_verification", "tls-enable-host-verification", is_flag=True,
               envvar="CASSANDRA_TLS_VERIFY_HOST", help="Verify the server certificate and host name.")
@compat_option("tls_server_name", "tls-server-name", envvar="CASSANDRA_TLS_SERVER_NAME", default=None,
               help="TLS server name (SNI / verification name).")
@click.pass_context
def cli(ctx: click.Context, **params: Any) -> None:
    """Collect the global flags for the sub-commands."""
    hosts = tuple(h.strip() for h in (params["endpoint"] or "").split(",") if h.strip())
    if not hosts:
        raise click.UsageError("missing Cassandra endpoint (--endpoint)")
    if not params["keyspace"]:
        raise click.UsageError("missing keyspace (--keyspace)")
    conn = ConnectionOptions(
        hosts=hosts,
        port=params["port"] or DEFAULT_PORT,
        user=params["user"] or None,
        password=params["password"] or None,
        timeout_s=params["timeout"],
        connect_timeout_s=params["connect_timeout"],
        protocol_version=params["protocol_version"] or None,
        tls=params["tls"],
        tls_cert_file=params["tls_cert_file"],
        tls_key_file=params["tls_key_file"],
        tls_ca_file=params["tls_ca_file"],
        tls_verify_host=params["tls_enable_host_verification"],
        tls_server_name=params["tls_server_name"],
    )
    ctx.obj = _GlobalState(conn=conn, keyspace=params["keyspace"], quiet=params["quiet"])


@cli.command("create-keyspace", short_help="Create the keyspace if missing (aliases: create, create-Keyspace).")
@compat_option("keyspace", "keyspace", "k", default=None, help="Keyspace name (default: the global --keyspace).")
@compat_option("replication_factor", "replication-factor", "rf", type=int, default=1, show_default=True,
               help="Replication factor.")
@compat_option("datacenter", "datacenter", "dc", default="",
               help="Use NetworkTopologyStrategy with this datacenter (default: SimpleStrategy).")
@click.pass_obj
@_report_errors
def create_keyspace_cmd(state: _GlobalState, keyspace: Optional[str], replication_factor: int, datacenter: str) -> None:
    """Create a keyspace with SimpleStrategy, or NetworkTopologyStrategy when
    --datacenter is given. Succeeds without CREATE permission if the keyspace
    already exists."""
    create_keyspace(state.conn, keyspace or state.keyspace, replication_factor, datacenter)


@cli.command("setup-schema", short_help="Set up version tables and the initial schema (alias: setup).")
@compat_option("version", "version", "v", default=None, help="Initial version to record, e.g. 0.0.")
@compat_option("schema_file", "schema-file", "f", default=None,
               help="CQL file to run; without it only the version tables are set up.")
@compat_option("disable_versioning", "disable-versioning", "d", is_flag=True,
               help="Do not create/update version tables (needs --schema-file).")
@compat_option("overwrite", "overwrite", "o", is_flag=True,
               help="Drop every table and type in the keyspace first.")
@click.pass_obj
@_report_errors
def setup_schema_cmd(
    state: _GlobalState, version: Optional[str], schema_file: Optional[str], disable_versioning: bool, overwrite: bool
) -> None:
    """Create schema_version/schema_update_history, run an optional CQL
    file, and record the initial version. The keyspace must already exist."""
    setup_schema(state.conn, state.keyspace, version, schema_file, disable_versioning, overwrite)


@cli.command("update-schema", short_help="Apply versioned schema folders (alias: update).")
@compat_option("schema_dir", "schema-dir", "d", default=None,
               help="Path to the versioned/ directory (vX.Y and sA.B-X.Y folders).")
@compat_option("target_version", "version", "v", default=None, help="Target version (default: newest).")
@compat_option("dryrun", "dryrun", is_flag=True, help="Only print what would run.")
@click.pass_obj
@_report_errors
def update_schema_cmd(state: _GlobalState, schema_dir: str, target_version: Optional[str], dryrun: bool) -> None:
    """Apply every folder newer than the recorded version, up to the target,
    recording each step. Running it again when up to date does nothing."""
    if not schema_dir:
        # Checked here rather than with required=True so the message names
        # the flag once instead of listing all four accepted spellings.
        raise click.UsageError("missing --schema-dir (-d): path to the versioned/ directory")
    update_schema(state.conn, state.keyspace, schema_dir, target_version, dryrun)


def _quiet_driver_logging() -> None:
    """The driver logs protocol-downgrade and connection chatter as warnings;
    without a configured handler Python would print them on stderr and bury
    our one-line messages."""
    logging.getLogger("cassandra").setLevel(logging.ERROR)
    logging.getLogger("cassandra").addHandler(logging.NullHandler())
    logging.getLogger("cassandra").propagate = False


def main(argv: Optional[Sequence[str]] = None) -> None:
    """Console-script entry point (``cadence-cassandra-tool``)."""
    _quiet_driver_logging()
    cli.main(args=list(argv) if argv is not None else None, prog_name=PROG_NAME)


if __name__ == "__main__":
    main()
