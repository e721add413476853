"""DomainRecord <-> plain dicts (JSON), for stores that keep documents."""

from __future__ import annotations

import dataclasses
from typing import Any

from cadence_py.persistence.domains import (
    BadBinary,
    DomainConfig,
    DomainInfo,
    DomainRecord,
    ReplicationConfig,
)


def record_to_dict(record: DomainRecord) -> dict[str, Any]:
    return dataclasses.asdict(record)


def record_from_dict(data: dict[str, Any]) -> DomainRecord:
    config = dict(data.get("config", {}))
    config["bad_binaries"] = {k: BadBinary(**v) for k, v in
                              config.get("bad_binaries", {}).items()}
    known = {f.name for f in dataclasses.fields(DomainRecord)}
    rest = {k: v for k, v in data.items()
            if k in known and k not in ("info", "config", "replication")}
    return DomainRecord(info=DomainInfo(**data["info"]), config=DomainConfig(**config),
                        replication=ReplicationConfig(**data.get("replication", {})), **rest)
