"""The click command line: upstream's global flags, sub-commands and aliases,
error reporting and exit codes, and the console-script entry point."""

from __future__ import annotations

import dataclasses
import functools
import logging
import ssl
import sys
from typing import Any, Callable, Optional, Sequence, TypeVar

import click

# The operations are looked up on the module at call time, so tests can
# replace them without a database.
from cadence_py.tools.cassandra_tool import runner
from cadence_py.tools.cassandra_tool.connect import (
    DEFAULT_CONNECT_TIMEOUT_S,
    DEFAULT_PORT,
    DEFAULT_TIMEOUT_S,
    ConnectionOptions,
)
from cadence_py.tools.cassandra_tool.messages import PROG_NAME, ToolError


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
    runner.create_keyspace(state.conn, keyspace or state.keyspace, replication_factor, datacenter)


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
    runner.setup_schema(state.conn, state.keyspace, version, schema_file, disable_versioning, overwrite)


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
    runner.update_schema(state.conn, state.keyspace, schema_dir, target_version, dryrun)


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
