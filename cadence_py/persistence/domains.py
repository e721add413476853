"""The domain record and the DomainStore interface.

The record mirrors what Cadence keeps per domain (the ``domain``, ``domain_config`` and
``domain_replication_config`` parts of ``domains_by_name_v2``) so that a Cassandra
keyspace written by us reads the same to the upstream server.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

# Seeded by the schema, as upstream's; the worker role's system workflows run in it.
SYSTEM_DOMAIN_NAME = "cadence-system"
# A local domain's failover version (upstream constants.EmptyVersion), and a new
# domain's previous failover version.
LOCAL_FAILOVER_VERSION = -24
INITIAL_PREVIOUS_FAILOVER_VERSION = -1
DOMAIN_STATUS_REGISTERED = 0
DOMAIN_STATUS_DEPRECATED = 1
DOMAIN_STATUS_DELETED = 2


@dataclass
class BadBinary:
    reason: str = ""
    operator: str = ""
    created_time_nano: int = 0


@dataclass
class DomainInfo:
    id: str
    name: str
    status: int = DOMAIN_STATUS_REGISTERED
    description: str = ""
    owner_email: str = ""
    data: dict[str, str] = field(default_factory=dict)


@dataclass
class DomainConfig:
    retention_days: int = 3
    emit_metric: bool = True
    history_archival_status: int = 0  # ArchivalStatus DISABLED
    history_archival_uri: str = ""
    visibility_archival_status: int = 0
    visibility_archival_uri: str = ""
    bad_binaries: dict[str, BadBinary] = field(default_factory=dict)


@dataclass
class ReplicationConfig:
    active_cluster_name: str = ""
    clusters: list[str] = field(default_factory=list)


@dataclass
class DomainRecord:
    """Everything stored for one domain."""

    info: DomainInfo
    config: DomainConfig = field(default_factory=DomainConfig)
    replication: ReplicationConfig = field(default_factory=ReplicationConfig)
    is_global: bool = False
    config_version: int = 0
    failover_version: int = 0
    failover_notification_version: int = 0
    previous_failover_version: int = -1
    failover_end_time: int | None = None  # unix nanos
    last_updated_time: int = 0  # unix nanos
    notification_version: int = 0


class DomainStore(Protocol):
    """Domain persistence (Cadence's MetadataManager)."""

    def create_domain(self, record: DomainRecord) -> None:
        """Insert a new domain; DomainAlreadyExistsError if the name is taken.

        Also bumps the store-wide notification version (every domain change does).
        """

    def get_domain(self, *, name: str | None = None, domain_id: str | None = None) -> DomainRecord:
        """Look a domain up by name or by id; EntityNotExistsError if absent."""

    def update_domain(self, record: DomainRecord, expected_notification_version: int) -> None:
        """Overwrite a domain's mutable parts (matched by id and name).

        Succeeds only if the store-wide notification version still equals
        ``expected_notification_version`` (read with ``get_metadata`` before); it then
        becomes that value + 1. ConditionFailedError otherwise.
        """

    def list_domains(self, page_size: int, next_page_token: bytes | None
                     ) -> tuple[list[DomainRecord], bytes | None]:
        """A page of domains in name order and the token of the next page (None: done)."""

    def delete_domain(self, name: str) -> None:
        """Remove the domain's rows; nothing happens when there are none (upstream's
        DeleteDomainByName). Callers check that the domain may go."""

    def get_metadata(self) -> int:
        """The store-wide domain notification version (0 before any domain exists)."""

    def close(self) -> None:
        """Release connections."""
