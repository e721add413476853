"""What the tool reads and changes inside a keyspace: DDL with schema
agreement, existence and listing checks, and the two version tables
(``schema_version``, ``schema_update_history``) laid out as upstream's."""

from __future__ import annotations

import datetime
import re
from typing import Any, Optional

from cadence_py.tools.cassandra_tool.messages import PROG_NAME, ToolError, one_line, say

# Cassandra keyspace names: word characters, at most 48 of them. We check
# this ourselves because the name is spliced into CQL text.
_KEYSPACE_RE = re.compile(r"^[A-Za-z0-9_]{1,48}$")


def check_keyspace_name(name: str) -> str:
    """Validate a keyspace name and return the form Cassandra stores.

    Names are spliced into CQL, so only word characters are allowed; and
    unquoted identifiers are case-folded by Cassandra, so lookups in
    ``system_schema`` must use the lower-case form.
    """
    if not name or not _KEYSPACE_RE.match(name):
        raise ToolError(f"invalid keyspace name {name!r}: use 1-48 letters, digits or underscores")
    return name.lower()



def run_ddl(session: Any, statement: str) -> None:
    """Execute one schema statement and insist on schema agreement.

    The next statement may depend on this one (a table needs its types), and
    the driver may send it to another node, so we only proceed once all nodes
    report the same schema version.
    """
    result = session.execute(statement)
    if not result.response_future.is_schema_agreed:
        raise ToolError(f"schema agreement not reached after: {one_line(statement)}")


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

