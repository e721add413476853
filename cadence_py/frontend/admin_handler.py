"""AdminService: the operator API behind `cadence admin ...` (grows with later issues)."""

from __future__ import annotations

from typing import Any

from cadence_py.common import errors
from cadence_py.frontend.config import FrontendConfig
from cadence_py.frontend.not_implemented import refuse
from cadence_py.rpc import idl
from cadence_py.rpc.context import RequestContext
from cadence_py.rpc.dispatch import MethodSpec


class AdminHandler:
    def __init__(self, config: FrontendConfig, persistence_name: str,
                 search_attributes: Any = None, elasticsearch: Any = None) -> None:
        self.config = config
        self.persistence_name = persistence_name
        self.search_attributes = search_attributes  # visibility.attributes.SearchAttributes
        self.elasticsearch = elasticsearch  # EsVisibility, when advanced visibility is on

    def AddSearchAttribute(self, ctx: RequestContext, request: Any) -> None:
        """Make keys valid for queries and upserts (`cadence adm cl asa`); with
        Elasticsearch configured, also map them in the index (upstream's order)."""
        if request is None:
            raise errors.bad_request("Request is nil.")
        keys = dict(request.searchAttribute or {})
        if not keys:
            raise errors.bad_request("SearchAttributes are not provided")
        if self.search_attributes is None:
            raise errors.internal_error("search attributes are not configured")
        problem = self.search_attributes.add(keys)
        if problem:
            raise errors.bad_request(problem)
        if self.elasticsearch is not None:
            try:
                self.elasticsearch.add_attributes(keys)
            except Exception as exc:  # noqa: BLE001 - reported to the operator
                raise errors.internal_error(f"Failed to update ES mapping, err: {exc}") \
                    from None

    def DescribeCluster(self, ctx: RequestContext) -> Any:
        shared = idl.shared()
        admin = idl.admin()
        return admin.DescribeClusterResponse(
            supportedClientVersions=shared.SupportedClientVersions(
                goSdk=self.config.supported_go_sdk, javaSdk=self.config.supported_java_sdk),
            persistenceInfo={"defaultStore": admin.PersistenceInfo(backend=self.persistence_name)})

    def not_implemented(self, ctx: RequestContext, spec: MethodSpec) -> Any:
        refuse(spec, f"AdminService.{spec.name} is not implemented by cadence-py yet.")


class HealthHandler:
    """``Meta::health``, which the Java client's isHealthy() calls."""

    def health(self, ctx: RequestContext) -> Any:
        return idl.health().HealthStatus(ok=True, msg="OK")
