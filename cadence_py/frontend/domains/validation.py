"""Checks shared by register and update, with upstream's messages."""

from __future__ import annotations

import re

from cadence_py.common import errors
from cadence_py.frontend.config import FrontendConfig
from cadence_py.persistence.domains import DomainConfig, DomainInfo

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


def check_info_size(info: DomainInfo, config: FrontendConfig) -> None:
    """Bound what every describe answer and every domain cache carries (see
    FrontendConfig.domain_description_max_length); checked on the record as it would be
    stored, so an update's merged data counts whole."""
    if len(info.description) > config.domain_description_max_length:
        raise errors.bad_request("Domain description length exceeds limit.")
    if len(info.owner_email) > config.domain_owner_email_max_length:
        raise errors.bad_request("Owner email length exceeds limit.")
    if sum(len(k) + len(v) for k, v in info.data.items()) > config.domain_data_max_bytes:
        raise errors.bad_request("Domain data size exceeds limit.")


def check_config_size(domain_config: DomainConfig, config: FrontendConfig) -> None:
    """Archival URIs and bad-binary entries are ids to us: bounded like ids."""
    limit = config.domain_owner_email_max_length
    if max(len(domain_config.history_archival_uri),
           len(domain_config.visibility_archival_uri)) > limit:
        raise errors.bad_request("Archival URI length exceeds limit.")
    for checksum, binary in domain_config.bad_binaries.items():
        if max(len(checksum), len(binary.reason), len(binary.operator)) > limit:
            raise errors.bad_request("Bad binary length exceeds limit.")


def check_required_data(data: dict[str, str] | None, config: FrontendConfig) -> None:
    for key in config.required_domain_data_keys:
        if not data or key not in data:
            raise errors.bad_request(f"domain data error, missing required key {key} . "
                                     f"All required keys: "
                                     f"{config.required_domain_data_keys}")
