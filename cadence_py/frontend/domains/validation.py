"""Checks shared by register and update, with upstream's messages."""

from __future__ import annotations

import re

from cadence_py.common import errors
from cadence_py.frontend.config import FrontendConfig
from cadence_py.persistence.domains import DomainConfig, DomainInfo, DomainRecord

DOMAIN_NAME = re.compile(r"^[a-zA-Z0-9-]+$")
ARCHIVAL_ENABLED = 1


def check_retention_upper(days: int | None, config: FrontendConfig) -> None:
    if days is not None and days > config.max_retention_days:
        raise errors.bad_request(errors.INVALID_RETENTION)


def check_domain_config(domain_config: DomainConfig, config: FrontendConfig) -> None:
    """What must hold of a domain's configuration after any change."""
    if domain_config.retention_days < config.min_retention_days:
        raise errors.bad_request(errors.INVALID_RETENTION_PERIOD)
    for status, uri in ((domain_config.history_archival_status,
                         domain_config.history_archival_uri),
                        (domain_config.visibility_archival_status,
                         domain_config.visibility_archival_uri)):
        if status == ARCHIVAL_ENABLED and not uri:
            raise errors.bad_request(errors.INVALID_ARCHIVAL_CONFIG)


def check_sizes(info: DomainInfo, domain_config: DomainConfig, config: FrontendConfig,
                stored: DomainRecord | None = None) -> None:
    """Bound what every describe answer and every domain cache carries (see
    FrontendConfig.domain_description_max_length); archival URIs and bad-binary entries are
    ids to us, bounded like ids. On an update (``stored``: the record before it) only what
    changed is checked, so a domain stored before these bounds can still be updated."""
    def changed(now: object, before: object) -> bool:
        return stored is None or now != before

    old_info = stored.info if stored is not None else None
    old_config = stored.config if stored is not None else None
    if changed(info.description, old_info and old_info.description) and \
            len(info.description) > config.domain_description_max_length:
        raise errors.bad_request("Domain description length exceeds limit.")
    if changed(info.owner_email, old_info and old_info.owner_email) and \
            len(info.owner_email) > config.domain_owner_email_max_length:
        raise errors.bad_request("Owner email length exceeds limit.")
    if changed(info.data, old_info and old_info.data) and \
            sum(len(k) + len(v) for k, v in info.data.items()) > config.domain_data_max_bytes:
        raise errors.bad_request("Domain data size exceeds limit.")
    limit = config.domain_owner_email_max_length
    for uri, old_uri in ((domain_config.history_archival_uri,
                          old_config and old_config.history_archival_uri),
                         (domain_config.visibility_archival_uri,
                          old_config and old_config.visibility_archival_uri)):
        if changed(uri, old_uri) and len(uri) > limit:
            raise errors.bad_request("Archival URI length exceeds limit.")
    old_binaries = old_config.bad_binaries if old_config is not None else {}
    for checksum, binary in domain_config.bad_binaries.items():
        if changed(binary, old_binaries.get(checksum)) and \
                max(len(checksum), len(binary.reason), len(binary.operator)) > limit:
            raise errors.bad_request("Bad binary length exceeds limit.")


def check_required_data(data: dict[str, str] | None, config: FrontendConfig) -> None:
    for key in config.required_domain_data_keys:
        if not data or key not in data:
            raise errors.bad_request(f"domain data error, missing required key {key} . "
                                     f"All required keys: "
                                     f"{config.required_domain_data_keys}")
