"""Server configuration: a YAML file in the spirit of Cadence's development.yaml.

Values may use ``${ENV_VAR}`` or ``${ENV_VAR:default}`` so that secrets (Cassandra
passwords) come from the environment, never from the repo. Unknown keys are errors:
a misspelt key must not silently fall back to a default.

Metrics go where Cadence puts them, ``services.<service>.metrics``; a top-level
``metrics`` section applies to every service that has none of its own (one process
runs all roles, so one section is usually enough).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from cadence_py.metrics.config import MetricsConfig, StatsdConfig
from cadence_py.transport.limits import ConnectionLimits

_ENV = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::([^}]*))?\}")


class ConfigError(Exception):
    """A config file problem, phrased as one line: file, key, reason."""


@dataclass
class CassandraConfig:
    hosts: list[str] = field(default_factory=lambda: ["127.0.0.1"])
    port: int = 9042
    keyspace: str = "cadence"
    visibility_keyspace: str = "cadence_visibility"
    user: str = ""
    password: str = ""
    protocol_version: int | None = None
    consistency: str = "LOCAL_QUORUM"
    serial_consistency: str = "LOCAL_SERIAL"
    connect_timeout: float = 2.0
    timeout: float = 10.0
    tls: dict[str, Any] = field(default_factory=dict)
    # persistence.numHistoryShards: fixed for a cluster's lifetime (it decides which
    # executions partition a workflow lives in); only the Cassandra store shards.
    num_history_shards: int = 4


@dataclass
class ElasticsearchConfig:
    """``persistence.datastores.<name>.elasticsearch``, named by advancedVisibilityStore."""

    url: str = "http://127.0.0.1:9200"
    index: str = "cadence-visibility-dev"
    username: str = ""
    password: str = ""
    timeout: float = 10.0


@dataclass
class ServerConfig:
    bind_host: str = "127.0.0.1"
    port: int = 7933
    # services.frontend.rpc idleConnectionTimeout / incompleteMessageTimeout /
    # maxConnections (cadence-py's own keys: see transport/limits.py).
    connection_limits: ConnectionLimits = field(default_factory=ConnectionLimits)
    data_dir: Path = Path("./data")
    store: str = "sqlite"  # sqlite | cassandra
    sqlite_file: str = "cadence.db"
    # Writes in a child process (sqlite/writer.py). Off by default: on the 2-core bench
    # machine it cut the server's instructions per workflow by a fifth but added more in
    # the child and in the IPC than it saved, and throughput did not move (bench/README.md).
    sqlite_writer_process: bool = False
    cassandra: CassandraConfig = field(default_factory=CassandraConfig)
    elasticsearch: ElasticsearchConfig | None = None  # None: queries on the main store
    cluster_name: str = "cluster0"
    # The worker role (cadence_py/worker): system workflows such as the domain deprecation
    # that CLI 1.3.1+ starts. Off only for tests that count every task list and call.
    system_worker: bool = True
    log_level: str = "info"
    log_format: str = "text"
    metrics: MetricsConfig | None = None  # top-level section: every service's default
    service_metrics: dict[str, MetricsConfig] = field(default_factory=dict)
    source: str = "<defaults>"
    # Cadence's file-based dynamic config (server/dynamic_config.py); None: defaults only.
    dynamic_config_file: Path | None = None
    dynamic_config_poll_s: float = 5.0

    def metrics_for(self, service: str) -> MetricsConfig | None:
        """The metrics config of ``service`` (frontend, history, matching, worker)."""
        return self.service_metrics.get(service, self.metrics)

    @property
    def sqlite_path(self) -> Path:
        path = Path(self.sqlite_file)
        return path if path.is_absolute() else self.data_dir / path


def _expand(value: Any) -> Any:
    if isinstance(value, str):
        def repl(match: re.Match[str]) -> str:
            return os.environ.get(match.group(1), match.group(2) or "")
        return _ENV.sub(repl, value)
    if isinstance(value, dict):
        return {k: _expand(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_expand(v) for v in value]
    return value


class _Section:
    """Reads one mapping, remembering which keys were used so leftovers are errors."""

    def __init__(self, source: str, path: str, data: Any) -> None:
        if data is None:
            data = {}
        if not isinstance(data, dict):
            raise ConfigError(f"{source}: {path or 'top level'}: expected a mapping")
        self.source, self.path, self.data = source, path, data
        self.used: set[str] = set()

    def _key(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def get(self, key: str, kind: type, default: Any) -> Any:
        self.used.add(key)
        if key not in self.data or self.data[key] is None:
            return default
        value = self.data[key]
        try:
            if kind is bool and isinstance(value, str):
                if value.lower() not in ("true", "false"):
                    raise ValueError(value)
                return value.lower() == "true"
            return kind(value)
        except (TypeError, ValueError):
            raise ConfigError(f"{self.source}: {self._key(key)}: expected {kind.__name__}, "
                              f"got {value!r}") from None

    def section(self, key: str) -> "_Section":
        self.used.add(key)
        return _Section(self.source, self._key(key), self.data.get(key))

    def expect(self, *keys: str) -> None:
        """Fail on unknown keys up front, before their absence causes a vaguer error."""
        unknown = sorted(set(self.data) - set(keys))
        if unknown:
            raise ConfigError(f"{self.source}: {self._key(unknown[0])}: unknown key")

    def finish(self) -> None:
        unknown = sorted(set(self.data) - self.used)
        if unknown:
            raise ConfigError(f"{self.source}: {self._key(unknown[0])}: unknown key")


def load_config(path: str | Path | None) -> ServerConfig:
    """Parse a config file (None: built-in defaults, i.e. SQLite under ./data)."""
    config = ServerConfig()
    if path is None:
        return config
    source = str(path)
    try:
        raw = yaml.safe_load(Path(path).read_text())
    except OSError as exc:
        raise ConfigError(f"{source}: cannot read: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{source}: not valid YAML: {exc}".splitlines()[0]) from None
    root = _Section(source, "", _expand(raw))
    config.source = source

    log = root.section("log")
    config.log_level = log.get("level", str, config.log_level).lower()
    config.log_format = log.get("format", str, config.log_format).lower()
    if config.log_level not in ("debug", "info", "warn", "warning", "error"):
        raise ConfigError(f"{source}: log.level: unknown level {config.log_level!r}")
    if config.log_format not in ("text", "json"):
        raise ConfigError(f"{source}: log.format: must be text or json")
    log.finish()

    cluster = root.section("clusterGroupMetadata")
    config.cluster_name = cluster.get("currentClusterName", str, config.cluster_name)
    cluster.get("primaryClusterName", str, None)
    cluster.finish()

    services = root.section("services")
    frontend = services.section("frontend")
    rpc = frontend.section("rpc")
    config.bind_host = rpc.get("bindOnIP", str, config.bind_host)
    config.port = rpc.get("port", int, config.port)
    _load_connection_limits(rpc, config.connection_limits)
    rpc.finish()
    for name in SERVICES:
        service = frontend if name == "frontend" else services.section(name)
        if "metrics" in service.data:
            config.service_metrics[name] = _load_metrics(service.section("metrics"))
        service.finish()
    services.finish()
    if "metrics" in root.data:
        config.metrics = _load_metrics(root.section("metrics"))

    config.data_dir = Path(root.get("dataDir", str, str(config.data_dir)))
    _load_persistence(root.section("persistence"), config)
    _load_dynamic_config(root, config)
    root.finish()
    return config


def _load_connection_limits(rpc: _Section, limits: ConnectionLimits) -> None:
    """The frontend's connection deadlines and cap; each must be positive (a 0 cap means
    "sized from the fd limit", the default)."""
    for key, attr in (("idleConnectionTimeout", "idle_timeout"),
                      ("incompleteMessageTimeout", "partial_timeout")):
        seconds = _seconds(rpc, key, getattr(limits, attr))
        if seconds <= 0:
            raise ConfigError(f"{rpc.source}: {rpc._key(key)}: must be positive")
        setattr(limits, attr, seconds)
    limits.max_connections = rpc.get("maxConnections", int, limits.max_connections)
    if limits.max_connections < 0:
        raise ConfigError(f"{rpc.source}: {rpc._key('maxConnections')}: must be 0 (from "
                          "the fd limit) or positive")


def _load_dynamic_config(root: _Section, config: ServerConfig) -> None:
    """``dynamicconfig: {client: filebased, filebased: {filepath, pollInterval}}``, or the
    legacy ``dynamicConfigClient: {filepath, pollInterval}`` (upstream prefers the first
    when both are there). The file is read now, so a bad one stops the start."""
    files = None
    if "dynamicconfig" in root.data:
        section = root.section("dynamicconfig")
        client = section.get("client", str, "filebased")
        if client not in ("filebased", "nop"):
            raise ConfigError(f"{section.source}: {section._key('client')}: only the "
                              f"filebased client is supported, got {client!r}")
        files = section.section("filebased") if client == "filebased" else None
        section.section("configstore")  # upstream's other client: read, not used
        section.finish()
        if "dynamicConfigClient" in root.data:
            root.section("dynamicConfigClient")
    elif "dynamicConfigClient" in root.data:
        files = root.section("dynamicConfigClient")
    if files is None:
        return
    path = files.get("filepath", str, "")
    if not path:
        raise ConfigError(f"{files.source}: {files._key('filepath')}: required")
    config.dynamic_config_file = Path(path)
    config.dynamic_config_poll_s = _seconds(files, "pollInterval", config.dynamic_config_poll_s)
    files.finish()
    from cadence_py.server.dynamic_config import DynamicConfigError, read

    try:
        read(config.dynamic_config_file, config.cluster_name)
    except DynamicConfigError as exc:
        raise ConfigError(f"{config.source}: dynamic config {exc}") from None


SERVICES = ("frontend", "history", "matching", "worker")
# Tags the server sets itself; a config tag with one of these names would be ambiguous.
_RESERVED_TAGS = ("cadence_service", "operation", "domain", "caller", "transport",
                  "tasklist", "tasklistType", "workflowType", "stats_type")
_TAG_TEXT = re.compile(r"[A-Za-z0-9_-]+")


def _load_metrics(section: _Section) -> MetricsConfig:
    """``metrics: {statsd: {hostPort, prefix, flushInterval, flushBytes}, tags, prefix,
    sampleRates}``; Cadence's other reporters are named so the error says why."""
    metrics = MetricsConfig()
    for other in ("prometheus", "m3"):
        if other in section.data:
            raise ConfigError(f"{section.source}: {section._key(other)}: only the statsd "
                              f"reporter is supported")
    if "statsd" in section.data:
        metrics.statsd = _load_statsd(section.section("statsd"))
    tags = section.section("tags")
    for key, value in tags.data.items():
        text = tags.get(key, str, "")
        if not _TAG_TEXT.fullmatch(str(key)) or not _TAG_TEXT.fullmatch(text):
            raise ConfigError(f"{section.source}: {tags._key(key)}: tag names and values "
                              f"may use only letters, digits, '_' and '-'")
        if key in _RESERVED_TAGS:
            raise ConfigError(f"{section.source}: {tags._key(key)}: reserved tag, the "
                              f"server sets it")
        metrics.tags[str(key)] = text
    tags.finish()
    metrics.prefix = section.get("prefix", str, "")
    rates = section.section("sampleRates")
    for operation in rates.data:
        rate = rates.get(operation, float, 1.0)
        if not 0.0 < rate <= 1.0:
            raise ConfigError(f"{section.source}: {rates._key(operation)}: a sample rate "
                              f"must be in (0, 1], got {rate}")
        metrics.sample_rates[str(operation)] = rate
    rates.finish()
    section.finish()
    return metrics


def _load_statsd(section: _Section) -> StatsdConfig:
    statsd = StatsdConfig()
    host_port = section.get("hostPort", str, None)
    if not host_port:
        raise ConfigError(f"{section.source}: {section._key('hostPort')}: required, "
                          f"e.g. 127.0.0.1:8125")
    host, sep, port = host_port.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ConfigError(f"{section.source}: {section._key('hostPort')}: expected "
                          f"host:port, got {host_port!r}")
    statsd.host, statsd.port = host.strip("[]"), int(port)
    statsd.prefix = section.get("prefix", str, statsd.prefix)
    statsd.flush_interval = _seconds(section, "flushInterval", statsd.flush_interval)
    statsd.flush_bytes = section.get("flushBytes", int, statsd.flush_bytes)
    if not 0 < statsd.flush_bytes <= 65507:
        raise ConfigError(f"{section.source}: {section._key('flushBytes')}: must be 1 to "
                          f"65507 (one UDP datagram), got {statsd.flush_bytes}")
    section.finish()
    return statsd


def _load_persistence(section: _Section, config: ServerConfig) -> None:
    section.expect("defaultStore", "visibilityStore", "advancedVisibilityStore",
                   "numHistoryShards", "datastores")
    default = section.get("defaultStore", str, None)
    section.get("visibilityStore", str, None)
    advanced = section.get("advancedVisibilityStore", str, None)
    num_shards = section.get("numHistoryShards", int, 4)
    if num_shards < 1:
        raise ConfigError(f"{section.source}: persistence.numHistoryShards: must be at "
                          f"least 1, got {num_shards}")
    stores = section.section("datastores")
    if default is None:
        section.finish()
        return
    if default not in stores.data:
        raise ConfigError(f"{section.source}: persistence.defaultStore: no datastore named "
                          f"{default!r}")
    if advanced is not None and "elasticsearch" not in (stores.data.get(advanced) or {}):
        raise ConfigError(f"{section.source}: persistence.advancedVisibilityStore: no "
                          f"elasticsearch datastore named {advanced!r}")
    for name in stores.data:
        store = stores.section(name)
        if "elasticsearch" in store.data:
            es = _load_elasticsearch(store.section("elasticsearch"))
            if name == advanced:
                config.elasticsearch = es
        elif "sqlite" in store.data:
            sqlite = store.section("sqlite")
            if name == default:
                config.store = "sqlite"
                config.sqlite_file = sqlite.get("path", str, config.sqlite_file)
                config.sqlite_writer_process = sqlite.get(
                    "writerProcess", bool, config.sqlite_writer_process)
            else:
                sqlite.get("path", str, "")
                sqlite.get("writerProcess", bool, False)
            sqlite.finish()
        elif "nosql" in store.data or "cassandra" in store.data:
            key = "nosql" if "nosql" in store.data else "cassandra"
            cass = _load_cassandra(store.section(key))
            if name == default:
                config.store = "cassandra"
                visibility_keyspace = config.cassandra.visibility_keyspace
                config.cassandra = cass  # keeps a visibility keyspace read before it
                config.cassandra.visibility_keyspace = visibility_keyspace
            elif name == section.data.get("visibilityStore"):
                # Only the keyspace is taken: visibility shares the main store's cluster.
                config.cassandra.visibility_keyspace = cass.keyspace
        store.finish()
    stores.finish()
    config.cassandra.num_history_shards = num_shards
    section.finish()


def _load_elasticsearch(section: _Section) -> ElasticsearchConfig:
    """Cadence's shape: version, url {scheme, host}, indices {visibility}, username,
    password; only Elasticsearch 7 (and what speaks its API) is supported."""
    es = ElasticsearchConfig()
    version = section.get("version", str, "v7")
    if version not in ("v7", "os2"):
        raise ConfigError(f"{section.source}: {section._key('version')}: only v7 (or os2) "
                          f"is supported, got {version!r}")
    url = section.section("url")
    scheme = url.get("scheme", str, "http")
    host = url.get("host", str, "127.0.0.1:9200")
    url.finish()
    if scheme not in ("http", "https"):
        raise ConfigError(f"{section.source}: {section._key('url.scheme')}: must be http "
                          f"or https, got {scheme!r}")
    es.url = f"{scheme}://{host}"
    indices = section.section("indices")
    es.index = indices.get("visibility", str, es.index)
    indices.finish()
    if not es.index.startswith("cadence-visibility-"):
        raise ConfigError(f"{section.source}: {section._key('indices.visibility')}: the "
                          f"index name must start with cadence-visibility-, got {es.index!r}")
    es.username = section.get("username", str, "")
    es.password = section.get("password", str, "")
    es.timeout = _seconds(section, "timeout", es.timeout)
    section.finish()
    return es


def _load_cassandra(section: _Section) -> CassandraConfig:
    cass = CassandraConfig()
    plugin = section.get("pluginName", str, "cassandra")
    if plugin != "cassandra":
        raise ConfigError(f"{section.source}: {section.path}.pluginName: only 'cassandra' "
                          f"is supported")
    hosts = section.get("hosts", str, ",".join(cass.hosts))
    cass.hosts = [h.strip() for h in hosts.split(",") if h.strip()]
    cass.port = section.get("port", int, cass.port)
    cass.keyspace = section.get("keyspace", str, cass.keyspace)
    cass.user = section.get("user", str, cass.user)
    cass.password = section.get("password", str, cass.password)
    cass.protocol_version = section.get("protoVersion", int, None)
    cass.consistency = section.get("consistency", str, cass.consistency)
    cass.serial_consistency = section.get("serialConsistency", str, cass.serial_consistency)
    cass.connect_timeout = _seconds(section, "connectTimeout", cass.connect_timeout)
    cass.timeout = _seconds(section, "timeout", cass.timeout)
    section.used.add("tls")
    cass.tls = dict(section.data.get("tls") or {})
    section.get("maxConns", int, 2)
    section.finish()
    return cass


def _seconds(section: _Section, key: str, default: float) -> float:
    value = section.get(key, str, None)
    if value is None:
        return default
    match = re.fullmatch(r"\s*([0-9.]+)\s*(ms|s|m)?\s*", value)
    if not match:
        raise ConfigError(f"{section.source}: {section._key(key)}: expected a duration "
                          f"like 2s or 500ms, got {value!r}")
    number, unit = float(match.group(1)), match.group(2) or "s"
    return number / 1000 if unit == "ms" else number * 60 if unit == "m" else number
