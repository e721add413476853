"""Connecting to Cassandra with the tool's global flags.

Auth and TLS are built by ``cadence_py.persistence.cassandra.session``, as for
the server; what differs is the tool's own profile: consistency ALL, its
longer timeouts, and the driver's plain (non-gevent) connection class.
"""

from __future__ import annotations

import contextlib
import dataclasses
from typing import TYPE_CHECKING, Any, Iterator, Optional

from cadence_py.tools.cassandra_tool.messages import ToolError

if TYPE_CHECKING:
    from cadence_py.persistence.cassandra.session import TLSConfig

DEFAULT_TIMEOUT_S = 30
DEFAULT_CONNECT_TIMEOUT_S = 2
DEFAULT_PORT = 9042


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


def tls_config(opts: ConnectionOptions) -> "TLSConfig":
    """The TLS flags as the shared session module's ``TLSConfig``.

    The certificate/key pair is checked here so the message names our flags.
    """
    from cadence_py.persistence.cassandra.session import TLSConfig

    if opts.tls and bool(opts.tls_cert_file) != bool(opts.tls_key_file):
        raise ToolError("--tls-cert-file and --tls-key-file must be given together")
    return TLSConfig(
        enabled=opts.tls,
        cert_file=opts.tls_cert_file,
        key_file=opts.tls_key_file,
        ca_file=opts.tls_ca_file,
        enable_host_verification=opts.tls_verify_host,
        server_name=opts.tls_server_name,
    )


@contextlib.contextmanager
def open_session(opts: ConnectionOptions) -> Iterator[Any]:
    """Connect (without a keyspace) and always shut the cluster down.

    Consistency ALL, as upstream: schema changes and version rows must be on
    every replica before the next step or a server start reads them.
    """
    # Imported here so --help and flag errors stay fast (the driver is slow
    # to import).
    from cassandra import ConsistencyLevel
    from cassandra.cluster import EXEC_PROFILE_DEFAULT, Cluster, ExecutionProfile
    from cassandra.policies import RoundRobinPolicy

    from cadence_py.persistence.cassandra.session import auth_and_tls_kwargs

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
    if opts.protocol_version:
        kwargs["protocol_version"] = opts.protocol_version
    kwargs.update(auth_and_tls_kwargs(opts.user, opts.password, tls_config(opts)))
    cluster = Cluster(**kwargs)
    try:
        yield cluster.connect()
    finally:
        cluster.shutdown()
