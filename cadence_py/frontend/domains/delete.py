"""DeleteDomain: remove a deprecated domain that holds no workflows any more.

As upstream (v1.3.1+): the domain must exist (EntityNotExistsError, which the method's
IDL does not declare, so clients see it as an unexpected error, as against upstream) and
be deprecated, and visibility must know no run of it, open or closed (closed ones leave
at retention). Only the domain's rows go; there is nothing else left to delete. The
security token matters upstream only with admin protection on, which is off by default.
"""

from __future__ import annotations

from typing import Any

from cadence_py.common import errors
from cadence_py.frontend.domains.update import refuse_system_domain
from cadence_py.persistence.domains import DOMAIN_STATUS_DEPRECATED, DomainStore
from cadence_py.persistence.visibility import ListFilter, VisibilityStore

NOT_DEPRECATED = "Domain is not in a deprecated state."
HAS_WORKFLOWS = "Domain still have workflow execution history."


def delete_domain(store: DomainStore, visibility: VisibilityStore | None, request: Any) -> None:
    if request is None:
        raise errors.bad_request(errors.REQUEST_NOT_SET)
    if not request.name:
        raise errors.bad_request(errors.DOMAIN_NOT_SET)
    refuse_system_domain(request.name, "deleted")
    record = store.get_domain(name=request.name)
    if record.info.status != DOMAIN_STATUS_DEPRECATED:
        raise errors.bad_request(NOT_DEPRECATED)
    if visibility is not None and any(
            visibility.list(record.info.id, open_runs, ListFilter(), 1, None)[0]
            for open_runs in (True, False)):
        raise errors.bad_request(HAS_WORKFLOWS)
    store.delete_domain(request.name)
