"""Tests for ``cadence-cassandra-tool`` (cadence_py.tools.cassandra_tool).

Two groups:

* pure unit tests (no Cassandra): the CQL splitter, version ordering, update
  planning, manifest checks, the shipped schema files, and command-line
  parsing (urfave/cli-style ``-ep``/``--ep`` spellings, aliases, env vars);
* tests against a real node via the ``cassandra_node`` fixture (provided by
  tests/conftest.py; it yields ``.contact_point`` and ``.port``). Each test
  uses uniquely named keyspaces so tests can share one node, and drops them
  afterwards.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any, Iterator

import pytest
from click.testing import CliRunner

from cadence_py.tools import cassandra_tool as tool

REPO = Path(__file__).resolve().parents[2]
SCHEMA = REPO / "schema" / "cassandra"
CADENCE_VERSIONED = SCHEMA / "cadence" / "versioned"
VISIBILITY_VERSIONED = SCHEMA / "visibility" / "versioned"

CADENCE_TABLES = {
    "history_node", "schema_version", "tasks", "history_tree", "domains_by_name_v2", "executions",
    "domains", "events", "cluster_config", "queue", "queue_metadata", "schema_update_history",
    "domain_audit_log",
}
VISIBILITY_TABLES = {
    "open_executions", "closed_executions_v2", "closed_executions", "schema_update_history",
    "schema_version",
}
SYSTEM_DOMAIN_ID = uuid.UUID("32049b68-7872-4094-8e63-d0dd59896a83")


# ---------------------------------------------------------------------------
# Statement splitter
# ---------------------------------------------------------------------------


def test_split_drops_comments_and_joins_lines() -> None:
    text = """
    -- leading comment
    CREATE TABLE t (   -- trailing comment
      a int,
      -- a whole-line comment inside the statement
      b text,
      PRIMARY KEY (a)
    );
    ALTER TABLE t ADD c int;  -- comment after the semicolon
    """
    assert tool.split_statements(text) == [
        "CREATE TABLE t ( a int, b text, PRIMARY KEY (a) )",
        "ALTER TABLE t ADD c int",
    ]


def test_split_keeps_trailing_comma_in_create_type() -> None:
    text = "CREATE TYPE x (\n  a int,\n  b text, -- why\n);\n"
    assert tool.split_statements(text) == ["CREATE TYPE x ( a int, b text, )"]


def test_split_needs_semicolon_at_line_end() -> None:
    # A ';' in the middle of a line does not end the statement (upstream rule).
    text = "INSERT INTO t (a) VALUES ('x;y')\nIF NOT EXISTS;\n"
    assert tool.split_statements(text) == ["INSERT INTO t (a) VALUES ('x;y') IF NOT EXISTS"]


def test_split_keeps_double_dash_inside_string_literal() -> None:
    text = "INSERT INTO t (a) VALUES ('a--b'); -- real comment\n"
    assert tool.split_statements(text) == ["INSERT INTO t (a) VALUES ('a--b')"]


def test_split_returns_unterminated_tail_and_ignores_blank_input() -> None:
    assert tool.split_statements("CREATE TABLE t (a int PRIMARY KEY)") == ["CREATE TABLE t (a int PRIMARY KEY)"]
    assert tool.split_statements("\n  -- only a comment\n\n") == []


def test_statement_kinds_are_restricted() -> None:
    tool.check_statement_kinds(["CREATE TABLE a (x int PRIMARY KEY)", "alter table a add y int",
                                "INSERT INTO a (x) VALUES (1)", "DROP TABLE a"], "f.cql")
    with pytest.raises(tool.ToolError, match="SELECT"):
        tool.check_statement_kinds(["SELECT * FROM a"], "f.cql")


# ---------------------------------------------------------------------------
# Versions and planning
# ---------------------------------------------------------------------------


def test_versions_compare_numerically() -> None:
    assert tool.compare_versions("0.9", "0.10") < 0
    assert tool.compare_versions("0.10", "0.10") == 0
    assert tool.compare_versions("1", "0.99") > 0
    assert tool.compare_versions("1", "1.0") == 0
    assert tool.sort_versions(["0.10", "0.9", "0.1", "0.47", "1.0", "0.2"]) == [
        "0.1", "0.2", "0.9", "0.10", "0.47", "1.0"]


@pytest.mark.parametrize("text,expected", [("0.0", "0.0"), ("v0.47", "0.47"), ("2", "2"), (" 0.10 ", "0.10")])
def test_parse_version_accepts_upstream_forms(text: str, expected: str) -> None:
    assert tool.parse_version(text) == expected


@pytest.mark.parametrize("text", ["", "x", "0.1.2", "0.a", "-1"])
def test_parse_version_rejects_garbage(text: str) -> None:
    with pytest.raises(tool.ToolError):
        tool.parse_version(text)


def _steps(*names: str) -> list[tool.VersionDir]:
    out = []
    for name in names:
        if name.startswith("s"):
            start, end = name[1:].split("-")
            out.append(tool.VersionDir(name, f"/x/{name}", end, squashed_from=start))
        else:
            out.append(tool.VersionDir(name, f"/x/{name}", name[1:]))
    return out


def _names(plan: list[tool.VersionDir]) -> list[str]:
    return [s.name for s in plan]


def test_plan_orders_numerically_and_respects_bounds() -> None:
    steps = _steps("v0.10", "v0.9", "v0.1", "v0.2", "v0.11")
    assert _names(tool.plan_updates(steps, "0.0", None)) == ["v0.1", "v0.2", "v0.9", "v0.10", "v0.11"]
    assert _names(tool.plan_updates(steps, "0.2", "0.10")) == ["v0.9", "v0.10"]
    assert tool.plan_updates(steps, "0.11", None) == []          # already up to date: no-op
    assert tool.plan_updates(steps, "0.11", "0.11") == []
    assert tool.plan_updates(steps, "0.50", None) == []          # newer than any folder
    with pytest.raises(tool.ToolError, match="older"):
        tool.plan_updates(steps, "0.10", "0.9")
    with pytest.raises(tool.ToolError, match="no folder"):
        tool.plan_updates(steps, "0.0", "0.5")


def test_plan_uses_squashed_folder_as_shortcut() -> None:
    steps = _steps("s0.0-0.3", "v0.1", "v0.2", "v0.3", "v0.4", "v0.5")
    assert _names(tool.plan_updates(steps, "0.0", None)) == ["s0.0-0.3", "v0.4", "v0.5"]
    # From inside the squashed range the squash cannot be used.
    assert _names(tool.plan_updates(steps, "0.1", None)) == ["v0.2", "v0.3", "v0.4", "v0.5"]
    assert _names(tool.plan_updates(steps, "0.0", "0.3")) == ["s0.0-0.3"]


def test_plan_single_full_schema_folder_from_zero() -> None:
    # Our own layout: one folder holding the whole schema.
    assert _names(tool.plan_updates(_steps("v0.47"), "0.0", None)) == ["v0.47"]


def _write_step(root: Path, name: str, manifest: dict[str, Any], files: dict[str, str]) -> Path:
    d = root / name
    d.mkdir()
    (d / "manifest.json").write_text(json.dumps(manifest))
    for fname, text in files.items():
        (d / fname).write_text(text)
    return d


def test_manifest_must_match_folder(tmp_path: Path) -> None:
    _write_step(tmp_path, "v0.2", {"CurrVersion": "0.3", "MinCompatibleVersion": "0.1",
                                   "SchemaUpdateCqlFiles": ["a.cql"]}, {"a.cql": "DROP TABLE x;"})
    (step,) = tool.list_version_dirs(str(tmp_path))
    with pytest.raises(tool.ToolError, match="does not match"):
        tool.read_manifest(step)


def test_manifest_md5_and_squash_folder(tmp_path: Path) -> None:
    d = _write_step(tmp_path, "s0.0-0.2", {"CurrVersion": "v0.2", "MinCompatibleVersion": "0.2",
                                           "Description": "d", "SchemaUpdateCqlFiles": ["a.cql"]},
                    {"a.cql": "CREATE TABLE IF NOT EXISTS x (a int PRIMARY KEY);"})
    (tmp_path / "README").write_text("ignored")
    (tmp_path / "notes").mkdir()  # ignored: not a version folder name
    (step,) = tool.list_version_dirs(str(tmp_path))
    assert (step.squashed_from, step.version) == ("0.0", "0.2")
    (cs,) = tool.load_change_sets([step])
    assert cs.manifest.curr_version == "0.2"
    assert cs.manifest.md5 == hashlib.md5((d / "manifest.json").read_bytes()).hexdigest()
    assert cs.statements == ("CREATE TABLE IF NOT EXISTS x (a int PRIMARY KEY)",)


def test_bad_cql_in_later_step_is_caught_before_anything_runs(tmp_path: Path) -> None:
    _write_step(tmp_path, "v0.1", {"CurrVersion": "0.1", "MinCompatibleVersion": "0.1",
                                   "SchemaUpdateCqlFiles": ["a.cql"]}, {"a.cql": "CREATE TABLE a (x int PRIMARY KEY);"})
    _write_step(tmp_path, "v0.2", {"CurrVersion": "0.2", "MinCompatibleVersion": "0.1",
                                   "SchemaUpdateCqlFiles": ["b.cql"]}, {"b.cql": "TRUNCATE a;"})
    plan = tool.plan_updates(tool.list_version_dirs(str(tmp_path)), "0.0", None)
    with pytest.raises(tool.ToolError, match="TRUNCATE"):
        tool.load_change_sets(plan)


# ---------------------------------------------------------------------------
# The shipped schema tree
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("path", sorted(str(p.relative_to(REPO)) for p in SCHEMA.rglob("*.cql")))
def test_shipped_cql_is_parseable_and_idempotent(path: str) -> None:
    statements = tool.read_cql_file(str(REPO / path))
    for stmt in statements:
        head = " ".join(stmt.split()[:2]).upper()
        if head.startswith("CREATE"):
            assert "IF NOT EXISTS" in stmt.upper(), stmt[:80]
        if head.startswith("INSERT"):
            assert stmt.upper().endswith("IF NOT EXISTS"), stmt[:80]


@pytest.mark.parametrize("versioned,version,cql", [
    (CADENCE_VERSIONED, "0.47", "cadence.cql"), (VISIBILITY_VERSIONED, "0.10", "visibility.cql")])
def test_shipped_versioned_tree(versioned: Path, version: str, cql: str) -> None:
    (step,) = tool.list_version_dirs(str(versioned))
    manifest = tool.read_manifest(step)
    assert (manifest.curr_version, manifest.min_compatible_version, manifest.cql_files) == (version, version, (cql,))
    # The versioned file and the full schema file hold the same statements.
    full = tool.read_cql_file(str(versioned.parent / "schema.cql"))
    assert tool.read_cql_file(str(versioned / f"v{version}" / cql)) == full


# ---------------------------------------------------------------------------
# Command line (no database: the command functions are replaced)
# ---------------------------------------------------------------------------


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, tuple[Any, ...]]]:
    seen: list[tuple[str, tuple[Any, ...]]] = []
    for name in ("create_keyspace", "setup_schema", "update_schema"):
        monkeypatch.setattr(tool.runner, name, lambda *a, _n=name: seen.append((_n, a)))
    return seen


def _run(args: list[str], env: dict[str, str] | None = None) -> Any:
    clean = {k: None for k in ("CASSANDRA_HOST", "CASSANDRA_DB_PORT", "CASSANDRA_KEYSPACE", "CASSANDRA_USER",
                               "CASSANDRA_PASSWORD", "CASSANDRA_TIMEOUT", "CASSANDRA_PROTO_VERSION")}
    clean.update(env or {})
    return CliRunner(env=clean).invoke(tool.cli, args, prog_name=tool.PROG_NAME)


def test_cli_accepts_single_and_double_dash_aliases(calls: list) -> None:
    r = _run(["-ep", "10.0.0.1,10.0.0.2", "-p", "19042", "-k", "ks1", "-pw", "s3", "-u", "me",
              "-pv", "4", "-t", "5", "create-keyspace", "-rf", "3", "-dc", "dc1"])
    assert r.exit_code == 0, r.output
    name, (conn, keyspace, rf, dc) = calls[-1]
    assert name == "create_keyspace"
    assert conn.hosts == ("10.0.0.1", "10.0.0.2") and conn.port == 19042
    assert (conn.user, conn.password, conn.protocol_version, conn.timeout_s) == ("me", "s3", 4, 5)
    assert (keyspace, rf, dc) == ("ks1", 3, "dc1")

    r = _run(["--ep", "h", "--port", "1", "--keyspace", "ks2", "--pw", "x", "create", "--rf", "2"])
    assert r.exit_code == 0, r.output
    assert calls[-1][1][0].hosts == ("h",) and calls[-1][1][1:] == ("ks2", 2, "")

    r = _run(["--endpoint", "h", "create-Keyspace", "-k", "own", "--replication-factor", "1"])
    assert r.exit_code == 0, r.output
    assert calls[-1][1][1] == "own"


def test_cli_setup_and_update_aliases(calls: list) -> None:
    r = _run(["-k", "cadence", "setup", "-v", "0.0"])
    assert r.exit_code == 0, r.output
    assert calls[-1] == ("setup_schema", (calls[-1][1][0], "cadence", "0.0", None, False, False))
    r = _run(["setup-schema", "-f", "x.cql", "-d", "-o"])
    assert r.exit_code == 0, r.output
    assert calls[-1][1][1:] == ("cadence", None, "x.cql", True, True)
    r = _run(["-k", "v", "update", "-d", "dir", "-v", "0.10", "--dryrun"])
    assert r.exit_code == 0, r.output
    assert calls[-1][0] == "update_schema" and calls[-1][1][1:] == ("v", "dir", "0.10", True)
    r = _run(["update-schema", "--schema-dir", "dir"])
    assert calls[-1][1][1:] == ("cadence", "dir", None, False)


def test_cli_env_vars_and_defaults(calls: list) -> None:
    r = _run(["setup", "-v", "0.0"])
    conn = calls[-1][1][0]
    assert r.exit_code == 0 and conn.hosts == ("127.0.0.1",) and conn.port == 9042 and calls[-1][1][1] == "cadence"
    r = _run(["setup", "-v", "0.0"], env={"CASSANDRA_HOST": "db", "CASSANDRA_DB_PORT": "1234",
                                          "CASSANDRA_KEYSPACE": "envks", "CASSANDRA_USER": "u"})
    conn = calls[-1][1][0]
    assert r.exit_code == 0 and conn.hosts == ("db",) and conn.port == 1234 and conn.user == "u"
    assert calls[-1][1][1] == "envks"


def test_cli_usage_errors_exit_2(calls: list) -> None:
    assert _run(["--no-such-flag", "setup"]).exit_code == 2
    assert _run(["update-schema"]).exit_code == 2          # --schema-dir missing
    assert _run(["-p", "notanumber", "setup"]).exit_code == 2
    assert _run(["frobnicate"]).exit_code == 2
    assert calls == []


def test_cli_tool_errors_exit_1_or_0_when_quiet(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*_: Any) -> None:
        raise tool.ToolError("keyspace 'x' does not exist")

    monkeypatch.setattr(tool.runner, "setup_schema", boom)
    r = _run(["setup", "-v", "0.0"])
    assert r.exit_code == 1
    assert r.stderr.strip() == "cadence-cassandra-tool: error: keyspace 'x' does not exist"
    r = _run(["-q", "setup", "-v", "0.0"])
    assert r.exit_code == 0 and "fail to run tool" in r.stdout


def test_setup_flag_combinations_are_validated() -> None:
    conn = tool.ConnectionOptions(hosts=("127.0.0.1",), port=1)
    with pytest.raises(tool.ToolError, match="exactly one"):
        tool.setup_schema(conn, "ks", None, None, False, False)
    with pytest.raises(tool.ToolError, match="needs --schema-file"):
        tool.setup_schema(conn, "ks", None, None, True, False)
    with pytest.raises(tool.ToolError, match="exactly one"):
        tool.setup_schema(conn, "ks", "0.0", "f.cql", True, False)
    with pytest.raises(tool.ToolError, match="invalid keyspace"):
        tool.create_keyspace(conn, "bad-name", 1, "")


# ---------------------------------------------------------------------------
# Against a real Cassandra node
# ---------------------------------------------------------------------------


def _unique(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:10]}"


@pytest.fixture
def session(cassandra_node: Any) -> Iterator[Any]:
    from cassandra.cluster import Cluster

    cluster = Cluster([cassandra_node.contact_point], port=cassandra_node.port)
    try:
        yield cluster.connect()
    finally:
        cluster.shutdown()


@pytest.fixture
def keyspaces(session: Any) -> Iterator[list[str]]:
    """Names registered here are dropped after the test."""
    names: list[str] = []
    yield names
    for name in names:
        session.execute(f"DROP KEYSPACE IF EXISTS {name}", timeout=60)


def _cli(node: Any, keyspace: str, *args: str) -> Any:
    result = _run(["-ep", node.contact_point, "-p", str(node.port), "-k", keyspace, *args])
    assert result.exit_code == 0, f"{args}: {result.output}"
    return result


def _tables(session: Any, keyspace: str) -> set[str]:
    rows = session.execute("SELECT table_name FROM system_schema.tables WHERE keyspace_name = %s", (keyspace,))
    return {r.table_name for r in rows}


def _bootstrap(node: Any, keyspace: str, versioned: Path) -> list[str]:
    outputs = []
    outputs.append(_cli(node, keyspace, "create-keyspace", "--rf", "1").output)
    outputs.append(_cli(node, keyspace, "setup-schema", "-v", "0.0").output)
    outputs.append(_cli(node, keyspace, "update-schema", "-d", str(versioned)).output)
    return outputs


def test_bootstrap_twice_is_idempotent(cassandra_node: Any, session: Any, keyspaces: list[str]) -> None:
    main_ks, vis_ks = _unique("cadence"), _unique("cadence_visibility")
    keyspaces += [main_ks, vis_ks]

    _bootstrap(cassandra_node, main_ks, CADENCE_VERSIONED)
    _bootstrap(cassandra_node, vis_ks, VISIBILITY_VERSIONED)
    assert CADENCE_TABLES <= _tables(session, main_ks)
    assert VISIBILITY_TABLES <= _tables(session, vis_ks)

    second = _bootstrap(cassandra_node, main_ks, CADENCE_VERSIONED)
    assert "already exists" in second[0] and "nothing to do" in second[2]
    _bootstrap(cassandra_node, vis_ks, VISIBILITY_VERSIONED)

    for ks, version, versioned in ((main_ks, "0.47", CADENCE_VERSIONED), (vis_ks, "0.10", VISIBILITY_VERSIONED)):
        row = session.execute(f"SELECT * FROM {ks}.schema_version WHERE keyspace_name = %s", (ks,)).one()
        assert (row.curr_version, row.min_compatible_version) == (version, version)
        history = sorted(session.execute(f"SELECT * FROM {ks}.schema_update_history"), key=lambda r: r.update_time)
        assert [(h.old_version, h.new_version) for h in history] == [("0", "0.0"), ("0.0", version)]
        md5 = hashlib.md5((versioned / f"v{version}" / "manifest.json").read_bytes()).hexdigest()
        assert history[1].manifest_md5 == md5 and history[0].manifest_md5 == ""

    # The seed rows for the system domain exist exactly once.
    row = session.execute(f"SELECT * FROM {main_ks}.domains_by_name_v2 WHERE domains_partition = 0 "
                          f"AND name = 'cadence-system'").one()
    assert row.domain.id == SYSTEM_DOMAIN_ID and row.config.retention == 3
    assert (row.failover_version, row.notification_version, row.is_global_domain) == (-24, -1, False)
    assert session.execute(f"SELECT domain FROM {main_ks}.domains WHERE id = %s",
                           (SYSTEM_DOMAIN_ID,)).one().domain.name == "cadence-system"


def test_keyspace_created_by_someone_else(cassandra_node: Any, session: Any, keyspaces: list[str]) -> None:
    ks = _unique("precreated")
    keyspaces.append(ks)
    session.execute(f"CREATE KEYSPACE {ks} WITH replication = "
                    f"{{'class': 'NetworkTopologyStrategy', 'datacenter1': 1}}", timeout=60)
    out = _bootstrap(cassandra_node, ks, CADENCE_VERSIONED)
    assert "already exists" in out[0]
    strategy = session.execute("SELECT replication FROM system_schema.keyspaces WHERE keyspace_name = %s",
                               (ks,)).one().replication["class"]
    assert strategy.endswith("NetworkTopologyStrategy")  # untouched
    assert CADENCE_TABLES <= _tables(session, ks)


def test_setup_on_missing_keyspace_fails_cleanly(cassandra_node: Any) -> None:
    r = _run(["-ep", cassandra_node.contact_point, "-p", str(cassandra_node.port), "-k", _unique("missing"),
              "setup-schema", "-v", "0.0"])
    assert r.exit_code == 1
    assert "does not exist" in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_update_steps_and_target_version(cassandra_node: Any, session: Any, keyspaces: list[str],
                                         tmp_path: Path) -> None:
    ks = _unique("steps")
    keyspaces.append(ks)
    for name, cql in (("v0.1", "CREATE TABLE IF NOT EXISTS a (x int PRIMARY KEY);"),
                      ("v0.9", "CREATE TYPE IF NOT EXISTS t (f int,);"),
                      ("v0.10", "ALTER TABLE a ADD y frozen<t>;")):
        _write_step(tmp_path, name, {"CurrVersion": name[1:], "MinCompatibleVersion": "0.1",
                                     "Description": name, "SchemaUpdateCqlFiles": ["s.cql"]}, {"s.cql": cql})
    _cli(cassandra_node, ks, "create-keyspace")
    _cli(cassandra_node, ks, "setup-schema", "-v", "0.0")
    dry = _cli(cassandra_node, ks, "update-schema", "-d", str(tmp_path), "--dryrun").output
    assert "[dry run]" in dry and _tables(session, ks) == {"schema_version", "schema_update_history"}
    _cli(cassandra_node, ks, "update-schema", "-d", str(tmp_path), "-v", "0.9")
    assert session.execute(f"SELECT curr_version FROM {ks}.schema_version").one().curr_version == "0.9"
    _cli(cassandra_node, ks, "update-schema", "-d", str(tmp_path))
    row = session.execute(f"SELECT curr_version, min_compatible_version FROM {ks}.schema_version").one()
    assert (row.curr_version, row.min_compatible_version) == ("0.10", "0.1")
    cols = {r.column_name for r in session.execute(
        "SELECT column_name FROM system_schema.columns WHERE keyspace_name = %s AND table_name = 'a'", (ks,))}
    assert cols == {"x", "y"}
    again = _cli(cassandra_node, ks, "update-schema", "-d", str(tmp_path)).output
    assert "nothing to do" in again
    # setup-schema must not lower an existing version.
    _cli(cassandra_node, ks, "setup-schema", "-v", "0.0")
    assert session.execute(f"SELECT curr_version FROM {ks}.schema_version").one().curr_version == "0.10"


def test_console_entry_point_runs_as_module(cassandra_node: Any, keyspaces: list[str]) -> None:
    ks = _unique("module")
    keyspaces.append(ks)
    env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.run(
        [sys.executable, "-m", "cadence_py.tools.cassandra_tool", "-ep", cassandra_node.contact_point,
         "-p", str(cassandra_node.port), "-k", ks, "create", "-rf", "1"],
        capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert f"created keyspace {ks}" in proc.stdout
