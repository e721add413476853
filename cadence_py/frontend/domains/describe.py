"""DescribeDomain by name or by UUID."""

from __future__ import annotations

from typing import Any

from cadence_py.common import errors
from cadence_py.frontend.config import FrontendConfig
from cadence_py.frontend.domains.convert import describe_response
from cadence_py.persistence.domains import DomainStore


def describe_domain(store: DomainStore, config: FrontendConfig, request: Any) -> Any:
    if request is None:
        raise errors.bad_request(errors.REQUEST_NOT_SET)
    if not request.name and not request.uuid:
        raise errors.bad_request(errors.DOMAIN_NOT_SET)
    if request.name:
        record = store.get_domain(name=request.name)
    else:
        record = store.get_domain(domain_id=request.uuid)
    return describe_response(record, config.cluster_name)
