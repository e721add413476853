"""WorkflowService: the frontend's public API, one method per Thrift method.

Each method validates the caller's version, delegates to a small per-API module, and
turns persistence errors into the exceptions Cadence clients expect. Methods that are
not built yet answer BadRequestError naming the method (see ``not_implemented``).
"""

from __future__ import annotations

import logging
from typing import Any

from cadence_py.common import errors
from cadence_py.common.domain_cache import DomainCache
from cadence_py.frontend.config import FrontendConfig
from cadence_py.frontend.domains.delete import delete_domain
from cadence_py.frontend.domains.describe import describe_domain
from cadence_py.frontend.domains.failover import failover_domain, list_failover_history
from cadence_py.frontend.domains.listing import list_domains
from cadence_py.frontend.domains.register import register_domain
from cadence_py.frontend.domains.update import deprecate_domain, update_domain
from cadence_py.frontend.not_implemented import refuse
from cadence_py.frontend.version_check import check_client_version
from cadence_py.frontend.workflows.control import ControlAPIs
from cadence_py.frontend.workflows.polling import PollingAPIs
from cadence_py.frontend.workflows.queries import QueryAPIs
from cadence_py.frontend.workflows.reading import ReadingAPIs
from cadence_py.frontend.workflows.restart import RestartAPIs
from cadence_py.frontend.workflows.start import StartAPIs
from cadence_py.frontend.workflows.tasks import TaskAPIs
from cadence_py.frontend.workflows.visibility import VisibilityAPIs
from cadence_py.history.engine import HistoryEngine
from cadence_py.matching import MatchingEngine
from cadence_py.persistence.domains import DomainStore
from cadence_py.rpc import idl
from cadence_py.rpc.context import RequestContext
from cadence_py.rpc.dispatch import MethodSpec
from cadence_py.visibility.attributes import SearchAttributes
from cadence_py.visibility.backends import MainStoreQueries

log = logging.getLogger(__name__)


class WorkflowHandler(StartAPIs, PollingAPIs, TaskAPIs, ControlAPIs, ReadingAPIs, QueryAPIs,
                      VisibilityAPIs, RestartAPIs):
    """Implements ``WorkflowService``; registered with the ThriftDispatcher."""

    def __init__(self, domains: DomainStore, config: FrontendConfig | None = None,
                 history: HistoryEngine | None = None, matching: MatchingEngine | None = None,
                 domain_cache: DomainCache | None = None, visibility: Any = None,
                 search_attributes: SearchAttributes | None = None,
                 queries: Any = None) -> None:
        self.domains = domains
        self.config = config or FrontendConfig()
        self.search_attributes = search_attributes or SearchAttributes()
        self.domain_cache = domain_cache or DomainCache(domains)
        if history is not None:
            self.history = history
        if matching is not None:
            self.matching = matching
        if visibility is not None:
            self.visibility = visibility
            self.queries = queries or MainStoreQueries(visibility)

    def _check(self, ctx: RequestContext) -> None:
        check_client_version(ctx, self.config)

    # ------------------------------------------------------------------ domains
    def RegisterDomain(self, ctx: RequestContext, request: Any) -> None:
        self._check(ctx)
        with errors.from_persistence():
            register_domain(self.domains, self.config, request)
        log.info("registered domain %s", request.name)

    def DescribeDomain(self, ctx: RequestContext, request: Any) -> Any:
        self._check(ctx)
        with errors.from_persistence():
            return describe_domain(self.domains, self.config, request)

    def UpdateDomain(self, ctx: RequestContext, request: Any) -> Any:
        self._check(ctx)
        with errors.from_persistence():
            response = update_domain(self.domains, self.config, request)
        self.domain_cache.forget(request.name)
        return response

    def DeprecateDomain(self, ctx: RequestContext, request: Any) -> None:
        self._check(ctx)
        with errors.from_persistence():
            deprecate_domain(self.domains, request)
        self.domain_cache.forget(request.name)

    def DeleteDomain(self, ctx: RequestContext, request: Any) -> None:
        self._check(ctx)
        with errors.from_persistence():
            delete_domain(self.domains, getattr(self, "visibility", None), request)
        self.domain_cache.forget(request.name)
        log.info("deleted domain %s", request.name)

    def FailoverDomain(self, ctx: RequestContext, request: Any) -> Any:
        self._check(ctx)
        with errors.from_persistence():
            return failover_domain(self.domains, self.config, request)

    def ListFailoverHistory(self, ctx: RequestContext, request: Any) -> Any:
        self._check(ctx)
        return list_failover_history(request)

    def ListDomains(self, ctx: RequestContext, request: Any) -> Any:
        self._check(ctx)
        with errors.from_persistence():
            return list_domains(self.domains, self.config, request)

    # ------------------------------------------------------------------ cluster
    def GetClusterInfo(self, ctx: RequestContext) -> Any:
        shared = idl.shared()
        return shared.ClusterInfo(supportedClientVersions=shared.SupportedClientVersions(
            goSdk=self.config.supported_go_sdk, javaSdk=self.config.supported_java_sdk))

    def GetSearchAttributes(self, ctx: RequestContext) -> Any:
        self._check(ctx)
        return idl.shared().GetSearchAttributesResponse(keys=dict(self.search_attributes.valid()))

    # ------------------------------------------------------------ placeholders
    def not_implemented(self, ctx: RequestContext, spec: MethodSpec) -> Any:
        """Declared-but-unbuilt methods: a BadRequestError naming the method."""
        refuse(spec, f"{spec.name} is not implemented by cadence-py yet.")
