"""Checks shared by register and update, with upstream's messages."""

from __future__ import annotations

import re

from cadence_py.common import errors
from cadence_py.frontend.config import FrontendConfig
from cadence_py.persistence.domains import DomainConfig

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


def check_required_data(data: dict[str, str] | None, config: FrontendConfig) -> None:
    for key in config.required_domain_data_keys:
        if not data or key not in data:
            raise errors.bad_request(f"domain data error, missing required key {key} . "
                                     f"All required keys: "
                                     f"{config.required_domain_data_keys}")
