"""ListDomains: one page of DescribeDomainResponse, in name order."""

from __future__ import annotations

from typing import Any

from cadence_py.common import errors
from cadence_py.frontend.config import FrontendConfig
from cadence_py.frontend.domains.convert import describe_response
from cadence_py.persistence.domains import DomainStore
from cadence_py.rpc import idl

DEFAULT_PAGE_SIZE = 100
#: Largest page served; a bigger pageSize gets pages of this size and a token (any page
#: may be short), so one call never reads and answers every domain at once.
MAX_PAGE_SIZE = 1000


def list_domains(store: DomainStore, config: FrontendConfig, request: Any) -> Any:
    if request is None:
        raise errors.bad_request(errors.REQUEST_NOT_SET)
    page_size = request.pageSize or DEFAULT_PAGE_SIZE
    if page_size < 0:
        raise errors.bad_request("PageSize must not be negative.")
    page_size = min(page_size, MAX_PAGE_SIZE)
    try:
        records, token = store.list_domains(page_size, request.nextPageToken or None)
    except ValueError:
        raise errors.bad_request(errors.INVALID_NEXT_PAGE_TOKEN) from None
    return idl.shared().ListDomainsResponse(
        domains=[describe_response(r, config.cluster_name) for r in records], nextPageToken=token)
