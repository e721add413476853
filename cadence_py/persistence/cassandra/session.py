"""Build a cassandra-driver Session from cadence-py's Cassandra config.

All driver-specific I/O setup lives here (connection class, TLS, auth, consistency,
timeouts) so the stores only see a ``Session``. That matters because the driver's gevent
reactor is deprecated (removal announced for 3.31): when it goes, only this module changes.

Defaults follow Cadence's gocql plugin (``nosqlplugin/cassandra/plugin.go``): consistency
LOCAL_QUORUM, serial consistency LOCAL_SERIAL, request timeout 10 s, connect timeout 2 s,
native protocol v4.
"""

from __future__ import annotations

import socket
import ssl
import warnings
from dataclasses import dataclass, field
from typing import Any, Mapping

from cassandra import ConsistencyLevel
from cassandra.auth import PlainTextAuthProvider
from cassandra.cluster import EXEC_PROFILE_DEFAULT, Cluster, ExecutionProfile, Session
from cassandra.policies import (DCAwareRoundRobinPolicy, ExponentialReconnectionPolicy,
                                TokenAwarePolicy)
from cassandra.query import dict_factory

from cadence_py.persistence.cassandra.direct import DirectSession

DEFAULT_PORT = 9042
DEFAULT_TIMEOUT_S = 10.0
DEFAULT_CONNECT_TIMEOUT_S = 2.0
DEFAULT_PROTOCOL_VERSION = 4
#: Reconnection to a node that went down: first try after RECONNECT_BASE_S, then doubling
#: up to RECONNECT_MAX_S. The driver's default goes up to 600 s; in the fault test a node
#: restarted after 20 s was reached again 23 s after it was back (the next try was 34 s
#: away), and every write waited for it. One connection attempt every 2 s per down host is
#: nothing next to that.
RECONNECT_BASE_S = 0.25
RECONNECT_MAX_S = 2.0


@dataclass(frozen=True)
class TLSConfig:
    """Cadence's ``tls`` block. Without host verification the server certificate is not
    checked at all, as gocql does with ``enableHostVerification: false``."""

    enabled: bool = False
    cert_file: str | None = None
    key_file: str | None = None
    ca_file: str | None = None
    enable_host_verification: bool = False
    server_name: str | None = None


@dataclass(frozen=True)
class CassandraConfig:
    """The connection part of Cadence's ``nosql``/``cassandra`` datastore config."""

    hosts: tuple[str, ...] = ("127.0.0.1",)
    port: int = DEFAULT_PORT
    keyspace: str = "cadence"
    user: str | None = None
    password: str | None = None
    datacenter: str | None = None
    protocol_version: int = DEFAULT_PROTOCOL_VERSION
    consistency: str = "LOCAL_QUORUM"
    serial_consistency: str = "LOCAL_SERIAL"
    timeout_s: float = DEFAULT_TIMEOUT_S
    connect_timeout_s: float = DEFAULT_CONNECT_TIMEOUT_S
    tls: TLSConfig = field(default_factory=TLSConfig)

    @classmethod
    def from_mapping(cls, raw: Mapping[str, Any]) -> "CassandraConfig":
        """Read Cadence's YAML keys (``hosts`` is a comma-separated string there;
        ``timeout``/``connectTimeout`` are seconds here, not Go durations)."""
        hosts = raw.get("hosts", "127.0.0.1")
        if isinstance(hosts, str):
            hosts = [h.strip() for h in hosts.split(",") if h.strip()]
        return cls(
            hosts=tuple(hosts),
            port=int(raw.get("port") or DEFAULT_PORT),
            keyspace=raw.get("keyspace", "cadence"),
            user=raw.get("user") or None,
            password=raw.get("password") or None,
            datacenter=raw.get("datacenter") or None,
            protocol_version=int(raw.get("protoVersion") or DEFAULT_PROTOCOL_VERSION),
            consistency=(raw.get("consistency") or "LOCAL_QUORUM").upper(),
            serial_consistency=(raw.get("serialConsistency") or "LOCAL_SERIAL").upper(),
            timeout_s=float(raw.get("timeout") or DEFAULT_TIMEOUT_S),
            connect_timeout_s=float(raw.get("connectTimeout") or DEFAULT_CONNECT_TIMEOUT_S),
            tls=_tls_from_mapping(raw.get("tls")),
        )


def _tls_from_mapping(raw: Mapping[str, Any] | None) -> TLSConfig:
    raw = raw or {}
    return TLSConfig(
        enabled=bool(raw.get("enabled", False)),
        cert_file=raw.get("certFile") or None,
        key_file=raw.get("keyFile") or None,
        ca_file=raw.get("caFile") or None,
        enable_host_verification=bool(raw.get("enableHostVerification", False)),
        server_name=raw.get("serverName") or None,
    )


def config_from_server(server_cfg: Any) -> CassandraConfig:
    """Our config from ``cadence_py.server.config.CassandraConfig`` (attributes already
    parsed from YAML: hosts list, seconds as floats, ``tls`` as Cadence's raw mapping)."""
    return CassandraConfig(
        hosts=tuple(server_cfg.hosts),
        port=int(server_cfg.port),
        keyspace=server_cfg.keyspace,
        user=server_cfg.user or None,
        password=server_cfg.password or None,
        datacenter=getattr(server_cfg, "datacenter", None) or None,
        protocol_version=server_cfg.protocol_version or DEFAULT_PROTOCOL_VERSION,
        consistency=(server_cfg.consistency or "LOCAL_QUORUM").upper(),
        serial_consistency=(server_cfg.serial_consistency or "LOCAL_SERIAL").upper(),
        timeout_s=float(server_cfg.timeout or DEFAULT_TIMEOUT_S),
        connect_timeout_s=float(server_cfg.connect_timeout or DEFAULT_CONNECT_TIMEOUT_S),
        tls=_tls_from_mapping(server_cfg.tls),
    )


def _consistency(name: str) -> int:
    try:
        return int(getattr(ConsistencyLevel, name.upper()))
    except AttributeError:
        raise ValueError(f"unknown Cassandra consistency level {name!r}") from None


def ssl_context(tls: TLSConfig) -> ssl.SSLContext:
    """Cadence's TLS semantics: without host verification the server certificate is not
    checked at all (gocql's InsecureSkipVerify). Shared with cadence-cassandra-tool."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    if tls.enable_host_verification:
        ctx.check_hostname = True
        ctx.verify_mode = ssl.CERT_REQUIRED
        if tls.ca_file:
            ctx.load_verify_locations(cafile=tls.ca_file)
        else:
            ctx.load_default_certs()
    else:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    if tls.cert_file and tls.key_file:
        ctx.load_cert_chain(certfile=tls.cert_file, keyfile=tls.key_file)
    elif tls.cert_file or tls.key_file:
        raise ValueError("tls certFile and keyFile must be given together")
    return ctx


def auth_and_tls_kwargs(user: str | None, password: str | None,
                        tls: TLSConfig) -> dict[str, Any]:
    """The ``Cluster`` keyword arguments for password auth and TLS (none when unused).

    Shared with cadence-cassandra-tool, which connects with its own consistency,
    timeouts and connection class but must authenticate and encrypt the same way.
    """
    kwargs: dict[str, Any] = {}
    if user:
        kwargs["auth_provider"] = PlainTextAuthProvider(username=user, password=password or "")
    if tls.enabled:
        kwargs["ssl_context"] = ssl_context(tls)
        if tls.server_name:
            kwargs["ssl_options"] = {"server_hostname": tls.server_name}
    return kwargs


def gevent_active() -> bool:
    """True when the socket module is gevent-patched (the server runs monkey-patched)."""
    try:
        from gevent import monkey
    except ImportError:  # pragma: no cover - gevent is a hard dependency
        return False
    return bool(monkey.is_module_patched("socket"))


def connection_class() -> type | None:
    """The driver connection class to use, or None for the driver's default.

    Under gevent the default libev/asyncore reactors run their own OS thread and block
    the hub, so the gevent reactor is required. It is deprecated in driver 3.30 and
    warns on every connection; the warning is silenced here because we know, and this
    function is the one place to swap in a replacement. ``gevent_io`` makes it cheaper
    per request.
    """
    if not gevent_active():
        return None
    warnings.filterwarnings("ignore", message=".*gevent event loop is deprecated.*",
                            category=DeprecationWarning)
    from cadence_py.persistence.cassandra.gevent_io import LoopTimerConnection

    return LoopTimerConnection


def memoize_collection_types() -> None:
    """Make the driver reuse its type classes for list/set/map/tuple columns.

    For every result the driver parses the column types from the wire, and
    ``apply_parameters`` builds a *new* class for each collection type. A UDT class is
    cached only while its field types are the same objects, so a UDT with a collection
    field (our activity_info, timer_info, ...) missed its cache and rebuilt a namedtuple
    class on every response: about a fifth of the server's CPU on Cassandra. Returning the
    same class for the same parameters makes those caches hit. Idempotent.
    """
    from cassandra import cqltypes

    for kind in (cqltypes.ListType, cqltypes.SetType, cqltypes.MapType, cqltypes.TupleType):
        if kind.__dict__.get("_cadence_py_memoized"):
            continue
        build = kind.apply_parameters.__func__
        made: dict[tuple[Any, ...], type] = {}

        def apply_parameters(cls: type, subtypes: Any, names: Any = None,
                             _build: Any = build, _made: Any = made) -> type:
            key = (cls, tuple(subtypes), tuple(names) if names else None)
            found = _made.get(key)
            if found is None:
                found = _made[key] = _build(cls, subtypes, names)
            return found

        kind.apply_parameters = classmethod(apply_parameters)
        kind._cadence_py_memoized = True


def create_cluster(cfg: CassandraConfig) -> Cluster:
    """A configured but unconnected Cluster (callers own ``shutdown()``).

    Rows come back as dicts: conditional writes return an ``[applied]`` column that
    namedtuple rows would rename, and the stores read LWT results by column name.
    """
    memoize_collection_types()
    lbp = TokenAwarePolicy(DCAwareRoundRobinPolicy(local_dc=cfg.datacenter)) \
        if cfg.datacenter else None
    profile_kwargs: dict[str, Any] = dict(
        consistency_level=_consistency(cfg.consistency),
        serial_consistency_level=_consistency(cfg.serial_consistency),
        request_timeout=cfg.timeout_s,
        row_factory=dict_factory,
    )
    if lbp is not None:
        profile_kwargs["load_balancing_policy"] = lbp
    kwargs: dict[str, Any] = dict(
        contact_points=list(cfg.hosts),
        port=cfg.port,
        protocol_version=cfg.protocol_version,
        connect_timeout=cfg.connect_timeout_s,
        control_connection_timeout=max(cfg.timeout_s, cfg.connect_timeout_s),
        execution_profiles={EXEC_PROFILE_DEFAULT: ExecutionProfile(**profile_kwargs)},
        # The driver writes requests in 4 KiB pieces; without TCP_NODELAY every request
        # over 4 KiB waits ~40 ms for the peer's delayed ACK.
        sockopts=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)],
        # max_attempts=None: the default (64 tries) gives up after ~2 min at these delays,
        # and a node down longer than that would never be tried again.
        reconnection_policy=ExponentialReconnectionPolicy(RECONNECT_BASE_S, RECONNECT_MAX_S,
                                                          max_attempts=None),
    )
    kwargs.update(auth_and_tls_kwargs(cfg.user, cfg.password, cfg.tls))
    conn_cls = connection_class()
    if conn_cls is not None:
        kwargs["connection_class"] = conn_cls
    return Cluster(**kwargs)


def connect(cfg: CassandraConfig) -> Session:
    """Connect and ``USE`` the configured keyspace.

    The session keeps a reference to its cluster (``session.cluster``); close everything
    with ``session.cluster.shutdown()``. Prepared statements and batches skip the
    driver's per-request machinery (``direct.DirectSession``); the stores do not know.
    """
    cluster = create_cluster(cfg)
    try:
        return DirectSession(cluster.connect(cfg.keyspace or None))  # type: ignore[return-value]
    except BaseException:
        cluster.shutdown()
        raise
