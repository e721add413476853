"""The three operations behind the sub-commands: create-keyspace,
setup-schema and update-schema (the click wiring is in ``command_line``)."""

from __future__ import annotations

import os
from typing import Optional

from cadence_py.tools.cassandra_tool.connect import ConnectionOptions, open_session
from cadence_py.tools.cassandra_tool.cql_files import read_cql_file
from cadence_py.tools.cassandra_tool.keyspace import (
    check_keyspace_name,
    create_version_tables,
    drop_all_tables_and_types,
    keyspace_exists,
    read_schema_version,
    record_version,
    run_ddl,
    use_keyspace,
)
from cadence_py.tools.cassandra_tool.messages import PROG_NAME, ToolError, one_line, say
from cadence_py.tools.cassandra_tool.versioned_dirs import (
    list_version_dirs,
    load_change_sets,
    plan_updates,
)
from cadence_py.tools.cassandra_tool.versions import compare_versions, parse_version


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
            say(one_line(stmt))
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
                    say(f"[dry run]   {one_line(stmt)}")
            else:
                say(f"applying {cs.step.name}: {current} -> {cs.manifest.curr_version}")
                for stmt in cs.statements:
                    say(f"  {one_line(stmt)}")
                    run_ddl(session, stmt)
                record_version(
                    session, keyspace, current, cs.manifest.curr_version,
                    cs.manifest.min_compatible_version, cs.manifest.md5, cs.manifest.description,
                )
            current = cs.manifest.curr_version
        say(("[dry run] would reach" if dry_run else "keyspace now at") + f" schema version {current}")
