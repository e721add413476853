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

Modules: ``messages`` (tool name, ToolError, output), ``versions`` (version
strings and order), ``cql_files`` (statement splitting and vetting),
``versioned_dirs`` (step folders, manifests, update planning), ``connect``
(flags to a driver session), ``keyspace`` (DDL and the version tables),
``runner`` (the three operations) and ``command_line`` (click, ``main``).
"""

from __future__ import annotations

from cadence_py.tools.cassandra_tool.command_line import cli, compat_option, main
from cadence_py.tools.cassandra_tool.connect import (
    DEFAULT_CONNECT_TIMEOUT_S,
    DEFAULT_PORT,
    DEFAULT_TIMEOUT_S,
    ConnectionOptions,
    open_session,
    tls_config,
)
from cadence_py.tools.cassandra_tool.cql_files import (
    ALLOWED_STATEMENT_KINDS,
    check_statement_kinds,
    read_cql_file,
    split_statements,
)
from cadence_py.tools.cassandra_tool.keyspace import (
    CREATE_SCHEMA_UPDATE_HISTORY,
    CREATE_SCHEMA_VERSION,
    check_keyspace_name,
    create_version_tables,
    drop_all_tables_and_types,
    keyspace_exists,
    list_names,
    read_schema_version,
    record_version,
    run_ddl,
    use_keyspace,
)
from cadence_py.tools.cassandra_tool.messages import PROG_NAME, ToolError, say
from cadence_py.tools.cassandra_tool.runner import create_keyspace, setup_schema, update_schema
from cadence_py.tools.cassandra_tool.versioned_dirs import (
    MANIFEST_FILE,
    ChangeSet,
    Manifest,
    VersionDir,
    list_version_dirs,
    load_change_sets,
    plan_updates,
    read_manifest,
)
from cadence_py.tools.cassandra_tool.versions import (
    compare_versions,
    parse_version,
    sort_versions,
    version_key,
)

__all__ = [
    "ALLOWED_STATEMENT_KINDS", "CREATE_SCHEMA_UPDATE_HISTORY", "CREATE_SCHEMA_VERSION",
    "DEFAULT_CONNECT_TIMEOUT_S", "DEFAULT_PORT", "DEFAULT_TIMEOUT_S", "MANIFEST_FILE", "PROG_NAME",
    "ChangeSet", "ConnectionOptions", "Manifest", "ToolError", "VersionDir",
    "check_keyspace_name", "check_statement_kinds", "cli", "compare_versions", "compat_option",
    "create_keyspace", "create_version_tables", "drop_all_tables_and_types", "keyspace_exists",
    "list_names", "list_version_dirs", "load_change_sets", "main", "open_session", "parse_version",
    "plan_updates", "read_cql_file", "read_manifest", "read_schema_version", "record_version",
    "run_ddl", "say", "setup_schema", "sort_versions", "split_statements", "tls_config",
    "update_schema", "use_keyspace", "version_key",
]
